"""The outcome report's figures against a small database counted by hand.

Period: the whole of last year (Y). Six young people, six referrals:

- Łukasz, 14: police 10/01/Y (knife, gang); accepted 15/01 (5 days); Dariusz; first contact
  20/01 (10 days); open at the end of Y.
- Zoë, 16: school 01/03/Y (exclusion); accepted 11/03 (10 days); Aisha; first contact 15/03
  (14 days); closed 30/06, moved away.
- Ştefan, 19: police 05/04/Y (county lines); declined 08/04 (3 days).
- Ayşe, 12: school 20/12/Y (knife); awaiting a decision.
- An, 15: police 01/11/Y-1 (county lines); accepted 05/11/Y-1; Dariusz; open all year.
- Abdirahman, 17: school 10/12/Y (mental health); signposted 12/12 (2 days).

Sessions in Y: Łukasz attended, did not attend, attended, cancelled by the service; Zoë
attended, cancelled by her; An attended. Risk: Łukasz high -> medium, Zoë medium -> very high,
An low -> low. Education: Łukasz excluded -> in education, Zoë in education -> NEET.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import event, text
from sqlalchemy.pool import QueuePool

from tests.conftest import Team
from tests.services.test_summary import saved_elsewhere_mid_read
from veru_desk.config import resolve_database
from veru_desk.db.driver import BUSY_TIMEOUT_MS, CACHE_KIB, WIDE_CACHE_KIB
from veru_desk.db.engine import Database
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ClosureReason,
    ConsentStatus,
    EducationStatus,
    Ethnicity,
    Gender,
    GoalDomain,
    GoalStatus,
    OutcomePoint,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    SessionType,
)
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.outcome_figures import (
    OutcomeFigures,
    ReportCancelled,
    ReportPeriod,
    figure_tables,
)
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.plans import GoalInput
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput

Y = dt.date.today().year - 1
PERIOD = ReportPeriod(dt.date(Y, 1, 1), dt.date(Y, 12, 31))


def d(day: int, month: int, year: int = Y) -> dt.date:
    return dt.date(year, month, day)


@dataclass(frozen=True)
class Unit:
    manager: Services
    dariusz: Services
    aisha: Services
    lukasz: int
    zoe: int
    an: int


def _refer(
    manager: Services,
    first: str,
    last: str,
    age: int,
    gender: Gender,
    ethnicity: Ethnicity,
    received: dt.date,
    agency: str,
    agency_type: AgencyType,
    reasons: set[ReferralReason],
) -> tuple[int, int]:
    intake = manager.referrals.create(
        ReferralDetails(
            received_on=received,
            referring_agency=agency,
            referring_agency_type=agency_type,
            reasons=frozenset(reasons),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name=first,
            last_name=last,
            date_of_birth=PERIOD.end - relativedelta(years=age, months=3),
            gender=gender,
            ethnicity=ethnicity,
        ),
    )
    return intake.person_id, intake.referral_id


def _session(worker: Services, person_id: int, day: dt.date, attendance: Attendance) -> None:
    worker.sessions.book(
        person_id,
        SessionInput(
            planned_start=dt.datetime.combine(day, dt.time(16, 0)),
            session_type=SessionType.ONE_TO_ONE,
            attendance=attendance,
        ),
    )


@pytest.fixture
def unit(as_manager: Services, as_dariusz: Services, db: object, team: object) -> Unit:
    manager = as_manager
    aisha = Services(as_manager.db, team.aisha)  # type: ignore[attr-defined]
    police, school = (
        ("Bedfordshire Police", AgencyType.POLICE),
        ("Challney High", AgencyType.SCHOOL),
    )
    dariusz_id, aisha_id = as_dariusz.actor.user_id, aisha.actor.user_id
    assert dariusz_id is not None and aisha_id is not None
    R = ReferralReason  # noqa: N806

    lukasz, r1 = _refer(
        manager, "Łukasz", "Wiśniewski", 14, Gender.MALE, Ethnicity.WHITE_OTHER,
        d(10, 1), *police, {R.KNIFE_CARRYING, R.GANG_ASSOCIATION},
    )  # fmt: skip
    manager.referrals.decide(r1, ReferralStatus.ACCEPTED, "Threshold met", on=d(15, 1))
    manager.referrals.allocate(r1, dariusz_id, on=d(16, 1))
    for day, attendance in (
        (d(20, 1), Attendance.ATTENDED),
        (d(27, 1), Attendance.DID_NOT_ATTEND),
        (d(3, 2), Attendance.ATTENDED),
        (d(10, 2), Attendance.CANCELLED_BY_SERVICE),
    ):
        _session(as_dariusz, lukasz, day, attendance)
    as_dariusz.risk.record(lukasz, RiskInput(d(15, 1), RiskLevel.HIGH))
    as_dariusz.risk.record(lukasz, RiskInput(d(1, 6), RiskLevel.MEDIUM))
    as_dariusz.outcomes.record(
        lukasz,
        OutcomeInput(d(15, 1), OutcomePoint.START, education_status=EducationStatus.EXCLUDED),
    )
    as_dariusz.outcomes.record(
        lukasz,
        OutcomeInput(d(1, 6), OutcomePoint.REVIEW, education_status=EducationStatus.IN_EDUCATION),
    )
    plan = as_dariusz.plans.start_plan(lukasz, d(16, 1))
    as_dariusz.plans.add_goal(plan, GoalInput(GoalDomain.EET, "School", status=GoalStatus.ACHIEVED))
    as_dariusz.plans.add_goal(
        plan, GoalInput(GoalDomain.SAFETY, "Safety plan", status=GoalStatus.IN_PROGRESS)
    )

    zoe, r2 = _refer(
        manager, "Zoë", "Ó Súilleabháin", 16, Gender.FEMALE, Ethnicity.WHITE_IRISH,
        d(1, 3), *school, {R.EXCLUSION_ABSENCE},
    )  # fmt: skip
    manager.referrals.decide(r2, ReferralStatus.ACCEPTED, "Threshold met", on=d(11, 3))
    manager.referrals.allocate(r2, aisha_id, on=d(11, 3))
    _session(aisha, zoe, d(15, 3), Attendance.ATTENDED)
    _session(aisha, zoe, d(22, 3), Attendance.CANCELLED_BY_YOUNG_PERSON)
    aisha.risk.record(zoe, RiskInput(d(11, 3), RiskLevel.MEDIUM))
    aisha.risk.record(zoe, RiskInput(d(1, 5), RiskLevel.VERY_HIGH))
    aisha.outcomes.record(
        zoe,
        OutcomeInput(d(11, 3), OutcomePoint.START, education_status=EducationStatus.IN_EDUCATION),
    )
    aisha.outcomes.record(
        zoe, OutcomeInput(d(1, 5), OutcomePoint.REVIEW, education_status=EducationStatus.NEET)
    )
    aisha.referrals.close(r2, ClosureReason.MOVED_AWAY, "Family moved to Leeds", on=d(30, 6))

    _, r3 = _refer(
        manager, "Ştefan", "Popescu", 19, Gender.MALE, Ethnicity.WHITE_ROMA,
        d(5, 4), *police, {R.COUNTY_LINES},
    )  # fmt: skip
    manager.referrals.decide(r3, ReferralStatus.DECLINED, "Over the age range", on=d(8, 4))

    _refer(
        manager, "Ayşe", "Yılmaz", 12, Gender.FEMALE, Ethnicity.WHITE_OTHER,
        d(20, 12), *school, {R.KNIFE_CARRYING},
    )  # fmt: skip

    an, r5 = _refer(
        manager, "Văn An", "Nguyễn", 15, Gender.MALE, Ethnicity.ASIAN_OTHER,
        d(1, 11, Y - 1), *police, {R.COUNTY_LINES},
    )  # fmt: skip
    manager.referrals.decide(r5, ReferralStatus.ACCEPTED, "Threshold met", on=d(5, 11, Y - 1))
    manager.referrals.allocate(r5, dariusz_id, on=d(5, 11, Y - 1))
    _session(as_dariusz, an, d(5, 1), Attendance.ATTENDED)
    as_dariusz.risk.record(an, RiskInput(d(5, 11, Y - 1), RiskLevel.LOW))
    as_dariusz.risk.record(an, RiskInput(d(1, 2), RiskLevel.LOW))

    _, r6 = _refer(
        manager, "Abdirahman", "Warsame", 17, Gender.MALE, Ethnicity.BLACK_AFRICAN,
        d(10, 12), *school, {R.MENTAL_HEALTH},
    )  # fmt: skip
    manager.referrals.decide(
        r6, ReferralStatus.SIGNPOSTED, "CAMHS is the right service", on=d(12, 12)
    )
    return Unit(manager, as_dariusz, aisha, lukasz, zoe, an)


def test_referral_figures_match_the_hand_count(unit: Unit) -> None:
    f = unit.manager.reports.figures(PERIOD)
    assert f.referrals_received == 5
    assert f.referrals_by_source == {AgencyType.POLICE: 2, AgencyType.SCHOOL: 3}
    assert f.referrals_by_reason == {
        ReferralReason.KNIFE_CARRYING: 2,
        ReferralReason.GANG_ASSOCIATION: 1,
        ReferralReason.COUNTY_LINES: 1,
        ReferralReason.EXCLUSION_ABSENCE: 1,
        ReferralReason.MENTAL_HEALTH: 1,
    }
    assert f.decisions == {"Accepted": 2, "Declined": 1, "Signposted": 1, "Awaiting decision": 1}
    assert (f.median_days_to_decision, f.decided) == (4.0, 4)  # 2, 3, 5, 10 days
    assert (f.median_days_to_first_contact, f.contacted) == (12.0, 2)  # 10 and 14 days


def test_caseload_and_sessions_match_the_hand_count(unit: Unit) -> None:
    f = unit.manager.reports.figures(PERIOD)
    assert f.caseload_by_worker == [("Dariusz Wójcik", 2)]
    s = f.sessions
    assert (s.offered, s.attended, s.missed, s.cancelled_by_service) == (6, 4, 2, 1)
    assert s.rate == pytest.approx(4 / 6)
    assert set(f.sessions_by_type) == {SessionType.ONE_TO_ONE}


def test_change_goals_closures_and_demographics_match_the_hand_count(unit: Unit) -> None:
    f = unit.manager.reports.figures(PERIOD)
    risk = f.risk_change
    assert risk.pairs == {("Low", "Low"): 1, ("Medium", "Very high"): 1, ("High", "Medium"): 1}
    assert (risk.improved, risk.same, risk.worsened) == (1, 1, 1)
    education = f.education_change
    assert (education.improved, education.same, education.worsened) == (1, 0, 1)
    assert f.goals_by_status == {GoalStatus.IN_PROGRESS: 1, GoalStatus.ACHIEVED: 1}
    assert f.goals_achieved == 1
    assert f.closures_by_reason == {ClosureReason.MOVED_AWAY: 1}
    assert f.supported == 3
    assert f.age_bands == {"14 to 15": 2, "16 to 17": 1}
    assert f.genders == {Gender.MALE: 2, Gender.FEMALE: 1}
    assert f.ethnicities == {
        Ethnicity.WHITE_IRISH: 1,
        Ethnicity.WHITE_OTHER: 1,
        Ethnicity.ASIAN_OTHER: 1,
    }


def test_worker_filter_narrows_every_table_to_their_episodes(unit: Unit) -> None:
    dariusz = unit.dariusz.actor.user_id
    f = unit.manager.reports.figures(PERIOD, worker_id=dariusz)
    assert f.filters == ["Caseworker: Dariusz Wójcik"]
    assert f.referrals_by_source == {AgencyType.POLICE: 1}
    assert (f.sessions.offered, f.sessions.attended) == (4, 3)
    assert f.supported == 2
    assert f.closures_by_reason == {}
    assert (f.risk_change.improved, f.risk_change.same, f.risk_change.worsened) == (1, 1, 0)


def test_reason_filter_counts_only_referrals_giving_that_reason(unit: Unit) -> None:
    f = unit.manager.reports.figures(PERIOD, reason=ReferralReason.KNIFE_CARRYING)
    assert f.referrals_received == 2
    assert f.decisions == {"Accepted": 1, "Awaiting decision": 1}


def test_a_caseworker_cannot_run_the_outcome_report(unit: Unit) -> None:
    with pytest.raises(PermissionDenied):
        unit.dariusz.reports.figures(PERIOD)


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        ReportPeriod(dt.date(Y, 3, 1), dt.date(Y, 1, 1))
    assert "swap the dates" in caught.value.fields["end"]


def test_cancelling_stops_the_count(unit: Unit) -> None:
    with pytest.raises(ReportCancelled):
        unit.manager.reports.figures(PERIOD, progress=lambda done, total: done < 3)


def test_tables_carry_totals_that_match_the_figures(unit: Unit) -> None:
    f = unit.manager.reports.figures(PERIOD)
    tables = {t.key: t for t in figure_tables(f)}
    # Police 2 and school 3 print as "<5": 5 could be 1 + 4, 2 + 3, 3 + 2 or 4 + 1.
    assert tables["referrals_by_source"].rows == [
        ["Police", "<5"],
        ["School or college", "<5"],
        ["Total", 5],
    ]
    assert tables["sessions"].rows[-1] == ["Total", 6, 4, 2, 1, 66.7]  # sessions: not people
    headlines = {row[0]: row[1:] for row in tables["headlines"].rows}
    assert headlines["Referrals received"] == [5, "", ""]
    assert headlines["Sessions attended (of offered)"] == [4, 6, 66.7]
    timeliness = {row[0]: row[1:] for row in tables["timeliness"].rows}
    # Medians over fewer than 5 referrals are withheld, never blank.
    assert timeliness["Referral to first contact"][:2] == ["*", "<5"]
    assert tables["goals"].rows[-1] == ["Total", 2]  # goals: not people


def test_a_referral_saved_by_another_pc_mid_report_is_in_every_figure_or_in_none(
    unit: Unit, db: Database, database_target: str, team: Team
) -> None:
    """The report counts referrals by source, then by reason, then by decision, a query
    each: read at READ COMMITTED on a server, a referral saved in between was counted by
    reason and by decision but not in the total received."""

    def refer(elsewhere: Services) -> object:
        return _refer(
            elsewhere, "Ngozi", "Okonkwo-Adeyemi", 15, Gender.FEMALE, Ethnicity.BLACK_AFRICAN,
            d(3, 6), "Bedfordshire Police", AgencyType.POLICE, {ReferralReason.COUNTY_LINES},
        )  # fmt: skip

    def received(f: OutcomeFigures) -> tuple[int, int, int]:
        return f.referrals_received, sum(f.referrals_by_reason.values()), sum(f.decisions.values())

    before = received(unit.manager.reports.figures(PERIOD))
    with saved_elsewhere_mid_read(db, database_target, team, "agency_type", refer) as (
        fired,
        checkouts,
        begins,
    ):
        during = received(unit.manager.reports.figures(PERIOD))
    assert fired, "the other PC never saved: the hook found no count by agency type"
    assert {now - then for now, then in zip(during, before, strict=True)} in ({0}, {1}), (
        f"the report mixes two moments: {before} → {during}"
    )
    # Two read transactions that see one moment (``Database.snapshot_pair``); on SQLite a
    # third connection held the write lock while they began.
    assert len(begins) == 2
    assert len(checkouts) == (3 if db.is_sqlite else 2)
    assert received(unit.manager.reports.figures(PERIOD)) == tuple(n + 1 for n in before)


def test_saves_by_another_pc_mid_report_are_in_neither_of_its_two_readings(
    unit: Unit, db: Database, database_target: str, team: Team
) -> None:
    """The report is read on two connections at once, the risk and education changes and
    the previous period on the second. Saves that another PC commits once the report is
    under way (a referral, which the first connection counts, and a third risk assessment,
    which the second does) are in no figure of it, and in the next report."""

    def saves(elsewhere: Services) -> object:
        _refer(
            elsewhere, "Ngozi", "Okonkwo-Adeyemi", 15, Gender.FEMALE, Ethnicity.BLACK_AFRICAN,
            d(3, 6), "Bedfordshire Police", AgencyType.POLICE, {ReferralReason.COUNTY_LINES},
        )  # fmt: skip
        return elsewhere.risk.record(unit.lukasz, RiskInput(d(1, 9), RiskLevel.LOW))

    before = unit.manager.reports.figures(PERIOD)
    with saved_elsewhere_mid_read(db, database_target, team, "agency_type", saves) as (
        fired,
        _checkouts,
        _begins,
    ):
        during = unit.manager.reports.figures(PERIOD)
    assert fired, "the other PC never saved: the hook found no count by agency type"
    assert during == before
    after = unit.manager.reports.figures(PERIOD)
    assert after.referrals_received == before.referrals_received + 1
    assert after.risk_change != before.risk_change


def test_the_two_readings_begin_at_one_moment_though_another_pc_saves_between_them(
    unit: Unit, db: Database, database_target: str, team: Team
) -> None:
    """Between the first reading's start and the second's, no other commit can land in one
    and not the other: on SQLite no other connection can even begin a write there (the
    write lock is held); on a server a referral committed there is in neither, as the
    second reading takes up the first's exported snapshot."""
    other = Database.open(resolve_database(database_target))
    elsewhere = Services(other, team.manager)
    between: list[str] = []

    def after_statement(*args: Any) -> None:
        statement = str(args[2])
        if between or not ("sqlite_schema" in statement or "pg_export_snapshot" in statement):
            return
        if db.is_sqlite:
            writer = sqlite3.connect(database_target, isolation_level=None, timeout=0)
            try:
                writer.execute("BEGIN IMMEDIATE")
                between.append("began a write")
                writer.execute("ROLLBACK")
            except sqlite3.OperationalError as error:
                between.append(str(error))
            finally:
                writer.close()
        else:
            _refer(
                elsewhere, "Ngozi", "Okonkwo-Adeyemi", 15, Gender.FEMALE,
                Ethnicity.BLACK_AFRICAN, d(3, 6), "Bedfordshire Police", AgencyType.POLICE,
                {ReferralReason.COUNTY_LINES},
            )  # fmt: skip
            between.append("saved")

    count = text("SELECT count(*) FROM referral")
    with db.read() as session:
        before = session.scalar(count)
    event.listen(db.engine, "after_cursor_execute", after_statement)
    try:
        with db.snapshot_pair() as (first, second):
            assert second is not None
            seen = (first.scalar(count), second.scalar(count))
    finally:
        event.remove(db.engine, "after_cursor_execute", after_statement)
        other.dispose()
    if db.is_sqlite:
        assert between == ["database is locked"]
        assert seen == (before, before)
    else:
        assert between == ["saved"]
        assert seen == (before, before)
        with db.read() as session:
            assert session.scalar(count) == before + 1


