"""What the local hub alone can show about the label rules and the audit log, on SQLite and
PostgreSQL: the school year follows the hub's clock (the caller never names it), and every
accepted change of a role, a label, an erasure or a registration writes exactly one audit
entry in its own transaction, a refused one none."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from connectors.local_hub import LocalHub
from connectors.sql_audit import SqlAuditLog
from connectors.sql_registrations import SqlRegistrationStore
from connectors.sql_role_policy import SqlRolePolicyStore
from etwin_lti.domain.acknowledgements import EqlAlreadyAwardedError
from etwin_lti.domain.audit import CLI, AuditActor
from etwin_lti.domain.model import AcknowledgementKind, NqlDecision, TwinSpaceRole
from etwin_lti.domain.registrations import PlatformRegistration
from etwin_lti.errors import PermissionDeniedError, RuleViolationError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.audit import AuditRow
from etwin_lti.services.audit import acting_as
from tests.contract.hub_contract.builders import (
    FAILING,
    PASSING,
    SCORES,
    approved_project,
    space,
    teacher,
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2031, 8, 31, 23, 0, tzinfo=UTC))  # the last hour of 2030-2031


@pytest.fixture
def hub(database: Database, clock: Clock) -> LocalHub:
    hub = LocalHub(database, clock=clock)
    hub.seed_countries()
    return hub


def audit_rows(database: Database) -> list[AuditRow]:
    with database.session() as s:
        return list(s.scalars(select(AuditRow).order_by(AuditRow.id)))


def audit_count(database: Database) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(AuditRow)) or 0


# --- the school year is the hub's, not the caller's ---------------------------------------------


def test_school_year_follows_the_clock_so_the_limit_holds(hub: LocalHub, clock: Clock) -> None:
    applicant = teacher(hub, "FR").id
    projects = [approved_project(hub) for _ in range(5)]
    for p in projects:
        hub.add_partner(p.founder_ids[0], p.id, applicant)
    for p in projects[:4]:
        assert hub.apply_nql(applicant, p.id).school_year == "2030-2031"
    with pytest.raises(RuleViolationError) as refused:
        hub.apply_nql(applicant, projects[4].id)
    assert refused.value.error == "nql_application_limit"

    clock.now += timedelta(hours=1)  # 1 September: a new school year
    fifth = hub.apply_nql(applicant, projects[4].id)
    assert fifth.school_year == "2031-2032"


def test_refused_teacher_applies_again_next_school_year(hub: LocalHub, clock: Clock) -> None:
    """The part of the contract's NQL-EQL story only an injected clock can tell."""
    project = approved_project(hub)
    fr, it = project.founder_ids
    hub.decide_nql("FR", hub.apply_nql(fr, project.id).id, SCORES, PASSING)
    refused = hub.decide_nql("IT", hub.apply_nql(it, project.id).id, SCORES, FAILING)
    assert refused.decision is NqlDecision.REFUSED
    with pytest.raises(RuleViolationError):
        hub.apply_nql(it, project.id)  # same school year
    clock.now += timedelta(days=30)
    second = hub.apply_nql(it, project.id)
    assert second.school_year == "2031-2032"
    hub.decide_nql("IT", second.id, SCORES, PASSING)
    assert [a.id for a in hub.list_nql_applications(project_id=project.id, teacher_id=it)] == [
        refused.id,
        second.id,
    ]
    # NQLs of two school years still make two countries: the rule awarded the EQL with the
    # second one, on the hub's today; the CSS's call finds nothing left to do.
    eql = [
        a
        for a in hub.list_acknowledgements(subject=f"project:{project.id}")
        if a.kind is AcknowledgementKind.EUROPEAN_QUALITY_LABEL
    ]
    assert sorted(a.person_id for a in eql) == sorted([fr, it])
    assert {(a.issued_at, a.evidence["awarded_by"]) for a in eql} == {(clock.now, "rule")}
    with pytest.raises(EqlAlreadyAwardedError):
        hub.award_eql(project.id)


# --- audit entries: exactly one per accepted change, none for a refused one ---------------------


