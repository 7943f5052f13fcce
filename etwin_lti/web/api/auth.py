"""Who calls the REST API, and what they may do: the one place for it.

Callers (``ApiCaller``):

- a bearer token (``Authorization: Bearer etw_...``): ``admin``, ``nso_officer``,
  ``css_officer`` or ``teacher`` (``etwin_lti.domain.api_tokens``). The secret is hashed by the
  store and never logged; an unknown, revoked or expired one is 401.
- a teacher's launch session, for the embedded page's own scripts: the launch cookie (or the
  ``X-Etwin-Launch`` header token, as the pages use when cookies are blocked) PLUS the page's
  CSRF token in the ``X-Etwin-CSRF`` header (the same token as the forms' ``csrf_token``
  field). Without that header the request carries no API credential (401: a cookie alone never
  is one, another site can make a browser send it); with a wrong one it is 403 ``csrf_failed``.
  Only teachers: a pupil's or a tool administrator's session is 403 (docs/decisions/0027).

A teacher token and a teacher's launch session are *person-bound*: the caller acts AS that one
person. How every endpoint gets that, without code of its own:

``@requires(ApiPermission.X)`` -- every ``/api/v1`` view has it (a test walks the URL map). It
authenticates, checks the role's permission, sets the audit actor, and for a person-bound
caller:

1. **Writes act as the person.** Request fields that name the acting person -- ``actor_id``,
   ``viewer_id``, ``member_id``, and any schema field declared with
   ``metadata={"x-acting-person": True}`` (e.g. ``founder_id`` of a new project) -- are filled
   in from the credential when left out; a value that differs is 403 ``actor_mismatch`` (never
   trusted). This is done when the body or query is parsed (``bind_acting_person``, called by
   ``web.api.parsing.ApiParser``), so the view simply reads ``body["actor_id"]`` and the hub
   applies the rules the pages use for that person. A path parameter naming the actor is
   declared with ``requires(..., acting_path="person_id")``.
2. **Closed by default.** A WRITE endpoint whose arguments name no acting person (provisioning
   people, the course catalogue, issuing acknowledgements...) is something no teacher does:
   admin tokens only, decided when the view is decorated. So a new endpoint is safe for
   teachers as soon as its schema has ``actor_id`` -- and refused to them until it does.
3. **Reads are what that person may see.** On GET, the path's ``twinspace_id`` must be a
   TwinSpace they are an active member of, ``project_id`` a project they found, joined as a
   partner or work in (not as a guest), ``person_id`` themself, a non-pupil, or a pupil of a
   TwinSpace they teach in, ``acknowledgement_id`` their own; anything else is 403. Private
   content then comes only through ``viewer_id`` (forced to themself), as the pages show it.

What an answer may contain per role is ``etwin_lti.domain.api_access``; the ``*_view``
helpers below apply it to what the hub answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

import marshmallow as ma
from flask import current_app, g, request
from werkzeug.datastructures import MultiDict

from etwin_lti.domain import api_access
from etwin_lti.domain.api_tokens import (
    ApiCaller,
    ApiPermission,
    ApiToken,
    ApiTokenRole,
    roles_allowed,
)
from etwin_lti.domain.audit import AuditActor
from etwin_lti.domain.model import DiaryPost, MemberStatus, Person, PersonKind, TwinSpaceRole
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.errors import (
    AuthenticationError,
    InvalidInputError,
    LaunchSessionError,
    NotFoundError,
    PermissionDeniedError,
    PupilFixer,
)
from etwin_lti.services.audit import acting_as
from etwin_lti.services.pages.common import PersonRequiredError, check_csrf, csrf_key
from etwin_lti.web.container import services
from etwin_lti.web.session import current_launch

F = TypeVar("F", bound=Callable[..., Any])

CSRF_HEADER = "X-Etwin-CSRF"
ACTING_FIELDS = frozenset({"actor_id", "viewer_id", "member_id"})
ACTING_METADATA = "x-acting-person"  # shown in the OpenAPI document too
ROLES_FOR = {p: [r.value for r in roles_allowed(p)] for p in ApiPermission}


class ActorMismatchError(PermissionDeniedError):
    error = "actor_mismatch"
    description = N_("This credential acts only as its own person: leave actor ids out.")
    who_can_fix = N_("you: send your own id, or none")


class NotForTeachersError(PermissionDeniedError):
    error = "admin_only"
    description = N_("No teacher does this: it takes an admin token.")
    who_can_fix = N_("the tool administrator")
    pupil_fixer = PupilFixer.TEACHER


class NotYoursError(PermissionDeniedError):
    error = "not_yours"
    description = N_("You may read only what you take part in.")
    who_can_fix = N_("a teacher administrator of that TwinSpace")


class TeachersOnlyError(PermissionDeniedError):
    error = "teachers_only"
    description = N_("The API is for teachers; pupils work on the activity's pages.")
    who_can_fix = N_("your teacher")


class LaunchSessionEndedError(AuthenticationError):
    description = N_("Your launch session has ended: open the activity again from your course.")


def requires(
    permission: ApiPermission,
    *,
    acting_path: str | None = None,
    acting_body: bool = False,
    admin_only: bool = False,
) -> Callable[[F], F]:
    """Authenticate and authorise an API view (see the module docstring).

    ``acting_path``: the name of a path parameter that names the acting person (e.g.
    ``person_id`` of ``PUT /activities/<id>/done/<person_id>``): a person-bound caller may
    pass only their own id.
    ``acting_body``: for a view that parses its arguments itself (``bp.ARGUMENTS_PARSER.parse``,
    e.g. a multipart upload) with a schema naming the acting person, which the decorator cannot
    see: the parser binds that person all the same; without it such a WRITE is admin-only.
    ``admin_only``: refused to person-bound callers although it names an acting person (adding
    a partner without asking them: teachers invite instead, docs/decisions/0028)."""

    def decorator(view: F) -> F:
        teachers = not admin_only and (
            permission is ApiPermission.READ
            or (
                permission is ApiPermission.WRITE
                and (acting_path is not None or acting_body or _names_acting_person(view))
            )
        )

        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            caller = _authenticate()
            if not caller.allows(permission):
                raise PermissionDeniedError(
                    "This API token's role does not allow this.",
                    who_can_fix="the tool administrator (etwin-lti token create)",
                )
            if caller.acts_as_person and not teachers:
                raise NotForTeachersError()
            g.api_caller = caller
            if caller.acts_as_person:
                assert caller.person_id is not None
                if acting_path is not None and kwargs.get(acting_path) != caller.person_id:
                    raise ActorMismatchError()
                if request.method == "GET":
                    _check_reads(caller.person_id, kwargs)
            with acting_as(_audit_actor(caller)):
                return view(*args, **kwargs)

        wrapper.api_permission = permission  # type: ignore[attr-defined]
        # Shown in the OpenAPI document next to each operation.
        apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
        roles = [r for r in ROLES_FOR[permission] if teachers or r != ApiTokenRole.TEACHER]
        apidoc.setdefault("manual_doc", {})["x-token-roles"] = roles
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


# --- who is calling -----------------------------------------------------------------------------


def _authenticate() -> ApiCaller:
    header = request.headers.get("Authorization")
    if header is None and CSRF_HEADER in request.headers:
        return _launch_caller()
    scheme, _, secret = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationError()
    token: ApiToken = services().api_tokens.authenticate(secret.strip(), now=datetime.now(UTC))
    if token.role is ApiTokenRole.NSO_OFFICER:  # a country can leave eTwinning after issue
        api_access.check_token_country(token, hub().list_countries())
    g.api_token = token
    return ApiCaller.of_token(token)


def _launch_caller() -> ApiCaller:
    """The launch session with the page's CSRF token: the same two proofs as a form post."""
    try:
        session = current_launch()
    except LaunchSessionError as error:
        raise LaunchSessionEndedError() from error
    check_csrf(csrf_key(current_app.config["SECRET_KEY"]), session, request.headers[CSRF_HEADER])
    if session.person_id is None:
        raise PersonRequiredError()
    try:
        kind = hub().get_person(session.person_id).kind
    except NotFoundError as error:  # erased meanwhile
        raise LaunchSessionEndedError() from error
    if kind is not PersonKind.TEACHER:
        raise TeachersOnlyError()
    return ApiCaller.of_launch(session.person_id)


