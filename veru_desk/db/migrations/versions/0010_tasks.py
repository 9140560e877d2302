"""tasks: work handed to one worker of the unit, with a due date

``task``: a title, the young person's case it is for (or none: work for the unit), the
assignee, the due date, its status (open, done, cancelled) with who closed it and when, notes,
and the plan or panel action it came from. A new table only: every record already stored stays
as it was.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source_kind", sa.String(length=40), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user.id"], name=op.f("fk_task_assignee_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["user.id"], name=op.f("fk_task_completed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_task_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_task_updated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_task_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
    )
    op.create_index("ix_task_source", "task", ["source_kind", "source_id"], unique=False)
    op.create_index(
        "ix_task_status_assignee_due", "task", ["status", "assignee_id", "due_on"], unique=False
    )
    op.create_index(op.f("ix_task_young_person_id"), "task", ["young_person_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_task_young_person_id"), table_name="task")
    op.drop_index("ix_task_status_assignee_due", table_name="task")
    op.drop_index("ix_task_source", table_name="task")
    op.drop_table("task")
