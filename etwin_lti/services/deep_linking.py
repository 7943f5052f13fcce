"""The Deep Linking 2.0 picker: what a teacher may embed, and the signed answer to the LMS.

DESIGN.md flow 2. Over ports only: the hub (what exists and who belongs where), the registration
store (the platform's issuer and our client_id) and a ``DeepLinkSigner`` (pylti1p3 in
``connectors/pylti1p3_deep_linking.py``); the claims come from ``etwin_lti.lti.deep_linking``.

What a teacher may embed:
- TwinSpaces (open, not archived) where they are an active teacher administrator or teacher:
  embedding one brings the whole class in, so observers, experts and guests may not;
- Learning Events open for enrolment;
- units of the current distance-course edition(s).
A teacher in no TwinSpace yet may start a project draft here; it stays PENDING until both
founders' NSOs validate it, and only then has a TwinSpace that can be embedded.

The hub port has no directory of teachers, so the partner founder is given by their eTwinning
person id (the hub checks it is an eligible teacher).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from etwin_lti.domain.launches import LaunchSession, Resource, ResourceKind
from etwin_lti.domain.model import (
    MemberStatus,
    Project,
    ProjectStatus,
    TwinSpaceRole,
    TwinSpaceStatus,
)
from etwin_lti.domain.ports import HubPort, RegistrationStore
from etwin_lti.domain.resource_bindings import EMBEDDING_ROLES, may_embed
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import (
    InvalidInputError,
    LtiError,
    NotFoundError,
    PermissionDeniedError,
    PupilFixer,
)
from etwin_lti.lti import claims as c
from etwin_lti.lti.deep_linking import (
    DeepLinkingSettings,
    parse_settings,
    resource_link_item,
    response_claims,
)
from etwin_lti.lti.errors import MissingResourceError
from etwin_lti.lti.resource_reference import ResourceReference
from etwin_lti.lti.resources import parse_resource

LAUNCH_PATH = "/lti/launch"
CANCEL_MESSAGE = "No eTwinning activity was added."


class DeepLinkSigner(Protocol):
    """Signs a deep-linking response with the tool's current key (RS256, ``kid`` in the header)."""

    def sign(
        self, *, issuer: str, client_id: str, deployment_id: str, claims: Mapping[str, Any]
    ) -> str: ...


class NotDeepLinkingSessionError(LtiError):
    error = "not_deep_linking"
    description = N_(
        "This page chooses the eTwinning resource of a new activity, and your session did not "
        "start there. Add the activity again from your course page."
    )
    who_can_fix = N_("you: add the eTwinning activity again from your course page")
    pupil_fixer = PupilFixer.AS_SAID


class NoProjectDraftError(PermissionDeniedError):
    error = "no_project_draft"
    description = N_("Only teachers can start an eTwinning project from here.")
    who_can_fix = N_("a teacher of this course")


@dataclass(frozen=True)
class PickerEntry:
    resource: Resource
    title: str
    text: str = ""

    @property
    def value(self) -> str:
        return str(self.resource)


@dataclass(frozen=True)
class ProjectGroup:
    project_id: int
    title: str
    entries: tuple[PickerEntry, ...]


@dataclass(frozen=True)
class Picker:
    settings: DeepLinkingSettings
    twinspace_groups: tuple[ProjectGroup, ...]
    events: tuple[PickerEntry, ...]
    units: tuple[PickerEntry, ...]
    pending_projects: tuple[Project, ...]  # shown, never selectable
    query: str
    can_create_project: bool


@dataclass(frozen=True)
class DeepLinkAnswer:
    """What the browser posts (form field ``JWT``) to the platform's return URL."""

    return_url: str
    jwt: str
    items: tuple[Mapping[str, Any], ...]


