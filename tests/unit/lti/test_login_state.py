"""The sealed login state: what a browser carries between /lti/login and the launch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from etwin_lti.lti.login_state import (
    LoginState,
    LoginStateExpired,
    LoginStateInvalid,
    LoginStateSealer,
)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SEALER = LoginStateSealer("k" * 32, ttl_seconds=600)
LOGIN = LoginState(state="s" * 43, nonce="n" * 43, platform_id=7)


def test_round_trip_within_the_ttl() -> None:
    sealed = SEALER.seal(LOGIN, now=NOW)
    assert SEALER.open(sealed, now=NOW + timedelta(seconds=599)) == LOGIN
    assert "n" * 43 not in sealed and len(sealed) < 400  # encrypted, and small for a cookie


def _flip(sealed: str) -> str:
    middle = len(sealed) // 2
    return sealed[:middle] + ("A" if sealed[middle] != "A" else "B") + sealed[middle + 1 :]


@pytest.mark.parametrize(
    ("cookie", "at", "error"),
    [
        (lambda s: s, NOW + timedelta(seconds=601), LoginStateExpired),
        (_flip, NOW, LoginStateInvalid),
        (lambda s: s[:-4], NOW, LoginStateInvalid),
        (lambda s: "", NOW, LoginStateInvalid),
        (lambda s: "not-a-token", NOW, LoginStateInvalid),
        (lambda s: "x" * 5000, NOW, LoginStateInvalid),
        (
            lambda s: LoginStateSealer("other" * 8, ttl_seconds=600).seal(LOGIN, now=NOW),
            NOW,
            LoginStateInvalid,
        ),
        (lambda s: s, NOW - timedelta(hours=1), LoginStateInvalid),  # sealed in the future
    ],
    ids=["expired", "tampered", "truncated", "empty", "garbage", "huge", "other key", "future"],
)
def test_refused_cookies(cookie, at: datetime, error: type[Exception]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        SEALER.open(cookie(SEALER.seal(LOGIN, now=NOW)), now=at)
