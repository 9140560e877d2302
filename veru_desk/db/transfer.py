"""Copying a whole local SQLite database into an empty server database (``migrate-to``).

Rows are streamed table by table in foreign-key order, the server's id sequences are moved
past the copied ids, and every table is verified by row count and a checksum over its rows
in key order. The SQLite file is only ever read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Engine, Table, func, select, text

from veru_desk.db import migrate
from veru_desk.db.models import Base
from veru_desk.domain.errors import StorageError

BATCH = 5_000


@dataclass(frozen=True)
class TableCheck:
    table: str
    rows: int
    checksum: str


def _normalised(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _stored_columns(table: Table) -> list[Column[Any]]:
    """The columns a copy writes: a generated one (``young_person.case_open``) is worked out by
    the target from the others, and refuses a value."""
    return [column for column in table.columns if column.computed is None]


def _ordered_rows(
    connection: Connection, table: Table, columns: list[Column[Any]] | None = None
) -> Iterator[tuple[Any, ...]]:
    query = select(*(columns or table.columns)).order_by(*table.primary_key.columns)
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    for row in result:
        yield tuple(row)


def table_checks(engine: Engine) -> list[TableCheck]:
    checks = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            digest = hashlib.sha256()
            count = 0
            for row in _ordered_rows(connection, table):
                digest.update("\x1f".join(_normalised(v) for v in row).encode("utf-8"))
                digest.update(b"\x1e")
                count += 1
            checks.append(TableCheck(table.name, count, digest.hexdigest()))
    return checks


def _is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return all(
            not connection.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        )


def copy_database(
    source: Engine, target: Engine, progress: Callable[[str, int], None] | None = None
) -> list[TableCheck]:
    """Copies every row from ``source`` into an empty ``target`` and proves the copy."""
    if migrate.needs_upgrade(source):
        raise StorageError("Open the SQLite database with this version first, to upgrade it.")
    migrate.upgrade(target)
    if not _is_empty(target):
        raise StorageError("The target database is not empty; migrate-to only fills a new one.")
    with source.connect() as reading, target.begin() as writing:
        for table in Base.metadata.sorted_tables:
            batch: list[dict[str, Any]] = []
            copied = 0
            columns = _stored_columns(table)
            keys = [c.key for c in columns]
            for row in _ordered_rows(reading, table, columns):
                batch.append(dict(zip(keys, row, strict=True)))
                if len(batch) >= BATCH:
                    writing.execute(table.insert(), batch)
                    copied += len(batch)
                    batch = []
                    if progress:
                        progress(table.name, copied)
            if batch:
                writing.execute(table.insert(), batch)
                copied += len(batch)
            if progress:
                progress(table.name, copied)
        if target.dialect.name == "postgresql":
            _advance_sequences(writing)
    expected, actual = table_checks(source), table_checks(target)
    mismatched = [e.table for e, a in zip(expected, actual, strict=True) if e != a]
    if mismatched:
        raise StorageError("The copy does not match the original in: " + ", ".join(mismatched))
    return actual


def _advance_sequences(connection: Connection) -> None:
    for table in Base.metadata.sorted_tables:
        if "id" not in table.columns or not table.c.id.autoincrement:
            continue
        if len(table.primary_key.columns) != 1 or table.c.id.type.python_type is not int:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )
