"""A server set up with ``veru-desk server setup`` enforces the rules itself: tried with plain
``psycopg`` and each person's own password, as a curious colleague with a SQL client would.

Runs its own PostgreSQL server that checks passwords (SCRAM-SHA-256), because the shared test
server trusts everyone and would prove nothing about passwords. Login and group roles belong
to the whole server, so each test's roles are dropped with its database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy import text as sql_text

from tests.db.child_processes import allocated_case
from veru_desk.config import resolve_database
from veru_desk.db.models import Base
from veru_desk.db.server_roles import CHILD_TABLES, PERSON_TABLES, all_classified_tables, role_name
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ConsentStatus,
    GoalDomain,
    OutcomePoint,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    Role,
)
from veru_desk.domain.errors import ConflictError
from veru_desk.services import Services
from veru_desk.services.caseload_view import CaseloadFilter
from veru_desk.services.mentoring import SeriesInput, SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.passwords import SignInError
from veru_desk.services.people import PersonDetails
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput
from veru_desk.services.server_accounts import set_up_server
from veru_desk.services.vault import create_database, open_for_user

pytestmark = pytest.mark.postgres

OWNER_SECRET = "Łukasiewicz owner 2026"
PASSWORDS = {
    "sam": "Sam's own long passphrase 41",
    "priya": "Priya triages the queue at nine",
    "dariusz": "Dariusz Wójcik mentors on Tuesdays",
    "aisha": "Aisha Mohamed walks the estate 7",
}


@pytest.fixture(scope="module")
def scram_server() -> Iterator[int]:
    """A server that checks every password; the superuser ``postgres`` owns the databases."""
    from tests.pg_server import _as_server_user, _free_port, missing_reason, running_as_root

    reason = missing_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests SKIPPED: {reason}")
    folder = Path(tempfile.mkdtemp(prefix="veru-pg-roles-"))
    (folder / "pw").write_text(OWNER_SECRET + "\n")
    if running_as_root():
        shutil.chown(folder, "postgres")
        shutil.chown(folder / "pw", "postgres")
    data = folder / "data"
    port = _free_port()
    subprocess.run(
        _as_server_user(
            ["initdb", "-D", str(data), "-A", "scram-sha-256", "-U", "postgres",
             f"--pwfile={folder / 'pw'}", "-E", "UTF8", "--no-locale"]
        ),
        check=True,
        capture_output=True,
    )  # fmt: skip
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    subprocess.run(
        _as_server_user(
            ["pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        with _superuser(port) as admin:
            # As the README says: an owner that may create logins, not a superuser.
            admin.execute(f"CREATE ROLE veru_owner LOGIN CREATEROLE PASSWORD '{OWNER_SECRET}'")
            admin.execute("GRANT pg_signal_backend TO veru_owner")
        yield port
    finally:
        subprocess.run(
            _as_server_user(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def _superuser(port: int, database: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", password=OWNER_SECRET, dbname=database,
        autocommit=True,
    )  # fmt: skip


@dataclass
class Office:
    port: int
    name: str  # the database
    owner_url: str  # what the administrator gives `server setup`
    url: str  # what every office PC uses: no user, no password
    ids: dict[str, int]
    dariusz_case: int
    aisha_case: int

    def as_user(self, username: str) -> Services:
        db, actor = open_for_user(resolve_database(self.url), username, PASSWORDS[username])
        return Services(db, actor)

    def sql(self, username: str) -> psycopg.Connection:
        """A SQL client with the person's own password, nothing from VERU Desk in between."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, dbname=self.name, user=role_name(username),
            password=PASSWORDS[username], autocommit=True,
        )  # fmt: skip


@dataclass
class EmptyDatabase:
    name: str
    owner_url: str  # what the administrator gives `migrate-to` and `server setup`
    url: str  # what every office PC uses: no user, no password


