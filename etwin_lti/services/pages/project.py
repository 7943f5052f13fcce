"""The project page of a TwinSpace (issue 12 item 5): the project's life, run from the LMS.

``/embed/twinspace/<id>/project`` shows the project's plan (description, subjects, working
languages, levels), its dates and status to everyone the TwinSpace page lets in, and offers:

- to the founder and co-founder: edit the plan, extend the project, close it (archived
  read-only, as ``ProjectsHub.close_project`` does);
- to teacher administrators (founders and co-founders are): grant and withdraw visitor permits
  (parents: the LMS's Mentors) and expert permits, through ``services.visitor_permits``;
- to each teacher of the project (founders and partners): apply for the National Quality Label
  (the hub assembles the evidence from the TwinSpace) and download their eTwinning label.

The project is always the launched TwinSpace's, read from the hub, never named by a form. A
person a permit form names must be one the page offered: a visitor or expert the tool knows on
this LMS (``LmsPeople``: people who launched, or whom a roster sync recorded, from this
platform's issuer), or a current permit holder of this TwinSpace. Everything else is 404.

Cost: offering permits lists the issuer's known people (one query) and reads the name of each
visitor and expert among them (a hub call each): a handful per school; only teacher
administrators' views pay it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from etwin_lti.domain import twinspaces
from etwin_lti.domain.acknowledgements import project_subject
from etwin_lti.domain.identities import IdentityStore
from etwin_lti.domain.languages import ISO_639_1
from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import (
    AcknowledgementKind,
    EducationalLevel,
    Member,
    MemberStatus,
    PersonKind,
    Project,
    ProjectScope,
    ProjectStatus,
    TwinSpace,
    TwinSpaceRole,
    TwinSpaceStatus,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.ports.registrations import RegistrationStore
from etwin_lti.domain.projects import check_project_founder, project_teacher_ids
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.domain.validation import DESCRIPTION_MAX, FieldErrors
from etwin_lti.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from etwin_lti.services import visitor_permits
from etwin_lti.services.pages.acknowledgements import AcknowledgementLine, AcknowledgementLinks
from etwin_lti.services.pages.common import (
    NotYourResourceError,
    form_id,
    label,
    launched_for,
    require_person,
)
from etwin_lti.services.pages.partner_invitations import PartnerInvitationPages, PartnerOffer

LEVEL_LABELS: Mapping[EducationalLevel, str] = {
    EducationalLevel.EARLY_CHILDHOOD: N_("Early childhood (up to 6)"),
    EducationalLevel.PRIMARY: N_("Primary (7–11)"),
    EducationalLevel.LOWER_SECONDARY: N_("Lower secondary (12–15)"),
    EducationalLevel.UPPER_SECONDARY: N_("Upper secondary (16–19)"),
    EducationalLevel.INITIAL_VET: N_("Initial vocational education and training"),
}
# A form's list field: separated by commas or new lines (codes also by spaces).
_LIST_FIELD_MAX = 20_000  # far above any valid plan; the hub's rules give the real messages

MESSAGES = {
    "plan_saved": N_("The project's plan was saved."),
    "project_extended": N_("The project was extended: its new end date is shown below."),
    "project_closed": N_("The project was closed: its TwinSpace is now archived, read-only."),
    "nql_applied": N_("Your application for the National Quality Label was sent to your NSO."),
    "visitor_granted": N_("The visitor permit was granted."),
    "visitor_withdrawn": N_("The visitor permit was withdrawn."),
    "expert_granted": N_("The expert permit was granted."),
    "expert_withdrawn": N_("The expert permit was withdrawn."),
}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    checked: bool = False


@dataclass(frozen=True)
class PermitLine:
    person_id: int
    name: str
    permit: str  # "visitor" or "expert"
    active: bool


@dataclass(frozen=True)
class NqlLine:
    school_year: str
    decision: str
    evidence: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ProjectPageView:
    twinspace: TwinSpace
    project: Project
    role: str  # data-etwin-role
    archived: bool
    status_label: str
    languages: tuple[Choice, ...]  # the project's, with their names
    levels: tuple[Choice, ...]  # every level, checked where the project works
    subjects_text: str  # the form's values
    languages_text: str
    may_lead: bool  # founder or co-founder of an open project: edit, extend, close
    may_permit: bool  # an active teacher administrator of an open TwinSpace
    visitors_allowed: bool  # no pupils in the TwinSpace
    permits: tuple[PermitLine, ...]
    visitor_candidates: tuple[Choice, ...]
    expert_candidates: tuple[Choice, ...]
    may_invite: bool  # a teacher administrator of an approved, open project
    partners: PartnerOffer | None  # whom to invite, and the invitations with their state
    is_project_teacher: bool
    may_apply_nql: bool
    nql_note: str | None  # why not, in a teacher's words
    nql_applications: tuple[NqlLine, ...]
    evidence_preview: tuple[tuple[str, str], ...]
    label: AcknowledgementLine | None
    notice: str | None


class LmsPeople:
    """The people the tool knows on the launch's LMS (its issuer), by kind: whom a permit form
    may name. Composed from the identity and registration ports."""

    def __init__(self, identities: IdentityStore, registrations: RegistrationStore) -> None:
        self._identities = identities
        self._registrations = registrations

    def of_kinds(self, session: LaunchSession, kinds: frozenset[PersonKind]) -> list[int]:
        issuer = self._registrations.get_platform(session.platform_id).issuer
        known = self._identities.known(issuer).values()
        return sorted({p.person_id for p in known if p.kind in kinds})


_PERMIT_ROLES = {TwinSpaceRole.GUEST: "visitor", TwinSpaceRole.EXPERT: "expert"}
_VISITOR_KINDS = frozenset({PersonKind.GUEST})
_EXPERT_KINDS = frozenset({PersonKind.EXPERT})


@dataclass(frozen=True)
class _Context:
    snapshot: TwinSpaceSnapshot
    viewer: Member | None

    @property
    def project(self) -> Project:
        return self.snapshot.project

    @property
    def twinspace(self) -> TwinSpace:
        return self.snapshot.twinspace


class ProjectPages:
    def __init__(
        self,
        hub: HubPort,
        links: AcknowledgementLinks,
        people: LmsPeople,
        invitations: PartnerInvitationPages | None = None,
    ) -> None:
        self.hub = hub
        self.links = links
        self.people = people
        self.invitations = invitations or PartnerInvitationPages(hub)

    # --- reading -----------------------------------------------------------------------------
    def _context(self, session: LaunchSession, twinspace_id: int) -> _Context:
        snap = self.hub.twinspace_snapshot(twinspace_id, viewer_id=session.person_id)
        if not launched_for(session, "twinspace", twinspace_id) and not twinspaces.is_active(
            snap.viewer
        ):
            raise NotYourResourceError()
        return _Context(snap, snap.viewer)

    def view(self, session: LaunchSession, twinspace_id: int, query: str = "") -> ProjectPageView:
        """``query``: the partner search's text (the page's ``q``), for teacher administrators."""
        ctx = self._context(session, twinspace_id)
        project, space, me = ctx.project, ctx.twinspace, session.person_id
        active = twinspaces.is_active(ctx.viewer)
        archived = space.status is TwinSpaceStatus.ARCHIVED
        open_project = project.status is not ProjectStatus.CLOSED and not archived
        may_permit = open_project and self._is_admin(ctx)
        may_invite = may_permit and project.status is ProjectStatus.APPROVED
        is_teacher = me is not None and me in project_teacher_ids(project)
        # The project page is opened by its founders, not at every launch: reading the member
        # list here does not weigh on the TwinSpace page (ADR 0016).
        members = self.hub.list_members(space.id) if may_permit else []
        permits = self._permits(members) if may_permit else ()
        holders = {p.person_id for p in permits}
        return ProjectPageView(
            twinspace=space,
            project=project,
            role=ctx.viewer.role.value if active and ctx.viewer else session.role,
            archived=archived,
            status_label=label(project.status.value),
            languages=tuple(Choice(c, ISO_639_1.get(c, c)) for c in project.languages),
            levels=tuple(
                Choice(level.value, LEVEL_LABELS[level], level in project.levels)
                for level in EducationalLevel
            ),
            subjects_text="\n".join(project.subjects),
            languages_text=", ".join(project.languages),
            may_lead=open_project and me is not None and me in project.founder_ids,
            may_permit=may_permit,
            visitors_allowed=not space.has_pupils,
            permits=permits,
            visitor_candidates=(
                self._candidates(session, _VISITOR_KINDS, holders)
                if may_permit and not space.has_pupils
                else ()
            ),
            expert_candidates=(
                self._candidates(session, _EXPERT_KINDS, holders) if may_permit else ()
            ),
            may_invite=may_invite,
            partners=(
                self.invitations.offer(project, members, me, query)
                if may_invite and me is not None
                else None
            ),
            is_project_teacher=is_teacher,
            may_apply_nql=is_teacher and _nql_note(project) is None,
            nql_note=_nql_note(project) if is_teacher else None,
            nql_applications=self._applications(project, me) if is_teacher else (),
            evidence_preview=_preview(ctx.snapshot),
            label=self._label(project, me) if is_teacher else None,
            notice=_notice(project, archived, is_teacher, session),
        )

    def _is_admin(self, ctx: _Context) -> bool:
        viewer = ctx.viewer
        return (
            viewer is not None
            and viewer.status is MemberStatus.ACTIVE
            and viewer.role is TwinSpaceRole.TEACHER_ADMINISTRATOR
        )

    def _permits(self, members: Sequence[Member]) -> tuple[PermitLine, ...]:
        return tuple(
            PermitLine(m.person_id, m.display_name, _PERMIT_ROLES[m.role], _active(m))
            for m in members
            if m.role in _PERMIT_ROLES and not m.is_founder
        )

    def _candidates(
        self, session: LaunchSession, kinds: frozenset[PersonKind], holders: set[int]
    ) -> tuple[Choice, ...]:
        ids = [p for p in self.people.of_kinds(session, kinds) if p not in holders]
        names = [(self.hub.get_person(p).display_name, p) for p in ids]
        return tuple(Choice(str(p), name) for name, p in sorted(names, key=_by_name))

    def _applications(self, project: Project, me: int | None) -> tuple[NqlLine, ...]:
        return tuple(
            NqlLine(a.school_year, label(a.decision.value), tuple(sorted(a.evidence.items())))
            for a in self.hub.list_nql_applications(project_id=project.id, teacher_id=me)
        )

    def _label(self, project: Project, me: int | None) -> AcknowledgementLine | None:
        held = [
            a
            for a in self.hub.list_acknowledgements(
                person_id=me, subject=project_subject(project.id)
            )
            if a.kind is AcknowledgementKind.ETWINNING_LABEL and a.revoked_at is None
        ]
        return self.links.line(held[0]) if held else None

    # --- writing (each returns a MESSAGES key) -----------------------------------------------
    def act(
        self,
        session: LaunchSession,
        twinspace_id: int,
        action: str,
        form: Mapping[str, str],
        levels: Sequence[str] = (),
    ) -> str:
        handler = _ACTIONS.get(action)
        if handler is None:
            raise NotFoundError(N_("There is no such action on a project page."))
        ctx = self._context(session, twinspace_id)
        return handler(self, ctx, require_person(session), form, levels)

    def _plan(
        self, ctx: _Context, actor: int, form: Mapping[str, str], levels: Sequence[str]
    ) -> str:
        check_project_founder(ctx.project, actor)  # before reading the form: 403, not 422
        errors = FieldErrors()
        description = errors.text(
            "description", form.get("description", ""), max_length=DESCRIPTION_MAX, required=False
        )
        subjects = _split(errors, "subjects", form.get("subjects", ""), spaces=False)
        languages = _split(errors, "languages", form.get("languages", ""), spaces=True)
        chosen = [_LEVELS.get(v) for v in levels]
        if None in chosen:
            errors.add("levels", "Choose levels among the ones listed.")
        errors.raise_if_any()
        self.hub.update_project_profile(
            actor,
            ctx.project.id,
            description=description,
            subjects=subjects,
            languages=languages,
            levels=[level for level in chosen if level is not None],
        )
        return "plan_saved"

    def _extend(self, ctx: _Context, actor: int, form: Mapping[str, str], _l: object) -> str:
        check_project_founder(ctx.project, actor)
        raw = (form.get("ends_on") or "").strip()
        try:
            ends_on = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInputError(
                errors={"ends_on": [N_("Give the new end date as a date (YYYY-MM-DD).")]}
            ) from None
        self.hub.extend_project(actor, ctx.project.id, ends_on)
        return "project_extended"

    def _close(self, ctx: _Context, actor: int, form: Mapping[str, str], _l: object) -> str:
        check_project_founder(ctx.project, actor)
        if form.get("confirm") != "yes":
            raise InvalidInputError(
                errors={"confirm": [N_("Tick the box to confirm: closing cannot be undone.")]}
            )
        self.hub.close_project(actor, ctx.project.id)
        return "project_closed"

    def _nql(self, ctx: _Context, actor: int, _f: Mapping[str, str], _l: object) -> str:
        self.hub.apply_nql(actor, ctx.project.id)
        return "nql_applied"

    # --- permits -------------------------------------------------------------------------------
    def permit(self, session: LaunchSession, twinspace_id: int, person: str, action: str) -> str:
        """grant-visitor, withdraw-visitor, grant-expert, withdraw-expert for one person the
        page offered (see the module docstring); ``person`` is the form's value."""
        call = _PERMIT_ACTIONS.get(action)
        if call is None:
            raise NotFoundError(N_("There is no such permit action."))
        ctx = self._context(session, twinspace_id)
        actor = require_person(session)
        if not self._is_admin(ctx):  # who may, before what they sent
            raise PermissionDeniedError(
                "Only a teacher administrator of this TwinSpace grants or withdraws permits."
            )
        person_id = _person_id(person)
        permit, grant, code = call
        holders = {p.person_id: p for p in self._permits(self.hub.list_members(ctx.twinspace.id))}
        holder = holders.get(person_id)
        offered = (holder is not None and holder.permit == permit) or (
            grant
            and holder is None
            and person_id
            in self.people.of_kinds(
                session, _VISITOR_KINDS if permit == "visitor" else _EXPERT_KINDS
            )
        )
        if not offered:
            raise NotFoundError(N_("This person is not someone this page offers a permit for."))
        operation = _OPERATIONS[(permit, grant)]
        operation(self.hub, actor, ctx.twinspace.id, person_id)
        return code

    # --- partner invitations (services.pages.partner_invitations) ------------------------------
    def partner(
        self, session: LaunchSession, twinspace_id: int, action: str, form: Mapping[str, str]
    ) -> str:
        """invite (``person``, and ``q`` when they came from a search) or withdraw
        (``invitation``); who may, before what they sent."""
        if action not in ("invite", "withdraw"):
            raise NotFoundError(N_("There is no such partner action."))
        ctx = self._context(session, twinspace_id)
        actor = require_person(session)
        if not self._is_admin(ctx):
            raise PermissionDeniedError(
                "Only a teacher administrator of this TwinSpace invites partners.",
                who_can_fix="the project's founder or co-founder",
            )
        if action == "withdraw":
            return self.invitations.withdraw(ctx.project, actor, form)
        members = self.hub.list_members(ctx.twinspace.id)
        return self.invitations.invite(ctx.project, members, actor, form)


