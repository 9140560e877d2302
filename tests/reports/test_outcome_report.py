"""The outcome report PDF read back: marked and numbered, the figures printed, charts drawn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader

from veru_desk.domain.enums import AgencyType, Ethnicity, Gender, ReferralReason, SessionType
from veru_desk.reports.outcome_report import render_outcome_report
from veru_desk.services.outcome_figures import (
    ChangeFigures,
    OutcomeFigures,
    ReportPeriod,
    SessionFigures,
)
from veru_desk.services.settings import OrgSettings

from .test_case_summary import assert_marked_and_numbered, fonts_used


def figures() -> OutcomeFigures:
    sessions = SessionFigures(offered=12, attended=9, missed=3, cancelled_by_service=1, planned=2)
    return OutcomeFigures(
        period=ReportPeriod(dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        filters=["Caseworker: Dariusz Wójcik"],
        referrals_received=7,
        referrals_by_source={AgencyType.POLICE: 4, AgencyType.SCHOOL: 3},
        referrals_by_reason={ReferralReason.KNIFE_CARRYING: 5, ReferralReason.COUNTY_LINES: 2},
        decisions={"Accepted": 5, "Declined": 2},
        median_days_to_decision=3.5,
        decided=7,
        median_days_to_first_contact=9.0,
        contacted=5,
        caseload_by_worker=[("Dariusz Wójcik", 11), ("Ciarán Ó Briain", 14)],
        sessions=sessions,
        sessions_by_type={SessionType.ONE_TO_ONE: sessions},
        risk_change=ChangeFigures({("High", "Medium"): 3}, improved=3, same=0, worsened=0),
        education_change=ChangeFigures({}, 0, 0, 0),
        goals_by_status={},
        closures_by_reason={},
        supported=6,
        age_bands={"14 to 15": 4, "16 to 17": 2},
        genders={Gender.MALE: 4, Gender.FEMALE: 2},
        ethnicities={Ethnicity.WHITE_IRISH: 1, Ethnicity.BLACK_AFRICAN: 5},
    )


def test_the_commentary_prints_on_the_first_page(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    org = OrgSettings("Bedfordshire VERU", None, "OFFICIAL-SENSITIVE")
    commentary = (
        "Referrals from Luton rose after the summer; Zoë Çelik's team met every target.\n\n"
        "Two posts are now filled."
    )
    render_outcome_report(figures(), org, path, "Priya Raghunathan", commentary=commentary)
    first = " ".join(PdfReader(path).pages[0].extract_text().split())
    assert "Manager’s commentary" in first
    assert "Zoë Çelik's team met every target." in first
    assert "Two posts are now filled." in first
    assert "Commentary by Priya Raghunathan" in first


def test_without_commentary_there_is_no_commentary_heading(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    org = OrgSettings("Bedfordshire VERU", None, "OFFICIAL-SENSITIVE")
    render_outcome_report(figures(), org, path, "Priya Raghunathan")
    assert "commentary" not in PdfReader(path).pages[0].extract_text()


def test_outcome_report_pdf_is_marked_numbered_and_prints_the_figures(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    org = OrgSettings("Bedfordshire VERU", None, "OFFICIAL-SENSITIVE")
    pages = render_outcome_report(figures(), org, path, "Priya Raghunathan")
    reader = PdfReader(path)
    texts = [p.extract_text() for p in reader.pages]
    assert pages == len(texts) >= 2
    assert_marked_and_numbered(texts)
    flat = " ".join(" ".join(texts).split())
    assert "Period 01/01/2026 to 31/03/2026" in flat
    assert "Caseworker: Dariusz Wójcik" in flat
    assert "Ciarán Ó Briain 14" in flat
    assert "Sessions attended (of offered) 9 12 75.0" in flat
    assert "Nothing to count in this period." in flat  # goals and closures were empty
    # Small counts of young people print as "<5", and say so; a workload figure does not.
    assert "Police <5" in flat and "School or college <5" in flat
    assert "<5: a number from 1 to 4" in flat
    assert reader.metadata is not None and reader.metadata.author == "Bedfordshire VERU"
    assert not any("Helvetica" in f for f in fonts_used(path))
