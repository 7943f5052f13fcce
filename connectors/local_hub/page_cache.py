"""The TwinSpace page's snapshot in the shared cache, invalidated by every write (ADR 0016).

Keys (in ``etwin_lti.domain.cache.KeyValueCache``: Redis, or the tool's database):

    pages:generation                 one token for the whole hub
    pages:twinspace:<id>             one token per TwinSpace
    pages:snapshot:<id>:<generation>:<version>:<private|public>   the snapshot, as JSON

A write never deletes a snapshot: it replaces the version token, so readers look for a key
nobody wrote yet and the old snapshot simply expires. Nobody has to call anything: the hub's
session factory carries three listeners.

- ``after_flush`` collects the TwinSpaces of every new, changed or deleted row: a row with a
  ``twinspace_id`` column names it (members, pages, materials, forum threads, and whatever
  later features add, such as uploads or chat: **the rule is that a row belonging to a
  TwinSpace carries ``twinspace_id``**); Diary posts, project rows, comments, forum posts and
  renamed people are mapped to their TwinSpaces with one query each, inside the transaction.
- ``do_orm_execute`` catches bulk ``INSERT``/``UPDATE``/``DELETE`` statements (person merge,
  erasure) on the tables the page reads: they carry no objects to look at, so they replace the
  hub-wide generation token instead (rare, and always correct).
- ``after_commit`` replaces the tokens; a rollback forgets what was collected.

Each worker also keeps the snapshots it last decoded, by key (issue 11, ADR 0033): the key holds
the current tokens, so a kept snapshot is exactly what the shared cache holds under that key, and
a write (which replaces a token) makes readers ask for another key. The page of a launch then
costs the two token reads and no decoding.

A reader takes the tokens *before* it reads the database, and a writer replaces them only
*after* its commit, so a snapshot stored under the current tokens was read after the last
committed write: the next page view after a write shows it. If the cache cannot be reached the
page is read from the database (slower, never stale); if a token cannot be replaced after a
commit, the snapshot's short expiry (``SNAPSHOT_TTL``) bounds how long a page can lag.
"""

from __future__ import annotations

import json
import logging
import secrets
import weakref
from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.model import AcknowledgementKind
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.errors import DependencyUnavailableError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.hub import (
    AcknowledgementRow,
    DiaryCommentRow,
    DiaryPostRow,
    ForumPostRow,
    ForumThreadRow,
    MemberRow,
    PersonRow,
    ProjectFounderRow,
    ProjectPartnerRow,
    ProjectRow,
    ProjectValidationRow,
    TwinSpaceRow,
)
from schemas.api.twinspace_snapshot import TwinSpaceSnapshotSchema

log = logging.getLogger(__name__)

SNAPSHOT_TTL = 600  # seconds; bounds the lag if a token could not be replaced after a commit
LOCAL_SNAPSHOTS = 128  # decoded snapshots a worker keeps (each a page's summary, not its class)
VERSION_TTL = 7 * 24 * 3600  # an expired token only costs one fresh read
_TOUCHED = "etwin_pages_touched"
_EVERYTHING = "etwin_pages_everything"
_PROJECT_ROWS = (ProjectFounderRow, ProjectPartnerRow, ProjectValidationRow, DiaryPostRow)
# Bulk statements on these tables (or any table with a twinspace_id) replace the generation.
_PAGE_TABLES = frozenset(
    row.__tablename__
    for row in (
        PersonRow,
        ProjectRow,
        *_PROJECT_ROWS,
        TwinSpaceRow,
        DiaryCommentRow,
        ForumPostRow,
    )
)
_SCHEMA = TwinSpaceSnapshotSchema()
_WATCHED: weakref.WeakSet[sessionmaker[Session]] = weakref.WeakSet()


