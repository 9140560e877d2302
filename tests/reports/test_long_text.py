"""Any text of any length prints, whole, in every document (issue #13, finding 5).

A disclosure written up in full is exactly the note that goes to a meeting: it must run over
as many pages as it needs, every page saying whose words they are and when they were written,
and no word may be lost or run off the page. Each test exports through the same call the app
and the command line make, then reads the PDF back with pypdf.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.sharing_helpers import decide
from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ClosureReason,
    ConsentStatus,
    Gender,
    GoalDomain,
    GoalStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.sharing import ShareSection
from veru_desk.reports.case_summary import export_case_summary
from veru_desk.reports.outcome_report import render_outcome_report
from veru_desk.reports.styles import (
    BOTTOM_MARGIN,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    MARGIN,
    PAGE_SIZE,
    TOP_MARGIN,
)
from veru_desk.reports.subject_access import export_subject_access
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput
from veru_desk.services.settings import OrgSettings
from veru_desk.services.summary import PreparedFor, SharingProfile

from .test_outcome_report import figures as outcome_figures

PANEL = PreparedFor("Luton complex-case panel", dt.date(2026, 3, 12))
NOTE_AT = dt.datetime(2026, 1, 5, 10, 0)
NOTE_SUBJECT = "Disclosure to the school nurse"
# A pasted link or reference with no space in it: must wrap, not run off the page.
TOKEN = "https://evidence.beds.police.example/case/" + "Ł0ódź9" * 43

_SENTENCES = [
    "Ngozi said the older group at Wardown Park made her hold a package for them",
    "she was frightened when Łukasz W. followed her to the bus station on Dunstable Road",
    "her aunt, Siobhán Nic Giolla, collected her from the youth centre at half past six",
    "Dariusz Wójcik explained the safety plan again and she agreed to call if followed",
    "the school nurse, Zoë Ó Briain, will meet her every Tuesday until half term",
    "she named Ştefan P. as the one who gave out phones and paid for food",
    "she does not want her younger brother told yet and we agreed to revisit this",
]


def words(count: int, label: str) -> str:
    """Real-looking sentences, each numbered so no two are alike, about ``count`` words."""
    out: list[str] = [f"{label.capitalize()}:"]
    number = 0
    while len(out) < count:
        number += 1
        sentence = _SENTENCES[number % len(_SENTENCES)]
        out.extend(f"{sentence[0].upper()}{sentence[1:]} ({label} {number}).".split())
    return " ".join(out[:count]) + f" End of the {label}."


def squash(value: str) -> str:
    return "".join(value.split())


def assert_printed_whole(text: str, printed: str, what: str) -> None:
    wanted, got = squash(text), squash(printed)
    if wanted in got:
        return
    start = got.find(wanted[:40])
    assert start >= 0, f"the {what} does not start anywhere in the document"
    same = 0
    while same < len(wanted) and got[start + same : start + same + 1] == wanted[same]:
        same += 1
    raise AssertionError(
        f"the {what} is not printed whole: after {same} of {len(wanted)} characters the "
        f"document has {got[start + same : start + same + 60]!r} where the text has "
        f"{wanted[same : same + 60]!r}"
    )


def column_text(path: Path, left: float, right: float, *, bold: bool = False) -> str:
    """The text drawn between ``left`` and ``right`` (points from the page's left edge), in
    the regular font (or the bold one), in reading order across every page; the marking,
    page numbers and footers, outside the frame, are left out."""
    found: list[str] = []
    for page in PdfReader(path).pages:

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if not text.strip() or not isinstance(font, dict):
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            is_bold = "Bold" in str(font.get("/BaseFont"))
            on_page = BOTTOM_MARGIN - 2 <= y <= PAGE_SIZE[1] - TOP_MARGIN + 2
            if left - 1 <= x < right and on_page and is_bold == bold:
                found.append(text)

        page.extract_text(visitor_text=visit)
    return "".join(found)


def column(parts: tuple[float, ...], index: int) -> tuple[float, float]:
    """Where a table's column lies on the page, from the widths in proportion that
    ``reports.case_summary`` gives it."""
    left = MARGIN + CONTENT_WIDTH * sum(parts[:index]) / sum(parts)
    return left, left + CONTENT_WIDTH * parts[index] / sum(parts)


VALUES = (MARGIN + 42 * mm, PAGE_SIZE[0])  # the value column of a key/value table
CHRONOLOGY_DETAILS = column((28, 20, 95, 31), 2)
RISK = (2.2, 1.8, 4.6, 4.6, 2.6, 2.2)
COLUMNS = {
    "risk": column(RISK, 2),
    "protective": column(RISK, 3),
    "progress": column((0.7, 3.2, 9.0, 2.1, 3.0), 2),
    "session": column((28, 30, 28, 28, 60), 4),
}


def pages_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def assert_nothing_runs_off_the_page(path: Path) -> None:
    """Every piece of text starts and ends inside the left and right margins."""
    for number, page in enumerate(PdfReader(path).pages, start=1):
        problems: list[str] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            font: object,
            size: float,
            problems: list[str] = problems,
        ) -> None:
            shown = text.rstrip("\n")
            if not shown.strip() or not isinstance(font, dict):
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            face = FONT_BOLD if "Bold" in str(font.get("/BaseFont")) else FONT
            scale = (tm[0] * cm[0]) or 1
            width = stringWidth(shown, face, size * scale)
            # pypdf's positions are a few points out; text off the page is far more than that.
            if x < MARGIN - 8 or x + width > PAGE_SIZE[0] - MARGIN + 8:
                problems.append(f"{shown[:40]!r} at x={x:.0f}, width {width:.0f}")

        page.extract_text(visitor_text=visit)
        assert not problems, f"page {number}: text outside the margins: {problems[:3]}"


@pytest.fixture
def wordy_case(as_manager: Services, as_dariusz: Services) -> tuple[int, dict[str, str]]:
    """Ngozi Okonkwo-Adeyemi, 15: every free-text field that reaches a document written at
    length. Returns the person's id and the texts by field."""
    today = dt.date.today()
    started = today - dt.timedelta(days=90)
    texts = {
        "narrative": words(3000, "narrative") + " " + TOKEN,
        "note": words(5000, "note") + " " + TOKEN,
        "risk": words(900, "risk factors"),
        "protective": words(700, "protective factors"),
        "progress": words(800, "goal progress"),
        "action": words(400, "plan action"),
        "session": words(1200, "session notes"),
        "decision": words(600, "decision reason"),
        "plan": words(2000, "plan summary") + "\t" + TOKEN,
        # The longest name the agency column holds (200 characters; longer is refused).
        "agency": ("Luton and Dunstable University Hospital Emergency Department Navigators " * 7)[
            :200
        ],
    }
    intake = as_manager.referrals.create(
        ReferralDetails(
            received_on=started,
            referring_agency=texts["agency"],
            referring_agency_type=AgencyType.HEALTH,
            reasons=frozenset({ReferralReason.CRIMINAL_EXPLOITATION}),
            referrer_name="Tomasz Łukasiewicz",
            narrative=texts["narrative"],
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name="Ngozi",
            last_name="Okonkwo-Adeyemi",
            date_of_birth=today - relativedelta(years=15, days=40),
            gender=Gender.FEMALE,
        ),
    )
    person_id = intake.person_id
    as_manager.referrals.decide(
        intake.referral_id, ReferralStatus.ACCEPTED, texts["decision"], priority=Priority.HIGH
    )
    assert as_dariusz.actor.user_id is not None
    as_manager.referrals.allocate(intake.referral_id, as_dariusz.actor.user_id)
    w = as_dariusz
    w.risk.record(
        person_id,
        RiskInput(
            assessed_on=started + dt.timedelta(days=3),
            level=RiskLevel.HIGH,
            risk_factors=texts["risk"],
            protective_factors=texts["protective"],
        ),
    )
    plan_id = w.plans.start_plan(person_id, started + dt.timedelta(days=4), texts["plan"])
    goal = w.plans.add_goal(
        plan_id,
        GoalInput(
            GoalDomain.SAFETY,
            "A safe way home from school",
            status=GoalStatus.IN_PROGRESS,
            progress=texts["progress"],
        ),
    )
    w.plans.add_action(goal, ActionInput(texts["action"], "Dariusz Wójcik"))
    w.sessions.book(
        person_id,
        SessionInput(
            planned_start=dt.datetime.combine(started + dt.timedelta(days=9), dt.time(16, 0)),
            location="Youth centre",
            attendance=Attendance.ATTENDED,
            notes=texts["session"],
        ),
    )
    w.notes.add(person_id, NoteInput(NOTE_AT, NOTE_SUBJECT, texts["note"]))
    return person_id, texts


def _summary(services: Services, person_id: int, profile: SharingProfile, path: Path) -> Path:
    if profile is SharingProfile.MULTI_AGENCY:  # everything shared: the layout is under test
        decide(services, person_id, shared=frozenset(ShareSection))
    return export_case_summary(services, person_id, path, profile, PANEL).path


@pytest.mark.parametrize("profile", list(SharingProfile), ids=lambda p: p.value)
def test_a_5000_word_note_prints_whole_with_its_date_on_every_page(
    as_dariusz: Services,
    wordy_case: tuple[int, dict[str, str]],
    tmp_path: Path,
    profile: SharingProfile,
) -> None:
    person_id, texts = wordy_case
    path = _summary(as_dariusz, person_id, profile, tmp_path / "summary.pdf")
    details = column_text(path, *CHRONOLOGY_DETAILS)
    assert_printed_whole(texts["note"], details, "note")
    when = squash(format_uk_datetime(NOTE_AT))
    pages = [squash(page) for page in pages_text(path)]
    continued = [page for page in pages if squash(f"{NOTE_SUBJECT} (continued)") in page]
    assert len(continued) >= 5, "a 5,000-word note should run over many pages"
    for page in continued:
        assert when + "(continued)" in page, "a continuation page lacks the note's date"
    assert_nothing_runs_off_the_page(path)


@pytest.mark.parametrize("profile", list(SharingProfile), ids=lambda p: p.value)
def test_a_3000_word_narrative_prints_whole_under_its_referral_heading_on_every_page(
    as_dariusz: Services,
    wordy_case: tuple[int, dict[str, str]],
    tmp_path: Path,
    profile: SharingProfile,
) -> None:
    person_id, texts = wordy_case
    path = _summary(as_dariusz, person_id, profile, tmp_path / "summary.pdf")
    values = column_text(path, *VALUES)
    assert_printed_whole(texts["narrative"], values, "narrative")
    received = format_uk_date(dt.date.today() - dt.timedelta(days=90))
    heading = squash(f"Referral 1 of 1: {received}")
    continued = [
        squash(page)
        for page in pages_text(path)
        if squash("Why referred (continued)") in squash(page)
    ]
    # The cover and the panel's page come first, so the narrative starts at the top of a
    # page and runs onto at least two more.
    assert len(continued) >= 2
    for page in continued:
        assert heading in page, "a continuation page lacks the referral's heading and date"
    assert_nothing_runs_off_the_page(path)


@pytest.mark.parametrize("profile", list(SharingProfile), ids=lambda p: p.value)
def test_every_long_field_and_an_unbroken_token_print_whole_in_the_summary(
    as_dariusz: Services,
    wordy_case: tuple[int, dict[str, str]],
    tmp_path: Path,
    profile: SharingProfile,
) -> None:
    person_id, texts = wordy_case
    path = _summary(as_dariusz, person_id, profile, tmp_path / "summary.pdf")
    everything = squash("".join(pages_text(path)))
    for field in ("risk", "protective", "progress", "action", "session", "agency", "decision"):
        ending = squash(texts[field][-60:])
        assert ending in everything, f"the end of the {field} text is missing"
    for field, (left, right) in COLUMNS.items():
        assert_printed_whole(texts[field], column_text(path, left, right), field)
    assert squash(TOKEN) in squash(column_text(path, *CHRONOLOGY_DETAILS))
    # The plan's summary is a paragraph of its own, the page's full width.
    assert_printed_whole(texts["plan"], column_text(path, 0, PAGE_SIZE[0]), "plan summary")
    assert_nothing_runs_off_the_page(path)


def test_subject_access_prints_the_note_and_narrative_whole_under_their_headings(
    as_manager: Services, wordy_case: tuple[int, dict[str, str]], tmp_path: Path
) -> None:
    person_id, texts = wordy_case
    result = export_subject_access(
        as_manager, person_id, tmp_path / "sar.json", tmp_path / "sar.pdf"
    )
    values = squash(column_text(result.pdf_path, *VALUES))
    for field in ("note", "narrative", "risk", "progress", "action", "session", "decision"):
        assert_printed_whole(texts[field], values, field)
    pages = [squash(page) for page in pages_text(result.pdf_path)]
    title = squash(f"{NOTE_SUBJECT}, {format_uk_datetime(NOTE_AT)}")
    body_continued = [page for page in pages if "Body(continued)" in page]
    assert len(body_continued) >= 3
    for page in body_continued:
        assert title in page, "a continuation page lacks the note's heading and date"
    assert_nothing_runs_off_the_page(result.pdf_path)


def test_a_closed_case_with_a_long_outcome_summary_and_decision_prints(
    as_manager: Services,
    as_dariusz: Services,
    wordy_case: tuple[int, dict[str, str]],
    tmp_path: Path,
) -> None:
    person_id, _texts = wordy_case
    [referral] = as_manager.referrals.for_person(person_id)
    summary = words(2500, "outcome summary") + " " + TOKEN
    as_manager.referrals.close(referral.id, ClosureReason.GOALS_ACHIEVED, summary)
    path = _summary(as_dariusz, person_id, SharingProfile.FULL, tmp_path / "closed.pdf")
    assert squash(summary) in squash(column_text(path, *VALUES))
    assert_nothing_runs_off_the_page(path)
    sar = export_subject_access(as_manager, person_id, tmp_path / "c.json", tmp_path / "c.pdf")
    assert squash(summary) in squash(column_text(sar.pdf_path, *VALUES))


def test_outcome_report_with_many_long_named_caseworkers_and_agencies_prints(
    tmp_path: Path,
) -> None:
    """90 caseworkers (more bars than a page holds) with names that do not fit, a filter
    naming a 500-character agency and a 300-character token, and an organisation name that
    fills the cover."""
    agency = ("Luton and Dunstable University Hospital Emergency Department Navigators " * 7)[:500]
    workers = [(f"Siobhán Nic Giolla {n} " + "Ó" * 60, n) for n in range(1, 91)]
    figures = dataclasses.replace(
        outcome_figures(),
        filters=[f"Referring agency: {agency}", f"Reason: {TOKEN}"],
        caseload_by_worker=workers,
    )
    org = OrgSettings("Bedfordshire and Luton Violence Reduction Unit " * 4, None, "OFFICIAL")
    path = tmp_path / "report.pdf"
    render_outcome_report(figures, org, path, "Ngozi Okonkwo-Adeyemi")
    printed = squash("".join(pages_text(path)))
    assert squash(agency) in printed and squash(TOKEN) in printed
    for name, _count in workers:
        assert squash(name) in printed, f"{name} is missing from the caseload table"
    assert_nothing_runs_off_the_page(path)
