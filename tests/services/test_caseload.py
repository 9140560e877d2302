from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import event, select

from tests.dates import today
from veru_desk.db.engine import Database
from veru_desk.db.models import NameToken, YoungPerson
from veru_desk.domain.enums import Attendance, ReferralStatus, RiskLevel
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter, CaseloadSort
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.risk import RiskInput


@dataclass(frozen=True)
class Unit:
    """Six cases across two caseworkers and the triage queue."""

    lukasz: int  # Dariusz, allocated, no contact yet, 14
    zoe: int  # Dariusz, active (attended yesterday), high risk overdue, 16
    stefan: int  # Dariusz, allocated, no contact yet, low risk, 12
    nguyen: int  # Aisha, allocated, 19
    abdirahman: int  # received, not yet triaged, 17
    siobhan: int  # Aisha, allocated, medium risk, 22


@pytest.fixture
def unit(
    as_dariusz: Services,
    as_aisha: Services,
    allocated_case: int,
    case_factory: Callable[..., int],
) -> Unit:
    dariusz, aisha = as_dariusz.actor.user_id, as_aisha.actor.user_id
    zoe = case_factory("Zoë", "Ó Súilleabháin", age=16, worker_id=dariusz, preferred_name="Zo")
    stefan = case_factory("Ştefan", "Popescu", age=12, worker_id=dariusz)
    nguyen = case_factory("Văn An", "Nguyễn", age=19, worker_id=aisha)
    abdirahman = case_factory("Abdirahman", "Warsame", age=17, status=ReferralStatus.RECEIVED)
    siobhan = case_factory("Siobhán", "Nic Giolla Phádraig", age=22, worker_id=aisha)
    yesterday = dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(16))
    as_dariusz.sessions.book(
        zoe, SessionInput(planned_start=yesterday, attendance=Attendance.ATTENDED)
    )
    as_dariusz.risk.record(
        zoe, RiskInput(assessed_on=today() - dt.timedelta(days=40), level=RiskLevel.HIGH)
    )
    as_dariusz.risk.record(stefan, RiskInput(assessed_on=today(), level=RiskLevel.LOW))
    as_aisha.risk.record(siobhan, RiskInput(assessed_on=today(), level=RiskLevel.MEDIUM))
    return Unit(allocated_case, zoe, stefan, nguyen, abdirahman, siobhan)


def test_manager_sees_every_case_sorted_by_surname_with_accents_folded(
    as_manager: Services, unit: Unit
) -> None:
    ids = as_manager.caseload.ids(CaseloadFilter())
    names = [r.last_name for r in as_manager.caseload.rows(ids)]
    assert names == [
        "Nguyễn",
        "Nic Giolla Phádraig",
        "Ó Súilleabháin",
        "Popescu",
        "Warsame",
        "Wiśniewski",
    ]
    assert as_manager.caseload.count(CaseloadFilter()) == 6
    assert as_manager.caseload.ids(CaseloadFilter(), descending=True) == ids[::-1]


def test_a_page_of_ids_is_a_slice_of_the_full_list(as_manager: Services, unit: Unit) -> None:
    everyone = as_manager.caseload.ids(CaseloadFilter(), CaseloadSort.AGE)
    first = as_manager.caseload.ids(CaseloadFilter(), CaseloadSort.AGE, limit=2)
    rest = as_manager.caseload.ids(CaseloadFilter(), CaseloadSort.AGE, limit=10, offset=2)
    assert first + rest == everyone and len(first) == 2


