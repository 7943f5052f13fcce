"""``HttpHubConnector`` against a scripted HTTP server: timeouts, retries, non-JSON answers and
the mapping of error bodies back to ``etwin_lti.errors``.

The server answers from a queue of canned responses and records what it received, so each test
states exactly what the remote hub did and checks what the connector made of it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from connectors.http_hub import HttpHubConnector, hub_session
from etwin_lti.domain.model import Country, PersonKind
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    EtwinLtiError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RemoteServiceError,
    RemoteTimeoutError,
    RuleViolationError,
)

TOKEN = "etw_test-token"
FRANCE = {
    "code": "FR",
    "name": "France",
    "nso": "Réseau Canopé",
    "programme": "erasmus_plus",
    "eligible": True,
}


@dataclass
class Canned:
    status: int
    body: str
    content_type: str = "application/json"
    stall: bool = False  # never answer (until the test ends)


def json_answer(status: int, payload: object) -> Canned:
    return Canned(status, json.dumps(payload))


@dataclass
class Script:
    answers: list[Canned] = field(default_factory=list)
    seen: list[tuple[str, str, dict, bytes]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def make_handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            script.seen.append((self.command, self.path, dict(self.headers), body))
            canned = script.answers.pop(0) if script.answers else Canned(500, "{}")
            if canned.stall:
                script.release.wait()
                return
            data = canned.body.encode()
            self.send_response(canned.status)
            self.send_header("Content-Type", canned.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = _answer

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    return Handler


@pytest.fixture
def script() -> Iterator[Script]:
    script = Script()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield script
    script.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def hub(script: Script) -> Iterator[HttpHubConnector]:
    session = hub_session(retries=2, backoff_factor=0, allow_private=True)
    yield HttpHubConnector(
        script.url,  # type: ignore[attr-defined]
        TOKEN,
        session=session,
        connect_timeout=1.0,
        read_timeout=0.3,
    )
    session.close()


def test_sends_the_bearer_token_and_rebuilds_dataclasses(hub, script) -> None:
    script.answers.append(json_answer(200, [FRANCE]))
    assert hub.list_countries() == [Country("FR", "France", "Réseau Canopé", "erasmus_plus")]
    method, path, headers, _ = script.seen[0]
    assert (method, path, headers["Authorization"]) == (
        "GET",
        "/api/v1/countries",
        f"Bearer {TOKEN}",
    )
    assert TOKEN not in repr(hub)


def test_dates_and_enums_travel_as_json_values(hub, script) -> None:
    script.answers.append(json_answer(422, {"code": "invalid_input", "message": "no"}))
    with pytest.raises(InvalidInputError):
        hub.create_event("LE", "d", 3, date(2026, 5, 4), date(2026, 5, 18), 20)
    with pytest.raises(InvalidInputError):
        script.answers.append(json_answer(422, {"code": "invalid_input", "message": "no"}))
        hub.create_person("Ana", PersonKind.TEACHER, country_code="PT")
    event_body = json.loads(script.seen[0][3])
    person_body = json.loads(script.seen[1][3])
    assert (event_body["starts_on"], event_body["ends_on"]) == ("2026-05-04", "2026-05-18")
    assert person_body == {
        "display_name": "Ana",
        "kind": "teacher",
        "country_code": "PT",
        "school": None,
        "email": None,
    }


def test_a_stalled_hub_is_a_timeout(hub, script) -> None:
    script.answers.extend([Canned(200, "", stall=True), Canned(200, "", stall=True)])
    with pytest.raises(RemoteTimeoutError):
        hub.list_countries()
    assert len(script.seen) == 2  # one read retry for an idempotent GET


def test_a_stalled_post_is_a_timeout_and_not_resent(hub, script) -> None:
    script.answers.append(Canned(200, "", stall=True))
    with pytest.raises(RemoteTimeoutError):
        hub.post_diary(1, 2, "title", "body")
    assert len(script.seen) == 1


def test_503_then_success_is_retried_for_get(hub, script) -> None:
    script.answers.extend(
        [json_answer(503, {"code": "x", "message": "busy"}), json_answer(200, [FRANCE])]
    )
    assert [c.code for c in hub.list_countries()] == ["FR"]
    assert [seen[0] for seen in script.seen] == ["GET", "GET"]


def test_503_then_success_is_retried_for_idempotent_put(hub, script) -> None:
    progress = {"unit_id": 4, "person_id": 9, "done_activity_ids": [1], "completed_at": None}
    script.answers.extend([Canned(503, "busy", "text/plain"), json_answer(200, progress)])
    result = hub.mark_activity_done(9, 1)
    assert (result.done_activity_ids, len(script.seen)) == ((1,), 2)


def test_503_to_a_post_is_not_retried(hub, script) -> None:
    script.answers.extend(
        [json_answer(503, {"code": "x", "message": "busy"}), json_answer(201, {})]
    )
    with pytest.raises(RemoteServiceError):
        hub.post_diary(1, 2, "title", "body")
    assert len(script.seen) == 1


def test_retries_give_up_after_the_limit(hub, script) -> None:
    script.answers.extend([Canned(503, "busy", "text/plain")] * 3)
    with pytest.raises(RemoteServiceError) as caught:
        hub.list_countries()
    assert not isinstance(caught.value, RemoteTimeoutError)
    assert len(script.seen) == 3  # the first try and two retries


def test_an_unreachable_hub_is_a_remote_service_error() -> None:
    with hub_session(retries=0, allow_private=True) as session:
        hub = HttpHubConnector("http://127.0.0.1:9", TOKEN, session=session)
        with pytest.raises(RemoteServiceError) as caught:
            hub.get_person(1)
    assert not isinstance(caught.value, RemoteTimeoutError)


@pytest.mark.parametrize(
    "canned",
    [
        Canned(200, "<html><body>Welcome</body></html>", "text/html"),  # a proxy's page
        Canned(502, "<html>Bad gateway</html>", "text/html"),
        Canned(404, "<html>Not Found</html>", "text/html"),  # not our API at all
        Canned(200, "{broken", "application/json"),
        Canned(200, json.dumps({"id": "not a number"})),  # JSON of the wrong shape
        Canned(200, json.dumps([1, 2])),
        Canned(409, json.dumps(["not", "an", "error", "body"])),
    ],
)
def test_unexpected_answers_are_remote_service_errors(hub, script, canned: Canned) -> None:
    script.answers.extend([canned] * 3)
    with pytest.raises(RemoteServiceError):
        hub.get_person(1)


@pytest.mark.parametrize(
    ("status", "payload", "expected"),
    [
        (
            422,
            {"code": "invalid_input", "message": "m", "errors": {"title": ["Too long."]}},
            InvalidInputError,
        ),
        (403, {"code": "forbidden", "message": "m"}, PermissionDeniedError),
        (404, {"code": "not_found", "message": "m"}, NotFoundError),
        (409, {"code": "rule_violation", "message": "m"}, RuleViolationError),
        (409, {"code": "duplicate_acknowledgement", "message": "m"}, DuplicateAcknowledgementError),
        (409, {"code": "some_new_rule", "message": "m"}, RuleViolationError),  # newer hub
        (401, {"code": "unauthenticated", "message": "m"}, RemoteServiceError),  # our token
        (500, {"code": "internal_error", "message": "m"}, RemoteServiceError),
        (504, {"code": "remote_timeout", "message": "m"}, RemoteTimeoutError),
        (418, {"code": "teapot", "message": "m"}, RemoteServiceError),
    ],
)
def test_error_bodies_become_the_same_error_classes(
    hub, script, status: int, payload: dict, expected: type[EtwinLtiError]
) -> None:
    script.answers.extend([json_answer(status, payload)] * 3)
    with pytest.raises(expected) as caught:
        hub.issue_acknowledgement("course_certificate", 1, "edition:1", "Certificate")  # type: ignore[arg-type]
    assert type(caught.value) is expected
    if status == 422:
        assert caught.value.errors == {"title": ["Too long."]}
        assert caught.value.description == "m"
