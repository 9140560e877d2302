"""The benchmark's database: a demo unit of N people, built once and kept, and a working copy.

Built with the same ``generate_demo_data`` that ``veru-desk demo-data`` runs, as a plain SQLite
file in the user data folder (``bench/people-N-seed-S.db``), so a second run starts at once.
Each run works on a copy of it (``bench/work/``): the benchmark saves sessions, exports
summaries and imports referrals, and the cache must stay as it was built so two runs measure
the same database.

The large case. The county-sized database needs one case as long as the longest a unit
keeps: 500 sessions and 1,000 chronology entries. It is added to an active demo case through
the services a caseworker uses (``SessionService.book`` recording past sessions, then
``NoteService.add`` for case notes until the chronology holds 1,000 entries), one audited
transaction each, signed in as the demo manager, so it is exactly what years of real use
would leave behind. Its id is kept beside the cache (``people-N-seed-S.json``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from veru_desk import config
from veru_desk.config import DatabaseLocation, resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Attendance, ReferralStatus, SessionType
from veru_desk.services import Services
from veru_desk.services.actor import Actor

LARGE_CASE_SESSIONS = 500
LARGE_CASE_CHRONOLOGY = 1_000
BENCH_USER = "priya"  # the demo manager: sees every caseload, runs the outcome report

Say = Callable[[str], None]


@dataclass(frozen=True)
class CachedDatabase:
    path: Path
    large_case_id: int
    build_seconds: float | None  # None when the cache was reused


def bench_dir() -> Path:
    path = config.data_dir() / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_path(people: int, seed: int) -> Path:
    return bench_dir() / f"people-{people}-seed-{seed}.db"


def _meta_path(database: Path) -> Path:
    return database.with_suffix(".json")


def ensure_cache(people: int, seed: int, say: Say) -> CachedDatabase:
    """The cached database for ``people`` and ``seed``, built first if it is not there."""
    path = cache_path(people, seed)
    meta = _meta_path(path)
    if path.is_file() and meta.is_file():
        facts = json.loads(meta.read_text(encoding="utf-8"))
        if facts.get("schema") == schema_fingerprint():
            say(f"Reusing the benchmark database {path}")
            return CachedDatabase(path, int(facts["large_case_id"]), None)
        say("The schema has changed since the benchmark database was built: building it again.")
    return _build(path, people, seed, say)


def schema_fingerprint() -> str:
    """A digest of the shipped migrations: a cache built before a new index or column would
    measure a database no user has, so it is rebuilt when they change."""
    versions = resources.files("veru_desk.db.migrations") / "versions"
    digest = hashlib.sha256()
    for item in sorted(versions.iterdir(), key=lambda i: i.name):
        if item.name.endswith(".py"):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
    return digest.hexdigest()[:16]


def _build(path: Path, people: int, seed: int, say: Say) -> CachedDatabase:
    from veru_desk.demo import (
        DEMO_PASSWORD,
        DEMO_TEAM,
        demo_team_users,
        generate_demo_data,
    )
    from veru_desk.services.actor import SYSTEM
    from veru_desk.services.users import sign_in
    from veru_desk.services.vault import create_database

    started = time.perf_counter()
    building = path.with_name(path.stem + ".building.db")
    remove_database_files(building)
    say(f"Building the benchmark database: {people:,} people (seed {seed}) in {path.parent}")
    admin = DEMO_TEAM[0]
    created = create_database(
        resolve_database(str(building)),
        admin[0],
        admin[1],
        DEMO_PASSWORD,
        encrypted=False,
        extra_users=demo_team_users(),
    )
    db = created.db
    try:
        last_said = [0.0]

        def progress(done: int, total: int) -> bool:
            now = time.perf_counter()
            if now - last_said[0] > 15 or done == total:
                last_said[0] = now
                say(f"  {done:,} of {total:,} young people ({now - started:.0f} s)")
            return True

        # Built aside (``building``) and moved into place: dropping indexes for the load is safe.
        generate_demo_data(db, people, seed, progress, actor=SYSTEM, defer_indexes=True)
        actor = sign_in(db, BENCH_USER, DEMO_PASSWORD)
        large = add_large_case(Services(db, actor), seed, say)
        checkpoint(db)
    finally:
        db.dispose()
    remove_database_files(path)
    building.replace(path)
    seconds = time.perf_counter() - started
    _meta_path(path).write_text(
        json.dumps(
            {
                "people": people,
                "seed": seed,
                "large_case_id": large,
                "schema": schema_fingerprint(),
                "built_on": dt.date.today().isoformat(),
                "build_seconds": round(seconds, 1),
            }
        ),
        encoding="utf-8",
    )
    say(f"Built in {seconds:.0f} s.")
    return CachedDatabase(path, large, seconds)


def add_large_case(services: Services, seed: int, say: Say) -> int:
    """Grows an active case to 500 sessions and 1,000 chronology entries (see module doc)."""
    from veru_desk.demo.vocabulary import LOCATIONS, NOTE_SUBJECTS, SESSION_NOTES, TOPICS
    from veru_desk.services.caseload import CaseloadFilter, CaseloadSort
    from veru_desk.services.mentoring import SessionInput
    from veru_desk.services.notes import NoteInput

    rng = random.Random(seed * 7919 + 17)
    ids = services.caseload.ids(
        CaseloadFilter(statuses=frozenset({ReferralStatus.ACTIVE})),
        CaseloadSort.CASE_REF,
        limit=50,
    )
    if not ids:
        raise RuntimeError("The demo data has no active case to grow into the large case.")
    person_id = ids[len(ids) // 2]
    dob = services.people.get(person_id).details.date_of_birth
    have = len(services.sessions.for_person(person_id))
    say(
        f"Growing case {person_id} to {LARGE_CASE_SESSIONS} sessions and "
        f"{LARGE_CASE_CHRONOLOGY:,} chronology entries"
    )
    now = dt.datetime.now().replace(second=0, microsecond=0)
    start = now.replace(hour=16, minute=0) - dt.timedelta(days=1)
    kinds = [SessionType.ONE_TO_ONE, SessionType.ONE_TO_ONE, SessionType.GROUP]
    # Mostly attended, never three misses in a row: the case stays engaged, as long cases are.
    for n in range(max(0, LARGE_CASE_SESSIONS - have)):
        when = start - dt.timedelta(days=2 * n)
        attendance = Attendance.DID_NOT_ATTEND if n % 7 == 3 else Attendance.ATTENDED
        kind = rng.choice(kinds)
        services.sessions.book(
            person_id,
            SessionInput(
                planned_start=when,
                duration_minutes=rng.choice((45, 60, 60, 90)),
                session_type=kind,
                location=rng.choice(LOCATIONS),
                attendance=attendance,
                notes=rng.choice(SESSION_NOTES[kind]) if attendance is Attendance.ATTENDED else "",
                topics=", ".join(rng.sample(TOPICS, 2)),
            ),
        )
    entries = len(services.chronology.for_person(person_id))
    when = now - dt.timedelta(hours=3)
    for n in range(max(0, LARGE_CASE_CHRONOLOGY - entries)):
        subject, body = NOTE_SUBJECTS[n % len(NOTE_SUBJECTS)]
        occurred = max(when - dt.timedelta(hours=26 * n), dt.datetime.combine(dob, dt.time(9)))
        services.notes.add(
            person_id,
            NoteInput(occurred_at=occurred, subject=subject, body=body, confidential=n % 11 == 0),
        )
    return person_id


def checkpoint(db: Database) -> None:
    """Folds the write-ahead log into the file, so a copy of the one file is the database."""
    if not db.is_sqlite:
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".keys"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def working_copy(source: Path, name: str) -> Path:
    """A fresh copy of the cached file to run on; the benchmark's writes land here."""
    work = bench_dir() / "work"
    work.mkdir(exist_ok=True)
    target = work / f"{name}-{os.getpid()}.db"
    remove_database_files(target)
    shutil.copyfile(source, target)
    keys = Path(str(source) + ".keys")
    if keys.is_file():
        shutil.copyfile(keys, Path(str(target) + ".keys"))
    return target


