"""``PrivacyService.export``: everything about one person, nothing about anyone else."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from etwin_lti.errors import NotFoundError
from tests.integration.privacy.world import CONTENT, ISSUER, OTHERS_SECRETS, SARA_SUB, World

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def test_export_holds_every_kind_of_record(world: World) -> None:
    data = world.privacy.export(world.sara, now=NOW)
    assert data["format"] == "etwin-lti/personal-data/v2"
    assert data["profile"] == {
        "id": world.sara,
        "display_name": "Sara Subject",
        "kind": "teacher",
        "country_code": "IT",
        "school": "Liceo Sara",
        "email": "sara@school.example",
        "created_at": data["profile"]["created_at"],
    }
    [identity] = data["identities"]
    assert (identity["issuer"], identity["deployment_id"], identity["sub"]) == (
        ISSUER,
        "1",
        SARA_SUB,
    )
    assert identity["sub_kept"] is True
    [membership] = data["memberships"]
    assert (membership["twinspace_id"], membership["role"], membership["status"]) == (
        world.twinspace_id,
        "teacher",
        "active",
    )
    assert data["projects"] == [
        {
            "project_id": world.project_id,
            "title": "Water of Europe",
            "status": "approved",
            "relation": "partner",
        }
    ]
    kinds = sorted((kind, c.get("title") or c["body"]) for kind in CONTENT for c in data[kind])
    assert kinds == [
        ("diary_comments", "SARA-COMMENT"),
        ("diary_posts", "SARA-DIARY"),
        ("forum_posts", "SARA-FIRST-POST"),
        ("forum_threads", "SARA-THREAD"),
        ("materials", "SARA-MATERIAL"),
        ("pages", "SARA-PAGE"),
    ]
    # Her post and thread come without what others answered (her own replies are listed apart).
    assert data["diary_posts"][0]["comments"] == data["forum_threads"][0]["posts"] == []
    participation = sorted((p["kind"], p["subject"]) for p in data["participation"])
    assert ("event_enrolment", f"event:{world.event_id}") in participation
    assert ("course_trainee", f"edition:{world.edition_id}") in participation
    assert sum(kind == "activity_done" for kind, _ in participation) == 2
    [enrolment] = [p for p in data["participation"] if p["kind"] == "event_enrolment"]
    assert enrolment["completed_at"] is not None
    acknowledgements = {a["kind"]: a for a in data["acknowledgements"]}
    # The event's certificate, and the eTwinning label she got joining the approved project.
    assert set(acknowledgements) == {"event_certificate", "etwinning_label"}
    ack = acknowledgements["event_certificate"]
    assert ack["assertion_url"] == f"http://tool.test/badges/assertions/{ack['id']}"
    assert ack["certificate_url"].startswith(ack["assertion_url"] + "/certificate?k=")
    assert ack["revoked_at"] is None
    [application] = data["nql_applications"]
    assert (application["project_id"], application["decision"]) == (world.project_id, "pending")
    [score] = data["scores"]
    assert (score["resource_link_id"], score["status"], score["score_given"]) == (
        "rl-1",
        "pending",
        score["score_maximum"],
    )
    [session] = data["launch_sessions"]
    assert (session["context_title"], session["role"]) == ("Class 3B", "teacher")
    [mark] = data["moodle_poll_marks"]
    assert (mark["moodle_user_id"], mark["state"]) == (int(SARA_SUB), "issued")
    assert data["erasure"] is None
    assert "e-mail" in " ".join(data["never_stored"]).lower()


def test_export_says_nothing_about_other_people(world: World) -> None:
    text = json.dumps(world.privacy.export(world.sara, now=NOW))
    for secret in OTHERS_SECRETS:
        assert secret not in text
    for person_id in (world.otto, world.tom, world.pupil):
        assert f'"person_id": {person_id}' not in text


def test_a_pupil_export_has_no_email_and_only_their_membership(world: World) -> None:
    data = world.privacy.export(world.pupil, now=NOW)
    assert data["profile"]["email"] is None and data["profile"]["display_name"] == "Pia Pupil"
    assert [m["role"] for m in data["memberships"]] == ["pupil"]
    assert all(data[kind] == [] for kind in CONTENT) and data["identities"] == []
    assert "Sara" not in json.dumps(data)


def test_unknown_person_is_not_found(world: World) -> None:
    with pytest.raises(NotFoundError):
        world.privacy.export(99999, now=NOW)


def test_find_by_lti_identity(world: World) -> None:
    assert world.privacy.find_person(lti=(ISSUER, SARA_SUB)) == world.sara
    assert world.privacy.find_person(lti=(ISSUER, SARA_SUB), deployment_id="1") == world.sara
    with pytest.raises(NotFoundError):
        world.privacy.find_person(lti=(ISSUER, SARA_SUB), deployment_id="2")