def test_rows_come_back_in_the_order_asked_with_the_summary_columns(
    as_manager: Services, unit: Unit
) -> None:
    rows = as_manager.caseload.rows([unit.zoe, unit.abdirahman, unit.lukasz])
    assert [r.person_id for r in rows] == [unit.zoe, unit.abdirahman, unit.lukasz]
    zoe, abdirahman, lukasz = rows
    assert (zoe.first_name, zoe.preferred_name, zoe.age) == ("Zoë", "Zo", 16)
    assert zoe.status is ReferralStatus.ACTIVE and zoe.risk_level is RiskLevel.HIGH
    assert zoe.worker == "Dariusz Wójcik"
    assert zoe.last_contact_on == today() - dt.timedelta(days=1)
    assert zoe.next_review_on == today() - dt.timedelta(days=12)
    assert zoe.case_ref.startswith(f"VERU-{today().year}-")
    assert abdirahman.status is ReferralStatus.RECEIVED and abdirahman.worker is None
    assert (lukasz.age, lukasz.last_contact_on, lukasz.disengaged) == (14, None, False)


def test_allocated_no_contact_yet_filter_finds_the_new_cases(
    as_dariusz: Services, unit: Unit
) -> None:
    flt = CaseloadFilter(statuses=frozenset({ReferralStatus.ALLOCATED}), no_contact_yet=True)
    assert as_dariusz.caseload.ids(flt) == [unit.stefan, unit.lukasz]
    assert as_dariusz.caseload.count(flt) == 2


def test_caseworker_sees_only_their_own_cases(
    as_dariusz: Services, as_aisha: Services, unit: Unit
) -> None:
    assert set(as_dariusz.caseload.ids(CaseloadFilter())) == {unit.lukasz, unit.zoe, unit.stefan}
    assert as_aisha.caseload.ids(CaseloadFilter()) == [unit.nguyen, unit.siobhan]
    aisha_id = as_aisha.actor.user_id
    assert as_dariusz.caseload.ids(CaseloadFilter(worker_id=aisha_id)) == []
    assert as_dariusz.caseload.rows([unit.nguyen, unit.zoe]) == as_dariusz.caseload.rows([unit.zoe])


def test_manager_filters_by_worker_risk_status_and_overdue(
    as_manager: Services, as_aisha: Services, unit: Unit
) -> None:
    caseload = as_manager.caseload
    aisha = CaseloadFilter(worker_id=as_aisha.actor.user_id)
    assert caseload.ids(aisha) == [unit.nguyen, unit.siobhan]
    risky = CaseloadFilter(risk_levels=frozenset({RiskLevel.HIGH, RiskLevel.MEDIUM}))
    assert caseload.ids(risky) == [unit.siobhan, unit.zoe]
    assert caseload.ids(CaseloadFilter(overdue_only=True)) == [unit.zoe]
    triage = CaseloadFilter(statuses=frozenset({ReferralStatus.RECEIVED}))
    assert caseload.ids(triage) == [unit.abdirahman]
    assert unit.abdirahman not in caseload.ids(CaseloadFilter(open_only=True))
    assert caseload.count(CaseloadFilter(open_only=True)) == 5


def test_text_filter_matches_like_the_global_search_without_accents(
    as_manager: Services, as_dariusz: Services, unit: Unit
) -> None:
    assert as_manager.caseload.ids(CaseloadFilter(text="zoe suil")) == [unit.zoe]
    assert as_manager.caseload.ids(CaseloadFilter(text="stefan")) == [unit.stefan]
    assert as_manager.caseload.ids(CaseloadFilter(text="siobhan")) == [unit.siobhan]
    assert as_dariusz.caseload.ids(CaseloadFilter(text="siobhan")) == []
    [zoe] = as_manager.caseload.rows([unit.zoe])
    assert as_manager.caseload.ids(CaseloadFilter(text=zoe.case_ref)) == [unit.zoe]
    found = {h.person_id for h in as_manager.people.search("nguyen")}
    assert set(as_manager.caseload.ids(CaseloadFilter(text="nguyen"))) == found == {unit.nguyen}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (CaseloadSort.AGE, ["stefan", "lukasz", "zoe", "abdirahman", "nguyen", "siobhan"]),
        (CaseloadSort.RISK, ["stefan", "siobhan", "zoe", "nguyen", "abdirahman", "lukasz"]),
        (CaseloadSort.STATUS, ["abdirahman", "nguyen", "siobhan", "stefan", "lukasz", "zoe"]),
        (CaseloadSort.NEXT_REVIEW, ["zoe", "siobhan", "stefan", "nguyen", "abdirahman", "lukasz"]),
        (CaseloadSort.WORKER, ["nguyen", "siobhan", "zoe", "stefan", "lukasz", "abdirahman"]),
        (CaseloadSort.LAST_CONTACT, ["zoe", "nguyen", "siobhan", "stefan", "abdirahman", "lukasz"]),
    ],
)
def test_sorting_by_each_column_keeps_blanks_last_then_sorts_by_name(
    as_manager: Services, unit: Unit, sort: CaseloadSort, expected: list[str]
) -> None:
    names = {getattr(unit, name): name for name in expected}
    assert [names[i] for i in as_manager.caseload.ids(CaseloadFilter(), sort)] == expected


