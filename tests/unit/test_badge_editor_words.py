"""The lead's badge list and editor show a badge's stored values (aggregation, operator, kind, event, field) in the
lead's language, never the raw keys."""
from services.domain.badges import FIRST_BADGES, Aggregation, BadgeKind, FilterOperator
from services.domain.i18n import speaking
from services.domain.receipts import field_value
from ui.admin_badges import AGGREGATIONS, KINDS, OPERATORS, labelled, summary


def test_every_stored_value_has_a_label() -> None:
    assert set(AGGREGATIONS) == {a.value for a in Aggregation}
    assert set(KINDS) == {k.value for k in BadgeKind}
    assert set(OPERATORS) == {o.value for o in FilterOperator}


def test_the_options_keep_the_stored_values_and_show_words_in_the_readers_language() -> None:
    with speaking('lv'):
        options = labelled(AGGREGATIONS)
    assert list(options) == [a.value for a in Aggregation]
    assert options['count'] == 'skaits' and options['average'] == 'vidējais'
    with speaking('fr'):
        assert labelled(OPERATORS)['is_not'] == "n'est pas"


def test_a_badges_summary_has_no_raw_key_in_french() -> None:
    rebel = next(badge for badge in FIRST_BADGES if badge.key == 'rebel')  # count of ratings where rating is bad
    with speaking('fr'):
        line = summary(rebel)
    assert line.startswith('nombre') and 'count' not in line and 'rated' not in line
    assert 'négatif' in line and 'bad' not in line  # the filter's value too
    with speaking('en'):
        assert summary(rebel).startswith('count of events (ratings, rating is bad)')


def test_a_filter_without_values_leaves_no_space_before_the_bracket() -> None:
    speedy = next(badge for badge in FIRST_BADGES
                  if badge.metric and any(f.operator == FilterOperator.PRESENT for f in badge.metric.where))
    with speaking('en'):
        line = summary(speedy)
    assert 'is present)' in line and ' )' not in line


def test_a_filters_stored_values_are_worded_in_the_readers_language() -> None:
    with speaking('lv'):
        assert [field_value('channel', value) for value in ('email', 'chat')] == ['e-pasts', 'tērzēšana']
        assert field_value('rating', 'good') == 'labs'
        assert field_value('status', 'on_break') != 'on_break'
        assert field_value('tags', 'refund') == 'refund'  # a lead's own tag is shown as written
        assert field_value('inbound_count', 1500) == '1\xa0500'
    with speaking('fr'):
        assert field_value('priority', 'urgent') == 'urgente'
