"""The sandbox LMS's gradebook: Assignment and Grade Services 2.0, the platform side.

Spec: https://www.imsglobal.org/spec/lti-ags/v2p0/ (3.2 line items, 3.4 scores, 3.6 the claim).
It behaves like Moodle where a tool can get it wrong (lti-landscape.md section 5, points 5, 6,
12; domain-facts.md 3.7):

- every resource link has its own line item (Moodle's activity grade item), announced in the
  launch's AGS claim as ``lineitem``; line item URLs carry ``?type_id=18`` and the service
  answers 404 without it, so a tool that appends ``/scores`` after the query string fails;
- a score needs the score media type, a bearer token with the ``score`` scope, ``userId``,
  ``timestamp``, ``activityProgress`` and ``gradingProgress``; ``scoreGiven`` is dropped unless
  ``FullyGraded``; a timestamp not strictly newer than the stored one is a 409; a user who is
  not a learner (a teacher) is a 400 "Incorrect score received";
- line items created by the tool are separate "manual" columns (``coupled`` False).

Faults for the tests (``gradebook.faults``): the next N AGS requests answer 503 (or any status),
the next N answer 429 with ``Retry-After``, the token endpoint refuses, and score POSTs can be
held at a gate (to kill a worker while its request is in flight).

    GET  /gradebook                                        the page a newcomer looks at
    GET  /ags/<context>/lineitems?type_id=18               line item container (filters)
    POST /ags/<context>/lineitems?type_id=18               create a (manual) line item
    GET  /ags/<context>/lineitems/<n>/lineitem?type_id=18  one line item
    POST /ags/<context>/lineitems/<n>/lineitem/scores?type_id=18   publish a score
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt
from flask import Blueprint, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from etwin_lti.sandbox.model import LEARNER, PendingLaunch, SandboxResource

if TYPE_CHECKING:
    from etwin_lti.sandbox.lti1p3 import SandboxMessageLaunch
    from etwin_lti.sandbox.platform import SandboxPlatform

TYPE_ID = "18"  # Moodle: the tool type id, on every service URL
SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
GATE_TIMEOUT_SECONDS = 30


@dataclass
class LineItem:
    number: int
    context_id: str
    label: str
    score_maximum: float
    resource_link_id: str | None
    tag: str | None = None
    resource_id: str | None = None
    coupled: bool = True  # the activity's own grade item (False: created by the tool)


@dataclass(frozen=True)
class ScoreRecord:
    user_id: str
    score_given: float | None
    score_maximum: float
    activity_progress: str
    grading_progress: str
    timestamp: datetime
    received_at: datetime


@dataclass
class AgsFaults:
    fail_next: int = 0  # AGS requests still to fail with ``fail_status``
    fail_status: int = 503
    throttle_next: int = 0  # AGS requests still to answer 429
    retry_after: str = "1"
    refuse_tokens: bool = False  # the token endpoint answers 400 invalid_client
    gate: threading.Event | None = None  # score POSTs wait here until it is set

    def reset(self) -> None:
        self.fail_next = self.throttle_next = 0
        self.refuse_tokens = False
        if self.gate is not None:
            self.gate.set()
        self.gate = None


@dataclass
class AgsLog:
    """Every score POST that reached the handler, by outcome (for tests and the page)."""

    accepted: int = 0
    conflicts: int = 0  # 409
    not_gradable: int = 0  # 400
    faults: int = 0  # injected 503/429
    in_flight: int = 0  # held at the gate right now
    received: int = 0


class AgsRefusalError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class SandboxGradebook:
    platform: SandboxPlatform
    faults: AgsFaults = field(default_factory=AgsFaults)
    log: AgsLog = field(default_factory=AgsLog)
    _items: dict[int, LineItem] = field(default_factory=dict)
    _scores: dict[tuple[int, str], list[ScoreRecord]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.platform.launch_services.append(self.add_launch_claim)

    # --- addresses ----------------------------------------------------------------------------
    def lineitems_url(self, context_id: str) -> str:
        return f"{self.platform.issuer}/ags/{context_id}/lineitems?type_id={TYPE_ID}"

    def lineitem_url(self, item: LineItem) -> str:
        return (
            f"{self.platform.issuer}/ags/{item.context_id}/lineitems/{item.number}/lineitem"
            f"?type_id={TYPE_ID}"
        )

    # --- the launch's AGS claim (3.6) ---------------------------------------------------------
    def add_launch_claim(self, launch: SandboxMessageLaunch, pending: PendingLaunch) -> None:
        client = self.platform.get_client(pending.client_id)
        if not any(scope.startswith(SCOPE) for scope in client.scopes):
            return  # AGS switched off for this tool, as in Moodle's tool settings
        lineitem = None
        if pending.resource_id:
            resource = self.platform.get_resource(pending.resource_id)
            lineitem = self.lineitem_url(self.column_for(resource))
        launch.set_ags(
            self.lineitems_url(pending.context_id),
            lineitem,
            allow_creating_lineitems=SCOPE + "lineitem" in client.scopes,
            results_service_enabled=True,
            scores_service_enabled=True,
        )

    def column_for(self, resource: SandboxResource) -> LineItem:
        """The activity's own grade item, made when the activity is first launched."""
        with self._lock:
            for item in self._items.values():
                if item.coupled and item.resource_link_id == resource.id:
                    return item
            item = LineItem(
                number=len(self._items) + 1,
                context_id=resource.context_id,
                label=resource.title,
                score_maximum=1.0,
                resource_link_id=resource.id,
            )
            self._items[item.number] = item
            return item

    # --- line items (3.2) ---------------------------------------------------------------------
    def list_lineitems(self, context_id: str, args: dict[str, str]) -> list[dict[str, Any]]:
        with self._lock:
            items = [i for i in self._items.values() if i.context_id == context_id]
        for name, attribute in (
            ("resource_link_id", "resource_link_id"),
            ("resource_id", "resource_id"),
            ("tag", "tag"),
        ):
            if args.get(name):
                items = [i for i in items if getattr(i, attribute) == args[name]]
        return [self.describe(i) for i in items]

    def create_lineitem(self, context_id: str, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body.get("label"):
            raise AgsRefusalError(400, "A line item needs a label.")
        maximum = body.get("scoreMaximum")
        if not isinstance(maximum, int | float) or isinstance(maximum, bool) or maximum <= 0:
            raise AgsRefusalError(400, "A line item needs a numeric scoreMaximum.")
        with self._lock:
            item = LineItem(
                number=len(self._items) + 1,
                context_id=context_id,
                label=str(body["label"]),
                score_maximum=float(maximum),
                resource_link_id=_opt(body.get("resourceLinkId")),
                tag=_opt(body.get("tag")),
                resource_id=_opt(body.get("resourceId")),
                coupled=False,
            )
            self._items[item.number] = item
        return self.describe(item)

    def get_lineitem(self, context_id: str, number: int) -> LineItem:
        with self._lock:
            item = self._items.get(number)
        if item is None or item.context_id != context_id:
            raise AgsRefusalError(404, "No such line item.")
        return item

    def describe(self, item: LineItem) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.lineitem_url(item),
            "label": item.label,
            "scoreMaximum": item.score_maximum,
        }
        for key, value in (
            ("resourceLinkId", item.resource_link_id),
            ("tag", item.tag),
            ("resourceId", item.resource_id),
        ):
            if value:
                body[key] = value
        return body

    # --- scores (3.4) -------------------------------------------------------------------------
    def publish_score(self, item: LineItem, content_type: str | None, raw: bytes) -> None:
        if (content_type or "").split(";")[0].strip() != SCORE_MEDIA_TYPE:
            raise AgsRefusalError(415, f"Scores must be sent as {SCORE_MEDIA_TYPE}.")
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise AgsRefusalError(400, "Incorrect score received (not JSON).") from None
        required = ("userId", "timestamp", "activityProgress", "gradingProgress")
        if not isinstance(body, dict) or any(not body.get(k) for k in required):
            raise AgsRefusalError(400, "Incorrect score received (missing fields).")
        user_id = str(body["userId"])
        user = next((u for u in self.platform.users() if u.id == user_id), None)
        if user is None or LEARNER not in user.roles:
            with self._lock:
                self.log.not_gradable += 1
            raise AgsRefusalError(400, "Incorrect score received (user not gradable).")
        try:
            timestamp = datetime.fromisoformat(str(body["timestamp"]).replace("Z", "+00:00"))
        except ValueError:
            raise AgsRefusalError(400, "Incorrect score received (timestamp).") from None
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=UTC)
        graded = body["gradingProgress"] == "FullyGraded"
        given = body.get("scoreGiven") if graded else None
        record = ScoreRecord(
            user_id=user_id,
            score_given=float(given) if isinstance(given, int | float) else None,
            score_maximum=float(body.get("scoreMaximum") or 1),
            activity_progress=str(body["activityProgress"]),
            grading_progress=str(body["gradingProgress"]),
            timestamp=timestamp,
            received_at=datetime.now(UTC),
        )
        with self._lock:
            history = self._scores.setdefault((item.number, user_id), [])
            if history and record.timestamp <= history[-1].timestamp:
                self.log.conflicts += 1
                raise AgsRefusalError(409, "The score is not newer than the stored one.")
            history.append(record)
            self.log.accepted += 1

    def grade_by_hand(
        self, resource: SandboxResource, user_id: str, score: float, timestamp: datetime
    ) -> None:
        """A teacher types a grade into the LMS gradebook (it is newer than the tool's)."""
        item = self.column_for(resource)
        record = ScoreRecord(
            user_id=user_id,
            score_given=score,
            score_maximum=item.score_maximum,
            activity_progress="Completed",
            grading_progress="FullyGraded",
            timestamp=timestamp,
            received_at=datetime.now(UTC),
        )
        with self._lock:
            self._scores.setdefault((item.number, user_id), []).append(record)

    def wait_at_gate(self) -> None:
        gate = self.faults.gate
        if gate is None:
            return
        with self._lock:
            self.log.in_flight += 1
        try:
            gate.wait(GATE_TIMEOUT_SECONDS)
        finally:
            with self._lock:
                self.log.in_flight -= 1

    def injected_fault(self) -> AgsRefusalError | None:
        with self._lock:
            if self.faults.fail_next > 0:
                self.faults.fail_next -= 1
                self.log.faults += 1
                return AgsRefusalError(self.faults.fail_status, "The LMS is not available.")
            if self.faults.throttle_next > 0:
                self.faults.throttle_next -= 1
                self.log.faults += 1
                return AgsRefusalError(
                    429, "Too many requests.", {"Retry-After": self.faults.retry_after}
                )
        return None

    # --- what the gradebook shows -------------------------------------------------------------
    def accepted_scores(self, lineitem_url: str | None = None) -> list[tuple[str, ScoreRecord]]:
        """(line item URL, score) for every accepted score, oldest first."""
        with self._lock:
            pairs = [
                (self.lineitem_url(self._items[number]), record)
                for (number, _user), history in self._scores.items()
                for record in history
            ]
        pairs.sort(key=lambda pair: pair[1].received_at)
        return [p for p in pairs if lineitem_url is None or p[0] == lineitem_url]

    def columns(self) -> list[tuple[LineItem, dict[str, ScoreRecord]]]:
        with self._lock:
            return [
                (
                    item,
                    {
                        user: history[-1]
                        for (number, user), history in self._scores.items()
                        if number == item.number and history
                    },
                )
                for item in self._items.values()
            ]

    # --- bearer tokens (Security Framework 1.0, 4.1) ------------------------------------------
    def check_bearer(self, authorization: str | None, scopes: list[str]) -> None:
        token = (authorization or "").removeprefix("Bearer ").strip()
        if not authorization or not authorization.startswith("Bearer ") or not token:
            raise AgsRefusalError(401, "A bearer token is required.")
        try:
            client_id = str(jwt.decode(token, options={"verify_signature": False}).get("sub"))
        except jwt.PyJWTError:
            raise AgsRefusalError(401, "Invalid access token.") from None
        from etwin_lti.sandbox.platform import SandboxRefusalError

        try:
            allowed = self.platform.check_access_token(client_id, token, scopes)
        except SandboxRefusalError as refusal:
            raise AgsRefusalError(401, refusal.message) from None
        if not allowed:
            raise AgsRefusalError(403, "The access token does not carry the scope for this call.")