def _audit_actor(caller: ApiCaller) -> AuditActor:
    if caller.token_id is None:
        assert caller.person_id is not None
        return AuditActor.person(caller.person_id)
    return AuditActor.token(caller.token_id, caller.role.value)


def current_caller() -> ApiCaller:
    caller: ApiCaller = g.api_caller
    return caller


def current_token() -> ApiCaller:
    """The caller (kept under its old name: role, country_code and id read the same)."""
    return current_caller()


# --- 1. acting as the person --------------------------------------------------------------------


def _acting_fields(schema: ma.Schema) -> list[str]:
    return [
        field.data_key or name
        for name, field in schema.fields.items()
        if name in ACTING_FIELDS or field.metadata.get(ACTING_METADATA)
    ]


def _names_acting_person(view: Callable[..., Any]) -> bool:
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    for parameter in parameters:
        schema = parameter.get("schema") if isinstance(parameter, Mapping) else None
        if isinstance(schema, type):
            schema = schema()
        if isinstance(schema, ma.Schema) and _acting_fields(schema):
            return True
    return False


def _same(value: Any, person_id: int) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == person_id
    return isinstance(value, str) and value == str(person_id)


def bind_acting_person(data: Any, schema: ma.Schema) -> Any:
    """The parsed body or query with the acting-person fields set from a person-bound caller
    (``ActorMismatchError`` for one that differs); unchanged for any other caller."""
    caller = g.get("api_caller")
    if caller is None or not caller.acts_as_person:
        return data
    fields = _acting_fields(schema)
    if not fields:
        return data
    person_id = caller.person_id
    if data is ma.missing:
        return dict.fromkeys(fields, person_id)
    if hasattr(data, "data") and hasattr(data.data, "getlist"):  # webargs' MultiDictProxy
        values = MultiDict(data.data)
        for name in fields:
            given = values.getlist(name)
            if given and (len(given) > 1 or not _same(given[0], person_id)):
                raise ActorMismatchError()
            values[name] = str(person_id)
        return type(data)(values, schema)
    if isinstance(data, Mapping):
        bound = dict(data)
        for name in fields:
            if name in bound and not _same(bound[name], person_id):
                raise ActorMismatchError()
            bound[name] = person_id
        return bound
    return data  # not an object: the schema refuses it (422)


