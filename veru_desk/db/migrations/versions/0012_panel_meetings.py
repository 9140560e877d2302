"""panel meetings: multi-agency panels, who attended, the cases discussed and the actions

``panel_meeting``: when (local wall-clock time), the kind of panel, its name, the chair and the
next meeting's date. ``panel_attendee``: names, agencies and roles as typed.
``panel_item``: one case on a meeting's agenda, with the discussion and the decision.
``panel_action``: an action agreed for a case: owned by a worker of the unit (``owner_user_id``,
and ``task_id`` the task it became, migration 0010's table) or by a named person at an
agency; due and done dates.

New tables only: nothing already stored changes.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "panel_meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.Column("panel_type", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("chair", sa.String(length=120), nullable=True),
        sa.Column("next_meeting_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_panel_meeting_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_panel_meeting_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_meeting")),
    )
    op.create_index(op.f("ix_panel_meeting_held_at"), "panel_meeting", ["held_at"], unique=False)
    op.create_table(
        "panel_attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("agency", sa.String(length=160), nullable=True),
        sa.Column("role", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["panel_meeting.id"],
            name=op.f("fk_panel_attendee_meeting_id_panel_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_attendee")),
    )
    op.create_index(
        op.f("ix_panel_attendee_meeting_id"), "panel_attendee", ["meeting_id"], unique=False
    )
    op.create_table(
        "panel_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_panel_item_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["panel_meeting.id"],
            name=op.f("fk_panel_item_meeting_id_panel_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_panel_item_updated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_panel_item_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_item")),
        sa.UniqueConstraint("meeting_id", "young_person_id", name=op.f("uq_panel_item_meeting_id")),
    )
    op.create_index(op.f("ix_panel_item_meeting_id"), "panel_item", ["meeting_id"], unique=False)
    op.create_index(
        op.f("ix_panel_item_young_person_id"), "panel_item", ["young_person_id"], unique=False
    )
    op.create_table(
        "panel_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_name", sa.String(length=120), nullable=True),
        sa.Column("agency", sa.String(length=160), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_panel_action_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["panel_item.id"],
            name=op.f("fk_panel_action_item_id_panel_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["user.id"], name=op.f("fk_panel_action_owner_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["task.id"],
            name=op.f("fk_panel_action_task_id_task"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_panel_action_updated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_panel_action_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_action")),
    )
    op.create_index(op.f("ix_panel_action_item_id"), "panel_action", ["item_id"], unique=False)
    op.create_index(
        op.f("ix_panel_action_young_person_id"), "panel_action", ["young_person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_panel_action_young_person_id"), table_name="panel_action")
    op.drop_index(op.f("ix_panel_action_item_id"), table_name="panel_action")
    op.drop_table("panel_action")
    op.drop_index(op.f("ix_panel_item_young_person_id"), table_name="panel_item")
    op.drop_index(op.f("ix_panel_item_meeting_id"), table_name="panel_item")
    op.drop_table("panel_item")
    op.drop_index(op.f("ix_panel_attendee_meeting_id"), table_name="panel_attendee")
    op.drop_table("panel_attendee")
    op.drop_index(op.f("ix_panel_meeting_held_at"), table_name="panel_meeting")
    op.drop_table("panel_meeting")
