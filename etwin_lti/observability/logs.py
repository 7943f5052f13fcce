"""The one logging configuration of the tool (``create_app`` calls ``configure_logging``).

``ETWIN_LOG_FORMAT=text`` (the default, for ``make run``) writes readable lines; ``json`` (for
production) writes one JSON object per line through python-json-logger: ``timestamp`` (UTC,
ISO 8601), ``level``, ``logger``, ``message``, ``request_id`` and whatever fields the call
passed as ``extra`` (the request line adds ``method``, ``path``, ``status``, ``duration_ms``).

Like ``logging.basicConfig``, nothing is changed when the host already configured the root
logger (a test runner, an embedding application, ``gunicorn --log-config``), so the host keeps
its own handlers; configuring again replaces only this module's handler.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from etwin_lti.observability.request_ids import current_request_id

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_MARK = "_etwin_lti_handler"


class RequestIdFilter(logging.Filter):
    """Puts the current request's (or task's) id on every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class _TextRequestIdFilter(RequestIdFilter):
    def filter(self, record: logging.LogRecord) -> bool:
        super().filter(record)
        if getattr(record, "request_id", None) is None:
            record.request_id = "-"
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the moment of the record (as logging's own
    last-resort handler does), not the stream of the moment the handler was made."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        return None


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
    )


def make_handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """The handler ``configure_logging`` installs: on ``stream``, or on the current stderr."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {LOG_FORMATS}, not {log_format!r}")
    handler: logging.Handler = (
        logging.StreamHandler(stream) if stream is not None else _StderrHandler()
    )
    if log_format == "json":
        handler.setFormatter(json_formatter())
        handler.addFilter(RequestIdFilter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
        handler.addFilter(_TextRequestIdFilter())
    setattr(handler, _MARK, True)
    return handler


def configure_logging(log_format: str, *, level: int = logging.INFO) -> bool:
    """Install the tool's handler on the root logger; False when the host owns logging."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, _MARK, False)]
    if len(ours) != len(root.handlers):
        return False
    for handler in ours:
        root.removeHandler(handler)
    root.addHandler(make_handler(log_format))
    root.setLevel(level)
    # The development server's access lines carry query strings (registration tokens, login
    # hints); the tool's own request line (etwin_lti.web.observability) replaces them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Alembic announces each of its plugins at every start: lines that bury the address the
    # server prints. Its migrations ("Running upgrade ...") still log at INFO.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    return True


# Routine lines that say nothing went wrong: each migration applied ("Running upgrade ..."), and
# the task queue's own chatter (its start banner, "Executing"/"executed in" for every task, the
# periodic sweep every minute). Their warnings and errors ("Unhandled exception in task") pass.
ROUTINE_LOGGERS = ("alembic.runtime.migration", "huey")


def quiet_routine_logs() -> None:
    """``etwin-lti serve`` without ``--verbose``: the last lines it prints before it waits are
    the address and the sandbox's (README "Two commands"), not the queue's INFO every minute."""
    for name in ROUTINE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
