"""the project's life from the LMS page: plan columns, end date, NQL evidence, partners' labels

Revision ID: 0003_ws_life
Revises: 0002
Create Date: 2026-12-03

Hand-written (docs/decisions/0013-incremental-migrations.md): deployed databases hold data.

- ``projects`` gains the plan its founders edit (``subjects``, ``languages``, ``levels``: JSON
  lists, empty for existing projects) and a planned end date ``ends_on`` (none until a founder
  sets one by extending the project);
- ``nql_applications`` gains ``evidence`` (what the TwinSpace showed when the teacher applied;
  empty for older applications, which were made before the hub assembled any);
- partners who joined an approved project before this revision never received the project's
  eTwinning label (issue 12: "the label belongs to the project"): each gets it now, once, as
  the hub issues it to partners from now on. Downgrade drops the columns and keeps the labels
  (they are true: the teacher was a partner of an approved project).
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from etwin_lti.persistence.types import UtcDateTime

revision: str = "0003_ws_life"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ETWINNING_LABEL = "etwinning_label"


def upgrade() -> None:
    # Plain ADD COLUMN (with a constant default) on both databases: a batch operation would
    # rebuild ``projects`` on SQLite, which the rows referring to it forbid.
    for name in ("subjects", "languages", "levels"):
        op.add_column(
            "projects", sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.add_column("projects", sa.Column("ends_on", sa.Date(), nullable=True))
    op.add_column(
        "nql_applications",
        sa.Column("evidence", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
    )
    _label_existing_partners()


def _label_existing_partners() -> None:
    bind = op.get_bind()
    projects = sa.table(
        "projects",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("status", sa.String),
    )
    partners = sa.table(
        "project_partners", sa.column("project_id", sa.Integer), sa.column("person_id", sa.Integer)
    )
    acknowledgements = sa.table(
        "acknowledgements",
        sa.column("kind", sa.String),
        sa.column("person_id", sa.Integer),
        sa.column("subject", sa.String),
        sa.column("title", sa.String),
        sa.column("issued_at", UtcDateTime()),
        sa.column("evidence", sa.JSON),
    )
    held = {
        (person_id, subject)
        for person_id, subject in bind.execute(
            sa.select(acknowledgements.c.person_id, acknowledgements.c.subject).where(
                acknowledgements.c.kind == _ETWINNING_LABEL
            )
        )
    }
    rows = bind.execute(
        sa.select(projects.c.id, projects.c.title, partners.c.person_id)
        .join(partners, partners.c.project_id == projects.c.id)
        .where(projects.c.status.in_(("approved", "closed")))
        .order_by(projects.c.id, partners.c.person_id)
    ).all()
    now = datetime.now(UTC)
    missing = [
        {
            "kind": _ETWINNING_LABEL,
            "person_id": person_id,
            "subject": f"project:{project_id}",
            "title": f"eTwinning label: {title}"[:200],
            "issued_at": now,
            "evidence": {"project_id": str(project_id), "issued_by": "migration 0003_ws_life"},
        }
        for project_id, title, person_id in rows
        if (person_id, f"project:{project_id}") not in held
    ]
    if missing:
        op.bulk_insert(acknowledgements, missing)


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason as in ``upgrade``.
    op.drop_column("nql_applications", "evidence")
    for name in ("ends_on", "levels", "languages", "subjects"):
        op.drop_column("projects", name)
