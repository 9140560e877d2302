"""``veru-desk cases reallocate --to USER --reason TEXT CASE_REF...`` (#19): a manager moves
cases to another caseworker from the command line, all or none, with the reason in each
chronology and the audit trail; anyone else is refused (on a file and on a server)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.dates import today
from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, MentoringSession, User, YoungPerson
from veru_desk.domain.enums import (
    AgencyType,
    AuditAction,
    ConsentStatus,
    ReferralReason,
    ReferralStatus,
    Role,
)
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for, add_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def unit(database_target: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Priya (manager), Grace and Ciarán (caseworkers), and Grace's two open cases, Kai's and
    Zoë's. Returns ``{first name: case reference}``."""
    monkeypatch.setenv("VERU_DESK_DATABASE", database_target)
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    db = Database.open(resolve_database(database_target))
    try:
        with db.write() as session:
            manager = actor_for(
                add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
            )
            grace = actor_for(
                add_user(session, "grace", "Grace Adeyemi", {Role.CASEWORKER}, PASSWORD)
            )
            add_user(session, "ciaran", "Ciarán Ó Briain", {Role.CASEWORKER}, PASSWORD)
        services = Services(db, manager)
        refs = {}
        for first, last in (("Kai", "Henderson"), ("Zoë", "Çelik")):
            intake = services.referrals.create(
                ReferralDetails(
                    received_on=today() - dt.timedelta(days=20),
                    referring_agency="Bedfordshire Police",
                    referring_agency_type=AgencyType.POLICE,
                    reasons=frozenset({ReferralReason.COUNTY_LINES}),
                    consent_young_person=ConsentStatus.GIVEN,
                    consent_parent=ConsentStatus.GIVEN,
                ),
                person=PersonDetails(
                    first_name=first, last_name=last, date_of_birth=dt.date(2011, 4, 3)
                ),
            )
            services.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Meets criteria")
            assert grace.user_id is not None
            services.referrals.allocate(intake.referral_id, grace.user_id)
            refs[first] = intake.case_ref
    finally:
        db.dispose()
    return refs


def _workers(target: str) -> dict[str, str | None]:
    """``{case reference: worker's username}`` as stored."""
    db = Database.open(resolve_database(target))
    try:
        with db.read() as session:
            return {
                ref: username
                for ref, username in session.execute(
                    select(YoungPerson.case_ref, User.username).outerjoin(
                        User, User.id == YoungPerson.current_worker_id
                    )
                )
            }
    finally:
        db.dispose()


def _reallocations(target: str) -> list[tuple[str | None, str | None]]:
    db = Database.open(resolve_database(target))
    try:
        with db.read() as session:
            return [
                (username, summary)
                for username, summary in session.execute(
                    select(AuditEvent.username, AuditEvent.summary)
                    .where(
                        AuditEvent.action == AuditAction.UPDATE,
                        AuditEvent.summary.like("Re-allocated%"),
                    )
                    .order_by(AuditEvent.id)
                )
            ]
    finally:
        db.dispose()


def test_a_manager_reallocates_cases_and_is_told_what_moved(
    unit: dict[str, str], database_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        [
            "cases",
            "reallocate",
            "--user",
            "priya",
            "--to",
            "ciaran",
            "--reason",
            "Leave cover to 21/03",
            unit["Kai"],
            unit["Zoë"].lower(),  # a reference typed in lower case is the same case
        ]
    )
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out.splitlines() == [
        f"{unit['Kai']}  Kai Henderson  to Ciarán Ó Briain (was Grace Adeyemi)",
        f"{unit['Zoë']}  Zoë Çelik  to Ciarán Ó Briain (was Grace Adeyemi)",
        "Moved 2 cases to Ciarán Ó Briain (Leave cover to 21/03).",
    ]
    assert _workers(database_target) == {unit["Kai"]: "ciaran", unit["Zoë"]: "ciaran"}
    said = "Re-allocated (to Ciarán Ó Briain): Leave cover to 21/03 (previously with Grace Adeyemi)"
    assert _reallocations(database_target) == [("priya", said), ("priya", said)]


def test_a_caseworker_is_refused_and_nothing_moves(
    unit: dict[str, str], database_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["cases", "reallocate", "--user", "grace", "--to", "ciaran", "--reason", "On leave"]
    status = cli.main([*command, unit["Kai"]])
    err = capsys.readouterr().err
    assert status == 1
    assert err.strip() == "veru-desk: Only a manager can reallocate cases."
    assert _workers(database_target)[unit["Kai"]] == "grace"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--to", "ciaran", "--reason", "Leave cover", "VERU-1999-00001"],
            "veru-desk: cases: No case with the reference VERU-1999-00001.",
        ),
        (
            ["--to", "tomasz", "--reason", "Leave cover"],
            "veru-desk: worker: No user called 'tomasz'.",
        ),
        (
            ["--to", "priya", "--reason", "Leave cover"],
            "veru-desk: worker: Choose an active caseworker.",
        ),
        (
            ["--to", "ciaran", "--reason", "   "],
            "veru-desk: reason: Give a reason for the reallocation, for example leave cover.",
        ),
    ],
)
def test_a_mistake_is_one_line_and_nothing_moves(
    unit: dict[str, str],
    database_target: str,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    refs = [] if "VERU-1999-00001" in arguments else [unit["Kai"], unit["Zoë"]]
    status = cli.main(["cases", "reallocate", "--user", "priya", *arguments, *refs])
    err = capsys.readouterr().err
    assert status == 1
    assert err.strip() == message
    assert set(_workers(database_target).values()) == {"grace"}
    assert _reallocations(database_target) == []


def test_the_reason_and_the_new_worker_are_required_options(
    unit: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["cases", "reallocate", "--user", "priya", unit["Kai"]]) == 2
    err = capsys.readouterr().err
    assert "--to" in err and "--reason" in err


def test_listing_cases_still_works_without_an_action(
    unit: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["cases", "--user", "priya", "--status", "open"]) == 0
    out = capsys.readouterr().out
    assert unit["Kai"] in out and "2 cases" in out


def test_planned_sessions_go_with_the_case_unless_kept(
    unit: dict[str, str], database_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database.open(resolve_database(database_target))
    try:
        with db.read() as session:
            grace = session.scalars(select(User).where(User.username == "grace")).one()
            people = {
                ref: pid
                for ref, pid in session.execute(select(YoungPerson.case_ref, YoungPerson.id))
            }
            as_grace = Services(db, actor_for(grace))
        start = dt.datetime.combine(today() + dt.timedelta(days=1), dt.time(16, 0))
        for ref in unit.values():
            as_grace.sessions.book(people[ref], SessionInput(planned_start=start))
    finally:
        db.dispose()
    command = ["cases", "reallocate", "--user", "priya", "--to", "ciaran", "--reason", "Leave"]
    assert cli.main([*command, "--keep-sessions", unit["Kai"]]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Moved 1 case to Ciarán Ó Briain (Leave)."
    assert cli.main([*command, unit["Zoë"]]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Moved 1 case to Ciarán Ó Briain (Leave); 1 planned session goes with it."
    )
    db = Database.open(resolve_database(database_target))
    try:
        with db.read() as session:
            mentors = {
                ref: username
                for ref, username in session.execute(
                    select(YoungPerson.case_ref, User.username)
                    .join(MentoringSession, MentoringSession.young_person_id == YoungPerson.id)
                    .join(User, User.id == MentoringSession.mentor_id)
                )
            }
    finally:
        db.dispose()
    assert mentors == {unit["Kai"]: "grace", unit["Zoë"]: "ciaran"}
