"""Responses of the Moodle external functions the bridge calls.

Each schema declares only the fields we read; everything else (e-mail addresses included) is
dropped at the boundary by ``InboundSchema``. Sources: ``webservice/externallib.php``
(``core_webservice_get_site_info_returns``), ``course/externallib.php``
(``get_courses_by_field_returns``), ``enrol/externallib.php`` (``get_enrolled_users_returns``),
``completion/classes/external.php`` (``get_course_completion_status_returns``,
``get_activities_completion_status_returns``).
"""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import InboundSchema


class FunctionSchema(InboundSchema):
    name = fields.String(required=True)
    version = fields.String(load_default="")


class SiteInfoSchema(InboundSchema):
    """core_webservice_get_site_info (Moodle 2.2+)."""

    sitename = fields.String(required=True)
    siteurl = fields.String(required=True)
    userid = fields.Integer(required=True)
    username = fields.String(load_default="")
    release = fields.String(load_default="")
    version = fields.String(load_default="")
    functions = fields.List(fields.Nested(FunctionSchema), load_default=list)


class CourseSchema(InboundSchema):
    id = fields.Integer(required=True)
    shortname = fields.String(required=True)
    fullname = fields.String(required=True)
    enablecompletion = fields.Integer(load_default=None, allow_none=True)
    visible = fields.Integer(load_default=1)


class CoursesSchema(InboundSchema):
    """core_course_get_courses_by_field (Moodle 3.2+)."""

    courses = fields.List(fields.Nested(CourseSchema), required=True)


class RoleSchema(InboundSchema):
    roleid = fields.Integer(required=True)
    shortname = fields.String(load_default="")


class EnrolledUserSchema(InboundSchema):
    """One element of core_enrol_get_enrolled_users' list (Moodle 2.1+). ``fullname`` and
    ``roles`` depend on the token user's capabilities, so they are optional."""

    id = fields.Integer(required=True)
    fullname = fields.String(load_default="")
    roles = fields.List(fields.Nested(RoleSchema), load_default=list)


class CompletionCriterionSchema(InboundSchema):
    type = fields.Integer(required=True)
    title = fields.String(load_default="")
    complete = fields.Boolean(required=True)
    timecompleted = fields.Integer(load_default=None, allow_none=True)


class CompletionStatusSchema(InboundSchema):
    completed = fields.Boolean(required=True)
    aggregation = fields.Integer(load_default=1, validate=validate.OneOf([1, 2]))
    completions = fields.List(fields.Nested(CompletionCriterionSchema), load_default=list)


class CourseCompletionSchema(InboundSchema):
    """core_completion_get_course_completion_status (Moodle 2.9+)."""

    completionstatus = fields.Nested(CompletionStatusSchema, required=True)


class ActivityStatusSchema(InboundSchema):
    cmid = fields.Integer(required=True)
    modname = fields.String(load_default="")
    instance = fields.Integer(load_default=0)
    # COMPLETION_INCOMPLETE 0, COMPLETE 1, COMPLETE_PASS 2, COMPLETE_FAIL 3,
    # COMPLETE_FAIL_HIDDEN 4 (newer versions) — lib/completionlib.php.
    state = fields.Integer(required=True, validate=validate.Range(min=0, max=4))
    timecompleted = fields.Integer(load_default=0, allow_none=True)
    tracking = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2))


class ActivitiesCompletionSchema(InboundSchema):
    """core_completion_get_activities_completion_status (Moodle 2.9+)."""

    statuses = fields.List(fields.Nested(ActivityStatusSchema), required=True)
