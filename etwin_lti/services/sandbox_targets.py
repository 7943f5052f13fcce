"""What the demo sandbox LMS offers to launch: the demo TwinSpace, Learning Event and course
unit, looked up through the hub port (never SQL), as ``etwin_resource`` values."""

from __future__ import annotations

from dataclasses import dataclass

from etwin_lti.domain.ports import HubPort
from etwin_lti.services.demo import load_demo


@dataclass(frozen=True)
class LaunchTarget:
    kind: str  # "twinspace" | "event" | "unit"
    id: int
    title: str

    @property
    def etwin_resource(self) -> str:
        return f"{self.kind}:{self.id}"


def demo_launch_targets(hub: HubPort) -> list[LaunchTarget]:
    """The demo TwinSpace, Learning Event and first course unit, by the ids ``load_demo``
    returns (it is idempotent: on a loaded database it only looks them up)."""
    demo = load_demo(hub)
    return [
        LaunchTarget("twinspace", demo.twinspace_id, hub.get_twinspace(demo.twinspace_id).title),
        LaunchTarget("event", demo.event_id, hub.get_event(demo.event_id).title),
        LaunchTarget("unit", demo.unit_id, hub.get_unit(demo.unit_id).title),
    ]
