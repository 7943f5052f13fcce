"""What a platform's answer does to an outbox score: the table of etwin_lti.domain.passback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from etwin_lti.domain.passback import (
    AgsAnswer,
    RetryPolicy,
    ScoreStatus,
    decide_answer,
    decide_retry,
    parse_retry_after,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=4, base_seconds=10.0, cap_seconds=60.0)


def half() -> float:
    return 0.5


@pytest.mark.parametrize(
    ("status", "expected", "reason_part"),
    [
        (200, ScoreStatus.SENT, None),
        (204, ScoreStatus.SENT, None),
        (409, ScoreStatus.SENT, "already holds"),
        (400, ScoreStatus.SKIPPED, "cannot grade this user"),
        (401, ScoreStatus.DEAD, "access token"),
        (403, ScoreStatus.DEAD, "does not let the tool post grades"),
        (404, ScoreStatus.DEAD, "no longer exists"),
        (415, ScoreStatus.DEAD, "refused the score"),
        (429, ScoreStatus.PENDING, "429"),
        (500, ScoreStatus.PENDING, "500"),
        (503, ScoreStatus.PENDING, "503"),
    ],
)
def test_each_status_has_one_meaning(
    status: int, expected: ScoreStatus, reason_part: str | None
) -> None:
    decision = decide_answer(
        AgsAnswer(status, body_excerpt="detail"), 1, POLICY, now=NOW, rand=half
    )
    assert decision.status is expected
    if reason_part is None:
        assert decision.reason is None
    else:
        assert decision.reason is not None and reason_part in decision.reason
    assert (decision.next_attempt_at is not None) == (expected is ScoreStatus.PENDING)


def test_backoff_doubles_with_equal_jitter_up_to_the_cap() -> None:
    def low() -> float:
        return 0.0

    def high() -> float:
        return 1.0

    assert [POLICY.delay(n, low) for n in (1, 2, 3, 4, 5)] == [5.0, 10.0, 20.0, 30.0, 30.0]
    assert [POLICY.delay(n, high) for n in (1, 2, 3, 4, 5)] == [10.0, 20.0, 40.0, 60.0, 60.0]
    decision = decide_answer(AgsAnswer(503), 2, POLICY, now=NOW, rand=half)
    assert decision.next_attempt_at == NOW + timedelta(seconds=15)


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    assert decide_answer(
        AgsAnswer(429, retry_after="7"), 1, POLICY, now=NOW, rand=half
    ).next_attempt_at == NOW + timedelta(seconds=7)
    assert decide_answer(
        AgsAnswer(503, retry_after="86400"), 1, POLICY, now=NOW, rand=half
    ).next_attempt_at == NOW + timedelta(seconds=60)


def test_the_last_attempt_makes_a_dead_letter_with_the_reason() -> None:
    decision = decide_retry(
        "token endpoint refused (invalid_client)", 4, POLICY, now=NOW, rand=half
    )
    assert decision.status is ScoreStatus.DEAD
    assert decision.reason == "gave up after 4 attempts: token endpoint refused (invalid_client)"
    assert decide_answer(AgsAnswer(503), 4, POLICY, now=NOW, rand=half).status is ScoreStatus.DEAD


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("12", 12.0),
        (" 3 ", 3.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past: now
        ("soon", None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == seconds
