"""Shared fixtures: one migrated template database per run, copied fresh for each test, and
the unit's people (a manager, caseworkers, an administrator) signed in as actors.

Two engines, one set of tests: every test under ``ENGINE_NEUTRAL`` that uses ``db`` (or
``database_target``) runs twice, with the ids ``[sqlite]`` and ``[postgresql]``, so a query
that only works on one engine fails a test instead of a shared office. The PostgreSQL runs
copy a database migrated once per run (``CREATE DATABASE ... TEMPLATE``, about 0.1 s) on a
throwaway server. Tests about the SQLite file itself (backups, encryption, WAL, crash kills)
are marked ``sqlite_only``, and a test that asks for ``db_path`` is about a file and stays on
SQLite too. The UI, domain and report tests run on SQLite only: they sit above the services.
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.migrate import upgrade
from veru_desk.domain.enums import Role
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.users import actor_for, add_user

TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the real user data folder or a database named in the environment."""
    monkeypatch.setenv("VERU_DESK_DATA_DIR", str(tmp_path / "userdata"))
    monkeypatch.delenv("VERU_DESK_DATABASE", raising=False)
    monkeypatch.delenv("VERU_DESK_USER", raising=False)
    monkeypatch.delenv("VERU_DESK_PASSWORD", raising=False)


# Test paths (relative to the repository) whose ``db`` runs on both engines.
ENGINE_NEUTRAL = ("tests/services/", "tests/cli/", "tests/db/test_migrations.py")
ENGINES = ("sqlite", "postgresql")
PG_TEMPLATE = "veru_template"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Runs each engine-neutral test that uses a database on SQLite and on PostgreSQL."""
    if "db_engine" not in metafunc.fixturenames or "db_path" in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    where = Path(str(metafunc.definition.path)).relative_to(metafunc.config.rootpath)
    if not where.as_posix().startswith(ENGINE_NEUTRAL):
        return
    metafunc.parametrize(
        "db_engine",
        [
            pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
        ],
        indirect=True,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files with a test marked ``slow`` run first, each file's tests kept together and in
    order. The workers (pytest-xdist, ``--dist loadfile``) take files in this order, so the
    minutes-long ones (crash loops, the bundle, every screen) start at once rather than
    leaving one worker busy at the end while the other waits."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow") is not None}
    first_seen: dict[Path, int] = {}
    for item in items:
        first_seen.setdefault(item.path, len(first_seen))
    items.sort(key=lambda item: (item.path not in slow_files, first_seen[item.path]))


@pytest.fixture
def db_engine(request: pytest.FixtureRequest) -> str:
    """``sqlite`` unless ``pytest_generate_tests`` asked for ``postgresql`` too."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL server (without a database name)."""
    from tests.pg_server import missing_reason, running_server

    reason = missing_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests SKIPPED: {reason}")
    with running_server() as url:
        yield url


@pytest.fixture(scope="session")
def pg_admin(postgres_server: str) -> Iterator[Engine]:
    """An autocommit connection to the server's ``postgres`` database, for CREATE DATABASE."""
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


@pytest.fixture(scope="session")
def pg_template(postgres_server: str, pg_admin: Engine) -> str:
    """A database migrated once per run, copied for each test (no connection may stay open
    to a template while it is copied, hence the dispose)."""
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {PG_TEMPLATE}")
    template = Database.open(resolve_database(f"{postgres_server}/{PG_TEMPLATE}"))
    upgrade(template.engine)
    template.dispose()
    return PG_TEMPLATE


def _fresh_pg_database(server: str, admin: Engine, template: str) -> Iterator[str]:
    name = f"veru_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield f"{server}/{name}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def pg_url(postgres_server: str, pg_admin: Engine, pg_template: str) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database for one test."""
    yield from _fresh_pg_database(postgres_server, pg_admin, pg_template)


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database for one test."""
    database = Database.open(resolve_database(pg_url))
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database.open(resolve_database(str(path)))
    upgrade(db.engine)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    """A migrated SQLite file: asking for it keeps a test on SQLite (it is about the file)."""
    path = tmp_path / "veru.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def database_target(db_engine: str, request: pytest.FixtureRequest) -> str:
    """What ``--database`` would be given: the SQLite file's path, or a PostgreSQL URL."""
    if db_engine == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    return str(request.getfixturevalue("db_path"))


@pytest.fixture
def db(database_target: str) -> Iterator[Database]:
    database = Database.open(resolve_database(database_target))
    yield database
    database.dispose()


@dataclass
class Team:
    """The unit from SCENARIOS.md: Priya manages, Dariusz and colleagues are caseworkers."""

    manager: Actor
    dariusz: Actor
    aisha: Actor
    ciaran: Actor
    admin: Actor


@pytest.fixture
def team(db: Database) -> Team:
    return make_team(db)


def make_team(db: Database) -> Team:
    """Priya, Dariusz, Aisha, Ciarán and Sam as users of ``db`` (no passwords)."""
    people = {
        "manager": ("priya", "Priya Raghunathan", {Role.MANAGER}),
        "dariusz": ("dariusz", "Dariusz Wójcik", {Role.CASEWORKER}),
        "aisha": ("aisha", "Aisha Mohamed", {Role.CASEWORKER}),
        "ciaran": ("ciaran", "Ciarán Ó Briain", {Role.CASEWORKER}),
        "admin": ("admin", "Sam Okonkwo", {Role.ADMIN}),
    }
    actors = {}
    with db.write() as session:
        for key, (username, name, roles) in people.items():
            user = add_user(session, username, name, roles, password=None)
            actors[key] = actor_for(user)
    return Team(**actors)


@pytest.fixture
def as_manager(db: Database, team: Team) -> Services:
    return Services(db, team.manager)


@pytest.fixture
def as_dariusz(db: Database, team: Team) -> Services:
    return Services(db, team.dariusz)


# --- ending the test process ------------------------------------------------------------------
#
# After every test has run and been reported, Python's own shutdown garbage-collects thousands
# of PySide6 wrappers, and in some orders of tests it then aborts with "Fatal Python error:
# bool_dealloc" (a reference-count fault in the binding, reproduced with
# `pytest tests/ui/test_case_workspace.py tests/ui/test_export_summary_dialog.py -k "model_tester
# or multi_agency_is_the_default"`: all pass, then exit status 134). The exit status must be
# the tests' own, so the process ends with it once pytest has finished, without that clean-up.
# VERU_DESK_TESTS_FULL_SHUTDOWN=1 keeps the ordinary shutdown, to look for the fault.

_EXIT_STATUS: list[int] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _EXIT_STATUS.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("VERU_DESK_TESTS_FULL_SHUTDOWN") == "1" or not _EXIT_STATUS:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_EXIT_STATUS[-1])
