"""A re-referral of an open case joins that case: it never takes the case from its worker.

Issue #13, finding 1: a second referral for a young person whose case was allocated set the
case back to received, with no worker and no review date, from the referral form, the import
wizard and ``veru-desk import-referrals`` alike. Each path is driven here as a user drives it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.dates import today
from tests.statements import statements
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import Referral, User, YoungPerson
from veru_desk.domain.enums import (
    AgencyType,
    ClosureReason,
    ConsentStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    Role,
)
from veru_desk.domain.errors import WorkflowError
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput
from veru_desk.services.users import actor_for, add_user

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class CaseState:
    status: ReferralStatus | None
    worker_id: int | None
    referral_id: int | None
    risk: RiskLevel | None
    review_on: dt.date | None


def case_state(db: Database, person_id: int) -> CaseState:
    with db.read() as session:
        person = session.get_one(YoungPerson, person_id)
        return CaseState(
            person.current_status,
            person.current_worker_id,
            person.current_referral_id,
            person.current_risk_level,
            person.next_review_on,
        )


def school_re_referral(days_ago: int = 1) -> ReferralDetails:
    return ReferralDetails(
        received_on=today() - dt.timedelta(days=days_ago),
        referring_agency="Challney High School",
        referring_agency_type=AgencyType.SCHOOL,
        reasons=frozenset({ReferralReason.EXCLUSION_ABSENCE}),
        referrer_name="Siobhán Nic Giolla",
        consent_young_person=ConsentStatus.GIVEN,
        consent_parent=ConsentStatus.GIVEN,
    )


@pytest.fixture
def assessed_case(allocated_case: int, as_dariusz: Services) -> int:
    """Łukasz's allocated case with a high risk assessment and its review date."""
    as_dariusz.risk.record(
        allocated_case, RiskInput(assessed_on=today() - dt.timedelta(days=3), level=RiskLevel.HIGH)
    )
    return allocated_case


def assert_case_stays_with_dariusz(
    db: Database, person_id: int, before: CaseState, as_dariusz: Services, as_manager: Services
) -> Referral:
    after = case_state(db, person_id)
    assert after == before
    assert after.status is ReferralStatus.ALLOCATED
    assert after.worker_id == as_dariusz.actor.user_id
    assert after.review_on is not None
    assert person_id in as_dariusz.caseload.ids(CaseloadFilter(open_only=True))
    with db.read() as session:
        further = session.scalars(
            select(Referral).where(
                Referral.young_person_id == person_id, Referral.id != before.referral_id
            )
        ).one()
        session.expunge(further)
    assert further.open_case_referral_id == before.referral_id
    queue = {view.id: view for view in as_manager.referrals.triage_queue()}
    assert queue[further.id].is_further_referral
    assert "allocated to Dariusz Wójcik since" in queue[further.id].open_case_text
    dashboard = as_dariusz.dashboard.load()
    assert [item.referral_id for item in dashboard.re_referrals] == [further.id]
    return further


