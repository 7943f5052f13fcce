"""Moodle completion → eTwinning acknowledgement, by polling Moodle's web services.

``poll_completions`` is a plain function (the task queue and ``etwin-lti moodle poll`` both call
it). For each mapping it lists the course's active enrolments
(``core_enrol_get_enrolled_users``), reads each learner's course completion
(``core_completion_get_course_completion_status``) or one activity's completion
(``core_completion_get_activities_completion_status``, states in lib/completionlib.php), finds the
hub person through the LTI identity (issuer = the site's wwwroot, sub = the Moodle user id; never
e-mail) and issues the acknowledgement.

Exactly once: the hub refuses a second acknowledgement of the same (kind, person, subject) with a
database constraint (``DuplicateAcknowledgementError``), which we read as "already issued" — so
two pollers running at once still issue one. Incremental and resumable: a mark per
(mapping, Moodle user) is committed right after each user, users with an issued mark are not
asked again, and a failure stops only the mapping it happened in (the next poll continues).
See reference/domain-facts.md 3.2, 3.3 and 3.5.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from etwin_lti.domain import events
from etwin_lti.domain.identities import IdentityStore, LtiIdentity
from etwin_lti.domain.model import Acknowledgement, AcknowledgementKind
from etwin_lti.domain.moodle import (
    CourseMapping,
    MarkState,
    MoodleSite,
    MoodleSiteStore,
    PollOutcome,
    PollReport,
    TargetKind,
)
from etwin_lti.domain.ports import CourseHub, EventsHub, RecognitionHub
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
    NotFoundError,
    RemoteServiceError,
    RuleViolationError,
)
from moodle_bridge.client import MoodleClient
from moodle_bridge.errors import (
    MoodleCompletionDisabledError,
    MoodleNoCriteriaError,
    MoodleRecordNotFoundError,
    MoodleUserDeletedError,
    MoodleUserNotEnrolledError,
)
from moodle_bridge.functions import (
    EnrolledUser,
    get_activities_completion,
    get_course_completion,
    iter_enrolled_users,
)

log = logging.getLogger(__name__)

SKIPPED_MAPPING = "skipped_mapping"  # the mapping cannot be polled as configured
FAILED_MAPPING = "failed_mapping"  # Moodle failed; the next poll resumes
REFUSED = "refused"  # the hub refused to issue (kept INCOMPLETE, tried again next poll)


class _MappingSkippedError(Exception):  # never leaves this module: caught in run()
    """Internal: stop this mapping with a message for the administrator."""


class CompletionPollHub(CourseHub, EventsHub, RecognitionHub, Protocol):
    """Course and event certificates, issued by the system on a Moodle completion."""


def poll_completions(
    store: MoodleSiteStore,
    hub: CompletionPollHub,
    identities: IdentityStore,
    client_for: Callable[[MoodleSite], MoodleClient],
    *,
    now: Callable[[], datetime],
    site_id: int | None = None,
) -> PollReport:
    """Poll every mapping (of one site, with ``site_id``) and return what happened."""
    report = PollReport()
    sites = {site.id: site for site in store.list_sites()}
    if site_id is not None:
        sites = {site_id: store.get_site(site_id)}
    for mapping in store.list_mappings(site_id=site_id):
        site = sites[mapping.site_id]
        _MappingPoll(store, hub, identities, client_for(site), site, mapping, now, report).run()
    return report


class _MappingPoll:
    def __init__(
        self,
        store: MoodleSiteStore,
        hub: CompletionPollHub,
        identities: IdentityStore,
        client: MoodleClient,
        site: MoodleSite,
        mapping: CourseMapping,
        now: Callable[[], datetime],
        report: PollReport,
    ) -> None:
        self.store, self.hub, self.identities, self.client = store, hub, identities, client
        self.site, self.mapping, self.now, self.report = site, mapping, now, report

    def outcome(self, state: str, user_id: int | None = None, **kwargs: object) -> None:
        self.report.outcomes.append(
            PollOutcome(self.site.id, self.mapping.id, user_id, state, **kwargs)  # type: ignore[arg-type]
        )

    def run(self) -> None:
        error: str | None = None
        try:
            title = self.target_title()
            self.poll_users(title)
        except _MappingSkippedError as skip:
            error = str(skip)
            self.outcome(SKIPPED_MAPPING, detail=error)
        except (NotFoundError, RemoteServiceError) as failure:
            # A hub target that vanished, or Moodle failing (error body, timeout, HTML page,
            # invalid JSON): nothing is issued from a half-read answer; marks written so far
            # stay, so the next poll resumes where this one stopped.
            error = f"{failure.error}: {failure.description}"
            self.outcome(FAILED_MAPPING, detail=error)
        log.info("moodle mapping %d polled%s", self.mapping.id, f" ({error})" if error else "")
        self.store.finish_poll(self.mapping.id, now=self.now(), error=error)

    def target_title(self) -> str:
        """Checks the hub target still exists; the event certificate's title."""
        target = self.mapping.target
        if target.kind is TargetKind.EDITION:
            return self.hub.get_edition(target.id).title
        return events.certificate_title(self.hub.get_event(target.id))

    def poll_users(self, title: str) -> None:
        marks = self.store.marks(self.mapping.id)
        enrolled = {
            user.id: user for user in iter_enrolled_users(self.client, self.mapping.course_id)
        }
        for user_id, mark in sorted(marks.items()):
            if (
                user_id not in enrolled
                and mark.state is not MarkState.GONE
                and not mark.state.is_final
            ):
                self.mark(user_id, MarkState.GONE, detail="no longer enrolled in the Moodle course")
        for user_id in sorted(enrolled):
            previous = marks.get(user_id)
            if previous is not None and previous.state.is_final:
                continue  # issued before: do not ask Moodle again
            self.poll_user(enrolled[user_id], title)

    def poll_user(self, user: EnrolledUser, title: str) -> None:
        try:
            completed = self.is_complete(user.id)
        except MoodleUserNotEnrolledError:
            self.mark(user.id, MarkState.NOT_TRACKED, detail="Moodle does not track this user")
            return
        except (MoodleUserDeletedError, MoodleRecordNotFoundError):
            self.mark(user.id, MarkState.GONE, detail="deleted in Moodle since the roster was read")
            return
        if not completed:
            self.mark(user.id, MarkState.INCOMPLETE)
            return
        known = self.identities.find(LtiIdentity(self.site.issuer, str(user.id)))
        if known is None:
            self.mark(
                user.id,
                MarkState.UNMATCHED,
                detail="completed, but has never launched the tool from this Moodle",
            )
            return
        person_id = known.person_id
        try:
            acknowledgement = self.issue(person_id, user, title)
        except DuplicateAcknowledgementError:
            self.mark(
                user.id,
                MarkState.ALREADY_ISSUED,
                person_id=person_id,
                acknowledgement_id=self.existing_acknowledgement(person_id),
            )
            return
        except (RuleViolationError, NotFoundError, InvalidInputError) as refusal:
            self.mark(
                user.id,
                MarkState.INCOMPLETE,
                person_id=person_id,
                detail=refusal.description,
                reported_as=REFUSED,
            )
            return
        self.mark(
            user.id, MarkState.ISSUED, person_id=person_id, acknowledgement_id=acknowledgement.id
        )

    def is_complete(self, user_id: int) -> bool:
        course_id, cmid = self.mapping.course_id, self.mapping.cmid
        try:
            if cmid is None:
                return get_course_completion(self.client, course_id, user_id).completed
            statuses = get_activities_completion(self.client, course_id, user_id)
        except MoodleNoCriteriaError as error:
            raise _MappingSkippedError(
                f"Moodle course {course_id} has no completion criteria: set them in the course's "
                "Course completion settings, or map one activity with --cmid."
            ) from error
        except MoodleCompletionDisabledError as error:
            raise _MappingSkippedError(
                f"Completion tracking is off in Moodle course {course_id}."
            ) from error
        if cmid not in statuses:
            raise _MappingSkippedError(
                f"Activity {cmid} of Moodle course {course_id} does not exist or has no "
                "completion tracking."
            )
        return statuses[cmid].state.is_complete

    def issue(self, person_id: int, user: EnrolledUser, title: str) -> Acknowledgement:
        target = self.mapping.target
        if target.kind is TargetKind.EDITION:
            # A system decision (actor None): Moodle's course completion is the evidence.
            return self.hub.complete_course(None, target.id, person_id)
        evidence = {
            "source": "moodle",
            "moodle_site": self.site.url,
            "moodle_course_id": str(self.mapping.course_id),
            "moodle_user_id": str(user.id),
        }
        if self.mapping.cmid is not None:
            evidence["moodle_cmid"] = str(self.mapping.cmid)
        # The same (kind, subject, title) as HubPort.complete_event, so an expert's decision
        # and Moodle's completion can never both issue one.
        return self.hub.issue_acknowledgement(
            AcknowledgementKind.EVENT_CERTIFICATE,
            person_id,
            events.certificate_subject(target.id),
            title,
            evidence=evidence,
        )

    def existing_acknowledgement(self, person_id: int) -> int | None:
        for acknowledgement in self.hub.list_acknowledgements(
            person_id=person_id, subject=str(self.mapping.target)
        ):
            return acknowledgement.id
        return None

    def mark(
        self,
        user_id: int,
        state: MarkState,
        *,
        person_id: int | None = None,
        acknowledgement_id: int | None = None,
        detail: str = "",
        reported_as: str | None = None,
    ) -> None:
        self.store.record_mark(
            self.mapping.id,
            user_id,
            state,
            now=self.now(),
            person_id=person_id,
            acknowledgement_id=acknowledgement_id,
        )
        self.outcome(
            reported_as or state.value,
            user_id,
            person_id=person_id,
            acknowledgement_id=acknowledgement_id,
            detail=detail,
        )
