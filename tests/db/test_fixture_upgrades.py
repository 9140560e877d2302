"""Every released schema opens in this release with every record intact.

``tests/fixtures/schema-NNNN.db`` is a small demo database made by the release whose newest
migration is NNNN, committed with the JSON of what it held (``record_fixture.py``). Each is
copied and opened the way the app opens a database: backed up, migrated to this release's
head, checked. A migration that drops rows, mangles a name or leaves the schema short of the
models fails here before it reaches an office.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from veru_desk.config import resolve_database
from veru_desk.db import migrate
from veru_desk.db.health import check_database
from veru_desk.db.models import User
from veru_desk.db.opening import open_database
from veru_desk.services import Services
from veru_desk.services.users import actor_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURE_DATABASES = sorted(FIXTURES.glob("schema-*.db"))


def expected_for(database: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(database.with_suffix(".json").read_text(encoding="utf-8"))
    return data


def test_there_is_a_fixture_for_the_first_schema_and_each_has_its_record() -> None:
    names = [path.name for path in FIXTURE_DATABASES]
    assert "schema-0001.db" in names
    for database in FIXTURE_DATABASES:
        assert database.with_suffix(".json").is_file(), f"{database.name} has no .json record"
        revision = database.stem.removeprefix("schema-")
        assert expected_for(database)["revision"] == revision
        assert revision in migrate.known_revisions(), (
            f"{database.name} is from schema {revision}, which this release's migrations no "
            "longer know: released migrations must never be renamed or removed"
        )


@pytest.fixture(params=FIXTURE_DATABASES, ids=lambda path: path.stem)
def upgraded(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A copy of one fixture, opened (and so migrated) as the app opens it, then closed."""
    source: Path = request.param
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    db = open_database(resolve_database(str(copy)))
    db.dispose()
    return copy, expected_for(source)


def test_a_released_database_is_migrated_to_this_release_and_passes_every_check(
    upgraded: tuple[Path, dict[str, Any]],
) -> None:
    path, _expected = upgraded
    db = open_database(resolve_database(str(path)), upgrade=False)
    try:
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        report = check_database(db.engine)
        assert report.problems == []
    finally:
        db.dispose()


def test_a_released_database_keeps_every_row_through_the_upgrade(
    upgraded: tuple[Path, dict[str, Any]],
) -> None:
    path, expected = upgraded
    with sqlite3.connect(path) as connection:
        counts = {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            for table in expected["row_counts"]
        }
    assert counts == expected["row_counts"]


def test_a_released_database_keeps_names_exactly_and_finds_them_without_accents(
    upgraded: tuple[Path, dict[str, Any]],
) -> None:
    path, expected = upgraded
    db = open_database(resolve_database(str(path)), upgrade=False)
    try:
        with db.read() as session:
            manager = session.scalars(select(User).where(User.username == "priya")).one()
            actor = actor_for(manager)
        services = Services(db, actor)
        for known in expected["known_people"]:
            with db.read() as session:
                person_id = session.scalar(
                    text("SELECT id FROM young_person WHERE case_ref = :ref"),
                    {"ref": known["case_ref"]},
                )
            assert person_id is not None, f"{known['case_ref']} is missing after the upgrade"
            person = services.people.get(person_id)
            assert (person.details.first_name, person.details.last_name) == (
                known["first_name"],
                known["last_name"],
            )
            assert person.details.date_of_birth.isoformat() == known["dob"]
            plain = _without_accents(f"{known['first_name']} {known['last_name']}")
            hits = services.people.search(plain)
            assert person_id in [hit.person_id for hit in hits], f"no hit for {plain!r}"
    finally:
        db.dispose()


def test_opening_a_released_database_backs_it_up_before_migrating_when_behind(
    tmp_path: Path,
) -> None:
    """Only meaningful once a release has moved past a fixture's schema; until then the
    fixture is at head and opening it must not take a pre-migration copy at all."""
    for source in FIXTURE_DATABASES:
        copy = tmp_path / source.name
        shutil.copy(source, copy)
        behind = expected_for(source)["revision"] != migrate.head_revision()
        db = open_database(resolve_database(str(copy)))
        db.dispose()
        copies = list((tmp_path / "backups").glob("*before-migration*"))
        assert bool(copies) == behind, source.name
        for old in copies:
            old.unlink()


def _without_accents(name: str) -> str:
    """How a caseworker types a name on a UK keyboard: no accents, dotless i as i."""
    import unicodedata

    plain = name.translate(str.maketrans("ıłŁđĐøØ", "ilLdDoO"))
    decomposed = unicodedata.normalize("NFKD", plain)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
