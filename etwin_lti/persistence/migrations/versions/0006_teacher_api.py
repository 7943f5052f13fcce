"""teacher API tokens: a token bound to one teacher, with an expiry

Revision ID: 0006_teacher_api
Revises: 0005_ws_chat
Create Date: 2026-12-03

Hand-written (docs/decisions/0013-incremental-migrations.md). ``api_tokens.person_id`` names the
one teacher a ``teacher`` token acts as (a plain integer like ``launch_sessions.person_id``: the
people may live in a remote hub); ``expires_at`` ends a teacher's token (the other roles' stay
empty). Existing tokens keep working unchanged.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_teacher_api"
down_revision: str | None = "0005_ws_chat"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_tokens_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_person_id"))
        batch_op.drop_column("expires_at")
        batch_op.drop_column("person_id")