def encrypted_cache(plain: Path, username: str, password: str, say: Say) -> Path:
    """An SQLCipher copy of the cached database, with a key file that opens it for
    ``username``: the same kind of file ``vault.create_database`` makes by default."""
    from veru_desk.db.keyfile import KeyFile, key_file_path, new_database_key, user_slot

    target = plain.with_name(plain.stem + "-encrypted.db")
    # Only a copy of this build of the plain file: one made before a rebuild (a new schema)
    # holds other data, so the encrypted run would time another "large case" (a run timed
    # one with no sessions) and the schema without the latest indexes.
    if (
        target.is_file()
        and key_file_path(target).is_file()
        and target.stat().st_mtime >= plain.stat().st_mtime
    ):
        say(f"Reusing the encrypted benchmark database {target}")
        return target
    import sqlcipher3.dbapi2 as sqlcipher

    started = time.perf_counter()
    say("Making an encrypted (SQLCipher) copy of the benchmark database")
    building = target.with_name(target.stem + ".building.db")
    remove_database_files(building)
    key = new_database_key()
    # Read-only: the cache is copied file by file, so it must never gain a write-ahead log.
    conn = sqlcipher.connect(f"file:{plain}?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(building),))
        conn.execute("SELECT sqlcipher_export('enc')")
        conn.execute("DETACH DATABASE enc")
    finally:
        conn.close()
    keys = KeyFile.create(key_file_path(building))
    keys.add_slot(user_slot(username), password, key)
    keys.save()
    remove_database_files(target)
    key_file_path(building).replace(key_file_path(target))
    building.replace(target)
    say(f"Encrypted copy made in {time.perf_counter() - started:.0f} s.")
    return target


def open_signed_in(
    location: DatabaseLocation, username: str, password: str
) -> tuple[Database, Actor]:
    """As ``vault.open_for_user``, without the day's first backup: a backup of a working
    copy that is thrown away after the run would only cost minutes and disk."""
    from veru_desk.db.driver import signed_in_location
    from veru_desk.db.keyfile import KeyFile, key_file_path, user_slot
    from veru_desk.db.opening import open_database
    from veru_desk.services.users import sign_in
    from veru_desk.services.vault import DatabaseKind, kind_of

    key = None
    if kind_of(location) is DatabaseKind.ENCRYPTED:
        assert location.path is not None
        key = KeyFile.load(key_file_path(location.path)).unwrap(user_slot(username), password)
    # A server set up with `server setup` is signed in to as the user's own login.
    db = open_database(signed_in_location(location, username, password), key=key)
    try:
        return db, sign_in(db, username, password)
    except Exception:
        db.dispose()
        raise


def largest_case(services: Services) -> int:
    """On a database the benchmark did not build: the open case with the most sessions (open,
    so that a session can be recorded on it)."""
    from sqlalchemy import func, select

    from veru_desk.db.models import MentoringSession, YoungPerson

    open_statuses = [s for s in ReferralStatus if s.is_open_case]
    with services.db.read() as session:
        found = session.execute(
            select(MentoringSession.young_person_id)
            .join(YoungPerson, YoungPerson.id == MentoringSession.young_person_id)
            .where(YoungPerson.current_status.in_(open_statuses))
            .group_by(MentoringSession.young_person_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
    if found is None:
        raise RuntimeError(
            "The database has no open case with sessions: load demo data into it first."
        )
    return int(found)
