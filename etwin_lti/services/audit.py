"""Who is acting, for the audit log (``etwin_lti.domain.audit``).

The entry points know the actor (the API's token check, an LMS launch, the CLI); the adapters
that write the change write its entry in the same transaction. Rather than thread an actor
argument through every port method, the entry point sets it for the duration of the call with
``acting_as`` and the writer reads ``current_actor()``: a ``ContextVar``, so each request
thread and each task sees only its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from etwin_lti.domain.audit import SYSTEM, AuditActor

_actor: ContextVar[AuditActor | None] = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(actor: AuditActor) -> Iterator[AuditActor]:
    reset = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(reset)


def current_actor(person_id: int | None = None) -> AuditActor:
    """The entry point's actor; else the person a port call names; else the tool itself."""
    actor = _actor.get()
    if actor is not None:
        return actor
    return AuditActor.person(person_id) if person_id is not None else SYSTEM
