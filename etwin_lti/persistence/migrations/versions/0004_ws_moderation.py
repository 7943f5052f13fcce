"""moderation: content a teacher administrator hid

Revision ID: 0004_ws_moderation
Revises: 0003_ws_life
Create Date: 2026-12-03

Hand-written (docs/decisions/0013-incremental-migrations.md). Adds ``hidden_at`` (NULL: shown)
to the six kinds of TwinSpace content; existing content stays shown. Downgrade drops the column,
so whatever was hidden is shown again (the audit log still says who hid it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_ws_moderation"
down_revision: str | None = "0003_ws_life"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "twinspace_pages",
    "twinspace_materials",
    "diary_posts",
    "diary_comments",
    "forum_threads",
    "forum_posts",
)


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:  # SQLite drops columns by copying
            batch.drop_column("hidden_at")
