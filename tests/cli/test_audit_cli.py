"""``veru-desk audit``: scenario 8 from a terminal, filters, CSV, and who may run it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.dates import today
from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import User
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason, ReferralStatus, Role
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for, add_user

PASSWORD = "correct horse battery staple"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def unit(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Priya (manager) allocated Ştefan's case to Dariusz, who opened it; Sam administers.
    Returns the case reference."""
    monkeypatch.setenv("VERU_DESK_DATABASE", str(db_path))
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    db = Database.open(resolve_database(str(db_path)))
    try:
        with db.write() as session:
            manager = actor_for(
                add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
            )
            worker = actor_for(
                add_user(session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, PASSWORD)
            )
            add_user(session, "admin", "Sam Okonkwo", {Role.ADMIN}, PASSWORD)
        services = Services(db, manager)
        intake = services.referrals.create(
            ReferralDetails(
                received_on=today() - dt.timedelta(days=20),
                referring_agency="Luton Youth Justice Service",
                referring_agency_type=AgencyType.YOUTH_JUSTICE,
                reasons=frozenset({ReferralReason.COUNTY_LINES}),
                consent_young_person=ConsentStatus.GIVEN,
                consent_parent=ConsentStatus.GIVEN,
            ),
            person=PersonDetails(
                first_name="Ştefan", last_name="Popescu", date_of_birth=dt.date(2011, 4, 3)
            ),
        )
        services.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Meets criteria")
        assert worker.user_id is not None
        services.referrals.allocate(intake.referral_id, worker.user_id)
        Services(db, worker).people.open_case(intake.person_id)
        return intake.case_ref
    finally:
        db.dispose()


def test_the_administrator_shows_which_cases_a_user_opened_last_month(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    since = format_uk_date(today() - dt.timedelta(days=31))
    code, out, err = run(
        capsys, "audit", "--user", "admin", "--by", "dariusz", "--action", "view", "--from", since
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["When", "User", "Action", "Case"]
    assert len(lines) == 4  # headings, rule, one event, the count
    assert "dariusz" in lines[2] and unit in lines[2] and "View" in lines[2]
    assert "withheld" in lines[2]  # an administrator sees the case, not its details
    assert lines[3] == "1 event"


def test_a_manager_exports_one_case_as_csv(unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", "--user", "priya", "--case", unit, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["Case ref"] for row in rows} == {unit}
    assert rows[0]["Action"] == "View"
    assert rows[0]["Summary"] == f"Opened case {unit}"
    assert {row["Username"] for row in rows} == {"priya", "dariusz"}


def test_reading_the_trail_is_itself_in_the_trail(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "audit", "--user", "priya", "--by", "dariusz")
    code, out, _err = run(capsys, "audit", "--user", "admin", "--by", "priya", "--limit", "1")
    assert code == 0
    assert "Viewed audit trail (user dariusz)" in out
    assert "the newest 1 of" in out.splitlines()[-1]


def test_a_caseworker_is_refused_and_the_refusal_is_audited(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "audit", "--user", "dariusz")
    assert code == 1
    assert err.strip() == "veru-desk: Only a manager or administrator can read the audit trail."
    code, out, _err = run(capsys, "audit", "--user", "priya", "--action", "denied")
    assert "dariusz" in out and "read the audit trail" in out


def test_bad_filters_are_one_line_each(unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "audit", "--user", "priya", "--action", "peek")
    assert code == 2 and "'peek' is not an action" in err
    code, _out, err = run(capsys, "audit", "--user", "priya", "--case", "VERU-2019-00042")
    assert (code, err.strip()) == (
        1,
        "veru-desk: There is no case VERU-2019-00042 (or it has been erased).",
    )
    code, _out, err = run(capsys, "audit", "--user", "priya", "--from", "31/02/2026")
    assert code == 2


def test_check_reports_a_dropped_trigger_and_a_deleted_audit_row_with_its_row(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "check", "--user", "admin")
    assert code == 0, err
    assert "chain verified up to row" in out
    # Tried as a curious colleague would: the file open in a SQL client, the guard dropped.
    with sqlite3.connect(os.environ["VERU_DESK_DATABASE"]) as connection:
        connection.execute("DROP TRIGGER audit_event_no_delete")
        first = connection.execute("SELECT min(id) FROM audit_event").fetchone()[0]
        connection.execute("DELETE FROM audit_event WHERE id = ?", (first + 1,))
    code, out, err = run(capsys, "check", "--user", "admin")
    assert code == 1
    assert "audit_event_no_delete" in err and "missing" in err
    assert f"broken at row {first + 2}" in err and f"row(s) {first + 1} to {first + 1}" in err
    assert "no problems found" not in out


class _PipeClosed(io.StringIO):
    """Standard output whose reader went away after the headings (``audit | head -1``)."""

    def write(self, text: str) -> int:
        if self.getvalue():
            raise BrokenPipeError("the reader closed the pipe")
        return super().write(text)


def test_an_export_to_a_stream_is_on_record_before_its_first_row(unit: str, db_path: Path) -> None:
    """Rows that went out cannot be called back: the export is recorded first, so a stream
    broken half-way is still on record, and the export's own row is not among its rows."""
    db = Database.open(resolve_database(str(db_path)))
    try:
        with db.read() as session:
            priya = session.scalars(select(User).where(User.username == "priya")).one()
            manager = actor_for(priya)
        log = Services(db, manager).audit_log
        with pytest.raises(BrokenPipeError):
            log.write_csv(None, _PipeClosed())
        whole = io.StringIO()
        log.write_csv(None, whole)
        summaries = [row["Summary"] for row in csv.DictReader(io.StringIO(whole.getvalue()))]
    finally:
        db.dispose()
    exports = [s for s in summaries if s.startswith("Audit trail exported to standard output")]
    assert len(exports) == 1  # the broken one; the second export's own row is not in its rows
