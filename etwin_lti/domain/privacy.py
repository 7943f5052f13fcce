"""Export and erasure of one person's data, and the retention rule (DESIGN.md "Privacy").

The rules (docs/decisions/0007-privacy-export-and-erase.md):
- *Erase* removes what identifies a person (LTI identities, name, e-mail, school, launch
  sessions, scores waiting for the LMS, Moodle poll marks) and keeps the shared work: the hub
  person stays as a neutral pseudonym ("Former member 7F3A") so pages, diary posts and forum
  posts written with partners still read as a whole; memberships are suspended;
  acknowledgements are revoked ("erased on request"). Erasing twice changes nothing.
- A *founder* of a project that is not closed is only erased with ``force``: founders are the
  TwinSpace's teacher administrators whose rights no one else can change, so erasing one is a
  decision for the tool administrator, never a side effect. Even then the project keeps its
  two founders (the pseudonym stands in), its scope, validations and other people's labels.
- *Retention*: a person whose every TwinSpace membership has been suspended for longer than
  ``Settings.suspended_retention_days`` is erased by the periodic purge, unless they still take
  part in something (a running event or course edition) or founded a project that is not closed.

Pure: plain dataclasses and functions; ``PrivacyStore`` is the port, implemented by
``connectors.sql_privacy.SqlPrivacyStore`` over the tool's database (one transaction per erase).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from etwin_lti.domain.api_tokens import ApiToken
from etwin_lti.domain.chat import ChatMessage
from etwin_lti.domain.model import (
    Acknowledgement,
    DiaryComment,
    DiaryPost,
    ForumPost,
    ForumThread,
    Material,
    Member,
    NqlApplication,
    Page,
    Person,
)
from etwin_lti.domain.partner_invitations import PartnerInvitation
from etwin_lti.domain.passback import OutboxEntry
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, RuleViolationError

PSEUDONYM_PREFIX = "Former member"
REVOCATION_REASON = "erased on request"
RETENTION_REVOCATION_REASON = "erased after the retention period"
# Evidence keys that identify the person rather than the achievement (dropped on erasure).
PERSONAL_EVIDENCE_KEYS = frozenset({"moodle_user_id"})
_PSEUDONYM_TAG = re.compile(r"^[0-9A-F]{4}$")


class ErasureReason(enum.StrEnum):
    REQUEST = "request"  # the person (through the school's DPO) asked
    RETENTION = "retention"  # suspended for longer than the retention period


class FounderOfOpenProjectError(RuleViolationError):
    error = "founder_of_open_project"
    description = N_(
        "This person founded a project that is still open; erase them with --force "
        "(the project keeps its founders as a pseudonym)."
    )
    who_can_fix = N_("the tool administrator")


class ErasureFailedError(RuleViolationError):
    """The database refused part of the erasure: the transaction rolled back, nothing changed."""

    error = "erasure_failed"
    description = N_("The erasure failed and was rolled back: nothing was changed.")
    status_code = 500
    who_can_fix = N_("the tool administrator")


# --- what an export contains (every datetime is timezone-aware UTC) ----------------------------
# The hub's own dataclasses (``domain.model``, ``domain.passback``) wherever one exists; a record
# here only for a view no domain type holds: an identity, a relation to a project, a line of
# participation across events and editions, a launch session, a Moodle poll mark with its site.


@dataclass(frozen=True)
class IdentityRecord:
    """An LTI identity. ``sub`` is the LMS's opaque user id: kept, because it is the key."""

    issuer: str
    deployment_id: str
    sub: str
    created_at: datetime


@dataclass(frozen=True)
class ProjectRecord:
    project_id: int
    title: str
    status: str
    relation: str  # "founder" | "partner"


@dataclass(frozen=True)
class ParticipationRecord:
    """An event enrolment, a course edition as trainee/trainer, an event led, a done activity."""

    kind: str  # event_enrolment | event_expert | course_trainee | course_trainer | activity_done
    subject: str  # "event:4", "edition:2", "activity:17"
    title: str
    at: datetime | None
    completed_at: datetime | None = None


@dataclass(frozen=True)
class SessionRecord:
    platform_id: int
    context_title: str | None
    role: str | None
    expires_at: datetime


@dataclass(frozen=True)
class PollMarkRecord:
    moodle_site: str
    moodle_course_id: int
    moodle_user_id: int
    state: str
    updated_at: datetime


@dataclass(frozen=True)
class ErasureRecord:
    person_id: int
    pseudonym: str
    reason: ErasureReason
    forced: bool
    erased_at: datetime


