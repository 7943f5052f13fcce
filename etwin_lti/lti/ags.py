"""Assignment and Grade Services 2.0, the tool's side, sans I/O.

Spec: https://www.imsglobal.org/spec/lti-ags/v2p0/ — section 3.2 (line item service: media
types, server-side filters ``resource_link_id`` / ``tag``), 3.4 (score publish service:
``<lineitem>/scores``, media type, required fields), 3.5 (scopes), 3.6 (the ``endpoint`` claim).
Moodle's rules (lti-landscape.md section 5, points 5, 6 and 12): service URLs carry
``?type_id=N``, so ``/scores`` goes BEFORE the query string; a score whose timestamp is not
strictly newer than the stored one is refused with 409; users Moodle cannot grade (teachers)
get 400; ``scoreGiven`` is dropped unless ``gradingProgress`` is ``FullyGraded``.

Everything here takes plain data and returns plain data: URLs, JSON bodies, timestamps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

from etwin_lti.domain.translatable import N_

# 3.5 scopes
SCOPE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM: Final = SCOPE + "lineitem"
SCOPE_LINEITEM_READONLY: Final = SCOPE + "lineitem.readonly"
SCOPE_RESULT_READONLY: Final = SCOPE + "result.readonly"
SCOPE_SCORE: Final = SCOPE + "score"

# 3.2.1 / 3.4.1 media types
LINEITEM_MEDIA_TYPE: Final = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_MEDIA_TYPE: Final = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA_TYPE: Final = "application/vnd.ims.lis.v1.score+json"

# 3.4.4 / 3.4.5
ACTIVITY_COMPLETED: Final = "Completed"
GRADING_FULLY_GRADED: Final = "FullyGraded"

# Completion is all we report: a finished unit or event is "1 out of 1". Moodle rescales it to
# the grade item's maximum (domain-facts.md 3.7).
COMPLETION_SCORE_GIVEN: Final = 1.0
COMPLETION_SCORE_MAXIMUM: Final = 1.0

ONE_MICROSECOND: Final = timedelta(microseconds=1)


def scores_url(lineitem_url: str) -> str:
    """``<lineitem>/scores`` with the query string (Moodle's ``?type_id=``) kept after it."""
    return _append_path(lineitem_url, "scores")


def results_url(lineitem_url: str) -> str:
    return _append_path(lineitem_url, "results")


def lineitems_query_url(lineitems_url: str, **filters: str) -> str:
    """The line item container URL with server-side filters (3.2.4) added to its own query."""
    parts = urlsplit(lineitems_url)
    extra = urlencode({k: v for k, v in filters.items() if v})
    query = "&".join(q for q in (parts.query, extra) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _append_path(url: str, segment: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/") + "/" + segment
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 with microseconds and an explicit UTC offset (3.4.2 ``timestamp``)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def next_timestamp(now: datetime, last: datetime | None) -> datetime:
    """Strictly increasing per (line item, user): Moodle refuses a score that is not newer than
    the one it holds (409), so a new score is never stamped at or before the previous one."""
    if last is None or now > last:
        return now
    return last + ONE_MICROSECOND


def score_payload(
    user_id: str,
    timestamp: datetime,
    *,
    score_given: float = COMPLETION_SCORE_GIVEN,
    score_maximum: float = COMPLETION_SCORE_MAXIMUM,
    comment: str | None = None,
) -> dict[str, Any]:
    """A completion score (3.4.2): Completed and FullyGraded, so that Moodle keeps scoreGiven."""
    body: dict[str, Any] = {
        "userId": user_id,
        "scoreGiven": score_given,
        "scoreMaximum": score_maximum,
        "activityProgress": ACTIVITY_COMPLETED,
        "gradingProgress": GRADING_FULLY_GRADED,
        "timestamp": iso_timestamp(timestamp),
    }
    if comment:
        body["comment"] = comment
    return body


def lineitem_payload(
    label: str, score_maximum: float, *, resource_link_id: str, tag: str, resource_id: str
) -> dict[str, Any]:
    """A new line item (3.2.7); Moodle needs ``label`` and a numeric ``scoreMaximum``."""
    return {
        "label": label,
        "scoreMaximum": score_maximum,
        "resourceLinkId": resource_link_id,
        "resourceId": resource_id,
        "tag": tag,
    }


@dataclass(frozen=True)
class LineItem:
    id: str  # the line item URL, ``?type_id=`` and all
    label: str
    resource_link_id: str | None
    tag: str | None


def parse_lineitems(body: object) -> list[LineItem]:
    """A line item container (a JSON array); tolerant of unknown fields, strict on ``id``."""
    if not isinstance(body, list):
        raise ValueError(N_("a line item container must be a JSON array"))
    return [parse_lineitem(item) for item in body]


def parse_lineitem(item: object) -> LineItem:
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not item["id"]:
        raise ValueError(N_("a line item needs a string id"))
    return LineItem(
        id=item["id"],
        label=str(item.get("label") or ""),
        resource_link_id=_opt_str(item.get("resourceLinkId")),
        tag=_opt_str(item.get("tag")),
    )


def pick_lineitem(items: Sequence[LineItem], *, resource_link_id: str, tag: str) -> LineItem | None:
    """The platform filtered on the server (3.2.4); check again, since some ignore filters."""
    for item in items:
        if item.resource_link_id == resource_link_id and (item.tag in (None, "", tag)):
            return item
    return None


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