def test_sorting_descending_still_keeps_blanks_last(as_manager: Services, unit: Unit) -> None:
    ids = as_manager.caseload.ids(CaseloadFilter(), CaseloadSort.RISK, descending=True)
    assert ids[:3] == [unit.zoe, unit.siobhan, unit.stefan]


def test_sorting_by_case_reference_follows_the_order_they_were_issued(
    as_manager: Services, unit: Unit
) -> None:
    ids = as_manager.caseload.ids(CaseloadFilter(), CaseloadSort.CASE_REF)
    refs = [r.case_ref for r in as_manager.caseload.rows(ids)]
    assert refs == sorted(refs) and ids[0] == unit.lukasz


def test_disengaged_filter(as_dariusz: Services, allocated_case: int) -> None:
    for weeks in (3, 2, 1):
        start = dt.datetime.combine(today() - dt.timedelta(weeks=weeks), dt.time(16))
        as_dariusz.sessions.book(
            allocated_case,
            SessionInput(planned_start=start, attendance=Attendance.DID_NOT_ATTEND),
        )
    assert as_dariusz.caseload.ids(CaseloadFilter(disengaged_only=True)) == [allocated_case]
    assert as_dariusz.caseload.rows([allocated_case])[0].disengaged


def test_an_administrator_cannot_list_cases(db: Database, team: object) -> None:
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        admin.caseload.ids(CaseloadFilter())


def _plan_of_first_ids_query(db: Database, run: Callable[[], object]) -> str:
    """The query plan SQLite uses for the first statement of ids that ``run`` really sends."""
    sent: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, params: object, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT YOUNG_PERSON.ID"):
            sent.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    statement, params = sent[0]
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()  # type: ignore[arg-type]
    return "\n".join(str(row[-1]) for row in rows)


def _plan_of_ids_query(db: Database, services: Services, flt: CaseloadFilter) -> str:
    """The query plan SQLite uses for the statement ``ids`` really sends."""
    return _plan_of_first_ids_query(db, lambda: services.caseload.ids(flt))


@pytest.mark.sqlite_only  # SQLite's query planner
def test_the_name_sorted_caseload_is_read_from_the_name_index_without_sorting(
    db: Database, as_manager: Services, unit: Unit
) -> None:
    plan = _plan_of_ids_query(db, as_manager, CaseloadFilter())
    assert "COVERING INDEX ix_young_person_sort_name" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.sqlite_only  # SQLite's query planner
def test_open_cases_by_name_are_read_in_index_order_without_sorting(
    db: Database, as_manager: Services, unit: Unit
) -> None:
    """The caseload's default list. Filtered on three open statuses, SQLite sorted every open
    case each time (20 ms at 100,000 people); ``case_open`` makes it one range in order."""
    plan = _plan_of_ids_query(db, as_manager, CaseloadFilter(open_only=True))
    assert "ix_young_person_open_by_name (case_open=?)" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.sqlite_only  # SQLite's query planner