class DeepLinkingService:
    def __init__(
        self,
        *,
        base_url: str,
        hub: HubPort,
        registrations: RegistrationStore,
        signer: DeepLinkSigner,
        reference: Callable[[ResourceReference], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        nonce: Callable[[], str] = lambda: secrets.token_urlsafe(24),
        founding_check: Callable[[int], None] = lambda _person_id: None,
    ) -> None:
        # Raises for a teacher who may not found a project yet (a registration waiting for
        # its NSO: etwin_lti.domain.teacher_linking.check_may_found).
        self._founding_check = founding_check
        self._launch_url = base_url.rstrip("/") + LAUNCH_PATH
        self._hub = hub
        self._registrations = registrations
        self._signer = signer
        self._reference = reference  # tool-signed references to the choices (bound resources)
        self._clock = clock
        self._nonce = nonce

    # --- reading ------------------------------------------------------------------------------
    def settings_for(self, session: LaunchSession) -> DeepLinkingSettings:
        if session.message_type != c.DEEP_LINKING_REQUEST or session.deep_linking is None:
            raise NotDeepLinkingSessionError()
        return parse_settings(session.deep_linking)

    def picker(self, session: LaunchSession, query: str = "") -> Picker:
        settings = self.settings_for(session)
        hub = self._hub
        needle = " ".join(query.split()).casefold()[:200]
        groups, projects = self._twinspace_groups(hub, session.person_id)

        def keep(entry: PickerEntry, *context: str) -> bool:
            haystack = " ".join((entry.title, entry.text, *context)).casefold()
            return needle in haystack

        shown_groups = tuple(
            ProjectGroup(g.project_id, g.title, tuple(e for e in g.entries if keep(e, g.title)))
            for g in groups
        )
        return Picker(
            settings=settings,
            twinspace_groups=tuple(g for g in shown_groups if g.entries),
            events=tuple(e for e in self._events(hub, session.person_id) if keep(e)),
            units=tuple(e for e in self._units(hub, session.person_id) if keep(e)),
            pending_projects=tuple(p for p in projects if p.status is ProjectStatus.PENDING),
            query=query.strip()[:200],
            can_create_project=session.person_id is not None
            and not groups
            and self._may_found(session.person_id),
        )

    def _may_found(self, person_id: int) -> bool:
        try:
            self._founding_check(person_id)
        except PermissionDeniedError:
            return False
        return True

    # --- answering ----------------------------------------------------------------------------
    def respond(self, session: LaunchSession, selected: Sequence[str]) -> DeepLinkAnswer:
        """Sign the chosen items; a refused selection (422/403) sends nothing."""
        settings = self.settings_for(session)
        values = list(dict.fromkeys(v.strip().lower() for v in selected if v.strip()))
        if not values:
            raise InvalidInputError(
                "Choose at least one eTwinning resource, or cancel.",
                errors={"items": ["choose at least one"]},
            )
        if len(values) > 1 and not settings.accept_multiple:
            raise InvalidInputError(
                "Your LMS accepts only one activity here: choose one.",
                errors={"items": ["your LMS accepts one activity here"]},
            )
        entries = self._embeddable(session)
        self._check_selection(values, entries)
        issuer = self._registrations.get_platform(session.platform_id).issuer
        items = [
            resource_link_item(
                entries[v].resource,
                title=entries[v].title,
                text=entries[v].text,
                launch_url=self._launch_url,
                reference=self._reference(
                    ResourceReference(
                        resource=entries[v].resource,
                        issuer=issuer,
                        deployment_id=session.deployment_id,
                        context_id=session.context_id,
                        chosen_by=session.person_id,
                    )
                ),
            )
            for v in values
        ]
        titles = ", ".join(entries[v].title for v in values)
        noun = "activity" if len(items) == 1 else "activities"
        return self._answer(
            session, settings, items, msg=f"{len(items)} eTwinning {noun} added: {titles}"
        )

    def cancel(self, session: LaunchSession) -> DeepLinkAnswer:
        """An empty ``content_items`` list with a ``msg`` (section 4.5: nothing chosen)."""
        return self._answer(session, self.settings_for(session), [], msg=CANCEL_MESSAGE)

    def refuse(self, session: LaunchSession, reason: str) -> DeepLinkAnswer | None:
        """Tell the platform why nothing can be added (``errormsg``), when we have somewhere
        safe to say it: a deep-linking session with an http(s) return URL."""
        raw = session.deep_linking or {}
        if session.message_type != c.DEEP_LINKING_REQUEST:
            return None
        try:
            # Only the return URL has to be trusted to send an errormsg.
            settings = parse_settings({**raw, "accept_types": [c.LTI_RESOURCE_LINK_ITEM]})
        except LtiError:
            return None
        return self._answer(session, settings, [], errormsg=reason, errorlog=reason)

    # --- a first project ----------------------------------------------------------------------
    def create_project_draft(
        self, session: LaunchSession, *, title: str, description: str, partner_founder_id: str
    ) -> Project:
        """Two founders, PENDING until both NSOs validate (the hub's rules)."""
        self.settings_for(session)
        if session.person_id is None or session.role not in (
            TwinSpaceRole.TEACHER.value,
            TwinSpaceRole.TEACHER_ADMINISTRATOR.value,
        ):
            raise NoProjectDraftError()
        partner = partner_founder_id.strip()
        if not partner.isdigit() or int(partner) == session.person_id:
            raise InvalidInputError(
                errors={"partner_founder_id": ["the eTwinning person id of another teacher"]}
            )
        hub = self._hub
        try:
            hub.get_person(int(partner))
        except NotFoundError:
            raise InvalidInputError(
                errors={"partner_founder_id": ["no eTwinning person has this id"]}
            ) from None
        self._founding_check(session.person_id)
        try:
            self._founding_check(int(partner))
        except PermissionDeniedError:
            raise InvalidInputError(
                errors={"partner_founder_id": ["this teacher's registration awaits their NSO"]}
            ) from None
        return hub.create_project(session.person_id, int(partner), title, description)

    # --- helpers ------------------------------------------------------------------------------
    def _answer(
        self,
        session: LaunchSession,
        settings: DeepLinkingSettings,
        items: Sequence[Any],
        *,
        msg: str | None = None,
        errormsg: str | None = None,
        errorlog: str | None = None,
    ) -> DeepLinkAnswer:
        platform = self._registrations.get_platform(session.platform_id)
        body = response_claims(
            settings,
            items,
            client_id=platform.client_id,
            platform_issuer=platform.issuer,
            deployment_id=session.deployment_id,
            now=self._clock(),
            nonce=self._nonce(),
            msg=msg,
            errormsg=errormsg,
            errorlog=errorlog,
        )
        token = self._signer.sign(
            issuer=platform.issuer,
            client_id=platform.client_id,
            deployment_id=session.deployment_id,
            claims=body,
        )
        return DeepLinkAnswer(settings.return_url, token, tuple(body[c.DL_CONTENT_ITEMS]))

    def _embeddable(self, session: LaunchSession) -> dict[str, PickerEntry]:
        hub = self._hub
        groups, _ = self._twinspace_groups(hub, session.person_id)
        person_id = session.person_id
        entries = [e for g in groups for e in g.entries]
        entries += self._events(hub, person_id) + self._units(hub, person_id)
        return {e.value: e for e in entries}

    def _check_selection(self, values: Sequence[str], entries: Mapping[str, PickerEntry]) -> None:
        unknown: list[str] = []
        forbidden: list[str] = []
        hub = self._hub
        for value in values:
            if value in entries:
                continue
            try:
                resource = parse_resource(value)
                _get(hub, resource)
            except (MissingResourceError, NotFoundError):
                unknown.append(value)
            else:
                forbidden.append(value)
        if unknown:
            raise InvalidInputError(
                "Some of the chosen resources do not exist.",
                errors={"items": [f"unknown: {v}" for v in unknown]},
            )
        if forbidden:
            raise PermissionDeniedError(
                N_(
                    "You may not embed some of the chosen resources: TwinSpaces where you teach, "
                    "open Learning Events you lead as their expert, units of the current courses "
                    "you train."
                ),
                errors={"items": [f"not yours to embed: {v}" for v in forbidden]},
                who_can_fix=N_(
                    "a teacher administrator of that TwinSpace (invite you as a teacher)"
                ),
                pupil_fixer=PupilFixer.AS_SAID,
            )

    def _twinspace_groups(
        self, hub: HubPort, person_id: int | None
    ) -> tuple[list[ProjectGroup], list[Project]]:
        if person_id is None:  # a tool administrator without membership
            return [], []
        projects = {p.id: p for p in hub.list_projects(member_id=person_id)}
        grouped: dict[int, list[PickerEntry]] = {}
        for space in hub.list_twinspaces(member_id=person_id):
            if space.status is not TwinSpaceStatus.OPEN:
                continue
            member = hub.get_member(space.id, person_id)
            if member.status is not MemberStatus.ACTIVE or member.role not in EMBEDDING_ROLES:
                continue
            if space.project_id not in projects:
                projects[space.project_id] = hub.get_project(space.project_id)
            entry = PickerEntry(Resource(ResourceKind.TWINSPACE, space.id), space.title)
            grouped.setdefault(space.project_id, []).append(entry)
        groups = [
            ProjectGroup(pid, projects[pid].title, tuple(entries))
            for pid, entries in sorted(grouped.items())
        ]
        return groups, list(projects.values())

    # A tool administrator without a person (``person_id`` None) sees every open event and
    # current unit; a person only those they may embed (``may_embed``): their events as
    # expert, the units of the editions they train.
    def _events(self, hub: HubPort, person_id: int | None) -> list[PickerEntry]:
        return [
            PickerEntry(
                Resource(ResourceKind.EVENT, e.id),
                e.title,
                f"{e.starts_on.isoformat()} to {e.ends_on.isoformat()}. {e.description}".strip(),
            )
            for e in hub.list_events(open_only=True)
            if person_id is None
            or may_embed(Resource(ResourceKind.EVENT, e.id), person_id, event=e)
        ]

    def _units(self, hub: HubPort, person_id: int | None) -> list[PickerEntry]:
        current = [
            e.id
            for e in hub.list_editions()
            if e.is_current and (person_id is None or person_id in e.trainer_ids)
        ]
        return [
            PickerEntry(Resource(ResourceKind.UNIT, u.id), u.title, u.summary)
            for edition_id in current
            for u in hub.list_units(edition_id=edition_id)
        ]


def _get(hub: HubPort, resource: Resource) -> object:
    if resource.kind is ResourceKind.TWINSPACE:
        return hub.get_twinspace(resource.id)
    if resource.kind is ResourceKind.EVENT:
        return hub.get_event(resource.id)
    return hub.get_unit(resource.id)
