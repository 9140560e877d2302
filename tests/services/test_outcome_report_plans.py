"""The outcome report's statements read the covering indexes made for them (migration 0017).

At 100,000 people each of these choices was worth 100-600 ms of the year's report on an
encrypted file, where every table page read is decrypted and checked; SQLite's planner makes
them without statistics, so the plans on a small database are the ones at 100,000 people.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.services.test_reports import PERIOD, Unit, unit  # noqa: F401
from veru_desk.db.engine import Database
from veru_desk.domain.enums import ReferralReason
from veru_desk.services import Services


def _plans(db: Database, services: Services, **filters: object) -> list[tuple[str, str]]:
    """(statement, its query plan) for every SELECT the year's report sends."""
    sent: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, params: object, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        services.reports.figures(PERIOD, **filters)  # type: ignore[arg-type]
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    plans = []
    with db.engine.connect() as conn:
        for statement, params in sent:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()  # type: ignore[arg-type]
            plans.append((statement, "\n".join(str(row[-1]) for row in rows)))
    return plans


@pytest.mark.sqlite_only  # SQLite's query planner
@pytest.mark.parametrize(
    "filters",
    [{}, {"worker_id": 1}, {"agency_id": 1}, {"reason": ReferralReason.KNIFE_CARRYING}],
    ids=["unfiltered", "worker", "agency", "reason"],
)
def test_the_report_finds_episodes_and_cohorts_through_its_covering_indexes(
    db: Database,
    as_manager: Services,
    unit: Unit,  # noqa: F811
    filters: dict[str, object],
) -> None:
    """Not through ``ix_referral_open_case_referral_id`` (its NULL holds nearly every
    referral, each then read from the table: 130-150 ms a statement) nor ``ix_referral_status``
    (every accepted referral of the database, for the attended sessions' cohort)."""
    plans = _plans(db, as_manager, **filters)
    assert len(plans) > 15
    for statement, plan in plans:
        assert "ix_referral_open_case_referral_id" not in plan, (statement, plan)
        assert "INDEX ix_referral_status (" not in plan, (statement, plan)


@pytest.mark.sqlite_only  # SQLite's query planner
def test_the_unfiltered_report_reads_no_referral_or_outcome_row_from_its_table(
    db: Database,
    as_manager: Services,
    unit: Unit,  # noqa: F811
) -> None:
    """Every referral and outcome record it counts comes from an index holding the columns
    it reads (``SEARCH referral USING INDEX`` would read each row from the table)."""
    for statement, plan in _plans(db, as_manager):
        for table in ("referral", "outcome"):
            assert f"SEARCH {table} USING INDEX" not in plan, (statement, plan)
            assert f"SCAN {table}\n" not in plan + "\n", (statement, plan)


@pytest.mark.sqlite_only  # SQLite's query planner
def test_the_years_sessions_are_grouped_as_read_from_the_start_index(
    db: Database,
    as_manager: Services,
    unit: Unit,  # noqa: F811
) -> None:
    """Counted per start time (the index's order) before type and attendance: grouped by
    type and attendance at once, SQLite sorted every session of the year (704,000 at
    100,000 people) to group them."""
    (plan,) = [
        plan
        for statement, plan in _plans(db, as_manager)
        if "FROM mentoring_session" in statement and "planned_start <" in statement
    ]
    lines = plan.splitlines()
    start = next(i for i, line in enumerate(lines) if "ix_mentoring_session_start" in line)
    # The read of the index is not followed by a sort of what it read: the only sort is of
    # the per-start counts, after the subquery is read back (SCAN).
    assert "TEMP B-TREE" not in lines[start + 1], plan
    assert any(line.startswith("SCAN") for line in lines[start + 1 :]), plan
