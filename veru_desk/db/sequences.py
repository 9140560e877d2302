"""Case numbers: unique, never reused, safe under concurrent intake on every engine.

One upsert statement bumps the year's counter and returns the number, so two processes can
never be handed the same one (SQLite serialises writers; PostgreSQL locks the counter row).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from veru_desk.domain.case_reference import format_case_reference

_NEXT = text(
    "INSERT INTO case_ref_counter (year, last_number) VALUES (:year, 1) "
    "ON CONFLICT (year) DO UPDATE SET last_number = case_ref_counter.last_number + 1 "
    "RETURNING last_number"
)


def next_case_reference(session: Session, year: int) -> str:
    number = session.execute(_NEXT, {"year": year}).scalar_one()
    return format_case_reference(year, number)


def reserve_case_numbers(session: Session, year: int, count: int) -> int:
    """Reserves ``count`` numbers at once (bulk import, demo data); returns the first."""
    last = session.execute(
        text(
            "INSERT INTO case_ref_counter (year, last_number) VALUES (:year, :count) "
            "ON CONFLICT (year) DO UPDATE SET "
            "last_number = case_ref_counter.last_number + :count RETURNING last_number"
        ),
        {"year": year, "count": count},
    ).scalar_one()
    return int(last) - count + 1
