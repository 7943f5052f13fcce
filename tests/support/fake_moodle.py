"""A contract-faithful fake of Moodle's REST web-service endpoint, served over real HTTP.

It answers ``POST /webservice/rest/server.php`` for the five functions the bridge calls, from
the documented response shapes recorded in ``tests/data/moodle/`` (see its README): each answer
is a recorded document with our state filled in, each failure a recorded error body returned
with HTTP 200 as Moodle does. State is set by the tests: courses (with or without completion
criteria), enrolments, completions, deleted users, errors to inject, an HTML login page, invalid
JSON, 5xx answers, slow answers. ``tests/contract/test_moodle_client_contract.py`` checks that
the client reads every recorded shape through this fake.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

DATA = Path(__file__).resolve().parent.parent / "data" / "moodle"
TOKEN = "fake-moodle-token-0123456789abcdef"
RAW_FAILURES = frozenset({"login_page", "invalid_json", "http_500"})


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def recorded_error(errorcode: str) -> dict[str, Any]:
    return recorded(f"errors/{errorcode}.json")


def decode_php_form(items: list[tuple[str, str]]) -> dict[str, Any]:
    """``options[0][name]=x`` → ``{"options": {"0": {"name": "x"}}}`` (what PHP builds)."""
    result: dict[str, Any] = {}
    for key, value in items:
        head, *rest = re.findall(r"[^\[\]]+", key)
        parts = [head, *rest]
        node = result
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return result


@dataclass
class FakeCourse:
    id: int
    fullname: str
    shortname: str
    has_criteria: bool = True
    completion_enabled: bool = True


@dataclass
class FakeUser:
    id: int
    fullname: str
    role: str = "student"  # only students are tracked for completion (domain-facts 3.2)


@dataclass
class FakeMoodleState:
    token: str = TOKEN
    courses: dict[int, FakeCourse] = field(default_factory=dict)
    users: dict[int, FakeUser] = field(default_factory=dict)
    enrolments: dict[int, list[int]] = field(default_factory=dict)
    completed: set[tuple[int, int]] = field(default_factory=set)
    activity_states: dict[tuple[int, int], dict[int, int]] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    # Errors to inject: wsfunction (or "*") → errorcodes answered in turn, one per call.
    errors: dict[str, list[str]] = field(default_factory=dict)
    # Raw failures for the next calls: "login_page", "invalid_json", "http_500".
    failures: list[str] = field(default_factory=list)
    slow_seconds: float = 0.0
    functions: tuple[str, ...] | None = None  # None = every function of site_info.json
    # (wsfunction, n) → an errorcode or a raw failure for the n-th call (1-based) of it.
    scheduled: dict[tuple[str, int], str] = field(default_factory=dict)
    # wsfunction → a recorded file answered verbatim (the contract tests replay each shape).
    canned: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


class FakeMoodle:
    """The WSGI app plus helpers to set its state."""

    def __init__(self) -> None:
        self.state = FakeMoodleState()
        self.url = ""  # set by serve()
        self._lock = threading.Lock()

    # --- state ----------------------------------------------------------------------------
    def add_course(self, course_id: int, fullname: str = "", **kwargs: Any) -> FakeCourse:
        course = FakeCourse(course_id, fullname or f"Course {course_id}", f"C{course_id}", **kwargs)
        self.state.courses[course_id] = course
        self.state.enrolments.setdefault(course_id, [])
        return course

    def enrol(
        self, course_id: int, user_id: int, fullname: str = "", role: str = "student"
    ) -> None:
        self.state.users[user_id] = FakeUser(user_id, fullname or f"User {user_id}", role)
        if user_id not in self.state.enrolments[course_id]:
            self.state.enrolments[course_id].append(user_id)

    def complete(self, course_id: int, user_id: int) -> None:
        self.state.completed.add((course_id, user_id))

    def set_activity(self, course_id: int, user_id: int, cmid: int, state: int) -> None:
        self.state.activity_states.setdefault((course_id, user_id), {})[cmid] = state

    def delete_user(self, user_id: int, *, keep_enrolments: bool = False) -> None:
        """Moodle's delete_user() removes enrolments and flags the user deleted;
        ``keep_enrolments`` simulates deletion between the roster read and the next call."""
        self.state.deleted.add(user_id)
        if not keep_enrolments:
            for members in self.state.enrolments.values():
                if user_id in members:
                    members.remove(user_id)

    def inject_error(self, errorcode: str, wsfunction: str = "*", times: int = 1) -> None:
        self.state.errors.setdefault(wsfunction, []).extend([errorcode] * times)

    def fail_call(self, wsfunction: str, n: int, failure: str) -> None:
        """Make the n-th call of ``wsfunction`` fail with an errorcode (a recorded error body)
        or a raw failure (``login_page``, ``invalid_json``, ``http_500``)."""
        self.state.scheduled[(wsfunction, n)] = failure

    def calls(self, wsfunction: str) -> list[dict[str, Any]]:
        return [params for name, params in self.state.requests if name == wsfunction]

    # --- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self.respond(request)
        # One request per connection: no pooled sockets are left open after a test.
        response.headers["Connection"] = "close"
        return response(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.path == "/login/index.php":
            return self._html((DATA / "login_page.html").read_text(), 200)
        if request.path != "/webservice/rest/server.php" or request.method != "POST":
            return self._html("<h1>Not found</h1>", 404)
        params = decode_php_form(list(request.form.items(multi=True)))
        wsfunction = params.pop("wsfunction", "")
        token = params.pop("wstoken", "")
        with self._lock:
            self.state.requests.append((wsfunction, params))
            failure = self.state.failures.pop(0) if self.state.failures else None
            injected = self._next_injected(wsfunction)
            scheduled = self.state.scheduled.pop((wsfunction, len(self.calls(wsfunction))), None)
            if scheduled in RAW_FAILURES:
                failure = scheduled
            elif scheduled:
                injected = scheduled
        if self.state.slow_seconds:
            time.sleep(self.state.slow_seconds)
        if failure == "login_page":
            # What Moodle serves when web services are off or the URL is wrong.
            return self._html((DATA / "login_page.html").read_text(), 200)
        if failure == "invalid_json":
            return Response(
                '{"completionstatus": {"completed": tr', 200, mimetype="application/json"
            )
        if failure == "http_500":
            return self._html("<h1>Internal Server Error</h1>", 500)
        if params.pop("moodlewsrestformat", "") != "json":
            return self._html("<?xml version='1.0'?><RESPONSE/>", 200)
        if token != self.state.token:
            return self._json(recorded_error("invalidtoken"))
        if injected:
            return self._json(recorded_error(injected))
        if wsfunction in self.state.canned:
            return self._json(recorded(self.state.canned[wsfunction]))
        handler = getattr(self, f"_ws_{wsfunction}", None)
        if handler is None or not self._offered(wsfunction):
            return self._json(recorded_error("accessexception"))
        return self._json(handler(params))

    def _next_injected(self, wsfunction: str) -> str | None:
        for key in (wsfunction, "*"):
            queue = self.state.errors.get(key)
            if queue:
                return queue.pop(0)
        return None

    def _offered(self, wsfunction: str) -> bool:
        return self.state.functions is None or wsfunction in self.state.functions

    @staticmethod
    def _json(body: Any) -> Response:
        return Response(json.dumps(body), 200, mimetype="application/json")

    @staticmethod
    def _html(body: str, status: int) -> Response:
        return Response(body, status, mimetype="text/html")

    # --- the web-service functions --------------------------------------------------------
    def _ws_core_webservice_get_site_info(self, params: dict[str, Any]) -> Any:
        body = recorded("site_info.json")
        body["siteurl"] = self.url
        if self.state.functions is not None:
            body["functions"] = [{"name": n, "version": "2023100900"} for n in self.state.functions]
        return body

    def _ws_core_course_get_courses_by_field(self, params: dict[str, Any]) -> Any:
        body = recorded("courses_by_field.json")
        template = body["courses"][0]
        wanted = self.state.courses.values()
        if params.get("field") == "id":
            wanted = [c for c in wanted if str(c.id) == params.get("value")]
        body["courses"] = []
        for course in wanted:
            item = copy.deepcopy(template)
            item.update(
                id=course.id,
                fullname=course.fullname,
                displayname=course.fullname,
                shortname=course.shortname,
                enablecompletion=int(course.completion_enabled),
            )
            body["courses"].append(item)
        return body

    def _ws_core_enrol_get_enrolled_users(self, params: dict[str, Any]) -> Any:
        course_id = int(params.get("courseid", 0))
        if course_id not in self.state.courses:
            return recorded_error("invalidrecord")
        options = {o["name"]: o["value"] for o in params.get("options", {}).values()}
        start = int(options.get("limitfrom", 0))
        limit = int(options.get("limitnumber", 0)) or None
        template = recorded("enrolled_users.json")[0]
        members = self.state.enrolments[course_id]
        page = members[start : start + limit if limit else None]
        users = []
        for user_id in page:
            user = self.state.users[user_id]
            item = copy.deepcopy(template)
            item.update(id=user.id, fullname=user.fullname, username=f"user{user.id}")
            item["roles"] = [{"roleid": 5, "name": "", "shortname": user.role, "sortorder": 0}]
            users.append(item)
        return users

    def _completion_checks(self, params: dict[str, Any]) -> tuple[int, int] | dict[str, Any]:
        # The order of checks follows completion/classes/external.php.
        course_id, user_id = int(params.get("courseid", 0)), int(params.get("userid", 0))
        if not course_id or not user_id:
            return recorded_error("invalidparameter")
        course = self.state.courses.get(course_id)
        if course is None or (
            user_id not in self.state.users and user_id not in self.state.deleted
        ):
            return recorded_error("invalidrecord")
        if user_id in self.state.deleted:
            return recorded_error("userdeleted")
        if not course.completion_enabled:
            return recorded_error("completionnotenabled")
        return course_id, user_id

    def _ws_core_completion_get_course_completion_status(self, params: dict[str, Any]) -> Any:
        checked = self._completion_checks(params)
        if isinstance(checked, dict):
            return checked
        course_id, user_id = checked
        user = self.state.users[user_id]
        if user.role != "student" or user_id not in self.state.enrolments[course_id]:
            return recorded_error("usernotenroled")
        if not self.state.courses[course_id].has_criteria:
            return recorded_error("nocriteriaset")
        if (course_id, user_id) in self.state.completed:
            return recorded("course_completion_completed.json")
        return recorded("course_completion_uncompleted.json")

    def _ws_core_completion_get_activities_completion_status(self, params: dict[str, Any]) -> Any:
        checked = self._completion_checks(params)
        if isinstance(checked, dict):
            return checked
        body = recorded("activities_completion.json")
        template = body["statuses"][0]
        states = self.state.activity_states.get(checked, {})
        body["statuses"] = []
        for cmid, state in sorted(states.items()):
            item = copy.deepcopy(template)
            item.update(cmid=cmid, state=state, timecompleted=1767398400 if state else 0)
            body["statuses"].append(item)
        return body


@contextmanager
def serve(fake: FakeMoodle | None = None) -> Iterator[FakeMoodle]:
    """Serve a fake Moodle on a free local port for the duration of the block."""
    fake = fake or FakeMoodle()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    fake.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
