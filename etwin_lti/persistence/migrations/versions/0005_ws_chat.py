"""TwinSpace chat: chat_rooms (one revision counter per TwinSpace) and chat_messages

Revision ID: 0005_ws_chat
Revises: 0004_ws_moderation
Create Date: 2026-12-03

Hand-written (docs/decisions/0013-incremental-migrations.md). New tables only: nothing to move.
Why a room counter instead of the message id as the poll cursor: docs/decisions/0021.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_ws_chat"
down_revision: str | None = "0004_ws_moderation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_rooms",
        sa.Column("twinspace_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["twinspace_id"],
            ["twinspaces.id"],
            name=op.f("fk_chat_rooms_twinspace_id_twinspaces"),
        ),
        sa.PrimaryKeyConstraint("twinspace_id", name=op.f("pk_chat_rooms")),
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("twinspace_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_chat_messages_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["twinspace_id"],
            ["twinspaces.id"],
            name=op.f("fk_chat_messages_twinspace_id_twinspaces"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
        sa.UniqueConstraint(
            "twinspace_id", "revision", name=op.f("uq_chat_messages_twinspace_id_revision")
        ),
    )
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chat_messages_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chat_messages_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_messages_created_at"))
        batch_op.drop_index(batch_op.f("ix_chat_messages_author_id"))
    op.drop_table("chat_messages")
    op.drop_table("chat_rooms")