def test_label_decisions_write_one_entry_each(hub: LocalHub, database: Database) -> None:
    project = approved_project(hub)
    fr, it = project.founder_ids
    base = audit_count(database)
    application = hub.apply_nql(fr, project.id)
    # Applying is recorded too (issue 12 item 5: the page's actions are audited), as the teacher's.
    [applied] = audit_rows(database)[base:]
    assert (applied.action, applied.actor) == ("label.nql_applied", f"person:{fr}")
    assert applied.details["project_id"] == str(project.id)
    second = hub.apply_nql(it, project.id)
    base = audit_count(database)

    with acting_as(AuditActor.token(7, "nso_officer")):
        hub.decide_nql("FR", application.id, SCORES, PASSING)
        hub.decide_nql("IT", second.id, SCORES, FAILING)
    granted, refused = audit_rows(database)[base:]
    assert (granted.action, granted.actor) == ("label.nql_granted", "token:7/nso_officer")
    assert granted.subject_kind == "nql_application" and granted.subject_id == str(application.id)
    assert granted.details["nso"] == "FR" and granted.details["total_score"] == "20"
    assert refused.action == "label.nql_refused"

    before = audit_count(database)
    with pytest.raises(RuleViolationError):
        hub.award_eql(project.id)  # one labelled country: refused, nothing recorded
    with pytest.raises(PermissionDeniedError):
        hub.decide_nql("IT", application.id, SCORES, PASSING)
    assert audit_count(database) == before


def test_the_rule_and_the_withdrawal_write_one_entry_each(
    hub: LocalHub, database: Database
) -> None:
    """The EQL by rule is recorded in the NSO decision's transaction, as the rule's, with its
    evidence; the CSS's withdrawal with its reason."""
    project = approved_project(hub)
    fr, it = project.founder_ids
    with acting_as(AuditActor.token(7, "nso_officer")):
        hub.decide_nql("FR", hub.apply_nql(fr, project.id).id, SCORES, PASSING)
    base = audit_count(database)
    with acting_as(AuditActor.token(8, "nso_officer")):
        hub.decide_nql("IT", hub.apply_nql(it, project.id).id, SCORES, PASSING)
    applied, granted, eql = audit_rows(database)[base:]
    assert (applied.action, granted.action) == ("label.nql_applied", "label.nql_granted")
    assert (eql.action, eql.subject_kind, eql.subject_id) == (
        "label.eql_awarded",
        "project",
        str(project.id),
    )
    assert eql.actor == "token:8/nso_officer"  # the decision that completed the rule
    nqls = sorted(
        a.id
        for a in hub.list_acknowledgements(subject=f"project:{project.id}")
        if a.kind is AcknowledgementKind.NATIONAL_QUALITY_LABEL
    )
    assert eql.details == {
        "recipient_ids": ",".join(map(str, sorted([fr, it]))),
        "project_id": str(project.id),
        "awarded_by": "rule",
        "nql_ids": ",".join(map(str, nqls)),
        "nql_countries": "FR,IT",
        "nql_country_names": "France|Italy",
    }

    base = audit_count(database)
    with acting_as(AuditActor.token(9, "css_officer")):
        hub.withdraw_eql(project.id, "Copied from another project")
    (withdrawn,) = audit_rows(database)[base:]
    assert (withdrawn.action, withdrawn.actor) == ("label.eql_withdrawn", "token:9/css_officer")
    assert withdrawn.details == {
        "recipient_ids": ",".join(map(str, sorted([fr, it]))),
        "reason": "Copied from another project",
    }
    with pytest.raises(RuleViolationError):
        hub.withdraw_eql(project.id, "Again")
    assert audit_count(database) == base + 1


def test_certificates_and_revocations_are_recorded(hub: LocalHub, database: Database) -> None:
    t = teacher(hub)
    base = audit_count(database)
    with acting_as(CLI):
        ack = hub.issue_acknowledgement(
            AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event:3", "Certificate"
        )
        hub.revoke_acknowledgement(ack.id, "Issued by mistake")
    issued, revoked = audit_rows(database)[base:]
    assert (issued.action, issued.actor, issued.subject_id) == (
        "acknowledgement.issued",
        "cli",
        str(ack.id),
    )
    assert revoked.action == "acknowledgement.revoked"
    assert revoked.details["reason"] == "Issued by mistake"

    with pytest.raises(RuleViolationError):  # labels only through their procedure
        hub.issue_acknowledgement(
            AcknowledgementKind.NATIONAL_QUALITY_LABEL, t.id, "project:1", "Label"
        )
    assert audit_count(database) == base + 2


