"""The local hub's cached TwinSpace snapshot (ADR 0016) against the uncached read.

After every kind of write, a hub with the page cache answers exactly what a hub without it
reads from the database: on SQLite and PostgreSQL, with the database cache and with Redis, and
across two instances (two ``Database`` handles, one shared cache), as behind a load balancer.
When the cache does not answer, pages are read from the database and writes still succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from sqlalchemy import update

from connectors.kv_cache import RedisKeyValueCache, SqlKeyValueCache
from connectors.local_hub import LocalHub
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.model import MaterialKind, PersonKind, TwinSpaceRole, Visibility
from etwin_lti.domain.moderation import ContentKind
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.hub import PersonRow
from tests.contract.hub_contract.builders import R, Space, space, teacher
from tests.support.redis_dbs import REDIS_CACHE_URL


@pytest.fixture
def databases(database_url: str) -> Iterator[tuple[Database, Database]]:
    """Two instances' handles on one database."""
    first, second = Database(database_url), Database(database_url)
    yield first, second
    first.dispose()
    second.dispose()


@pytest.fixture(params=["database", "redis"])
def shared_cache(
    request: pytest.FixtureRequest, databases: tuple[Database, Database]
) -> Iterator[KeyValueCache]:
    if request.param == "database":
        yield SqlKeyValueCache(databases[0])
        return
    redis.Redis.from_url(REDIS_CACHE_URL).flushdb()
    cache = RedisKeyValueCache.from_url(REDIS_CACHE_URL)
    yield cache
    cache.close()


Write = Callable[[LocalHub, Space], Any]


def _bulk_rename(hub: LocalHub, s: Space) -> None:
    with hub._db.session() as session:  # a bulk statement, as person merge makes
        session.execute(
            update(PersonRow).where(PersonRow.id == s.admin).values(display_name="Bulk name")
        )


WRITES: list[tuple[str, Write]] = [
    ("add member", lambda hub, s: hub.add_member(s.admin, s.id, teacher(hub).id, R.OBSERVER)),
    ("lms member", lambda hub, s: hub.sync_member(s.id, _pupil(hub), TwinSpaceRole.PUPIL)),
    (
        "change role",
        lambda hub, s: hub.change_role(s.admin, s.id, s.members[R.PUPIL], R.PUPIL_ADMINISTRATOR),
    ),
    ("suspend", lambda hub, s: hub.suspend_member(s.admin, s.id, s.members[R.TEACHER])),
    (
        "page",
        lambda hub, s: hub.add_page(s.admin, s.id, "New", "Body", visibility=Visibility.PUBLIC),
    ),
    ("private page", lambda hub, s: hub.add_page(s.co_founder, s.id, "Ours", "Body")),
    (
        "material",
        lambda hub, s: hub.add_material(
            s.members[R.PUPIL], s.id, "Photo", MaterialKind.PHOTO, "https://e.org/p.png"
        ),
    ),
    ("diary post", lambda hub, s: hub.post_diary(s.co_founder, s.project.id, "Week", "Text")),
    (
        "diary comment",
        lambda hub, s: hub.comment_diary(
            s.members[R.PUPIL], hub.list_diary(s.project.id)[0].id, "Nice"
        ),
    ),
    ("thread", lambda hub, s: hub.create_thread(s.members[R.EXPERT], s.id, "Topic", "First")),
    (
        "reply",
        lambda hub, s: hub.reply_thread(s.members[R.PUPIL], hub.list_threads(s.id)[0].id, "Hi"),
    ),
    ("rename pupil", lambda hub, s: hub.rename_person(s.admin, s.members[R.PUPIL], "Star")),
    ("partner", lambda hub, s: hub.add_partner(s.admin, s.project.id, teacher(hub, "PL").id)),
    ("bulk statement", _bulk_rename),
    (
        "edit page",
        lambda hub, s: hub.edit_content(
            s.admin, s.id, ContentKind.PAGE, _own_page(hub, s), title="Edited", body=""
        ),
    ),
    (
        "hide material",
        lambda hub, s: hub.hide_content(s.admin, s.id, ContentKind.MATERIAL, _material(hub, s)),
    ),
    (
        "restore material",
        lambda hub, s: hub.restore_content(s.admin, s.id, ContentKind.MATERIAL, _material(hub, s)),
    ),
    (
        "delete page",
        lambda hub, s: hub.delete_content(s.admin, s.id, ContentKind.PAGE, _own_page(hub, s)),
    ),
    ("archive", lambda hub, s: hub.close_project(s.admin, s.project.id)),
]


def _own_page(hub: LocalHub, s: Space) -> int:
    """A page the administrator wrote (authors edit their own words, ADR 0025)."""
    return int(
        next(p.id for p in hub.list_pages(s.id, viewer_id=s.admin) if p.author_id == s.admin)
    )


def _material(hub: LocalHub, s: Space) -> int:
    return int(hub.list_materials(s.id, viewer_id=s.admin)[0].id)


def _pupil(hub: LocalHub) -> int:
    return int(hub.create_person("Newcomer", PersonKind.PUPIL).id)


def _viewers(s: Space) -> list[int | None]:
    return [s.admin, s.members[R.PUPIL], s.members[R.GUEST], None]


def test_after_every_write_the_cached_snapshot_is_the_database_read(
    databases: tuple[Database, Database], shared_cache: KeyValueCache
) -> None:
    first, second = databases
    writer = LocalHub(first, page_cache=shared_cache)  # instance A
    reader = LocalHub(second, page_cache=shared_cache)  # instance B, same cache
    plain = LocalHub(second)  # no cache: the truth
    writer.seed_countries()
    s = space(writer)
    writer.post_diary(s.admin, s.project.id, "Week 1", "We met.")
    writer.create_thread(s.admin, s.id, "Hello", "Welcome")
    for name, write in WRITES:
        for viewer in _viewers(s):  # warm the cache of every visibility class
            reader.twinspace_snapshot(s.id, viewer_id=viewer)
        write(writer, s)
        for viewer in _viewers(s):
            cached = reader.twinspace_snapshot(s.id, viewer_id=viewer)
            assert cached == plain.twinspace_snapshot(s.id, viewer_id=viewer), (name, viewer)
            assert cached == writer.twinspace_snapshot(s.id, viewer_id=viewer), (name, viewer)


def test_without_the_cache_pages_are_read_and_writes_succeed(database_url: str) -> None:
    database = Database(database_url)
    gone = RedisKeyValueCache.from_url("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    try:
        hub = LocalHub(database, page_cache=gone)
        plain = LocalHub(database)
        hub.seed_countries()
        s = space(hub)
        before = hub.twinspace_snapshot(s.id, viewer_id=s.admin)
        hub.add_page(s.admin, s.id, "Written while Redis is down", "")  # committed anyway
        after = hub.twinspace_snapshot(s.id, viewer_id=s.admin)
        assert after == plain.twinspace_snapshot(s.id, viewer_id=s.admin) != before
        assert "Written while Redis is down" in [p.title for p in after.pages]
    finally:
        gone.close()
        database.dispose()