def test_a_caseworkers_open_cases_are_read_from_their_own_range_of_an_index(
    db: Database, as_dariusz: Services, unit: Unit
) -> None:
    """Not by walking every open case in the unit for theirs (41 ms at 100,000 people with
    only the unit-wide index; 1.6 ms with this one)."""
    plan = _plan_of_ids_query(db, as_dariusz, CaseloadFilter(open_only=True))
    assert "ix_young_person_worker_open_by_name (current_worker_id=? AND case_open=?)" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.sqlite_only  # SQLite's query planner
def test_a_caseworkers_search_finds_the_referrals_they_entered_from_an_index(
    db: Database, as_dariusz: Services, unit: Unit
) -> None:
    """A caseworker's search keystroke is narrowed to their own cases, among them the people
    whose referral they entered while it awaits triage. Those were found by walking every
    unallocated person (every closed case is one: 30,000 rows a keystroke at 100,000 people)
    and are one range of ``ix_young_person_created_unallocated``."""
    plan = _plan_of_first_ids_query(db, lambda: as_dariusz.people.search("Wiś"))
    assert "ix_young_person_created_unallocated (created_by_id=? AND current_worker_id=?)" in plan


@pytest.mark.sqlite_only  # SQLite's query planner
def test_a_search_by_case_reference_reads_the_references_not_every_young_person(
    db: Database, as_manager: Services, unit: Unit
) -> None:
    """Every search adds "not merged away". While the merged-records index held everyone,
    SQLite read that from it and sorted every young person for a reference's few (300,000
    people: 238 ms a keystroke); it holds the merged records only now."""
    reference = as_manager.caseload.rows(as_manager.caseload.ids(CaseloadFilter()))[0].case_ref
    plan = _plan_of_first_ids_query(db, lambda: as_manager.people.search(reference[:9]))
    assert "ix_young_person_merged_into_id" not in plan
    assert "case_ref>? AND case_ref<?" in plan


def test_case_open_is_the_domains_open_case_for_every_status(
    db: Database, as_manager: Services, unit: Unit
) -> None:
    """The generated column holds the rule the domain states, on both engines."""
    with db.write() as session:
        person = session.scalars(select(YoungPerson).limit(1)).one()
        for status in [*ReferralStatus, None]:
            person.current_status = status
            session.flush()
            session.refresh(person, ["case_open"])
            expected = status is not None and status.is_open_case
            assert person.case_open is expected, status


@pytest.mark.sqlite_only  # SQLite's query planner
def test_a_worker_and_status_filter_is_answered_from_an_index(
    db: Database, as_manager: Services, as_dariusz: Services, unit: Unit
) -> None:
    flt = CaseloadFilter(
        worker_id=as_dariusz.actor.user_id, statuses=frozenset({ReferralStatus.ALLOCATED})
    )
    plan = _plan_of_ids_query(db, as_manager, flt)
    # Either index answers it without reading the table: which one SQLite prefers depends on
    # the rows present (at 100,000 people it is the worker/status index, 6 ms).
    assert "SEARCH young_person USING INDEX" in plan
    assert "SCAN young_person" not in plan


@pytest.mark.parametrize("typed", ["N", "an", "W", "s", "Ó S"])
def test_a_common_prefix_walked_in_name_order_finds_the_same_people_in_the_same_order(
    monkeypatch: pytest.MonkeyPatch, as_manager: Services, unit: Unit, typed: str
) -> None:
    """A prefix matching many ("M" at 300,000 people) is found by walking the names in
    order; the list must be the one the look-up by id gives."""
    from veru_desk.services import people

    by_id = [hit.person_id for hit in as_manager.people.search(typed)]
    monkeypatch.setattr(people, "COMMON_PREFIX_TOKENS", 0)  # every prefix counts as common
    walked = [hit.person_id for hit in as_manager.people.search(typed)]
    assert walked == by_id and by_id


