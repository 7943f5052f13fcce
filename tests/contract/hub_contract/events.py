"""The hub contract: Learning Events (domain-facts.md 1.8)."""

from __future__ import annotations

from datetime import timedelta

from etwin_lti.domain.model import (
    AcknowledgementKind,
    EventStatus,
    PersonKind,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from tests.contract.hub_contract.builders import (
    UNKNOWN_ID,
    Refusal,
    _completed,
    _enrolled,
    _event_call,
    _full,
    _new_event,
    event,
    newcomer,
    running_event,
    teacher,
    today,
)

EVENTS_REFUSALS: list[Refusal] = [
    # --- Learning Events (domain-facts.md 1.8)
    Refusal(
        "event led by a teacher",
        RuleViolationError,
        _new_event(expert_id=lambda hub: teacher(hub).id),
    ),
    Refusal(
        "event of six days",
        InvalidInputError,
        _new_event(ends_on=today() + timedelta(days=35)),
        "ends_on",
    ),
    Refusal(
        "event of 22 days",
        InvalidInputError,
        _new_event(ends_on=today() + timedelta(days=51)),
        "ends_on",
    ),
    Refusal(
        "event ending before it starts", InvalidInputError, _new_event(ends_on=today()), "ends_on"
    ),
    Refusal("event without seats", InvalidInputError, _new_event(capacity=0), "capacity"),
    Refusal("event with empty title", InvalidInputError, _new_event(title=""), "title"),
    Refusal("event led by nobody", NotFoundError, _new_event(expert_id=UNKNOWN_ID)),
    Refusal(
        "capacity full",
        RuleViolationError,
        _event_call(_full, lambda hub, ev: hub.enrol(ev.id, newcomer(hub).id)),
    ),
    Refusal(
        "enrolling twice",
        RuleViolationError,
        _event_call(lambda hub: _enrolled(hub), lambda hub, x: hub.enrol(x[0].id, x[1].id)),
    ),
    Refusal(
        "pupil enrols",
        RuleViolationError,
        _event_call(event, lambda hub, ev: hub.enrol(ev.id, newcomer(hub, PersonKind.PUPIL).id)),
    ),
    Refusal(
        "enrolling in a finished event",
        RuleViolationError,
        _event_call(
            lambda hub: event(hub, start=-40), lambda hub, ev: hub.enrol(ev.id, newcomer(hub).id)
        ),
    ),
    Refusal(
        "completion by someone else",
        PermissionDeniedError,
        _event_call(
            lambda hub: _enrolled(hub), lambda hub, x: hub.complete_event(x[1].id, x[0].id, x[1].id)
        ),
    ),
    Refusal(
        "completion before the start",
        RuleViolationError,
        _event_call(
            lambda hub: _enrolled(hub),
            lambda hub, x: hub.complete_event(x[0].expert_id, x[0].id, x[1].id),
        ),
    ),
    Refusal(
        "completion of a non-participant",
        RuleViolationError,
        _event_call(
            running_event, lambda hub, ev: hub.complete_event(ev.expert_id, ev.id, newcomer(hub).id)
        ),
    ),
    Refusal(
        "duplicate event certificate",
        DuplicateAcknowledgementError,
        _event_call(
            _completed, lambda hub, x: hub.complete_event(x[0].expert_id, x[0].id, x[1].id)
        ),
    ),
]


class EventsContract:
    """Learning Events (domain-facts.md 1.8)

    Mixed into ``HubContract``, which provides the ``hub`` fixture.
    """

    def test_learning_event_enrolment_and_certificate(self, hub: HubPort) -> None:
        ev = running_event(hub, capacity=2)
        assert ev.status is EventStatus.RUNNING and ev.enrolled == 0
        a, b = teacher(hub), teacher(hub, "PL")
        hub.enrol(ev.id, a.id)
        hub.enrol(ev.id, b.id)
        assert hub.get_event(ev.id).enrolled == 2
        assert [e.person_id for e in hub.list_enrolments(ev.id)] == [a.id, b.id]
        cert = hub.complete_event(ev.expert_id, ev.id, a.id)
        assert (cert.kind, cert.person_id, cert.subject) == (
            AcknowledgementKind.EVENT_CERTIFICATE,
            a.id,
            f"event:{ev.id}",
        )
        done = {e.person_id: e.completed_at for e in hub.list_enrolments(ev.id)}
        assert done[a.id] is not None and done[b.id] is None
        assert hub.get_acknowledgement(cert.id) == cert

    def test_event_status_and_listing(self, hub: HubPort) -> None:
        future = event(hub, start=40, days=7)
        past = event(hub, start=-60, days=21)
        now = running_event(hub)
        assert future.status is EventStatus.OPEN and past.status is EventStatus.FINISHED
        ids = [e.id for e in hub.list_events()]
        assert {future.id, past.id, now.id} <= set(ids)
        assert ids.index(past.id) < ids.index(now.id) < ids.index(future.id)
        open_ids = [e.id for e in hub.list_events(open_only=True)]
        assert future.id in open_ids and now.id in open_ids and past.id not in open_ids