@dataclass(frozen=True)
class PersonalData:
    """Everything the tool's database holds about one person, and nothing about anyone else:
    diary posts come without the comments of others, forum threads without their replies."""

    profile: Person
    identities: tuple[IdentityRecord, ...] = ()
    memberships: tuple[Member, ...] = ()
    projects: tuple[ProjectRecord, ...] = ()
    pages: tuple[Page, ...] = ()
    materials: tuple[Material, ...] = ()
    diary_posts: tuple[DiaryPost, ...] = ()
    diary_comments: tuple[DiaryComment, ...] = ()
    forum_threads: tuple[ForumThread, ...] = ()
    forum_posts: tuple[ForumPost, ...] = ()
    chat_messages: tuple[ChatMessage, ...] = ()
    participation: tuple[ParticipationRecord, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    nql_applications: tuple[NqlApplication, ...] = ()
    scores: tuple[OutboxEntry, ...] = ()
    launch_sessions: tuple[SessionRecord, ...] = ()
    moodle_poll_marks: tuple[PollMarkRecord, ...] = ()
    erasure: ErasureRecord | None = None
    api_tokens: tuple[ApiToken, ...] = ()  # a teacher's own: label and dates, never the hash
    # Invitations to join a project as a partner, made by or addressed to the person.
    partner_invitations: tuple[PartnerInvitation, ...] = ()


# --- erasure ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureCounts:
    """What one erasure removed or changed (printed by ``etwin-lti privacy erase``)."""

    identities_deleted: int = 0
    launch_sessions_deleted: int = 0
    scores_deleted: int = 0
    poll_marks_deleted: int = 0
    memberships_suspended: int = 0
    acknowledgements_revoked: int = 0
    content_kept: int = 0
    files_deleted: int = 0  # uploaded files (a pupil's photo is theirs), rows and stored bytes
    chat_messages_deleted: int = 0
    api_tokens_deleted: int = 0


@dataclass(frozen=True)
class ErasurePlan:
    """The decided erasure the store carries out in one transaction."""

    person_id: int
    pseudonym: str
    reason: ErasureReason
    revocation_reason: str
    forced: bool
    now: datetime


@dataclass(frozen=True)
class ErasureResult:
    person_id: int
    pseudonym: str
    already_erased: bool
    counts: ErasureCounts = field(default_factory=ErasureCounts)


def pseudonym(tag: str) -> str:
    """``Former member 7F3A``: neutral, says nothing about the person (tag = 4 random hex)."""
    tag = tag.upper()
    if not _PSEUDONYM_TAG.match(tag):
        raise ValueError(N_("A pseudonym tag is four hexadecimal digits."))
    return f"{PSEUDONYM_PREFIX} {tag}"


def check_erasable(open_founded_project_ids: tuple[int, ...], *, force: bool) -> None:
    """A founder of a project that is not closed is erased only on purpose (``force``)."""
    if open_founded_project_ids and not force:
        projects = ", ".join(str(pid) for pid in open_founded_project_ids)
        raise FounderOfOpenProjectError(
            f"Person founded project(s) {projects}, still open; erase them with --force "
            "(the project keeps its founders, shown as a pseudonym)."
        )


def erased_evidence(evidence: Mapping[str, str], reason: str) -> dict[str, str]:
    """An erased person's acknowledgement keeps what it was for, not who they were in the LMS."""
    kept = {k: v for k, v in evidence.items() if k not in PERSONAL_EVIDENCE_KEYS}
    kept["revocation_reason"] = reason
    return kept


# --- retention ----------------------------------------------------------------------------------


def retention_cutoff(now: datetime, retention_days: int) -> datetime:
    """Memberships suspended (last changed) before this moment are past retention."""
    if retention_days < 1:
        raise InvalidInputError(
            errors={"suspended_retention_days": ["Retention is at least one day."]}
        )
    return now - timedelta(days=retention_days)


@dataclass(frozen=True)
class PurgeCandidate:
    person_id: int
    suspended_since: datetime  # the latest change of any of their (all suspended) memberships
    open_founded_project_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PurgeReport:
    erased: tuple[int, ...]
    kept_founders: tuple[int, ...]  # past retention but founders of a project still open
    dry_run: bool
    cutoff: datetime


# --- the port -------------------------------------------------------------------------------------


class PrivacyStore(Protocol):
    """Reads and erases across every table that holds personal data (the tool's database)."""

    def person_exists(self, person_id: int) -> bool: ...

    def find_people_by_lti(
        self, issuer: str, sub: str, deployment_id: str | None = None
    ) -> list[int]:
        """Every hub person linked to this LMS user (one per deployment at most)."""
        ...

    def collect(self, person_id: int) -> PersonalData:
        """Everything about the person; ``NotFoundError`` if there is no such person."""
        ...

    def open_founded_projects(self, person_id: int) -> tuple[int, ...]: ...

    def erasure(self, person_id: int) -> ErasureRecord | None: ...

    def erase(self, plan: ErasurePlan) -> ErasureCounts:
        """Carry out the plan in ONE transaction: all of it, or none of it and
        ``ErasureFailedError`` (a concurrent erasure of the same person also ends there)."""
        ...

    def purge_candidates(self, *, cutoff: datetime, today: date) -> list[PurgeCandidate]:
        """People whose memberships are all suspended since before ``cutoff``, not yet erased,
        taking part in no event or course edition that ends on or after ``today``."""
        ...


PseudonymSource = Callable[[], str]  # returns 4 hex digits (secrets.token_hex(2))
