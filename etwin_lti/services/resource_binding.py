"""Which resource a launch opens (bound resources), and the requests to connect other courses.

DESIGN.md "Bound resources"; issue 9 item 4. Over ports only: the binding store, the hub (does
the resource exist, who may approve) and the registration store (platform names to show).

``ResourceResolver.resolve`` decides, before anything is written for the launch:

1. The activity is bound (an earlier launch recorded it): it opens that resource. A custom
   ``etwin_resource`` naming another one is refused (someone edited the activity).
2. Pending or declined: a page saying so, and who decides.
3. Unbound: it needs the tool-signed reference of a picker choice (``etwin_ref``, from custom
   or the activity URL). Forged or edited: refused. Made for another LMS (issuer or
   deployment): refused. Made for this course: the first launch binds the activity, whoever
   launches it (the reference proves a teacher who may embed it chose it for this course).
   Made for another course of the same LMS (a course copy or restore): an LMS teacher's
   launch records a pending request; a teacher administrator of the TwinSpace (the event's
   expert, a trainer of the edition) approves or declines it from the embedded page. A
   pupil's launch records nothing and asks for their teacher.
4. No reference, only ``etwin_resource`` typed by hand: refused for everyone.

A refusal writes nothing but the pending request of 3: no person, identity, membership,
session or resource link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.model import MemberStatus, TwinSpaceRole
from etwin_lti.domain.ports import HubPort, RegistrationStore
from etwin_lti.domain.registrations import Platform
from etwin_lti.domain.resource_bindings import (
    Binding,
    BindingStatus,
    LinkKey,
    ResourceBindingStore,
    may_approve,
    may_embed,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError, PermissionDeniedError, PupilFixer
from etwin_lti.lti import claims as c
from etwin_lti.lti.errors import MissingResourceError
from etwin_lti.lti.launch import LaunchMessage
from etwin_lti.lti.resource_reference import (
    ResourceReference,
    read_reference,
    reference_from_launch,
    sign_reference,
)
from etwin_lti.lti.resources import parse_resource

_PICKER = N_("your teacher: add the activity again through the eTwinning picker")


def _pupil_fixer(resource: Resource) -> PupilFixer:
    """A TwinSpace's teacher administrators are teachers a pupil knows; an event's expert and
    a course's trainers are not: their own teacher asks them."""
    return PupilFixer.AS_SAID if resource.kind is ResourceKind.TWINSPACE else PupilFixer.TEACHER


class UnboundResourceError(PermissionDeniedError):
    error = "unbound_resource"
    description = N_(
        "This activity names an eTwinning resource by hand (etwin_resource) but was not added "
        "through the eTwinning picker, so it opens nothing. Add the activity again through "
        "the eTwinning picker: it lists what you may embed."
    )
    who_can_fix = _PICKER


class ResourceMismatchError(PermissionDeniedError):
    error = "resource_mismatch"
    who_can_fix = N_(
        "your teacher: remove the etwin_resource custom parameter from the activity, or add "
        "the activity again through the eTwinning picker"
    )


class ForeignReferenceError(PermissionDeniedError):
    error = "foreign_reference"
    description = N_(
        "This activity was added through the eTwinning picker of another LMS and cannot be "
        "used here."
    )
    who_can_fix = _PICKER


class ApprovalPendingError(PermissionDeniedError):
    error = "approval_pending"


class ConnectionDeclinedError(PermissionDeniedError):
    error = "connection_declined"


@dataclass(frozen=True)
class ConnectionRequest:
    """A pending binding as its approver sees it."""

    binding: Binding
    resource_title: str
    platform_name: str


class ResourceResolver:
    def __init__(
        self,
        *,
        bindings: ResourceBindingStore,
        hub: HubPort,
        registrations: RegistrationStore,
        secret_key: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._bindings = bindings
        self._hub = hub
        self._registrations = registrations
        self._secret_key = secret_key
        self._clock = clock

    # --- at launch ----------------------------------------------------------------------------
    def resolve(self, platform: Platform, message: LaunchMessage, *, is_teacher: bool) -> Resource:
        """The resource a resource-link (or submission review) launch opens; see the module
        docstring for the order of the rules."""
        typed = _typed(message)
        key = link_key(platform.id, message)
        binding = self._bindings.find(key)
        if binding is not None:
            return self._use(binding, typed)
        token = reference_from_launch(message.custom, message.target_link_uri)
        if token is None:
            if typed is None:
                raise MissingResourceError()
            raise UnboundResourceError()
        reference = read_reference(token, self._secret_key)
        if typed is not None and typed != reference.resource:
            raise ResourceMismatchError(
                N_(
                    "This activity's custom parameter asks for %(typed)s, but the eTwinning "
                    "picker chose %(chosen)s. It opens nothing until this is fixed."
                ),
                params={"typed": str(typed), "chosen": str(reference.resource)},
            )
        if not reference.is_open and (
            reference.issuer != platform.issuer or reference.deployment_id != message.deployment_id
        ):
            raise ForeignReferenceError()
        hub = self._hub
        title = _title(hub, reference.resource)  # a deleted resource: 404, nothing recorded
        now = self._clock()
        if reference.is_open or reference.context_id == message.context_id:
            bound = self._bindings.add(
                key,
                reference.resource,
                status=BindingStatus.BOUND,
                chosen_by=reference.chosen_by,
                now=now,
                context_title=message.context_title,
            )
            return self._use(bound, typed)
        approvers = self.approver_names(hub, reference.resource)
        if not is_teacher:
            raise ApprovalPendingError(
                N_(
                    "This course is not connected to %(title)s yet: the activity was copied "
                    "from another course. Your teacher opens it once, then %(approvers)s "
                    "approves connecting this course."
                ),
                who_can_fix=N_("your teacher"),
                pupil_fixer=PupilFixer.AS_SAID,
                params={"title": title, "approvers": approvers},
            )
        pending = self._bindings.add(
            key,
            reference.resource,
            status=BindingStatus.PENDING,
            chosen_by=reference.chosen_by,
            now=now,
            origin_context_id=reference.context_id,
            context_title=message.context_title,
            requested_by=message.name,
        )
        return self._use(pending, typed)

    def resolve_optional(
        self, platform: Platform, message: LaunchMessage, *, is_teacher: bool
    ) -> Resource | None:
        """Submission Review names a resource only sometimes: the same rules when it does."""
        named = c.CUSTOM_RESOURCE in message.custom or reference_from_launch(
            message.custom, message.target_link_uri
        )
        if not named and self._bindings.find(link_key(platform.id, message)) is None:
            return None
        return self.resolve(platform, message, is_teacher=is_teacher)

    def _use(self, binding: Binding, typed: Resource | None) -> Resource:
        if binding.status is BindingStatus.PENDING:
            hub = self._hub
            approvers = self.approver_names(hub, binding.resource)
            raise ApprovalPendingError(
                N_(
                    "This course waits for approval to use %(title)s: the activity was copied "
                    "from another course. The approver, %(approvers)s, sees the request on the "
                    "eTwinning page (Course connections) and approves or declines it."
                ),
                params={"title": _title(hub, binding.resource), "approvers": approvers},
                who_can_fix=approvers,
                pupil_fixer=_pupil_fixer(binding.resource),
            )
        if binding.status is BindingStatus.DECLINED:
            raise ConnectionDeclinedError(
                N_("Connecting this course to %(resource)s was declined."),
                params={"resource": str(binding.resource)},
                who_can_fix=_PICKER,
                pupil_fixer=PupilFixer.AS_SAID,
            )
        if typed is not None and typed != binding.resource:
            raise ResourceMismatchError(
                N_(
                    "This activity opens %(resource)s; its custom parameter asks for "
                    "%(typed)s. The activity cannot be moved to another resource by editing it."
                ),
                params={"resource": str(binding.resource), "typed": str(typed)},
            )
        return binding.resource

    # --- approving ----------------------------------------------------------------------------
    def approver_names(self, hub: HubPort, resource: Resource) -> str:
        names = [hub.get_person(p).display_name for p in self._approver_ids(hub, resource)]
        noun = {
            ResourceKind.TWINSPACE: "a teacher administrator of the TwinSpace",
            ResourceKind.EVENT: "the event's expert",
            ResourceKind.UNIT: "a trainer of the course",
        }[resource.kind]
        return f"{noun} ({', '.join(names)})" if names else noun

    def _approver_ids(self, hub: HubPort, resource: Resource) -> list[int]:
        if resource.kind is ResourceKind.TWINSPACE:
            return [
                m.person_id
                for m in hub.list_members(resource.id)
                if m.role is TwinSpaceRole.TEACHER_ADMINISTRATOR and m.status is MemberStatus.ACTIVE
            ]
        if resource.kind is ResourceKind.EVENT:
            return [hub.get_event(resource.id).expert_id]
        return list(hub.get_edition(hub.get_unit(resource.id).edition_id).trainer_ids)

    def may_approve(self, person_id: int | None, resource: Resource) -> bool:
        if person_id is None:
            return False
        return person_id in self._approver_ids(self._hub, resource)

    def requests_for(self, person_id: int | None) -> list[ConnectionRequest]:
        """Pending requests this person may decide, oldest first."""
        if person_id is None:
            return []
        hub = self._hub
        shown = []
        for binding in self._bindings.list_pending():
            if not self._allowed(hub, person_id, binding.resource):
                continue
            platform = self._registrations.get_platform(binding.key.platform_id)
            shown.append(ConnectionRequest(binding, _title(hub, binding.resource), platform.name))
        return shown

    def decide(self, person_id: int | None, binding_id: int, *, approve: bool) -> Binding:
        binding = self._bindings.get(binding_id)
        if person_id is None or not self._allowed(self._hub, person_id, binding.resource):
            raise PermissionDeniedError(
                N_(
                    "Only a teacher administrator of the TwinSpace (the event's expert, a "
                    "trainer of the course) decides which courses use it."
                ),
                who_can_fix=self.approver_names(self._hub, binding.resource),
                pupil_fixer=_pupil_fixer(binding.resource),
            )
        return self._bindings.decide(
            binding_id, approve=approve, decided_by=person_id, now=self._clock()
        )

    def _allowed(self, hub: HubPort, person_id: int, resource: Resource) -> bool:
        try:
            if resource.kind is ResourceKind.TWINSPACE:
                return may_approve(
                    resource, person_id, member=hub.get_member(resource.id, person_id)
                )
            if resource.kind is ResourceKind.EVENT:
                return may_approve(resource, person_id, event=hub.get_event(resource.id))
            edition = hub.get_edition(hub.get_unit(resource.id).edition_id)
            return may_approve(resource, person_id, edition=edition)
        except NotFoundError:
            return False

    # --- the tool administrator ---------------------------------------------------------------
    def bind(self, key: LinkKey, resource: Resource) -> Binding:
        """``etwin-lti bind``: the tool administrator ties an activity to a resource."""
        _title(self._hub, resource)
        return self._bindings.rebind(key, resource, now=self._clock())

    def reference(self, reference: ResourceReference) -> str:
        """A tool-signed reference (the picker's, the demo's, the cartridge's). A reference a
        person chose is signed only for what that person may embed (``may_embed``); one with no
        chooser comes from the tool's side (an operator's cartridge, the demo sandbox)."""
        chooser = reference.chosen_by
        if chooser is not None and not self._may_embed(chooser, reference.resource):
            raise PermissionDeniedError(
                "You may not embed this resource: TwinSpaces where you teach, Learning Events "
                "you lead as their expert, units of the courses you train.",
                errors={"items": [f"not yours to embed: {reference.resource}"]},
            )
        return sign_reference(reference, self._secret_key)

    def _may_embed(self, person_id: int, resource: Resource) -> bool:
        hub = self._hub
        try:
            if resource.kind is ResourceKind.TWINSPACE:
                return may_embed(resource, person_id, member=hub.get_member(resource.id, person_id))
            if resource.kind is ResourceKind.EVENT:
                return may_embed(resource, person_id, event=hub.get_event(resource.id))
            edition = hub.get_edition(hub.get_unit(resource.id).edition_id)
            return may_embed(resource, person_id, edition=edition)
        except NotFoundError:
            return False


def link_key(platform_id: int, message: LaunchMessage) -> LinkKey:
    return LinkKey(
        platform_id, message.deployment_id, message.context_id or "", message.resource_link_id or ""
    )


def _typed(message: LaunchMessage) -> Resource | None:
    value = message.custom.get(c.CUSTOM_RESOURCE)
    return parse_resource(value) if value else None


def _title(hub: HubPort, resource: Resource) -> str:
    """The resource's title; the hub's ``NotFoundError`` (404) when it does not exist."""
    if resource.kind is ResourceKind.TWINSPACE:
        return hub.get_twinspace(resource.id).title
    if resource.kind is ResourceKind.EVENT:
        return hub.get_event(resource.id).title
    return hub.get_unit(resource.id).title
