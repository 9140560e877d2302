"""Each role against each service: permissions are enforced in the services, not by hiding
buttons, and every refusal leaves a DENIED event in the audit trail.

The callers are the unit's people: Aisha (a caseworker with nothing allocated), Dariusz (the
caseworker the case is allocated to), Priya (the manager) and Sam (an administrator with no
case role). Each operation lists who may do it; everyone else must be refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.dates import today
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    AuditAction,
    ClosureReason,
    ConsentStatus,
    GoalDomain,
    OutcomePoint,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    Role,
)
from veru_desk.domain.errors import PermissionDenied, StorageError
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.services.audit_log import AuditFilter
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.mentoring import SeriesInput, SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcome_figures import ReportPeriod
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.retention import RetentionPolicy
from veru_desk.services.risk import RiskInput
from veru_desk.services.summary import SharingProfile

TOMORROW_4PM = dt.datetime.combine(today() + dt.timedelta(days=1), dt.time(16, 0))
PASSWORD = "a long enough passphrase"

UNALLOCATED, ALLOCATED, MANAGER, ADMIN = "aisha", "dariusz", "priya", "admin"
EVERYONE = frozenset({UNALLOCATED, ALLOCATED, MANAGER, ADMIN})
CASE_ROLES = frozenset({UNALLOCATED, ALLOCATED, MANAGER})
ON_THE_CASE = frozenset({ALLOCATED, MANAGER})
MANAGERS = frozenset({MANAGER})
ADMINS = frozenset({ADMIN})
SUPERVISORS = frozenset({MANAGER, ADMIN})


@dataclass(frozen=True)
class World:
    """One allocated case with a record of every kind, plus referrals waiting for triage and
    a closed case, all made by the manager."""

    person_id: int
    referral_id: int
    received_referral_id: int
    accepted_referral_id: int
    closed_person_id: int
    closed_referral_id: int
    risk_id: int
    plan_id: int
    goal_id: int
    action_id: int
    session_id: int
    series_id: int
    series_session_id: int
    outcome_id: int
    note_id: int
    aisha_id: int


def _referral(received_days_ago: int = 7) -> ReferralDetails:
    return ReferralDetails(
        received_on=today() - dt.timedelta(days=received_days_ago),
        referring_agency="Bedfordshire Police",
        referring_agency_type=AgencyType.POLICE,
        reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
        consent_young_person=ConsentStatus.GIVEN,
        consent_parent=ConsentStatus.GIVEN,
    )


def _person(first: str, last: str) -> PersonDetails:
    return PersonDetails(
        first_name=first, last_name=last, date_of_birth=today().replace(year=today().year - 15)
    )


def build_world(m: Services, worker: Services, aisha_id: int) -> World:
    """``m`` is the manager; ``worker`` (Dariusz) writes the case note, whose author or a
    manager alone may change it."""
    dariusz_id = worker.actor.user_id
    assert dariusz_id is not None
    intake = m.referrals.create(_referral(), person=_person("Łukasz", "Wiśniewski"))
    m.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Meets the threshold")
    m.referrals.allocate(intake.referral_id, dariusz_id)
    pid = intake.person_id
    received = m.referrals.create(_referral(2), person=_person("Zoë", "Ó Súilleabháin"))
    accepted = m.referrals.create(_referral(3), person=_person("Ayşe", "Yılmaz"))
    m.referrals.decide(accepted.referral_id, ReferralStatus.ACCEPTED, "Meets the threshold")
    closed = m.referrals.create(_referral(90), person=_person("Nguyễn", "Văn An"))
    m.referrals.decide(closed.referral_id, ReferralStatus.ACCEPTED, "Meets the threshold")
    m.referrals.allocate(closed.referral_id, dariusz_id)
    m.referrals.close(closed.referral_id, ClosureReason.GOALS_ACHIEVED, "Back in college")
    risk_id = m.risk.record(pid, RiskInput(assessed_on=today(), level=RiskLevel.HIGH))
    plan_id = m.plans.start_plan(pid, today(), "First plan")
    goal_id = m.plans.add_goal(plan_id, GoalInput(GoalDomain.EET, "Back into full-time education"))
    action_id = m.plans.add_action(goal_id, ActionInput("Meet the head of year"))
    session_id = m.sessions.book(pid, SessionInput(planned_start=TOMORROW_4PM))
    series_id = m.sessions.book_series(
        pid, SeriesInput(first_start=TOMORROW_4PM + dt.timedelta(days=1), count=3)
    )
    series_session_id = m.sessions.series_occurrences(series_id)[0].id
    outcome_id = m.outcomes.record(
        pid, OutcomeInput(recorded_on=today(), point=OutcomePoint.START, wellbeing=5)
    )
    note_id = worker.notes.add(
        pid,
        NoteInput(
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
            subject="Call with mum",
            body="Agreed a home visit.",
        ),
    )
    return World(
        pid,
        intake.referral_id,
        received.referral_id,
        accepted.referral_id,
        closed.person_id,
        closed.referral_id,
        risk_id,
        plan_id,
        goal_id,
        action_id,
        session_id,
        series_id,
        series_session_id,
        outcome_id,
        note_id,
        aisha_id,
    )


Call = Callable[[Services, World, Services], Any]


@dataclass(frozen=True)
class Op:
    name: str
    call: Call  # (caller, world, manager services for reading current versions)
    allowed: frozenset[str]
    # Errors an allowed caller may meet for reasons of environment, not permission.
    tolerated: tuple[type[Exception], ...] = ()


def _risk_version(m: Services, w: World) -> int:
    return m.risk.history(w.person_id)[0].version


def _plan(m: Services, w: World) -> Any:
    plan = m.plans.current(w.person_id)
    assert plan is not None
    return plan


OPS: tuple[Op, ...] = (
    # people
    Op("people.create", lambda s, w, m: s.people.create(_person("Ştefan", "Popescu")), CASE_ROLES),
    Op(
        "people.update",
        lambda s, w, m: s.people.update(
            w.person_id,
            _person("Łukasz", "Wiśniewska"),
            m.people.get(w.person_id).version,
        ),
        ON_THE_CASE,
    ),
    Op("people.open_case", lambda s, w, m: s.people.open_case(w.person_id), ON_THE_CASE),
    Op("people.get", lambda s, w, m: s.people.get(w.person_id), ON_THE_CASE),
    Op(
        "people.find_duplicates",
        lambda s, w, m: s.people.find_duplicates("Łukasz", "Wiśniewski", None),
        CASE_ROLES,
    ),
    Op("people.search", lambda s, w, m: s.people.search("Łukasz"), CASE_ROLES),
    # referrals
    Op(
        "referrals.create (new person)",
        lambda s, w, m: s.referrals.create(_referral(), person=_person("Abdirahman", "Warsame")),
        CASE_ROLES,
    ),
    Op(
        "referrals.create (known person)",
        lambda s, w, m: s.referrals.create(_referral(), person_id=w.person_id),
        CASE_ROLES,  # a partner's referral of someone already known joins their record
    ),
    Op(
        "referrals.start_screening",
        lambda s, w, m: s.referrals.start_screening(w.received_referral_id),
        MANAGERS,
    ),
    Op(
        "referrals.decide",
        lambda s, w, m: s.referrals.decide(
            w.received_referral_id, ReferralStatus.DECLINED, "Already supported by YJS"
        ),
        MANAGERS,
    ),
    Op(
        "referrals.allocate",
        lambda s, w, m: s.referrals.allocate(w.accepted_referral_id, w.aisha_id),
        MANAGERS,
    ),
    Op(
        "referrals.close",
        lambda s, w, m: s.referrals.close(
            w.referral_id, ClosureReason.GOALS_ACHIEVED, "Goals met, in college full time"
        ),
        ON_THE_CASE,
    ),
    Op(
        "referrals.reopen",
        lambda s, w, m: s.referrals.reopen(w.closed_referral_id, "Referred again by school"),
        MANAGERS,
    ),
    Op("referrals.get", lambda s, w, m: s.referrals.get(w.referral_id), ON_THE_CASE),
    Op("referrals.for_person", lambda s, w, m: s.referrals.for_person(w.person_id), ON_THE_CASE),
    Op("referrals.triage_queue", lambda s, w, m: s.referrals.triage_queue(), MANAGERS),
    Op("referrals.workers", lambda s, w, m: s.referrals.workers(), CASE_ROLES),
    # caseload and dashboard
    Op("caseload.ids", lambda s, w, m: s.caseload.ids(CaseloadFilter()), CASE_ROLES),
    Op("caseload.count", lambda s, w, m: s.caseload.count(CaseloadFilter()), CASE_ROLES),
    # sessions
    Op(
        "sessions.book",
        lambda s, w, m: s.sessions.book(w.person_id, SessionInput(planned_start=TOMORROW_4PM)),
        ON_THE_CASE,
    ),
    Op(
        "sessions.book_series",
        lambda s, w, m: s.sessions.book_series(
            w.person_id, SeriesInput(first_start=TOMORROW_4PM, count=2)
        ),
        ON_THE_CASE,
    ),
    Op(
        "sessions.series_occurrences",
        lambda s, w, m: s.sessions.series_occurrences(w.series_id),
        ON_THE_CASE,
    ),
    Op(
        "sessions.skip_occurrence",
        lambda s, w, m: s.sessions.skip_occurrence(w.series_session_id, "Half term"),
        ON_THE_CASE,
    ),
    Op(
        "sessions.move",
        lambda s, w, m: s.sessions.move(
            w.session_id,
            TOMORROW_4PM + dt.timedelta(days=1),
            m.sessions.get(w.session_id).version,
        ),
        ON_THE_CASE,
    ),
    Op(
        "sessions.update",
        lambda s, w, m: s.sessions.update(
            w.session_id,
            SessionInput(planned_start=TOMORROW_4PM, location="Youth centre"),
            m.sessions.get(w.session_id).version,
        ),
        ON_THE_CASE,
    ),
    Op(
        "sessions.record_attendance",
        lambda s, w, m: s.sessions.record_attendance(w.session_id, Attendance.CANCELLED_BY_SERVICE),
        ON_THE_CASE,
    ),
    Op("sessions.get", lambda s, w, m: s.sessions.get(w.session_id), ON_THE_CASE),
    Op("contacts.for_case", lambda s, w, m: s.contacts.for_case(w.person_id), ON_THE_CASE),
    Op("sessions.for_person", lambda s, w, m: s.sessions.for_person(w.person_id), ON_THE_CASE),
    Op("sessions.week", lambda s, w, m: s.sessions.week(today()), CASE_ROLES),
    Op(
        "sessions.attendance_summary",
        lambda s, w, m: s.sessions.attendance_summary(w.person_id),
        ON_THE_CASE,
    ),
    # risk
    Op(
        "risk.record",
        lambda s, w, m: s.risk.record(w.person_id, RiskInput(today(), RiskLevel.MEDIUM)),
        ON_THE_CASE,
    ),
    Op(
        "risk.update",
        lambda s, w, m: s.risk.update(
            w.risk_id,
            RiskInput(today(), RiskLevel.VERY_HIGH, risk_factors="County lines"),
            _risk_version(m, w),
        ),
        ON_THE_CASE,
    ),
    Op("risk.history", lambda s, w, m: s.risk.history(w.person_id), ON_THE_CASE),
    Op("risk.latest", lambda s, w, m: s.risk.latest(w.person_id), ON_THE_CASE),
    # plans
    Op(
        "plans.start_plan",
        lambda s, w, m: s.plans.start_plan(w.person_id, today(), "Revised plan"),
        ON_THE_CASE,
    ),
    Op("plans.current", lambda s, w, m: s.plans.current(w.person_id), ON_THE_CASE),
    Op("plans.versions", lambda s, w, m: s.plans.versions(w.person_id), ON_THE_CASE),
    Op(
        "plans.add_goal",
        lambda s, w, m: s.plans.add_goal(w.plan_id, GoalInput(GoalDomain.SAFETY, "Safe route")),
        ON_THE_CASE,
    ),
    Op(
        "plans.update_goal",
        lambda s, w, m: s.plans.update_goal(
            w.goal_id,
            GoalInput(GoalDomain.EET, "Full-time at Challney High"),
            _plan(m, w).goals[0].version,
        ),
        ON_THE_CASE,
    ),
    Op(
        "plans.add_action",
        lambda s, w, m: s.plans.add_action(w.goal_id, ActionInput("Call the school")),
        ON_THE_CASE,
    ),
    Op(
        "plans.update_action",
        lambda s, w, m: s.plans.update_action(
            w.action_id,
            ActionInput("Meet the head of year and SENCo"),
            _plan(m, w).goals[0].actions[0].version,
        ),
        ON_THE_CASE,
    ),
    Op(
        "plans.set_action_done",
        lambda s, w, m: s.plans.set_action_done(w.action_id, today()),
        ON_THE_CASE,
    ),
    # outcomes
    Op(
        "outcomes.record",
        lambda s, w, m: s.outcomes.record(
            w.person_id, OutcomeInput(today(), OutcomePoint.REVIEW, wellbeing=6)
        ),
        ON_THE_CASE,
    ),
    Op(
        "outcomes.update",
        lambda s, w, m: s.outcomes.update(
            w.outcome_id,
            OutcomeInput(today(), OutcomePoint.START, wellbeing=4),
            m.outcomes.for_person(w.person_id)[0].version,
        ),
        ON_THE_CASE,
    ),
    Op("outcomes.for_person", lambda s, w, m: s.outcomes.for_person(w.person_id), ON_THE_CASE),
    Op("outcomes.measures", lambda s, w, m: s.outcomes.measures(), CASE_ROLES),
    Op(
        "outcomes.add_measure",
        lambda s, w, m: s.outcomes.add_measure("Confidence", "Self-rated, 0 to 10"),
        MANAGERS,
    ),
    # notes
    Op(
        "notes.add",
        lambda s, w, m: s.notes.add(
            w.person_id,
            NoteInput(
                dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=5),
                "School visit",
                "Met the head of year.",
            ),
        ),
        ON_THE_CASE,
    ),
    Op(
        "notes.update",
        lambda s, w, m: s.notes.update(
            w.note_id,
            NoteInput(
                dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
                "Call with mother",
                "Agreed a home visit on Friday.",
            ),
            m.notes.get(w.note_id).version,
        ),
        ON_THE_CASE,
    ),
    Op("notes.get", lambda s, w, m: s.notes.get(w.note_id), ON_THE_CASE),
    Op("notes.for_person", lambda s, w, m: s.notes.for_person(w.person_id), ON_THE_CASE),
    # chronology, exports, summaries
    Op("chronology.for_person", lambda s, w, m: s.chronology.for_person(w.person_id), ON_THE_CASE),
    Op("exports.for_person", lambda s, w, m: s.exports.for_person(w.person_id), ON_THE_CASE),
    Op(
        "summary.gather",
        lambda s, w, m: s.summary.gather(w.person_id, SharingProfile.MULTI_AGENCY),
        ON_THE_CASE,
    ),
    Op(
        "summary.record_export",
        lambda s, w, m: s.summary.record_export(
            w.person_id, SharingProfile.FULL, None, "summary.pdf", 3
        ),
        ON_THE_CASE,
    ),
    # reports, subject access, retention
    Op("reports.choices", lambda s, w, m: s.reports.choices(), MANAGERS),
    Op(
        "reports.figures",
        lambda s, w, m: s.reports.figures(ReportPeriod(today() - dt.timedelta(days=90), today())),
        MANAGERS,
    ),
    Op(
        "reports.record_export",
        lambda s, w, m: s.reports.record_export(
            ReportPeriod(today() - dt.timedelta(days=90), today()), [], "outcomes.xlsx"
        ),
        MANAGERS,
    ),
    Op("subject_access.gather", lambda s, w, m: s.subject_access.gather(w.person_id), MANAGERS),
    Op(
        "retention.set_policy",
        lambda s, w, m: s.retention.set_policy(RetentionPolicy(7, 25)),
        SUPERVISORS,
    ),
    Op("retention.due_for_review", lambda s, w, m: s.retention.due_for_review(), MANAGERS),
    Op(
        "retention.anonymise",
        lambda s, w, m: s.retention.anonymise(w.closed_person_id, "Retention review"),
        MANAGERS,
    ),
    Op(
        "retention.erase",
        lambda s, w, m: s.retention.erase(w.closed_person_id, "Erasure request under Art. 17"),
        MANAGERS,
    ),
    # imports
    Op(
        "imports.preview",
        lambda s, w, m: s.imports.preview(resource_path("referrals-template.csv").read_bytes()),
        CASE_ROLES,
    ),
    # users, settings, backups, health, the audit trail
    Op("users.list", lambda s, w, m: s.users.list(), SUPERVISORS),
    Op(
        "users.create",
        lambda s, w, m: s.users.create(
            "siobhan", "Siobhán Nic Giolla Phádraig", {Role.CASEWORKER}, PASSWORD
        ),
        ADMINS,
    ),
    Op("users.set_active", lambda s, w, m: s.users.set_active(w.aisha_id, False), ADMINS),
    Op(
        "users.set_roles",
        lambda s, w, m: s.users.set_roles(w.aisha_id, {Role.CASEWORKER, Role.MANAGER}),
        ADMINS,
    ),
    Op(
        "users.reset_password", lambda s, w, m: s.users.reset_password(w.aisha_id, PASSWORD), ADMINS
    ),
    Op("settings.get_org", lambda s, w, m: s.settings.get_org(), EVERYONE),
    Op("settings.update", lambda s, w, m: s.settings.update(name="Luton VERU"), ADMINS),
    Op("settings.lock_after_minutes", lambda s, w, m: s.settings.lock_after_minutes(), EVERYONE),
    Op(
        "settings.set_lock_after_minutes",
        lambda s, w, m: s.settings.set_lock_after_minutes(5),
        ADMINS,
    ),
    Op("backups.list", lambda s, w, m: s.backups.list(), ADMINS, (StorageError,)),
    Op("health.check", lambda s, w, m: s.health.check(), SUPERVISORS),
    Op("audit_log.query", lambda s, w, m: s.audit_log.query(AuditFilter()), SUPERVISORS),
    Op("audit_log.count", lambda s, w, m: s.audit_log.count(), SUPERVISORS),
    Op(
        "audit_log.query (one case)",
        lambda s, w, m: s.audit_log.query(AuditFilter(case_ref=m.people.get(w.person_id).case_ref)),
        SUPERVISORS,
    ),
)


def _denials(db: Database) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == AuditAction.DENIED)
            )
            or 0
        )


def _last_denial(db: Database) -> AuditEvent:
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == AuditAction.DENIED)
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None
        return event


def test_every_role_is_named_in_the_table() -> None:
    assert all(op.allowed <= EVERYONE and op.allowed for op in OPS)
    assert len({op.name for op in OPS}) == len(OPS)


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_each_role_is_allowed_or_refused_and_each_refusal_is_audited(
    op: Op, db: Database, team: Any, tmp_path: Path
) -> None:
    actors = {
        UNALLOCATED: team.aisha,
        ALLOCATED: team.dariusz,
        MANAGER: team.manager,
        ADMIN: team.admin,
    }
    manager = Services(db, team.manager)

    def world() -> World:
        return build_world(manager, Services(db, team.dariusz), team.aisha.user_id)

    shared = world()
    for who in sorted(EVERYONE - op.allowed):
        caller = Services(db, actors[who])
        before = _denials(db)
        with pytest.raises(PermissionDenied):
            op.call(caller, shared, manager)
        assert _denials(db) == before + 1, f"{who}'s refusal of {op.name} was not audited"
        event = _last_denial(db)
        assert event.username == actors[who].username
        assert event.summary
    fresh = shared
    for who in sorted(op.allowed):
        caller = Services(db, actors[who])
        before = _denials(db)
        try:
            op.call(caller, fresh, manager)
        except PermissionDenied as error:
            pytest.fail(f"{who} was refused {op.name}: {error}")
        except op.tolerated:
            pass
        assert _denials(db) == before
        fresh = world()  # the next caller starts from the same state, not the one left behind


def test_an_administrator_without_a_case_role_sees_no_case_anywhere(
    db: Database, team: Any
) -> None:
    manager = Services(db, team.manager)
    build_world(manager, Services(db, team.dariusz), team.aisha.user_id)
    admin = Services(db, team.admin)
    with pytest.raises(PermissionDenied):
        admin.caseload.ids(CaseloadFilter())
    assert admin.dashboard.load().is_empty
    assert not manager.dashboard.load().is_empty
    assert Services(db, team.aisha).caseload.ids(CaseloadFilter()) == []
    assert len(Services(db, team.dariusz).caseload.ids(CaseloadFilter())) == 2


def test_a_refusal_names_the_role_needed_with_the_right_article(db: Database, team: Any) -> None:
    with pytest.raises(PermissionDenied, match="Only an administrator can add users"):
        Services(db, team.manager).users.create(
            "siobhan", "Siobhán Nic Giolla Phádraig", {Role.CASEWORKER}, PASSWORD
        )
    with pytest.raises(PermissionDenied, match="Only a manager can allocate cases"):
        Services(db, team.dariusz).referrals.allocate(1, team.dariusz.user_id)