_LEVELS = {level.value: level for level in EducationalLevel}

_ACTIONS: dict[str, Callable[..., str]] = {
    "plan": ProjectPages._plan,
    "extend": ProjectPages._extend,
    "close": ProjectPages._close,
    "nql": ProjectPages._nql,
}
# action -> (permit, grant?, message)
_PERMIT_ACTIONS: dict[str, tuple[str, bool, str]] = {
    "grant-visitor": ("visitor", True, "visitor_granted"),
    "withdraw-visitor": ("visitor", False, "visitor_withdrawn"),
    "grant-expert": ("expert", True, "expert_granted"),
    "withdraw-expert": ("expert", False, "expert_withdrawn"),
}
_OPERATIONS: dict[tuple[str, bool], Callable[..., Member]] = {
    ("visitor", True): visitor_permits.grant_visitor_permit,
    ("visitor", False): visitor_permits.withdraw_visitor_permit,
    ("expert", True): visitor_permits.grant_expert_permit,
    ("expert", False): visitor_permits.withdraw_expert_permit,
}


def _split(errors: FieldErrors, field: str, raw: str, *, spaces: bool) -> list[str]:
    """A list typed into one field; the hub checks each item (and their number)."""
    if not isinstance(raw, str) or len(raw) > _LIST_FIELD_MAX:
        errors.add(field, "Too long.")
        return []
    text = raw.replace("\n", ",")
    if spaces:
        text = text.replace(" ", ",")
    return [item.strip() for item in text.split(",") if item.strip()]


