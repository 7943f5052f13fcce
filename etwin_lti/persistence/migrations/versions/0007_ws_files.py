"""files in materials: store key, size, content type, original name, thumbnail (issue 12)

Revision ID: 0007_ws_files
Revises: 0006_teacher_api
Create Date: 2026-12-03

Hand-written (docs/decisions/0013-incremental-migrations.md). A material is a link (``url``) or
an uploaded file: ``url`` becomes nullable and the file's columns are added, all nullable, so
every existing material stays a link. Keys are unique: one stored object, one material.
Downgrade drops the file columns; it refuses while file materials exist, since making ``url``
required again would have nothing to put there (delete them through the tool first).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_ws_files"
down_revision: str | None = "0006_teacher_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("twinspace_materials", schema=None) as batch_op:
        batch_op.alter_column("url", existing_type=sa.String(length=2000), nullable=True)
        batch_op.add_column(sa.Column("file_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("file_size", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("content_type", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("thumbnail_key", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("thumbnail_size", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_twinspace_materials_file_key"), ["file_key"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_twinspace_materials_thumbnail_key"), ["thumbnail_key"]
        )


def downgrade() -> None:
    files = op.get_bind().execute(
        sa.text("SELECT COUNT(*) FROM twinspace_materials WHERE url IS NULL")
    )
    if files.scalar_one():
        raise RuntimeError(
            "Materials holding uploaded files exist; delete them before downgrading past "
            "0007_ws_files."
        )
    with op.batch_alter_table("twinspace_materials", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_twinspace_materials_thumbnail_key"), type_="unique"
        )
        batch_op.drop_constraint(batch_op.f("uq_twinspace_materials_file_key"), type_="unique")
        batch_op.drop_column("thumbnail_size")
        batch_op.drop_column("thumbnail_key")
        batch_op.drop_column("file_name")
        batch_op.drop_column("content_type")
        batch_op.drop_column("file_size")
        batch_op.drop_column("file_key")
        batch_op.alter_column("url", existing_type=sa.String(length=2000), nullable=False)
