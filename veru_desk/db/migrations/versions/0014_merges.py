"""merging duplicates

``person_merge``: one merge of two records of the same young person (who, when, the choice
made per differing field, the kept record's values before, and its undo); ``person_merge_row``:
each column of each row the merge changed, with its value before and after, so an undo moves
exactly those rows back.

``young_person`` gains ``merged_into_id``: a record merged away points at the one kept. The
column is added in place: every record already stored stays as it was, merged into nothing.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_young_person_merged_into_id_young_person"


def upgrade() -> None:
    op.create_table(
        "person_merge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("kept_case_ref", sa.String(length=20), nullable=False),
        sa.Column("merged_case_ref", sa.String(length=20), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("kept_before", sa.Text(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kept_id"],
            ["young_person.id"],
            name=op.f("fk_person_merge_kept_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_by_id"], ["user.id"], name=op.f("fk_person_merge_merged_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["merged_id"],
            ["young_person.id"],
            name=op.f("fk_person_merge_merged_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"], ["user.id"], name=op.f("fk_person_merge_undone_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merge")),
    )
    op.create_index(op.f("ix_person_merge_kept_id"), "person_merge", ["kept_id"], unique=False)
    op.create_index(op.f("ix_person_merge_merged_id"), "person_merge", ["merged_id"], unique=False)
    op.create_table(
        "person_merge_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merge_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("column_name", sa.String(length=63), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("old_value", sa.Integer(), nullable=True),
        sa.Column("new_value", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["merge_id"],
            ["person_merge.id"],
            name=op.f("fk_person_merge_row_merge_id_person_merge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merge_row")),
    )
    op.create_index(
        op.f("ix_person_merge_row_merge_id"), "person_merge_row", ["merge_id"], unique=False
    )
    if op.get_bind().dialect.name == "sqlite":
        # In place: batch mode would copy the table and drop the old one (see 0003).
        op.execute(
            "ALTER TABLE young_person ADD COLUMN merged_into_id INTEGER "
            f"CONSTRAINT {_FK} REFERENCES young_person (id)"
        )
    else:
        op.add_column("young_person", sa.Column("merged_into_id", sa.Integer(), nullable=True))
        op.create_foreign_key(_FK, "young_person", "young_person", ["merged_into_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        # SQLite keeps the column (dropping it copies the table; see 0003): release 0013
        # never reads it.
        op.drop_constraint(_FK, "young_person", type_="foreignkey")
        op.drop_column("young_person", "merged_into_id")
    op.drop_index(op.f("ix_person_merge_row_merge_id"), table_name="person_merge_row")
    op.drop_table("person_merge_row")
    op.drop_index(op.f("ix_person_merge_merged_id"), table_name="person_merge")
    op.drop_index(op.f("ix_person_merge_kept_id"), table_name="person_merge")
    op.drop_table("person_merge")
