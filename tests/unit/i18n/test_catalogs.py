"""The Spanish and French catalogs are complete, well-formed and compiled (ADR 0029).

The texts are extracted here, from the code as it is, exactly as ``make catalogs`` extracts them
(``babel.cfg``); a new text that nobody translated fails this test, in es and in fr.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).parents[3]
TRANSLATIONS = ROOT / "etwin_lti" / "translations"
LANGUAGES = ("es", "fr")


def _key(msgid: str | tuple[str, ...]) -> str | tuple[str, ...]:
    return msgid if isinstance(msgid, str) else tuple(msgid)


@pytest.fixture(scope="module")
def extracted() -> set[str | tuple[str, ...]]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map
    ):
        found.add(_key(message))
    return found


def _catalog(language: str) -> Catalog:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


def _translated(string: str | tuple[str, ...] | None) -> bool:
    if isinstance(string, str):
        return bool(string.strip())
    return bool(string) and all(s and s.strip() for s in string)


def test_extraction_finds_the_templates_and_the_marked_errors(extracted: set) -> None:
    assert "Who can fix this:" in extracted  # errors/error.html
    assert "Your session has ended or was never started." in extracted  # errors.py, N_
    assert ("%(num)s member", "%(num)s members") in extracted  # ngettext in a template


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated(language: str, extracted: set) -> None:
    catalog = _catalog(language)
    messages = {_key(m.id): m for m in catalog if m.id}
    untranslated = sorted(
        str(msgid)
        for msgid in extracted
        if msgid not in messages or not _translated(messages[msgid].string) or messages[msgid].fuzzy
    )
    assert untranslated == [], f"run `make catalogs` and translate these in {language}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    """Babel's own checks: the same ``%(name)s`` placeholders, the plural forms complete."""
    problems = [
        (message.id, [str(e) for e in errors]) for message, errors in _catalog(language).check()
    ]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_its_po_file(language: str) -> None:
    """The committed ``.mo`` is what the app reads: it must say what the ``.po`` says."""
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))
    compiled.seek(0)
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo", "rb") as mo:
        shipped = read_mo(mo)
    expected = read_mo(compiled)
    assert {_key(m.id): m.string for m in shipped if m.id} == {
        _key(m.id): m.string for m in expected if m.id
    }, "run `make catalogs` (pybabel compile) and commit the .mo files"
