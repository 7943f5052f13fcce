"""The migration chain on both databases: it builds exactly the models' schema, and 0002 merges
the people that per-deployment identities had duplicated without losing what they did.

The duplicates are seeded the way the old code made them: a database at revision 0001, real
hub operations (``LocalHub``, whose tables 0002 does not change) and identity rows keyed by
(issuer, deployment, sub) as the old launch wrote them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import etwin_lti.persistence.models  # noqa: F401  (fills Base.metadata)
from connectors import sql_person_merge
from connectors.local_hub import LocalHub
from etwin_lti.domain.model import (
    AcknowledgementKind,
    MemberStatus,
    PersonKind,
    RoleSource,
    TwinSpaceRole,
)
from etwin_lti.persistence.db import Base, Database
from etwin_lti.persistence.migrate import upgrade
from etwin_lti.persistence.models.teacher_linking import TeacherAccountRow, TeacherInvitationRow
from tests.support.databases import PostgresDatabase

MERGE = importlib.import_module("etwin_lti.persistence.migrations.versions.0002_people_per_issuer")
MODERATION = importlib.import_module("etwin_lti.persistence.migrations.versions.0004_ws_moderation")
ISSUER = "https://moodle.school.example"
OTHER_ISSUER = "https://moodle.elsewhere.example"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database at revision 0001."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path / "old.sqlite")
        upgrade(url, "0001")
        yield url
        return
    with PostgresDatabase(revision="0001") as database:
        yield database.url


def test_the_migrations_build_exactly_the_models(fresh_url: str) -> None:
    upgrade(fresh_url)
    database = Database(fresh_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.engine.dispose()


def test_every_reference_to_a_person_is_merged() -> None:
    """A new table pointing at people must be taught to 0002's merge (or a later revision's)."""
    # Tables created after 0002 hold no duplicated people: only the runtime merge
    # (connectors.sql_person_merge) must know them.
    later = {("chat_messages", "author_id"), ("partner_invitations", "inviter_id")}
    runtime = {(model.__tablename__, column) for model, column in sql_person_merge._MOVED}
    assert later <= runtime
    # 0008_partner_invitations: the invitee moves in ``_merge_partner_invitations``
    # (tests/integration/linking/test_person_merge.py).
    later.add(("partner_invitations", "invitee_id"))
    covered = {(t, c) for t, c in MERGE._FOLLOW} | later
    covered |= {(t, c) for t, c, _key, _order in MERGE._UNIQUE}
    covered |= {
        ("twinspace_members", "person_id"),
        ("event_enrolments", "person_id"),
        ("launch_sessions", "person_id"),
        ("lti_identities", "person_id"),
        # Added by 0006_teacher_api, after 0002's merge ran: only the runtime merge
        # (connectors.sql_person_merge, tests/integration/api/test_teacher_tokens.py) moves it.
        ("api_tokens", "person_id"),
    }
    referring = {
        (table.name, fk.parent.name)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "people"
    }
    by_name = {  # plain integer columns holding a hub person id
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name == "person_id" and table.name != "people"
    }
    assert referring | by_name <= covered


def _identity(connection: Any, deployment: str, sub: str, person_id: int, **kw: Any) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO lti_identities (issuer, deployment_id, sub, person_id, created_at) "
            "VALUES (:issuer, :deployment, :sub, :person, :at)"
        ),
        {
            "issuer": kw.get("issuer", ISSUER),
            "deployment": deployment,
            "sub": sub,
            "person": person_id,
            "at": datetime.now(UTC),
        },
    )


def _count(connection: Any, table: str) -> int:
    return int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


# Columns later revisions add to tables today's ``LocalHub`` writes: added by hand so that it
# can seed an older database, dropped again before the upgrade adds them for real.
LATER_COLUMNS = [
    ("projects", "subjects", "JSON NOT NULL DEFAULT '[]'"),  # 0003_ws_life
    ("projects", "languages", "JSON NOT NULL DEFAULT '[]'"),
    ("projects", "levels", "JSON NOT NULL DEFAULT '[]'"),
    ("projects", "ends_on", "DATE"),
    ("nql_applications", "evidence", "JSON NOT NULL DEFAULT '{}'"),
    *((table, "hidden_at", "TIMESTAMP") for table in MODERATION.TABLES),  # 0004_ws_moderation
    # 0007_ws_files (its ``url`` nullability does not matter here: the seed adds links only)
    ("twinspace_materials", "file_key", "VARCHAR(100)"),
    ("twinspace_materials", "file_size", "BIGINT"),
    ("twinspace_materials", "content_type", "VARCHAR(100)"),
    ("twinspace_materials", "file_name", "VARCHAR(255)"),
    ("twinspace_materials", "thumbnail_key", "VARCHAR(100)"),
    ("twinspace_materials", "thumbnail_size", "BIGINT"),
]


def _alter_later_columns(url: str, verb: str) -> None:
    """``ADD`` them before seeding with today's hub, ``DROP`` them before the upgrade."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table, column, ddl in LATER_COLUMNS:
            definition = f"{column} {ddl}" if verb == "ADD" else column
            connection.execute(sa.text(f"ALTER TABLE {table} {verb} COLUMN {definition}"))
    engine.dispose()


