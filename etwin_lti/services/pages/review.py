"""``/lti/review``: the read-only page of an LtiSubmissionReviewRequest (Submission Review 1.0,
https://www.imsglobal.org/spec/lti-sr/v1p0/).

The platform names the learner to review in the ``for_user`` claim; the launch keeps that
learner's hub person in the session (``LaunchSession.for_user_id``) only when the launcher is
a teacher or tool administrator, or the learner themself. So an instructor sees that learner's
progress for the resource of the launch, and a learner only ever sees their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from etwin_lti.domain.launches import LaunchSession, ResourceKind
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError
from etwin_lti.services.pages.common import label

OWN_PROGRESS_NOTE = N_("Your own progress in this activity.")
LEARNER_NOTE = "The progress of {name} in this activity, as your LMS asked to review it."
UNKNOWN_LEARNER_NOTE = N_(
    "The learner your LMS asked to review has never opened this activity in the eTwinning "
    "tool, so there is no progress to show yet."
)


class NoReviewResourceError(NotFoundError):
    error = "no_review_resource"
    description = N_("This review request did not say which eTwinning activity to review.")
    who_can_fix = N_("your LMS administrator (the activity needs its etwin_resource parameter)")


@dataclass(frozen=True)
class ReviewView:
    role: str  # data-etwin-role
    kind: str
    title: str
    facts: tuple[tuple[str, str], ...]  # (what, value), read-only
    note: str
    subject: str = "launcher"  # data-review-subject: "launcher" or "learner" (for_user)


class ReviewPages:
    def __init__(self, hub: HubPort) -> None:
        self.hub = hub

    def view(self, session: LaunchSession) -> ReviewView:
        resource = session.resource
        if resource is None:
            raise NoReviewResourceError()
        me, subject, note = session.person_id, "launcher", OWN_PROGRESS_NOTE
        if session.for_user_unknown:
            title = self._title(resource.kind, resource.id)
            unknown = ((N_("Learner"), N_("has not opened this activity yet")),)
            return ReviewView(
                session.role, resource.kind.value, title, unknown, UNKNOWN_LEARNER_NOTE, "learner"
            )
        if session.for_user_id is not None and session.for_user_id != me:
            me, subject = session.for_user_id, "learner"
            note = LEARNER_NOTE.format(name=self.hub.get_person(me).display_name)
        if resource.kind is ResourceKind.UNIT:
            unit = self.hub.get_unit(resource.id)
            title, facts = unit.title, self._unit(me, resource.id, len(unit.activities))
        elif resource.kind is ResourceKind.EVENT:
            event = self.hub.get_event(resource.id)
            title, facts = event.title, self._event(me, resource.id)
        else:
            space = self.hub.get_twinspace(resource.id)
            title, facts = space.title, self._twinspace(me, resource.id, space.project_id)
        return ReviewView(session.role, resource.kind.value, title, facts, note, subject)

    def _title(self, kind: ResourceKind, resource_id: int) -> str:
        if kind is ResourceKind.UNIT:
            return self.hub.get_unit(resource_id).title
        if kind is ResourceKind.EVENT:
            return self.hub.get_event(resource_id).title
        return self.hub.get_twinspace(resource_id).title

    def _unit(self, me: int | None, unit_id: int, total: int) -> tuple[tuple[str, str], ...]:
        if me is None:
            return ((N_("Progress"), N_("Tool administrators follow no course unit.")),)
        progress = self.hub.unit_progress(me, unit_id)
        done = len(progress.done_activity_ids)
        state = N_("completed") if progress.completed_at else N_("not completed yet")
        return ((N_("Activities done"), f"{done} of {total}"), (N_("Unit"), state))

    def _event(self, me: int | None, event_id: int) -> tuple[tuple[str, str], ...]:
        mine = next((e for e in self.hub.list_enrolments(event_id) if e.person_id == me), None)
        if mine is None:
            return ((N_("Enrolment"), N_("not enrolled")),)
        state = N_("completed") if mine.completed_at else N_("not completed yet")
        return ((N_("Enrolment"), N_("enrolled")), (N_("Participation"), state))

    def _twinspace(
        self, me: int | None, twinspace_id: int, project_id: int
    ) -> tuple[tuple[str, str], ...]:
        member = next((m for m in self.hub.list_members(twinspace_id) if m.person_id == me), None)
        if member is None or me is None:
            return ((N_("Membership"), N_("not a member")),)
        pages = self.hub.list_pages(twinspace_id, viewer_id=me)
        materials = self.hub.list_materials(twinspace_id, viewer_id=me)
        posts = [p for t in self.hub.list_threads(twinspace_id) for p in t.posts]
        diary = self.hub.list_diary(project_id)
        comments = [c for p in diary for c in p.comments]
        return (
            (N_("Membership"), f"{label(member.role.value)} ({member.status.value})"),
            (N_("Pages written"), str(sum(p.author_id == me for p in pages))),
            (N_("Materials shared"), str(sum(m.author_id == me for m in materials))),
            (
                N_("Diary posts and comments"),
                str(
                    sum(p.author_id == me for p in diary) + sum(c.author_id == me for c in comments)
                ),
            ),
            (N_("Forum messages"), str(sum(p.author_id == me for p in posts))),
        )
