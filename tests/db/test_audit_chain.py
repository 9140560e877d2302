"""The audit trail's hash chain: a trail rewritten with the key in hand is caught, with its row.

Tried as a curious colleague would: with the database open in a SQL client, drop or switch off
the append-only triggers, then delete or edit rows, or cut off the newest ones.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import Team, make_team
from veru_desk.config import resolve_database
from veru_desk.db import audit_chain
from veru_desk.db.engine import Database
from veru_desk.db.guards import REDACTED_SUMMARY
from veru_desk.db.health import check_database
from veru_desk.db.keyfile import KeyFile, WrongSecret, key_file_path
from veru_desk.db.models import AuditEvent
from veru_desk.db.opening import open_database
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.services import Services
from veru_desk.services.passwords import SignInError
from veru_desk.services.users import sign_out
from veru_desk.services.vault import create_database, open_for_user, open_with_recovery_key

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PRIYA_PASSWORD = "Priya's own passphrase 2026"


def _trail(db: Database, team: Team, rows: int = 6) -> None:
    """A few sign-outs by Priya and Ngozi's colleagues: rows in the trail to tamper with."""
    for index in range(rows):
        actor = (team.manager, team.dariusz, team.ciaran)[index % 3]
        sign_out(db, actor, summary=f"Signed out ({index}): Zoë Ó Briain's review done")


def _drop_guards(db: Database) -> None:
    with db.engine.begin() as connection:
        for name in ("audit_event_no_update", "audit_event_no_delete"):
            if db.is_sqlite:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
            else:
                connection.exec_driver_sql(f"DROP TRIGGER {name} ON audit_event")


def _problems(db: Database, team: Team) -> list[str]:
    return Services(db, team.admin).health.check().problems


def test_every_write_links_into_one_chain_that_verifies(db: Database) -> None:
    team = make_team(db)
    _trail(db, team)
    report = check_database(db.engine)
    assert report.problems == []
    assert any("chain verified up to row" in line for line in report.passed)
    with db.read() as session:
        ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    assert ids == list(range(ids[0], ids[0] + len(ids)))


def test_a_dropped_trigger_is_reported_by_check(db: Database) -> None:
    team = make_team(db)
    _trail(db, team, 2)
    assert _problems(db, team) == []
    _drop_guards(db)
    problems = _problems(db, team)
    assert any("audit_event_no_delete" in p and "missing" in p for p in problems), problems


def test_a_trigger_switched_off_on_the_server_is_reported(pg_db: Database) -> None:
    team = make_team(pg_db)
    with pg_db.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
    problems = _problems(pg_db, team)
    assert any("audit_event_no_update" in p and "disabled" in p for p in problems), problems


def test_a_deleted_audit_row_is_reported_with_its_row(db: Database) -> None:
    team = make_team(db)
    _trail(db, team)
    with db.read() as session:
        ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    _drop_guards(db)
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[2]})
    problems = _problems(db, team)
    assert any(f"broken at row {ids[3]}" in p and f"row(s) {ids[2]} to {ids[2]}" in p
               for p in problems), problems  # fmt: skip


def test_an_edited_audit_row_is_reported_with_its_row_and_when(db: Database) -> None:
    team = make_team(db)
    _trail(db, team)
    with db.read() as session:
        target = session.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(3)).first()
        assert target is not None
    _drop_guards(db)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET username = 'aisha' WHERE id = :id"), {"id": target.id}
        )
    problems = _problems(db, team)
    assert any(f"broken at row {target.id}" in p and "edited" in p for p in problems), problems
    when = f"{audit_chain._when(target.at)}"
    assert any(when in p for p in problems)