def test_0002_merges_duplicated_people_and_keeps_what_they_did(fresh_url: str) -> None:
    _alter_later_columns(fresh_url, "ADD")
    database = Database(fresh_url)
    hub = LocalHub(database)
    hub.seed_countries()
    anna = hub.create_person("Anna Founder", PersonKind.TEACHER, country_code="FR")
    bernd = hub.create_person("Bernd Founder", PersonKind.TEACHER, country_code="DE")
    carla = hub.create_person("Carla Founder", PersonKind.TEACHER, country_code="IT")
    first = hub.create_project(anna.id, bernd.id, "Water of Europe")
    hub.validate_project("FR", first.id)
    first = hub.validate_project("DE", first.id)
    second = hub.create_project(carla.id, bernd.id, "Songs of Europe")
    hub.validate_project("IT", second.id)
    second = hub.validate_project("DE", second.id)
    expert = hub.create_person("Eva Expert", PersonKind.EXPERT)
    start = date.today() + timedelta(days=1)
    event = hub.create_event("Climate", "", expert.id, start, start + timedelta(days=7), 5)
    edition = hub.create_edition("Course", start.year, start, start + timedelta(days=60))
    unit = hub.add_unit(edition.id, "Unit 1", "", activities=[("Read", "r"), ("Write", "w")])
    read, write = (a.id for a in unit.activities)
    ts1, ts2 = first.twinspace_id, second.twinspace_id

    # Tom, one Moodle teacher, became two people through two deployments.
    tom_1, tom_2 = (
        hub.create_person(
            "Tom Teacher", PersonKind.TEACHER, country_code="FR", email="tom@school.example"
        )
        for _ in range(2)
    )
    hub.sync_member(ts1, tom_1.id, TwinSpaceRole.TEACHER)  # the LMS made him a teacher...
    hub.sync_member(ts1, tom_2.id, TwinSpaceRole.TEACHER)
    hub.change_role(anna.id, ts1, tom_2.id, TwinSpaceRole.OBSERVER)  # ...an admin decided
    hub.sync_member(ts2, tom_2.id, TwinSpaceRole.TEACHER)  # only the second one is here
    hub.enrol(event.id, tom_1.id)
    hub.enrol(event.id, tom_2.id)  # two seats for one man
    hub.enrol_trainee(edition.id, tom_1.id)
    hub.enrol_trainee(edition.id, tom_2.id)
    hub.mark_activity_done(tom_1.id, read)  # half of the unit through each deployment
    hub.mark_activity_done(tom_2.id, write)
    certificate = hub.issue_acknowledgement(
        AcknowledgementKind.EVENT_CERTIFICATE, tom_2.id, f"event:{event.id}", "Certificate"
    )
    hub.add_partner(carla.id, second.id, tom_2.id)
    post = hub.post_diary(tom_2.id, second.id, "Hello", "From Tom")
    # Through the second deployment Tom connected his eTwinning account and invited Carla.
    now = datetime.now(UTC)
    with Session(database.engine) as s, s.begin():
        s.add(
            TeacherAccountRow(person_id=tom_2.id, status="validated", method="code", linked_at=now)
        )
        s.add(
            TeacherInvitationRow(
                token_hash="h" * 64,
                twinspace_id=ts2,
                role="teacher",
                inviter_id=tom_2.id,
                invitee_id=carla.id,
                created_at=now,
                expires_at=now + timedelta(days=7),
            )
        )
    # Pia, a pupil, opened a Learning Event first through one deployment (stored as a teacher
    # with her e-mail, the old bug) and her TwinSpace through the other one.
    pia_wrong = hub.create_person("Pia Pupil", PersonKind.TEACHER, email="pia@school.example")
    pia = hub.create_person("Pupil 1A2B", PersonKind.PUPIL)
    hub.enrol(event.id, pia_wrong.id)
    hub.sync_member(ts1, pia.id, TwinSpaceRole.PUPIL)
    # Someone else with the same sub on another LMS: another person, untouched.
    stranger = hub.create_person("Stranger", PersonKind.TEACHER)
    with database.engine.begin() as connection:
        _identity(connection, "d-1", "tom", tom_1.id)
        _identity(connection, "d-2", "tom", tom_2.id)
        _identity(connection, "d-2", "pia", pia_wrong.id)
        _identity(connection, "d-1", "pia", pia.id)
        _identity(connection, "d-1", "tom", stranger.id, issuer=OTHER_ISSUER)
        people_before = _count(connection, "people")
    database.engine.dispose()
    _alter_later_columns(fresh_url, "DROP")

    upgrade(fresh_url)

    database = Database(fresh_url)
    hub = LocalHub(database)
    try:
        with database.engine.connect() as connection:
            assert _count(connection, "people") == people_before - 2
            links = connection.execute(
                sa.text("SELECT issuer, sub, person_id, kind FROM lti_identities ORDER BY id")
            ).all()
        with pytest.raises(IntegrityError), database.engine.begin() as connection:
            _identity(connection, "d-3", "tom", tom_1.id)  # (issuer, sub) is unique now
        assert {(link.issuer, link.sub, link.person_id, link.kind) for link in links} == {
            (ISSUER, "pia", pia.id, "pupil"),
            (ISSUER, "tom", tom_1.id, "teacher"),
            (OTHER_ISSUER, "tom", stranger.id, "teacher"),
        }
        assert len(links) == 3
        # Tom: the oldest person kept; the admin's decision won over the LMS's role.
        in_first = hub.get_member(ts1, tom_1.id)
        assert (in_first.role, in_first.role_source) == (TwinSpaceRole.OBSERVER, RoleSource.MANUAL)
        in_second = hub.get_member(ts2, tom_1.id)
        assert (in_second.role, in_second.status) == (TwinSpaceRole.TEACHER, MemberStatus.ACTIVE)
        enrolled = [e.person_id for e in hub.list_enrolments(event.id)]
        assert sorted(enrolled) == sorted([tom_1.id, pia.id])
        assert hub.get_event(event.id).enrolled == len(enrolled)  # the double seat given back
        assert [p.id for p in hub.list_trainees(edition.id)] == [tom_1.id]
        assert set(hub.unit_progress(tom_1.id, unit.id).done_activity_ids) == {read, write}
        [moved] = [
            a
            for a in hub.list_acknowledgements(person_id=tom_1.id)
            if a.kind is not AcknowledgementKind.ETWINNING_LABEL  # he is a partner: he has it
        ]
        assert moved.id == certificate.id
        assert tom_1.id in hub.get_project(second.id).partner_ids
        [diary] = hub.list_diary(second.id)
        assert diary.id == post.id and diary.author_id == tom_1.id
        with Session(database.engine) as s:
            assert [a.person_id for a in s.query(TeacherAccountRow)] == [tom_1.id]
            assert [(i.inviter_id, i.invitee_id) for i in s.query(TeacherInvitationRow)] == [
                (tom_1.id, carla.id)
            ]
        # Pia: kept as the pupil, without the name and e-mail the bug stored.
        kept = hub.get_person(pia.id)
        assert (kept.kind, kept.email, kept.display_name) == (PersonKind.PUPIL, None, "Pupil 1A2B")
        assert hub.get_member(ts1, pia.id).role is TwinSpaceRole.PUPIL
    finally:
        database.engine.dispose()


