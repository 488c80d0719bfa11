"""Compiling the translation catalogs: the repository holds the ``.po`` files only (``.mo`` is never committed), so
the app compiles each one whose ``.mo`` is missing or older than its ``.po`` when it starts; a fresh clone speaks every
language at once. ``pybabel compile -d locales -D deskquest`` does the same by hand."""
import logging
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from services.domain.i18n import DOMAIN, LOCALES_DIR, catalog

log = logging.getLogger('deskquest')


def compile_catalogs(locales: Path = LOCALES_DIR) -> list[Path]:
    """Compile every stale catalog under ``locales``; return the ``.mo`` files written."""
    written: list[Path] = []
    for po_path in sorted(locales.glob(f'*/LC_MESSAGES/{DOMAIN}.po')):
        mo_path = po_path.with_suffix('.mo')
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open('rb') as source:
            messages = read_po(source, locale=po_path.parent.parent.name)
        temporary = mo_path.with_suffix('.mo.tmp')  # another process starting at once never reads half a file
        with temporary.open('wb') as target:
            write_mo(target, messages, use_fuzzy=False)
        temporary.replace(mo_path)
        written.append(mo_path)
        log.info('compiled %s', mo_path)
    if written:
        catalog.cache_clear()  # a catalog read before (English fallback, or the old text) is read again
    return written
