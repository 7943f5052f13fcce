"""Progress passback: the score outbox and its retry rules (DESIGN.md flow 5, issue 4 item 3).

A completion (a unit's last activity done, a Learning Event participant marked complete) writes,
in the same transaction, one pending score per resource link that shows that resource to that
person (``Completion`` → ``ScoreTarget`` rows). A worker then posts each score to the link's own
line item; what happens next depends on the platform's answer (lti-landscape.md 5.5 and 8.4):

    2xx                      → sent
    409 (older timestamp)    → sent: the platform already holds this or a newer score
    400 (user not gradable)  → skipped, reason recorded (Moodle: teachers are not gradable)
    429 / 5xx / timeout / token endpoint down → retried with exponential backoff and jitter
                               (Retry-After honoured up to a cap); dead after N attempts
    other 4xx (403, 404...)  → dead at once: retrying cannot help until someone fixes the LMS

Dead letters stay in the outbox with a reason a tool administrator can act on, and can be
retried (CLI ``etwin-lti passback retry``, page ``/admin/passback``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from etwin_lti.domain.launches import Resource
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError

ERROR_MAX = 500  # characters of a reason kept in the outbox (platform bodies are truncated)


class ScoreStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    DEAD = "dead"


@dataclass(frozen=True)
class Completion:
    """Someone finished something that a platform may want a score for."""

    person_id: int
    resource: Resource  # unit:<id> or event:<id>
    completed_at: datetime


@dataclass(frozen=True)
class ScoreTarget:
    """One resource link that shows the completed resource, and the person's id there."""

    platform_id: int
    deployment_id: str
    resource_link_id: str
    user_id: str  # the LTI ``sub`` on that platform


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    platform_id: int
    deployment_id: str
    resource_link_id: str
    person_id: int
    user_id: str
    resource: str
    score_given: float
    score_maximum: float
    timestamp: datetime
    status: ScoreStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None = None
    last_status: int | None = None  # the platform's last HTTP status, if it answered
    lineitem_url: str | None = None
    sent_at: datetime | None = None
    request_id: str | None = None  # of the request that owed the score, for its log lines


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0

    def delay(self, attempt: int, rand: Callable[[], float]) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, so that a crowd
        of scores failing together does not come back together. ``attempt`` starts at 1."""
        ceiling = min(self.cap_seconds, self.base_seconds * float(2 ** max(0, attempt - 1)))
        return ceiling / 2 + rand() * ceiling / 2


@dataclass(frozen=True)
class AgsAnswer:
    """What the platform answered to a score POST (the client has already refreshed the
    access token once on 401)."""

    status: int
    retry_after: str | None = None
    body_excerpt: str = ""


@dataclass(frozen=True)
class Decision:
    status: ScoreStatus
    reason: str | None
    next_attempt_at: datetime | None = None  # set when status stays PENDING


def decide_answer(
    answer: AgsAnswer,
    attempts: int,
    policy: RetryPolicy,
    *,
    now: datetime,
    rand: Callable[[], float],
) -> Decision:
    """``attempts`` counts this one. See the module docstring for the table."""
    status, excerpt = answer.status, answer.body_excerpt.strip()
    detail = f" ({excerpt})" if excerpt else ""
    if 200 <= status < 300:
        return Decision(ScoreStatus.SENT, None)
    if status == 409:
        return Decision(
            ScoreStatus.SENT, "409: the LMS already holds this score or a newer one" + detail
        )
    if status == 400:
        return Decision(
            ScoreStatus.SKIPPED,
            "400: the LMS cannot grade this user in this activity (teachers are not gradable "
            "in Moodle)" + detail,
        )
    if status == 429 or status >= 500:
        return decide_retry(
            f"{status} from the LMS{detail}",
            attempts,
            policy,
            now=now,
            rand=rand,
            retry_after=answer.retry_after,
        )
    hint = {
        401: "the LMS did not accept the tool's access token even after a fresh one",
        403: "the LMS does not let the tool post grades here (AGS switched off or 'Accept "
        "grades from the tool' not set)",
        404: "the grade column (line item) no longer exists in the LMS",
    }.get(status, "the LMS refused the score")
    return Decision(ScoreStatus.DEAD, f"{status}: {hint}{detail}")


def decide_retry(
    reason: str,
    attempts: int,
    policy: RetryPolicy,
    *,
    now: datetime,
    rand: Callable[[], float],
    retry_after: str | None = None,
) -> Decision:
    """A transient failure: try again later, or give up after ``policy.max_attempts``."""
    if attempts >= policy.max_attempts:
        return Decision(ScoreStatus.DEAD, f"gave up after {attempts} attempts: {reason}")
    wait = parse_retry_after(retry_after, now=now)
    seconds = min(wait, policy.cap_seconds) if wait is not None else policy.delay(attempts, rand)
    return Decision(ScoreStatus.PENDING, reason, now + timedelta(seconds=seconds))


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """RFC 9110 10.2.3: delay-seconds or an HTTP-date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def clip(reason: str) -> str:
    return reason if len(reason) <= ERROR_MAX else reason[: ERROR_MAX - 1] + "…"


