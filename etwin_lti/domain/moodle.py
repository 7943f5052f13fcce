"""The Moodle bridge's vocabulary: registered sites, course mappings and poll state.

An administrator registers a Moodle site (its web-service token is kept encrypted by the
adapter and never appears in these dataclasses) and maps a Moodle course, or one activity of it
(``cmid``), to an acknowledgement target: the distance-course certificate of an edition or a
Learning Event certificate. The poller reads completion for the mapped course's enrolled
learners and remembers, per (mapping, Moodle user), what it saw, so that a poll is incremental
and can be resumed after a failure. Moodle users are matched to hub people through their LTI
identity (issuer = the site's wwwroot, sub = the Moodle user id), never by e-mail.

Implemented by ``moodle_bridge.sites.SqlMoodleSiteStore``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from etwin_lti.errors import InvalidInputError


class TargetKind(enum.StrEnum):
    EDITION = "edition"  # the distance training course certificate of an edition
    EVENT = "event"  # the certificate of participation of a Learning Event


@dataclass(frozen=True)
class AcknowledgementTarget:
    kind: TargetKind
    id: int

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> AcknowledgementTarget:
        kind, _, raw_id = text.partition(":")
        try:
            return cls(TargetKind(kind), int(raw_id))
        except ValueError:
            raise InvalidInputError(
                errors={"target": [f"Expected edition:<id> or event:<id>, got {text!r}."]}
            ) from None


class MarkState(enum.StrEnum):
    """What the poller last concluded about one Moodle user of one mapping."""

    INCOMPLETE = "incomplete"  # checked again at the next poll
    ISSUED = "issued"  # this poll issued the acknowledgement
    ALREADY_ISSUED = "already_issued"  # someone (another poller, a trainer) issued it first
    UNMATCHED = "unmatched"  # completed, but never launched the tool: no hub person yet
    NOT_TRACKED = "not_tracked"  # Moodle does not track this user's completion (a teacher)
    GONE = "gone"  # deleted in Moodle or no longer enrolled since an earlier poll

    @property
    def is_final(self) -> bool:
        """Final states are not asked again: the acknowledgement exists."""
        return self in (MarkState.ISSUED, MarkState.ALREADY_ISSUED)


@dataclass(frozen=True)
class MoodleSite:
    id: int
    url: str  # the site's wwwroot, no trailing slash
    issuer: str  # the LTI issuer of its launches (default: url)
    label: str
    site_name: str
    release: str
    created_at: datetime


@dataclass(frozen=True)
class CourseMapping:
    id: int
    site_id: int
    course_id: int
    cmid: int | None  # one activity's completion instead of the course's
    target: AcknowledgementTarget
    created_at: datetime
    last_polled_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True)
class PollMark:
    mapping_id: int
    moodle_user_id: int
    state: MarkState
    person_id: int | None
    acknowledgement_id: int | None
    updated_at: datetime


@dataclass(frozen=True)
class PollOutcome:
    """One line of a poll report (also printed by ``etwin-lti moodle poll``)."""

    site_id: int
    mapping_id: int
    moodle_user_id: int | None  # None for an outcome about the whole mapping
    state: str  # a MarkState value, or "skipped_mapping" / "failed_mapping"
    person_id: int | None = None
    acknowledgement_id: int | None = None
    detail: str = ""


@dataclass
class PollReport:
    outcomes: list[PollOutcome] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.state == state)

    @property
    def issued(self) -> list[PollOutcome]:
        return [o for o in self.outcomes if o.state == MarkState.ISSUED]


class MoodleSiteStore(Protocol):
    """Registered Moodle sites, their course mappings and the poller's memory."""

    def add_site(
        self,
        url: str,
        token: str,
        *,
        now: datetime,
        issuer: str | None = None,
        label: str = "",
        site_name: str = "",
        release: str = "",
    ) -> MoodleSite:
        """The token is stored encrypted. Refused (409) when the URL is registered already."""
        ...

    def get_site(self, site_id: int) -> MoodleSite: ...

    def list_sites(self) -> list[MoodleSite]:
        """Ordered by id."""
        ...

    def site_token(self, site_id: int) -> str:
        """The decrypted token, for the web-service client only."""
        ...

    def add_mapping(
        self,
        site_id: int,
        course_id: int,
        target: AcknowledgementTarget,
        *,
        now: datetime,
        cmid: int | None = None,
    ) -> CourseMapping:
        """Refused (409) when the same (site, course, cmid, target) is mapped already."""
        ...

    def get_mapping(self, mapping_id: int) -> CourseMapping: ...

    def list_mappings(self, *, site_id: int | None = None) -> list[CourseMapping]:
        """Ordered by id."""
        ...

    def marks(self, mapping_id: int) -> Mapping[int, PollMark]:
        """Moodle user id → the last mark of that user for the mapping."""
        ...

    def record_mark(
        self,
        mapping_id: int,
        moodle_user_id: int,
        state: MarkState,
        *,
        now: datetime,
        person_id: int | None = None,
        acknowledgement_id: int | None = None,
    ) -> PollMark:
        """Create or replace the mark (safe when two pollers record the same user)."""
        ...

    def finish_poll(self, mapping_id: int, *, now: datetime, error: str | None = None) -> None:
        """Remember when the mapping was last polled and the error that stopped it, if any."""
        ...
