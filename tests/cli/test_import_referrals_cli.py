"""``veru-desk import-referrals`` in its own process: text read faithfully or refused, and a
file imported twice adding nothing the second time (issue #13, finding 7)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from tests.cli.test_cli_subprocess import PASSWORD, child_env
from tests.dates import today
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import Referral, YoungPerson
from veru_desk.domain.enums import Role
from veru_desk.services.imports import COLUMNS
from veru_desk.services.users import add_user

RECEIVED = (today() - dt.timedelta(days=12)).strftime("%d/%m/%Y")


def referral_file(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for values in rows:
        cells = {
            "date_of_birth": "14/03/2011",
            "referral_date": RECEIVED,
            "referring_agency": "Luton Youth Justice Service",
            "reasons": "knife; gang",
            "consent_young_person": "yes",
            "consent_parent": "yes",
            **values,
        }
        writer.writerow([cells.get(name, "") for name in COLUMNS])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def with_user(db_path: Path) -> Database:
    db = Database.open(resolve_database(str(db_path)))
    with db.write() as session:
        add_user(session, "ngozi", "Ngozi Okonkwo-Adeyemi", {Role.CASEWORKER}, PASSWORD)
    return db


def import_referrals(db_path: Path, tmp_path: Path, file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "veru_desk", "import-referrals", str(file), "--user", "ngozi"],
        capture_output=True,
        text=True,
        env=child_env(tmp_path, VERU_DESK_DATABASE=str(db_path), VERU_DESK_PASSWORD=PASSWORD),
        timeout=120,
        check=False,
    )


def stored(db: Database) -> tuple[list[tuple[str, str]], list[str | None]]:
    with db.read() as session:
        people = [
            tuple(r) for r in session.execute(select(YoungPerson.first_name, YoungPerson.last_name))
        ]
        narratives = list(session.scalars(select(Referral.narrative).order_by(Referral.id)))
    return people, narratives  # type: ignore[return-value]


def test_a_stray_byte_is_refused_with_its_line_and_column(db_path: Path, tmp_path: Path) -> None:
    db = with_user(db_path)
    file = referral_file(
        tmp_path / "luton.csv",
        [
            {"first_name": "Zoë", "last_name": "Ó Briain"},
            {"first_name": "Tomasz", "last_name": "Łukasiewicz", "date_of_birth": "02/05/2010"},
        ],
    )
    file.write_bytes(file.read_bytes().replace(b"Tomasz", b"Tom\xffasz"))
    result = import_referrals(db_path, tmp_path, file)
    assert result.returncode == 1, result.stdout
    assert "Row 3: The byte 0xFF at line 3, column 4, in the first_name column" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "Traceback" not in result.stderr
    assert stored(db) == ([], [])
    db.dispose()


def test_a_windows_1252_file_imports_zoe_correctly(db_path: Path, tmp_path: Path) -> None:
    db = with_user(db_path)
    file = referral_file(
        tmp_path / "old-excel.csv", [{"first_name": "Zoë", "last_name": "Ó Briain"}], "cp1252"
    )
    result = import_referrals(db_path, tmp_path, file)
    assert result.returncode == 0, result.stderr
    assert stored(db)[0] == [("Zoë", "Ó Briain")]
    db.dispose()


def test_bidi_override_and_nul_in_a_name_are_refused(db_path: Path, tmp_path: Path) -> None:
    db = with_user(db_path)
    file = referral_file(
        tmp_path / "names.csv",
        [
            {"first_name": "Siobhán", "last_name": "Nic Giolla\u202e"},
            {"first_name": "Dariusz\x00", "last_name": "Wójcik", "date_of_birth": "02/05/2010"},
        ],
    )
    result = import_referrals(db_path, tmp_path, file)
    assert result.returncode == 1
    assert "Row 2 (last_name): Last name contains an invisible right-to-left" in result.stderr
    assert "Row 3 (first_name): First name contains an invisible control character" in (
        result.stderr
    )
    assert stored(db) == ([], [])
    db.dispose()


def test_nul_in_the_narrative_is_stripped_and_a_second_import_adds_nothing(
    db_path: Path, tmp_path: Path
) -> None:
    db = with_user(db_path)
    file = referral_file(
        tmp_path / "twice.csv",
        [
            {
                "first_name": "Zoë",
                "last_name": "Ó Briain",
                "narrative": "Found with a knife\x00 outside school.\nMother worried.",
            }
        ],
    )
    first = import_referrals(db_path, tmp_path, file)
    assert first.returncode == 0, first.stderr
    assert stored(db) == (
        [("Zoë", "Ó Briain")],
        ["Found with a knife outside school.\nMother worried."],
    )
    second = import_referrals(db_path, tmp_path, file)
    assert second.returncode == 0, second.stderr
    assert "Row 2: already imported: line 2: not added again." in second.stdout
    assert "Imported 0 referrals" in second.stdout
    assert len(stored(db)[1]) == 1
    db.dispose()