def register_ags_routes(bp: Blueprint, gradebook: SandboxGradebook) -> None:
    """Add the gradebook page, the AGS endpoints and the token-refusal fault to the sandbox."""

    @bp.errorhandler(AgsRefusalError)
    def _refused(error: AgsRefusalError) -> tuple[Response, int]:
        response = jsonify({"status": error.status, "reason": error.message})
        response.headers.update(error.headers)
        return response, error.status

    @bp.before_request
    def _refuse_tokens() -> ResponseReturnValue | None:
        if request.endpoint == "sandbox.token" and gradebook.faults.refuse_tokens:
            body = {"error": "invalid_client", "error_description": "The tool is not allowed."}
            return jsonify(body), 400
        return None

    def service_call(scopes: list[str]) -> None:
        """type_id like Moodle, then the injected faults, then the bearer token."""
        if request.args.get("type_id") != TYPE_ID:
            raise AgsRefusalError(404, "No tool type (type_id) in the service URL.")
        fault = gradebook.injected_fault()
        if fault is not None:
            raise fault
        gradebook.check_bearer(request.headers.get("Authorization"), scopes)

    @bp.get("/gradebook")
    def gradebook_page() -> str:
        return render_template(
            "sandbox/gradebook.html",
            platform=gradebook.platform,
            columns=gradebook.columns(),
            gradebook=gradebook,
        )

    @bp.route("/ags/<context_id>/lineitems", methods=["GET", "POST"])
    def lineitems(context_id: str) -> Response:
        if request.method == "POST":
            service_call([SCOPE + "lineitem"])
            created = gradebook.create_lineitem(context_id, request.get_json(silent=True))
            response = jsonify(created)
            response.status_code = 201
            response.content_type = LINEITEM_MEDIA_TYPE
            return response
        service_call([SCOPE + "lineitem", SCOPE + "lineitem.readonly"])
        response = jsonify(gradebook.list_lineitems(context_id, request.args.to_dict()))
        response.content_type = CONTAINER_MEDIA_TYPE
        return response

    @bp.get("/ags/<context_id>/lineitems/<int:number>/lineitem")
    def lineitem(context_id: str, number: int) -> Response:
        service_call([SCOPE + "lineitem", SCOPE + "lineitem.readonly"])
        response = jsonify(gradebook.describe(gradebook.get_lineitem(context_id, number)))
        response.content_type = LINEITEM_MEDIA_TYPE
        return response

    @bp.post("/ags/<context_id>/lineitems/<int:number>/lineitem/scores")
    def scores(context_id: str, number: int) -> tuple[str, int]:
        with gradebook._lock:  # noqa: SLF001
            gradebook.log.received += 1
        gradebook.wait_at_gate()
        service_call([SCOPE + "score"])
        item = gradebook.get_lineitem(context_id, number)
        gradebook.publish_score(item, request.content_type, request.get_data())
        return "", 204


def _opt(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
