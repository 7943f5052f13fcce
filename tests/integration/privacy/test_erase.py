"""``PrivacyService.erase``: nothing identifying left, shared work kept under a pseudonym,
acknowledgements revoked (assertions answer 410), one transaction, idempotent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.privacy import ErasureFailedError, FounderOfOpenProjectError
from etwin_lti.errors import NotFoundError
from tests.integration.privacy.world import CONTENT, ISSUER, SARA_SUB, World, dump_all, rows_of

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _others(world: World) -> dict[str, object]:
    """Everything about the other people, to prove an erasure does not touch it."""
    return {
        str(pid): world.privacy.export(pid, now=NOW) for pid in (world.otto, world.tom, world.pupil)
    }


def test_erase_leaves_no_identity_name_or_email(world: World) -> None:
    others_before = _others(world)
    before = world.privacy.export(world.sara, now=NOW)
    result = world.privacy.erase(world.sara, now=NOW)
    assert not result.already_erased
    assert re.fullmatch(r"Former member [0-9A-F]{4}", result.pseudonym)
    counts = result.counts
    assert (counts.identities_deleted, counts.launch_sessions_deleted) == (1, 1)
    assert (counts.scores_deleted, counts.poll_marks_deleted) == (1, 1)
    # Her certificate and the eTwinning label she got as a partner after the approval.
    assert (counts.memberships_suspended, counts.acknowledgements_revoked) == (1, 2)
    assert counts.content_kept == 6

    after = world.privacy.export(world.sara, now=NOW)
    profile = after["profile"]
    assert (profile["display_name"], profile["email"], profile["school"]) == (
        result.pseudonym,
        None,
        None,
    )
    assert after["identities"] == after["scores"] == after["launch_sessions"] == []
    assert after["moodle_poll_marks"] == []
    assert [m["status"] for m in after["memberships"]] == ["suspended"]
    assert after["erasure"]["reason"] == "request"
    dumped = json.dumps(dump_all(world.app), default=str)
    for gone in ("Sara Subject", "sara@school.example", "Liceo Sara"):
        assert gone not in dumped
    assert world.container.identities.find(LtiIdentity(ISSUER, SARA_SUB)) is None
    # Shared work stays, attributed to the pseudonym.
    for kind in CONTENT:
        assert after[kind] == before[kind]
    pages = world.container.hub.list_pages(world.twinspace_id, viewer_id=world.tom)
    assert {p.title for p in pages if p.author_id == world.sara} == {"SARA-PAGE"}
    members = {m.person_id: m for m in world.container.hub.list_members(world.twinspace_id)}
    assert members[world.sara].display_name == result.pseudonym
    # Other people are untouched.
    assert _others(world) == others_before


def test_erased_persons_assertion_answers_410(world: World) -> None:
    client = world.app.test_client()
    sara_acks = world.privacy.export(world.sara, now=NOW)["acknowledgements"]
    [ack] = [a for a in sara_acks if a["kind"] == "event_certificate"]
    otto_acks = world.privacy.export(world.otto, now=NOW)["acknowledgements"]
    [otto_ack] = [a for a in otto_acks if a["kind"] == "event_certificate"]
    assert client.get(f"/badges/assertions/{ack['id']}").status_code == 200
    world.privacy.erase(world.sara, now=NOW)
    gone = client.get(f"/badges/assertions/{ack['id']}")
    assert gone.status_code == 410
    assert gone.get_json()["revoked"] is True
    assert gone.get_json()["revocationReason"] == "erased on request"
    assert client.get(f"/badges/assertions/{otto_ack['id']}").status_code == 200
    # The Moodle user id no longer sits in the kept acknowledgement's evidence.
    stored = world.container.hub.get_acknowledgement(ack["id"]).evidence
    assert "moodle_user_id" not in stored


def test_second_erase_is_a_no_op(world: World) -> None:
    first = world.privacy.erase(world.sara, now=NOW)
    before = dump_all(world.app)
    second = world.privacy.erase(world.sara, now=NOW)
    assert second.already_erased and second.pseudonym == first.pseudonym
    assert dump_all(world.app) == before


def test_unknown_person_is_not_found_and_nothing_changes(world: World) -> None:
    before = dump_all(world.app)
    with pytest.raises(NotFoundError):
        world.privacy.erase(99999, now=NOW)
    assert dump_all(world.app) == before


def test_founder_of_an_open_project_needs_force(world: World) -> None:
    before = dump_all(world.app)
    with pytest.raises(FounderOfOpenProjectError) as refused:
        world.privacy.erase(world.tom, now=NOW)
    assert refused.value.status_code == 409
    assert dump_all(world.app) == before
    result = world.privacy.erase(world.tom, now=NOW, force=True)
    assert not result.already_erased
    # The project is intact: same founders, scope and status; the pseudonym stands in.
    project = world.container.hub.get_project(world.project_id)
    assert world.tom in project.founder_ids and project.status.value == "approved"
    assert project.scope.value == "european"
    assert world.privacy.export(world.tom, now=NOW)["erasure"]["forced"] is True
    members = {m.person_id: m for m in world.container.hub.list_members(world.twinspace_id)}
    assert members[world.tom].is_founder and members[world.otto].status.value == "active"


@pytest.fixture
def refusing_erasure_log(world: World) -> Iterator[None]:
    """A real database fault at the very last statement of an erasure: a trigger that refuses
    the row of ``privacy_erasures`` (dropped again: the PostgreSQL database is shared)."""
    engine = world.container.database.engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_erasure BEFORE INSERT ON privacy_erasures "
                    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_erasure() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_erasure BEFORE INSERT ON privacy_erasures "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_erasure()"
                )
            )
    yield
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER refuse_erasure"))
        else:
            connection.execute(text("DROP TRIGGER refuse_erasure ON privacy_erasures"))
            connection.execute(text("DROP FUNCTION refuse_erasure()"))


def test_a_failure_midway_leaves_everything_as_it_was(
    world: World, refusing_erasure_log: None
) -> None:
    before = dump_all(world.app)
    with pytest.raises(ErasureFailedError) as failed:
        world.privacy.erase(world.sara, now=NOW)
    assert "refused by the test" in str(failed.value.__cause__)  # the last statement failed
    assert dump_all(world.app) == before
    assert rows_of(world.app, "lti_identities", "person_id", world.sara)
    assert world.container.hub.get_person(world.sara).display_name == "Sara Subject"


def test_erase_deletes_the_persons_chat_lines_and_export_lists_them(world: World) -> None:
    hub = world.container.hub
    mine = hub.post_chat_message(world.sara, world.twinspace_id, "SARA-CHAT: I am Sara")
    theirs = hub.post_chat_message(world.tom, world.twinspace_id, "TOM-CHAT")
    exported = world.privacy.export(world.sara, now=NOW)["chat_messages"]
    assert [(m["id"], m["body"]) for m in exported] == [(mine.id, "SARA-CHAT: I am Sara")]
    assert theirs.id not in {m["id"] for m in exported}
    result = world.privacy.erase(world.sara, now=NOW)
    assert result.counts.chat_messages_deleted == 1
    assert world.privacy.export(world.sara, now=NOW)["chat_messages"] == []
    left = hub.recent_chat(world.tom, world.twinspace_id).messages
    assert [m.id for m in left] == [theirs.id]
    assert "SARA-CHAT" not in json.dumps(dump_all(world.app), default=str)


def test_partner_invitations_are_exported_and_an_erasure_withdraws_the_waiting_ones(
    world: World,
) -> None:
    hub = world.container.hub
    second = hub.create_project(world.otto, world.tom, "Second project")
    hub.validate_project("DE", second.id)
    second = hub.validate_project("FR", second.id)
    waiting = hub.invite_partner(world.otto, second.id, world.sara)
    exported = world.privacy.export(world.sara, now=NOW)["partner_invitations"]
    assert [(i["id"], i["inviter_id"], i["state"]) for i in exported] == [
        (waiting.id, world.otto, "pending")
    ]
    assert [i["id"] for i in world.privacy.export(world.otto, now=NOW)["partner_invitations"]] == [
        waiting.id
    ]
    world.privacy.erase(world.sara, now=NOW)
    assert hub.pending_partner_invitations(world.sara) == []
    [after] = hub.list_partner_invitations(second.id)
    assert (after.state.value, after.decided_at) == ("withdrawn", NOW)
