"""Plotly's own texts in the reader's language (issue 16): its date ticks ("Dec 1" is "1 déc." in French, "1. dec." in
Latvian), its number separators and its mode bar's tooltips.

Neither the Python plotly package nor NiceGUI ships plotly.js's locale files, and NiceGUI imports plotly.js as a
module (there is no global ``Plotly`` to ``register`` a locale with), so each figure's ``config`` carries its locale
itself (plotly.js reads ``config.locales[locale]`` before its registry). The month and day names, the separators and
the order of day and month come from CLDR through Babel, as every other date the app writes; the tooltips from the
app's catalogs.
"""
from functools import cache
from typing import Any

import plotly.graph_objects as go
from babel import Locale
from nicegui.observables import ObservableDict

from services.domain.i18n import N_, _, current_language, speaking, supported

# what a bar chart's or a heatmap's mode bar and zoom say, in plotly.js's own English (its dictionary's keys)
PLOTLY_TEXTS = (N_('Download plot as a PNG'), N_('Zoom'), N_('Pan'), N_('Box Select'), N_('Lasso Select'),
                N_('Zoom in'), N_('Zoom out'), N_('Autoscale'), N_('Reset axes'), N_('Double-click to zoom back out'),
                N_('Taking snapshot - this may take a few seconds'), N_('Snapshot succeeded'),
                N_('Sorry, there was a problem downloading your snapshot!'))
# CLDR date fields as d3-time-format directives (plotly.js formats dates with d3's)
D3_FIELDS = {'d': '%-d', 'dd': '%d', 'M': '%-m', 'MM': '%m', 'MMM': '%b', 'MMMM': '%B', 'L': '%-m', 'LL': '%m',
             'LLL': '%b', 'LLLL': '%B', 'y': '%Y', 'yyyy': '%Y', 'yy': '%y'}
SUNDAY_FIRST = (6, 0, 1, 2, 3, 4, 5)  # Babel's days are keyed from Monday (0); d3's lists start on Sunday


def d3_format(pattern: str) -> str:
    """A CLDR date pattern ('d MMM y', "y. 'g'. d. MMM") as a d3 format ('%-d %b %Y', '%Y. g. %-d. %b')."""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "'":  # a quoted literal; '' is a quote
            end = pattern.find("'", index + 1)
            end = len(pattern) if end == -1 else end
            out.append(pattern[index + 1:end].replace('%', '%%') or "'")
            index = end + 1
        elif char.isalpha():
            end = index
            while end < len(pattern) and pattern[end] == char:
                end += 1
            field = pattern[index:end]
            if field not in D3_FIELDS:
                raise ValueError(f'no d3 directive for the CLDR field {field!r} in {pattern!r}')
            out.append(D3_FIELDS[field])
            index = end
        else:
            out.append('%%' if char == '%' else char)
            index += 1
    return ''.join(out)


@cache
def _format(language: str) -> dict[str, Any]:
    locale = Locale.parse(language)
    months, days = locale.months['format'], locale.days['format']
    symbols = locale.number_symbols['latn']

    def skeleton(name: str) -> str:
        return d3_format(locale.datetime_skeletons[name].pattern)
    return {
        'months': [months['wide'][number] for number in range(1, 13)],
        'shortMonths': [months['abbreviated'][number] for number in range(1, 13)],
        'days': [days['wide'][number] for number in SUNDAY_FIRST],
        'shortDays': [days['abbreviated'][number] for number in SUNDAY_FIRST],
        'decimal': symbols['decimal'], 'thousands': symbols['group'],
        'date': skeleton('yMd'), 'year': '%Y', 'month': skeleton('yMMM'), 'dayMonth': skeleton('MMMd'),
        'dayMonthYear': skeleton('yMMMd'),
    }


def plotly_config(language: str | None = None) -> dict[str, Any]:
    """A figure's ``config`` in ``language`` (by default the current person's): its locale and that locale's
    definition, and no plotly.js logo in the mode bar. One object per language, shared by every chart: never change
    it."""
    return _shared_config(supported(language or current_language()))


@cache
def _shared_config(language: str) -> ObservableDict:
    # NiceGUI wraps every dict and list put in an element's props in an observed copy per tab, except one already
    # observed, which it keeps by reference: so the locale (about 60 strings in 9 dicts and lists) is held once per
    # language, not once per tab showing a chart
    with speaking(language):
        dictionary = {text: _(text) for text in PLOTLY_TEXTS}
    return ObservableDict({'locale': language,
                           'locales': {language: {'format': _format(language), 'dictionary': dictionary}},
                           'displaylogo': False})


def day_month_format(language: str) -> str:
    """How ``language`` writes a day and its month as a d3 format ('%-d %b' in French, '%b %-d' in English), with
    the locale's month names when the figure's config carries :func:`plotly_config`."""
    return _format(supported(language))['dayMonth']


def localized(figure: go.Figure) -> dict[str, Any]:
    """``figure`` as ``ui.plotly`` takes it, with the current person's locale in its config (a ``go.Figure`` has
    no config of its own)."""
    return {**figure.to_plotly_json(), 'config': plotly_config()}
