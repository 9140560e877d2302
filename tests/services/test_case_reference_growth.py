"""A year past 99,999 case references: the 100,000th is VERU-YYYY-100000, and sorting, search,
the exact look-up and intake all still work (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import text

from veru_desk.db.engine import Database
from veru_desk.domain.enums import ReferralStatus
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter, CaseloadSort

WAITING = ReferralStatus.ACCEPTED  # accepted, awaiting a worker: on nobody's caseload


def _counter_at(db: Database, last_number: int) -> None:
    """Moves this year's counter on, as if the unit had already made that many references."""
    with db.write() as session:
        year = dt.date.today().year
        session.execute(text("DELETE FROM case_ref_counter WHERE year = :y"), {"y": year})
        session.execute(
            text("INSERT INTO case_ref_counter (year, last_number) VALUES (:y, :n)"),
            {"n": last_number, "y": year},
        )


def test_the_references_after_99999_have_six_digits_and_sort_after_it(
    db: Database, as_manager: Services, case_factory: Callable[..., int]
) -> None:
    year = dt.date.today().year
    early = case_factory(
        "Aoife", "Ní Bhriain", status=WAITING
    )  # this year's first, VERU-YYYY-00001
    _counter_at(db, 99998)
    late = [
        case_factory(first, last, status=WAITING)
        for first, last in [("Łukasz", "Wójcik"), ("Chiamaka", "Okonkwo"), ("Zoë", "Brontë")]
    ]
    refs = [as_manager.people.get(pid).case_ref for pid in [early, *late]]
    assert refs == [
        f"VERU-{year}-00001",
        f"VERU-{year}-99999",
        f"VERU-{year}-100000",
        f"VERU-{year}-100001",
    ]
    ids = as_manager.caseload.ids(CaseloadFilter(), CaseloadSort.CASE_REF)
    assert [i for i in ids if i in {early, *late}] == [early, *late]
    backwards = as_manager.caseload.ids(CaseloadFilter(), CaseloadSort.CASE_REF, descending=True)
    assert [i for i in backwards if i in {early, *late}] == [*reversed(late), early]
    # Typed in full, with or without its spelling, the six-digit reference finds its case.
    for typed in (f"VERU-{year}-100000", f"veru {year} 100000"):
        assert [hit.person_id for hit in as_manager.people.search(typed)] == [late[1]]


def test_a_caseworker_finds_a_six_digit_reference_on_someone_elses_caseload_on_record_only(
    db: Database,
    as_manager: Services,
    as_dariusz: Services,
    case_factory: Callable[..., int],
) -> None:
    _counter_at(db, 123455)
    theirs = case_factory(
        "Mohammed", "Al-Sayed", status=WAITING
    )  # allocated to nobody: not Dariusz's
    ref = as_manager.people.get(theirs).case_ref
    assert ref.endswith("-123456")
    [hit] = as_dariusz.people.search(ref)
    assert hit.person_id == theirs and hit.on_record_only and hit.first_name == ""
