"""The marker for text that people read but that is written outside the web layer.

The domain and the services must not import Flask-Babel (they are pure, ADR 0029), yet their
error descriptions, "who can fix this" lines and confirmations are shown on pages. ``N_`` only
marks such a literal for ``pybabel extract`` (its default keywords include ``N_``); the web
layer translates the very same string when it renders it (``etwin_lti.web.i18n.translate``).
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return message
