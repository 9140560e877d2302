"""Crash safety: a save either fully happens or not at all.

A child process saves notes and sessions through the real services in a loop, printing each
id only after its transaction committed, and is killed with SIGKILL at random moments. After
every kill the file must pass SQLite's integrity check and hold every save the child
reported. Then the start-up check: a damaged file is refused, naming the latest good backup.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.db.child_processes import allocated_case, finished_lines, go, start_child
from veru_desk.config import backup_dir_for, resolve_database
from veru_desk.db.backup import backup_sqlite, timestamped_name
from veru_desk.db.engine import Database
from veru_desk.db.health import check_database
from veru_desk.db.integrity import DamagedDatabase, quick_check
from veru_desk.db.opening import open_database, start_of_day_checks
from veru_desk.demo import DEMO_PASSWORD
from veru_desk.resources import resource_path
from veru_desk.services import Services

# Only the tests that kill with SIGKILL need POSIX; the damaged-file and first-start tests run
# on Windows too.
needs_sigkill = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

TABLES = {"note": "case_note", "session": "mentoring_session"}
TEMPLATE_CSV = resource_path("referrals-template.csv")


def kill_at_random_moments(db_path: Path, person_id: int, kills: int, seed: int) -> int:
    """Runs ``kills`` child lives; returns how many saves the children reported in all."""
    rng = random.Random(seed)
    reported_total = 0
    for life in range(kills):
        child = start_child(db_path, "dariusz", "loop", person_id)
        go(child)
        time.sleep(rng.uniform(0.020, 0.300))
        child.send_signal(signal.SIGKILL)
        output, errors = child.communicate(timeout=30)
        assert child.returncode == -signal.SIGKILL, errors
        reported = finished_lines(output)
        reported_total += len(reported)
        connection = sqlite3.connect(db_path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", life
            for line in reported:
                kind, _, ident = line.partition(":")
                found = connection.execute(
                    f"SELECT count(*) FROM {TABLES[kind]} WHERE id = ?", (int(ident),)
                ).fetchone()[0]
                assert found == 1, f"life {life}: {line} was reported saved but is missing"
        finally:
            connection.close()
    return reported_total


def _run(db: Database, as_manager: Services, as_dariusz: Services, kills: int, seed: int) -> None:
    assert as_dariusz.actor.user_id is not None
    person_id = allocated_case(as_manager, as_dariusz.actor.user_id, "Łukasz", "Wiśniewski")
    db_path = db.location.path
    assert db_path is not None
    db.dispose()  # the parent holds no connection while children write
    started = time.monotonic()
    saves = kill_at_random_moments(db_path, person_id, kills, seed)
    elapsed = time.monotonic() - started
    print(f"{kills} kills, {saves} committed saves checked, {elapsed:.1f} s")
    assert saves > 0, "the children never got to save: the kills tested nothing"
    assert len(as_manager.notes.for_person(person_id)) >= saves // 2


@needs_sigkill
def test_a_killed_writer_never_leaves_a_damaged_file_or_loses_a_reported_save(
    db: Database, as_manager: Services, as_dariusz: Services
) -> None:
    _run(db, as_manager, as_dariusz, kills=5, seed=20260101)


@pytest.mark.slow
@needs_sigkill
def test_fifty_kills_at_random_moments_lose_nothing(
    db: Database, as_manager: Services, as_dariusz: Services
) -> None:
    _run(db, as_manager, as_dariusz, kills=50, seed=8)


def _damage(path: Path) -> None:
    """Overwrites the middle of the file, as a failing disk or a torn copy would."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\x5a" * 4096 * 2)


def _table_heavy_database(path: Path) -> Database:
    db = open_database(resolve_database(str(path)))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE filler (id INTEGER PRIMARY KEY, words TEXT)")
        conn.exec_driver_sql("CREATE INDEX ix_filler_words ON filler (words)")
        for number in range(3000):
            conn.exec_driver_sql(
                "INSERT INTO filler (words) VALUES (?)", (f"Łukasz Wiśniewski {number:05d}",)
            )
    return db


def test_a_sound_database_passes_the_quick_check(db: Database) -> None:
    assert quick_check(db.engine) is None
    assert check_database(db.engine).ok


