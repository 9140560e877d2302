"""contacts' involvement and the directory of professionals

``professional``: a named professional of the unit's shared directory (name, job title, agency,
phone, secure email, active), entered once and linked to many cases.

``contact`` gains its involvement (``involved_from``, ``ended_on``, ``end_reason``) and the
directory entry it was chosen from (``professional_id``). Columns are added in place: every
contact already stored stays as it was, involved now with no dates.

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_contact_professional_id_professional"
_INDEX = "ix_contact_professional_id"


def upgrade() -> None:
    op.create_table(
        "professional",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("secure_email", sa.String(length=254), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_professional_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_professional_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["user.id"], name=op.f("fk_professional_updated_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professional")),
    )
    op.create_index(op.f("ix_professional_agency_id"), "professional", ["agency_id"], unique=False)
    op.add_column("contact", sa.Column("involved_from", sa.Date(), nullable=True))
    op.add_column("contact", sa.Column("ended_on", sa.Date(), nullable=True))
    op.add_column("contact", sa.Column("end_reason", sa.String(length=200), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        # In place: batch mode would copy the table and drop the old one (see 0003).
        op.execute(
            "ALTER TABLE contact ADD COLUMN professional_id INTEGER "
            f"CONSTRAINT {_FK} REFERENCES professional (id)"
        )
    else:
        op.add_column("contact", sa.Column("professional_id", sa.Integer(), nullable=True))
        op.create_foreign_key(_FK, "contact", "professional", ["professional_id"], ["id"])
    op.create_index(_INDEX, "contact", ["professional_id"], unique=False)


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="contact")
    if op.get_bind().dialect.name != "sqlite":
        # SQLite keeps the columns (dropping them copies the table; see 0003): release 0007
        # never reads them.
        op.drop_constraint(_FK, "contact", type_="foreignkey")
        op.drop_column("contact", "professional_id")
        op.drop_column("contact", "end_reason")
        op.drop_column("contact", "ended_on")
        op.drop_column("contact", "involved_from")
        op.drop_index(op.f("ix_professional_agency_id"), table_name="professional")
        op.drop_table("professional")
