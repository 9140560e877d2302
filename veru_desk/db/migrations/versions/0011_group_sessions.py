"""group sessions: a group (football, a workshop) with a register of young people

``group_series``: a recurring group's weekly rule, title, kind of session, duration, place and
facilitator. ``group_session``: one meeting of a group (of a series, or on its own), with notes
about the activity. ``mentoring_session`` gains ``group_session_id``: each young person on a
register has their own session row, so attendance, the disengagement check and the chronology
count a group session as any other. The column is added in place: every session already stored
stays as it was, an individual session.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_mentoring_session_group_session_id_group_session"
_INDEX = "ix_mentoring_session_group_session_id"


def _tracked() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "group_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("session_type", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("first_start", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_group_series_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["user.id"], name=op.f("fk_group_series_facilitator_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_group_series_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_series")),
    )
    op.create_table(
        "group_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("session_type", sa.String(length=40), nullable=False),
        sa.Column("planned_start", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_tracked(),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_group_session_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"], ["user.id"], name=op.f("fk_group_session_facilitator_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["group_series.id"],
            name=op.f("fk_group_session_series_id_group_series"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_group_session_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_session")),
    )
    op.create_index(
        op.f("ix_group_session_facilitator_id"), "group_session", ["facilitator_id"], unique=False
    )
    op.create_index(
        op.f("ix_group_session_planned_start"), "group_session", ["planned_start"], unique=False
    )
    op.create_index(
        op.f("ix_group_session_series_id"), "group_session", ["series_id"], unique=False
    )
    if op.get_bind().dialect.name == "sqlite":
        # In place: batch mode would copy the table and drop the old one (see 0003).
        op.execute(
            "ALTER TABLE mentoring_session ADD COLUMN group_session_id INTEGER "
            f"CONSTRAINT {_FK} REFERENCES group_session (id)"
        )
    else:
        op.add_column(
            "mentoring_session", sa.Column("group_session_id", sa.Integer(), nullable=True)
        )
        op.create_foreign_key(
            _FK, "mentoring_session", "group_session", ["group_session_id"], ["id"]
        )
    op.create_index(_INDEX, "mentoring_session", ["group_session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="mentoring_session")
    if op.get_bind().dialect.name != "sqlite":
        # SQLite keeps the column (dropping it copies the table; see 0003), and so the tables
        # it refers to: release 0010 never reads them.
        op.drop_constraint(_FK, "mentoring_session", type_="foreignkey")
        op.drop_column("mentoring_session", "group_session_id")
        op.drop_index(op.f("ix_group_session_series_id"), table_name="group_session")
        op.drop_index(op.f("ix_group_session_planned_start"), table_name="group_session")
        op.drop_index(op.f("ix_group_session_facilitator_id"), table_name="group_session")
        op.drop_table("group_session")
        op.drop_table("group_series")
