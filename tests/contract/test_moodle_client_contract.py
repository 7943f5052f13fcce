"""The Moodle client against the fake Moodle over real HTTP, on Moodle's documented shapes.

Every recorded response and error body in ``tests/data/moodle/`` is replayed through the fake
and must parse (or turn into its typed error); the fake's own generated answers must parse the
same way. So the client, the fake and the recorded shapes cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from etwin_lti.errors import RemoteServiceError, RemoteTimeoutError
from moodle_bridge import errors
from moodle_bridge.client import MoodleClient
from moodle_bridge.functions import (
    REQUIRED_FUNCTIONS,
    CompletionState,
    get_activities_completion,
    get_course,
    get_course_completion,
    get_site_info,
    iter_enrolled_users,
)
from tests.support.fake_moodle import TOKEN, FakeMoodle, serve


@pytest.fixture
def moodle() -> Iterator[FakeMoodle]:
    with serve() as fake:
        fake.add_course(7, "Distance course")
        fake.enrol(7, 21, "Ana Pereira")
        fake.enrol(7, 4, "Tina Trainer", role="editingteacher")
        yield fake


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as http:
        yield http


@pytest.fixture
def client(moodle: FakeMoodle, session: requests.Session) -> MoodleClient:
    return MoodleClient(moodle.url, TOKEN, session, timeout=5, sleep=lambda _s: None)


# --- recorded shapes replayed verbatim ---------------------------------------------------


def test_site_info_shape(moodle: FakeMoodle, client: MoodleClient) -> None:
    moodle.state.canned["core_webservice_get_site_info"] = "site_info.json"
    info = get_site_info(client)
    assert info.sitename == "Example School Moodle"
    assert info.userid == 3 and info.release.startswith("4.3")
    assert set(REQUIRED_FUNCTIONS) <= set(info.functions)
    assert info.missing_functions() == ()


def test_courses_by_field_shape(moodle: FakeMoodle, client: MoodleClient) -> None:
    moodle.state.canned["core_course_get_courses_by_field"] = "courses_by_field.json"
    course = get_course(client, 7)
    assert course is not None
    assert (course.shortname, course.completion_enabled) == ("ETW-DTC-2026", True)
    assert moodle.calls("core_course_get_courses_by_field") == [{"field": "id", "value": "7"}]


def test_enrolled_users_shape_drops_email(moodle: FakeMoodle, client: MoodleClient) -> None:
    moodle.state.canned["core_enrol_get_enrolled_users"] = "enrolled_users.json"
    users = list(iter_enrolled_users(client, 7))
    assert [(u.id, u.fullname, u.roles) for u in users] == [
        (21, "Ana Pereira", ("student",)),
        (4, "Tina Trainer", ("editingteacher",)),
    ]
    assert not any(hasattr(u, "email") for u in users)


@pytest.mark.parametrize(
    ("recorded", "completed", "total", "done"),
    [
        ("course_completion_completed.json", True, 2, 2),
        ("course_completion_uncompleted.json", False, 1, 0),
    ],
)
def test_course_completion_shapes(
    moodle: FakeMoodle, client: MoodleClient, recorded: str, completed: bool, total: int, done: int
) -> None:
    moodle.state.canned["core_completion_get_course_completion_status"] = recorded
    status = get_course_completion(client, 7, 21)
    assert (status.completed, status.criteria_total, status.criteria_complete) == (
        completed,
        total,
        done,
    )


def test_activities_completion_shape_has_every_state(
    moodle: FakeMoodle, client: MoodleClient
) -> None:
    moodle.state.canned["core_completion_get_activities_completion_status"] = (
        "activities_completion.json"
    )
    statuses = get_activities_completion(client, 7, 21)
    assert {cmid: s.state for cmid, s in statuses.items()} == {
        42: CompletionState.INCOMPLETE,
        43: CompletionState.COMPLETE,
        44: CompletionState.COMPLETE_PASS,
        45: CompletionState.COMPLETE_FAIL,
        46: CompletionState.COMPLETE_FAIL_HIDDEN,
        47: CompletionState.COMPLETE,
    }
    assert [cmid for cmid, s in statuses.items() if s.state.is_complete] == [43, 44, 47]
    assert statuses[47].tracking == 1 and statuses[42].timecompleted is None


@pytest.mark.parametrize(
    ("errorcode", "error_type"),
    [
        ("invalidtoken", errors.MoodleInvalidTokenError),
        ("accessexception", errors.MoodleAccessDeniedError),
        ("nopermissions", errors.MoodleAccessDeniedError),
        ("nocriteriaset", errors.MoodleNoCriteriaError),
        ("notenroled", errors.MoodleUserNotEnrolledError),
        ("usernotenroled", errors.MoodleUserNotEnrolledError),
        ("invalidparameter", errors.MoodleInvalidParameterError),
        ("userdeleted", errors.MoodleUserDeletedError),
        ("invalidrecord", errors.MoodleRecordNotFoundError),
        ("completionnotenabled", errors.MoodleCompletionDisabledError),
    ],
)
def test_recorded_error_bodies_become_typed_errors(
    moodle: FakeMoodle, client: MoodleClient, errorcode: str, error_type: type
) -> None:
    moodle.inject_error(errorcode)
    with pytest.raises(error_type) as caught:
        get_course_completion(client, 7, 21)
    assert caught.value.errorcode == errorcode
    assert caught.value.status_code == 502
    assert "debuginfo" not in caught.value.description
    assert TOKEN not in caught.value.description


# --- the fake's generated answers ---------------------------------------------------------


def test_generated_answers_follow_the_state(moodle: FakeMoodle, client: MoodleClient) -> None:
    assert get_site_info(client).siteurl == moodle.url
    assert get_course(client, 7) is not None and get_course(client, 8) is None
    assert not get_course_completion(client, 7, 21).completed
    moodle.complete(7, 21)
    assert get_course_completion(client, 7, 21).completed
    with pytest.raises(errors.MoodleUserNotEnrolledError):
        get_course_completion(client, 7, 4)  # a teacher is not tracked
    moodle.set_activity(7, 21, 42, 2)
    assert get_activities_completion(client, 7, 21)[42].state is CompletionState.COMPLETE_PASS


def test_no_criteria_and_deleted_users(moodle: FakeMoodle, client: MoodleClient) -> None:
    moodle.add_course(8, has_criteria=False)
    moodle.enrol(8, 21)
    with pytest.raises(errors.MoodleNoCriteriaError):
        get_course_completion(client, 8, 21)
    moodle.delete_user(21)
    assert [u.id for u in iter_enrolled_users(client, 7)] == [4]
    with pytest.raises(errors.MoodleUserDeletedError):
        get_course_completion(client, 7, 21)


def test_enrolled_users_are_paged(moodle: FakeMoodle, client: MoodleClient) -> None:
    for user_id in range(100, 105):
        moodle.enrol(7, user_id)
    users = list(iter_enrolled_users(client, 7, page_size=2))
    assert [u.id for u in users] == [21, 4, 100, 101, 102, 103, 104]
    pages = moodle.calls("core_enrol_get_enrolled_users")
    assert len(pages) == 4  # 2 + 2 + 2 + 1
    assert pages[1]["options"]["2"] == {"name": "limitfrom", "value": "2"}
    assert pages[0]["options"]["0"] == {"name": "onlyactive", "value": "1"}


# --- transport failures -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "error_type"),
    [
        ("login_page", errors.MoodleProtocolError),
        ("invalid_json", errors.MoodleProtocolError),
    ],
)
def test_non_webservice_answers(
    moodle: FakeMoodle, client: MoodleClient, failure: str, error_type: type
) -> None:
    moodle.state.failures.append(failure)
    with pytest.raises(error_type):
        get_course_completion(client, 7, 21)


def test_wrong_token_is_refused(moodle: FakeMoodle, session: requests.Session) -> None:
    client = MoodleClient(moodle.url, "not-the-token", session, timeout=5)
    with pytest.raises(errors.MoodleInvalidTokenError):
        get_site_info(client)


def test_function_missing_from_the_service(moodle: FakeMoodle, client: MoodleClient) -> None:
    moodle.state.functions = ("core_webservice_get_site_info",)
    assert "core_enrol_get_enrolled_users" in get_site_info(client).missing_functions()
    with pytest.raises(errors.MoodleAccessDeniedError):
        list(iter_enrolled_users(client, 7))


def test_server_errors_are_retried(moodle: FakeMoodle, client: MoodleClient) -> None:
    moodle.state.failures.extend(["http_500", "http_500"])
    assert get_site_info(client).userid == 3
    assert len(moodle.calls("core_webservice_get_site_info")) == 3


def test_retries_give_up(moodle: FakeMoodle, client: MoodleClient) -> None:
    moodle.state.failures.extend(["http_500"] * 3)
    with pytest.raises(RemoteServiceError) as caught:
        get_site_info(client)
    assert caught.value.status_code == 502
    assert len(moodle.calls("core_webservice_get_site_info")) == 3


def test_connection_refused_is_retried_then_reported(session: requests.Session) -> None:
    waits: list[float] = []
    with serve() as gone:
        url = gone.url
    client = MoodleClient(url, TOKEN, session, timeout=2, retries=2, sleep=waits.append)
    with pytest.raises(RemoteServiceError) as caught:
        get_site_info(client)
    assert not isinstance(caught.value, RemoteTimeoutError)
    assert waits == [0.5, 1.0]


def test_slow_answer_times_out(moodle: FakeMoodle, session: requests.Session) -> None:
    moodle.state.slow_seconds = 1.0
    client = MoodleClient(moodle.url, TOKEN, session, timeout=0.2)
    with pytest.raises(RemoteTimeoutError):
        get_site_info(client)


def test_token_travels_in_the_body_only(moodle: FakeMoodle, client: MoodleClient) -> None:
    get_site_info(client)
    assert TOKEN not in client.endpoint and TOKEN not in repr(client)