def test_role_and_permit_changes_name_the_acting_teacher(hub: LocalHub, database: Database) -> None:
    s = space(hub)
    pupil = s.members[TwinSpaceRole.PUPIL]
    base = audit_count(database)
    hub.change_role(s.admin, s.id, pupil, TwinSpaceRole.PUPIL_ADMINISTRATOR)
    hub.suspend_member(s.admin, s.id, pupil)
    hub.reactivate_member(s.admin, s.id, pupil)
    rows = audit_rows(database)[base:]
    assert [r.action for r in rows] == [
        "twinspace.role_changed",
        "twinspace.member_suspended",
        "twinspace.member_reactivated",
    ]
    assert {r.actor for r in rows} == {f"person:{s.admin}"}
    assert rows[0].details == {
        "person_id": str(pupil),
        "role": "pupil_administrator",
        "status": "active",
    }
    # A pupil's name is never in the log: only ids and roles.
    name = hub.get_person(pupil).display_name
    assert all(name not in str(r.details) for r in audit_rows(database))

    before = audit_count(database)
    with pytest.raises(PermissionDeniedError):  # a plain teacher cannot manage members
        hub.suspend_member(s.members[TwinSpaceRole.TEACHER], s.id, pupil)
    assert audit_count(database) == before


def test_registration_changes_are_recorded(database: Database) -> None:
    store = SqlRegistrationStore(database)
    base = audit_count(database)
    with acting_as(CLI):
        platform = store.add_platform(
            PlatformRegistration(
                issuer="https://lms.example",
                client_id="tool-1",
                name="School LMS",
                auth_login_url="https://lms.example/auth",
                auth_token_url="https://lms.example/token",
                key_set_url="https://lms.example/jwks",
            )
        )
        store.add_deployment(platform.id, "d1", active=False)
        store.activate_deployment(platform.id, "d1")
        policies = SqlRolePolicyStore(database)
        policies.set_override(platform.id, "Learner", "observer")
        policies.clear_override(platform.id, "Learner")
    rows = audit_rows(database)[base:]
    assert [r.action for r in rows] == [
        "registration.platform_added",
        "registration.deployment_added",
        "registration.deployment_activated",
        "registration.role_policy_set",
        "registration.role_policy_cleared",
    ]
    assert all(r.actor == "cli" and r.subject_id == str(platform.id) for r in rows)
    assert rows[0].details["issuer"] == "https://lms.example"

    with pytest.raises(RuleViolationError):  # a duplicate deployment: refused, rolled back
        store.add_deployment(platform.id, "d1", active=True)
    assert audit_count(database) == base + len(rows)


def test_reader_pages_newest_first(hub: LocalHub, database: Database) -> None:
    t = teacher(hub)
    for n in range(3):
        hub.issue_acknowledgement(
            AcknowledgementKind.EVENT_CERTIFICATE, t.id, f"event:{n}", "Certificate"
        )
    page = SqlAuditLog(database).list_entries(offset=0, limit=2)
    assert page.total == audit_count(database)
    assert [e.details["subject"] for e in page.entries] == ["event:2", "event:1"]
    assert page.entries[0].actor == "system"  # no entry point set an actor
    rest = SqlAuditLog(database).list_entries(offset=2, limit=2)
    assert rest.entries[0].details["subject"] == "event:0"


def test_the_project_life_writes_one_entry_per_change(
    hub: LocalHub, database: Database, clock: Clock
) -> None:
    """Issue 12 item 5: plan, extension, a late partner (with their label) and closing."""
    project = approved_project(hub)
    fr, it = project.founder_ids
    partner = teacher(hub, "PL").id
    base = audit_count(database)
    hub.update_project_profile(
        fr, project.id, description="D", subjects=["Art"], languages=["en"], levels=[]
    )
    hub.extend_project(it, project.id, clock.now.date() + timedelta(days=10))
    hub.add_partner(fr, project.id, partner)
    with pytest.raises(PermissionDeniedError):  # refused: nothing recorded
        hub.extend_project(partner, project.id, clock.now.date() + timedelta(days=20))
    hub.close_project(it, project.id)
    rows = audit_rows(database)[base:]
    assert [(r.action, r.actor) for r in rows] == [
        ("project.profile_edited", f"person:{fr}"),
        ("project.extended", f"person:{it}"),
        ("project.partner_added", f"person:{fr}"),
        ("acknowledgement.issued", f"person:{fr}"),
        ("project.closed", f"person:{it}"),
    ]
    assert rows[3].details["kind"] == "etwinning_label"
    assert rows[3].details["person_id"] == str(partner)