def _person_id(raw: str) -> int:
    return form_id(raw, field="person", message="Choose a person from the list.")


def _active(member: Member) -> bool:
    return member.status is MemberStatus.ACTIVE


def _by_name(item: tuple[str, int]) -> tuple[str, int]:
    return (item[0].casefold(), item[1])


def _nql_note(project: Project) -> str | None:
    if project.scope is not ProjectScope.EUROPEAN:
        return N_("National projects cannot apply for the National Quality Label.")
    if project.status is ProjectStatus.PENDING:
        return N_("The project is still waiting for its NSOs' validation.")
    return None


def _preview(snap: TwinSpaceSnapshot) -> tuple[tuple[str, str], ...]:
    """What the application will count (the hub counts again when the teacher applies)."""
    project = snap.project
    pupils = sum(c.active for c in snap.role_counts if c.role in twinspaces.PUPIL_ROLES)
    return (
        (N_("Partners (founders included)"), str(len(project_teacher_ids(project)))),
        (N_("Pages"), str(len(snap.pages))),
        (N_("Materials"), str(len(snap.materials))),
        (N_("Project Diary posts"), str(len(snap.diary))),
        (N_("Pupils taking part"), str(pupils)),
    )


def _notice(
    project: Project, archived: bool, is_teacher: bool, session: LaunchSession
) -> str | None:
    if archived or project.status is ProjectStatus.CLOSED:
        return N_("This project is closed: its TwinSpace is archived, read-only.")
    if session.person_id is not None and not is_teacher and session.role == "teacher":
        return N_(
            "You take part in this TwinSpace but are not a partner of the project: a founder can "
            "invite you as a partner, and the project's eTwinning label comes with it."
        )
    return None


__all__ = ["MESSAGES", "LmsPeople", "ProjectPageView", "ProjectPages"]
