"""Dates and times read one way per language, and a time always names its zone (ADR 0029)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from etwin_lti.errors import ConfigurationError
from etwin_lti.web.i18n import date_filter, datetime_filter, install_i18n, time_element

LATE = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM/PM


def app_in(zone: str | None) -> Flask:
    app = Flask("etwin_lti")
    if zone is not None:
        app.config["TIMEZONE"] = zone  # ETWIN_TIMEZONE
    install_i18n(app)
    return app


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "Dec 4, 2026", f"Dec 4, 2026, 11:30{NNBSP}PM UTC"),
        ("es", "4 dic 2026", "4 dic 2026, 23:30 UTC"),
        ("fr", "4 déc. 2026", "4 déc. 2026, 23:30 UTC"),
        ("pl", "Dec 4, 2026", f"Dec 4, 2026, 11:30{NNBSP}PM UTC"),  # no catalog: English
    ],
)
def test_one_format_per_language_with_the_zone(language: str, day: str, moment: str) -> None:
    with app_in(None).test_request_context(headers={"Accept-Language": language}):
        assert date_filter(LATE) == day
        assert date_filter(date(2026, 12, 4)) == day
        assert date_filter("2026-12-04") == day  # ISO text, as some views hand it over
        assert datetime_filter(LATE) == moment
        assert str(time_element(LATE)) == f'<time datetime="{LATE.isoformat()}">{moment}</time>'


def test_the_configured_zone_moves_the_day_and_names_itself() -> None:
    with app_in("Europe/Madrid").test_request_context(headers={"Accept-Language": "fr"}):
        assert datetime_filter(LATE) == "5 déc. 2026, 00:30 CET"
        assert date_filter(LATE) == "5 déc. 2026"  # already the 5th in Madrid


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "UTC; DROP"])
def test_an_unknown_zone_is_refused_at_start_up(zone: str) -> None:
    with pytest.raises(ConfigurationError, match="ETWIN_TIMEZONE"):
        app_in(zone)


def test_missing_and_odd_values_render_quietly() -> None:
    with app_in(None).test_request_context():
        assert date_filter(None) == "" and datetime_filter(None) == ""
        assert date_filter("not a date") == "not a date"