def test_an_edited_summary_is_caught_but_a_redaction_for_erasure_is_not(db: Database) -> None:
    team = make_team(db)
    _trail(db, team)
    with db.read() as session:
        first, second = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))[:2]
    with db.engine.begin() as connection:  # the one way the trigger lets through
        connection.execute(
            text("UPDATE audit_event SET summary = :s, changes = NULL WHERE id = :id"),
            {"s": REDACTED_SUMMARY, "id": first},
        )
    assert _problems(db, team) == []
    _drop_guards(db)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET summary = 'Signed out early' WHERE id = :id"),
            {"id": second},
        )
    problems = _problems(db, team)
    assert any(f"row {second}" in p and "summary or changes were edited" in p for p in problems)


def test_two_writers_at_once_on_the_server_never_fork_the_chain(pg_db: Database) -> None:
    team = make_team(pg_db)
    other = Database.open(pg_db.location)
    errors: list[BaseException] = []

    def write(db: Database, actor_index: int) -> None:
        try:
            _trail(db, team, 10)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(d, i)) for i, d in enumerate((pg_db, other))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.dispose()
    assert errors == []
    report = check_database(pg_db.engine)
    assert report.problems == []
    with pg_db.read() as session:
        assert session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == 20


def test_a_database_of_the_previous_release_opens_with_a_chain_that_verifies(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "schema-0003.db"
    shutil.copy(FIXTURES / "schema-0003.db", copy)
    db = open_database(resolve_database(str(copy)))
    try:
        with db.engine.connect() as connection:
            report = audit_chain.verify_chain(connection)
        assert report.ok, report.problem
        assert report.rows == 12
        assert check_database(db.engine).problems == []
    finally:
        db.dispose()


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    location = resolve_database(str(tmp_path / "office" / "veru-desk.db"))
    created = create_database(
        location,
        "admin",
        "Ngozi Okonkwo-Adeyemi",
        "Ngozi's admin passphrase",
        extra_users=[("priya", "Priya Raghunathan", frozenset({Role.MANAGER}), PRIYA_PASSWORD)],
    )
    created.db.dispose()
    assert location.path is not None
    return location.path


def test_the_newest_rows_cut_off_are_caught_against_the_head_in_the_key_file(
    encrypted: Path,
) -> None:
    location = resolve_database(str(encrypted))
    db, priya = open_for_user(location, "priya", PRIYA_PASSWORD)
    for index in range(3):
        sign_out(db, priya, summary=f"Signed out ({index})")  # each records the head outside
    with db.read() as session:
        newest = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    head = KeyFile.load(key_file_path(encrypted)).audit_record("head")
    assert head["id"] == newest
    assert Services(db, priya).health.check().problems == []
    with db.engine.begin() as connection:  # with the key: triggers dropped, newest rows gone
        connection.exec_driver_sql("DROP TRIGGER audit_event_no_delete")
        connection.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": newest - 1})
        connection.execute(
            text(
                "UPDATE audit_chain_head SET last_id = id2, last_hash = h FROM "
                "(SELECT id AS id2, chain_hash AS h FROM audit_event ORDER BY id DESC LIMIT 1)"
            )
        )
    problems = Services(db, priya).health.check().problems
    assert any(
        f"reached row {newest}" in p and "the key file" in p and "newest rows were removed" in p
        for p in problems
    ), problems
    db.dispose()


def _failed_sign_ins(db: Database) -> list[tuple[str | None, str]]:
    with db.read() as session:
        rows = session.execute(
            select(AuditEvent.username, AuditEvent.summary)
            .where(AuditEvent.action == AuditAction.FAILED_LOGIN)
            .order_by(AuditEvent.id)
        ).all()
    return [(row.username, row.summary or "") for row in rows]


def test_failed_sign_ins_on_an_encrypted_file_reach_the_trail_at_the_next_open(
    encrypted: Path,
) -> None:
    location = resolve_database(str(encrypted))
    for guess in ("priya2026 guess one", "priya2026 guess two"):
        with pytest.raises(SignInError):
            open_for_user(location, "priya", guess)
    with pytest.raises(SignInError):
        open_for_user(location, "tomasz.lukasiewicz", "a guess at a password")
    queued = KeyFile.load(key_file_path(encrypted)).audit_record("failures")
    assert len(queued["entries"]) == 3
    assert "priya" not in json.dumps(queued) and "tomasz" not in json.dumps(queued)
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)
    failures = _failed_sign_ins(db)
    assert [name for name, _summary in failures] == ["priya", "priya", "unknown username"]
    assert all("queued in the key file" in s and "not verified" not in s for _n, s in failures)
    assert all("unsigned" in s for _n, s in failures)  # the file had no signing key yet
    assert KeyFile.load(key_file_path(encrypted)).audit_record("failures")["entries"] == []
    db.dispose()
    # Opened again: nothing is written twice.
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)
    assert len(_failed_sign_ins(db)) == 3
    db.dispose()


