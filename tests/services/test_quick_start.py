"""The start-up read (``services.quick_start``): the same caseload as the caseload service, on
both engines, for a manager and for a caseworker; nothing written; and every start that is not
the plainest kind left to the usual sign-in, which counts, locks and audits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, User
from veru_desk.demo import DEMO_PASSWORD, add_demo_team, generate_demo_data
from veru_desk.services import Services, quick_start
from veru_desk.services.caseload import CaseloadFilter, CaseloadSort
from veru_desk.services.quick_start import read_first_screen
from veru_desk.services.users import sign_in


@pytest.fixture
def unit(db: Database) -> Database:
    """The demo team (with their published demo password) and 120 young people."""
    add_demo_team(db)
    generate_demo_data(db, people=120, seed=11)
    return db


def _audit_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("username", ["priya", "dariusz"])
def test_the_first_screen_is_the_caseload_services_own_answer(
    unit: Database, database_target: str, username: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quick_start, "FIRST_PAGE_ROWS", 3)  # a page boundary inside the data
    before = _audit_count(unit)

    first = read_first_screen(resolve_database(database_target), username, DEMO_PASSWORD)

    assert first is not None
    assert first.actor == sign_in(unit, username, DEMO_PASSWORD)
    caseload = Services(unit, first.actor).caseload
    ids = caseload.ids(CaseloadFilter(open_only=True), CaseloadSort.NAME)
    assert len(ids) > 3
    assert first.caseload_ids == ids
    # The same rows, less what the start-up read leaves to the first fetch after the paint
    # (what is overdue, the flags): None there, "not read yet", never a wrong "nothing".
    assert first.caseload_rows == [
        replace(row, overdue=None, flags=None) for row in caseload.rows(ids[:3])
    ]
    assert first.key is None
    assert _audit_count(unit) == before + 1  # the LOGIN of sign_in above, nothing from the read


def test_a_caseworker_sees_only_their_own_cases_first(unit: Database, database_target: str) -> None:
    first = read_first_screen(resolve_database(database_target), "dariusz", DEMO_PASSWORD)
    assert first is not None and first.caseload_rows
    assert {row.worker for row in first.caseload_rows} == {"Dariusz Wójcik"}


def _change(db: Database, username: str, **values: object) -> None:
    with db.write() as session:
        session.execute(update(User).where(User.username == username).values(**values))


@pytest.mark.parametrize(
    ("username", "password", "change"),
    [
        pytest.param("priya", "not-the-password", {}, id="wrong password"),
        pytest.param("nobody", DEMO_PASSWORD, {}, id="unknown user"),
        pytest.param("priya", DEMO_PASSWORD, {"active": False}, id="disabled"),
        pytest.param("priya", DEMO_PASSWORD, {"failed_attempts": 5}, id="locked"),
        pytest.param("priya", DEMO_PASSWORD, {"must_change_password": True}, id="must change"),
        pytest.param("admin", DEMO_PASSWORD, {}, id="no case role"),
    ],
)
def test_anything_but_the_plainest_start_is_left_to_the_usual_sign_in(
    unit: Database, database_target: str, username: str, password: str, change: dict[str, object]
) -> None:
    import datetime as dt

    if change.pop("failed_attempts", None):
        change["locked_until"] = dt.datetime(2099, 1, 1)
    if change:
        _change(unit, username, **change)
    with unit.read() as session:
        users_before = [(u.failed_attempts, u.locked_until) for u in session.scalars(select(User))]
    before = _audit_count(unit)

    assert read_first_screen(resolve_database(database_target), username, password) is None

    with unit.read() as session:
        users_after = [(u.failed_attempts, u.locked_until) for u in session.scalars(select(User))]
    assert users_after == users_before  # counting failures is sign_in's, not the read's
    assert _audit_count(unit) == before


def test_a_database_on_another_schema_revision_starts_the_usual_way(
    unit: Database, database_target: str
) -> None:
    with unit.write() as session:
        session.connection().exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    assert read_first_screen(resolve_database(database_target), "priya", DEMO_PASSWORD) is None


@pytest.mark.sqlite_only
def test_no_database_yet_starts_the_usual_way(tmp_path: Path) -> None:
    assert read_first_screen(resolve_database(str(tmp_path / "new.db")), "priya", "x") is None


@pytest.mark.sqlite_only
def test_an_encrypted_file_is_read_with_the_key_the_password_unwraps(tmp_path: Path) -> None:
    from veru_desk.db.keyfile import KeyFile, key_file_path, user_slot
    from veru_desk.demo import create_demo_database

    location = resolve_database(str(tmp_path / "secret.db"))
    created = create_demo_database(location)
    # Enough people that some cases are open whatever today's date makes of the story (20
    # with seed 3 had none open on 7 December 2026, and this test failed that day).
    generate_demo_data(created.db, people=60, seed=3)
    key = created.db.key
    priya = Services(created.db, sign_in(created.db, "priya", DEMO_PASSWORD))
    open_cases = set(priya.caseload.ids(CaseloadFilter(open_only=True)))
    created.db.dispose()

    first = read_first_screen(location, "priya", DEMO_PASSWORD)
    assert first is not None and first.key == key
    assert open_cases and set(first.caseload_ids) == open_cases

    assert read_first_screen(location, "priya", "not-the-password") is None
    keys = KeyFile.load(key_file_path(location.path))  # type: ignore[arg-type]
    assert keys.locked_until(user_slot("priya")) is None  # the read counted nothing


def test_a_database_without_users_is_a_first_start(db: Database, database_target: str) -> None:
    location = resolve_database(database_target)
    assert not quick_start.has_users(location)
    add_demo_team(db)
    assert quick_start.has_users(location)
