"""The multi-agency summary read back as its recipients read it: what the sharing decision
withholds is absent, the decision and its handling are printed, and the panel's first page
holds the caseworker's analysis."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.sharing_helpers import decide, meeting_day
from veru_desk.db.engine import Database
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ClosureReason,
    ConsentStatus,
    EducationStatus,
    GoalDomain,
    OutcomePoint,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.sharing import ShareSection
from veru_desk.reports.case_summary import export_case_summary
from veru_desk.services import Services
from veru_desk.services.case_analysis import AnalysisInput
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.plans import ActionInput, GoalInput
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput
from veru_desk.services.summary import SharingProfile

SEXUAL_HEALTH_TOPIC = "sexual health clinic appointment"
STAB_WOUND = "Attended A&E with a stab wound to the left thigh"
CAMHS = "CAMHS assessment booked after self-harm"
CANNABIS = "Daily cannabis use, owes money"
TODAY = dt.date.today()
DECIDED = f"under the sharing decision of {format_uk_date(TODAY)}"


def flat(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


@pytest.fixture
def sensitive_case(as_dariusz: Services, small_case: int) -> int:
    """Zoë's case with health, mental health, substance use and a confidential session whose
    topic is sexual health."""
    w = as_dariusz
    w.sessions.book(
        small_case,
        SessionInput(
            planned_start=dt.datetime.combine(TODAY - dt.timedelta(days=2), dt.time(15, 0)),
            attendance=Attendance.ATTENDED,
            topics=SEXUAL_HEALTH_TOPIC,
            notes="Went with her to the clinic",
            confidential=True,
        ),
    )
    w.risk.record(
        small_case,
        RiskInput(
            assessed_on=TODAY - dt.timedelta(days=1),
            level=RiskLevel.HIGH,
            risk_factors=STAB_WOUND,
            protective_factors="Close to her older sister",
        ),
    )
    plan = w.plans.current(small_case)
    assert plan is not None
    goal = w.plans.add_goal(plan.id, GoalInput(GoalDomain.HEALTH, CAMHS))
    w.plans.add_action(goal, ActionInput("Go with her to the first appointment", "Caseworker"))
    w.notes.add(
        small_case,
        NoteInput(
            dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=4),
            "Call with mum",
            CANNABIS,
        ),
    )
    return small_case


def export(services: Services, person_id: int, path: Path) -> Path:
    export_case_summary(services, person_id, path, SharingProfile.MULTI_AGENCY)
    return path


def test_withheld_sections_are_absent_and_marked(
    as_dariusz: Services, sensitive_case: int, tmp_path: Path
) -> None:
    decide(as_dariusz, sensitive_case)
    text = flat(export(as_dariusz, sensitive_case, tmp_path / "ma.pdf"))
    for secret in (SEXUAL_HEALTH_TOPIC, STAB_WOUND, "A&E", CAMHS, "self-harm", CANNABIS):
        assert secret not in text, secret
    assert f"Health details withheld {DECIDED}" in text
    assert f"Health and mental health details withheld {DECIDED}" in text  # the CAMHS goal
    assert f"Substance use details withheld {DECIDED}" in text
    # The arrests column is left out, and the flags say where child protection status went.
    assert "Arrests" not in text
    assert f"Child protection details withheld {DECIDED}" in text
    assert "Child in need" not in text
    assert "Close to her older sister" in text  # the rest of the assessment still goes


def test_the_decision_and_handling_instructions_are_on_the_cover_and_every_page(
    as_dariusz: Services, sensitive_case: int, tmp_path: Path
) -> None:
    decide(as_dariusz, sensitive_case, shared=frozenset({ShareSection.OFFENDING}))
    texts = pages(export(as_dariusz, sensitive_case, tmp_path / "ma.pdf"))
    cover = texts[0]
    assert "information-sharing basis recorded on the referral" not in " ".join(texts)
    assert f"Sharing decision of {format_uk_date(TODAY)}" in cover
    assert "Consent, given by The young person and her mother (Ayşe Yılmaz)" in cover
    assert "Bedfordshire Police, Challney High School, Luton Children's Social Care" in cover
    assert "Offending (arrests, charges, youth justice)" in cover
    handling = f"Do not forward. Destroy after the meeting of {format_uk_date(meeting_day())}."
    for number, page in enumerate(texts, start=1):
        assert handling in page, f"page {number} lacks the handling instruction"
    # Offending shared: the arrests are there.
    assert "Arrests" in " ".join(texts)


def test_a_shared_section_prints_and_the_full_summary_is_unfiltered(
    as_dariusz: Services, sensitive_case: int, tmp_path: Path
) -> None:
    decide(as_dariusz, sensitive_case, shared=frozenset({ShareSection.HEALTH}))
    shared = flat(export(as_dariusz, sensitive_case, tmp_path / "ma.pdf"))
    assert STAB_WOUND in shared
    assert CAMHS not in shared  # mental health still withheld
    full = tmp_path / "full.pdf"
    export_case_summary(as_dariusz, sensitive_case, full, SharingProfile.FULL)
    internal = flat(full)
    for detail in (STAB_WOUND, CAMHS, CANNABIS, SEXUAL_HEALTH_TOPIC):
        assert detail in internal


def test_a_confidential_sessions_topics_never_reach_a_multi_agency_summary(
    as_dariusz: Services, sensitive_case: int
) -> None:
    data = as_dariusz.summary.gather(sensitive_case, SharingProfile.MULTI_AGENCY)
    everything = repr(data)
    assert SEXUAL_HEALTH_TOPIC not in everything
    assert data.sharing is None  # no decision yet: everything special category is withheld
    assert data.withheld_sections == frozenset(ShareSection)


def test_the_panel_page_comes_first_with_the_analysis_author_and_sign_off(
    db: Database,
    team: object,
    as_dariusz: Services,
    as_manager: Services,
    small_case: int,
    tmp_path: Path,
) -> None:
    from veru_desk.db.models import User

    with db.write() as session:
        dariusz = session.get_one(User, as_dariusz.actor.user_id)
        dariusz.email = "dariusz.wojcik@veru.example.org"
    as_manager.settings.set_summary_sign_off_required(True)
    saved = as_dariusz.analysis.save(
        small_case,
        AnalysisInput(
            current_position="Back at Challney High mornings only",
            going_well="Attends every Thursday session",
            worries="Still seen with the older group at Wardown Park",
            what_changed="No missing episodes since the last panel",
            young_person_view="Zo says she wants to finish Year 11",
            parent_view="Ayşe is relieved but worried about weekends",
            recommendation="Continue for twelve weeks; review at the March panel",
        ),
        0,
    )
    with db.write() as session:  # the plan's review date has passed
        from veru_desk.db.models import InterventionPlan

        plan = session.query(InterventionPlan).filter_by(young_person_id=small_case).one()
        plan.review_on = TODAY - dt.timedelta(days=3)
    decide(as_dariusz, small_case)
    first = pages(export(as_dariusz, small_case, tmp_path / "a.pdf"))
    page_one = first[1]  # the panel's first page, straight after the cover
    for words in (
        "Current position and analysis",
        "Back at Challney High mornings only",
        "Still seen with the older group at Wardown Park",
        "Zo says she wants to finish Year 11",
        "Ayşe is relieved but worried about weekends",
        "Continue for twelve weeks; review at the March panel",
        "Prepared by Dariusz Wójcik, Caseworker, dariusz.wojcik@veru.example.org",
        "NOT YET SIGNED OFF",
        "PLAN REVIEW OVERDUE",
        "Falling: High on",
    ):
        assert words in page_one, words
    # Education on page 1 is the latest outcome's, not the stale record (Excluded).
    assert "In full-time education (from the latest outcome record" in page_one
    # ... and so is the young person's section (page 4's outcomes keep the history).
    assert "Education In full-time education (Challney High School)" in " ".join(first)
    assert "Education Excluded" not in " ".join(first)

    as_manager.analysis.sign_off(small_case, saved.version)
    decide(as_dariusz, small_case)
    signed = pages(export(as_dariusz, small_case, tmp_path / "b.pdf"))[1]
    assert f"Manager's sign-off: Priya Raghunathan, {format_uk_date(TODAY)}." in signed


def test_a_re_referred_young_persons_attendance_and_outcomes_are_shown_per_episode(
    as_manager: Services, as_dariusz: Services, small_case: int, tmp_path: Path
) -> None:
    [referral] = as_manager.referrals.for_person(small_case)
    closed_on = TODAY - dt.timedelta(days=4)
    as_manager.referrals.close(
        referral.id, ClosureReason.GOALS_ACHIEVED, "Back in school full time", on=closed_on
    )
    again = as_manager.referrals.create(
        ReferralDetails(
            received_on=TODAY - dt.timedelta(days=2),
            referring_agency="Challney High School",
            referring_agency_type=AgencyType.SCHOOL,
            reasons=frozenset({ReferralReason.ONLINE_CONFLICT}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person_id=small_case,
    )
    as_manager.referrals.decide(again.referral_id, ReferralStatus.ACCEPTED, "Threats online")
    assert as_dariusz.actor.user_id is not None
    as_manager.referrals.allocate(again.referral_id, as_dariusz.actor.user_id)
    as_dariusz.outcomes.record(
        small_case,
        OutcomeInput(
            TODAY - dt.timedelta(days=1),
            OutcomePoint.START,
            education_status=EducationStatus.IN_EDUCATION,
        ),
    )
    decide(as_dariusz, small_case)
    text = flat(export(as_dariusz, small_case, tmp_path / "r.pdf"))
    first = TODAY - dt.timedelta(days=60)
    assert "Attendance in each episode" in text
    assert f"Episode 1: {format_uk_date(first)} to {format_uk_date(closed_on)}" in text, text
    assert f"Episode 2: {format_uk_date(TODAY - dt.timedelta(days=2))} to now" in text
    # Episode 1 held the six weekly sessions (one missed); episode 2 none yet.
    assert re.search(r"Episode 1: \S+ to \S+ 6 5 1 83%", text), text
    assert re.search(r"Episode 2: \S+ to now 0 0 0 None offered", text), text