def test_a_re_referral_from_the_form_keeps_the_case_with_its_worker(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    before = case_state(db, assessed_case)
    as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    assert_case_stays_with_dariusz(db, assessed_case, before, as_dariusz, as_manager)


def test_a_re_referral_from_the_import_keeps_the_case_with_its_worker(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    with db.read() as session:
        person = session.get_one(YoungPerson, assessed_case)
        dob = person.date_of_birth.strftime("%d/%m/%Y")
    before = case_state(db, assessed_case)
    received = (today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    data = (
        "first_name,last_name,date_of_birth,referral_date,referring_agency,reasons,"
        "consent_young_person,consent_parent\n"
        f"Łukasz,Wiśniewski,{dob},{received},Challney High School,exclusion,yes,yes\n"
    ).encode()
    result = as_dariusz.imports.run(data, file_name="challney.csv")
    assert result.new_people == 0
    assert_case_stays_with_dariusz(db, assessed_case, before, as_dariusz, as_manager)


@pytest.mark.sqlite_only
def test_a_re_referral_from_the_import_command_keeps_the_case_with_its_worker(
    db_path: Path, tmp_path: Path
) -> None:
    db = Database.open(resolve_database(str(db_path)))
    with db.write() as session:
        manager = add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
        dariusz = add_user(session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, PASSWORD)
        as_manager = Services(db, actor_for(manager))
        as_dariusz = Services(db, actor_for(dariusz))
    dob = today().replace(year=today().year - 15) - dt.timedelta(days=20)
    intake = as_manager.referrals.create(
        school_re_referral(days_ago=30),
        person=PersonDetails(first_name="Ngozi", last_name="Okonkwo-Adeyemi", date_of_birth=dob),
    )
    as_manager.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Threshold met")
    as_manager.referrals.allocate(intake.referral_id, dariusz.id)
    as_dariusz.risk.record(
        intake.person_id,
        RiskInput(assessed_on=today() - dt.timedelta(days=20), level=RiskLevel.VERY_HIGH),
    )
    before = case_state(db, intake.person_id)
    db.dispose()

    received = (today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    csv_file = tmp_path / "police.csv"
    csv_file.write_text(
        "first_name,last_name,date_of_birth,referral_date,referring_agency,reasons,"
        "consent_young_person,consent_parent\n"
        f"Ngozi,Okonkwo-Adeyemi,{dob:%d/%m/%Y},{received},Bedfordshire Police,knife,yes,yes\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERU_DESK_")}
    env.update(
        VERU_DESK_DATA_DIR=str(tmp_path / "userdata"),
        VERU_DESK_DATABASE=str(db_path),
        VERU_DESK_PASSWORD=PASSWORD,
    )
    result = subprocess.run(
        [sys.executable, "-m", "veru_desk", "import-referrals", str(csv_file), "--user", "dariusz"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    cases = subprocess.run(
        [sys.executable, "-m", "veru_desk", "cases", "--user", "priya", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert cases.returncode == 0, cases.stderr
    assert "Dariusz Wójcik" in cases.stdout

    db = Database.open(resolve_database(str(db_path)))
    try:
        as_manager = Services(db, actor_for_username(db, "priya"))
        as_dariusz = Services(db, actor_for_username(db, "dariusz"))
        assert_case_stays_with_dariusz(db, intake.person_id, before, as_dariusz, as_manager)
    finally:
        db.dispose()


def actor_for_username(db: Database, username: str) -> Actor:
    with db.read() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return actor_for(user)


def test_noting_a_re_referral_changes_nothing_else_and_is_in_the_chronology(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    before = case_state(db, assessed_case)
    further = as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    as_manager.referrals.decide(
        further.referral_id, ReferralStatus.ACCEPTED, "Exclusion noted for the plan review"
    )
    assert case_state(db, assessed_case) == before
    assert further.referral_id not in {v.id for v in as_manager.referrals.triage_queue()}
    titles = [e.title for e in as_dariusz.chronology.for_person(assessed_case)]
    assert any(t.startswith("Re-referral noted and added to the open case") for t in titles)
    assert any("Further referral received from Challney High School" in t for t in titles)


def test_raising_priority_and_reallocating_from_a_re_referral_are_the_managers_choice(
    db: Database,
    assessed_case: int,
    as_manager: Services,
    as_dariusz: Services,
    team: object,
) -> None:
    further = as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    as_manager.referrals.decide(
        further.referral_id, ReferralStatus.ACCEPTED, "Second exclusion", priority=Priority.URGENT
    )
    aisha_id = team.aisha.user_id  # type: ignore[attr-defined]
    as_manager.referrals.allocate(further.referral_id, aisha_id, "Aisha knows the family")
    state = case_state(db, assessed_case)
    assert state.status is ReferralStatus.ALLOCATED
    assert state.worker_id == aisha_id
    with db.read() as session:
        episode = session.get_one(Referral, state.referral_id)
        assert episode.priority is Priority.URGENT
        assert session.get_one(Referral, further.referral_id).status is ReferralStatus.ACCEPTED


def test_a_further_referral_cannot_be_closed_or_allocated_on_its_own(
    assessed_case: int, as_manager: Services
) -> None:
    further = as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    as_manager.referrals.decide(further.referral_id, ReferralStatus.ACCEPTED, "Noted")
    with pytest.raises(WorkflowError, match="close the case instead"):
        as_manager.referrals.close(further.referral_id, ClosureReason.GOALS_ACHIEVED, "Done")


def test_closing_the_case_sends_an_undecided_re_referral_to_triage_as_a_new_episode(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    episode_id = case_state(db, assessed_case).referral_id
    further = as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    assert episode_id is not None
    as_dariusz.referrals.close(episode_id, ClosureReason.GOALS_ACHIEVED, "Back in school full time")
    state = case_state(db, assessed_case)
    assert (state.status, state.referral_id) == (ReferralStatus.RECEIVED, further.referral_id)
    view = as_manager.referrals.get(further.referral_id)
    assert not view.is_further_referral
    assert further.referral_id in {v.id for v in as_manager.referrals.triage_queue()}


def test_a_closed_case_is_re_referred_as_a_new_episode(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    episode_id = case_state(db, assessed_case).referral_id
    assert episode_id is not None
    as_dariusz.referrals.close(episode_id, ClosureReason.GOALS_ACHIEVED, "Goals met")
    again = as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    state = case_state(db, assessed_case)
    assert (state.status, state.referral_id) == (ReferralStatus.RECEIVED, again.referral_id)
    assert not as_manager.referrals.get(again.referral_id).is_further_referral


def test_reopening_is_refused_while_a_newer_episode_is_open(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    episode_id = case_state(db, assessed_case).referral_id
    assert episode_id is not None
    as_dariusz.referrals.close(episode_id, ClosureReason.GOALS_ACHIEVED, "Goals met")
    as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    with pytest.raises(WorkflowError, match="decide on that referral"):
        as_manager.referrals.reopen(episode_id, "Police intelligence")


def test_two_referrals_for_one_new_person_in_one_import_are_one_episode(
    db: Database, as_dariusz: Services, as_manager: Services
) -> None:
    first = (today() - dt.timedelta(days=5)).strftime("%d/%m/%Y")
    second = (today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    data = (
        "first_name,last_name,date_of_birth,referral_date,referring_agency,reasons,"
        "consent_young_person,consent_parent\n"
        f"Tomasz,Łukasiewicz,02/02/2010,{first},Luton Youth Justice Service,knife,yes,yes\n"
        f"Tomasz,Łukasiewicz,02/02/2010,{second},Bedfordshire Police,gang,yes,yes\n"
    ).encode()
    as_dariusz.imports.run(data)
    queue = as_manager.referrals.triage_queue()
    assert [v.is_further_referral for v in queue] == [False, True]
    assert queue[1].open_case_referral_id == queue[0].id


def test_a_noted_re_referral_is_not_a_second_case_in_the_outcome_report(
    assessed_case: int, as_manager: Services
) -> None:
    from veru_desk.services.outcome_figures import ReportPeriod

    further = as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    as_manager.referrals.decide(further.referral_id, ReferralStatus.ACCEPTED, "Noted")
    period = ReportPeriod(today() - dt.timedelta(days=60), today())
    figures = as_manager.reports.figures(period)
    assert figures.caseload_by_worker == [("Dariusz Wójcik", 1)]
    assert sum(figures.referrals_by_source.values()) == 2  # both partners did refer


def test_a_closed_case_with_a_noted_re_referral_can_be_anonymised(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    episode_id = case_state(db, assessed_case).referral_id
    assert episode_id is not None
    further = as_manager.referrals.create(school_re_referral(), person_id=assessed_case)
    as_manager.referrals.decide(further.referral_id, ReferralStatus.ACCEPTED, "Noted")
    as_dariusz.referrals.close(episode_id, ClosureReason.GOALS_ACHIEVED, "Goals met")
    as_manager.retention.anonymise(assessed_case, "Retention review")
    with db.read() as session:
        assert session.get_one(YoungPerson, assessed_case).anonymised_at is not None


def test_declining_a_case_with_two_waiting_re_referrals_leaves_one_episode_open(
    db: Database, as_manager: Services
) -> None:
    """Found by the state machine: declining the first referral released both re-referrals as
    episodes of their own, two open episodes of one case."""
    dob = today().replace(year=today().year - 16)
    first = as_manager.referrals.create(
        school_re_referral(days_ago=6),
        person=PersonDetails(first_name="Dawit", last_name="Tesfaye", date_of_birth=dob),
    )
    second = as_manager.referrals.create(school_re_referral(days_ago=3), person_id=first.person_id)
    third = as_manager.referrals.create(school_re_referral(days_ago=1), person_id=first.person_id)
    as_manager.referrals.decide(first.referral_id, ReferralStatus.DECLINED, "Duplicate")
    state = case_state(db, first.person_id)
    assert (state.status, state.referral_id) == (ReferralStatus.RECEIVED, second.referral_id)
    assert as_manager.referrals.get(third.referral_id).open_case_referral_id == second.referral_id


def test_a_cases_referrals_are_read_in_the_same_statements_however_many_it_has(
    db: Database, assessed_case: int, as_manager: Services, as_dariusz: Services
) -> None:
    """Each referral's names, transitions, agency and earlier count were read one by one (a
    round trip each on a server); the case's list reads them for all its referrals at once,
    and shows what reading each alone shows."""
    with statements(db.engine) as one:
        assert len(as_dariusz.referrals.for_person(assessed_case)) == 1
    for days_ago in (9, 5, 5, 2):
        as_manager.referrals.create(school_re_referral(days_ago), person_id=assessed_case)
    with statements(db.engine) as five:
        views = as_dariusz.referrals.for_person(assessed_case)
    assert len(views) == 5
    assert len(five) == len(one)
    assert views == [as_dariusz.referrals.get(view.id) for view in views]
    assert sorted(view.previous_referrals for view in views) == [0, 1, 3, 3, 4]  # same day: both
    queue = {view.id: view for view in as_manager.referrals.triage_queue()}
    assert {view.id: view for view in views if view.id in queue} == queue
