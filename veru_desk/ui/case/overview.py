"""The case at a glance: who the young person is, who is around them, what is due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.enums import GoalStatus
from veru_desk.services import Services
from veru_desk.services.case_analysis import AnalysisView
from veru_desk.services.changes import Kind
from veru_desk.services.contacts import ContactDetail
from veru_desk.services.mentoring import AttendanceSummary
from veru_desk.services.people import PersonView
from veru_desk.services.plans import PlanView
from veru_desk.services.referrals import ReferralView
from veru_desk.services.safeguarding import FlagView
from veru_desk.ui.case.tab import CASE_KINDS, CaseTab
from veru_desk.ui.dialogs.case_analysis import CaseAnalysisDialog
from veru_desk.ui.dialogs.person import PersonDialog

NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class Overview:
    person: PersonView
    contacts: list[ContactDetail]  # those involved now
    flags: list[FlagView]
    referrals: list[ReferralView]
    attendance: AttendanceSummary
    plan: PlanView | None
    analysis: AnalysisView | None = None


def attendance_text(summary: AttendanceSummary) -> str:
    if not summary.offered:
        planned = f"; {summary.planned} planned" if summary.planned else ""
        return f"No sessions offered yet{planned}"
    rate = f" ({summary.rate:.0%})" if summary.rate is not None else ""
    text = f"{summary.attended} of {summary.offered} attended{rate}"
    if summary.planned:
        text += f"; {summary.planned} planned"
    return text


def _value_label(accessible: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(accessible)
    return label


class OverviewTab(CaseTab):
    #: All but what the overview leaves to its own tabs (outcomes, exports); the analysis
    #: is edited and signed off here.
    kinds = CASE_KINDS - {Kind.OUTCOME, Kind.EXPORT}
    #: The case's safeguarding flags, as each read of the overview found them: the
    #: workspace's banner shows them without reading them a second time.
    flags_read = Signal(list)

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.values: dict[str, QLabel] = {}

        self.person: PersonView | None = None
        person_box = QGroupBox("Young person")
        person_form = QFormLayout(person_box)
        self.edit_button = QPushButton("Edit details…")
        self.edit_button.setAccessibleName("Edit the young person's details")
        self.edit_button.setEnabled(False)
        self.edit_button.clicked.connect(self.edit_details)
        for key, label in (
            ("name", "Name"),
            ("preferred_name", "Preferred name"),
            ("date_of_birth", "Date of birth"),
            ("gender", "Gender"),
            ("ethnicity", "Ethnicity"),
            ("address", "Address"),
            ("phone", "Phone"),
            ("email", "Email"),
            ("nhs_number", "NHS number"),
            ("education", "Education"),
        ):
            self.values[key] = _value_label(label)
            person_form.addRow(f"{label}:", self.values[key])
        person_form.addRow("", self.edit_button)

        case_box = QGroupBox("Case")
        case_form = QFormLayout(case_box)
        for key, label in (
            ("flags", "Safeguarding"),
            ("agencies", "Agencies involved"),
            ("risk", "Risk"),
            ("plan", "Plan"),
            ("attendance", "Attendance"),
            ("last_contact", "Last contact"),
        ):
            self.values[key] = _value_label(label)
            case_form.addRow(f"{label}:", self.values[key])

        analysis_box = QGroupBox("Caseworker's analysis for the panel")
        analysis_layout = QVBoxLayout(analysis_box)
        self.analysis: AnalysisView | None = None
        self.analysis_label = _value_label("Caseworker's analysis")
        self.analysis_status = _value_label("Analysis last updated and signed off")
        self.analysis_button = QPushButton("Edit analysis…")
        self.analysis_button.setAccessibleName("Edit the caseworker's analysis for the panel")
        self.analysis_button.setEnabled(False)
        self.analysis_button.clicked.connect(self.edit_analysis)
        self.sign_off_button = QPushButton("Sign off")
        self.sign_off_button.setAccessibleName("Sign off the caseworker's analysis")
        self.sign_off_button.setVisible(services.actor.is_manager)
        self.sign_off_button.setEnabled(False)
        self.sign_off_button.clicked.connect(self.sign_off_analysis)
        analysis_buttons = QHBoxLayout()
        analysis_buttons.addWidget(self.analysis_button)
        analysis_buttons.addWidget(self.sign_off_button)
        analysis_buttons.addStretch(1)
        analysis_layout.addWidget(self.analysis_label)
        analysis_layout.addWidget(self.analysis_status)
        analysis_layout.addLayout(analysis_buttons)

        contacts_box = QGroupBox("Contacts")
        self.contacts_layout = QVBoxLayout(contacts_box)
        self.contacts_label = _value_label("Contacts")
        self.contacts_layout.addWidget(self.contacts_label)

        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(person_box)
        left.addWidget(analysis_box)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(case_box)
        right.addWidget(contacts_box)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)

        inner = QWidget()
        inner.setLayout(columns)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def refresh(self) -> None:
        services, person_id = self.services, self.person_id

        def read() -> Overview:
            return Overview(
                person=services.people.get(person_id),
                flags=services.safeguarding.for_case(person_id),
                contacts=[c for c in services.contacts.for_case(person_id) if c.current],
                referrals=services.referrals.for_person(person_id),
                attendance=services.sessions.attendance_summary(person_id),
                plan=services.plans.current(person_id),
                analysis=services.analysis.get(person_id),
            )

        self.load("Loading the case overview", read, self.show_overview)

    def text(self, key: str) -> str:
        return self.values[key].text()

    def edit_details(self) -> PersonDialog | None:
        """Opens the edit dialog; the workspace refreshes itself from the 'person' event."""
        if self.person is None:
            return None
        dialog = PersonDialog(self.services, self.person, self)
        dialog.exec()
        return dialog

    def edit_analysis(self) -> CaseAnalysisDialog | None:
        """The analysis the case summary's panel page prints; the tab refreshes itself from
        the published change."""
        if self.analysis is None:
            return None
        dialog = CaseAnalysisDialog(self.services, self.person_id, self.analysis, self)
        dialog.exec()
        return dialog

    def sign_off_analysis(self) -> None:
        if self.analysis is None or self.analysis.version == 0:
            return
        services, person_id, version = self.services, self.person_id, self.analysis.version
        self.run_write(
            "Signing off the analysis",
            lambda: services.analysis.sign_off(person_id, version),
            Kind.ANALYSIS,
        )

    def show_analysis(self, analysis: AnalysisView | None) -> None:
        self.analysis = analysis
        self.analysis_button.setEnabled(analysis is not None)
        if analysis is None or analysis.is_empty:
            self.analysis_label.setText(
                "Not written yet: the current position, what is going well, the worries, what "
                "has changed, the young person's and parent's views and the recommendation, "
                "printed first in the case summary."
            )
            self.analysis_status.setText("")
            self.sign_off_button.setEnabled(False)
            return
        shown = [f"{label}: {text}" for label, text in analysis.items() if text]
        self.analysis_label.setText("\n".join(shown))
        status = (
            f"Last updated {format_uk_date(analysis.updated_on)} by {analysis.updated_by}"
            if analysis.updated_by
            else ""
        )
        if analysis.signed_off_by:
            status += (
                f"; signed off by {analysis.signed_off_by} "
                f"on {format_uk_date(analysis.signed_off_on)}"
            )
        else:
            status += "; not signed off"
        self.analysis_status.setText(status.lstrip("; "))
        self.sign_off_button.setEnabled(analysis.signed_off_by is None)

    def show_overview(self, overview: Overview) -> None:
        self.flags_read.emit(overview.flags)
        person, details = overview.person, overview.person.details
        self.person = person
        self.show_analysis(overview.analysis if not person.anonymised else None)
        self.edit_button.setEnabled(not person.anonymised)
        v = self.values
        v["name"].setText(f"{details.first_name} {details.last_name}")
        v["preferred_name"].setText(details.preferred_name or "—")
        v["date_of_birth"].setText(
            f"{format_uk_date(details.date_of_birth)} "
            f"(age {age_on(details.date_of_birth, max(details.date_of_birth, dt.date.today()))})"
        )
        gender = details.gender.label
        if details.gender_detail:
            gender += f" ({details.gender_detail})"
        v["gender"].setText(gender)
        v["ethnicity"].setText(details.ethnicity.label)
        address = ", ".join(p for p in (details.address, details.postcode) if p)
        v["address"].setText(address or NOT_RECORDED)
        v["phone"].setText(details.phone or NOT_RECORDED)
        v["email"].setText(details.email or NOT_RECORDED)
        v["nhs_number"].setText(_nhs(details.nhs_number) or NOT_RECORDED)
        education = details.education_status.label
        if details.education_setting:
            education = f"{education}: {details.education_setting}"
        v["education"].setText(education)

        active = [flag.kind.label for flag in overview.flags if flag.active]
        recorded = [f for f in person.flags if f not in active]  # the yes/no kept at referral
        lines = [", ".join(active) if active else "No active flag (see the Safeguarding tab)"]
        if recorded:
            lines.append("On the record: " + ", ".join(recorded))
        v["flags"].setText("\n".join(lines))
        agencies: list[str] = []
        for referral in overview.referrals:
            entry = f"{referral.agency} ({referral.agency_type.label})"
            if entry not in agencies:
                agencies.append(entry)
        agencies.extend(
            f"{c.agency} (contact: {c.name})"
            for c in overview.contacts
            if c.agency and not any(a.startswith(f"{c.agency} (") for a in agencies)
        )
        v["agencies"].setText("\n".join(agencies) or "None recorded")
        if person.risk_level is None:
            v["risk"].setText("Not yet assessed")
        else:
            review = format_uk_date(person.next_review_on) if person.next_review_on else "—"
            v["risk"].setText(f"{person.risk_level.label}; next review {review}")
        plan = overview.plan
        if plan is None:
            v["plan"].setText("No plan yet")
        else:
            achieved = sum(1 for g in plan.goals if g.status is GoalStatus.ACHIEVED)
            review = f"; review {format_uk_date(plan.review_on)}" if plan.review_on else ""
            overdue = " (overdue)" if plan.review_overdue else ""
            v["plan"].setText(
                f"Version {plan.plan_version}: {len(plan.goals)} goals, {achieved} achieved"
                f"{review}{overdue}"
            )
        v["attendance"].setText(attendance_text(overview.attendance))
        v["last_contact"].setText(format_uk_date(person.last_contact_on) or "No contact yet")

        if overview.contacts:
            self.contacts_label.setText("\n".join(_contact_line(c) for c in overview.contacts))
        else:
            self.contacts_label.setText("No one recorded as involved now (see the Contacts tab)")


def _contact_line(contact: ContactDetail) -> str:
    parts = [f"{contact.name}: {contact.relationship.label}"]
    if contact.parental_responsibility:
        parts.append("parental responsibility")
    if contact.agency:
        parts.append(contact.agency)
    if contact.phone:
        parts.append(contact.phone)
    if contact.email:
        parts.append(contact.email)
    return ", ".join(parts)


def _nhs(number: str | None) -> str:
    """Shown 3-3-4, as it is printed on NHS letters."""
    if not number or len(number) != 10:
        return number or ""
    return f"{number[:3]} {number[3:6]} {number[6:]}"
