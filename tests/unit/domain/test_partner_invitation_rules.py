"""The rules of partner invitations (``etwin_lti.domain.partner_invitations``): one row per
rule, pure functions, no hub."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from etwin_lti.domain.model import (
    Country,
    Member,
    MemberStatus,
    Person,
    PersonKind,
    Project,
    ProjectStatus,
    RoleSource,
    TwinSpaceRole,
)
from etwin_lti.domain.partner_invitations import (
    AlreadyInvitedError,
    NotAProjectInviterError,
    NotYourPartnerInvitationError,
    PartnerInvitation,
    PartnerInvitationAnsweredError,
    PartnerInvitationState,
    ProjectNotOpenError,
    answered,
    check_can_answer,
    check_can_withdraw,
    check_invitee,
    check_inviter,
)
from etwin_lti.domain.people import CountryRequiredError, clean_teacher_search
from etwin_lti.domain.projects import ProjectClosedError
from etwin_lti.errors import InvalidInputError, RuleViolationError
from tests.unit.domain.builders import a_project

NOW = datetime(2026, 12, 4, tzinfo=UTC)
PROJECT = a_project(NOW)
COUNTRIES = {
    "PL": Country("PL", "Poland", "FRSE", "erasmus_plus"),
    "CH": Country("CH", "Switzerland", "-", "erasmus_plus", eligible=False),
}
TEACHER = Person(10, "Ola", PersonKind.TEACHER, country_code="PL")
INVITATION = PartnerInvitation(5, 7, 1, 10, NOW)


def member(role: TwinSpaceRole, status: MemberStatus = MemberStatus.ACTIVE) -> Member:
    return Member(9, 1, "Camille", role, status, RoleSource.PROJECT, False)


ADMIN = member(TwinSpaceRole.TEACHER_ADMINISTRATOR)


@pytest.mark.parametrize(
    ("project", "actor", "error"),
    [
        (replace(PROJECT, status=ProjectStatus.CLOSED), ADMIN, ProjectClosedError),
        (replace(PROJECT, status=ProjectStatus.PENDING), ADMIN, ProjectNotOpenError),
        (replace(PROJECT, twinspace_id=None), ADMIN, ProjectNotOpenError),
        (PROJECT, None, NotAProjectInviterError),
        (PROJECT, member(TwinSpaceRole.TEACHER), NotAProjectInviterError),
        (PROJECT, member(TwinSpaceRole.PUPIL_ADMINISTRATOR), NotAProjectInviterError),
        (
            PROJECT,
            member(TwinSpaceRole.TEACHER_ADMINISTRATOR, MemberStatus.SUSPENDED),
            NotAProjectInviterError,
        ),
    ],
)
def test_who_invites(project: Project, actor: Member | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_inviter(project, actor)


def test_an_active_teacher_administrator_of_an_open_project_invites() -> None:
    check_inviter(PROJECT, ADMIN)


@pytest.mark.parametrize(
    ("invitee", "pending", "error"),
    [
        (replace(TEACHER, kind=PersonKind.PUPIL), False, RuleViolationError),
        (replace(TEACHER, kind=PersonKind.EXPERT), False, RuleViolationError),
        (replace(TEACHER, country_code=None), False, CountryRequiredError),
        (replace(TEACHER, country_code="CH"), False, InvalidInputError),
        (replace(TEACHER, id=1), False, RuleViolationError),  # the inviter
        (replace(TEACHER, id=2), False, RuleViolationError),  # the co-founder
        (replace(TEACHER, id=3), False, RuleViolationError),  # a partner
        (TEACHER, True, AlreadyInvitedError),
    ],
)
def test_whom_one_invites(invitee: Person, pending: bool, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_invitee(COUNTRIES, PROJECT, 1, invitee, pending)


def test_an_eligible_teacher_not_yet_invited_is_invited() -> None:
    check_invitee(COUNTRIES, PROJECT, 1, TEACHER, False)


@pytest.mark.parametrize(
    ("invitation", "person", "project", "error"),
    [
        (INVITATION, 11, PROJECT, NotYourPartnerInvitationError),
        (INVITATION, 1, PROJECT, NotYourPartnerInvitationError),  # the inviter
        (
            replace(INVITATION, state=PartnerInvitationState.ACCEPTED),
            10,
            PROJECT,
            PartnerInvitationAnsweredError,
        ),
        (
            replace(INVITATION, state=PartnerInvitationState.WITHDRAWN),
            10,
            PROJECT,
            PartnerInvitationAnsweredError,
        ),
        (INVITATION, 10, replace(PROJECT, status=ProjectStatus.CLOSED), ProjectClosedError),
    ],
)
def test_who_answers_and_when(
    invitation: PartnerInvitation, person: int, project: Project, error: type[Exception]
) -> None:
    with pytest.raises(error):
        check_can_answer(invitation, person, project)


def test_the_invitee_answers_a_pending_invitation() -> None:
    check_can_answer(INVITATION, 10, PROJECT)
    assert answered(True) is PartnerInvitationState.ACCEPTED
    assert answered(False) is PartnerInvitationState.DECLINED


@pytest.mark.parametrize(
    ("invitation", "actor", "error"),
    [
        (INVITATION, member(TwinSpaceRole.TEACHER), NotAProjectInviterError),
        (INVITATION, None, NotAProjectInviterError),
        (
            replace(INVITATION, state=PartnerInvitationState.DECLINED),
            ADMIN,
            PartnerInvitationAnsweredError,
        ),
    ],
)
def test_who_withdraws_and_when(
    invitation: PartnerInvitation, actor: Member | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        check_can_withdraw(invitation, actor)
    check_can_withdraw(INVITATION, ADMIN)


@pytest.mark.parametrize(
    ("name", "limit", "field"),
    [
        ("", 20, "name"),
        ("ab", 20, "name"),
        ("a" * 101, 20, "name"),
        ("abc", 0, "limit"),
        ("abc", 21, "limit"),
        ("abc", True, "limit"),
    ],
)
def test_teacher_search_bounds(name: str, limit: Any, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        clean_teacher_search(name, limit)
    assert field in caught.value.errors


def test_teacher_search_collapses_spaces() -> None:
    assert clean_teacher_search("  Anna \t Maria ", 5) == ("Anna Maria", 5)