@contextmanager
def _empty_database(port: int) -> Iterator[EmptyDatabase]:
    """A new database owned by ``veru_owner``; dropped afterwards with every VERU role, which
    belong to the whole server and would clash with the next test's."""
    name = f"veru_office_{uuid.uuid4().hex[:10]}"
    with _superuser(port) as admin:
        admin.execute(f"CREATE DATABASE {name} OWNER veru_owner")
    url = f"postgresql+psycopg://127.0.0.1:{port}/{name}"
    owner_url = url.replace("://", f"://veru_owner:{quote(OWNER_SECRET)}@", 1)
    try:
        yield EmptyDatabase(name, owner_url, url)
    finally:
        with _superuser(port) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            for (role,) in admin.execute(
                "SELECT rolname FROM pg_roles WHERE rolname LIKE 'veru\\_%' "
                "AND rolname <> 'veru_owner' ORDER BY rolname LIKE 'veru\\_u\\_%' DESC"
            ).fetchall():
                # A group still used by the other database of the same test stays for now.
                with suppress(psycopg.errors.DependentObjectsStillExist):
                    admin.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def empty_database(scram_server: int) -> Iterator[EmptyDatabase]:
    with _empty_database(scram_server) as empty:
        yield empty


@pytest.fixture
def office(scram_server: int) -> Iterator[Office]:
    """Sam sets the server up, adds Priya (manager), Dariusz and Aisha (caseworkers); Priya
    allocates one case to each caseworker."""
    with _empty_database(scram_server) as empty:
        set_up_server(resolve_database(empty.owner_url), "sam", "Sam Okonkwo", PASSWORDS["sam"])
        office = Office(scram_server, empty.name, empty.owner_url, empty.url, {}, 0, 0)
        sam = office.as_user("sam")
        assert sam.actor.user_id is not None
        office.ids["sam"] = sam.actor.user_id
        people = {
            "priya": ("Priya Raghunathan", {Role.MANAGER}),
            "dariusz": ("Dariusz Wójcik", {Role.CASEWORKER}),
            "aisha": ("Aisha Mohamed", {Role.CASEWORKER}),
        }
        for username, (full_name, roles) in people.items():
            office.ids[username] = sam.users.create(username, full_name, roles, PASSWORDS[username])
        sam.db.dispose()
        priya = office.as_user("priya")
        office.dariusz_case = allocated_case(priya, office.ids["dariusz"], "Zoë", "Ó Briain")
        office.aisha_case = allocated_case(priya, office.ids["aisha"], "Tomasz", "Łukasiewicz")
        priya.db.dispose()
        yield office


def test_a_caseworker_reads_and_changes_only_their_own_cases(office: Office) -> None:
    with office.sql("dariusz") as dariusz:
        seen = {pid for (pid,) in dariusz.execute("SELECT id FROM young_person").fetchall()}
        assert seen == {office.dariusz_case}
        notes = dariusz.execute(
            "SELECT count(*) FROM referral WHERE young_person_id = %s", (office.aisha_case,)
        ).fetchone()
        assert notes == (0,)
        changed = dariusz.execute(
            "UPDATE young_person SET first_name = 'Stolen' WHERE id = %s", (office.aisha_case,)
        )
        assert changed.rowcount == 0
        # Writing himself a referral of Aisha's case, to be let in through it, is refused.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            dariusz.execute(
                "INSERT INTO referral (young_person_id, received_on, referring_agency_id, "
                "consent_young_person, consent_parent, priority, status, source, "
                "allocated_worker_id, created_by_id, version, created_at, updated_at) "
                "SELECT %s, current_date, id, 'given', 'given', 'medium', 'allocated', "
                "'manual', %s, %s, 1, now(), now() FROM agency LIMIT 1",
                (office.aisha_case, office.ids["dariusz"], office.ids["dariusz"]),
            )
        assert dariusz.execute(
            "SELECT count(*) FROM young_person WHERE id = %s", (office.aisha_case,)
        ).fetchone() == (0,)


def test_the_audit_trail_cannot_be_read_beyond_ones_own_nor_changed(office: Office) -> None:
    with office.sql("dariusz") as dariusz:
        users = {uid for (uid,) in dariusz.execute("SELECT DISTINCT user_id FROM audit_event")}
        assert users == {office.ids["dariusz"]} or users == set()
        for statement in (
            "UPDATE audit_event SET summary = 'nothing happened'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
            "ALTER TABLE audit_event DISABLE TRIGGER USER",
            "ALTER TABLE audit_event DISABLE TRIGGER ALL",
            "ALTER TABLE audit_event DISABLE ROW LEVEL SECURITY",
            "DROP POLICY veru_append ON audit_event",
            "DROP TRIGGER audit_event_no_delete ON audit_event",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                dariusz.execute(statement)
        # Nor can he write events in someone else's name.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            dariusz.execute(
                "INSERT INTO audit_event (at, user_id, username, action) "
                "VALUES (now(), %s, 'priya', 'view')",
                (office.ids["priya"],),
            )
    with office.sql("priya") as priya:
        everyone = {uid for (uid,) in priya.execute("SELECT DISTINCT user_id FROM audit_event")}
        assert {office.ids["priya"], office.ids["sam"]} <= everyone
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            priya.execute("DELETE FROM audit_event")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            priya.execute("ALTER TABLE audit_event DISABLE TRIGGER USER")


