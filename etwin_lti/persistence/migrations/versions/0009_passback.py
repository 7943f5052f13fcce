"""score_outbox.request_id: the id of the request that owed the score (issue 11, passback)

Revision ID: 0009_passback
Revises: 0008_partner_invitations
Create Date: 2026-12-04

Hand-written (docs/decisions/0013-incremental-migrations.md). One nullable column: a worker
now delivers a batch of due scores per task (docs/decisions/0038), so a score's log lines can
no longer take the request id from the task that happens to carry it; the row keeps its own.
Rows written before have none (their task's id, or a new one, is used, as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_passback"
down_revision: str | None = "0008_partner_invitations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("score_outbox") as batch:
        batch.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("score_outbox") as batch:
        batch.drop_column("request_id")
