"""safeguarding flags with dates

``safeguarding_flag``: a dated safeguarding flag of a case (CSE and CCE concerns, county lines,
an NRM referral with its reasonable and conclusive grounds decisions, a missing episode with its
return home interview, CP plan, CIN, looked after, youth justice order, SEND), with who recorded
and who ended it.

A new table only: nothing already stored changes (the yes/no flags on ``young_person`` stay as
they are).

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safeguarding_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("young_person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reasonable_grounds", sa.String(length=40), nullable=True),
        sa.Column("reasonable_grounds_on", sa.Date(), nullable=True),
        sa.Column("conclusive_grounds", sa.String(length=40), nullable=True),
        sa.Column("conclusive_grounds_on", sa.Date(), nullable=True),
        sa.Column("return_interview_done", sa.Boolean(), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["young_person_id"],
            ["young_person.id"],
            name=op.f("fk_safeguarding_flag_young_person_id_young_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["user.id"], name=op.f("fk_safeguarding_flag_ended_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_safeguarding_flag_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_safeguarding_flag_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_flag")),
    )
    op.create_index(
        "ix_safeguarding_flag_person_end",
        "safeguarding_flag",
        ["young_person_id", "ended_on", "kind"],
        unique=False,
    )
    op.create_index(
        "ix_safeguarding_flag_created", "safeguarding_flag", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_safeguarding_flag_created", table_name="safeguarding_flag")
    op.drop_index("ix_safeguarding_flag_person_end", table_name="safeguarding_flag")
    op.drop_table("safeguarding_flag")