def test_a_manager_reads_every_case_and_an_administrator_none(office: Office) -> None:
    with office.sql("priya") as priya:
        seen = {pid for (pid,) in priya.execute("SELECT id FROM young_person").fetchall()}
        assert seen == {office.dariusz_case, office.aisha_case}
    with office.sql("sam") as sam:
        for table in ("young_person", "referral", "mentoring_session", "case_note", "contact"):
            assert sam.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        # Nor can an administrator make logins by hand: only through the owner's functions.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sam.execute("CREATE ROLE veru_u_mallory LOGIN PASSWORD 'x'")


def test_a_caseworker_works_through_the_app_as_their_own_login(office: Office) -> None:
    dariusz = office.as_user("dariusz")
    try:
        start = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(16, 0))
        booked = dariusz.sessions.book(office.dariusz_case, SessionInput(planned_start=start))
        dariusz.sessions.record_attendance(booked, Attendance.ATTENDED, notes="College plans")
        assert office.dariusz_case in dariusz.caseload.ids(CaseloadFilter())
        assert office.aisha_case not in dariusz.caseload.ids(CaseloadFilter())
    finally:
        dariusz.db.dispose()
    with office.sql("dariusz") as sql:
        assert sql.execute("SELECT session_user").fetchone() == (role_name("dariusz"),)
        recorded = sql.execute(
            "SELECT attendance FROM mentoring_session WHERE id = %s", (booked,)
        ).fetchone()
        assert recorded == ("attended",)


def test_a_wrong_password_and_a_disabled_account_are_refused_by_the_server(
    office: Office,
) -> None:
    with pytest.raises(SignInError, match="username or password is not right"):
        open_for_user(resolve_database(office.url), "dariusz", "not Dariusz's password at all")
    sam = office.as_user("sam")
    open_session = office.sql("aisha")
    try:
        sam.users.set_active(office.ids["aisha"], False)
    finally:
        sam.db.dispose()
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        office.sql("aisha")
    with pytest.raises(SignInError, match="disabled"):
        open_for_user(resolve_database(office.url), "aisha", PASSWORDS["aisha"])
    # A session opened before she was disabled was ended (the owner here may signal it).
    with pytest.raises(psycopg.OperationalError):
        open_session.execute("SELECT id FROM young_person").fetchall()


def test_a_changed_password_is_the_servers_password_too(office: Office) -> None:
    dariusz = office.as_user("dariusz")
    new = "A brand new passphrase for Dariusz"
    try:
        dariusz.users.change_own_password(PASSWORDS["dariusz"], new)
        dariusz.db.dispose()  # the next connection must sign in with the new password
        assert office.dariusz_case in dariusz.caseload.ids(CaseloadFilter())
    finally:
        dariusz.db.dispose()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        office.sql("dariusz")
    db, actor = open_for_user(resolve_database(office.url), "dariusz", new)
    db.dispose()
    assert actor.username == "dariusz"


