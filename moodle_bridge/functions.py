"""Typed wrappers for the five Moodle external functions the bridge uses.

Each wrapper calls ``MoodleClient.call``, validates the answer with its schema in
``schemas.moodle.webservice`` (reference/domain-facts.md 3.5) and returns small dataclasses.
A response that does not match the documented shape is a ``MoodleProtocolError``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError

from moodle_bridge.client import MoodleClient
from moodle_bridge.errors import MoodleProtocolError
from schemas.moodle.webservice import (
    ActivitiesCompletionSchema,
    CourseCompletionSchema,
    CoursesSchema,
    EnrolledUserSchema,
    SiteInfoSchema,
)

# The functions an administrator must add to the external service (docs/moodle-bridge.md).
REQUIRED_FUNCTIONS = (
    "core_webservice_get_site_info",
    "core_course_get_courses_by_field",
    "core_enrol_get_enrolled_users",
    "core_completion_get_course_completion_status",
    "core_completion_get_activities_completion_status",
)


class CompletionState(enum.IntEnum):
    """Activity completion states, lib/completionlib.php."""

    INCOMPLETE = 0
    COMPLETE = 1
    COMPLETE_PASS = 2
    COMPLETE_FAIL = 3
    COMPLETE_FAIL_HIDDEN = 4  # failing grade on a hidden grade item (newer Moodle)

    @property
    def is_complete(self) -> bool:
        # A failed activity is "complete" in Moodle's tracking but not an achievement.
        return self in (CompletionState.COMPLETE, CompletionState.COMPLETE_PASS)


@dataclass(frozen=True)
class SiteInfo:
    sitename: str
    siteurl: str
    userid: int
    username: str
    release: str
    functions: tuple[str, ...]

    def missing_functions(self) -> tuple[str, ...]:
        """Required functions the token's service does not offer (an empty list from Moodle
        means the answer did not include them; then nothing is reported missing)."""
        if not self.functions:
            return ()
        return tuple(name for name in REQUIRED_FUNCTIONS if name not in self.functions)


@dataclass(frozen=True)
class MoodleCourse:
    id: int
    shortname: str
    fullname: str
    completion_enabled: bool | None  # None when Moodle did not say


@dataclass(frozen=True)
class EnrolledUser:
    id: int
    fullname: str
    roles: tuple[str, ...]  # role shortnames, when the token may see them


@dataclass(frozen=True)
class CourseCompletion:
    completed: bool
    aggregation: int  # 1 all criteria, 2 any
    criteria_total: int
    criteria_complete: int


@dataclass(frozen=True)
class ActivityCompletion:
    cmid: int
    modname: str
    state: CompletionState
    timecompleted: int | None
    tracking: int  # 0 none, 1 manual, 2 automatic


def _load(schema: Schema, wsfunction: str, body: Any) -> Any:
    try:
        return schema.load(body)
    except ValidationError as error:
        raise MoodleProtocolError(
            f"Moodle's answer to {wsfunction} does not have the documented shape.",
        ) from error


def get_site_info(client: MoodleClient) -> SiteInfo:
    name = "core_webservice_get_site_info"
    data = _load(SiteInfoSchema(), name, client.call(name))
    return SiteInfo(
        sitename=data["sitename"],
        siteurl=data["siteurl"],
        userid=data["userid"],
        username=data["username"],
        release=data["release"],
        functions=tuple(f["name"] for f in data["functions"]),
    )


def get_course(client: MoodleClient, course_id: int) -> MoodleCourse | None:
    name = "core_course_get_courses_by_field"
    data = _load(CoursesSchema(), name, client.call(name, {"field": "id", "value": course_id}))
    for course in data["courses"]:
        if course["id"] == course_id:
            enabled = course["enablecompletion"]
            return MoodleCourse(
                id=course["id"],
                shortname=course["shortname"],
                fullname=course["fullname"],
                completion_enabled=None if enabled is None else bool(enabled),
            )
    return None


def iter_enrolled_users(
    client: MoodleClient, course_id: int, *, page_size: int = 200
) -> Iterator[EnrolledUser]:
    """Active enrolments only (``onlyactive``), fetched in pages (``limitfrom``/``limitnumber``)
    so that a large course does not become one huge answer."""
    name = "core_enrol_get_enrolled_users"
    schema = EnrolledUserSchema(many=True)
    start = 0
    while True:
        options = [
            {"name": "onlyactive", "value": 1},
            {"name": "userfields", "value": "id,fullname,roles"},
            {"name": "limitfrom", "value": start},
            {"name": "limitnumber", "value": page_size},
        ]
        body = client.call(name, {"courseid": course_id, "options": options})
        users = _load(schema, name, body)
        for user in users:
            yield EnrolledUser(
                id=user["id"],
                fullname=user["fullname"],
                roles=tuple(role["shortname"] for role in user["roles"]),
            )
        if len(users) < page_size:
            return
        start += page_size


def get_course_completion(client: MoodleClient, course_id: int, user_id: int) -> CourseCompletion:
    """Raises ``MoodleNoCriteriaError`` for a course without criteria and
    ``MoodleUserNotEnrolledError`` for users completion does not track."""
    name = "core_completion_get_course_completion_status"
    data = _load(
        CourseCompletionSchema(),
        name,
        client.call(name, {"courseid": course_id, "userid": user_id}),
    )
    status = data["completionstatus"]
    criteria = status["completions"]
    return CourseCompletion(
        completed=status["completed"],
        aggregation=status["aggregation"],
        criteria_total=len(criteria),
        criteria_complete=sum(1 for c in criteria if c["complete"]),
    )


def get_activities_completion(
    client: MoodleClient, course_id: int, user_id: int
) -> dict[int, ActivityCompletion]:
    """cmid → completion, for every activity with completion tracking."""
    name = "core_completion_get_activities_completion_status"
    data = _load(
        ActivitiesCompletionSchema(),
        name,
        client.call(name, {"courseid": course_id, "userid": user_id}),
    )
    return {
        status["cmid"]: ActivityCompletion(
            cmid=status["cmid"],
            modname=status["modname"],
            state=CompletionState(status["state"]),
            timecompleted=status["timecompleted"] or None,
            tracking=status["tracking"],
        )
        for status in data["statuses"]
    }
