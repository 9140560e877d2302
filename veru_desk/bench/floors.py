"""The floors: the same work done the plainest way, timed in the same run.

* SQL floors replay, through the bare driver connection (``sqlite3``, ``sqlcipher3`` or
  ``psycopg``, no ORM, no result processing), exactly the statements and parameters the
  service sent for the operation, captured from the engine while the real code ran. So the
  floor is never a hand-written query that might be cheaper than ours: it is ours, minus us.
* The PDF floor lays out the same rows with a bare reportlab ``SimpleDocTemplate``: plain
  tables of strings, the default style, no fonts, no marking, no page furniture.
* The startup floor is a process that shows a bare PySide6 ``QMainWindow`` and quits after
  its first paint (``veru_desk.bench.probe``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

from veru_desk.bench.stats import timed

_COMMIT = "-- commit"
_ROLLBACK = "-- rollback"


@dataclass(frozen=True)
class Statement:
    sql: str
    parameters: Any
    many: bool
    connection: int = 0  # which driver connection sent it (``id``)


@contextmanager
def captured_sql(engine: Engine) -> Iterator[list[Statement]]:
    """Every statement the engine sends while the block runs, with commits and rollbacks."""
    statements: list[Statement] = []

    def before(conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        statements.append(Statement(sql, params, many, _driver_of(conn)))

    def committed(conn: Any) -> None:
        statements.append(Statement(_COMMIT, None, False, _driver_of(conn)))

    def rolled_back(conn: Any) -> None:
        statements.append(Statement(_ROLLBACK, None, False, _driver_of(conn)))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "commit", committed)
        event.remove(engine, "rollback", rolled_back)


def _driver_of(conn: Any) -> int:
    return id(conn.connection.driver_connection)


def replay(engine: Engine, statements: Sequence[Statement]) -> float:
    """Seconds to run ``statements`` on a bare driver connection, fetching every row.

    The connection comes from the engine's pool so it is already open and set up (key,
    pragmas) as the service's was: opening a connection is not part of either timing.

    Statements the service sent on two connections at once (the outcome report reads on
    two threads, ``Database.snapshot_pair``) are replayed one connection's after the
    other's, on this one: the floor is the same SQL done the plainest way, in series. A
    server's ``SET TRANSACTION SNAPSHOT`` is left out: the snapshot it took up ended with
    the service's transaction.
    """
    by_connection: dict[int, list[Statement]] = {}
    for statement in statements:
        if not statement.sql.startswith("SET TRANSACTION SNAPSHOT"):
            by_connection.setdefault(statement.connection, []).append(statement)
    statements = [s for group in by_connection.values() for s in group]
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        assert driver is not None

        def run() -> None:
            cursor = driver.cursor()
            try:
                for statement in statements:
                    if statement.sql == _COMMIT:
                        driver.commit()
                    elif statement.sql == _ROLLBACK:
                        driver.rollback()
                    elif statement.many:
                        cursor.executemany(statement.sql, statement.parameters)
                    else:
                        cursor.execute(statement.sql, statement.parameters)
                        if cursor.description is not None:
                            cursor.fetchall()
            finally:
                cursor.close()
            driver.commit()

        return timed(run)
    finally:
        raw.close()


def bare_pdf(tables: Sequence[tuple[Sequence[str], Sequence[Sequence[str]]]]) -> float:
    """Seconds for a bare reportlab document of the same rows (header row, then the rows)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Flowable, SimpleDocTemplate, Table

    def build() -> None:
        story: list[Flowable] = [
            Table([list(header), *[list(row) for row in rows]], repeatRows=1)
            for header, rows in tables
        ]
        SimpleDocTemplate(io.BytesIO(), pagesize=A4).build(story)

    return timed(build)
