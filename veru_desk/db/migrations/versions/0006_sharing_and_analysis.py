"""sharing decisions and the caseworker's analysis

``sharing_decision``: the recorded decision behind each multi-agency summary (lawful basis,
meeting and agencies, the sections shared, a manager's approval where consent was refused),
linked to its ``document_export`` row. ``case_analysis``: the caseworker's analysis a panel
reads on the summary's first page, with a manager's sign-off.

New tables only: nothing already stored changes.

Revision ID: 0006
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sharing_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("document_export_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("basis", sa.String(length=40), nullable=False),
        sa.Column("consent_given_by", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("consent_on_referral", sa.String(length=200), nullable=True),
        sa.Column("meeting", sa.String(length=200), nullable=False),
        sa.Column("meeting_on", sa.Date(), nullable=False),
        sa.Column("agencies", sa.Text(), nullable=False),
        sa.Column("shared_sections", sa.String(length=300), nullable=False),
        sa.Column("destroy_after", sa.Date(), nullable=False),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_sharing_decision_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referral.id"],
            name=op.f("fk_sharing_decision_referral_id_referral"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["document_export_id"],
            ["document_export.id"],
            name=op.f("fk_sharing_decision_document_export_id_document_export"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_sharing_decision_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["user.id"], name=op.f("fk_sharing_decision_approved_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sharing_decision")),
        sa.UniqueConstraint(
            "document_export_id", name=op.f("uq_sharing_decision_document_export_id")
        ),
    )
    op.create_index(
        op.f("ix_sharing_decision_young_person_id"),
        "sharing_decision",
        ["young_person_id"],
        unique=False,
    )
    op.create_table(
        "case_analysis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("current_position", sa.Text(), nullable=True),
        sa.Column("going_well", sa.Text(), nullable=True),
        sa.Column("worries", sa.Text(), nullable=True),
        sa.Column("what_changed", sa.Text(), nullable=True),
        sa.Column("young_person_view", sa.Text(), nullable=True),
        sa.Column("parent_view", sa.Text(), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("signed_off_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_case_analysis_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_off_by_id"], ["user.id"], name=op.f("fk_case_analysis_signed_off_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_case_analysis_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_case_analysis_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_analysis")),
        sa.UniqueConstraint("young_person_id", name=op.f("uq_case_analysis_young_person_id")),
    )


def downgrade() -> None:
    op.drop_table("case_analysis")
    op.drop_index(op.f("ix_sharing_decision_young_person_id"), table_name="sharing_decision")
    op.drop_table("sharing_decision")
