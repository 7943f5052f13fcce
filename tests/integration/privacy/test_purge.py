"""The retention purge: members suspended for longer than ETWIN_SUSPENDED_RETENTION_DAYS and
active nowhere are erased; the boundary, dry runs, founders and people still taking part."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import update

from etwin_lti.errors import ConfigurationError
from etwin_lti.persistence.models.hub import MemberRow
from tests.conftest import make_test_app
from tests.integration.privacy.world import World, dump_all

RETENTION = timedelta(days=365)  # the default


def _suspended_at(world: World, person_id: int) -> datetime:
    [membership] = world.privacy.export(person_id, now=datetime.now().astimezone())["memberships"]
    assert membership["status"] == "suspended"
    return datetime.fromisoformat(membership["updated_at"])


def test_the_retention_boundary(world: World) -> None:
    hub = world.container.hub
    hub.suspend_member(world.tom, world.twinspace_id, world.pupil)
    since = _suspended_at(world, world.pupil)
    at_boundary = world.privacy.purge(now=since + RETENTION)
    assert at_boundary.erased == () and at_boundary.cutoff == since
    assert world.privacy.export(world.pupil, now=since)["erasure"] is None
    past = world.privacy.purge(now=since + RETENTION + timedelta(microseconds=1))
    assert past.erased == (world.pupil,)
    data = world.privacy.export(world.pupil, now=since)
    assert data["erasure"]["reason"] == "retention"
    assert data["profile"]["display_name"].startswith("Former member ")
    # Nobody else was suspended: nobody else was touched; a second run finds no one.
    assert world.privacy.export(world.sara, now=since)["erasure"] is None
    assert world.privacy.purge(now=since + 2 * RETENTION).erased == ()


def test_dry_run_changes_nothing(world: World) -> None:
    world.container.hub.suspend_member(world.tom, world.twinspace_id, world.pupil)
    later = _suspended_at(world, world.pupil) + 2 * RETENTION
    before = dump_all(world.app)
    report = world.privacy.purge(now=later, dry_run=True)
    assert report.erased == (world.pupil,) and report.dry_run
    assert dump_all(world.app) == before


def test_people_still_taking_part_are_kept(world: World) -> None:
    """Sara is suspended from the TwinSpace but enrolled in an event not over by then."""
    hub = world.container.hub
    hub.suspend_member(world.tom, world.twinspace_id, world.sara)
    since = _suspended_at(world, world.sara)
    starts = (since + RETENTION).date()
    expert = hub.create_person("Eve Two", "expert")
    event = hub.create_event("Later", "About later", expert.id, starts, starts + timedelta(14), 5)
    hub.enrol(event.id, world.sara)
    assert world.privacy.purge(now=since + RETENTION + timedelta(days=1)).erased == ()
    assert world.privacy.purge(now=since + RETENTION + timedelta(days=15)).erased == (world.sara,)


def test_founders_of_open_projects_are_reported_not_erased(world: World) -> None:
    # Founders cannot be suspended through the hub; a membership suspended by an earlier
    # version (or by hand in the database) must still not lead the purge to erase a founder.
    with world.container.database.session() as s:
        s.execute(
            update(MemberRow).where(MemberRow.person_id == world.tom).values(status="suspended")
        )
    later = _suspended_at(world, world.tom) + 2 * RETENTION
    report = world.privacy.purge(now=later)
    assert report.kept_founders == (world.tom,) and report.erased == ()
    assert world.privacy.export(world.tom, now=later)["erasure"] is None


def test_the_purge_is_a_daily_periodic_task(app: Flask) -> None:
    queue = app.extensions["etwin"].task_queue
    task = queue.task("purge_personal_data")

    def due(moment: datetime) -> bool:
        return "purge_personal_data" in {t.name for t in queue.huey.read_periodic(moment)}

    assert due(datetime(2030, 1, 1, 3, 17)) and due(datetime(2030, 1, 2, 3, 17))
    assert not due(datetime(2030, 1, 1, 4, 17)) and not due(datetime(2030, 1, 1, 3, 18))
    task.call_local()  # runs the purge with the real clock: nobody is past retention


def test_a_retention_below_one_day_is_refused_at_start_up(sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="SUSPENDED_RETENTION_DAYS"):
        make_test_app(sqlite_url, tmp_path, SUSPENDED_RETENTION_DAYS=0)
