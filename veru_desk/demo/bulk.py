"""The demo's bulk writer: a batch of generated rows straight into the tables.

It must store 100,000 people with about 2,000,000 sessions in well under two minutes, so rows
are written with the driver's ``executemany`` on the session's connection, a batch of people
per transaction; on a database built aside the busiest indexes are dropped for the load and
rebuilt after it, and SQLite is tuned for one big write (PRAGMAs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Index, func, select
from sqlalchemy.orm import Session

from veru_desk.db.engine import Database
from veru_desk.db.models import Base, YoungPerson
from veru_desk.db.sequences import reserve_case_numbers
from veru_desk.domain.case_reference import SORT_KEY_SQL, format_case_reference
from veru_desk.domain.errors import ConflictError

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

    from veru_desk.demo.story import Batch


def _columns(table: str, names: Sequence[str], tracked: bool = True) -> tuple[str, ...]:
    """The columns a raw insert fills, checked against the model: a NOT NULL column that the
    generator forgot (after a schema change) fails here with its name, not in the database."""
    columns = tuple(names) + (
        ("created_at", "created_by_id", "updated_at", "updated_by_id", "version") if tracked else ()
    )
    model = Base.metadata.tables[table]
    missing = [
        c.name
        for c in model.columns
        if not c.nullable and c.server_default is None and c.name not in columns
    ]
    unknown = [name for name in columns if name not in model.columns]
    if missing or unknown:
        raise RuntimeError(f"demo data for {table}: missing {missing}, unknown {unknown}")
    return columns


_COLUMNS: dict[str, tuple[str, ...]] = {}


def table_columns() -> dict[str, tuple[str, ...]]:
    if not _COLUMNS:
        _COLUMNS.update(
            young_person=_columns(
                "young_person",
                (
                    "id", "case_ref", "first_name", "last_name", "preferred_name", "sort_name",
                    "date_of_birth", "gender", "ethnicity", "address", "postcode", "phone",
                    "nhs_number", "education_setting", "education_status", "looked_after",
                    "child_protection_plan", "child_in_need", "send", "known_to_youth_justice",
                    "current_status", "current_worker_id", "current_risk_level",
                    "next_review_on", "last_contact_on", "disengaged",
                ),
            ),
            name_token=_columns("name_token", ("token", "young_person_id"), tracked=False),
            contact=_columns(
                "contact",
                (
                    "id", "young_person_id", "name", "relationship_to_person", "phone",
                    "parental_responsibility",
                ),
            ),
            referral=_columns(
                "referral",
                (
                    "id", "young_person_id", "received_on", "referring_agency_id",
                    "referrer_name", "narrative", "consent_young_person", "consent_parent",
                    "sharing_basis", "priority", "status", "decision_reason", "decided_on",
                    "decided_by_id", "allocated_worker_id", "allocated_on", "first_contact_on",
                    "closed_on", "closure_reason", "outcome_summary", "source",
                ),
            ),
            referral_reason=_columns("referral_reason", ("referral_id", "reason"), tracked=False),
            referral_transition=_columns(
                "referral_transition",
                (
                    "id", "referral_id", "from_status", "to_status", "on_date", "at",
                    "by_user_id", "reason", "worker_id",
                ),
                tracked=False,
            ),
            risk_assessment=_columns(
                "risk_assessment",
                (
                    "id", "young_person_id", "referral_id", "assessed_on", "level",
                    "risk_factors", "protective_factors", "assessor_id", "next_review_on",
                ),
            ),
            intervention_plan=_columns(
                "intervention_plan",
                (
                    "id", "young_person_id", "referral_id", "plan_version", "started_on",
                    "review_on", "summary", "is_current",
                ),
            ),
            plan_goal=_columns(
                "plan_goal",
                (
                    "id", "plan_id", "position", "domain", "description", "target_on", "status",
                    "progress",
                ),
            ),
            plan_action=_columns(
                "plan_action", ("id", "goal_id", "description", "owner", "due_on", "done_on")
            ),
            mentoring_session=_columns(
                "mentoring_session",
                (
                    "id", "young_person_id", "referral_id", "planned_start", "duration_minutes",
                    "mentor_id", "session_type", "location", "attendance", "notes", "topics",
                    "confidential",
                ),
            ),
            outcome=_columns(
                "outcome",
                (
                    "id", "young_person_id", "referral_id", "recorded_on", "point",
                    "risk_level", "education_status", "arrests", "charges", "wellbeing",
                    "goals_achieved",
                ),
            ),
            case_note=_columns(
                "case_note",
                (
                    "id", "young_person_id", "referral_id", "occurred_at", "author_id",
                    "subject", "body", "confidential",
                ),
            ),
        )  # fmt: skip
    return _COLUMNS


ID_TABLES = (
    "young_person", "contact", "referral", "referral_transition", "risk_assessment",
    "intervention_plan", "plan_goal", "plan_action", "mentoring_session", "outcome", "case_note",
)  # fmt: skip


def markers(dialect: Dialect, count: int) -> list[str]:
    """``count`` positional placeholders in the driver's own style: SQLite's ``?``, or the
    server's ``$1``, ``$2``... (``db.engine`` sends the server's statements as they are)."""
    if dialect.paramstyle == "numeric_dollar":
        return [f"${n}" for n in range(1, count + 1)]
    if dialect.paramstyle == "qmark":
        return ["?"] * count
    return ["%s"] * count


def _insert(session: Session, table: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = table_columns()[table]
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(markers(dialect, len(columns)))})"
    )
    connection.exec_driver_sql(sql, rows)


# Tables whose secondary indexes take random inserts (by date, by mentor): at 100,000 people
# they outgrow any page cache, so on a database with no cases yet they are dropped for the
# load and rebuilt afterwards in one sort each, which is several times faster.
_DEFERRED_INDEX_TABLES = ("mentoring_session", "outcome", "case_note", "risk_assessment")


def deferred_indexes(db: Database) -> list[Index]:
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(YoungPerson)):
            return []  # a database in use keeps its indexes: others are reading it
        indexes = [
            index
            for table in _DEFERRED_INDEX_TABLES
            for index in sorted(Base.metadata.tables[table].indexes, key=lambda i: str(i.name))
        ]
        for index in indexes:
            index.drop(session.connection(), checkfirst=True)
    return indexes


def rebuild_indexes(db: Database, indexes: list[Index]) -> None:
    if not indexes:
        return
    with db.write() as session:
        for index in indexes:
            index.create(session.connection(), checkfirst=True)


def highest_ids(session: Session) -> dict[str, int]:
    return {
        table: session.scalar(select(func.max(Base.metadata.tables[table].c.id))) or 0
        for table in ID_TABLES
    }


def write_batch(db: Database, batch: Batch, expected: dict[str, int]) -> None:
    """One transaction per batch. The ids were handed out in advance, so the batch is
    refused if anyone else added rows meanwhile rather than clashing with them."""
    with db.write() as session:
        if highest_ids(session) != expected:
            raise ConflictError(
                "Someone else saved records while demo data was being generated: run "
                "demo-data when nobody else is using the database."
            )
        refs = iter(_case_references(session, batch.years))
        batch.rows["young_person"] = [
            (row[0], next(refs), *row[2:]) for row in batch.rows["young_person"]
        ]
        for table in table_columns():
            _insert(session, table, batch.rows[table])
        # The raw insert leaves the references' sort keys to SQL (the ORM's default is Python).
        session.connection().exec_driver_sql(
            f"UPDATE young_person SET case_ref_sort = {SORT_KEY_SQL} WHERE case_ref_sort IS NULL"
        )
        connection = session.connection()
        referral, person = markers(connection.dialect, 2)
        connection.exec_driver_sql(
            f"UPDATE young_person SET current_referral_id = {referral} WHERE id = {person}",
            batch.current_referral,
        )


def _case_references(session: Session, record_years: list[int]) -> list[str]:
    """Case references by the year each record was made, reserved in one step per year."""
    years = Counter(record_years)
    next_number: dict[int, int] = {}
    for year, count in sorted(years.items()):
        next_number[year] = reserve_case_numbers(session, year, count)
    refs = []
    for year in record_years:
        refs.append(format_case_reference(year, next_number[year]))
        next_number[year] += 1
    return refs


# SQLite's page cache while generating: the session indexes of 100,000 people outgrow the
# default 32 MB, and every index page evicted is written twice (WAL, then checkpoint).
_BULK_CACHE_KIB = 400_000
_NORMAL_CACHE_KIB = 32_000


def tune_for_bulk(db: Database, *, on: bool) -> None:
    """Settings for one big write on SQLite: a bigger page cache, and no fsync per commit
    (a demo database lost to a power cut is simply generated again). Applied to the pooled
    connection between transactions, because SQLite refuses to change them inside one."""
    if not db.is_sqlite:
        return
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        kib = _BULK_CACHE_KIB if on else _NORMAL_CACHE_KIB
        cursor.execute(f"PRAGMA cache_size = -{kib}")
        cursor.execute(f"PRAGMA synchronous = {'OFF' if on else 'NORMAL'}")
        # A rollback journal writes new pages once; WAL writes them twice (log, checkpoint).
        cursor.execute(f"PRAGMA journal_mode = {'DELETE' if on else 'WAL'}")
        cursor.close()
    finally:
        raw.close()


def advance_sequences(session: Session) -> None:
    """PostgreSQL hands out ids from sequences the explicit ids above did not move on."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in ID_TABLES:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )
