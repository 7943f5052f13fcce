"""``HttpHubConnector``: the ``HubPort`` of another etwin-lti instance, over its REST API.

It passes the same contract suite as the local hub (``tests/contract/test_http_hub.py``): every
method calls ``/api/v1`` with an admin token, rebuilds the domain dataclasses through the
``schemas.api`` response schemas, and turns the error body ``{"code", "message", "errors"}`` back
into the same ``etwin_lti.errors`` class the remote hub raised.

Outbound HTTP: one injected ``requests.Session`` (build it with ``hub_session``), explicit
connect/read timeouts, and urllib3 retries with exponential backoff for connection errors (any
method: nothing was sent) and for 502/503/504 answers to idempotent methods only (GET, PUT), so a
retried POST can never create something twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import requests
from marshmallow import Schema, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util.retry import Retry

from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    Country,
    DiaryComment,
    DiaryPost,
    Edition,
    Enrolment,
    ForumPost,
    ForumThread,
    LearningEvent,
    Material,
    MaterialKind,
    Member,
    NqlApplication,
    Page,
    Person,
    PersonKind,
    PrizeCategory,
    PrizeEligibility,
    Project,
    TwinSpace,
    TwinSpaceRole,
    Unit,
    UnitProgress,
    Visibility,
)
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.errors import (
    EtwinLtiError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RemoteServiceError,
    RemoteTimeoutError,
    RuleViolationError,
)
from schemas.api.acknowledgements import (
    AcknowledgementSchema,
    NqlApplicationSchema,
    PrizeEligibilitySchema,
)
from schemas.api.content import (
    DiaryCommentSchema,
    DiaryPostSchema,
    ForumPostSchema,
    ForumThreadSchema,
    MaterialSchema,
    PageSchema,
)
from schemas.api.course import EditionSchema, UnitProgressSchema, UnitSchema
from schemas.api.events import EnrolmentSchema, LearningEventSchema
from schemas.api.people import CountrySchema, PersonSchema
from schemas.api.projects import ProjectSchema
from schemas.api.twinspace_snapshot import TwinSpaceSnapshotSchema
from schemas.api.twinspaces import MemberSchema, TwinSpaceSchema

API_PREFIX = "/api/v1"
RETRY_STATUSES = (502, 503, 504)
_BY_STATUS: dict[int, type[EtwinLtiError]] = {
    403: PermissionDeniedError,
    404: NotFoundError,
    409: RuleViolationError,
    422: InvalidInputError,
}


def hub_session(*, retries: int = 3, backoff_factor: float = 0.5) -> requests.Session:
    """A session whose adapter retries as described in the module docstring."""
    retry = Retry(
        total=retries,
        connect=retries,
        read=1,  # a slow hub: one more try, not ``retries`` more read timeouts
        status=retries,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "PUT", "HEAD", "OPTIONS"}),
        raise_on_status=False,  # the last answer is mapped like any other
        # A remote asking us to wait minutes must not hold a web request that long.
        respect_retry_after_header=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class HttpHubConnector:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
    ) -> None:
        self._base = base_url.rstrip("/") + API_PREFIX
        self._token = token  # sent in a header only; never logged
        self._session = session
        self._timeout = (connect_timeout, read_timeout)

    def __repr__(self) -> str:  # no token in tracebacks or logs
        return f"HttpHubConnector({self._base!r})"

    # --- plumbing -------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        schema: Schema | None,
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        params = {k: v for k, v in (query or {}).items() if v is not None}
        try:
            response = self._session.request(
                method,
                self._base + path,
                json=_jsonable(body) if body is not None else None,
                params=params or None,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.RequestException as error:
            if _timed_out(error):
                raise RemoteTimeoutError(
                    f"The hub at {self._base} did not answer in time."
                ) from error
            raise RemoteServiceError(f"The hub at {self._base} could not be reached.") from error
        if response.status_code == 204 and schema is None:
            return None
        payload = self._json(response)
        if response.status_code >= 400:
            raise _remote_error(response.status_code, payload)
        if schema is None:
            return None
        try:
            return schema.load(payload)
        except ValidationError as error:
            raise RemoteServiceError(
                f"The hub at {self._base} sent an unexpected answer."
            ) from error

    def _json(self, response: requests.Response) -> Any:
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith("application/json"):
            raise RemoteServiceError(
                f"The hub at {self._base} answered {response.status_code} without JSON."
            )
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError) as error:
            raise RemoteServiceError(f"The hub at {self._base} sent broken JSON.") from error

    # --- countries and people -------------------------------------------------------------
    def list_countries(self) -> list[Country]:
        return self._call("GET", "/countries", CountrySchema(many=True))

    def create_person(
        self,
        display_name: str,
        kind: PersonKind,
        *,
        country_code: str | None = None,
        school: str | None = None,
        email: str | None = None,
    ) -> Person:
        body = {
            "display_name": display_name,
            "kind": kind,
            "country_code": country_code,
            "school": school,
            "email": email,
        }
        return self._call("POST", "/people", PersonSchema(), body=body)

    def get_person(self, person_id: int) -> Person:
        return self._call("GET", f"/people/{person_id}", PersonSchema())

    def rename_person(self, actor_id: int, person_id: int, display_name: str) -> Person:
        body = {"actor_id": actor_id, "display_name": display_name}
        return self._call("PATCH", f"/people/{person_id}", PersonSchema(), body=body)

    def set_person_country(self, actor_id: int, person_id: int, country_code: str) -> Person:
        # PUT: setting the same country twice is harmless, so the session may retry it.
        body = {"actor_id": actor_id, "country_code": country_code}
        return self._call("PUT", f"/people/{person_id}/country", PersonSchema(), body=body)

    # --- projects -------------------------------------------------------------------------
    def create_project(
        self,
        founder_id: int,
        partner_founder_id: int,
        title: str,
        description: str = "",
        *,
        age_band: PrizeCategory | None = None,
    ) -> Project:
        body = {
            "founder_id": founder_id,
            "partner_founder_id": partner_founder_id,
            "title": title,
            "description": description,
            "age_band": age_band,
        }
        return self._call("POST", "/projects", ProjectSchema(), body=body)

    def validate_project(self, nso_country_code: str, project_id: int) -> Project:
        return self._call(
            "POST",
            f"/projects/{project_id}/validations",
            ProjectSchema(),
            body={"nso_country_code": nso_country_code},
        )

    def add_partner(self, actor_id: int, project_id: int, teacher_id: int) -> Project:
        body = {"actor_id": actor_id, "teacher_id": teacher_id}
        return self._call("POST", f"/projects/{project_id}/partners", ProjectSchema(), body=body)

    def close_project(self, actor_id: int, project_id: int) -> Project:
        body = {"actor_id": actor_id}
        return self._call("POST", f"/projects/{project_id}/close", ProjectSchema(), body=body)

    def get_project(self, project_id: int) -> Project:
        return self._call("GET", f"/projects/{project_id}", ProjectSchema())

    def list_projects(self, *, member_id: int | None = None) -> list[Project]:
        query = {"member_id": member_id}
        return self._call("GET", "/projects", ProjectSchema(many=True), query=query)

    # --- TwinSpaces and members -----------------------------------------------------------
    def get_twinspace(self, twinspace_id: int) -> TwinSpace:
        return self._call("GET", f"/twinspaces/{twinspace_id}", TwinSpaceSchema())

    def list_twinspaces(self, *, member_id: int | None = None) -> list[TwinSpace]:
        query = {"member_id": member_id}
        return self._call("GET", "/twinspaces", TwinSpaceSchema(many=True), query=query)

    def list_members(self, twinspace_id: int) -> list[Member]:
        return self._call("GET", f"/twinspaces/{twinspace_id}/members", MemberSchema(many=True))

    def get_member(self, twinspace_id: int, person_id: int) -> Member:
        return self._call("GET", _member(twinspace_id, person_id), MemberSchema())

    def twinspace_snapshot(
        self, twinspace_id: int, *, viewer_id: int | None = None
    ) -> TwinSpaceSnapshot:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/snapshot",
            TwinSpaceSnapshotSchema(),
            query={"viewer_id": viewer_id},
        )

    def add_member(
        self, actor_id: int, twinspace_id: int, person_id: int, role: TwinSpaceRole
    ) -> Member:
        body = {"actor_id": actor_id, "person_id": person_id, "role": role}
        return self._call("POST", f"/twinspaces/{twinspace_id}/members", MemberSchema(), body=body)

    def change_role(
        self, actor_id: int, twinspace_id: int, person_id: int, role: TwinSpaceRole
    ) -> Member:
        body = {"actor_id": actor_id, "role": role}
        return self._call("PATCH", _member(twinspace_id, person_id), MemberSchema(), body=body)

    def suspend_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        path = _member(twinspace_id, person_id) + "/suspend"
        return self._call("POST", path, MemberSchema(), body={"actor_id": actor_id})

    def reactivate_member(self, actor_id: int, twinspace_id: int, person_id: int) -> Member:
        path = _member(twinspace_id, person_id) + "/reactivate"
        return self._call("POST", path, MemberSchema(), body={"actor_id": actor_id})

    def sync_member(
        self, twinspace_id: int, person_id: int, role: TwinSpaceRole, *, active: bool = True
    ) -> Member:
        path = _member(twinspace_id, person_id) + "/sync"
        return self._call("PUT", path, MemberSchema(), body={"role": role, "active": active})

    # --- content --------------------------------------------------------------------------
    def add_page(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        body: str,
        *,
        visibility: Visibility | None = None,
    ) -> Page:
        payload = {"actor_id": actor_id, "title": title, "body": body, "visibility": visibility}
        return self._call("POST", f"/twinspaces/{twinspace_id}/pages", PageSchema(), body=payload)

    def list_pages(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Page]:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/pages",
            PageSchema(many=True),
            query={"viewer_id": viewer_id},
        )

    def add_material(
        self,
        actor_id: int,
        twinspace_id: int,
        title: str,
        kind: MaterialKind,
        url: str,
        *,
        visibility: Visibility | None = None,
    ) -> Material:
        body = {
            "actor_id": actor_id,
            "title": title,
            "kind": kind,
            "url": url,
            "visibility": visibility,
        }
        return self._call(
            "POST", f"/twinspaces/{twinspace_id}/materials", MaterialSchema(), body=body
        )

    def list_materials(self, twinspace_id: int, *, viewer_id: int | None = None) -> list[Material]:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/materials",
            MaterialSchema(many=True),
            query={"viewer_id": viewer_id},
        )

    def post_diary(self, actor_id: int, project_id: int, title: str, body: str) -> DiaryPost:
        payload = {"actor_id": actor_id, "title": title, "body": body}
        return self._call("POST", f"/projects/{project_id}/diary", DiaryPostSchema(), body=payload)

    def comment_diary(self, actor_id: int, post_id: int, body: str) -> DiaryComment:
        payload = {"actor_id": actor_id, "body": body}
        return self._call("POST", f"/diary/{post_id}/comments", DiaryCommentSchema(), body=payload)

    def list_diary(self, project_id: int) -> list[DiaryPost]:
        return self._call("GET", f"/projects/{project_id}/diary", DiaryPostSchema(many=True))

    def create_thread(self, actor_id: int, twinspace_id: int, title: str, body: str) -> ForumThread:
        payload = {"actor_id": actor_id, "title": title, "body": body}
        return self._call(
            "POST", f"/twinspaces/{twinspace_id}/threads", ForumThreadSchema(), body=payload
        )

    def reply_thread(self, actor_id: int, thread_id: int, body: str) -> ForumPost:
        payload = {"actor_id": actor_id, "body": body}
        return self._call("POST", f"/threads/{thread_id}/posts", ForumPostSchema(), body=payload)

    def list_threads(self, twinspace_id: int) -> list[ForumThread]:
        return self._call(
            "GET", f"/twinspaces/{twinspace_id}/threads", ForumThreadSchema(many=True)
        )

    # --- Learning Events ------------------------------------------------------------------
    def create_event(
        self,
        title: str,
        description: str,
        expert_id: int,
        starts_on: date,
        ends_on: date,
        capacity: int,
    ) -> LearningEvent:
        body = {
            "title": title,
            "description": description,
            "expert_id": expert_id,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "capacity": capacity,
        }
        return self._call("POST", "/events", LearningEventSchema(), body=body)

    def get_event(self, event_id: int) -> LearningEvent:
        return self._call("GET", f"/events/{event_id}", LearningEventSchema())

    def list_events(self, *, open_only: bool = False) -> list[LearningEvent]:
        query = {"open_only": "true" if open_only else None}
        return self._call("GET", "/events", LearningEventSchema(many=True), query=query)

    def enrol(self, event_id: int, person_id: int) -> Enrolment:
        body = {"person_id": person_id}
        return self._call("POST", f"/events/{event_id}/enrolments", EnrolmentSchema(), body=body)

    def list_enrolments(self, event_id: int) -> list[Enrolment]:
        return self._call("GET", f"/events/{event_id}/enrolments", EnrolmentSchema(many=True))

    def complete_event(self, actor_id: int, event_id: int, person_id: int) -> Acknowledgement:
        body = {"actor_id": actor_id, "person_id": person_id}
        return self._call(
            "POST", f"/events/{event_id}/completions", AcknowledgementSchema(), body=body
        )

    # --- distance training course ---------------------------------------------------------
    def create_edition(
        self,
        title: str,
        year: int,
        starts_on: date,
        ends_on: date,
        *,
        trainer_ids: Sequence[int] = (),
    ) -> Edition:
        body = {
            "title": title,
            "year": year,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "trainer_ids": list(trainer_ids),
        }
        return self._call("POST", "/editions", EditionSchema(), body=body)

    def get_edition(self, edition_id: int) -> Edition:
        return self._call("GET", f"/editions/{edition_id}", EditionSchema())

    def list_editions(self) -> list[Edition]:
        return self._call("GET", "/editions", EditionSchema(many=True))

    def add_unit(
        self,
        edition_id: int,
        title: str,
        summary: str,
        *,
        documents: Sequence[tuple[str, str]] = (),
        activities: Sequence[tuple[str, str]] = (),
    ) -> Unit:
        body = {
            "title": title,
            "summary": summary,
            "documents": [{"title": t, "url": u} for t, u in documents],
            "activities": [{"title": t, "instructions": i} for t, i in activities],
        }
        return self._call("POST", f"/editions/{edition_id}/units", UnitSchema(), body=body)

    def get_unit(self, unit_id: int) -> Unit:
        return self._call("GET", f"/units/{unit_id}", UnitSchema())

    def list_units(self, *, edition_id: int | None = None) -> list[Unit]:
        query = {"edition_id": edition_id}
        return self._call("GET", "/units", UnitSchema(many=True), query=query)

    def enrol_trainee(self, edition_id: int, person_id: int) -> None:
        body = {"person_id": person_id}
        self._call("POST", f"/editions/{edition_id}/trainees", None, body=body)

    def list_trainees(self, edition_id: int) -> list[Person]:
        return self._call("GET", f"/editions/{edition_id}/trainees", PersonSchema(many=True))

    def mark_activity_done(self, person_id: int, activity_id: int) -> UnitProgress:
        path = f"/activities/{activity_id}/done/{person_id}"
        return self._call("PUT", path, UnitProgressSchema())

    def unit_progress(self, person_id: int, unit_id: int) -> UnitProgress:
        return self._call("GET", f"/units/{unit_id}/progress/{person_id}", UnitProgressSchema())

    def complete_course(
        self, actor_id: int | None, edition_id: int, person_id: int
    ) -> Acknowledgement:
        body = {"actor_id": actor_id, "person_id": person_id}
        return self._call(
            "POST", f"/editions/{edition_id}/completions", AcknowledgementSchema(), body=body
        )

    # --- acknowledgements -----------------------------------------------------------------
    def apply_nql(self, actor_id: int, project_id: int, school_year: str) -> NqlApplication:
        body = {"actor_id": actor_id, "school_year": school_year}
        return self._call(
            "POST", f"/projects/{project_id}/nql-applications", NqlApplicationSchema(), body=body
        )

    def decide_nql(
        self,
        nso_country_code: str,
        application_id: int,
        scores: Mapping[str, int],
        sub_scores: Mapping[str, int],
    ) -> NqlApplication:
        body = {
            "nso_country_code": nso_country_code,
            "scores": dict(scores),
            "sub_scores": dict(sub_scores),
        }
        return self._call(
            "POST",
            f"/nql-applications/{application_id}/decision",
            NqlApplicationSchema(),
            body=body,
        )

    def list_nql_applications(
        self, *, project_id: int | None = None, teacher_id: int | None = None
    ) -> list[NqlApplication]:
        query = {"project_id": project_id, "teacher_id": teacher_id}
        return self._call("GET", "/nql-applications", NqlApplicationSchema(many=True), query=query)

    def award_eql(self, project_id: int) -> list[Acknowledgement]:
        return self._call(
            "POST", f"/projects/{project_id}/eql", AcknowledgementSchema(many=True), body={}
        )

    def prize_eligibility(self, project_id: int, category: PrizeCategory) -> PrizeEligibility:
        return self._call(
            "GET",
            f"/projects/{project_id}/prize-eligibility",
            PrizeEligibilitySchema(),
            query={"category": str(category)},
        )

    def issue_acknowledgement(
        self,
        kind: AcknowledgementKind,
        person_id: int,
        subject: str,
        title: str,
        *,
        evidence: Mapping[str, str] | None = None,
    ) -> Acknowledgement:
        body = {
            "kind": kind,
            "person_id": person_id,
            "subject": subject,
            "title": title,
            "evidence": dict(evidence) if evidence is not None else None,
        }
        return self._call("POST", "/acknowledgements", AcknowledgementSchema(), body=body)

    def get_acknowledgement(self, acknowledgement_id: int) -> Acknowledgement:
        return self._call("GET", f"/acknowledgements/{acknowledgement_id}", AcknowledgementSchema())

    def revoke_acknowledgement(self, acknowledgement_id: int, reason: str) -> Acknowledgement:
        return self._call(
            "POST",
            f"/acknowledgements/{acknowledgement_id}/revocation",
            AcknowledgementSchema(),
            body={"reason": reason},
        )

    def list_acknowledgements(
        self, *, person_id: int | None = None, subject: str | None = None
    ) -> list[Acknowledgement]:
        query = {"person_id": person_id, "subject": subject}
        return self._call("GET", "/acknowledgements", AcknowledgementSchema(many=True), query=query)


def _timed_out(error: requests.RequestException) -> bool:
    # Once retries are exhausted, requests reports a read timeout as a ConnectionError
    # wrapping urllib3's MaxRetryError; look at its reason.
    if isinstance(error, requests.Timeout):
        return True
    cause = error.args[0] if error.args else None
    if not isinstance(cause, MaxRetryError):
        return False
    # urllib3 makes "connection refused" a subclass of its connect-timeout error.
    reason = cause.reason
    return isinstance(reason, Urllib3TimeoutError) and not isinstance(reason, NewConnectionError)


def _member(twinspace_id: int, person_id: int) -> str:
    return f"/twinspaces/{twinspace_id}/members/{person_id}"


def _jsonable(body: Mapping[str, Any]) -> dict[str, Any]:
    """Dates as ISO 8601; enums are ``StrEnum`` and serialise as their value."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in body.items()}


