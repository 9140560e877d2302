"""``veru-desk summary`` and ``veru-desk report outcomes`` end to end on a database file."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.dates import today
from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason, ReferralStatus, Role
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for, add_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def case_ref(database_target: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A manager and a caseworker who can sign in, and one allocated case of Ştefan's."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("veru_desk.cli.reports",))
    monkeypatch.setenv("VERU_DESK_DATABASE", database_target)
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    db = Database.open(resolve_database(database_target))
    try:
        with db.write() as session:
            manager = actor_for(
                add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, password=PASSWORD)
            )
            worker = add_user(
                session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, password=PASSWORD
            )
            worker_id = worker.id
        services = Services(db, manager)
        intake = services.referrals.create(
            ReferralDetails(
                received_on=today() - dt.timedelta(days=20),
                referring_agency="Luton Youth Justice Service",
                referring_agency_type=AgencyType.YOUTH_JUSTICE,
                reasons=frozenset({ReferralReason.COUNTY_LINES}),
                referrer_contact='=HYPERLINK("http://example.invalid")',
                consent_young_person=ConsentStatus.GIVEN,
                consent_parent=ConsentStatus.GIVEN,
            ),
            person=PersonDetails(
                first_name="Ştefan",
                last_name="Popescu",
                date_of_birth=today() - relativedelta(years=15, days=9),
                phone="07700 900123",
            ),
        )
        services.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Threshold met")
        services.referrals.allocate(intake.referral_id, worker_id)
        return intake.case_ref
    finally:
        db.dispose()


def test_summary_writes_a_multi_agency_pdf_by_default(
    case_ref: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A multi-agency summary needs a recorded sharing decision (``veru-desk sharing``).
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("veru_desk.cli.reports", "veru_desk.cli.sharing"))
    meeting_on = (today() + dt.timedelta(days=7)).strftime("%d/%m/%Y")
    status = cli.main(
        ["sharing", "record", case_ref, "--meeting", "Luton panel", "--meeting-date", meeting_on,
         "--agency", "Bedfordshire Police", "--basis", "consent",
         "--consent-given-by", "Ştefan and his father", "--user", "dariusz"]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    target = tmp_path / "panel.pdf"
    status = cli.main(["summary", case_ref, "-o", str(target), "--user", "dariusz"])
    assert status == 0, capsys.readouterr().err
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    assert "Ştefan Popescu" in text
    assert f"Luton panel, {meeting_on}" in text
    assert "07700 900123" not in text
    assert "multi-agency profile" in capsys.readouterr().out


def test_summary_full_profile_includes_the_phone(case_ref: str, tmp_path: Path) -> None:
    target = tmp_path / "full.pdf"
    assert (
        cli.main(["summary", case_ref, "-o", str(target), "--profile", "full", "--user", "priya"])
        == 0
    )
    text = " ".join(p.extract_text() for p in PdfReader(target).pages)
    assert "07700 900123" in text


def test_summary_of_an_unknown_case_is_one_line_and_status_1(
    case_ref: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        ["summary", "VERU-1999-00001", "-o", str(tmp_path / "x.pdf"), "--user", "priya"]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("\n") == 1 and "no case VERU-1999-00001" in err


@pytest.mark.parametrize("suffix", [".pdf", ".csv", ".xlsx"])
def test_report_outcomes_follows_the_file_extension(
    case_ref: str, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"report{suffix}"
    start = (today() - dt.timedelta(days=60)).strftime("%d/%m/%Y")
    status = cli.main(
        ["report", "outcomes", "--from", start, "--to", today().isoformat(), "-o", str(target),
         "--user", "priya"]
    )  # fmt: skip
    assert status == 0
    if suffix == ".pdf":
        text = PdfReader(target).pages[0].extract_text()
        assert "Outcome report" in text and "OFFICIAL-SENSITIVE" in text
    elif suffix == ".csv":
        rows = list(csv.reader(target.open(encoding="utf-8-sig")))
        assert ["Referrals received", "<5", "", ""] in rows  # one referral: suppressed
    else:
        book = load_workbook(target)
        assert "Headline figures" in book.sheetnames


def test_report_outcomes_for_one_worker(case_ref: str, tmp_path: Path) -> None:
    target = tmp_path / "dariusz.csv"
    start = (today() - dt.timedelta(days=60)).isoformat()
    status = cli.main(
        ["report", "outcomes", "--from", start, "--to", today().isoformat(), "-o", str(target),
         "--worker", "dariusz", "--user", "priya"]
    )  # fmt: skip
    assert status == 0
    assert "Caseworker: Dariusz Wójcik" in target.read_text(encoding="utf-8-sig")


def test_a_caseworker_cannot_run_the_outcome_report(
    case_ref: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.pdf"
    status = cli.main(
        ["report", "outcomes", "--from", "01/01/2026", "--to", "31/03/2026", "-o", str(target),
         "--user", "dariusz"]
    )  # fmt: skip
    assert status == 1
    assert "manager" in capsys.readouterr().err
    assert not target.exists()


def test_bad_dates_and_formats_are_refused_before_anything_is_written(
    case_ref: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["report", "outcomes", "--from", "31/02/2026", "--to", "31/03/2026",
                     "-o", str(out / "r.pdf")]) == 2  # fmt: skip
    assert "February" in capsys.readouterr().err
    assert cli.main(["report", "outcomes", "--from", "01/04/2026", "--to", "31/03/2026",
                     "-o", str(out / "r.pdf"), "--user", "priya"]) == 1  # fmt: skip
    assert "swap the dates" in capsys.readouterr().err
    assert cli.main(["report", "outcomes", "--from", "01/01/2026", "--to", "31/03/2026",
                     "-o", str(out / "r.docx"), "--user", "priya"]) == 1  # fmt: skip
    assert ".pdf, .csv or .xlsx" in capsys.readouterr().err
    assert not out.exists()


def test_report_outcomes_prints_the_commentary_file_and_the_targets(
    case_ref: str, tmp_path: Path
) -> None:
    notes = tmp_path / "commentary.txt"
    notes.write_text(
        "Referrals from Luton rose; Oluwaseun Adeyemi's team met every first contact.",
        encoding="utf-8-sig",
    )
    target = tmp_path / "report.pdf"
    start = (today() - dt.timedelta(days=60)).strftime("%d/%m/%Y")
    status = cli.main(
        ["report", "outcomes", "--from", start, "--to", today().isoformat(), "-o", str(target),
         "--commentary-file", str(notes), "--decision-target-days", "5", "--user", "priya"]
    )  # fmt: skip
    assert status == 0
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(target).pages]
    assert "Oluwaseun Adeyemi's team met every first contact." in pages[0]
    flat = " ".join(pages)
    assert "Referral to decision" in flat and "none set" in flat  # contact has no target


def test_a_missing_or_overlong_commentary_is_refused_with_nothing_written(
    case_ref: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.xlsx"
    args = ["report", "outcomes", "--from", "01/01/2026", "--to", "31/03/2026",
            "-o", str(target), "--user", "priya"]  # fmt: skip
    assert cli.main([*args, "--commentary-file", str(tmp_path / "absent.txt")]) == 1
    assert "no commentary file" in capsys.readouterr().err
    long = tmp_path / "long.txt"
    long.write_text("Zoë Çelik. " * 800, encoding="utf-8")
    assert cli.main([*args, "--commentary-file", str(long)]) == 1
    assert "so it fits on the first page" in capsys.readouterr().err
    assert not target.exists()
