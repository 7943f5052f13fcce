"""partner_invitations: a founder asks a teacher to join the project (issue 12 item 5)

Revision ID: 0008_partner_invitations
Revises: 0007_ws_files
Create Date: 2026-12-04

Hand-written (docs/decisions/0013-incremental-migrations.md). A new table only: nothing
existing changes. The partial unique index keeps one *pending* invitation per (project,
invitee) while answered ones stay as the founders' record (docs/decisions/0028).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_partner_invitations"
down_revision: str | None = "0007_ws_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("state = 'pending'")


def upgrade() -> None:
    op.create_table(
        "partner_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("inviter_id", sa.Integer(), nullable=False),
        sa.Column("invitee_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invitee_id"], ["people.id"], name=op.f("fk_partner_invitations_invitee_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["inviter_id"], ["people.id"], name=op.f("fk_partner_invitations_inviter_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_partner_invitations_project_id_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_invitations")),
    )
    with op.batch_alter_table("partner_invitations", schema=None) as batch_op:
        for column in ("invitee_id", "inviter_id", "project_id"):
            batch_op.create_index(
                batch_op.f(f"ix_partner_invitations_{column}"), [column], unique=False
            )
        batch_op.create_index(
            "uq_partner_invitations_pending",
            ["project_id", "invitee_id"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_invitations", schema=None) as batch_op:
        batch_op.drop_index("uq_partner_invitations_pending")
        for column in ("project_id", "inviter_id", "invitee_id"):
            batch_op.drop_index(batch_op.f(f"ix_partner_invitations_{column}"))
    op.drop_table("partner_invitations")