def test_a_damaged_database_is_refused_at_start_offering_the_latest_good_backup(
    tmp_path: Path,
) -> None:
    path = tmp_path / "veru.db"
    db = _table_heavy_database(path)
    folder = backup_dir_for(resolve_database(str(path)))
    good = backup_sqlite(db.engine, folder / timestamped_name("daily", database=path))
    newer_but_broken = folder / "veru-manual-29991231-235959.db"
    newer_but_broken.write_bytes(b"not a database at all")
    db.dispose()
    _damage(path)

    with pytest.raises(DamagedDatabase) as refused:
        start_of_day_checks(open_database(resolve_database(str(path))))
    assert refused.value.backup == good
    assert good.name in str(refused.value)
    assert "failed its integrity check" in str(refused.value)


def test_a_damaged_database_with_no_backup_says_so(tmp_path: Path) -> None:
    path = tmp_path / "veru.db"
    _table_heavy_database(path).dispose()
    _damage(path)
    with pytest.raises(DamagedDatabase, match="no good backup") as refused:
        start_of_day_checks(open_database(resolve_database(str(path))))
    assert refused.value.backup is None


# --- killing the commands that make, fill, restore and import (issue #13, finding 8) ----------
#
# Each life starts a real ``veru-desk`` command in its own process and kills it with SIGKILL at
# a random moment, then checks what a person starting VERU Desk next would find: no database at
# all (a first start again, with no leftovers), or one that opens and passes ``veru-desk
# check``; and a database that existed before the kill still holds every record it had.

ADMIN_PASSWORD = "correct horse battery staple"
FIRST_NAMES = ("Zoë", "Dariusz", "Ngozi", "Siobhán", "Tomasz", "Aaliyah", "Ciarán", "Mehmet",
               "Oluwaseun", "Agnieszka", "Rahim", "Chloé", "Kwame", "Ioana", "Yusuf")  # fmt: skip
LAST_NAMES = ("Ó Briain", "Wójcik", "Okonkwo-Adeyemi", "Nic Giolla", "Łukasiewicz", "Begum",
              "Mensah", "Popescu", "Yılmaz", "Kowalczyk", "Hussain", "Achterberg", "Ní Bhriain",
              "Sithole", "Brennan", "Nowak", "Adebayo", "Dąbrowska", "Farah", "Haddad")  # fmt: skip


