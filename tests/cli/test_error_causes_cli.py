"""Every error tells the truth about its cause, through the real command in its own process
(issue #13, finding 9): locked by another program (try again, with how long it waited), a
server that is not running, a wrong password or key, and only for a damaged file: restore.
And a read-only command works while another program holds the write lock.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.cli.test_cli_subprocess import PASSWORD, child_env
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.services.users import add_user
from veru_desk.services.vault import create_database

# Holds SQLite's write lock (BEGIN IMMEDIATE) on a file, as another VERU Desk saving would,
# until told to let go (or for at most a minute).
HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


def with_manager(db_path: Path) -> None:
    db = Database.open(resolve_database(str(db_path)))
    with db.write() as session:
        add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
    db.dispose()


def veru_desk(
    tmp_path: Path, *args: str, password: str = PASSWORD, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "veru_desk", *args],
        capture_output=True,
        text=True,
        env=child_env(tmp_path, VERU_DESK_PASSWORD=password, **env),
        timeout=180,
        check=False,
    )


def hold_write_lock(db_path: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.write("go\n")
    holder.stdin.flush()
    holder.wait(timeout=30)


def no_bad_advice(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "restore" not in stderr.lower()
    assert "could not be opened or read" not in stderr


def test_a_write_while_another_program_holds_the_lock_says_locked_and_how_long(
    db_path: Path, tmp_path: Path
) -> None:
    with_manager(db_path)
    holder = hold_write_lock(db_path)
    try:
        started = time.monotonic()
        result = veru_desk(
            tmp_path,
            "users",
            "add",
            "tomasz",
            "--display-name",
            "Tomasz Łukasiewicz",
            "--role",
            "caseworker",
            "--database",
            str(db_path),
            "--user",
            "priya",
            VERU_DESK_BUSY_TIMEOUT="1",
            VERU_DESK_NEW_PASSWORD="a long and unusual phrase",
        )
        elapsed = time.monotonic() - started
    finally:
        release(holder)
    assert result.returncode == 1, result.stdout
    assert "The database is locked" in result.stderr
    assert "waited 1 second" in result.stderr
    assert "try again" in result.stderr
    no_bad_advice(result.stderr)
    assert elapsed < 60


def test_cases_succeeds_while_another_program_writes_and_its_sign_in_is_audited(
    db_path: Path, tmp_path: Path
) -> None:
    with_manager(db_path)
    holder = hold_write_lock(db_path)
    output = tmp_path / "cases.txt"
    command = [sys.executable, "-m", "veru_desk", "cases", "--database", str(db_path)]
    command += ["--user", "priya"]
    with output.open("w") as out:
        child = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(tmp_path, VERU_DESK_PASSWORD=PASSWORD, VERU_DESK_BUSY_TIMEOUT="1"),
        )
    try:
        assert child.stderr is not None
        waiting = child.stderr.readline()  # stderr is line-buffered
        # The read went ahead under the lock and its output is already there...
        assert "waiting to record this sign-in in the audit trail" in waiting
        assert output.read_text().splitlines()[-1] == "0 cases"
        # ...and the command keeps waiting, for several busy timeouts, rather than give up
        # and leave the sign-in unrecorded.
        time.sleep(4)
        assert child.poll() is None, child.stderr.read()
    finally:
        release(holder)
    _out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    db = Database.open(resolve_database(str(db_path)))
    with db.read() as session:
        logins = session.scalars(
            select(AuditEvent.summary).where(
                AuditEvent.action == AuditAction.LOGIN, AuditEvent.username == "priya"
            )
        ).all()
    db.dispose()
    assert len(logins) == 1
    assert logins[0].startswith("Signed in (command line: cases), recorded ")


def test_cases_without_a_lock_records_the_sign_in_at_once(db_path: Path, tmp_path: Path) -> None:
    with_manager(db_path)
    result = veru_desk(tmp_path, "cases", "--database", str(db_path), "--user", "priya")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    db = Database.open(resolve_database(str(db_path)))
    with db.read() as session:
        summaries = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == AuditAction.LOGIN)
        ).all()
    db.dispose()
    assert summaries == ["Signed in (command line: cases)"]


def test_a_wrong_password_on_a_read_command_is_counted_and_refused(
    db_path: Path, tmp_path: Path
) -> None:
    with_manager(db_path)
    result = veru_desk(
        tmp_path, "cases", "--database", str(db_path), "--user", "priya", password="not it at all"
    )
    assert result.returncode == 1
    assert "The username or password is not right." in result.stderr
    no_bad_advice(result.stderr)
    db = Database.open(resolve_database(str(db_path)))
    with db.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    db.dispose()
    assert actions == [AuditAction.FAILED_LOGIN]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_server_that_is_not_running_is_reported_as_unreachable(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://priya:secret@127.0.0.1:{_free_port()}/veru"
    result = veru_desk(tmp_path, "cases", "--database", url, "--user", "priya")
    assert result.returncode == 1
    assert "cannot be reached (connection refused: is the server running?)" in result.stderr
    no_bad_advice(result.stderr)


@pytest.fixture(scope="module")
def password_server() -> Iterator[tuple[int, str]]:
    """A PostgreSQL server that checks passwords (the shared test server trusts everyone)."""
    from tests.pg_server import _as_server_user, missing_reason, running_as_root

    reason = missing_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests SKIPPED: {reason}")
    folder = Path(tempfile.mkdtemp(prefix="veru-pg-auth-"))
    secret = "Okonkwo-Adeyemi 2026"
    (folder / "pw").write_text(secret + "\n")
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
        yield port, secret
    finally:
        subprocess.run(
            _as_server_user(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_a_wrong_server_password_is_reported_as_such(
    tmp_path: Path, password_server: tuple[int, str]
) -> None:
    port, _secret = password_server
    url = f"postgresql+psycopg://postgres:wrong-password@127.0.0.1:{port}/postgres"
    result = veru_desk(tmp_path, "cases", "--database", url, "--user", "priya")
    assert result.returncode == 1
    assert "The database server refused the password for postgres" in result.stderr
    no_bad_advice(result.stderr)


def test_a_key_file_of_another_database_is_reported_as_the_wrong_key(tmp_path: Path) -> None:
    first, second = tmp_path / "luton.db", tmp_path / "dunstable.db"
    for path in (first, second):
        made = create_database(
            resolve_database(str(path)), "priya", "Priya Raghunathan", PASSWORD, encrypted=True
        )
        made.db.dispose()
    shutil.copy(second.with_name("dunstable.db.keys"), first.with_name("luton.db.keys"))
    result = veru_desk(tmp_path, "users", "list", "--database", str(first), "--user", "priya")
    assert result.returncode == 1
    assert "cannot be decrypted with the key from its key file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_damaged_file_and_only_a_damaged_file_is_told_to_restore(
    db_path: Path, tmp_path: Path
) -> None:
    with_manager(db_path)
    data = bytearray(db_path.read_bytes())
    page = 4096
    data[page:] = os.urandom(len(data) - page)  # every page but the header's: random bytes
    db_path.write_bytes(bytes(data))
    result = veru_desk(tmp_path, "cases", "--database", str(db_path), "--user", "priya")
    assert result.returncode == 1
    # Refused as the start-of-day check refuses a damaged file, looking for a good backup to
    # offer (there is none here, and it says so and what to do).
    assert "failed its integrity check (database disk image is malformed)" in result.stderr
    assert "There is no good backup in the backup folder: ask IT to recover the file" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_file_of_random_bytes_is_not_blamed_on_a_missing_key_file_alone(
    tmp_path: Path,
) -> None:
    junk = tmp_path / "veru.db"
    junk.write_bytes(os.urandom(64 * 1024))
    result = veru_desk(tmp_path, "cases", "--database", str(junk), "--user", "priya")
    assert result.returncode == 1
    assert "put its key file back" in result.stderr
    assert "the file is damaged" in result.stderr


@pytest.mark.postgres
def test_on_a_server_cases_reads_during_a_long_save_and_a_write_says_locked(
    pg_url: str, tmp_path: Path
) -> None:
    """The office server's write lock (an advisory lock every save takes) held by another PC."""
    import psycopg

    from veru_desk.db.driver import server_conninfo

    db = Database.open(resolve_database(pg_url))
    with db.write() as session:
        add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
    other_pc = psycopg.connect(server_conninfo(pg_url), autocommit=True)
    other_pc.execute("SELECT pg_advisory_lock(1447383637)")
    try:
        write = veru_desk(
            tmp_path,
            "users",
            "add",
            "tomasz",
            "--display-name",
            "Tomasz Łukasiewicz",
            "--role",
            "caseworker",
            "--database",
            pg_url,
            "--user",
            "priya",
            VERU_DESK_BUSY_TIMEOUT="1",
            VERU_DESK_NEW_PASSWORD="a long and unusual phrase",
        )
        command = [sys.executable, "-m", "veru_desk", "cases", "--database", pg_url]
        command += ["--user", "priya"]
        read = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(tmp_path, VERU_DESK_PASSWORD=PASSWORD, VERU_DESK_BUSY_TIMEOUT="1"),
        )
        assert read.stderr is not None
        assert "waiting to record this sign-in" in read.stderr.readline()
    finally:
        other_pc.execute("SELECT pg_advisory_unlock(1447383637)")
        other_pc.close()
    out, err = read.communicate(timeout=120)
    assert read.returncode == 0, err
    assert out.splitlines()[-1] == "0 cases"
    assert write.returncode == 1
    assert "The database is locked" in write.stderr and "waited 1 second" in write.stderr
    no_bad_advice(write.stderr)
    with db.read() as session:
        logins = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == AuditAction.LOGIN)
        ).all()
    db.dispose()
    assert len(logins) == 1 and logins[0].startswith("Signed in (command line: cases)")


@pytest.mark.skipif(sys.platform == "win32", reason="a child is sent SIGINT only on POSIX")
def test_cases_interrupted_while_waiting_to_audit_says_the_sign_in_was_not_recorded(
    db_path: Path, tmp_path: Path
) -> None:
    import signal

    with_manager(db_path)
    holder = hold_write_lock(db_path)
    command = [sys.executable, "-m", "veru_desk", "cases", "--database", str(db_path)]
    command += ["--user", "priya"]
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(tmp_path, VERU_DESK_PASSWORD=PASSWORD, VERU_DESK_BUSY_TIMEOUT="1"),
        # Ctrl+C as at a terminal, however the tests were started: a run started in the
        # background of a script ignores SIGINT, and its children (this one) inherit that.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert child.stderr is not None
        assert "waiting to record this sign-in" in child.stderr.readline()
        child.send_signal(signal.SIGINT)
        err = child.stderr.read()
        child.wait(timeout=60)
    finally:
        release(holder)
    assert child.returncode == 130, err
    assert "the sign-in of priya at" in err and "was NOT recorded in the audit trail" in err