# --- 3. what a person may read ------------------------------------------------------------------


def _check_reads(person_id: int, path: Mapping[str, Any]) -> None:
    if "twinspace_id" in path:
        _member(path["twinspace_id"], person_id)
    if "project_id" in path and not _takes_part(path["project_id"], person_id):
        raise NotYoursError()
    if "person_id" in path and not _may_see_person(person_id, path["person_id"]):
        raise NotYoursError()
    if "acknowledgement_id" in path:
        try:
            owner = hub().get_acknowledgement(path["acknowledgement_id"]).person_id
        except NotFoundError as error:
            raise NotYoursError() from error
        if owner != person_id:
            raise NotYoursError()


def _member(twinspace_id: int, person_id: int, *, working: bool = False) -> None:
    """An active member (with ``working``: not a read-only guest); else ``NotYoursError``."""
    try:
        member = hub().get_member(twinspace_id, person_id)
    except NotFoundError as error:
        raise NotYoursError() from error
    if member.status is not MemberStatus.ACTIVE:
        raise NotYoursError()
    if working and member.role is TwinSpaceRole.GUEST:
        raise NotYoursError()


def _takes_part(project_id: int, person_id: int) -> bool:
    try:
        project = hub().get_project(project_id)
    except NotFoundError:
        return False
    if person_id in project.founder_ids or person_id in project.partner_ids:
        return True
    if project.twinspace_id is None:
        return False
    try:
        _member(project.twinspace_id, person_id, working=True)
    except NotYoursError:
        return False
    return True


