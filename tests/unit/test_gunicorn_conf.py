"""The gunicorn configuration's own settings (etwin_lti.gunicorn_conf): defaults, and clear
errors for values an administrator could mistype."""

from __future__ import annotations

import os

import pytest

from etwin_lti import gunicorn_conf
from etwin_lti.errors import ConfigurationError


@pytest.mark.parametrize(
    ("cores", "expected"), [(None, 3), (1, 3), (2, 5), (3, 7), (4, 8), (64, 8)]
)
def test_default_workers_are_twice_the_cores_plus_one_at_most_eight(
    cores: int | None, expected: int
) -> None:
    assert gunicorn_conf.web_workers({}, cores) == expected


def test_workers_and_threads_from_the_environment() -> None:
    environ = {"ETWIN_WEB_WORKERS": " 12 ", "ETWIN_WEB_THREADS": "4"}
    assert gunicorn_conf.web_workers(environ, 2) == 12
    assert gunicorn_conf.web_threads(environ) == 4
    assert gunicorn_conf.web_threads({}) == 1
    assert gunicorn_conf.web_workers({"ETWIN_WEB_WORKERS": ""}, 2) == 5


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "65", "4 workers"])
def test_a_bad_worker_count_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigurationError, match="ETWIN_WEB_WORKERS must be a whole number"):
        gunicorn_conf.web_workers({"ETWIN_WEB_WORKERS": value}, 2)


@pytest.mark.parametrize("value", ["0", "33", "many"])
def test_a_bad_thread_count_is_refused_by_name(value: str) -> None:
    with pytest.raises(ConfigurationError, match="ETWIN_WEB_THREADS must be a whole number"):
        gunicorn_conf.web_threads({"ETWIN_WEB_THREADS": value})


def test_access_log_is_off_unless_asked_for_on_stdout() -> None:
    assert gunicorn_conf.access_log({}) is None
    assert gunicorn_conf.access_log({"ETWIN_WEB_ACCESS_LOG": "off"}) is None
    assert gunicorn_conf.access_log({"ETWIN_WEB_ACCESS_LOG": "STDOUT"}) == "-"
    with pytest.raises(ConfigurationError, match="ETWIN_WEB_ACCESS_LOG"):
        gunicorn_conf.access_log({"ETWIN_WEB_ACCESS_LOG": "/var/log/etwin.log"})


def test_gunicorn_interprets_no_forwarded_header_the_app_does() -> None:
    """ProxyFix in the app (https base URL) is the one place that trusts the proxy."""
    assert gunicorn_conf.secure_scheme_headers == {}
    assert gunicorn_conf.forwarder_headers == ""
    assert gunicorn_conf.forwarded_allow_ips == ""
    assert gunicorn_conf.preload_app is False
    assert gunicorn_conf.wsgi_app == "etwin_lti.wsgi:app"


def test_usable_cores_are_those_this_process_may_run_on() -> None:
    cores = gunicorn_conf.usable_cores()
    assert cores is not None and 1 <= cores <= (os.cpu_count() or 1)
