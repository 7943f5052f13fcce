"""A small hub world for API tests, built through the hub port, plus a "nothing written" probe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from etwin_lti.domain.model import AcknowledgementKind, PersonKind, TwinSpaceRole
from etwin_lti.persistence.db import Base, Database


@dataclass(frozen=True)
class World:
    fr: int  # founder, France
    de: int  # founder, Germany
    fr2: int  # another French teacher
    it: int  # an Italian teacher, not in the project
    pupil: int
    expert: int
    project: int  # European, approved
    national: int  # FR + FR, pending
    twinspace: int
    event: int
    certificate: int


def build_world(hub: Any) -> World:
    fr = hub.create_person("Marie", PersonKind.TEACHER, country_code="FR").id
    de = hub.create_person("Jonas", PersonKind.TEACHER, country_code="DE").id
    fr2 = hub.create_person("Luc", PersonKind.TEACHER, country_code="FR").id
    it = hub.create_person("Giulia", PersonKind.TEACHER, country_code="IT").id
    pupil = hub.create_person("Pupil 1", PersonKind.PUPIL).id
    expert = hub.create_person("Dr Expert", PersonKind.EXPERT).id
    project = hub.create_project(fr, de, "Water around us").id
    hub.validate_project("FR", project)
    twinspace = hub.validate_project("DE", project).twinspace_id
    hub.add_member(fr, twinspace, pupil, TwinSpaceRole.PUPIL)
    national = hub.create_project(fr, fr2, "Our town").id
    event = hub.create_event(
        "Coding", "An intro", expert, date(2030, 5, 6), date(2030, 5, 20), 30
    ).id
    certificate = hub.issue_acknowledgement(
        AcknowledgementKind.COURSE_CERTIFICATE, fr, "edition:1", "Course certificate"
    ).id
    return World(fr, de, fr2, it, pupil, expert, project, national, twinspace, event, certificate)


def snapshot(database: Database) -> dict[str, list[tuple]]:
    """Every row of every table but the API tokens (whose ``last_used_at`` moves per call) and
    their audit entries (a test making a token after the probe is not a write of the request)."""
    import etwin_lti.persistence.models  # noqa: F401

    with database.session() as session:
        tables = {
            table.name: sorted(map(tuple, session.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
            if table.name != "api_tokens"
        }
    audit = Base.metadata.tables["audit_log"]
    kept = [
        r
        for r in tables.get("audit_log", [])
        if r[audit.c.keys().index("subject_kind")] != "api_token"
    ]
    tables["audit_log"] = kept
    return tables
