"""Pure pieces of the Moodle bridge and the badges service (no sockets, no database)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from etwin_lti.domain.model import Acknowledgement, AcknowledgementKind
from etwin_lti.domain.moodle import AcknowledgementTarget, MarkState, TargetKind
from etwin_lti.errors import InvalidInputError
from etwin_lti.services import badges
from moodle_bridge.client import encode_params
from moodle_bridge.errors import (
    MoodleNoCriteriaError,
    MoodleWebServiceError,
    error_from_body,
)


def test_php_array_encoding() -> None:
    assert encode_params(
        {"courseid": 7, "options": [{"name": "onlyactive", "value": True}], "skip": None}
    ) == [("courseid", "7"), ("options[0][name]", "onlyactive"), ("options[0][value]", "1")]


@pytest.mark.parametrize(
    ("body", "error_type", "code"),
    [
        (
            {"exception": "moodle_exception", "errorcode": "nocriteriaset", "message": "m"},
            MoodleNoCriteriaError,
            "nocriteriaset",
        ),
        (
            {"exception": "moodle_exception", "errorcode": "somethingnew", "message": "m"},
            MoodleWebServiceError,
            "somethingnew",
        ),
    ],
)
def test_error_bodies(body: dict[str, str], error_type: type, code: str) -> None:
    error = error_from_body({**body, "debuginfo": "SELECT secret"})
    assert type(error) is error_type and error.errorcode == code
    assert "SELECT" not in error.description


@pytest.mark.parametrize("text", ["edition", "edition:x", "course:1", ":1", ""])
def test_target_parse_rejects(text: str) -> None:
    with pytest.raises(InvalidInputError):
        AcknowledgementTarget.parse(text)


def test_target_round_trip_and_final_states() -> None:
    target = AcknowledgementTarget.parse("event:12")
    assert (target.kind, target.id, str(target)) == (TargetKind.EVENT, 12, "event:12")
    assert {s for s in MarkState if s.is_final} == {MarkState.ISSUED, MarkState.ALREADY_ISSUED}


def test_assertion_recipient_is_hashed_salted_and_stable() -> None:
    key = badges.recipient_key("secret-key-for-unit-tests")
    urls = badges.BadgeUrls("https://tool.example")
    ack = Acknowledgement(
        5,
        AcknowledgementKind.COURSE_CERTIFICATE,
        3,
        "edition:1",
        "t",
        datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    document = badges.assertion(urls, key, ack)
    identity = urls.recipient(key, 3)
    salt = document["recipient"]["salt"]
    assert (
        document["recipient"]["identity"]
        == "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()
    )
    assert document["issuedOn"] == "2026-03-01T12:00:00Z"
    assert document["badge"] == "https://tool.example/badges/classes/course_certificate/edition:1"
    assert badges.assertion(urls, key, ack) == document  # deterministic
    assert urls.recipient(key, 3) != urls.recipient(badges.recipient_key("another-key-xx"), 3)
    assert badges.check_certificate_key(key, 5, badges.certificate_key(key, 5))
    assert not badges.check_certificate_key(key, 6, badges.certificate_key(key, 5))
