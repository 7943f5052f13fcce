"""The EQL by rule (issue 12 item 6): awarded once NQLs come from two different countries,
withdrawn by the CSS with a reason, never awarded again once withdrawn."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from etwin_lti.domain import acknowledgements as acks
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    Project,
    ProjectScope,
    ProjectStatus,
)
from etwin_lti.errors import DuplicateAcknowledgementError, RuleViolationError
from tests.unit.domain.builders import a_project

NOW = datetime(2030, 10, 1, 9, 30, tzinfo=UTC)
EQL = AcknowledgementKind.EUROPEAN_QUALITY_LABEL
NAMES = {"FR": "France", "IT": "Italy", "PL": "Poland"}


def project(**changes: Any) -> Project:
    changes.setdefault("approved_at", NOW - timedelta(days=290))
    return a_project(NOW - timedelta(days=300), **changes)


def nqls(*holders: tuple[int, str]) -> list[acks.HeldNql]:
    return [acks.HeldNql(100 + pid, pid, country) for pid, country in holders]


def eql(person_id: int, **evidence: str) -> Acknowledgement:
    return Acknowledgement(
        id=200 + person_id,
        kind=EQL,
        person_id=person_id,
        subject="project:7",
        title="European Quality Label: Rivers",
        issued_at=NOW,
        evidence=dict(evidence),
    )


FR_IT = nqls((1, "FR"), (2, "IT"))


def test_two_countries_award_every_holder_with_the_evidence() -> None:
    award = acks.eql_award(project(), FR_IT, [], awarded_by=acks.EQL_BY_RULE, country_names=NAMES)
    assert award.recipient_ids == (1, 2)
    assert award.evidence == {
        "project_id": "7",
        "awarded_by": "rule",
        "nql_ids": "101,102",
        "nql_countries": "FR,IT",
        "nql_country_names": "France|Italy",
    }


def test_a_holder_labelled_later_is_added_alone() -> None:
    later = nqls((1, "FR"), (2, "IT"), (3, "FR"))
    award = acks.eql_by_rule(project(), later, [eql(1), eql(2)])
    assert award is not None and award.recipient_ids == (3,)
    assert award.evidence["nql_countries"] == "FR,IT"


@pytest.mark.parametrize(
    ("p", "held", "given", "error"),
    [
        (project(), nqls((1, "FR"), (3, "FR")), [], acks.EqlNotEarnedError),  # one country
        (project(), nqls((1, "FR")), [], acks.EqlNotEarnedError),
        (project(), [], [], acks.EqlNotEarnedError),
        (project(scope=ProjectScope.NATIONAL), FR_IT, [], acks.NationalProjectError),
        (project(approved_at=None, status=ProjectStatus.PENDING), FR_IT, [], RuleViolationError),
        # closed before approval: never approved, never an EQL
        (project(approved_at=None, status=ProjectStatus.CLOSED), FR_IT, [], RuleViolationError),
        (project(), FR_IT, [eql(1), eql(2)], acks.EqlAlreadyAwardedError),
        (project(), FR_IT, [eql(1, withdrawal_reason="Plagiarism")], acks.EqlWithdrawnError),
    ],
)
def test_refusals(
    p: Project, held: list[acks.HeldNql], given: list[Acknowledgement], error: type[Exception]
) -> None:
    with pytest.raises(error):
        acks.eql_award(p, held, given, awarded_by=acks.EQL_BY_CSS)
    assert acks.eql_by_rule(p, held, given) is None  # the rule quietly does nothing


def test_already_awarded_is_a_409_duplicate() -> None:
    error = acks.EqlAlreadyAwardedError()
    assert isinstance(error, DuplicateAcknowledgementError) and error.status_code == 409
    assert error.error == "eql_already_awarded" and "rule" in error.description


def test_a_closed_project_that_was_approved_keeps_the_rule() -> None:
    closed = project(status=ProjectStatus.CLOSED, closed_at=NOW)
    assert acks.eql_by_rule(closed, FR_IT, []) is not None


def test_a_revoked_eql_still_holds_its_holders_slot() -> None:
    """One person's EQL revoked by the generic call is no withdrawal: no re-issue for them
    (at most once per person), the other holders keep theirs."""
    revoked = replace(eql(1, revocation_reason="Wrong person"), revoked_at=NOW)
    with pytest.raises(acks.EqlAlreadyAwardedError):
        acks.eql_award(project(), FR_IT, [revoked, eql(2)], awarded_by=acks.EQL_BY_CSS)


def test_withdrawal_takes_every_held_eql_once() -> None:
    held = [eql(1), eql(2), replace(eql(3), revoked_at=NOW)]
    assert [a.person_id for a in acks.check_eql_withdrawal(held)] == [1, 2]
    with pytest.raises(acks.EqlNotHeldError):
        acks.check_eql_withdrawal([])
    with pytest.raises(acks.EqlWithdrawnError):
        acks.check_eql_withdrawal([eql(1, withdrawal_reason="Plagiarism")])


def test_status_says_when_and_why() -> None:
    award = acks.eql_award(project(), FR_IT, [], awarded_by=acks.EQL_BY_RULE, country_names=NAMES)
    given = [eql(1, **award.evidence), replace(eql(2, **award.evidence), id=300)]
    status = acks.eql_status(given)
    assert status == acks.EqlStatus(
        awarded_on=NOW.date(),
        awarded_by="rule",
        country_codes=("FR", "IT"),
        country_names=("France", "Italy"),
    )
    later = NOW + timedelta(days=3)
    withdrawn = [
        replace(a, revoked_at=later, evidence={**a.evidence, "withdrawal_reason": "Copied work"})
        for a in given
    ]
    status = acks.eql_status(withdrawn)
    assert status is not None
    assert (status.withdrawn_on, status.withdrawal_reason) == (later.date(), "Copied work")


def test_status_of_no_eql() -> None:
    assert acks.eql_status([]) is None
    one_by_one = [replace(eql(1), revoked_at=NOW)]  # revoked, not withdrawn
    assert acks.eql_status(one_by_one) is None
    # Recorded without names (the CSS's award of an older hub): the codes are shown.
    status = acks.eql_status([eql(1, nql_countries="FR,IT")])
    assert status is not None and status.country_names == ("FR", "IT")
    assert status.awarded_by == "css"
