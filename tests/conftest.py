"""Shared fixtures: one migrated template database per run, copied fresh for each test, and
the unit's people (a manager, caseworkers, an administrator) signed in as actors.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a throwaway PostgreSQL server (without a database name)."""
    from tests.pg_server import missing_reason, running_server

    reason = missing_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL tests SKIPPED: {reason}")
    with running_server() as url:
        yield url


@pytest.fixture
def pg_db(postgres_server: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database for one test."""
    import uuid

    from sqlalchemy import create_engine

    name = f"veru_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    database = Database.open(resolve_database(f"{postgres_server}/{name}"))
    upgrade(database.engine)
    yield database
    database.dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
    admin.dispose()


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
    path = tmp_path / "veru.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = Database.open(resolve_database(str(db_path)))
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