def _may_see_person(person_id: int, other_id: int) -> bool:
    if other_id == person_id:
        return True
    try:
        other = hub().get_person(other_id)
    except NotFoundError:
        return False
    if other.kind is not PersonKind.PUPIL:
        return True  # teachers, experts, trainers: seen as officers see them (no e-mail)
    return any(
        _teaches_pupil(twinspace.id, person_id, other_id)
        for twinspace in hub().list_twinspaces(member_id=person_id)
    )


def _teaches_pupil(twinspace_id: int, person_id: int, pupil_id: int) -> bool:
    try:
        _member(twinspace_id, person_id, working=True)
        hub().get_member(twinspace_id, pupil_id)
    except (NotFoundError, NotYoursError):
        return False
    return True


# --- officers' and teachers' views of an answer -------------------------------------------------


def nso_country(requested: str | None) -> str:
    """The NSO acting: an officer's token is bound to its country; an admin names it."""
    token = current_caller()
    if token.role is ApiTokenRole.NSO_OFFICER:
        assert token.country_code is not None
        if requested is not None and requested.upper() != token.country_code:
            raise PermissionDeniedError(
                f"This token belongs to the NSO of {token.country_code}.",
                who_can_fix="the NSO of that country",
            )
        return token.country_code
    if not requested:
        raise InvalidInputError(errors={"nso_country_code": ["Required with an admin token."]})
    return requested


def viewer(requested: int | None) -> int | None:
    """Only admin tokens may read as any person; a teacher reads as themself (``viewer_id``
    was bound to them when parsed); without one the hub shows public items only, so officers
    never see pupils' private work."""
    caller = current_caller()
    if caller.acts_as_person:
        return caller.person_id
    if requested is not None and caller.role is not ApiTokenRole.ADMIN:
        raise PermissionDeniedError(N_("Only admin tokens may read as a person (viewer_id)."))
    return requested


def person_view(person: Person) -> Person:
    return api_access.person_for(current_caller(), person)


def check_reads_pupils_content(what: str, twinspace_id: int | None = None) -> None:
    """Admin tokens; a teacher working (not as a guest) in ``twinspace_id``; no officer."""
    caller = current_caller()
    if caller.acts_as_person and twinspace_id is not None:
        assert caller.person_id is not None
        _member(twinspace_id, caller.person_id, working=True)
        return
    api_access.check_reads_pupils_content(caller, what)


def diary_view(posts: list[DiaryPost]) -> list[DiaryPost]:
    caller = current_caller()
    if api_access.reads_pupils_content(caller):
        return posts
    return api_access.diary_for(caller, posts, _kinds(api_access.comment_authors(posts)))


def snapshot_view(snapshot: TwinSpaceSnapshot) -> TwinSpaceSnapshot:
    caller = current_caller()
    if api_access.reads_pupils_content(caller):
        return snapshot
    kinds = _kinds(api_access.comment_authors(snapshot.diary))
    return api_access.snapshot_for(caller, snapshot, kinds)


def _kinds(person_ids: Iterable[int]) -> dict[int, PersonKind]:
    """Comment authors' kinds; an erased author is left out (so their comment is too)."""
    kinds = {}
    for person_id in sorted(person_ids):
        try:
            kinds[person_id] = hub().get_person(person_id).kind
        except NotFoundError:
            continue
    return kinds


def hub() -> Any:
    return services().hub


def progress() -> Any:
    return services().progress
