"""Random sequences of a unit's real work, checked after every step (issue #13).

Hypothesis drives the services through referral, re-referral (the referral form and the
import), triage decisions, allocation and re-allocation, sessions, risk reviews, closure,
reopening and anonymisation, in orders no one scripted. After every step:

- each open allocated case is on its worker's caseload and on no other caseworker's, and
  nothing of another caseworker's case is on a caseworker's dashboard;
- a case's status changes only by a recorded decision (a ``ReferralTransition`` row), and a
  re-referral of an open case changes nothing about the case;
- every new referral, transition, session and assessment has its audit row;
- every dashboard count equals the same count made directly in SQL from the source tables
  (not from the summary columns the dashboard reads).

It runs on SQLite only: the services' SQL is checked on both engines by the other tests, and
each example here builds a fresh database.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from tests.conftest import make_team
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import (
    AuditEvent,
    MentoringSession,
    Referral,
    ReferralTransition,
    RiskAssessment,
    YoungPerson,
)
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ClosureReason,
    ConsentStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.errors import VeruError
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.dashboard import LIST_CAP, RE_REFERRAL_DAYS, Dashboard
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput

pytestmark = pytest.mark.sqlite_only

ENDED = {ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.SIGNPOSTED}
TRIAGE = {ReferralStatus.RECEIVED, ReferralStatus.SCREENING}
OPEN = {ReferralStatus.ACCEPTED, ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE}
NAMES = (
    ("Zoë", "Ó Briain"),
    ("Dawit", "Tesfaye"),
    ("Ngozi", "Okonkwo-Adeyemi"),
    ("Tomasz", "Łukasiewicz"),
    ("Siobhán", "Nic Giolla"),
    ("Ayşe", "Yılmaz"),
)
AGENCIES = (
    ("Bedfordshire Police", AgencyType.POLICE),
    ("Challney High School", AgencyType.SCHOOL),
    ("Luton and Dunstable A&E", AgencyType.HEALTH),
)


@dataclass(frozen=True)
class Snapshot:
    referral_id: int | None
    status: ReferralStatus | None
    worker_id: int | None
    risk: RiskLevel | None
    review_on: dt.date | None


class CaseWork(RuleBasedStateMachine):
    template: Path  # set by the test: a migrated empty database to copy

    people = Bundle("people")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="veru-machine-"))
        path = self.folder / "veru.db"
        shutil.copy(self.template, path)
        self.db = Database.open(resolve_database(str(path)))
        self.team = make_team(self.db)
        self.manager = Services(self.db, self.team.manager)
        self.workers = {
            actor.user_id: Services(self.db, actor)
            for actor in (self.team.dariusz, self.team.aisha, self.team.ciaran)
        }
        self.today = dt.date.today()
        self.seen_transition = 0
        self.seen_audit = 0
        self.seen_ids: dict[type, int] = {Referral: 0, MentoringSession: 0, RiskAssessment: 0}
        self.before: dict[int, Snapshot] = {}
        self.decided_step = False  # the step just run was a decision that may move a case
        self.named = 0
        self.seen_transition_for_audit = 0

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- reading ---------------------------------------------------------------------------

    def snapshot(self, person_id: int) -> Snapshot:
        with self.db.read() as session:
            p = session.get_one(YoungPerson, person_id)
            return Snapshot(
                p.current_referral_id,
                p.current_status,
                p.current_worker_id,
                p.current_risk_level,
                p.next_review_on,
            )

    def referrals_of(self, person_id: int) -> list[Referral]:
        with self.db.read() as session:
            rows = list(
                session.scalars(
                    select(Referral)
                    .where(Referral.young_person_id == person_id)
                    .order_by(Referral.id)
                )
            )
            session.expunge_all()
            return rows

    def current_episode(self, person_id: int) -> Referral | None:
        """The case's current episode, worked out here from the referral rows alone: the
        episode not yet ended, else the latest received."""
        episodes = [r for r in self.referrals_of(person_id) if r.open_case_referral_id is None]
        if not episodes:
            return None
        unended = [r for r in episodes if r.status not in ENDED]
        assert len(unended) <= 1, f"two unended episodes of one case: {unended}"
        if unended:
            return unended[0]
        return max(episodes, key=lambda r: (r.received_on, r.id))

    def referral_details(self, agency: int, days_ago: int) -> ReferralDetails:
        name, kind = AGENCIES[agency % len(AGENCIES)]
        return ReferralDetails(
            received_on=self.today - dt.timedelta(days=days_ago),
            referring_agency=name,
            referring_agency_type=kind,
            reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        )

    def refused(self, call: object, *args: object, **kwargs: object) -> bool:
        """Runs a service call; a refusal is an answer too, but must change nothing."""
        audit_before = self.count(AuditEvent)
        try:
            call(*args, **kwargs)  # type: ignore[operator]
        except VeruError:
            assert self.count(AuditEvent) == audit_before, "a refused change was audited"
            return True
        return False

    def count(self, model: type) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0

    # --- the work --------------------------------------------------------------------------

    @initialize(target=people)
    def first_referral(self) -> int:
        return self.refer_someone_new(0, 5)

    @rule(target=people, agency=st.integers(0, 2), days_ago=st.integers(0, 60))
    def refer_someone_new(self, agency: int, days_ago: int) -> int:
        first, last = NAMES[self.named % len(NAMES)]
        self.named += 1
        intake = self.manager.referrals.create(
            self.referral_details(agency, days_ago),
            person=PersonDetails(
                first_name=first,
                last_name=last,
                date_of_birth=self.today.replace(year=self.today.year - 15)
                - dt.timedelta(days=self.named * 37),
            ),
        )
        return intake.person_id

    @rule(person=people, agency=st.integers(0, 2), caseworker=st.booleans())
    def re_refer_from_the_form(self, person: int, agency: int, caseworker: bool) -> None:
        before = self.snapshot(person)
        services = next(iter(self.workers.values())) if caseworker else self.manager
        if self.refused(
            services.referrals.create, self.referral_details(agency, 0), person_id=person
        ):
            return
        self.check_re_referral(person, before)

    @rule(person=people, agency=st.integers(0, 2))
    def re_refer_by_import(self, person: int, agency: int) -> None:
        with self.db.read() as session:
            p = session.get_one(YoungPerson, person)
            first, last, born = p.first_name, p.last_name, p.date_of_birth
        before = self.snapshot(person)
        name, _kind = AGENCIES[agency % len(AGENCIES)]
        data = (
            "first_name,last_name,date_of_birth,referral_date,referring_agency,reasons,"
            "consent_young_person,consent_parent\n"
            f'"{first}","{last}",{born:%d/%m/%Y},{self.today:%d/%m/%Y},{name},knife,yes,yes\n'
        ).encode()
        worker = next(iter(self.workers.values()))
        if self.refused(worker.imports.run, data, file_name="partner.csv"):
            return
        self.check_re_referral(person, before)

    def check_re_referral(self, person: int, before: Snapshot) -> None:
        after = self.snapshot(person)
        if before.status is not None and before.status not in ENDED:
            assert after == before, "a re-referral of an open case changed the case"

    @rule(index=st.integers(0, 50))
    def start_screening(self, index: int) -> None:
        with self.db.read() as session:
            received = list(
                session.scalars(
                    select(Referral.id).where(Referral.status == ReferralStatus.RECEIVED)
                )
            )
        target = received[index % len(received)] if received else None
        if target is not None:
            self.decided_step = True
            self.manager.referrals.start_screening(target)

    @rule(
        index=st.integers(0, 50),
        decision=st.sampled_from(
            [ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.SIGNPOSTED]
        ),
        priority=st.none() | st.sampled_from(list(Priority)),
    )
    def decide(self, index: int, decision: ReferralStatus, priority: Priority | None) -> None:
        queue = self.manager.referrals.triage_queue()
        if not queue:
            return
        view = queue[index % len(queue)]
        before = self.snapshot(view.person_id)
        self.decided_step = True
        self.manager.referrals.decide(view.id, decision, "Discussed at triage", priority=priority)
        if view.is_further_referral:
            after = self.snapshot(view.person_id)
            assert (after.status, after.worker_id, after.referral_id) == (
                before.status,
                before.worker_id,
                before.referral_id,
            ), "a decision on a re-referral moved the case"

    @rule(person=people, worker=st.integers(0, 2), through_re_referral=st.booleans())
    def allocate(self, person: int, worker: int, through_re_referral: bool) -> None:
        episode = self.current_episode(person)
        worker_id = list(self.workers)[worker]
        if episode is None or episode.status not in OPEN:
            return
        target = episode.id
        if through_re_referral:
            further = [r for r in self.referrals_of(person) if r.open_case_referral_id == target]
            target = further[-1].id if further else target
        self.decided_step = True
        self.manager.referrals.allocate(target, worker_id, "Caseload balance")
        assert self.snapshot(person).worker_id == worker_id

    @rule(
        person=people,
        attendance=st.sampled_from(
            [Attendance.ATTENDED, Attendance.DID_NOT_ATTEND, Attendance.PLANNED]
        ),
        days=st.integers(-20, 5),
    )
    def record_session(self, person: int, attendance: Attendance, days: int) -> None:
        start = dt.datetime.combine(self.today + dt.timedelta(days=days), dt.time(16, 0))
        if attendance is not Attendance.PLANNED and days > 0:
            attendance = Attendance.PLANNED
        self.decided_step = True  # a first attended session makes an allocated case active
        self.refused(
            self.manager.sessions.book, person, SessionInput(start, attendance=attendance)
        )

    @rule(person=people, days_ago=st.integers(0, 90), level=st.sampled_from(list(RiskLevel)))
    def assess_risk(self, person: int, days_ago: int, level: RiskLevel) -> None:
        self.refused(
            self.manager.risk.record,
            person,
            RiskInput(assessed_on=self.today - dt.timedelta(days=days_ago), level=level),
        )

    @rule(person=people)
    def close(self, person: int) -> None:
        episode = self.current_episode(person)
        if episode is None or episode.status not in OPEN:
            return
        self.decided_step = True
        self.manager.referrals.close(episode.id, ClosureReason.GOALS_ACHIEVED, "Goals met")

    @rule(person=people)
    def reopen(self, person: int) -> None:
        episode = self.current_episode(person)
        if episode is None or episode.status is not ReferralStatus.CLOSED:
            return
        self.decided_step = True
        self.refused(self.manager.referrals.reopen, episode.id, "Police intelligence")

    @rule(person=people)
    def anonymise(self, person: int) -> None:
        self.refused(self.manager.retention.anonymise, person, "Retention review")

    # --- what must always hold -------------------------------------------------------------

    @invariant()
    def everything_holds(self) -> None:
        """One read of the source tables and one dashboard per user, then every check: the
        checks are the four promises of issue #13 (see the module docstring)."""
        world = self.read_world()
        boards = {
            worker_id: services.dashboard.load(today=self.today)
            for worker_id, services in self.workers.items()
        }
        boards[None] = self.manager.dashboard.load(today=self.today)
        self.open_cases_are_on_their_workers_caseload_and_no_one_elses(world, boards)
        self.status_changes_only_by_a_recorded_decision(world)
        self.every_change_has_its_audit_row()
        self.dashboard_counts_equal_sql_counts(world, boards)

    def read_world(self) -> World:
        with self.db.read() as session:
            referrals = list(session.scalars(select(Referral).order_by(Referral.id)))
            snapshots = {
                p.id: Snapshot(
                    p.current_referral_id,
                    p.current_status,
                    p.current_worker_id,
                    p.current_risk_level,
                    p.next_review_on,
                )
                for p in session.scalars(select(YoungPerson))
            }
            last_moves = {
                referral_id: to_status
                for referral_id, to_status in session.execute(
                    select(ReferralTransition.referral_id, ReferralTransition.to_status).order_by(
                        ReferralTransition.id
                    )
                )
            }
            session.expunge_all()
        by_person: dict[int, list[Referral]] = {p: [] for p in snapshots}
        for referral in referrals:
            by_person[referral.young_person_id].append(referral)
        episodes = {}
        for person, rows in by_person.items():
            own = [r for r in rows if r.open_case_referral_id is None]
            unended = [r for r in own if r.status not in ENDED]
            assert len(unended) <= 1, f"case {person} has two episodes open: {unended}"
            episodes[person] = unended[0] if unended else max(
                own, key=lambda r: (r.received_on, r.id), default=None
            )
        return World(referrals, snapshots, episodes, last_moves)

    def open_cases_are_on_their_workers_caseload_and_no_one_elses(
        self, world: World, boards: dict[int | None, Dashboard]
    ) -> None:
        expected: dict[int, set[int]] = {worker_id: set() for worker_id in self.workers}
        open_people: set[int] = set()
        for person, episode in world.episodes.items():
            snap = world.snapshots[person]
            assert snap.referral_id == (episode.id if episode else None)
            assert snap.status == (episode.status if episode else None)
            if episode is not None and episode.status in OPEN:
                assert snap.worker_id == episode.allocated_worker_id
                open_people.add(person)
                if episode.allocated_worker_id is not None:
                    expected[episode.allocated_worker_id].add(person)
        for worker_id, services in self.workers.items():
            caseload = set(services.caseload.ids(CaseloadFilter(open_only=True)))
            assert caseload == expected[worker_id], "an open case is on the wrong caseload"
            board = boards[worker_id]
            for name in board.__dataclass_fields__:
                if name == "totals":
                    continue
                for item in getattr(board, name):
                    assert world.snapshots[item.person_id].worker_id == worker_id, (
                        f"another caseworker's case is on the dashboard ({name})"
                    )
            # a re-referral of their open case reaches the worker's dashboard
            listed = {item.referral_id for item in board.re_referrals}
            for referral in world.referrals:
                person = referral.young_person_id
                if (
                    referral.open_case_referral_id is not None
                    and referral.status in TRIAGE
                    and person in expected[worker_id]
                ):
                    assert referral.id in listed, "a re-referral is missing from the dashboard"
        assert set(self.manager.caseload.ids(CaseloadFilter(open_only=True))) == open_people

    def status_changes_only_by_a_recorded_decision(self, world: World) -> None:
        with self.db.read() as session:
            new = list(
                session.execute(
                    select(
                        Referral.young_person_id,
                        ReferralTransition.referral_id,
                        ReferralTransition.to_status,
                    )
                    .join(Referral, Referral.id == ReferralTransition.referral_id)
                    .where(ReferralTransition.id > self.seen_transition)
                )
            )
            latest = session.scalar(select(func.max(ReferralTransition.id))) or 0
        moved = {person for person, _r, _s in new}
        for person, now in world.snapshots.items():
            was = self.before.get(person)
            if was is not None and (was.status, was.referral_id) != (now.status, now.referral_id):
                assert person in moved, f"case {person} changed status with no decision"
                if not self.decided_step:
                    # not a decision, closure or session: only a new episode may move a case
                    assert any(
                        r == now.referral_id and s == now.status for p, r, s in new if p == person
                    ), f"case {person} changed status with no decision"
            if now.referral_id is not None:
                assert world.last_moves[now.referral_id] == now.status
            self.before[person] = now
        self.seen_transition = latest
        self.decided_step = False

    def every_change_has_its_audit_row(self) -> None:
        with self.db.read() as session:
            audited = {
                (entity_type, entity_id)
                for entity_type, entity_id in session.execute(
                    select(AuditEvent.entity_type, AuditEvent.entity_id).where(
                        AuditEvent.id > self.seen_audit
                    )
                )
            }
            for model in (Referral, MentoringSession, RiskAssessment):
                table = model.__tablename__  # type: ignore[attr-defined]
                for (row_id,) in session.execute(
                    select(model.id).where(model.id > self.seen_ids[model])  # type: ignore[attr-defined]
                ):
                    assert (table, row_id) in audited, f"{table} {row_id} has no audit row"
                    self.seen_ids[model] = max(self.seen_ids[model], row_id)
            for (referral_id,) in session.execute(
                select(ReferralTransition.referral_id).where(
                    ReferralTransition.id > self.seen_transition_for_audit
                )
            ):
                assert ("referral", referral_id) in audited, "a status move was not audited"
            self.seen_transition_for_audit = (
                session.scalar(select(func.max(ReferralTransition.id))) or 0
            )
            self.seen_audit = session.scalar(select(func.max(AuditEvent.id))) or 0

    def dashboard_counts_equal_sql_counts(
        self, world: World, boards: dict[int | None, Dashboard]
    ) -> None:
        today = self.today
        episodes = world.episodes
        with self.db.read() as session:
            assessments = {
                person: review
                for person, review in session.execute(
                    select(RiskAssessment.young_person_id, RiskAssessment.next_review_on).order_by(
                        RiskAssessment.assessed_on, RiskAssessment.id
                    )
                )
            }
            sessions_today = list(
                session.scalars(
                    select(MentoringSession.young_person_id).where(
                        MentoringSession.planned_start >= dt.datetime.combine(today, dt.time()),
                        MentoringSession.planned_start
                        < dt.datetime.combine(today + dt.timedelta(days=1), dt.time()),
                        MentoringSession.attendance.not_in(
                            [Attendance.CANCELLED_BY_SERVICE, Attendance.CANCELLED_BY_YOUNG_PERSON]
                        ),
                    )
                )
            )
        waiting = [r.young_person_id for r in world.referrals if r.status in TRIAGE]
        # re-referrals of open cases awaiting a decision or received in the last fortnight
        recent = today - dt.timedelta(days=RE_REFERRAL_DAYS)
        further = [
            r.young_person_id
            for r in world.referrals
            if r.open_case_referral_id is not None
            and (r.status in TRIAGE or r.received_on >= recent)
        ]

        def worker_of(person: int) -> int | None:
            episode = episodes[person]
            return episode.allocated_worker_id if episode is not None else None

        def status_of(person: int) -> ReferralStatus | None:
            episode = episodes[person]
            return episode.status if episode is not None else None

        for mine, board in boards.items():

            def in_scope(person: int, mine: int | None = mine) -> bool:
                return mine is None or worker_of(person) == mine

            expected = {
                "reviews_overdue": sum(
                    1
                    for p, review in assessments.items()
                    if status_of(p) in OPEN and in_scope(p) and review and review < today
                ),
                "sessions_today": sum(1 for p in sessions_today if in_scope(p)),
                "re_referrals": sum(
                    1 for p in further if in_scope(p) and status_of(p) in OPEN | TRIAGE
                ),
            }
            if mine is None:
                expected["new_referrals"] = len(waiting)
            for name, count in expected.items():
                assert board.total(name) == count, f"{name}: {board.total(name)} != {count}"
                assert len(getattr(board, name)) == min(count, LIST_CAP)


@dataclass(frozen=True)
class World:
    referrals: list[Referral]
    snapshots: dict[int, Snapshot]
    episodes: dict[int, Referral | None]
    last_moves: dict[int, ReferralStatus]


@pytest.mark.slow
def test_random_sequences_of_casework_keep_every_case_with_its_worker(template_db: Path) -> None:
    CaseWork.template = template_db
    run_state_machine_as_test(
        CaseWork,
        settings=settings(
            # VERU_MACHINE_EXAMPLES=500 VERU_MACHINE_STEPS=40 for a longer hunt; the defaults
            # keep the normal suite quick
            max_examples=int(os.environ.get("VERU_MACHINE_EXAMPLES", "30")),
            stateful_step_count=int(os.environ.get("VERU_MACHINE_STEPS", "15")),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