def test_0003_gives_partners_who_joined_before_it_the_etwinning_label(fresh_url: str) -> None:
    """Before 0003_ws_life, a partner who joined after the approval got no label."""
    upgrade(fresh_url, "0002")
    _alter_later_columns(fresh_url, "ADD")
    database = Database(fresh_url)
    hub = LocalHub(database)
    hub.seed_countries()
    anna = hub.create_person("Anna", PersonKind.TEACHER, country_code="FR")
    bernd = hub.create_person("Bernd", PersonKind.TEACHER, country_code="DE")
    paula = hub.create_person("Paula", PersonKind.TEACHER, country_code="PL")
    project = hub.create_project(anna.id, bernd.id, "Water")
    hub.validate_project("FR", project.id)
    hub.validate_project("DE", project.id)
    hub.add_partner(anna.id, project.id, paula.id)
    with database.engine.begin() as connection:  # as the code before 0003 left it
        connection.execute(
            sa.text("DELETE FROM acknowledgements WHERE person_id = :p"), {"p": paula.id}
        )
    database.engine.dispose()
    _alter_later_columns(fresh_url, "DROP")

    upgrade(fresh_url)
    upgrade(fresh_url)  # at head already: nothing more

    database = Database(fresh_url)
    try:
        labels = LocalHub(database).list_acknowledgements(subject=f"project:{project.id}")
        assert sorted(a.person_id for a in labels) == sorted([anna.id, bernd.id, paula.id])
        assert {a.kind for a in labels} == {AcknowledgementKind.ETWINNING_LABEL}
        [paulas] = [a for a in labels if a.person_id == paula.id]
        assert paulas.title == "eTwinning label: Water" and paulas.issued_at.tzinfo is not None
        project_now = LocalHub(database).get_project(project.id)
        assert (project_now.subjects, project_now.ends_on) == ((), None)
    finally:
        database.dispose()
