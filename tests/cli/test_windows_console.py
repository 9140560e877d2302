"""The command on a Windows console: its code page (cp1252 in a British office) cannot spell
"Ţ", "ł" or "ễ", and Python writes to a redirected stream in that code page. Simulated here with
``PYTHONIOENCODING=cp1252`` in a child process whose standard output is a file, as
``veru-desk cases > cases.txt`` gives it on Windows."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason, Role
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for, add_user

PASSWORD = "correct horse battery staple"
# Romanian, Polish and Vietnamese: none of them fits in cp1252 whole.
NAMES = (("Ţărână", "Ştefănescu"), ("Tomasz", "Łukasiewicz"), ("Nguyễn", "Thị Hương"))


def _cases_of_three(db_path: Path) -> None:
    db = Database.open(resolve_database(str(db_path)))
    try:
        with db.write() as session:
            manager = actor_for(
                add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
            )
        services = Services(db, manager)
        referral = ReferralDetails(
            received_on=dt.date(2026, 11, 2),
            referring_agency="Leicester Youth Justice Service",
            referring_agency_type=AgencyType.YOUTH_JUSTICE,
            reasons=frozenset({ReferralReason.GANG_ASSOCIATION}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        )
        for first, last in NAMES:
            services.referrals.create(
                referral,
                person=PersonDetails(
                    first_name=first, last_name=last, date_of_birth=dt.date(2010, 5, 17)
                ),
            )
    finally:
        db.dispose()


def _run_to_file(db_path: Path, tmp_path: Path, out: Path, *arguments: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERU_DESK_", "PYTHONUTF8"))}
    env.update(
        PYTHONIOENCODING="cp1252",
        VERU_DESK_DATA_DIR=str(tmp_path / "userdata"),
        VERU_DESK_DATABASE=str(db_path),
        VERU_DESK_PASSWORD=PASSWORD,
    )
    with out.open("wb") as handle:
        result = subprocess.run(
            [sys.executable, "-m", "veru_desk", "cases", "--user", "priya", *arguments],
            stdout=handle,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            check=False,
        )
    return result.returncode, result.stderr.decode("utf-8", "replace")


def test_cases_redirected_on_a_cp1252_console_is_complete_utf8(
    db_path: Path, tmp_path: Path
) -> None:
    _cases_of_three(db_path)
    out = tmp_path / "cases.txt"
    status, errors = _run_to_file(db_path, tmp_path, out)
    assert status == 0, errors
    text = out.read_bytes().decode("utf-8")
    for first, last in NAMES:
        assert first in text and last in text
    assert text.splitlines()[-1] == "3 cases"


def test_cases_as_json_on_a_cp1252_console_holds_every_name(db_path: Path, tmp_path: Path) -> None:
    _cases_of_three(db_path)
    out = tmp_path / "cases.json"
    status, errors = _run_to_file(db_path, tmp_path, out, "--format", "json")
    assert status == 0, errors
    rows = json.loads(out.read_bytes().decode("utf-8"))
    assert sorted(r["last_name"] for r in rows) == sorted(last for _first, last in NAMES)


def test_cases_as_csv_redirected_to_a_file_opens_in_excel(db_path: Path, tmp_path: Path) -> None:
    """``cases --format csv > cases.csv``: Excel reads a CSV as the code page unless it starts
    with a byte-order mark, so the CSV on standard output starts with one too."""
    _cases_of_three(db_path)
    out = tmp_path / "cases.csv"
    status, errors = _run_to_file(db_path, tmp_path, out, "--format", "csv")
    assert status == 0, errors
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines()))
    assert sorted(r["first_name"] for r in rows) == sorted(first for first, _last in NAMES)


def test_audit_trail_as_csv_redirected_to_a_file_starts_with_the_mark(
    db_path: Path, tmp_path: Path
) -> None:
    _cases_of_three(db_path)
    out = tmp_path / "audit.csv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERU_DESK_")}
    env.update(
        PYTHONIOENCODING="cp1252",
        VERU_DESK_DATA_DIR=str(tmp_path / "userdata"),
        VERU_DESK_PASSWORD=PASSWORD,
    )
    command = [sys.executable, "-m", "veru_desk", "audit", "--format", "csv"]
    with out.open("wb") as handle:
        result = subprocess.run(
            [*command, "--database", str(db_path), "--user", "priya"],
            stdout=handle,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
            check=False,
        )
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data[3:].startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert len(rows) > 3 and "Priya Raghunathan" in data.decode("utf-8-sig")


def test_csv_through_a_pipe_has_no_mark(db_path: Path, tmp_path: Path) -> None:
    """A program reading the pipe would find the mark glued to its first heading."""
    _cases_of_three(db_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERU_DESK_")}
    env.update(VERU_DESK_DATA_DIR=str(tmp_path / "userdata"), VERU_DESK_PASSWORD=PASSWORD)
    command = [sys.executable, "-m", "veru_desk", "cases", "--format", "csv"]
    result = subprocess.run(
        [*command, "--database", str(db_path), "--user", "priya"],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"case_ref,first_name,")
