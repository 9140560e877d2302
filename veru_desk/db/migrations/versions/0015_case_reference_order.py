"""case references that never run out, in the order they were given

A year's 100,000th reference is ``VERU-2026-100000`` (a sixth digit). Compared as text it would
sort between ``VERU-2026-10000`` and ``VERU-2026-10001``, so ``young_person`` gains
``case_ref_sort``: the reference with its number's digit count before the number
(``VERU-2026-500042``), which sorts as text in the order references were given, with an index.
Every stored reference gets its key here, in place. ``merged_into_id`` (0014) gains an index:
the caseload leaves records merged into another out through it.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# domain.case_reference.SORT_KEY_SQL as this release wrote it (a migration never changes).
_SORT_KEY = "substr(case_ref, 1, 10) || (length(case_ref) - 10) || substr(case_ref, 11)"
_INDEX = "ix_young_person_case_ref_sort"
_MERGED = "ix_young_person_merged_into_id"


def upgrade() -> None:
    op.add_column(
        "young_person",
        sa.Column(
            "case_ref_sort",
            sa.String(length=24).with_variant(sa.String(length=24, collation="C"), "postgresql"),
            nullable=True,
        ),
    )
    op.execute(f"UPDATE young_person SET case_ref_sort = {_SORT_KEY}")
    op.create_index(_INDEX, "young_person", ["case_ref_sort"], unique=False)
    # The caseload leaves out records merged into another (0014): found through this index.
    op.create_index(_MERGED, "young_person", ["merged_into_id"], unique=False)


def downgrade() -> None:
    op.drop_index(_MERGED, table_name="young_person")
    op.drop_index(_INDEX, table_name="young_person")
    if op.get_bind().dialect.name != "sqlite":
        # SQLite keeps the column (dropping it copies the table; see 0003): 0014 never reads it.
        op.drop_column("young_person", "case_ref_sort")