def _subclasses(cls: type[EtwinLtiError]) -> Iterator[type[EtwinLtiError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _error_class(code: object, status: int) -> type[EtwinLtiError]:
    """The class that owns ``code`` with that status (leaf classes included), else by status."""
    for cls in _subclasses(EtwinLtiError):
        if cls.__dict__.get("error") == code and cls.status_code == status:
            return cls
    return _BY_STATUS.get(status, RemoteServiceError)


def _remote_error(status: int, payload: Any) -> EtwinLtiError:
    if not isinstance(payload, dict):
        return RemoteServiceError(f"The hub answered {status} with an unexpected body.")
    if status == 401:
        # Our own token was refused: a configuration problem here, not the caller's.
        return RemoteServiceError(
            "The remote hub refused this tool's API token (ETWIN_HUB_TOKEN).",
            who_can_fix="the tool administrator",
        )
    if status >= 500:
        cls: type[EtwinLtiError] = RemoteTimeoutError if status == 504 else RemoteServiceError
        return cls()
    cls = _error_class(payload.get("code"), status)
    errors = payload.get("errors")
    message = payload.get("message")
    # Leaf classes may define their own __init__; build through the root's.
    error = cls.__new__(cls)
    EtwinLtiError.__init__(
        error,
        message if isinstance(message, str) else None,
        errors=errors if isinstance(errors, dict) else None,
    )
    return error
