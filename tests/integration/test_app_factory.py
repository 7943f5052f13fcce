from __future__ import annotations

import pytest

from etwin_lti.app import create_app
from etwin_lti.errors import ConfigurationError
from tests.conftest import TEST_SECRET, make_test_app


def test_healthz_reports_ok_with_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    # create_app alone: make_test_app also runs the after-upgrade data steps (country seed),
    # which need the database this test makes unreachable.
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SECRET_KEY": TEST_SECRET,
            "BASE_URL": "http://tool.test",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_unknown_page_answers_an_html_page_saying_who_can_fix_it(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert b"Who can fix this" in response.data
    assert b"Traceback" not in response.data


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"SECRET_KEY": "short"}, "ETWIN_SECRET_KEY"),
        ({"QUEUE": "carrier-pigeon"}, "ETWIN_QUEUE"),
        ({"QUEUE": "redis", "REDIS_URL": None}, "ETWIN_REDIS_URL"),
        ({"BASE_URL": "ftp://x"}, "ETWIN_BASE_URL"),
    ],
)
def test_bad_configuration_is_refused_at_start_up(sqlite_url, tmp_path, config, message):
    with pytest.raises(ConfigurationError, match=message):
        make_test_app(sqlite_url, tmp_path, **config)
