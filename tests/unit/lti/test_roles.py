from __future__ import annotations

import pytest

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.errors import InvalidInputError
from etwin_lti.lti import claims as c
from etwin_lti.lti.errors import MissingResourceError, UnmappedRoleError
from etwin_lti.lti.resources import parse_resource, resource_from_custom
from etwin_lti.lti.roles import Role, RolePolicy, normalise, validate_override

CTX, SUB, INST, SYS = c.ROLE_CONTEXT, c.ROLE_CONTEXT_SUB, c.ROLE_INSTITUTION, c.ROLE_SYSTEM


@pytest.mark.parametrize(
    ("uri", "role"),
    [
        (CTX + "Instructor", Role("context", "Instructor")),
        (SUB + "Instructor#TeachingAssistant", Role("context", "Instructor", "TeachingAssistant")),
        (INST + "Administrator", Role("institution", "Administrator")),
        (SYS + "Administrator", Role("system", "Administrator")),
        ("Learner", Role("context", "Learner")),
        ("urn:lti:role:ims/lis/Instructor", Role("context", "Instructor")),
        (
            "urn:lti:role:ims/lis/Instructor/TeachingAssistant",
            Role("context", "Instructor", "TeachingAssistant"),
        ),
        ("urn:lti:instrole:ims/lis/Administrator", Role("institution", "Administrator")),
        ("http://example.com/custom#Thing", None),
        (CTX, None),
    ],
)
def test_roles_are_normalised(uri: str, role: Role | None) -> None:
    assert normalise(uri) == role


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([CTX + "Instructor"], TwinSpaceRole.TEACHER),
        ([SUB + "Instructor#Lecturer"], TwinSpaceRole.TEACHER),  # sub-roles inherit
        ([CTX + "Learner"], TwinSpaceRole.PUPIL),
        ([SUB + "Instructor#TeachingAssistant"], TwinSpaceRole.TEACHER),
        ([CTX + "ContentDeveloper"], TwinSpaceRole.TEACHER),
        ([CTX + "Mentor"], TwinSpaceRole.GUEST),
        ([CTX + "Mentor", CTX + "Learner"], TwinSpaceRole.PUPIL),
        ([CTX + "Learner", CTX + "Instructor"], TwinSpaceRole.TEACHER),
        (["Instructor"], TwinSpaceRole.TEACHER),
        ([CTX + "Instructor", INST + "Administrator"], TwinSpaceRole.TEACHER),
    ],
)
def test_the_default_policy_follows_the_design_table(
    roles: list[str], expected: TwinSpaceRole
) -> None:
    assert RolePolicy().decide(roles).twinspace_role is expected


def test_an_administrator_only_is_tool_admin_without_membership() -> None:
    decision = RolePolicy().decide([INST + "Administrator", SYS + "Administrator"])
    assert decision.is_tool_admin
    assert decision.twinspace_role is None
    assert decision.role_for(ResourceKind.TWINSPACE) == "admin"


@pytest.mark.parametrize(
    "roles", [[], [CTX + "Member"], ["http://example.com/x#Y"], [INST + "Student"]]
)
def test_no_or_unknown_roles_are_refused(roles: list[str]) -> None:
    with pytest.raises(UnmappedRoleError) as raised:
        RolePolicy().decide(roles)
    assert raised.value.status_code == 403


@pytest.mark.parametrize(
    ("role", "kind", "shown"),
    [
        (CTX + "Instructor", ResourceKind.EVENT, "teacher"),  # the expert is the hub's
        (CTX + "Learner", ResourceKind.EVENT, "participant"),
        (CTX + "Instructor", ResourceKind.UNIT, "trainer"),
        (CTX + "Learner", ResourceKind.UNIT, "trainee"),
        (CTX + "Mentor", ResourceKind.UNIT, "guest"),
        (CTX + "Learner", ResourceKind.TWINSPACE, "pupil"),
    ],
)
def test_events_and_units_have_their_own_role_names(
    role: str, kind: ResourceKind, shown: str
) -> None:
    assert RolePolicy().decide([role]).role_for(kind) == shown


def test_overrides_change_one_entry_and_none_refuses() -> None:
    policy = RolePolicy.with_overrides({"Mentor": "none", "Instructor#Lecturer": "observer"})
    with pytest.raises(UnmappedRoleError):
        policy.decide([CTX + "Mentor"])
    assert policy.decide([SUB + "Instructor#Lecturer"]).twinspace_role is TwinSpaceRole.OBSERVER
    assert policy.decide([CTX + "Instructor"]).twinspace_role is TwinSpaceRole.TEACHER


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, TwinSpaceRole.TEACHER),
        ({"TeachingAssistant": "observer"}, TwinSpaceRole.OBSERVER),
        ({"Instructor#TeachingAssistant": "expert"}, TwinSpaceRole.EXPERT),
    ],
    ids=["default", "plain-role-edited", "sub-role-edited"],
)
def test_a_non_editing_teacher_gets_one_role_from_launch_and_roster(
    overrides: dict[str, str], expected: TwinSpaceRole
) -> None:
    """Moodle launches a non-editing teacher as Instructor#TeachingAssistant and lists them in
    the roster as TeachingAssistant: both spellings must map the same way."""
    policy = RolePolicy.with_overrides(overrides)
    launch = policy.decide([SUB + "Instructor#TeachingAssistant"]).twinspace_role
    roster = policy.decide([CTX + "TeachingAssistant"]).twinspace_role
    if "Instructor#TeachingAssistant" in overrides:
        assert launch is expected  # an explicit sub-role entry is the administrator's choice
    else:
        assert launch is roster is expected


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("Instructor", "teacher_administrator", "twinspace_role"),
        ("Learner", "pupil_administrator", "twinspace_role"),
        ("Instructor", "king", "twinspace_role"),
        ("not a role!", "teacher", "lti_role"),
    ],
)
def test_policy_edits_cannot_grant_administrator_roles(key: str, value: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        validate_override(key, value)
    assert field in raised.value.errors


def test_policy_edits_accept_full_uris() -> None:
    assert validate_override(SUB + "Instructor#Lecturer", "Observer") == (
        "Instructor#Lecturer",
        "observer",
    )


@pytest.mark.parametrize(
    ("value", "resource"),
    [
        ("twinspace:12", Resource(ResourceKind.TWINSPACE, 12)),
        ("event:3", Resource(ResourceKind.EVENT, 3)),
        (" Unit:7 ", Resource(ResourceKind.UNIT, 7)),
    ],
)
def test_resources_are_parsed(value: str, resource: Resource) -> None:
    assert parse_resource(value) == resource


@pytest.mark.parametrize(
    "value", ["twinspace:", "project:1", "unit:0", "event:-1", "unit:1:2", "x" * 300]
)
def test_bad_resources_are_refused(value: str) -> None:
    with pytest.raises(MissingResourceError):
        parse_resource(value)


def test_a_launch_without_resource_is_refused() -> None:
    with pytest.raises(MissingResourceError):
        resource_from_custom({})
