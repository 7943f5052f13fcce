"""people per issuer: identities keyed by (issuer, sub), duplicates merged; audiences

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Hand-written (docs/decisions/0013-incremental-migrations.md): deployed databases hold data.

Until now an LTI identity was keyed by (issuer, deployment, sub), so one Moodle user reaching
the tool through two registrations or deployments of the same Moodle became two people. LTI's
``sub`` is unique within an issuer: this revision merges every such group of people into one and
then makes (issuer, sub) unique. Merging ``loser`` into ``keeper``, nothing of the person is lost:

- the keeper is the oldest person of the group; when the group holds a pupil, the oldest pupil
  (a pupil must never become a teacher with a name and an e-mail);
- TwinSpace memberships are unioned; where both were members, the stronger decision wins
  (project > a teacher administrator's manual decision > the LMS; then the latest), founder
  rights are kept, the first join date is kept; roles a pupil cannot hold become ``pupil``;
- event enrolments, trainer and trainee places, activity completions, project partnerships are
  unioned (the earliest dates kept); a seat held twice in one event is given back;
- acknowledgements, NQL applications, pending scores, authored content, Moodle poll marks,
  founder places, erasure records, teacher accounts, invitations and one-time codes move to the
  keeper; where the keeper already holds the
  same one (the same certificate of the same subject...), the keeper's stays, or the loser's when
  it is the earlier valid one, so that unique constraints hold;
- the loser's open launch sessions end (they would name a person that no longer exists); the
  loser's person row is deleted last, once nothing refers to it.

It also adds ``lti_identities.kind`` (the person's kind, which never changes), lets
``person_id`` be empty while a first launch holds the claim, and adds ``lti_audiences``.
Downgrade restores the schema; merged people stay merged (the split is not recorded).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IDENTITIES = sa.table(
    "lti_identities",
    sa.column("id", sa.Integer),
    sa.column("issuer", sa.String),
    sa.column("sub", sa.String),
    sa.column("person_id", sa.Integer),
    sa.column("kind", sa.String),
)
_PEOPLE = sa.table(
    "people",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("email", sa.String),
    sa.column("created_at", sa.DateTime),
)
_SOURCE_RANK = {"project": 2, "manual": 1, "lms": 0}
_PUPIL_ROLES = {"pupil", "pupil_administrator"}

# Tables whose rows just follow the person (no unique key involves it).
_FOLLOW = (
    ("twinspace_pages", "author_id"),
    ("twinspace_materials", "author_id"),
    ("diary_posts", "author_id"),
    ("diary_comments", "author_id"),
    ("forum_threads", "author_id"),
    ("forum_posts", "author_id"),
    ("learning_events", "expert_id"),
    ("moodle_poll_marks", "person_id"),
    ("teacher_invitations", "inviter_id"),
    ("teacher_invitations", "invitee_id"),
    ("teacher_invitations", "used_by"),
    ("teacher_login_codes", "claimant_id"),
    ("teacher_login_codes", "profile_id"),
    # Bound resources: who chose a binding, who decided a course-copy request (plain ids).
    ("lti_resource_bindings", "chosen_by"),
    ("lti_resource_bindings", "decided_by"),
)
# (table, person column, the other columns of its unique key, how to order candidates: the
# first one is kept) for rows of which the keeper may already hold the same one.
_UNIQUE = (
    ("acknowledgements", "person_id", ("kind", "subject"), ("revoked_at", "issued_at")),
    ("nql_applications", "teacher_id", ("project_id", "school_year"), ("applied_at",)),
    (
        "score_outbox",
        "person_id",
        ("platform_id", "resource_link_id", "resource"),
        ("-updated_at",),
    ),
    ("project_founders", "person_id", ("project_id",), ("position",)),
    ("edition_trainers", "person_id", ("edition_id",), ()),
    ("edition_trainees", "person_id", ("edition_id",), ("enrolled_at",)),
    ("activity_completions", "person_id", ("activity_id",), ("done_at",)),
    ("project_partners", "person_id", ("project_id",), ("joined_at",)),
    ("privacy_erasures", "person_id", (), ()),
    ("teacher_accounts", "person_id", (), ()),
    # Scores go to the links a learner launched: the keeper keeps every such link once.
    (
        "lti_link_launchers",
        "person_id",
        ("platform_id", "deployment_id", "resource_link_id"),
        ("first_launch_at",),
    ),
)


def upgrade() -> None:
    with op.batch_alter_table("lti_identities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=True))
        batch_op.alter_column("person_id", existing_type=sa.Integer(), nullable=True)
    bind = op.get_bind()
    merge_people_per_issuer(bind)
    bind.execute(
        _IDENTITIES.update().values(
            kind=sa.select(_PEOPLE.c.kind)
            .where(_PEOPLE.c.id == _IDENTITIES.c.person_id)
            .scalar_subquery()
        )
    )
    bind.execute(_IDENTITIES.update().where(_IDENTITIES.c.kind.is_(None)).values(kind="teacher"))
    with op.batch_alter_table("lti_identities", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_constraint("uq_lti_identities_issuer_deployment_id_sub", type_="unique")
        batch_op.create_unique_constraint("uq_lti_identities_issuer_sub", ["issuer", "sub"])

    op.create_table(
        "lti_audiences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_audiences")),
        sa.UniqueConstraint(
            "platform_id", "context_id", name=op.f("uq_lti_audiences_platform_id_context_id")
        ),
    )
    with op.batch_alter_table("lti_audiences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lti_audiences_platform_id"), ["platform_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lti_audiences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lti_audiences_platform_id"))
    op.drop_table("lti_audiences")
    bind = op.get_bind()
    bind.execute(_IDENTITIES.delete().where(_IDENTITIES.c.person_id.is_(None)))  # open claims
    with op.batch_alter_table("lti_identities", schema=None) as batch_op:
        batch_op.drop_constraint("uq_lti_identities_issuer_sub", type_="unique")
        batch_op.create_unique_constraint(
            "uq_lti_identities_issuer_deployment_id_sub", ["issuer", "deployment_id", "sub"]
        )
        batch_op.alter_column("person_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("kind")


# --- the merge ---------------------------------------------------------------------------------
def merge_people_per_issuer(bind: Any) -> list[tuple[int, list[int]]]:
    """Merge the people that share an (issuer, sub); returns [(keeper, [losers])]. Groups are
    connected: a person linked under two issuers joins both groups into one."""
    rows = bind.execute(
        sa.select(
            _IDENTITIES.c.id, _IDENTITIES.c.issuer, _IDENTITIES.c.sub, _IDENTITIES.c.person_id
        )
        .where(_IDENTITIES.c.person_id.is_not(None))
        .order_by(_IDENTITIES.c.id)
    ).all()
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_identity: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        by_identity[(row.issuer, row.sub)].append(row)
        first = by_identity[(row.issuer, row.sub)][0].person_id
        parent[find(row.person_id)] = find(first)
    groups: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        groups[find(row.person_id)].add(row.person_id)
    merged = []
    for members in groups.values():
        if len(members) < 2:
            continue
        keeper, losers = _choose_keeper(bind, sorted(members))
        for loser in losers:
            _merge(bind, loser, keeper)
        merged.append((keeper, losers))
    # One identity row per (issuer, sub): the oldest stays, now pointing at the keeper.
    for same in by_identity.values():
        for extra in same[1:]:
            bind.execute(_IDENTITIES.delete().where(_IDENTITIES.c.id == extra.id))
    return merged


def _choose_keeper(bind: Any, people: list[int]) -> tuple[int, list[int]]:
    found = bind.execute(
        sa.select(_PEOPLE.c.id, _PEOPLE.c.kind)
        .where(_PEOPLE.c.id.in_(people))
        .order_by(_PEOPLE.c.created_at, _PEOPLE.c.id)
    ).all()
    pupils = [row.id for row in found if row.kind == "pupil"]
    ordered = [row.id for row in found] or people
    keeper = pupils[0] if pupils else ordered[0]
    return keeper, [p for p in people if p != keeper]


def _merge(bind: Any, loser: int, keeper: int) -> None:
    keeper_kind = bind.execute(
        sa.select(_PEOPLE.c.kind).where(_PEOPLE.c.id == keeper)
    ).scalar_one_or_none()
    bind.execute(
        _IDENTITIES.update().where(_IDENTITIES.c.person_id == loser).values(person_id=keeper)
    )
    _merge_members(bind, loser, keeper, keeper_kind)
    _merge_enrolments(bind, loser, keeper)
    for name, column, key, order in _UNIQUE:
        _merge_unique(bind, name, column, key, order, loser, keeper)
    for name, column in _FOLLOW:
        table = sa.table(name, sa.column(column, sa.Integer))
        bind.execute(table.update().where(table.c[column] == loser).values({column: keeper}))
    sessions = sa.table("launch_sessions", sa.column("person_id", sa.Integer))
    bind.execute(sessions.delete().where(sessions.c.person_id == loser))
    bind.execute(_PEOPLE.delete().where(_PEOPLE.c.id == loser))


def _merge_members(bind: Any, loser: int, keeper: int, keeper_kind: str | None) -> None:
    members = _reflect(bind, "twinspace_members")
    theirs = bind.execute(sa.select(members).where(members.c.person_id == loser)).all()
    for row in theirs:
        mine = bind.execute(
            sa.select(members).where(
                members.c.person_id == keeper, members.c.twinspace_id == row.twinspace_id
            )
        ).first()
        if mine is None:
            winner, joined, updated, founder = row, row.joined_at, row.updated_at, row.is_founder
        else:
            winner = max(
                (mine, row),
                key=lambda m: (_SOURCE_RANK.get(m.role_source, 0), _naive(m.updated_at)),
            )
            joined = min(mine.joined_at, row.joined_at, key=_naive)
            updated = max(mine.updated_at, row.updated_at, key=_naive)
            founder = bool(mine.is_founder) or bool(row.is_founder)
        role = winner.role
        if keeper_kind == "pupil" and role not in _PUPIL_ROLES:
            role = "pupil"
        values = {
            "role": role,
            "status": winner.status,
            "role_source": winner.role_source,
            "is_founder": founder,
            "joined_at": joined,
            "updated_at": updated,
        }
        bind.execute(
            members.delete().where(
                members.c.person_id == loser, members.c.twinspace_id == row.twinspace_id
            )
        )
        if mine is None:
            bind.execute(
                members.insert().values(twinspace_id=row.twinspace_id, person_id=keeper, **values)
            )
        else:
            bind.execute(
                members.update()
                .where(members.c.person_id == keeper, members.c.twinspace_id == row.twinspace_id)
                .values(**values)
            )
    if keeper_kind == "pupil":  # the keeper's own rows too: a pupil holds pupil roles only
        bind.execute(
            members.update()
            .where(members.c.person_id == keeper, members.c.role.not_in(sorted(_PUPIL_ROLES)))
            .values(role="pupil")
        )


def _merge_enrolments(bind: Any, loser: int, keeper: int) -> None:
    enrolments = _reflect(bind, "event_enrolments")
    events = _reflect(bind, "learning_events")
    for row in bind.execute(sa.select(enrolments).where(enrolments.c.person_id == loser)).all():
        mine = bind.execute(
            sa.select(enrolments).where(
                enrolments.c.person_id == keeper, enrolments.c.event_id == row.event_id
            )
        ).first()
        if mine is None:
            bind.execute(
                enrolments.update()
                .where(enrolments.c.person_id == loser, enrolments.c.event_id == row.event_id)
                .values(person_id=keeper)
            )
            continue
        done = [d for d in (mine.completed_at, row.completed_at) if d is not None]
        bind.execute(
            enrolments.update()
            .where(enrolments.c.person_id == keeper, enrolments.c.event_id == row.event_id)
            .values(
                enrolled_at=min(mine.enrolled_at, row.enrolled_at, key=_naive),
                completed_at=min(done, key=_naive) if done else None,
            )
        )
        bind.execute(
            enrolments.delete().where(
                enrolments.c.person_id == loser, enrolments.c.event_id == row.event_id
            )
        )
        # One person held two seats of this event: give one back.
        bind.execute(
            events.update()
            .where(events.c.id == row.event_id, events.c.enrolled > 0)
            .values(enrolled=events.c.enrolled - 1)
        )


def _merge_unique(
    bind: Any,
    name: str,
    column: str,
    key: tuple[str, ...],
    order: tuple[str, ...],
    loser: int,
    keeper: int,
) -> None:
    table = _reflect(bind, name)
    pk = list(table.primary_key.columns)
    for row in bind.execute(sa.select(table).where(table.c[column] == loser)).all():
        same = bind.execute(
            sa.select(table).where(
                table.c[column] == keeper, *(table.c[k] == getattr(row, k) for k in key)
            )
        ).first()
        if same is None:
            bind.execute(table.update().where(*_row_is(pk, row)).values({column: keeper}))
            continue
        first = min((same, row), key=lambda r: _rank(r, order))
        if first is row:  # the loser's is the one to keep: it takes the keeper's place
            bind.execute(table.delete().where(*_row_is(pk, same)))
            bind.execute(table.update().where(*_row_is(pk, row)).values({column: keeper}))
        else:
            bind.execute(table.delete().where(*_row_is(pk, row)))


def _row_is(pk: list[Any], row: Any) -> list[Any]:
    return [c == getattr(row, c.name) for c in pk]


def _rank(row: Any, order: tuple[str, ...]) -> tuple[Any, ...]:
    """Sort key, the row to keep first: earliest date first ("-": latest first), a missing
    date last, except ``revoked_at`` where missing (still valid) comes first."""
    key: list[Any] = []
    for name in order:
        value = getattr(row, name.lstrip("-"))
        if name == "position":
            key.append(value)
            continue
        stamp = _naive(value).timestamp() if value is not None else 0.0
        missing = value is None
        if name == "revoked_at":
            key.append((not missing, stamp))
        elif name.startswith("-"):
            key.append((missing, -stamp))
        else:
            key.append((missing, stamp))
    return tuple(key)


def _reflect(bind: Any, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=bind)


def _naive(value: Any) -> Any:
    """SQLite gives datetimes back naive, PostgreSQL aware: compare them as naive UTC."""
    if value is None or getattr(value, "tzinfo", None) is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