def test_a_report_run_while_another_program_holds_the_write_lock_reads_on_one_connection(
    unit: Unit, db: Database, db_path: Path
) -> None:
    """SQLite: the second connection's moment needs the write lock for an instant. If
    another program is saving (holding it), the report does not wait for it: it reads
    everything on one connection, with the same figures."""
    if not db.is_sqlite:
        pytest.skip("the write lock is SQLite's; a server exports its snapshot")
    alone = unit.manager.reports.figures(PERIOD)
    holder = sqlite3.connect(db_path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with db.snapshot_pair(wide=True) as (first, second):
            assert second is None
            assert first.scalar(text("PRAGMA cache_size")) == -WIDE_CACHE_KIB
        assert unit.manager.reports.figures(PERIOD) == alone
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with db.snapshot_pair(wide=True) as (first, second):
        assert second is not None
        # Two half-size wide caches: the memory one wide read held before, shared.
        for session in (first, second):
            assert session.scalar(text("PRAGMA cache_size")) == -(WIDE_CACHE_KIB // 2)
    # The connection that asked for the lock goes back to the pool with the usual wait for
    # it (a save on it must not give up after 100 ms), holding nothing.
    pool = db.engine.pool
    assert isinstance(pool, QueuePool)
    pooled = [db.engine.raw_connection() for _ in range(pool.checkedin())]
    try:
        for raw in pooled:
            driver: Any = raw.driver_connection
            assert driver.execute("PRAGMA busy_timeout").fetchone() == (BUSY_TIMEOUT_MS,)
            assert not driver.in_transaction
            assert driver.execute("PRAGMA cache_size").fetchone() == (-CACHE_KIB,)
    finally:
        for raw in pooled:
            raw.close()
    unit.dariusz.risk.record(unit.lukasz, RiskInput(d(2, 9), RiskLevel.LOW))


def test_a_failure_on_the_second_connection_fails_the_report_and_leaves_the_pool_usable(
    unit: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error in the half read on the second thread is the report's error, raised where
    the report was asked for; the next report, and the next save, work."""
    from veru_desk.services import outcome_figures

    def broken(self: object) -> object:
        raise RuntimeError("the goals could not be counted")

    expected = unit.manager.reports.figures(PERIOD)
    with monkeypatch.context() as patch:
        patch.setattr(outcome_figures._Queries, "goals_by_status", broken)
        with pytest.raises(RuntimeError, match="goals could not be counted"):
            unit.manager.reports.figures(PERIOD)
    assert unit.manager.reports.figures(PERIOD) == expected
    unit.dariusz.risk.record(unit.lukasz, RiskInput(d(2, 9), RiskLevel.LOW))


def test_a_report_cancelled_half_way_stops_both_readings(unit: Unit) -> None:
    """Cancelling (from the progress dialog) interrupts the second thread's statement and
    waits for it, so its connection goes back to the pool idle: the next report works."""
    expected = unit.manager.reports.figures(PERIOD)
    for stop_at in range(1, 10):

        def progress(done: int, _total: int, stop_at: int = stop_at) -> bool:
            return done < stop_at

        with pytest.raises(ReportCancelled):
            unit.manager.reports.figures(PERIOD, progress=progress)
        assert unit.manager.reports.figures(PERIOD) == expected


def test_the_memory_a_report_freed_is_given_back_once_it_has_read_everything(
    unit: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outcome report reads across the database on two threads; after it, what it freed
    goes back to the system (``heap.give_back_freed_memory``), and a case's summary, read
    narrowly, does not pay for that."""
    from veru_desk.services import snapshot
    from veru_desk.services.summary import SharingProfile

    given_back: list[bool] = []

    def give_back() -> None:
        open_sessions = unit.manager.db.engine.pool.checkedout()  # type: ignore[attr-defined]  # QueuePool's count
        given_back.append(open_sessions == 0)

    monkeypatch.setattr(snapshot, "give_back_freed_memory", give_back)
    unit.manager.reports.figures(PERIOD)
    assert given_back == [True]  # once, with both readings' connections back in the pool
    unit.manager.reports.trend(PERIOD.end)
    assert given_back == [True, True]
    unit.manager.summary.gather(unit.lukasz, SharingProfile.FULL)
    assert given_back == [True, True]


def test_on_linux_with_glibc_freed_memory_goes_back_through_malloc_trim() -> None:
    import platform
    import sys

    from veru_desk import heap

    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's: elsewhere giving back does nothing")
    assert heap._malloc_trim() is not None
    heap.give_back_freed_memory()
