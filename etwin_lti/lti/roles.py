"""LTI roles → the role a person gets in eTwinning, as a per-platform policy.

Role vocabularies: LTI Core 1.3 appendix A.2
(https://www.imsglobal.org/spec/lti/v1p3/#role-vocabularies): context roles
(``membership#Instructor``), context sub-roles (``membership/Instructor#TeachingAssistant``),
institution and system roles (``institution/person#Administrator``). Platforms still send the
deprecated short forms (``Instructor``) and LTI 1.1 URNs (``urn:lti:role:ims/lis/Learner``); all
are normalised here.

The policy is DESIGN.md's "Role mapping" table; an administrator may change it per platform
(``etwin-lti platform roles``). Founder, co-founder and pupil administrator are never taken from
the LMS, so a policy cannot map to them. Roles are re-evaluated at every launch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from etwin_lti.domain.audiences import shown_role
from etwin_lti.domain.launches import ResourceKind
from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.errors import InvalidInputError
from etwin_lti.lti import claims as c
from etwin_lti.lti.errors import UnmappedRoleError

CONTEXT, INSTITUTION, SYSTEM = "context", "institution", "system"
REFUSE = "none"  # a policy value: this LTI role gives no access

DEFAULT_POLICY: Mapping[str, str] = {
    "Instructor": TwinSpaceRole.TEACHER.value,
    "Learner": TwinSpaceRole.PUPIL.value,
    "TeachingAssistant": TwinSpaceRole.TEACHER.value,
    "ContentDeveloper": TwinSpaceRole.TEACHER.value,
    "Mentor": TwinSpaceRole.GUEST.value,  # read-only, never into pupil spaces
}

# What a policy may grant (DESIGN.md: administrator roles are granted inside the tool only).
GRANTABLE = frozenset(
    {
        TwinSpaceRole.TEACHER.value,
        TwinSpaceRole.EXPERT.value,
        TwinSpaceRole.OBSERVER.value,
        TwinSpaceRole.PUPIL.value,
        TwinSpaceRole.GUEST.value,
        REFUSE,
    }
)
# When a person holds several course roles, the most capable mapped one wins.
_RANK = (
    TwinSpaceRole.TEACHER,
    TwinSpaceRole.EXPERT,
    TwinSpaceRole.OBSERVER,
    TwinSpaceRole.PUPIL,
    TwinSpaceRole.GUEST,
)
# LIS context roles (LTI Core 1.3, A.2.3), for sub-roles named after one of them.
_CONTEXT_ROLES = frozenset(
    {
        "Administrator",
        "ContentDeveloper",
        "Instructor",
        "Learner",
        "Mentor",
        "Manager",
        "Member",
        "Officer",
        "TeachingAssistant",
    }
)
_POLICY_KEY = re.compile(r"^[A-Za-z]{1,50}(#[A-Za-z]{1,50})?$")
_V1_PREFIXES = {
    "urn:lti:role:ims/lis/": CONTEXT,
    "urn:lti:instrole:ims/lis/": INSTITUTION,
    "urn:lti:sysrole:ims/lis/": SYSTEM,
}


@dataclass(frozen=True)
class Role:
    """One normalised LTI role: ``scope`` context/institution/system, ``name``, optional ``sub``."""

    scope: str
    name: str
    sub: str | None = None

    @property
    def key(self) -> str:
        return f"{self.name}#{self.sub}" if self.sub else self.name


def normalise(uri: str) -> Role | None:
    """Parse one role URI or short form; None for vocabularies we do not know."""
    uri = uri.strip()
    if uri.startswith(c.ROLE_CONTEXT_SUB):
        parent, _, sub = uri[len(c.ROLE_CONTEXT_SUB) :].partition("#")
        return Role(CONTEXT, parent, sub or None) if parent else None
    for prefix, scope in (
        (c.ROLE_CONTEXT, CONTEXT),
        (c.ROLE_INSTITUTION, INSTITUTION),
        (c.ROLE_SYSTEM, SYSTEM),
        (c.ROLE_SYSTEM_LTI, SYSTEM),
    ):
        if uri.startswith(prefix):
            name = uri[len(prefix) :]
            return Role(scope, name) if name else None
    for prefix, scope in _V1_PREFIXES.items():
        if uri.startswith(prefix):
            name, _, sub = uri[len(prefix) :].partition("/")
            return Role(scope, name, sub or None) if name else None
    if re.fullmatch(r"[A-Za-z]+", uri):
        return Role(CONTEXT, uri)  # deprecated short form: a context role
    return None


@dataclass(frozen=True)
class RoleDecision:
    """What the LTI roles grant: a TwinSpace role (or none) and tool administration."""

    twinspace_role: TwinSpaceRole | None
    is_tool_admin: bool
    lti_roles: tuple[str, ...] = ()

    def role_for(self, kind: ResourceKind | None) -> str:
        """The role shown as ``data-etwin-role`` for this kind of resource."""
        return shown_role(self.twinspace_role, kind)


@dataclass(frozen=True)
class RolePolicy:
    """DESIGN.md's table plus a platform's overrides (``{"Mentor": "none"}``...)."""

    mapping: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_POLICY))

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, str]) -> RolePolicy:
        merged = dict(DEFAULT_POLICY)
        merged.update(overrides)
        return cls(merged)

    def grant_for(self, role: Role) -> TwinSpaceRole | None:
        """Exact ``Parent#Sub`` entry first, then a sub-role that is also a context role of
        its own (``Instructor#TeachingAssistant`` is ``TeachingAssistant``), else the parent
        role (sub-roles inherit). Moodle launches a non-editing teacher with the sub-role and
        lists them in the roster with the plain role: both must get the same outcome."""
        if role.scope != CONTEXT:
            return None
        value = self.mapping.get(role.key)
        if value is None and role.sub and role.sub in _CONTEXT_ROLES:
            value = self.mapping.get(role.sub)
        if value is None and role.sub:
            value = self.mapping.get(role.name)
        if value is None or value == REFUSE:
            return None
        return TwinSpaceRole(value)

    def decide(self, lti_roles: Iterable[str]) -> RoleDecision:
        """Refuses (``UnmappedRoleError``) when no role maps and the person is no administrator."""
        roles = tuple(lti_roles)
        normalised = [r for r in (normalise(uri) for uri in roles) if r is not None]
        granted = {g for g in (self.grant_for(r) for r in normalised) if g is not None}
        is_admin = any(
            r.scope in (INSTITUTION, SYSTEM) and r.name == "Administrator" for r in normalised
        )
        best = next((r for r in _RANK if r in granted), None)
        if best is None and not is_admin:
            raise UnmappedRoleError()
        return RoleDecision(twinspace_role=best, is_tool_admin=is_admin, lti_roles=roles)


def validate_override(lti_role: str, value: str) -> tuple[str, str]:
    """Check one ``LTI_ROLE=TWINSPACE_ROLE`` edit; returns the normalised pair."""
    key = lti_role.strip()
    role = normalise(key) if "/" in key or ":" in key else None
    if role is not None:
        key = role.key
    value = value.strip().lower()
    errors: dict[str, list[str]] = {}
    if not _POLICY_KEY.match(key):
        errors["lti_role"] = ["must be a context role like Instructor or Instructor#Lecturer"]
    if value not in GRANTABLE:
        errors["twinspace_role"] = ["must be one of " + ", ".join(sorted(GRANTABLE))]
    if errors:
        raise InvalidInputError(errors=errors)
    return key, value
