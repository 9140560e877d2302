"""The case summary PDF a caseworker takes to a multi-agency meeting.

It prints only what ``CaseSummaryData`` holds: the sharing profile was applied when the data
was gathered, so this module cannot leak what a profile withholds. Long cases lay out in full
(every table's header repeats on each page it runs onto and rows split across pages); nothing
is cut short.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.enums import GoalStatus
from veru_desk.domain.sharing import ShareSection
from veru_desk.reports.charts import line_chart
from veru_desk.reports.styles import (
    BODY,
    BOTTOM_MARGIN,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    MARGIN,
    MUTED_SMALL,
    NOTICE,
    SUBHEADING,
    SUBTITLE,
    TITLE,
    LongText,
    build_marked_pdf,
    data_table,
    heading,
    key_value_table,
    para,
    register_fonts,
    rich,
    text,
)
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.services.exports import write_then_record
from veru_desk.services.settings import OrgSettings
from veru_desk.services.summary import (
    CaseSummaryData,
    ChronologyLine,
    OutcomeLine,
    PreparedFor,
    SharingProfile,
)

LOGO_HEIGHT = 16 * mm
WITHHELD = "Withheld (multi-agency profile)"


@dataclass(frozen=True)
class SummaryExport:
    path: Path
    pages: int
    export_id: int


def export_case_summary(
    services: Services,
    person_id: int,
    path: Path,
    profile: SharingProfile,
    prepared_for: PreparedFor | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    decision_id: int | None = None,
) -> SummaryExport:
    """Gathers, writes and records one summary: the file exists only if the export is recorded.

    The export is recorded (Exports tab row and audit event) only once the PDF is in its
    place, and taken away again if recording fails (``services.exports.write_then_record``).

    A multi-agency summary needs a sharing decision ready to use (``decision_id``, or the
    case's latest unused one: ``services.sharing``); without one nothing is drawn and the
    refusal says why.
    """
    report = progress or (lambda done, total, text: None)
    report(0, 3, "Reading the case")
    data = services.summary.gather(
        person_id, profile, prepared_for, decision_id=decision_id, for_export=True
    )
    used = data.sharing.id if data.sharing else None
    report(1, 3, "Laying out the pages")
    path = path.resolve()
    pages = 0

    def draw(temp: Path) -> None:
        nonlocal pages
        pages = render_case_summary(data, temp)
        report(2, 3, "Recording the export")

    record = write_then_record(
        [(path, draw)],
        lambda: services.summary.record_export(
            person_id, profile, data.prepared_for, str(path), pages, decision_id=used
        ),
    )
    report(3, 3, "Done")
    return SummaryExport(path, pages, record.id)


def default_filename(case_ref: str, profile: SharingProfile, on: dt.date | None = None) -> str:
    day = (on or dt.date.today()).isoformat()
    return f"{case_ref} case summary ({profile.value}) {day}.pdf"


def render_case_summary(data: CaseSummaryData, target: str | Path | IO[bytes]) -> int:
    """Writes the PDF; returns its number of pages."""
    register_fonts()
    story = summary_story(data)
    return build_marked_pdf(
        target,
        story,
        title=f"Case summary {data.case_ref}",
        author=data.org.name,
        subject=f"{data.profile.label} case summary ({data.org.marking})",
        marking=data.org.marking,
        footer_left=(
            f"{data.case_ref} · {data.profile.label} case summary · generated "
            f"{format_uk_date(data.generated_at.date())}"
        ),
        on_page=_handling_footer(data),
    )


def summary_story(data: CaseSummaryData) -> list[Flowable]:
    """The summary's pages as flowables: one document, or one part of a panel's pack."""
    register_fonts()
    story: list[Flowable] = []
    story += _cover(data)
    story += _panel(data)
    story += _young_person(data)
    story += _referrals(data)
    story += _risk(data)
    story += _incidents(data)
    story += _plan(data)
    story += _sessions(data)
    story += _outcomes(data)
    story += _closure(data)
    story += _chronology(data)
    return story


def _handling_footer(data: CaseSummaryData) -> Callable[[Canvas, int], None] | None:
    """Every page of a shared summary says how to handle it, above the page number."""
    if data.sharing is None:
        return None
    words = data.sharing.handling

    def draw(canvas: Canvas, _page: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 7.5)
        canvas.drawString(MARGIN, BOTTOM_MARGIN - 5 * mm, words)
        canvas.restoreState()

    return draw


def logo_flowable(org: OrgSettings, height: float = LOGO_HEIGHT) -> Image:
    """The organisation's logo, or the shipped one when none is set or the file has gone."""
    path = Path(org.logo_path) if org.logo_path else None
    if path is None or not path.is_file():
        path = resource_path("images", "veru-logo.png")
    width, image_height = ImageReader(str(path)).getSize()
    return Image(str(path), width=height * width / image_height, height=height)


def _cover(data: CaseSummaryData) -> list[Flowable]:
    logo = logo_flowable(data.org)
    heading = [
        para(data.org.name, SUBTITLE),
        para(f"Case summary {data.case_ref}", TITLE),
    ]
    top = Table([[logo, heading]], colWidths=[logo.drawWidth + 5 * mm, None], hAlign="LEFT")
    top.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    prepared = data.prepared_for.text if data.prepared_for else "Not given"
    facts = key_value_table(
        [
            ("Case reference", data.case_ref),
            ("Prepared for", prepared),
            (
                "Generated",
                f"{format_uk_datetime(data.generated_at)} by {data.generated_by}",
            ),
            ("Sharing profile", data.profile.label),
            ("Case status", data.status.label if data.status else "No referral recorded"),
            ("Caseworker", data.worker or "Not allocated"),
        ]
    )
    if data.profile is SharingProfile.MULTI_AGENCY:
        return [top, Spacer(1, 3 * mm), facts, *_sharing_cover(data)]
    else:
        notice = rich(
            "<b>Full internal summary.</b> Contains contact details, the NHS number and notes "
            "marked confidential. For use within the unit only: export the multi-agency "
            "profile to share with partners.",
            NOTICE,
        )
    return [top, Spacer(1, 3 * mm), facts, notice]


def _sharing_cover(data: CaseSummaryData) -> list[Flowable]:
    """The decision this summary was shared under, its handling, and what it withholds."""
    items = "".join(f"<br/>• {text(line)}" for line in data.withheld)
    decision = data.sharing
    if decision is None:
        return [
            rich(
                "<b>Multi-agency summary: NO SHARING DECISION RECORDED.</b> This draft may not "
                "be shared. Special category details are withheld; the following are not in "
                f"this document:{items}",
                NOTICE,
            )
        ]
    shared = ", ".join(s.label for s in ShareSection if s in decision.shared) or "None"
    withheld = ", ".join(s.label for s in ShareSection if s in decision.withheld) or "None"
    pairs: list[tuple[str, object]] = [
        ("Lawful basis", decision.basis_text),
        ("Consent on the referral", (decision.consent_on_referral or "Not recorded").capitalize()),
        ("Manager's approval", decision.approval_text),
        ("Shared with", f"{decision.meeting_text}: {', '.join(decision.agencies)}"),
        ("Special category details shared", shared),
        ("Withheld under the decision", withheld),
        (
            "Decision recorded",
            f"{format_uk_date(decision.decided_on)} by {decision.decided_by or 'not known'}",
        ),
    ]
    title = para(f"Sharing decision of {format_uk_date(decision.decided_on)}", SUBHEADING)
    return [
        Spacer(1, 2 * mm),
        key_value_table(pairs, title=title),
        rich(
            f"<b>Handling.</b> {text(decision.handling)} "
            "Share it only with the people at the meeting named above; do not copy it into "
            "another agency's records without asking the unit.",
            NOTICE,
        ),
        rich(
            "<b>Multi-agency summary.</b> The following were withheld and are not in this "
            f"document:{items}",
            NOTICE,
        ),
    ]


def _panel(data: CaseSummaryData) -> list[Flowable]:
    """The page a panel reads first: position and analysis, risk, engagement, network,
    actions and the recommendation; the detail follows."""
    panel = data.panel
    if panel is None:
        return []
    # The cover is for whoever checks what may be shared; the panel's own first page
    # follows it, whole, before the detail.
    story: list[Flowable] = [PageBreak(), *heading("Current position and analysis")]
    written = [(label, value) for label, value in panel.analysis if value]
    if written:
        story.append(key_value_table([(label, value) for label, value in written], 50 * mm))
    else:
        story.append(
            rich(
                "<b>No analysis written yet.</b> The caseworker records it on the case's "
                "Overview tab before a panel.",
                BODY,
            )
        )
    by = (
        f"Analysis last updated {format_uk_date(panel.analysis_on)} by {panel.analysis_by}."
        if panel.analysis_by and panel.analysis_on
        else ""
    )
    if by:
        story.append(para(by, MUTED_SMALL))
    story.append(Spacer(1, 2 * mm))
    current = data.current_risk
    risk = "No risk assessment recorded"
    if current is not None:
        risk = (
            f"{current.level.label.upper()}, assessed {format_uk_date(current.assessed_on)}; "
            f"next review {format_uk_date(current.next_review_on)}"
            + (" (REVIEW OVERDUE)" if current.overdue else "")
        )
    if data.status is not None and not data.status.is_open_case:
        engagement = f"Case {data.status.label.lower()}"
    elif panel.disengaged:
        engagement = "DISENGAGED: three or more missed sessions in a row"
    else:
        engagement = "Engaging (no disengagement alert)"
    if panel.last_contact_on:
        engagement += f"; last contact {format_uk_date(panel.last_contact_on)}"
    a = data.attendance
    if a.rate is not None:
        engagement += f"; attended {a.attended} of {a.offered} sessions offered ({a.rate:.0%})"
    review = "No plan recorded"
    if panel.plan_review_on:
        review = f"Review due {format_uk_date(panel.plan_review_on)}" + (
            " (PLAN REVIEW OVERDUE)" if panel.plan_review_overdue else ""
        )
    elif data.plan is not None:
        review = "No review date set"
    story.append(
        key_value_table(
            [
                ("Risk", risk),
                ("Risk trend", panel.risk_trend),
                ("Engagement", engagement),
                ("Plan", review),
                ("Education", f"{panel.education} ({panel.education_source})"),
            ],
            50 * mm,
        )
    )
    story += heading("Professional network", SUBHEADING)
    if panel.network:
        story.append(
            data_table(
                ["Name", "Role", "Agency"],
                [[c.name, c.relationship, c.agency or ""] for c in panel.network],
                _w(5, 4, 6),
            )
        )
    else:
        story.append(para("No professionals recorded as contacts on the case.", BODY))
    story += heading("Actions and their status", SUBHEADING)
    if panel.actions:
        shown = panel.actions[:12]
        story.append(
            data_table(
                ["Action", "Owner", "Due", "Status"],
                [
                    [a.description, a.owner, format_uk_date(a.due_on) or "None set", a.status]
                    for a in shown
                ],
                _w(8.4, 3.8, 2.4, 3.4),
            )
        )
        if len(panel.actions) > len(shown):
            story.append(
                para(
                    f"{len(panel.actions) - len(shown)} further actions are in the plan below.",
                    MUTED_SMALL,
                )
            )
    else:
        story.append(para("No actions in the current plan.", BODY))
    story.append(Spacer(1, 3 * mm))
    author = data.author
    if author is not None:
        contact = f", {author.email}" if author.email else ""
        story.append(
            rich(
                f"<b>Prepared by</b> {text(author.name)}, {text(author.role)}{text(contact)}.", BODY
            )
        )
    if panel.sign_off_required:
        if panel.signed_off_by and panel.signed_off_on:
            story.append(
                rich(
                    f"<b>Manager's sign-off:</b> {text(panel.signed_off_by)}, "
                    f"{format_uk_date(panel.signed_off_on)}.",
                    BODY,
                )
            )
        else:
            story.append(
                rich(
                    "<b>Manager's sign-off: NOT YET SIGNED OFF.</b> The unit requires a "
                    "manager's sign-off of the analysis before a panel.",
                    NOTICE,
                )
            )
    elif panel.signed_off_by and panel.signed_off_on:
        story.append(
            rich(
                f"<b>Signed off by</b> {text(panel.signed_off_by)}, "
                f"{format_uk_date(panel.signed_off_on)}.",
                BODY,
            )
        )
    story.append(PageBreak())
    return story


def _young_person(data: CaseSummaryData) -> list[Flowable]:
    person = data.person
    full = data.profile is SharingProfile.FULL
    pairs: list[tuple[str, object]] = [
        ("Name", person.name),
        ("Preferred name", person.preferred_name or "None given"),
        ("Date of birth (age)", f"{format_uk_date(person.date_of_birth)} ({person.age})"),
        ("Gender", person.gender),
        ("Ethnicity", person.ethnicity),
        (
            "Education",
            (data.panel.education if data.panel else person.education_status)
            + (f" ({person.education_setting})" if person.education_setting else ""),
        ),
        ("Flags", ", ".join(person.flags) if person.flags else "None recorded"),
    ]
    if full:
        address = ", ".join(p for p in (person.address, person.postcode) if p)
        pairs += [
            ("Address", address or "Not recorded"),
            ("Phone", person.phone or "Not recorded"),
            ("Email", person.email or "Not recorded"),
            ("NHS number", _nhs(person.nhs_number) or "Not recorded"),
        ]
    else:
        pairs.append(("Address, phone, NHS number", WITHHELD))
    story: list[Flowable] = [*heading("The young person"), key_value_table(pairs)]
    if data.contacts:
        story += heading("Family and professional contacts", SUBHEADING)
        if full:
            rows = [
                [
                    c.name,
                    c.relationship
                    + (" (parental responsibility)" if c.parental_responsibility else ""),
                    "\n".join(p for p in (c.phone, c.email, c.address) if p) or "Not recorded",
                ]
                for c in data.contacts
            ]
            story.append(data_table(["Name", "Relationship", "Contact details"], rows, _w(4, 4, 6)))
        else:
            rows = [
                [
                    c.name,
                    c.relationship
                    + (" (parental responsibility)" if c.parental_responsibility else ""),
                    c.agency or "",
                ]
                for c in data.contacts
            ]
            story.append(data_table(["Name", "Relationship", "Agency"], rows, _w(4, 5, 5)))
    return story


def _nhs(number: str | None) -> str | None:
    if not number or len(number) != 10:
        return number
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def _referrals(data: CaseSummaryData) -> list[Flowable]:
    story: list[Flowable] = [*heading("Referrals")]
    if not data.referrals:
        return [*story, para("No referral recorded.", BODY)]
    for number, r in enumerate(data.referrals, start=1):
        referrer = r.referrer or "Not named"
        if r.referrer_contact:
            referrer += f" ({r.referrer_contact})"
        pairs: list[tuple[str, object]] = [
            ("Received", format_uk_date(r.received_on)),
            ("Referred by", f"{r.agency} ({r.agency_type})" if r.agency_type else r.agency),
            ("Referrer", referrer),
            ("Reasons", ", ".join(r.reasons) or "None recorded"),
            ("Priority", r.priority),
            ("Status", r.status.label),
        ]
        if r.decision:
            pairs.append(("Decision", r.decision))
        if r.worker:
            pairs.append(("Caseworker", r.worker))
        pairs += [
            ("Consent (young person / parent)", f"{r.consent_young_person} / {r.consent_parent}"),
            ("Information-sharing basis", r.sharing_basis or "Not recorded"),
        ]
        if r.narrative:
            pairs.append(("Why referred", r.narrative))
        title = f"Referral {number} of {len(data.referrals)}: {format_uk_date(r.received_on)}"
        # The title is the table's first row, so it is repeated on every page a long
        # narrative runs onto.
        story += [CondPageBreak(24 * mm), key_value_table(pairs, title=para(title, SUBHEADING))]
    return story


def _risk(data: CaseSummaryData) -> list[Flowable]:
    story: list[Flowable] = [*heading("Risk")]
    current = data.current_risk
    if current is None:
        return [*story, para("No risk assessment recorded.", BODY)]
    overdue = " <b>(review overdue)</b>" if current.overdue else ""
    story.append(
        rich(
            f"Current risk level: <b>{text(current.level.label.upper())}</b>, assessed "
            f"{format_uk_date(current.assessed_on)}"
            f"{' by ' + text(current.assessor) if current.assessor else ''}; next review "
            f"{format_uk_date(current.next_review_on)}{overdue}.",
            BODY,
        )
    )
    story.append(Spacer(1, 2 * mm))
    rows = [
        [
            format_uk_date(r.assessed_on),
            r.level.label,
            r.risk_factors or "None recorded",
            r.protective_factors or "None recorded",
            r.assessor or "",
            format_uk_date(r.next_review_on),
        ]
        for r in data.risk
    ]
    story.append(
        data_table(
            ["Assessed", "Level", "Risk factors", "Protective factors", "Assessor", "Review"],
            rows,
            _w(2.2, 1.8, 4.6, 4.6, 2.6, 2.2),
        )
    )
    return story


def _incidents(data: CaseSummaryData) -> list[Flowable]:
    """The incidents the young person was involved in, oldest first, with their own role. The
    account of what happened names others, so only the full internal summary prints it."""
    story: list[Flowable] = [*heading("Incidents")]
    if not data.incidents:
        return [*story, para("No incidents recorded.", BODY)]
    rows: list[list[object]] = []
    for line in data.incidents:
        when = format_uk_datetime(line.occurred_at)
        if line.withheld:
            rows.append([when, line.withheld, "", "", "", ""])
            continue
        kind = LongText(line.summary, heading=line.kind.label) if line.summary else line.kind.label
        rows.append(
            [
                when,
                kind,
                line.place,
                line.role.label if line.role else "",
                line.source,
                line.reference or "",
            ]
        )
    story.append(
        data_table(
            ["When", "What", "Place", "Role", "Source", "Reference"],
            rows,
            _w(2.4, 5.6, 3.4, 2.3, 2.1, 2.6),
        )
    )
    return story


def _plan(data: CaseSummaryData) -> list[Flowable]:
    story: list[Flowable] = [*heading("Intervention plan")]
    plan = data.plan
    if plan is None:
        return [*story, para("No plan recorded.", BODY)]
    review = f", review due {format_uk_date(plan.review_on)}" if plan.review_on else ""
    if data.panel is not None and data.panel.plan_review_overdue:
        review += " (REVIEW OVERDUE)"
    story.append(
        para(f"Version {plan.plan_version}, started {format_uk_date(plan.started_on)}{review}.")
    )
    if plan.summary:
        story.append(para(plan.summary, BODY))
    achieved = sum(1 for g in plan.goals if g.status is GoalStatus.ACHIEVED)
    story.append(para(f"{achieved} of {len(plan.goals)} goals achieved.", MUTED_SMALL))
    story.append(Spacer(1, 1.5 * mm))
    rows: list[list[object]] = []
    for number, goal in enumerate(plan.goals, start=1):
        parts = []
        if goal.progress:
            parts.append(f"Progress: {goal.progress}")
        for action in goal.actions:
            bits = [action.description]
            if action.owner:
                bits.append(f"owner {action.owner}")
            if action.due_on:
                bits.append(f"due {format_uk_date(action.due_on)}")
            if action.done_on:
                bits.append(f"done {format_uk_date(action.done_on)}")
            elif action.overdue:
                bits.append("OVERDUE")
            else:
                bits.append("open")
            parts.append("• " + "; ".join(bits))
        rows.append(
            [
                str(number),
                goal.domain.label,
                LongText("\n".join(parts), heading=goal.description),
                format_uk_date(goal.target_on) or "None set",
                goal.status.label,
            ]
        )
    if rows:
        story.append(
            data_table(
                ["#", "Area", "Goal, progress and actions", "Target", "Status"],
                rows,
                _w(0.7, 3.2, 9.0, 2.1, 3.0),
                continued_columns=(0, 1),
            )
        )
    return story


def _sessions(data: CaseSummaryData) -> list[Flowable]:
    a = data.attendance
    rate = f"{a.rate:.0%}" if a.rate is not None else "No sessions offered yet"
    story: list[Flowable] = [
        *heading("Sessions and attendance"),
        data_table(
            ["Offered", "Attended", "Missed", "Cancelled by service", "Still planned", "Rate"],
            [[a.offered, a.attended, a.missed, a.cancelled_by_service, a.planned, rate]],
            _w(3, 3, 3, 3, 3, 3),
            numeric_columns=range(6),
        ),
        para(
            "Offered sessions are those the young person could attend (attended, did not "
            "attend, or cancelled by them); the rate is attended divided by offered.",
            MUTED_SMALL,
        ),
    ]
    if data.episodes:
        story += heading("Attendance in each episode", SUBHEADING)
        rows = []
        for e in data.episodes:
            ea = e.attendance
            rows.append(
                [
                    f"Episode {e.number}: {e.period}",
                    ea.offered,
                    ea.attended,
                    ea.missed,
                    f"{ea.rate:.0%}" if ea.rate is not None else "None offered",
                ]
            )
        story.append(
            data_table(
                ["Episode", "Offered", "Attended", "Missed", "Rate"],
                rows,
                _w(8, 2, 2, 2, 2.5),
                numeric_columns=(1, 2, 3, 4),
            )
        )
    if data.recent_sessions:
        shown = len(data.recent_sessions)
        story += heading(
            f"The {shown} most recent sessions (every session is in the chronology)"
            if shown > 1
            else "The most recent session",
            SUBHEADING,
        )
        rows = []
        for s in data.recent_sessions:
            details = [
                f"Location: {s.location}" if s.location else "",
                f"Topics: {s.topics}" if s.topics else "",
                s.notes or "",
            ]
            rows.append(
                [
                    format_uk_datetime(s.start),
                    f"{s.session_type}, {s.minutes} min",
                    s.attendance.label,
                    s.mentor or "",
                    "\n".join(d for d in details if d),
                ]
            )
        story.append(
            data_table(
                ["When", "Type", "Attendance", "Mentor", "Location, topics, notes"],
                rows,
                _w(28, 30, 28, 28, 60),
            )
        )
    return story


def _outcomes(data: CaseSummaryData) -> list[Flowable]:
    story: list[Flowable] = [*heading("Outcomes over time")]
    if not data.outcomes:
        return [*story, para("No outcomes recorded yet.", BODY)]
    if data.outcome_columns_withheld:
        story.append(para(f"{data.outcome_columns_withheld}.", MUTED_SMALL))
        story.append(Spacer(1, 1.5 * mm))
    if data.episodes:
        for episode in data.episodes:
            story += heading(f"Episode {episode.number}: {episode.period}", SUBHEADING)
            if episode.outcomes:
                story.append(_outcome_table(data, episode.outcomes))
            else:
                story.append(para("No outcomes recorded in this episode.", BODY))
    else:
        story.append(_outcome_table(data, data.outcomes))
    points = [(o.recorded_on, float(o.wellbeing)) for o in data.outcomes if o.wellbeing is not None]
    if points:
        story.append(Spacer(1, 3 * mm))
        story.append(
            KeepTogether(
                [
                    line_chart(
                        points,
                        "Self-rated wellbeing (0 to 10)",
                        value_min=0,
                        value_max=10,
                        width=CONTENT_WIDTH,
                    )
                ]
            )
        )
    return story


def _outcome_table(data: CaseSummaryData, outcomes: list[OutcomeLine]) -> Table:
    def _n(value: int | None) -> str:
        return "" if value is None else str(value)

    # Columns a sharing decision withholds are left out, not printed blank.
    hide_offending = all(o.arrests is None and o.charges is None for o in data.outcomes) and (
        ShareSection.OFFENDING in data.withheld_sections
    )
    hide_wellbeing = all(o.wellbeing is None for o in data.outcomes) and (
        ShareSection.MENTAL_HEALTH in data.withheld_sections
    )
    columns: list[tuple[str, float, Callable[[OutcomeLine], str]]] = [
        ("Recorded", 2.2, lambda o: format_uk_date(o.recorded_on)),
        ("Point", 1.8, lambda o: o.point),
        ("Risk", 1.9, lambda o: o.risk_level.label if o.risk_level else ""),
        ("Education", 4.6, lambda o: o.education_status or ""),
    ]
    if not hide_wellbeing:
        columns.append(("Wellbeing (0-10)", 2.0, lambda o: _n(o.wellbeing)))
    if not hide_offending:
        columns.append(("Arrests", 1.6, lambda o: _n(o.arrests)))
        columns.append(("Charges", 1.7, lambda o: _n(o.charges)))
    columns.append(("Goals achieved", 2.2, lambda o: _n(o.goals_achieved)))
    return data_table(
        [name for name, _w_, _f in columns],
        [[cell(o) for _n_, _w_, cell in columns] for o in outcomes],
        _w(*(width for _n_, width, _f in columns)),
        numeric_columns=range(4, len(columns)),
    )


def _closure(data: CaseSummaryData) -> list[Flowable]:
    closed = data.closures
    if not closed:
        return []
    story: list[Flowable] = [*heading("Closure")]
    for r in closed:
        pairs: list[tuple[str, object]] = [
            ("Episode referred", format_uk_date(r.received_on)),
            ("Closed on", format_uk_date(r.closed_on) or "Not recorded"),
            (
                "Reason",
                r.closure_reason_withheld
                or (r.closure_reason.label if r.closure_reason else "Not recorded"),
            ),
            ("Outcome summary", r.outcome_summary or "Not recorded"),
        ]
        title = para(f"Episode referred {format_uk_date(r.received_on)}", SUBHEADING)
        story += [key_value_table(pairs, title=title), Spacer(1, 2 * mm)]
    return story


def _chronology(data: CaseSummaryData) -> list[Flowable]:
    story: list[Flowable] = [
        *heading("Chronology"),
        para(
            f"{len(data.chronology)} entries, oldest first: referral decisions, assessments, "
            "plans, sessions, outcomes, notes and exports.",
            MUTED_SMALL,
        ),
        Spacer(1, 1.5 * mm),
    ]
    if not data.chronology:
        return [*story, para("Nothing recorded yet.", BODY)]
    rows = [_chronology_row(entry) for entry in data.chronology]
    story.append(data_table(["When", "What", "Details", "By"], rows, _w(28, 20, 95, 31)))
    return story


def _chronology_row(entry: ChronologyLine) -> list[object]:
    when = format_uk_date(entry.at.date()) if entry.date_only else format_uk_datetime(entry.at)
    return [
        when,
        entry.kind.label,
        LongText(entry.detail or "", heading=entry.title),
        entry.by or "",
    ]


def _w(*parts: float) -> list[float]:
    """Column widths in proportion, filling the page's width (174 parts: millimetres)."""
    total = sum(parts)
    return [CONTENT_WIDTH * p / total for p in parts]