def test_a_queued_failure_removed_from_the_key_file_is_reported(encrypted: Path) -> None:
    location = resolve_database(str(encrypted))
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)  # starts a signed queue
    db.dispose()
    for guess in ("first wrong guess", "second wrong guess", "third wrong guess"):
        with pytest.raises(SignInError):
            open_for_user(location, "priya", guess)
    path = key_file_path(encrypted)
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["audit"]["failures"]["entries"][0]  # the first attempt, wiped by whoever made it
    path.write_text(json.dumps(data), encoding="utf-8")
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)
    summaries = [s for _n, s in _failed_sign_ins(db)]
    assert any("was changed or an entry before it removed" in s for s in summaries), summaries
    db.dispose()


def test_signed_failures_verify_and_the_newest_cut_off_are_reported(encrypted: Path) -> None:
    location = resolve_database(str(encrypted))
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)  # starts a signed queue
    db.dispose()
    for guess in ("Siobhán guessed once", "Siobhán guessed twice"):
        with pytest.raises(SignInError):
            open_for_user(location, "priya", guess)
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)
    summaries = [s for _n, s in _failed_sign_ins(db)]
    assert len(summaries) == 2
    assert all("unsigned" not in s and "not verified" not in s for s in summaries), summaries
    db.dispose()
    for guess in ("Dariusz guessed once", "Dariusz guessed twice"):
        with pytest.raises(SignInError):
            open_for_user(location, "priya", guess)
    path = key_file_path(encrypted)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["audit"]["failures"]["entries"].pop()  # the newest attempt, removed
    path.write_text(json.dumps(data), encoding="utf-8")
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)
    summaries = [s for _n, s in _failed_sign_ins(db)]
    assert any("newest entries" in s and "were removed" in s for s in summaries), summaries
    db.dispose()


def test_the_newest_rows_cut_off_a_plain_file_are_caught_against_its_latest_backup(
    db_path: Path,
) -> None:
    db = Database.open(resolve_database(str(db_path)))
    try:
        team = make_team(db)
        _trail(db, team, 4)
        backup = Services(db, team.admin).backups.backup_now()
        with db.read() as session:
            newest = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
        recorded = json.loads(backup.with_name(backup.name + ".audit-head").read_text("utf-8"))
        assert recorded["id"] == newest - 1  # the backup's own row comes after the copy
        assert _problems(db, team) == []
        _drop_guards(db)
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_event WHERE id >= :id"), {"id": newest - 2})
            connection.execute(text("DELETE FROM audit_chain_head"))
        problems = _problems(db, team)
        assert any(
            f"reached row {newest - 1}" in p and backup.name in p for p in problems
        ), problems
    finally:
        db.dispose()


def test_a_wrong_recovery_key_is_queued_and_audited_at_the_next_open(encrypted: Path) -> None:
    location = resolve_database(str(encrypted))
    with pytest.raises(WrongSecret):
        open_with_recovery_key(location, "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF-GGGGG-HHHHH")
    db, _priya = open_for_user(location, "priya", PRIYA_PASSWORD)
    assert [(n, s.split(",")[0]) for n, s in _failed_sign_ins(db)] == [
        ("recovery-key", "Wrong recovery key")
    ]
    db.dispose()
