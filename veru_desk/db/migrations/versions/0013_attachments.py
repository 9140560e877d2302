"""attachments: files kept on a case, their bytes inside the database

``attachment``: the young person, the file's name as given, its media type, size and SHA-256,
a description, who added it and when, and the bytes themselves (``content``), so an encrypted
database encrypts them too and a backup carries them.

A new table only: nothing already stored changes.

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        # Last: SQLite reaches the columns after a big value only by walking its pages.
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_attachment_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_attachment_updated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_attachment_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    op.create_index(
        op.f("ix_attachment_young_person_id"), "attachment", ["young_person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_attachment_young_person_id"), table_name="attachment")
    op.drop_table("attachment")
