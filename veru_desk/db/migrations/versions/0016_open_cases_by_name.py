"""open cases by name, from one index in order

The caseload opens on open cases by name. Filtered on three statuses, SQLite read them from
``ix_young_person_status_sort`` and sorted them every time (20 ms for 18,330 open cases of
100,000, growing with the caseload). ``young_person.case_open`` is the database's own working
of "the status is open" (a generated column: never written, never stale), and
``ix_young_person_open_by_name`` holds the open cases in name order, so the list is one range
read in order; ``ix_young_person_worker_open_by_name`` does the same for one worker's (a
caseworker's own caseload), which the first index alone would have SQLite find by walking every
open case. SQLite keeps the column virtual (an index stores it; ``ALTER TABLE`` cannot add
a stored one); PostgreSQL only has stored generated columns.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# ReferralStatus.is_open_case as this release has it (a migration never changes); false, not
# unknown, for a young person with no referral.
_OPEN = "COALESCE(current_status IN ('accepted', 'allocated', 'active'), FALSE)"
_INDEX = "ix_young_person_open_by_name"
_WORKER_INDEX = "ix_young_person_worker_open_by_name"


def upgrade() -> None:
    stored = op.get_bind().dialect.name != "sqlite"
    op.add_column(
        "young_person",
        sa.Column("case_open", sa.Boolean(), sa.Computed(_OPEN, persisted=stored)),
    )
    op.create_index(_INDEX, "young_person", ["case_open", "sort_name", "id"], unique=False)
    op.create_index(
        _WORKER_INDEX,
        "young_person",
        ["current_worker_id", "case_open", "sort_name", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(_WORKER_INDEX, table_name="young_person")
    op.drop_index(_INDEX, table_name="young_person")
    op.drop_column("young_person", "case_open")
