"""Every error class's own texts (description, a pupil's words, who can fix it) have their
Spanish and French translations: an error page is a page. ``moodle_bridge``'s errors are read by
the command line and the worker's logs only, which stay English (issue 13)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import connectors
import etwin_lti
from etwin_lti.errors import EtwinLtiError

TRANSLATIONS = Path(__file__).parents[3] / "etwin_lti" / "translations"
TEXTS = ("description", "pupil_description", "who_can_fix")


def _subclasses(klass: type[EtwinLtiError]) -> Iterator[type[EtwinLtiError]]:
    sub: type[EtwinLtiError]
    for sub in klass.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _error_classes() -> list[type[EtwinLtiError]]:
    for package in (etwin_lti, connectors):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" in module.name or ".sandbox" in module.name:
                continue
            importlib.import_module(module.name)
    classes: set[type[EtwinLtiError]] = {EtwinLtiError, *_subclasses(EtwinLtiError)}
    return sorted(
        # The tool's own (not moodle_bridge's, nor classes that other tests define).
        (c for c in classes if c.__module__.split(".")[0] in {"etwin_lti", "connectors"}),
        key=lambda c: f"{c.__module__}.{c.__name__}",
    )


@pytest.mark.parametrize("language", ["es", "fr"])
def test_every_error_class_text_is_translated(language: str) -> None:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po, locale=language)
    missing = [
        f"{klass.__module__}.{klass.__name__}.{attr}: {text!r}"
        for klass in _error_classes()
        for attr in TEXTS
        if isinstance(text := vars(klass).get(attr), str)
        and not (catalog.get(text) and catalog[text].string)
    ]
    assert missing == [], "mark these with N_ (values as %(name)s params) and translate them"
