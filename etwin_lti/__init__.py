"""etwin-lti: an LTI 1.3 / LTI Advantage tool that brings eTwinning into a school's LMS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the package stays importable without building the app
    from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application (see ``etwin_lti.app.create_app``)."""
    from etwin_lti.app import create_app as _create_app

    return _create_app(test_config)


__all__ = ["__version__", "create_app"]
