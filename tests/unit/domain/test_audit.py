"""The audit log's pure part: how actors read and what details may hold."""

from __future__ import annotations

import pytest

from etwin_lti.domain.audit import CLI, SYSTEM, AuditActor, clean_details
from etwin_lti.services.audit import acting_as, current_actor


@pytest.mark.parametrize(
    ("actor", "text"),
    [
        (AuditActor.person(12), "person:12"),
        (AuditActor.token(3, "admin"), "token:3/admin"),
        (CLI, "cli"),
        (SYSTEM, "system"),
    ],
)
def test_actor_text(actor: AuditActor, text: str) -> None:
    assert str(actor) == text


@pytest.mark.parametrize(
    ("details", "kept"),
    [
        ({"person_id": 4, "role": "pupil"}, {"person_id": "4", "role": "pupil"}),
        ({"client_secret": "s3", "access_token": "t", "private_pem": "p"}, {}),
        ({"registration_token": "x", "api_key": "k", "password": "p"}, {}),
        ({"reason": "x" * 500}, {"reason": "x" * 200}),
        ({"deployment_id": None}, {}),
        (None, {}),
    ],
)
def test_details_hold_no_secret(details: dict[str, object] | None, kept: dict[str, str]) -> None:
    assert clean_details(details) == kept


def test_the_entry_point_actor_wins_over_the_named_person() -> None:
    assert current_actor() == SYSTEM
    assert current_actor(5) == AuditActor.person(5)
    with acting_as(AuditActor.token(1, "admin")):
        assert str(current_actor(5)) == "token:1/admin"
        with acting_as(CLI):
            assert current_actor(5) is CLI
        assert str(current_actor()) == "token:1/admin"
    assert current_actor() == SYSTEM
