"""gunicorn settings for etwin-lti (README "Running at scale", ADR 0023)::

    gunicorn -c python:etwin_lti.gunicorn_conf 'etwin_lti.wsgi:app' --bind 0.0.0.0:8000

gunicorn's own command-line flags override what is set here (``-w 1``, ``--timeout 60``...).

- Workers: ``ETWIN_WEB_WORKERS`` (default 2 × cores + 1, at most 8: a web worker holds
  ~125 MiB). ``ETWIN_WEB_THREADS`` (default 1): sync workers, which a buffering proxy in front
  suits best; more than 1 gives gthread workers with that many threads each.
- The proxy: the app trusts one proxy's ``X-Forwarded-Proto/Host/For`` itself (werkzeug's
  ``ProxyFix``, installed when ``ETWIN_BASE_URL`` is https: ``etwin_lti.web.lti_views``), so
  gunicorn is told to interpret none of them; two places deciding the scheme could disagree.
- No preloading: every worker builds its own app, so no database connection, Redis client or
  queue handle is ever shared across a fork. With ``--preload`` anyway, ``post_fork`` drops the
  connections a worker inherited from the master.
- The task queue: with ``ETWIN_QUEUE=embedded`` exactly one web worker at a time also runs the
  queue's consumer (``etwin_lti.consumer_election``), so scores are posted with nothing else
  to start; with ``ETWIN_QUEUE=redis`` none does: run ``etwin-lti worker`` processes.
- No access log unless ``ETWIN_WEB_ACCESS_LOG=stdout`` (the proxy keeps one; launch URLs carry
  login hints). No control socket unless ``ETWIN_WEB_CONTROL_SOCKET=<path>``: gunicorn's default
  path is one per user, which two instances on one machine would fight over.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from etwin_lti.consumer_election import ElectedConsumer, lock_path_for
from etwin_lti.container import Container
from etwin_lti.errors import ConfigurationError
from etwin_lti.web.container import container_of

MAX_DEFAULT_WORKERS = 8
_CONSUMER_ATTRIBUTE = "etwin_consumer_election"


def _whole_number(environ: Mapping[str, str], name: str, default: int, top: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise ConfigurationError(f"{name} must be a whole number from 1 to {top} (got {raw!r}).")
    return int(raw)


def web_workers(environ: Mapping[str, str], cores: int | None) -> int:
    default = min(2 * (cores or 1) + 1, MAX_DEFAULT_WORKERS)
    return _whole_number(environ, "ETWIN_WEB_WORKERS", default, 64)


def web_threads(environ: Mapping[str, str]) -> int:
    return _whole_number(environ, "ETWIN_WEB_THREADS", 1, 32)


def access_log(environ: Mapping[str, str]) -> str | None:
    value = environ.get("ETWIN_WEB_ACCESS_LOG", "").strip().lower()
    if value in ("", "off"):
        return None
    if value == "stdout":
        return "-"
    raise ConfigurationError(f"ETWIN_WEB_ACCESS_LOG must be 'off' or 'stdout' (got {value!r}).")


def usable_cores() -> int | None:
    """The cores this process may run on (a container pinned to 2 of 64 has 2)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count()


# --- settings (gunicorn reads these names) --------------------------------------------------
wsgi_app = "etwin_lti.wsgi:app"
workers = web_workers(os.environ, usable_cores())
threads = web_threads(os.environ)
timeout = 30  # a launch is a few database round trips; outbound calls time out at 10 s
graceful_timeout = 25  # within the 30 s most orchestrators wait before SIGKILL
keepalive = 5  # the proxy reuses its upstream connections
preload_app = False
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""  # not even SCRIPT_NAME or PATH_INFO
forwarded_allow_ips = ""
accesslog = access_log(os.environ)
errorlog = "-"
control_socket_disable = not os.environ.get("ETWIN_WEB_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["ETWIN_WEB_CONTROL_SOCKET"]
if os.path.isdir("/dev/shm"):
    # The workers' heartbeat files: on disk, a slow disk can make gunicorn kill healthy workers.
    worker_tmp_dir = "/dev/shm"


# --- hooks ----------------------------------------------------------------------------------
def when_ready(server: Any) -> None:
    if os.environ.get("ETWIN_QUEUE", "embedded") == "redis":
        server.log.info(
            "ETWIN_QUEUE=redis: no queue consumer runs here; scores are posted by the "
            "`etwin-lti worker` processes"
        )
    else:
        server.log.info("embedded task queue: one web worker at a time consumes it")


def post_fork(server: Any, worker: Any) -> None:
    """With ``--preload`` the app, and its connection pool, was built in the master: forget
    the pooled connections without closing them (they are the master's sockets), so this
    worker opens its own. redis-py's pools notice a fork by themselves (they check the pid)."""
    app = getattr(worker.app, "callable", None)
    if app is not None:
        _container(app).database.engine.dispose(close=False)


def post_worker_init(worker: Any) -> None:
    """On the embedded queue, stand for election as its one consumer."""
    container = _container(worker.wsgi)
    settings = container.settings
    if settings.queue != "embedded":
        return

    def start() -> Any:
        return container.task_queue.start_worker(workers=settings.worker_threads)

    election = ElectedConsumer(lock_path_for(settings.embedded_queue_file), start)
    setattr(worker, _CONSUMER_ATTRIBUTE, election)
    election.begin()


def worker_exit(server: Any, worker: Any) -> None:
    """Let the consumer's running tasks finish and hand the lock to another worker."""
    election = getattr(worker, _CONSUMER_ATTRIBUTE, None)
    if election is not None:
        election.stop()


def _container(app: Any) -> Container:
    return container_of(app)
