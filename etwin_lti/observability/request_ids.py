"""The request id: one short token per HTTP request or task, on every log record it causes.

An incoming ``X-Request-ID`` (a proxy's or a load balancer's) is kept only when it is a short
safe token: it ends up in log lines and a response header, so a value able to break a line, a
JSON string or a header (newlines, quotes, unicode look-alikes, kilobytes of padding) is replaced
by a fresh id rather than cleaned. A task carries the id of the request that queued it; a task
queued outside any request (the periodic sweep, the CLI) gets its own.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_current: ContextVar[str | None] = ContextVar("etwin_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(candidate: object) -> str:
    """``candidate`` when it is a safe short token (``[A-Za-z0-9._-]{1,64}``), else a new id."""
    # fullmatch, not match with "$": "$" also matches before a trailing newline.
    if isinstance(candidate, str) and _SAFE.fullmatch(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    """The id of the request or task this code runs for; None outside both."""
    return _current.get()


@contextmanager
def bound_request_id(request_id: str | None) -> Iterator[str]:
    """Run a block (a task) under ``request_id`` (checked again: it came through the queue),
    or under a new id when there is none."""
    token = _current.set(accept_request_id(request_id) if request_id else new_request_id())
    try:
        yield str(_current.get())
    finally:
        _current.reset(token)


def begin_request(candidate: object) -> tuple[str, object]:
    """Bind a request's (or a task's) id; hand the token to ``end_request`` at the end."""
    request_id = accept_request_id(candidate)
    return request_id, _current.set(request_id)


def end_request(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