def _plain_reading(db: Database, typed: str) -> list[int]:
    """The people not merged away that every typed word begins a name of, by name: read
    in Python from every name token, the slow way the search must agree with."""
    from veru_desk.domain.names import query_tokens

    with db.read() as session:
        tokens: dict[int, list[str]] = {}
        for token, person_id in session.execute(select(NameToken.token, NameToken.young_person_id)):
            tokens.setdefault(person_id, []).append(token)
        everyone = session.execute(
            select(YoungPerson.id, YoungPerson.sort_name).where(
                YoungPerson.merged_into_id.is_(None)
            )
        ).all()
    words = [w for w in query_tokens(typed) if w]
    return [
        pid
        for _name, pid in sorted(
            (sort_name, pid)
            for pid, sort_name in everyone
            if all(any(t.startswith(w) for t in tokens.get(pid, [])) for w in words)
        )
    ]


NAMES_TYPED = ["N", "an", "W", "s", "ó s", "văn an", "nic g", "a p", "zq"]


@pytest.mark.parametrize("common", [False, True])
@pytest.mark.parametrize("typed", NAMES_TYPED)
def test_a_name_search_finds_everyone_a_plain_reading_finds_in_name_order(
    monkeypatch: pytest.MonkeyPatch,
    db: Database,
    as_manager: Services,
    unit: Unit,
    typed: str,
    common: bool,
) -> None:
    """Whichever way the search is worded for the engine (``people._name_matches`` on
    PostgreSQL), walked in name order or looked up by id: the people every typed word begins
    a name of, by name."""
    from veru_desk.services import people

    expected = _plain_reading(db, typed)
    monkeypatch.setattr(people, "COMMON_PREFIX_TOKENS", 0 if common else 10_000)
    found = [hit.person_id for hit in as_manager.people.search(typed, limit=500)]
    assert found == expected
    assert as_manager.people.count_matches(typed) == len(expected)


@pytest.mark.parametrize("common", [False, True])
@pytest.mark.parametrize("typed", NAMES_TYPED)
def test_the_caseload_filtered_by_a_name_lists_the_cases_a_plain_reading_finds(
    monkeypatch: pytest.MonkeyPatch,
    db: Database,
    as_manager: Services,
    as_dariusz: Services,
    unit: Unit,
    typed: str,
    common: bool,
) -> None:
    """A manager's filter is worded for the engine unless the name is common; a caseworker's
    never is: the same cases either way, counted as listed."""
    from veru_desk.services import people

    matching = set(_plain_reading(db, typed))
    monkeypatch.setattr(people, "COMMON_PREFIX_TOKENS", 0 if common else 10_000)
    for services in (as_manager, as_dariusz):
        everyone = services.caseload.ids(CaseloadFilter())
        listed = services.caseload.ids(CaseloadFilter(text=typed))
        assert listed == [pid for pid in everyone if pid in matching]
        assert services.caseload.count(CaseloadFilter(text=typed)) == len(listed)


@pytest.mark.sqlite_only  # SQLite's query planner
def test_a_common_prefix_is_read_in_name_order_not_looked_up_by_id_and_sorted(
    monkeypatch: pytest.MonkeyPatch, db: Database, as_manager: Services, unit: Unit
) -> None:
    from veru_desk.services import people

    monkeypatch.setattr(people, "COMMON_PREFIX_TOKENS", 0)
    plan = _plan_of_first_ids_query(db, lambda: as_manager.people.search("N"))
    assert "ix_young_person_sort_name" in plan and "TEMP B-TREE FOR ORDER BY" not in plan
    monkeypatch.setattr(people, "COMMON_PREFIX_TOKENS", 10_000)
    plan = _plan_of_first_ids_query(db, lambda: as_manager.people.search("N"))
    assert "INTEGER PRIMARY KEY" in plan
