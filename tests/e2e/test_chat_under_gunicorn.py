"""The TwinSpace chat behind gunicorn as production runs it (sync workers), over real HTTP:
many open chat pages polling do not hold the workers, so a message posted meanwhile is
answered at once and reaches every poller within a few seconds.

People launch through the demo tool's sandbox LMS with plain HTTP clients (browsers without
JavaScript); then ``gunicorn -w 2`` serves the tool from the same database, and the chat is used
there.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bench.support import Gunicorn, free_port
from tests.conftest import TEST_ENCRYPTION_KEY, TEST_SECRET
from tests.e2e.peer import launch_through
from tests.support.demo_tool import serving_demo_tool

pytestmark = pytest.mark.e2e
POLLERS = 8  # open chat pages, four per worker
ARRIVES_WITHIN = 10.0  # seconds: a few of the pollers' intervals, on a busy machine


@dataclass
class Served:
    url: str  # gunicorn
    twinspace_id: int
    teacher: requests.Session
    pupils: list[requests.Session]


@pytest.fixture
def served(app_sqlite_url: str, tmp_path: Path) -> Iterator[Served]:
    """People launch through the sandbox LMS of the demo tool (one process: the sandbox keeps
    its launch state in memory); their launch sessions live in the database, which gunicorn
    then serves from, with the same secret."""
    with serving_demo_tool(app_sqlite_url, tmp_path / "demo") as tool:
        teacher = launched(tool.base_url, "teacher", tool.demo.twinspace_id)
        pupils = [launched(tool.base_url, "pupil", tool.demo.twinspace_id) for _ in range(POLLERS)]
        twinspace_id = tool.demo.twinspace_id
    port = free_port()
    env = {
        "ETWIN_DATABASE_URL": app_sqlite_url,
        "ETWIN_INSTANCE_PATH": str(tmp_path / "gunicorn"),
        "ETWIN_BASE_URL": f"http://127.0.0.1:{port}",
        "ETWIN_SECRET_KEY": TEST_SECRET,
        "ETWIN_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "ETWIN_ALLOW_PRIVATE_URLS": "true",
        "ETWIN_RATE_LIMITS_ENABLED": "false",
    }
    server = Gunicorn("etwin_lti.wsgi:app", port=port, env=env, health_path="/healthz")
    server.start(timeout=120)  # two workers importing the tool on a busy machine
    try:
        yield Served(server.url, twinspace_id, teacher, pupils)
    finally:
        server.stop()
        for browser in (teacher, *pupils):
            browser.close()


def launched(base_url: str, user: str, twinspace_id: int) -> requests.Session:
    browser = requests.Session()
    answer = launch_through(
        browser, f"{base_url}/sandbox/launch?user={user}&etwin_resource=twinspace:{twinspace_id}"
    )
    assert answer.status_code == 200, answer.text[:800]
    return browser


def chat_url(served: Served) -> str:
    return f"{served.url}/embed/twinspace/{served.twinspace_id}/chat"


def test_polling_pages_do_not_hold_the_sync_workers(served: Served) -> None:
    teacher, pupils = served.teacher, served.pupils
    start = pupils[0].get(chat_url(served) + "/messages", timeout=10).json()["cursor"]
    seen: dict[int, float] = {}
    stop = threading.Event()

    def poll(number: int, browser: requests.Session) -> None:
        cursor = start
        while not stop.is_set():
            answer = browser.get(
                chat_url(served) + "/messages", params={"after": cursor}, timeout=10
            )
            assert answer.status_code == 200
            body = answer.json()
            cursor = body["cursor"]
            if any(m["body"] == "Under gunicorn" for m in body["messages"]):
                seen.setdefault(number, time.monotonic())
                return
            time.sleep(0.5)  # faster than the page's 3 s: more load than real pages make

    threads = [
        threading.Thread(target=poll, args=(n, b), daemon=True) for n, b in enumerate(pupils)
    ]
    for thread in threads:
        thread.start()
    try:
        page = teacher.get(chat_url(served), timeout=10)
        fields = dict(
            re.findall(r'<meta name="(csrf_token|etwin_launch_token)" content="([^"]*)"', page.text)
        )
        sent_at = time.monotonic()
        posted = teacher.post(
            chat_url(served) + "/messages",
            data={**{k: html.unescape(v) for k, v in fields.items()}, "body": "Under gunicorn"},
            allow_redirects=False,
            timeout=10,
        )
        answered_in = time.monotonic() - sent_at
        assert posted.status_code == 303, posted.text[:500]
        assert answered_in < 5.0  # no worker is held by the pollers (a long-poll would be)
        for thread in threads:
            thread.join(timeout=ARRIVES_WITHIN)
    finally:
        stop.set()
    assert sorted(seen) == list(range(POLLERS))
    assert max(seen.values()) - sent_at < ARRIVES_WITHIN
