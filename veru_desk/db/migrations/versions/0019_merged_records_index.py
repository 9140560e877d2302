"""the merged-records index holds the merged records only

``ix_young_person_merged_into_id`` (0015) held every young person, nearly all of them with no
``merged_into_id``. Every search adds "not merged away" (``merged_into_id IS NULL``), and
without statistics SQLite took that equality for the most selective condition: a search by
case reference walked every young person through this index and sorted them, instead of
reading the reference's range (300,000 people: "VERU-2023-01045" 238 ms, p95 of the
benchmark's keystrokes 453 ms). The index now holds only the records merged into another,
which is all it is ever asked for (the caseload's "merged away", a merge's look-ups), so a
search reads its own index: "VERU-2023-01045" 66 -> 1.4 ms on the plain 300,000-person file.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_young_person_merged_into_id"
_MERGED = "merged_into_id IS NOT NULL"


def upgrade() -> None:
    op.drop_index(_INDEX, table_name="young_person")
    op.create_index(
        _INDEX,
        "young_person",
        ["merged_into_id"],
        unique=False,
        sqlite_where=sa.text(_MERGED),
        postgresql_where=sa.text(_MERGED),
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="young_person")
    op.create_index(_INDEX, "young_person", ["merged_into_id"], unique=False)