class LineItemUnavailableError(RemoteServiceError):
    """No grade column to post to, and retrying will not make one: dead at once."""

    error = "no_line_item"
    description = N_("The LMS offers no grade column for this activity.")
    who_can_fix = N_("your LMS administrator (switch on the tool's grade service)")


# --- ports -------------------------------------------------------------------------------------


class ScoreOutbox(Protocol):
    """The outbox table. Rows are written by the completion hook (same transaction as the
    completion); everything here is one short transaction per call."""

    def claim(self, entry_id: int, *, now: datetime, lease_seconds: int) -> OutboxEntry | None:
        """Take a pending, due, unleased row for this worker (atomic: of two workers at most
        one gets it); None when it is not pending, not due, or leased by another worker."""
        ...

    def claim_due(
        self, entry_id: int, *, now: datetime, lease_seconds: int, limit: int
    ) -> list[OutboxEntry]:
        """Take up to ``limit`` pending, due, unleased rows at once, ``entry_id`` first when
        it is one of them (atomic per row, as ``claim``; rows another worker is taking at that
        moment are skipped, not waited for)."""
        ...

    def release(self, entry_ids: Sequence[int], *, now: datetime) -> None:
        """Give back claimed rows that were not attempted (the lease and its attempt)."""
        ...

    def finish(
        self,
        entry_id: int,
        decision: Decision,
        *,
        now: datetime,
        last_status: int | None,
        lineitem_url: str | None,
    ) -> OutboxEntry: ...

    def due(self, *, now: datetime, limit: int) -> list[int]:
        """Pending rows whose time has come and that no worker holds."""
        ...

    def get(self, entry_id: int) -> OutboxEntry: ...

    def entries(
        self, *, status: ScoreStatus | None = None, limit: int = 200
    ) -> list[OutboxEntry]: ...

    def retry(self, entry_ids: Sequence[int] | None, *, now: datetime) -> list[int]:
        """Dead rows (these, or all when None) back to pending, attempts reset."""
        ...


class TaskQueue(Protocol):
    """The durable task queue (huey). Enqueueing may fail while the queue is down: the outbox
    row stays pending and the periodic sweep enqueues it again, so nothing is lost."""

    def enqueue_post_score(self, entry_id: int, *, eta: datetime | None = None) -> bool: ...


class LineItemMemory(Protocol):
    """Line items the tool had to find or create for links launched without one."""

    def get(self, platform_id: int, resource_link_id: str) -> str | None: ...

    def remember(self, platform_id: int, resource_link_id: str, lineitem_url: str) -> None: ...


class AgsPort(Protocol):
    """AGS 2.0 calls (``connectors.ags_client.HttpAgsClient``)."""

    def post_score(
        self, platform_id: int, lineitem_url: str, payload: Mapping[str, Any]
    ) -> AgsAnswer: ...

    def find_lineitem(
        self, platform_id: int, lineitems_url: str, *, resource_link_id: str, tag: str
    ) -> str | None: ...

    def create_lineitem(
        self, platform_id: int, lineitems_url: str, payload: Mapping[str, Any]
    ) -> str: ...