def _env(home: Path, password: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERU_DESK_")}
    env.update(VERU_DESK_DATA_DIR=str(home / "userdata"), VERU_DESK_PASSWORD=password)
    return env


def _veru(home: Path, database: Path, *args: str, password: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "veru_desk", "--database", str(database), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=_env(home, password),
    )


def _finish(child: subprocess.Popen[str]) -> tuple[int, str]:
    _out, err = child.communicate(timeout=180)
    return child.returncode, err


def _run_command(home: Path, database: Path, *args: str, password: str) -> None:
    status, err = _finish(_veru(home, database, *args, password=password))
    assert status == 0, err


landed: list[bool] = []  # one per life: did the kill land before the command finished?
# How long each command runs on this machine, learnt as the lives go on (a shared two-core
# machine varies): a kill lands anywhere up to the estimate, which shrinks when the command
# finished first and grows when the kill landed, so the lives reach its last moments too.
estimates: dict[str, float] = {}
FIRST_ESTIMATES = {"new demo": 2.0, "init": 1.0, "demo": 1.2, "restore": 0.8, "import": 0.9}


def _kill_at(child: subprocess.Popen[str], what: str, rng: random.Random) -> None:
    estimate = estimates.setdefault(what, FIRST_ESTIMATES[what])
    time.sleep(rng.uniform(0.1, 1.0) * estimate)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    status, err = _finish(child)
    assert status in (0, -signal.SIGKILL), err
    landed.append(status == -signal.SIGKILL)
    estimates[what] = estimate * (1.15 if landed[-1] else 0.7)


def _passes_check(home: Path, database: Path, user: str, password: str) -> None:
    status, err = _finish(_veru(home, database, "check", "--user", user, password=password))
    assert status == 0, f"`veru-desk check` on the survivor failed: {err}"


def _records(database: Path) -> dict[str, set[int]]:
    with sqlite3.connect(database) as connection:
        return {
            table: {row[0] for row in connection.execute(f"SELECT id FROM {table}")}
            for table in ("young_person", "referral", "case_note", "mentoring_session", "user")
        }


def _new_database_survives(home: Path, database: Path, user: str, password: str) -> str:
    """After a kill while a new database was made: nothing, or a whole database."""
    from veru_desk.db.driver import DatabaseKind, kind_of

    kind = kind_of(resolve_database(str(database)))  # what the next start does first
    left = sorted(p.name for p in database.parent.iterdir())
    if kind is DatabaseKind.NEW:
        assert left == [], f"a killed first start left {left}"
        return "nothing"
    assert not [name for name in left if ".creating-" in name], left
    _passes_check(home, database, user, password)
    return "whole"


@dataclass
class _Templates:
    home: Path
    bare: Path  # ``init --no-encryption``: the schema, no users, no cases
    small: Path  # 25 demo people, plain file
    larger: Path  # the same plus 60 more
    backup: Path  # a backup of ``small``
    csv: Path  # 300 new referrals


def _templates(home: Path) -> _Templates:
    made = home / "templates"
    made.mkdir(parents=True)
    small, larger, backup = made / "small.db", made / "larger.db", made / "small-copy.db"
    bare = made / "bare.db"
    _run_command(home, bare, "init", "--no-encryption", password=DEMO_PASSWORD)
    _run_command(home, small, "demo-data", "--people", "25", "--no-encryption",
                 password=DEMO_PASSWORD)  # fmt: skip
    shutil.copy(small, larger)
    _run_command(home, larger, "demo-data", "--people", "60", "--seed", "2", "--user", "priya",
                 password=DEMO_PASSWORD)  # fmt: skip
    _run_command(home, small, "backup", "-o", str(backup), "--user", "admin",
                 password=DEMO_PASSWORD)  # fmt: skip
    csv_path = made / "partner.csv"
    header = TEMPLATE_CSV.read_text(encoding="utf-8").splitlines()[0]
    rows = [header]
    for number in range(300):
        first = FIRST_NAMES[number % len(FIRST_NAMES)]
        last = LAST_NAMES[number // len(FIRST_NAMES) % len(LAST_NAMES)]
        born = f"{1 + number % 28:02d}/{1 + number % 12:02d}/{2009 + number % 5}"
        rows.append(
            f"{first},{last},,{born},female,White Irish,LU4 9AB,\"{number} Leagrave Road, Luton\","
            f"07700 900{number:03d},,Lealands High School,02/02/2026,Luton Youth Justice "
            "Service,Kwame Mensah,k.mensah@example.org,knife,Seen with a blade near the park.,"
            "yes,yes"
        )
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for path in (bare, small, larger, backup):
        assert not path.with_name(path.name + "-wal").exists()
    return _Templates(home, bare, small, larger, backup, csv_path)


def _life_new_demo(t: _Templates, life: Path, rng: random.Random) -> str:
    database = life / "veru.db"
    child = _veru(t.home, database, "demo-data", "--people", "40", password=DEMO_PASSWORD)
    _kill_at(child, "new demo", rng)
    return _new_database_survives(t.home, database, "priya", DEMO_PASSWORD)


def _life_new_init(t: _Templates, life: Path, rng: random.Random) -> str:
    database = life / "veru.db"
    child = _veru(t.home, database, "init", "--admin", "zoe", password=ADMIN_PASSWORD)
    _kill_at(child, "init", rng)
    return _new_database_survives(t.home, database, "zoe", ADMIN_PASSWORD)


def _life_existing_demo(t: _Templates, life: Path, rng: random.Random) -> str:
    """On a database with cases, or on one made by ``init --no-encryption`` with no users or
    cases yet: the bulk loader once dropped 11 indexes on the latter, and a kill left them so."""
    database = life / "veru.db"
    bare = rng.random() < 0.5
    shutil.copy(t.bare if bare else t.small, database)
    before = _records(database)
    seed = str(rng.randrange(2, 99))
    user = [] if bare else ["--user", "priya"]
    child = _veru(t.home, database, "demo-data", "--people", "400", "--seed", seed, *user,
                  password=DEMO_PASSWORD)  # fmt: skip
    _kill_at(child, "demo", rng)
    after = _records(database)
    if after["user"]:
        _passes_check(t.home, database, "priya", DEMO_PASSWORD)  # no index left dropped
    else:  # killed before the demo team was added: nobody to sign in as, so checked directly
        db = open_database(resolve_database(str(database)))
        try:
            assert check_database(db.engine).ok
        finally:
            db.dispose()
    assert all(before[table] <= after[table] for table in before)
    return "kept (no users yet)" if bare else "kept"


def _life_restore(t: _Templates, life: Path, rng: random.Random) -> str:
    database = life / "veru.db"
    shutil.copy(t.larger, database)
    before, restored = _records(database), _records(t.backup)
    child = _veru(t.home, database, "restore", str(t.backup), "--yes", "--user", "admin",
                  password=DEMO_PASSWORD)  # fmt: skip
    _kill_at(child, "restore", rng)
    _passes_check(t.home, database, "admin", DEMO_PASSWORD)
    after = _records(database)
    people = after["young_person"]
    # Either as it was or as the backup was: never a mix, never less than one of them.
    assert people in (before["young_person"], restored["young_person"]), len(people)
    return "as before" if after == before else "restored"


def _life_import(t: _Templates, life: Path, rng: random.Random) -> str:
    database = life / "veru.db"
    shutil.copy(t.larger, database)
    before = _records(database)
    child = _veru(t.home, database, "import-referrals", str(t.csv), "--user", "priya",
                  password=DEMO_PASSWORD)  # fmt: skip
    _kill_at(child, "import", rng)
    _passes_check(t.home, database, "priya", DEMO_PASSWORD)
    after = _records(database)
    assert all(before[table] <= after[table] for table in before)
    return "kept"


LIVES = {
    "demo-data on a new database": _life_new_demo,
    "init": _life_new_init,
    "demo-data on an existing database": _life_existing_demo,
    "restore": _life_restore,
    "import-referrals": _life_import,
}


def _kill_commands(tmp_path: Path, *, kills: int, rounds: int, seed: int) -> None:
    """Rounds of one life of every command until ``kills`` lives have ended in a kill (not
    in a command that finished first, which tests less), at most ``rounds`` of them."""
    rng = random.Random(seed)
    started = time.monotonic()
    templates = _templates(tmp_path)
    outcomes: Counter[str] = Counter()
    landed.clear()
    estimates.clear()
    for round_number in range(rounds):
        for name, life in LIVES.items():
            folder = tmp_path / "lives" / f"{round_number}-{name.replace(' ', '-')}"
            folder.mkdir(parents=True)
            outcome = life(templates, folder, rng)
            outcomes[f"{name}: {outcome}{'' if landed[-1] else ' (finished first)'}"] += 1
        if sum(landed) >= kills:
            break
    print(f"{sum(landed)} kills landed of {len(landed)} in {time.monotonic() - started:.1f} s")
    print(dict(outcomes))
    assert sum(landed) >= kills, f"only {sum(landed)} of {len(landed)} kills landed"


@needs_sigkill
def test_killed_commands_leave_no_database_or_a_whole_one_and_lose_no_record(
    tmp_path: Path,
) -> None:
    _kill_commands(tmp_path, kills=3, rounds=2, seed=20261205)


@pytest.mark.slow
@needs_sigkill
def test_twenty_four_killed_commands_leave_every_database_whole(tmp_path: Path) -> None:
    _kill_commands(tmp_path, kills=24, rounds=12, seed=13)


_DIE_BETWEEN_THE_MOVES = """
import os, sys
real_replace = os.replace

def replace(source, target):
    source, target = str(source), str(target)
    if ".creating-" in source and ".creating-" not in target and target.endswith(".keys"):
        os._exit(9)  # the database is in place; its key file is not yet
    return real_replace(source, target)

os.replace = replace
from veru_desk.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_first_start_killed_between_moving_the_database_and_its_key_is_finished_next_time(
    tmp_path: Path,
) -> None:
    """The one moment a kill could split a new database from its key file: the next start
    recognises the half-done move and completes it, so the administrator's password opens it."""
    from veru_desk.db.driver import DatabaseKind, kind_of

    database = tmp_path / "office" / "veru.db"
    database.parent.mkdir()
    died = subprocess.run(
        [sys.executable, "-c", _DIE_BETWEEN_THE_MOVES, "--database", str(database), "init",
         "--admin", "siobhan"],
        env=_env(tmp_path, ADMIN_PASSWORD), capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert died.returncode == 9, died.stderr
    left = sorted(p.name for p in database.parent.iterdir())
    assert "veru.db" in left and "veru.db.keys" not in left  # cut between the two moves

    assert kind_of(resolve_database(str(database))) is DatabaseKind.ENCRYPTED
    assert sorted(p.name for p in database.parent.iterdir()) == ["veru.db", "veru.db.keys"]
    _passes_check(tmp_path, database, "siobhan", ADMIN_PASSWORD)


def test_a_build_still_running_in_another_process_is_left_alone(tmp_path: Path) -> None:
    from veru_desk.db.staging import finish_interrupted_creation, staging_path

    final = tmp_path / "veru.db"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        theirs = staging_path(final, sleeper.pid)
        theirs.write_bytes(b"SQLite format 3\x00 half built")
        dead = staging_path(final, 2**22 + 7)  # beyond any pid this machine hands out
        dead.write_bytes(b"SQLite format 3\x00 abandoned")
        dead_key_save = final.with_name(f"{final.name}.keys.{2**22 + 9}.partial")
        dead_key_save.write_text("{", encoding="utf-8")
        finish_interrupted_creation(final)
        assert theirs.exists() and not dead.exists() and not final.exists()
        assert not dead_key_save.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_indexes_an_earlier_killed_demo_load_left_dropped_are_named_and_rebuilt_by_init(
    tmp_path: Path,
) -> None:
    """Databases already left by the earlier demo loader without 11 indexes: `check` names
    them and the mend (not "restore a backup"), and `init` rebuilds them."""
    database = tmp_path / "veru.db"
    _run_command(tmp_path, database, "init", "--admin", "ngozi", "--no-encryption",
                 password=ADMIN_PASSWORD)  # fmt: skip
    with sqlite3.connect(database) as connection:
        dropped = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                "('mentoring_session', 'case_note') AND sql IS NOT NULL"
            )
        ]
        for name in dropped:
            connection.execute(f'DROP INDEX "{name}"')
    assert dropped

    status, err = _finish(_veru(tmp_path, database, "check", "--user", "ngozi",
                                password=ADMIN_PASSWORD))  # fmt: skip
    assert status == 1
    assert f"{len(dropped)} index(es) are missing" in err and "veru-desk init" in err
    assert "restore" not in err.lower()
    mended = _veru(tmp_path, database, "init", "--user", "ngozi", password=ADMIN_PASSWORD)
    out, err = mended.communicate(timeout=120)
    assert mended.returncode == 0, err
    assert f"Rebuilt {len(dropped)} missing index(es)" in out
    _passes_check(tmp_path, database, "ngozi", ADMIN_PASSWORD)


def test_an_empty_file_where_the_database_goes_is_replaced_by_the_new_database(
    tmp_path: Path,
) -> None:
    """An empty file (a killed earlier release, a stray `touch`) counts as no database, so
    the first start must be able to put the new one in its place."""
    database = tmp_path / "veru.db"
    database.touch()
    _run_command(tmp_path, database, "init", "--admin", "aaliyah", password=ADMIN_PASSWORD)
    _passes_check(tmp_path, database, "aaliyah", ADMIN_PASSWORD)


def test_a_damaged_database_with_only_an_earlier_releases_backups_names_them_unoffered(
    tmp_path: Path,
) -> None:
    """``daily-DATE.db`` from before backups carried their database's name may be another
    database's, so it is not offered for restoring; but saying "there is no backup" would
    send IT away from a file that may well be the one they need."""
    path = tmp_path / "veru.db"
    db = _table_heavy_database(path)
    folder = backup_dir_for(resolve_database(str(path)))
    backup_sqlite(db.engine, folder / "daily-20261130-090000.db")
    db.dispose()
    _damage(path)
    with pytest.raises(DamagedDatabase) as refused:
        start_of_day_checks(open_database(resolve_database(str(path))))
    assert refused.value.backup is None
    assert "daily-20261130-090000.db" in str(refused.value)
    assert "earlier release" in str(refused.value) and "veru-desk restore" in str(refused.value)
