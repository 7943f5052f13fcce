"""What only the local hub's database can show about the EQL by rule: two NSOs granting the
two countries' NQLs at the same moment still award it (the project's row lock puts the second
decision after the first, so the second sees both NQLs), exactly once per holder."""

from __future__ import annotations

import threading

import pytest

from connectors.local_hub import LocalHub
from etwin_lti.domain.model import AcknowledgementKind, NqlDecision
from etwin_lti.persistence.db import Database
from tests.contract.hub_contract.builders import PASSING, SCORES, approved_project


def _decide_at_once(hub: LocalHub, applications: dict[str, int]) -> list[NqlDecision]:
    barrier = threading.Barrier(len(applications))
    decisions: list[NqlDecision] = []

    def decide(nso: str) -> None:
        barrier.wait()
        decisions.append(hub.decide_nql(nso, applications[nso], SCORES, PASSING).decision)

    threads = [threading.Thread(target=decide, args=(nso,)) for nso in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return decisions


@pytest.mark.postgres
def test_two_nsos_at_once_still_make_the_eql(postgres_url: str) -> None:
    database = Database(postgres_url, pool_size=4)
    try:
        hub = LocalHub(database)
        hub.seed_countries()
        for _ in range(3):  # a race is a chance: a few projects, each decided at once
            project = approved_project(hub)
            fr, it = project.founder_ids
            applications = {
                "FR": hub.apply_nql(fr, project.id).id,
                "IT": hub.apply_nql(it, project.id).id,
            }
            assert _decide_at_once(hub, applications) == [NqlDecision.GRANTED] * 2
            eql = [
                a
                for a in hub.list_acknowledgements(subject=f"project:{project.id}")
                if a.kind is AcknowledgementKind.EUROPEAN_QUALITY_LABEL
            ]
            assert sorted(a.person_id for a in eql) == sorted([fr, it])
            assert {a.evidence["awarded_by"] for a in eql} == {"rule"}
    finally:
        database.dispose()
