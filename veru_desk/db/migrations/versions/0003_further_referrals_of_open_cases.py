"""further referrals of an open case

A second referral for a young person whose case was open used to become the case's "current
referral": the case showed as received, with no worker and no review date, and left its
worker's caseload. ``referral.open_case_referral_id`` marks such a referral as a further
referral of the open episode, which stays the case.

Databases written before this release may already hold the damage: a referral awaiting triage
that arrived while an earlier episode of the same young person was accepted, allocated or
active. Those are marked as further referrals of that episode here, and the young person's
summary columns are put back to the episode (status, worker, review date), so the case
returns to its worker's caseload on upgrade.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from veru_desk.domain.enums import Attendance
from veru_desk.domain.workflow import is_disengaged

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FK = "fk_referral_open_case_referral_id_referral"
_INDEX = "ix_referral_open_case_referral_id"
_OPEN = ("accepted", "allocated", "active")
_RECENT_ATTENDANCE_WINDOW = 10  # services.case_state.RECENT_ATTENDANCE_WINDOW


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        # SQLite adds a column with a REFERENCES clause in place (its default is NULL), where
        # batch mode would copy the table and drop the old one, and with foreign keys on that
        # drop cascades to every referral's reasons and transitions. No ON DELETE: SQLite does
        # not report an inline one back, and referrals go only with their young person.
        op.execute(
            "ALTER TABLE referral ADD COLUMN open_case_referral_id INTEGER "
            f"CONSTRAINT {_FK} REFERENCES referral (id)"
        )
    else:
        op.add_column("referral", sa.Column("open_case_referral_id", sa.Integer(), nullable=True))
        op.create_foreign_key(_FK, "referral", "referral", ["open_case_referral_id"], ["id"])
    op.create_index(_INDEX, "referral", ["open_case_referral_id"], unique=False)
    _repair_re_referred_cases(connection)


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="referral")
    if op.get_bind().dialect.name == "sqlite":
        # Dropping the column would mean copying the table and dropping the old one, which
        # with foreign keys on deletes every referral's reasons and transitions. Release
        # 0002 never reads the column, so it stays.
        return
    op.drop_constraint(_FK, "referral", type_="foreignkey")
    op.drop_column("referral", "open_case_referral_id")


def _repair_re_referred_cases(connection: sa.Connection) -> None:
    episode = (
        "SELECT MAX(e.id) FROM referral e WHERE e.young_person_id = referral.young_person_id "
        "AND e.id < referral.id AND e.status IN ('accepted', 'allocated', 'active')"
    )
    connection.execute(
        sa.text(
            f"UPDATE referral SET open_case_referral_id = ({episode}) "
            f"WHERE status IN ('received', 'screening') AND ({episode}) IS NOT NULL"
        )
    )
    people = connection.execute(
        sa.text(
            "SELECT DISTINCT young_person_id FROM referral "
            "WHERE open_case_referral_id IS NOT NULL ORDER BY young_person_id"
        )
    ).scalars()
    for person_id in list(people):
        _refresh_summary(connection, person_id)


def _refresh_summary(connection: sa.Connection, person_id: int) -> None:
    """What ``services.case_state.refresh`` writes, for one repaired case (migrations may not
    import services, and must not change when that code does)."""
    current = connection.execute(
        sa.text(
            "SELECT id, status, allocated_worker_id FROM referral "
            "WHERE young_person_id = :person AND open_case_referral_id IS NULL "
            "ORDER BY CASE WHEN status IN ('closed', 'declined', 'signposted') THEN 1 ELSE 0 END, "
            "received_on DESC, id DESC LIMIT 1"
        ),
        {"person": person_id},
    ).first()
    if current is None:
        return
    is_open = current.status in _OPEN
    review = connection.execute(
        sa.text(
            "SELECT next_review_on FROM risk_assessment WHERE young_person_id = :person "
            "ORDER BY assessed_on DESC, id DESC LIMIT 1"
        ),
        {"person": person_id},
    ).scalar()
    recent = connection.execute(
        sa.text(
            "SELECT attendance FROM mentoring_session WHERE young_person_id = :person "
            "AND attendance != 'planned' ORDER BY planned_start DESC, id DESC LIMIT :window"
        ),
        {"person": person_id, "window": _RECENT_ATTENDANCE_WINDOW},
    ).scalars()
    disengaged = is_open and is_disengaged([Attendance(value) for value in recent])
    connection.execute(
        sa.text(
            "UPDATE young_person SET current_referral_id = :referral, current_status = :status, "
            "current_worker_id = :worker, next_review_on = :review, disengaged = :disengaged, "
            "version = version + 1 WHERE id = :person"
        ),
        {
            "referral": current.id,
            "status": current.status,
            "worker": current.allocated_worker_id,
            "review": review if is_open else None,
            "disengaged": disengaged,
            "person": person_id,
        },
    )