class PageCache:
    """Snapshots of the TwinSpace page, keyed by the current tokens."""

    def __init__(self, cache: KeyValueCache) -> None:
        self._cache = cache
        self._local: dict[str, TwinSpaceSnapshot] = {}

    # --- reading -----------------------------------------------------------------------------
    def key(self, twinspace_id: int, private: bool, *, hidden: bool = False) -> str | None:
        """The snapshot's key under the current tokens; None when the cache does not answer."""
        try:
            generation = self._token("pages:generation")
            version = self._token(f"pages:twinspace:{twinspace_id}")
        except DependencyUnavailableError:
            log.warning("page cache unavailable: reading TwinSpace %s uncached", twinspace_id)
            return None
        # Teacher administrators also see hidden content: a snapshot of its own.
        kind = "moderator" if hidden else "private" if private else "public"
        return f"pages:snapshot:{twinspace_id}:{generation}:{version}:{kind}"

    def get(self, key: str) -> TwinSpaceSnapshot | None:
        kept = self._local.get(key)
        if kept is not None:
            return kept
        try:
            raw = self._cache.get(key)
        except DependencyUnavailableError:
            return None
        if raw is None:
            return None
        snapshot: TwinSpaceSnapshot = _SCHEMA.loads(raw.decode())
        self._keep(key, snapshot)
        return snapshot

    def _keep(self, key: str, snapshot: TwinSpaceSnapshot) -> None:
        if len(self._local) >= LOCAL_SNAPSHOTS:
            self._local.clear()  # keys of replaced tokens are never asked again
        self._local[key] = snapshot

    def put(self, key: str, snapshot: TwinSpaceSnapshot) -> None:
        self._keep(key, snapshot)
        try:
            self._cache.set(key, json.dumps(_SCHEMA.dump(snapshot)).encode(), SNAPSHOT_TTL)
        except DependencyUnavailableError:
            log.warning("page cache unavailable: snapshot not stored")

    def _token(self, key: str) -> str:
        found = self._cache.get(key)
        if found is None:
            # Two readers may race here; ``add`` keeps the first token (or a writer's).
            self._cache.add(key, secrets.token_hex(8).encode(), VERSION_TTL)
            found = self._cache.get(key)
        return found.decode() if found is not None else "none"

    # --- invalidation ------------------------------------------------------------------------
    def bump(self, twinspace_ids: Iterable[int], *, everything: bool = False) -> None:
        keys = [f"pages:twinspace:{i}" for i in sorted(set(twinspace_ids))]
        if everything:
            keys.append("pages:generation")
        for key in keys:
            try:
                self._cache.set(key, secrets.token_hex(8).encode(), VERSION_TTL)
            except DependencyUnavailableError:
                log.warning("page cache unavailable: %s not replaced after a commit", key)

    def watch(self, database: Database) -> None:
        """Listen to the database's session factory (once, however many hubs share it)."""
        factory = database.session_factory
        if factory in _WATCHED:
            return
        _WATCHED.add(factory)
        _listen(factory, self)


def touch_twinspace(session: Session, twinspace_id: int) -> None:
    """A Core write on the session's connection (a roster's bulk membership upsert) names the
    TwinSpace it changed, as the flush listener does for ORM rows: renewed at the commit."""
    session.info.setdefault(_TOUCHED, set()).add(twinspace_id)


def _listen(factory: sessionmaker[Session], cache: PageCache) -> None:
    @event.listens_for(factory, "after_flush")
    def _collect(session: Session, _context: Any) -> None:
        touched: set[int] = session.info.setdefault(_TOUCHED, set())
        touched.update(_twinspaces_of(session))

    @event.listens_for(factory, "do_orm_execute")
    def _bulk(state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        columns = getattr(table, "c", None)
        if name in _PAGE_TABLES or (columns is not None and "twinspace_id" in columns):
            state.session.info[_EVERYTHING] = True

    @event.listens_for(factory, "after_commit")
    def _bump(session: Session) -> None:
        touched = session.info.pop(_TOUCHED, set())
        everything = session.info.pop(_EVERYTHING, False)
        if touched or everything:
            cache.bump(touched, everything=everything)

    @event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop(_TOUCHED, None)
        session.info.pop(_EVERYTHING, None)


def _twinspaces_of(session: Session) -> set[int]:
    """The TwinSpaces whose page the flushed rows change (see the module docstring)."""
    direct: set[int] = set()
    projects: set[int] = set()
    posts: set[int] = set()
    threads: set[int] = set()
    people: set[int] = set()
    changed = [o for o in session.dirty if session.is_modified(o, include_collections=False)]
    for row in (*session.new, *changed, *session.deleted):
        if isinstance(row, TwinSpaceRow):
            direct.add(row.id)
        elif isinstance(row, ProjectRow):
            projects.add(row.id)
        elif isinstance(row, _PROJECT_ROWS):
            projects.add(row.project_id)
        elif isinstance(row, AcknowledgementRow):
            # The page shows the project's EQL line (awarded by the rule, or withdrawn).
            if row.kind == AcknowledgementKind.EUROPEAN_QUALITY_LABEL.value:
                kind, _, subject = (row.subject or "").partition(":")
                if kind == "project" and subject.isdigit():
                    projects.add(int(subject))
        elif isinstance(row, DiaryCommentRow):
            posts.add(row.post_id)
        elif isinstance(row, ForumPostRow):
            threads.add(row.thread_id)
        elif isinstance(row, PersonRow):
            # A new person is on no page yet; of a person, the pages show only the name (a
            # country set at a teacher's first launch renews nothing).
            renamed = inspect(row).attrs.display_name.history.has_changes()
            if row in session.deleted or (row not in session.new and renamed):
                people.add(row.id)
        elif getattr(row, "twinspace_id", None) is not None:
            direct.add(row.twinspace_id)
    connection = session.connection()
    if posts:
        found = select(DiaryPostRow.project_id).where(DiaryPostRow.id.in_(posts))
        projects.update(connection.scalars(found))
    if threads:
        found = select(ForumThreadRow.twinspace_id).where(ForumThreadRow.id.in_(threads))
        direct.update(connection.scalars(found))
    if projects:
        found = select(TwinSpaceRow.id).where(TwinSpaceRow.project_id.in_(projects))
        direct.update(connection.scalars(found))
    if people:
        found = select(MemberRow.twinspace_id).where(MemberRow.person_id.in_(people))
        direct.update(connection.scalars(found))
    return direct
