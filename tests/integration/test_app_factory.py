from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

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


def _repository_instance() -> dict[str, float]:
    """What the repository's default ``instance/`` holds (name -> mtime); {} when absent."""
    folder = Path(Flask("etwin_lti").instance_path)
    return {p.name: p.stat().st_mtime for p in folder.iterdir()} if folder.is_dir() else {}


def test_a_test_app_keeps_its_queue_and_keys_in_its_own_instance_folder(
    app_sqlite_url: str, tmp_path: Path
) -> None:
    before = _repository_instance()
    app = make_test_app(app_sqlite_url, tmp_path, DEMO=True)
    container = app.extensions["etwin"]
    # Settings froze the folder before bootstrap built the queue and the sandbox from it.
    assert app.instance_path == container.settings.instance_path == str(tmp_path)
    queue_file = Path(container.task_queue.huey.storage.filename)
    assert queue_file.parent == tmp_path and queue_file.exists()
    assert (tmp_path / "sandbox-platform-key.pem").exists()
    container.database.dispose()
    assert _repository_instance() == before


def test_instance_path_in_the_config_decides_the_embedded_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder)})
    settings = app.extensions["etwin"].settings
    assert settings.instance_path == app.instance_path == str(folder)
    assert settings.database_url == "sqlite:///" + str(folder / "etwin.sqlite")
    assert (folder / "secret_key").read_text().strip() == settings.secret_key
    app.extensions["etwin"].database.dispose()
