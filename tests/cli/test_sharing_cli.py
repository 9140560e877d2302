"""``veru-desk sharing``: the decision a multi-agency summary from a script needs, recorded,
approved by a manager where consent was refused, then used by ``veru-desk summary``."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.cli import test_report_cli
from tests.dates import today
from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import Referral
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import ConsentStatus

case_ref = test_report_cli.case_ref  # the report tests' fixture: one allocated case

MEETING_ON = format_uk_date(today().replace(year=today().year + 1))


@pytest.fixture
def ref(case_ref: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The report tests' case, with the sharing command added to theirs."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("veru_desk.cli.reports", "veru_desk.cli.sharing"))
    return case_ref


def record(reference: str, user: str, *extra: str) -> int:
    return cli.main(
        ["sharing", "record", reference, "--meeting", "Luton MACE panel",
         "--meeting-date", MEETING_ON, "--agency", "Bedfordshire Police",
         "--agency", "Luton Youth Justice Service", "--user", user, *extra]
    )  # fmt: skip


def summary(reference: str, target: Path, user: str = "dariusz") -> int:
    return cli.main(["summary", reference, "-o", str(target), "--user", user])


def test_a_multi_agency_summary_needs_a_decision_then_prints_it(
    ref: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "panel.pdf"
    assert summary(ref, target) != 0
    assert "Record a sharing decision first" in capsys.readouterr().err
    assert not target.exists()
    status = record(
        ref, "dariusz", "--basis", "consent", "--consent-given-by", "Ştefan and his father"
    )
    assert status == 0, capsys.readouterr().err
    assert summary(ref, target) == 0, capsys.readouterr().err
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    assert "Consent, given by Ştefan and his father" in text
    assert f"Do not forward. Destroy after the meeting of {MEETING_ON}." in text
    assert f"Luton MACE panel, {MEETING_ON}" in text


def test_refused_consent_waits_for_a_manager(
    ref: str,
    database_target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = Database.open(resolve_database(database_target))
    try:
        with db.write() as session:
            referral = session.scalars(select(Referral)).one()
            referral.consent_young_person = ConsentStatus.REFUSED
    finally:
        db.dispose()
    assert record(ref, "dariusz", "--basis", "consent", "--consent-given-by", "x") != 0
    assert "consent cannot be the basis" in capsys.readouterr().err
    reason = "Exploited by an older group: police need the picture to protect him"
    assert record(ref, "dariusz", "--basis", "children_act_1989", "--reason", reason) == 0
    out = capsys.readouterr().out
    assert "awaiting a manager's approval" in out
    decision = out.split()[2]
    target = tmp_path / "panel.pdf"
    assert summary(ref, target) != 0
    assert "A manager must approve" in capsys.readouterr().err
    assert cli.main(["sharing", "approve", decision, "--user", "dariusz"]) != 0
    assert cli.main(["sharing", "approve", decision, "--user", "priya"]) == 0
    assert "Approved by Priya Raghunathan" in capsys.readouterr().out
    assert summary(ref, target) == 0, capsys.readouterr().err
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    assert "Approved by Priya Raghunathan" in text