def test_the_command_line_signs_in_as_the_users_own_login(office: Office, tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "VERU_DESK_DATA_DIR": str(tmp_path),
        "VERU_DESK_USER": "aisha",
        "VERU_DESK_PASSWORD": PASSWORDS["aisha"],
    }
    result = subprocess.run(
        [sys.executable, "-m", "veru_desk", "cases", "--database", office.url, "--format", "csv"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Łukasiewicz" in result.stdout
    assert "Ó Briain" not in result.stdout


def test_every_table_has_server_rules() -> None:
    """A new table with no line in db/server_roles.py would be unusable on a set-up server."""
    assert {table.name for table in Base.metadata.sorted_tables} <= all_classified_tables()


def _veru_desk(tmp_path: Path, *args: str, user: str = "sam") -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "VERU_DESK_DATA_DIR": str(tmp_path / "data"),
        "VERU_DESK_USER": user,
        "VERU_DESK_PASSWORD": PASSWORDS[user],
    }
    return subprocess.run(
        [sys.executable, "-m", "veru_desk", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def test_an_office_moved_from_a_file_is_enforced_once_set_up(
    empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    """migrate-to copies as the owner; server setup then makes the logins. Sam's password is
    his own at once; Dariusz signs in once Sam has reset his."""
    file = tmp_path / "veru-desk.db"
    made = create_database(
        resolve_database(str(file)), "sam", "Sam Okonkwo", PASSWORDS["sam"], encrypted=False,
        extra_users=[
            ("priya", "Priya Raghunathan", frozenset({Role.MANAGER}), PASSWORDS["priya"]),
            ("dariusz", "Dariusz Wójcik", frozenset({Role.CASEWORKER}), PASSWORDS["dariusz"]),
            ("aisha", "Aisha Mohamed", frozenset({Role.CASEWORKER}), PASSWORDS["aisha"]),
        ],
    )  # fmt: skip
    made.db.dispose()
    priya, _ = open_for_user(resolve_database(str(file)), "priya", PASSWORDS["priya"])
    with priya.read() as session:
        ids = dict(session.execute(sql_text('SELECT username, id FROM "user"')).all())
    manager = Services(priya, _)
    dariusz_case = allocated_case(manager, ids["dariusz"], "Siobhán", "Nic Giolla")
    aisha_case = allocated_case(manager, ids["aisha"], "Ngozi", "Okonkwo-Adeyemi")
    priya.dispose()

    moved = _veru_desk(tmp_path, "migrate-to", empty_database.owner_url, "--database", str(file))
    assert moved.returncode == 0, moved.stderr
    set_up = _veru_desk(tmp_path, "server", "setup", empty_database.owner_url, "--admin", "sam")
    assert set_up.returncode == 0, set_up.stderr
    assert "aisha, dariusz, priya" in set_up.stdout  # waiting for a password reset
    assert OWNER_SECRET not in set_up.stdout and quote(OWNER_SECRET) not in set_up.stdout

    with pytest.raises(SignInError):
        open_for_user(resolve_database(empty_database.url), "dariusz", PASSWORDS["dariusz"])
    db, sam = open_for_user(resolve_database(empty_database.url), "sam", PASSWORDS["sam"])
    try:
        Services(db, sam).users.reset_password(ids["dariusz"], PASSWORDS["dariusz"])
    finally:
        db.dispose()
    db, actor = open_for_user(resolve_database(empty_database.url), "dariusz", PASSWORDS["dariusz"])
    try:
        assert Services(db, actor).caseload.ids(CaseloadFilter()) == [dariusz_case]
    finally:
        db.dispose()
    port = int(empty_database.url.rsplit(":", 1)[1].split("/")[0])
    with psycopg.connect(
        host="127.0.0.1", port=port, dbname=empty_database.name, user=role_name("dariusz"),
        password=PASSWORDS["dariusz"],
    ) as sql:  # fmt: skip
        seen = {pid for (pid,) in sql.execute("SELECT id FROM young_person")}
    assert seen == {dariusz_case} and aisha_case not in seen


def test_setup_refuses_a_second_database_on_the_same_server(
    office: Office, empty_database: EmptyDatabase
) -> None:
    """Login and group roles belong to the whole server: a second database would share them."""
    with pytest.raises(ConflictError, match="another database"):
        set_up_server(resolve_database(empty_database.owner_url), "sam", "Sam", PASSWORDS["sam"])


# Each case table's rows traced to their young person, as the owner (who is not subject to
# the policies) sees them, keyed by the row's place (``ctid``: name_token has no id).
def _person_of_rows(owner: psycopg.Connection, table: str) -> dict[str, int]:
    if table in PERSON_TABLES:
        rows = owner.execute(f'SELECT ctid::text, {PERSON_TABLES[table]} FROM "{table}"')
        return dict(rows.fetchall())
    column, parent = CHILD_TABLES[table]
    of_parent = _people_by_id(owner, parent)
    rows = owner.execute(f'SELECT ctid::text, {column} FROM "{table}"').fetchall()
    return {row: of_parent[parent_id] for row, parent_id in rows}


def _people_by_id(owner: psycopg.Connection, table: str) -> dict[int, int]:
    """``{id: young person}`` of a table other case tables hang off."""
    if table in PERSON_TABLES:
        return dict(owner.execute(f'SELECT id, {PERSON_TABLES[table]} FROM "{table}"'))
    column, parent = CHILD_TABLES[table]
    of_parent = _people_by_id(owner, parent)
    rows = owner.execute(f'SELECT id, {column} FROM "{table}"').fetchall()
    return {row: of_parent[parent_id] for row, parent_id in rows}


def _fill_case(worker: Services, person_id: int) -> None:
    """A risk assessment, a plan with a goal and an action, a weekly series with a skipped
    week, an attended session, a note and an outcome: a row in most case tables."""
    today = dt.date.today()
    worker.risk.record(person_id, RiskInput(assessed_on=today, level=RiskLevel.HIGH))
    plan = worker.plans.start_plan(person_id, today, "Back into college")
    goal = worker.plans.add_goal(plan, GoalInput(GoalDomain.EET, "Enrol on the plumbing course"))
    worker.plans.add_action(goal, ActionInput("Visit the college open day", owner="Aisha"))
    start = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(16, 0))
    series = worker.sessions.book_series(person_id, SeriesInput(first_start=start, count=3))
    booked = worker.sessions.book(
        person_id, SessionInput(planned_start=start - dt.timedelta(days=3))
    )
    worker.sessions.record_attendance(booked, Attendance.ATTENDED, notes="Talked about college")
    occurrences = [s.id for s in worker.sessions.for_person(person_id) if s.id != booked]
    worker.sessions.skip_occurrence(occurrences[0], "Half term")
    worker.notes.add(
        person_id,
        NoteInput(dt.datetime.now().replace(microsecond=0), "Home visit", "Mum was there too"),
    )
    worker.outcomes.record(
        person_id, OutcomeInput(recorded_on=today, point=OutcomePoint.START, wellbeing=6)
    )
    assert series


def test_a_caseworkers_login_reads_and_writes_no_row_of_anothers_case(office: Office) -> None:
    """The server's rule is the services' own_cases: a case allocated to Dariusz now. A
    referral he took in himself stops being his the moment it is allocated to Aisha, as in
    the app; his earlier rule let him keep reading every case he had ever entered."""
    dariusz = office.as_user("dariusz")
    try:
        intake = dariusz.referrals.create(
            ReferralDetails(
                received_on=dt.date.today() - dt.timedelta(days=2),
                referring_agency="Luton Sixth Form College",
                referring_agency_type=AgencyType.SCHOOL,
                reasons=frozenset({ReferralReason.GANG_ASSOCIATION}),
                consent_young_person=ConsentStatus.GIVEN,
                consent_parent=ConsentStatus.GIVEN,
            ),
            person=PersonDetails("Ngozi", "Okonkwo-Adeyemi", dt.date(2011, 3, 14)),
        )
        # Until a manager decides, what he entered is his to read (the services' rule too).
        assert dariusz.people.get(intake.person_id).case_ref == intake.case_ref
    finally:
        dariusz.db.dispose()
    priya = office.as_user("priya")
    try:
        priya.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Known to police")
        priya.referrals.allocate(intake.referral_id, office.ids["aisha"])
    finally:
        priya.db.dispose()
    aisha = office.as_user("aisha")
    try:
        for case in (office.aisha_case, intake.person_id):
            _fill_case(aisha, case)
    finally:
        aisha.db.dispose()

    theirs = {office.aisha_case, intake.person_id}
    owner = psycopg.connect(
        office.owner_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )
    with owner, office.sql("dariusz") as sql:
        for table in [*PERSON_TABLES, *CHILD_TABLES]:
            person_of = _person_of_rows(owner, table)
            others = {row for row, person in person_of.items() if person in theirs}
            seen = {row for (row,) in sql.execute(f'SELECT ctid::text FROM "{table}"')}
            assert {person_of[row] for row in seen} <= {office.dariusz_case}, table
            if not others:
                continue
            listed = ", ".join(f"'{row}'" for row in sorted(others))
            link = PERSON_TABLES.get(table) or CHILD_TABLES[table][0]
            updated = sql.execute(f'UPDATE "{table}" SET {link} = {link} WHERE ctid IN ({listed})')
            assert updated.rowcount == 0, table
            with suppress(psycopg.errors.InsufficientPrivilege):  # managers' alone, some
                deleted = sql.execute(f'DELETE FROM "{table}" WHERE ctid IN ({listed})')
                assert deleted.rowcount == 0, table
        filled = {
            table
            for table in [*PERSON_TABLES, *CHILD_TABLES]
            if set(_person_of_rows(owner, table).values()) & theirs
        }
        # The check above looked at real rows of Aisha's cases, not empty tables.
        assert {
            "young_person", "name_token", "referral", "referral_reason", "referral_transition",
            "risk_assessment", "intervention_plan", "plan_goal", "plan_action", "session_series",
            "series_exception", "mentoring_session", "case_note", "outcome",
        } <= filled  # fmt: skip


def _born(office: Office, person_id: int) -> dt.date:
    with office.sql("priya") as priya:
        row = priya.execute("SELECT date_of_birth FROM young_person WHERE id = %s", (person_id,))
        return row.fetchone()[0]


def _lookups(office: Office, username: str, person_id: int) -> list[str]:
    with office.sql("priya") as priya:
        rows = priya.execute(
            "SELECT summary FROM audit_event WHERE user_id = %s AND action = 'lookup' "
            "AND young_person_id = %s ORDER BY id",
            (office.ids[username], person_id),
        )
        return [summary for (summary,) in rows]


def test_an_exact_match_finds_anothers_case_on_record_only_through_the_server(
    office: Office,
) -> None:
    """Dariusz's own login cannot read Aisha's case, yet intake must still tell him that
    Tomasz Łukasiewicz is on record and whose he is: the server's on_record answers the
    exact match with the case reference and the worker, and the service audits it."""
    born = _born(office, office.aisha_case)
    with office.sql("priya") as priya:
        case_ref = priya.execute(
            "SELECT case_ref FROM young_person WHERE id = %s", (office.aisha_case,)
        ).fetchone()[0]
    dariusz = office.as_user("dariusz")
    try:
        for typed in (
            f"Tomasz Łukasiewicz {born:%d/%m/%Y}",
            f"lukasiewicz tomasz {born:%d/%m/%Y}",
            case_ref,
        ):
            hits = dariusz.people.search(typed)
            found = [(h.person_id, h.on_record_only) for h in hits]
            assert found == [(office.aisha_case, True)], typed
            assert hits[0].case_ref == case_ref and hits[0].worker == "Aisha Mohamed"
            assert hits[0].first_name == "" and hits[0].date_of_birth is None
            assert dariusz.people.count_matches(typed) == 1
        duplicates = dariusz.people.find_duplicates("Tomasz", "Łukasiewicz", born)
        assert [(h.person_id, h.on_record_only, h.worker) for h in duplicates] == [
            (office.aisha_case, True, "Aisha Mohamed")
        ]
        # His own case comes back in full, as before.
        own = dariusz.people.search(f"Zoë Ó Briain {_born(office, office.dariusz_case):%d/%m/%Y}")
        assert [(h.person_id, h.on_record_only, h.last_name) for h in own] == [
            (office.dariusz_case, False, "Ó Briain")
        ]
    finally:
        dariusz.db.dispose()
    lookups = _lookups(office, "dariusz", office.aisha_case)
    assert len(lookups) == 4
    assert all("shown on record only, allocated to Aisha Mohamed" in s for s in lookups)
    assert any("a duplicate check" in s for s in lookups)


def test_a_partial_match_finds_nothing_of_anothers_case_on_the_server(office: Office) -> None:
    born = _born(office, office.aisha_case)
    dariusz = office.as_user("dariusz")
    try:
        for typed in (
            "Tomasz",
            "Łukasiewicz",
            "VERU-",
            f"{born:%d/%m/%Y}",
            f"Tomasz {born:%d/%m/%Y}",
            f"Tomasz Łukasiewic {born:%d/%m/%Y}",
            f"Tomasz Łukasiewicz {born + dt.timedelta(days=1):%d/%m/%Y}",
        ):
            hits = dariusz.people.search(typed)
            # His own case may match ("VERU-", the shared birthday); Aisha's never does.
            assert {h.person_id for h in hits} <= {office.dariusz_case}, typed
            assert not any(h.on_record_only for h in hits), typed
            assert dariusz.people.count_matches(typed) == len(hits), typed
        for first, last, on in (("Tomasz", "Łukasiewic", born), ("Tomasz", "Łukasiewicz", None)):
            assert dariusz.people.find_duplicates(first, last, on) == [], (first, last, on)
    finally:
        dariusz.db.dispose()
    assert _lookups(office, "dariusz", office.aisha_case) == []
    with office.sql("dariusz") as sql:
        # Called by hand, the function is no wider: a surname alone or a bare "VERU-" is
        # nothing, and an administrator (no case role) may not call it at all.
        for wanted in (
            ("VERU-%", None, None, []),
            (None, "%", None, []),
            (None, None, born, ["lukasiewicz"]),
            (None, None, born, ["lukasiewicz%"]),
        ):
            found = sql.execute("SELECT * FROM veru_server.on_record(%s, %s, %s, %s)", wanted)
            assert found.fetchall() == [], wanted
    with office.sql("sam") as sam, pytest.raises(psycopg.errors.InsufficientPrivilege):
        sam.execute("SELECT * FROM veru_server.on_record(NULL, NULL, NULL, NULL)")


@pytest.mark.slow
def test_an_enforced_server_takes_a_migrated_office_and_runs_the_bench(
    empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    """The move a unit makes: a demo office on one PC, migrate-to as the owner, server setup,
    then the bench on the server signed in as the manager's own login, every operation
    (once each) finishing without an error."""
    from veru_desk.demo import DEMO_PASSWORD

    file = tmp_path / "office.db"
    environment = {"VERU_DESK_USER": "admin", "VERU_DESK_PASSWORD": DEMO_PASSWORD}

    def veru_desk(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "veru_desk", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "VERU_DESK_DATA_DIR": str(tmp_path / "data"), **environment,
                 **extra},
            timeout=600,
        )  # fmt: skip

    made = veru_desk("demo-data", "--people", "40", "--no-encryption", "--database", str(file))
    assert made.returncode == 0, made.stderr
    moved = veru_desk("migrate-to", empty_database.owner_url, "--database", str(file))
    assert moved.returncode == 0, moved.stderr
    set_up = veru_desk("server", "setup", empty_database.owner_url, "--admin", "admin")
    assert set_up.returncode == 0, set_up.stderr
    reset = veru_desk(
        "users", "reset-password", "priya", "--database", empty_database.url,
        VERU_DESK_NEW_PASSWORD=DEMO_PASSWORD,
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    # As at her first sign-in after a reset: she chooses her own (the app insists first).
    chosen = "Priya's own passphrase for the server"
    db, priya = open_for_user(resolve_database(empty_database.url), "priya", DEMO_PASSWORD)
    try:
        Services(db, priya).users.change_own_password(DEMO_PASSWORD, chosen)
    finally:
        db.dispose()
    figures = tmp_path / "bench.json"
    bench = veru_desk(
        "bench", "--database", empty_database.url, "--repeat", "1", "--json", str(figures),
        VERU_DESK_USER="priya", VERU_DESK_PASSWORD=chosen,
    )  # fmt: skip
    assert bench.returncode in (0, 3), bench.stderr  # 3: over a budget, timed all the same
    errors = {
        op["name"]: op["error"]
        for op in json.loads(figures.read_text())["operations"]
        if op.get("error")
    }
    assert errors == {}, bench.stderr[-3000:]


def test_an_import_preview_finds_anothers_case_on_record_only_through_the_server(
    office: Office,
) -> None:
    """A caseworker's file naming Aisha's young person: on the enforced server the preview
    still says who is on record, and whose (read from the server's look-up, as the rows are
    hidden), audited; reading only his own rows, it had offered to make them anew."""
    from tests.services.test_imports import csv_bytes, row

    born = _born(office, office.aisha_case)
    data = csv_bytes(
        [
            row(first_name="Tomasz", last_name="Łukasiewicz", date_of_birth=f"{born:%d/%m/%Y}"),
            row(first_name="Siobhán", last_name="Nic Giolla", date_of_birth="12/09/2010"),
        ]
    )
    dariusz = office.as_user("dariusz")
    try:
        known, new = dariusz.imports.preview(data).rows
    finally:
        dariusz.db.dispose()
    assert (known.existing_person_id, known.existing_on_record_only) == (office.aisha_case, True)
    assert known.existing_worker == "Aisha Mohamed" and known.existing_case_ref
    assert new.existing_person_id is None
    [lookup] = _lookups(office, "dariusz", office.aisha_case)
    assert "an import preview" in lookup and "allocated to Aisha Mohamed" in lookup
