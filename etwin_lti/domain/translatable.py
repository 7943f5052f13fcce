"""The marker for text that people read but that is written outside the web layer.

The domain and the services must not import Flask-Babel (they are pure, ADR 0029), yet their
error descriptions, "who can fix this" lines and confirmations are shown on pages. ``N_`` only
marks such a literal for ``pybabel extract`` (its default keywords include ``N_``); the web
layer translates the very same string when it renders it (``etwin_lti.web.i18n.translate``),
and a service that writes for someone outside a page (a mail, a PDF) is handed a
``etwin_lti.services.wording.Wording`` for that person's language.
"""

from __future__ import annotations

import re


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message


# The languages with complete catalogs (ADR 0029): every other tag reads English.
SUPPORTED_LOCALES = ("en", "es", "fr")
DEFAULT_LOCALE = "en"
# A BCP 47 tag or a POSIX locale name: the primary language subtag, then anything.
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")


def supported_locale(tag: object) -> str | None:
    """``"es-ES"``, ``"fr_CA"``, ``"FR"`` → the supported locale; anything else → None."""
    if not isinstance(tag, str) or len(tag) > 64:
        return None
    match = _TAG.match(tag)
    if match is None:
        return None
    language = match.group(1).lower()
    return language if language in SUPPORTED_LOCALES else None
