"""The referral form: a new referral for a new or an existing young person.

Before a new person is saved, people already on record with the same NHS number, or the same
names and date of birth, are shown with the choice to use that record instead: a duplicate
file on a child at risk splits their history and is a safeguarding failure. Validation
messages from the service appear beside the field they name, the form keeps everything typed
on any error (a locked database included), and closing with unsaved typing asks first.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.eligibility import eligibility_warning, needs_parent_consent
from veru_desk.domain.enums import (
    AgencyType,
    ConsentStatus,
    EducationStatus,
    Ethnicity,
    Gender,
    Priority,
    ReferralReason,
    SharingBasis,
)
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.domain.names import display_name
from veru_desk.services import Services
from veru_desk.services.people import SAFEGUARDING_FLAGS, PersonDetails, SearchHit
from veru_desk.services.referrals import IntakeResult, ReferralDetails
from veru_desk.ui.shell.tasks import Progress, run_task
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.forms import DateField, FieldErrors, enum_combo
from veru_desk.ui.widgets.kit import (
    accept_button,
    align_labels,
    cancel_button,
    dialog_buttons,
    form_section,
    house_form,
)

log = logging.getLogger(__name__)

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
DUPLICATE_CHECK_MS = 300


def hit_summary(hit: SearchHit) -> str:
    """The line for a possible duplicate; someone else's case is on record only."""
    if hit.on_record_only or hit.date_of_birth is None:
        return hit.on_record_text
    name = display_name(hit.first_name, hit.last_name, hit.preferred_name)
    status = hit.status.label if hit.status else "no referral"
    worker = f", {hit.worker}" if hit.worker else ""
    return (
        f"{name}  ·  {hit.case_ref}  ·  born {format_uk_date(hit.date_of_birth)}"
        f"  ·  {status}{worker}"
    )


class ReferralForm(QDialog):
    #: (case reference, person id) once the referral is saved
    saved = Signal(str, int)

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        *,
        person_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.intake: IntakeResult | None = None
        self.existing_person_id: int | None = None
        self._existing_dob: dt.date | None = None
        self._acknowledged_new = False
        self._dirty = False
        self._saving = False
        self._duplicates: list[SearchHit] = []
        self.errors = FieldErrors()
        self.forms: list[QFormLayout] = []  # the sections' forms, sharing one label width
        self.setWindowTitle("New referral")
        self.setObjectName("referralForm")
        self.setModal(True)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field; it follows
        scroll.setAccessibleName("Referral form")
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.body_layout = QVBoxLayout(body)
        self.body_layout.setContentsMargins(20, 16, 20, 16)
        self.body_layout.setSpacing(10)

        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.banner.setAccessibleName("Problems with the form")
        self.body_layout.addWidget(self.banner)

        self._build_person()
        self._build_duplicates()
        self._build_referral()
        self._build_reasons()
        self._build_consent()

        buttons = dialog_buttons("Save referral", on_accept=self.save, on_reject=self.reject)
        self.save_button = accept_button(buttons)
        self.save_button.setToolTip("Save (Ctrl+S)")
        cancel = cancel_button(buttons)
        assert cancel is not None
        self.cancel_button = cancel
        button_row = QHBoxLayout()
        button_row.setContentsMargins(20, 8, 20, 12)
        hint = QLabel("Fields marked * are required. Dates are dd/mm/yyyy.")
        hint.setObjectName("hint")
        button_row.addWidget(hint, 1)
        button_row.addWidget(buttons)
        outer.addLayout(button_row)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(DUPLICATE_CHECK_MS)
        self._duplicate_timer.timeout.connect(self.check_duplicates)
        for field in (self.first_name, self.last_name, self.date_of_birth, self.nhs_number):
            field.textEdited.connect(self._identity_edited)
        self._watch_for_changes()
        self._update_age()
        # One label column for the three sections, so every field starts on one line.
        align_labels(self.forms)

        em = self.fontMetrics().horizontalAdvance("M")
        line = self.fontMetrics().lineSpacing()
        screen = (parent or self).screen().availableGeometry()
        self.resize(
            min(84 * em, int(screen.width() * 0.9)), min(56 * line, int(screen.height() * 0.9))
        )
        if person_id is not None:
            self.use_existing_person(person_id)
        self.first_name.setFocus()

    # --- building ---------------------------------------------------------------------------

    def _build_person(self) -> None:
        group = QGroupBox("Young person")  # a notice, the form, then the safeguarding flags
        group.setAccessibleName("Young person")
        layout = QVBoxLayout(group)
        self.existing_panel = QWidget()
        existing = QHBoxLayout(self.existing_panel)
        existing.setContentsMargins(0, 0, 0, 0)
        self.existing_label = QLabel()
        self.existing_label.setObjectName("notice")
        self.existing_label.setWordWrap(True)
        self.existing_label.setAccessibleName("Existing young person")
        self.change_person = QPushButton("Enter a different person")
        self.change_person.clicked.connect(self.use_new_person)
        existing.addWidget(self.existing_label, 1)
        existing.addWidget(self.change_person)
        self.existing_panel.setVisible(False)
        layout.addWidget(self.existing_panel)

        self.person_fields = QWidget()
        form = house_form(QFormLayout(self.person_fields))
        form.setContentsMargins(0, 0, 0, 0)
        self.forms.append(form)
        self.first_name = QLineEdit()
        self.last_name = QLineEdit()
        self.preferred_name = QLineEdit()
        self.preferred_name.setPlaceholderText("The name they like to be called, if different")
        for widget in (self.first_name, self.last_name, self.preferred_name):
            widget.setMaxLength(100)
        self.errors.add_row(
            form, "First name *", self.first_name, "first_name", accessible="First name"
        )
        self.errors.add_row(
            form, "Last name *", self.last_name, "last_name", accessible="Last name"
        )
        self.errors.add_row(form, "Preferred name", self.preferred_name, "preferred_name")
        dob_row = QWidget()
        dob_layout = QHBoxLayout(dob_row)
        dob_layout.setContentsMargins(0, 0, 0, 0)
        self.date_of_birth = DateField(accessible_name="Date of birth", latest=dt.date.today())
        self.date_of_birth.setMaximumWidth(self._date_width())
        self.age_label = QLabel()
        self.age_label.setAccessibleName("Age")
        dob_layout.addWidget(self.date_of_birth)
        dob_layout.addWidget(self.age_label, 1)
        self.errors.add_row(
            form, "Date of birth *", dob_row, "date_of_birth", accessible="Date of birth and age"
        )
        self.date_of_birth.setAccessibleName("Date of birth")
        self.gender = enum_combo(Gender, "Gender")
        self.gender.setCurrentIndex(self.gender.findData(Gender.NOT_KNOWN.value))
        self.errors.add_row(form, "Gender", self.gender, "gender")
        self.ethnicity = enum_combo(Ethnicity, "Ethnicity")
        self.ethnicity.setCurrentIndex(self.ethnicity.findData(Ethnicity.NOT_STATED.value))
        self.errors.add_row(form, "Ethnicity", self.ethnicity, "ethnicity")
        self.nhs_number = QLineEdit()
        self.nhs_number.setPlaceholderText("10 digits, e.g. 943 476 5919")
        self.errors.add_row(form, "NHS number", self.nhs_number, "nhs_number")
        self.postcode = QLineEdit()
        self.postcode.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 9)
        self.errors.add_row(form, "Postcode", self.postcode, "postcode")
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.errors.add_row(form, "Address", self.address, "address")
        self.phone = QLineEdit()
        self.errors.add_row(form, "Phone", self.phone, "phone")
        self.education_setting = QLineEdit()
        self.education_setting.setPlaceholderText("School, college or training provider")
        self.errors.add_row(form, "Education setting", self.education_setting, "education_setting")
        self.education_status = enum_combo(EducationStatus, "Education status")
        self.education_status.setCurrentIndex(
            self.education_status.findData(EducationStatus.NOT_KNOWN.value)
        )
        self.errors.add_row(form, "Education status", self.education_status, "education_status")
        flags = QWidget()
        flags.setAccessibleName("Safeguarding flags")
        flags_layout = QGridLayout(flags)
        flags_layout.setContentsMargins(0, 0, 0, 0)
        self.flags: dict[str, QCheckBox] = {}
        for position, (name, label) in enumerate(SAFEGUARDING_FLAGS):
            box = QCheckBox(label)
            box.setAccessibleName(label)
            self.flags[name] = box
            flags_layout.addWidget(box, position // 3, position % 3)
        form.addRow("Safeguarding", flags)
        layout.addWidget(self.person_fields)
        self.body_layout.addWidget(group)

    def _build_duplicates(self) -> None:
        self.duplicates_panel = QGroupBox("Possible matches already on record")
        layout = QVBoxLayout(self.duplicates_panel)
        explain = QLabel(
            "These people have the same NHS number, or the same names and date of birth. "
            "If one of them is this young person, use their record so their history stays "
            "in one place."
        )
        explain.setWordWrap(True)
        self.duplicate_list = QListWidget()
        self.duplicate_list.setAccessibleName("Possible matches")
        self.duplicate_list.itemActivated.connect(lambda _i: self.use_selected_duplicate())
        line = self.fontMetrics().lineSpacing()
        self.duplicate_list.setMaximumHeight(line * 5)
        row = QHBoxLayout()
        self.use_duplicate = QPushButton("Use the selected person")
        self.use_duplicate.clicked.connect(self.use_selected_duplicate)
        self.different_person = QCheckBox("None of these: this is a different young person")
        self.different_person.toggled.connect(self._different_toggled)
        row.addWidget(self.use_duplicate)
        row.addWidget(self.different_person, 1)
        self.duplicate_message = QLabel()
        self.duplicate_message.setObjectName("fieldError")
        self.duplicate_message.setWordWrap(True)
        self.duplicate_message.setVisible(False)
        layout.addWidget(explain)
        layout.addWidget(self.duplicate_list)
        layout.addLayout(row)
        layout.addWidget(self.duplicate_message)
        self.duplicates_panel.setVisible(False)
        self.body_layout.addWidget(self.duplicates_panel)

    def _date_width(self) -> int:
        """A date field's width: the whole date and its calendar button, no wider."""
        return DateField().minimumSizeHint().width() + self.fontMetrics().horizontalAdvance("M")

    def _build_referral(self) -> None:
        section = form_section("Referral")
        group, form = section.box, section.form
        self.forms.append(form)
        self.received_on = DateField(accessible_name="Date received")
        self.received_on.set_date(dt.date.today())
        self.received_on.setMaximumWidth(self._date_width())
        self.errors.add_row(
            form, "Date received *", self.received_on, "received_on", accessible="Date received"
        )
        self.age_warning = QLabel()
        self.age_warning.setObjectName("warning")
        self.age_warning.setWordWrap(True)
        self.age_warning.setVisible(False)
        self.age_warning.setAccessibleName("Age range warning")
        form.addRow("", self.age_warning)
        self.referring_agency = QLineEdit()
        self.referring_agency.setPlaceholderText("e.g. Bedfordshire Police")
        self.errors.add_row(
            form,
            "Referring agency *",
            self.referring_agency,
            "referring_agency",
            accessible="Referring agency",
        )
        self.agency_type = enum_combo(AgencyType, "Type of agency")
        self.agency_type.setCurrentIndex(self.agency_type.findData(AgencyType.OTHER.value))
        self.errors.add_row(form, "Type of agency", self.agency_type, "referring_agency_type")
        self.referrer_name = QLineEdit()
        self.errors.add_row(
            form, "Referrer", self.referrer_name, "referrer_name", accessible="Referrer's name"
        )
        self.referrer_contact = QLineEdit()
        self.referrer_contact.setPlaceholderText("Phone or email")
        self.errors.add_row(form, "Referrer's contact", self.referrer_contact, "referrer_contact")
        self.priority = enum_combo(Priority, "Priority")
        self.priority.setCurrentIndex(self.priority.findData(Priority.MEDIUM.value))
        self.errors.add_row(form, "Priority", self.priority, "priority")
        self.narrative = QPlainTextEdit()
        self.narrative.setTabChangesFocus(True)
        self.narrative.setPlaceholderText("What happened, and what the referrer is worried about")
        self.narrative.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.errors.add_row(form, "Narrative", self.narrative, "narrative")
        self.body_layout.addWidget(group)

    def _build_reasons(self) -> None:
        group = QGroupBox("Reasons for referral")
        layout = QVBoxLayout(group)
        grid = QGridLayout()
        self.reasons: dict[ReferralReason, QCheckBox] = {}
        for position, reason in enumerate(ReferralReason):
            box = QCheckBox(reason.label)
            box.setAccessibleName(f"Reason: {reason.label}")
            self.reasons[reason] = box
            grid.addWidget(box, position // 3, position % 3)
        layout.addLayout(grid)
        self.reasons_error = QLabel()
        self.reasons_error.setObjectName("fieldError")
        self.reasons_error.setWordWrap(True)
        self.reasons_error.setVisible(False)
        layout.addWidget(self.reasons_error)
        self.body_layout.addWidget(group)

    def _build_consent(self) -> None:
        section = form_section("Consent and information sharing")
        group, form = section.box, section.form
        self.forms.append(form)
        self.consent_young_person = enum_combo(ConsentStatus, "Young person's consent")
        self.consent_young_person.setCurrentIndex(
            self.consent_young_person.findData(ConsentStatus.NOT_ASKED.value)
        )
        self.errors.add_row(
            form, "Young person's consent", self.consent_young_person, "consent_young_person"
        )
        self.consent_parent = enum_combo(ConsentStatus, "Parent or carer's consent")
        self.consent_parent.setCurrentIndex(
            self.consent_parent.findData(ConsentStatus.NOT_ASKED.value)
        )
        self.errors.add_row(
            form, "Parent or carer's consent", self.consent_parent, "consent_parent"
        )
        self.consent_hint = QLabel()
        self.consent_hint.setObjectName("hint")
        self.consent_hint.setWordWrap(True)
        form.addRow("", self.consent_hint)
        self.sharing_basis = enum_combo(
            SharingBasis, "Information-sharing basis", blank="Not recorded yet"
        )
        self.errors.add_row(form, "Information-sharing basis", self.sharing_basis, "sharing_basis")
        self.body_layout.addWidget(group)

    def _watch_for_changes(self) -> None:
        for line in self.findChildren(QLineEdit):
            line.textEdited.connect(self._changed)
        for text in self.findChildren(QPlainTextEdit):
            text.textChanged.connect(self._changed)
        for combo in self.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self._changed)
        for box in self.findChildren(QCheckBox):
            if box is not self.different_person:
                box.toggled.connect(self._changed)
        self.date_of_birth.textChanged.connect(lambda _t: self._update_age())
        self.received_on.textChanged.connect(lambda _t: self._update_age())

    # --- live feedback ----------------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        self._dirty = True

    def has_unsaved_changes(self) -> bool:
        return self._dirty and self.intake is None

    def _received(self) -> dt.date | None:
        try:
            return self.received_on.date_or_none("received_on")
        except ValidationError:
            return None

    def _birth(self) -> dt.date | None:
        if self.existing_person_id is not None:
            return self._existing_dob
        try:
            return self.date_of_birth.date_or_none("date_of_birth")
        except ValidationError:
            return None

    def _update_age(self) -> None:
        received = self._received() or dt.date.today()
        self.age_label.setText(self.date_of_birth.age_text(dt.date.today()))
        dob = self._birth()
        warning = None
        under_16 = False
        if dob is not None and dob <= received:
            warning = eligibility_warning(dob, received)
            under_16 = needs_parent_consent(dob, received)
        self.age_warning.setText(warning or "")
        self.age_warning.setVisible(bool(warning))
        if dob is None:
            self.consent_hint.setText("")
        elif under_16:
            self.consent_hint.setText(
                "Under 16 on the referral date: a parent or carer's consent is needed too."
            )
        else:
            self.consent_hint.setText("16 or over: a parent or carer's consent is not required.")
        self.consent_hint.setVisible(bool(self.consent_hint.text()))  # no empty gap

    # --- existing or new person -------------------------------------------------------------

    def use_existing_person(self, person_id: int, hit: SearchHit | None = None) -> None:
        """Attaches the referral to a young person already on record."""
        typed_dob = self._birth() if self.existing_person_id is None else None
        self.existing_person_id = person_id
        if hit is None:
            hit = self._describe(person_id)
        if hit is not None:
            # Someone else's case tells no date of birth: it matched the one typed here.
            self._existing_dob = hit.date_of_birth or typed_dob
            self.existing_label.setText(f"Referral for an existing record: {hit_summary(hit)}")
        else:
            self._existing_dob = None
            self.existing_label.setText("Referral for an existing record.")
        self.existing_panel.setVisible(True)
        self.person_fields.setVisible(False)
        self.duplicates_panel.setVisible(False)
        self.setWindowTitle("New referral for an existing young person")
        self._dirty = True
        self._update_age()
        self.received_on.setFocus()

    def _describe(self, person_id: int) -> SearchHit | None:
        """Finds the record's identifying line; intake may not be allowed to open the case."""
        try:
            view = self.services.people.get(person_id)
        except VeruError:
            return None
        details = view.details
        return SearchHit(
            person_id=view.id,
            case_ref=view.case_ref,
            first_name=details.first_name,
            last_name=details.last_name,
            preferred_name=details.preferred_name,
            date_of_birth=details.date_of_birth,
            status=view.status,
            worker=view.worker,
        )

    def use_new_person(self) -> None:
        self.existing_person_id = None
        self._existing_dob = None
        self.existing_panel.setVisible(False)
        self.person_fields.setVisible(True)
        self.setWindowTitle("New referral")
        self._update_age()
        self.check_duplicates()
        self.first_name.setFocus()

    def _identity_edited(self, _text: str) -> None:
        self._acknowledged_new = self.different_person.isChecked() and bool(self._duplicates)
        self._duplicate_timer.start()

    def _duplicate_query(self) -> tuple[str, str, dt.date | None, str | None]:
        nhs = "".join(ch for ch in self.nhs_number.text() if ch.isdigit())
        return (
            self.first_name.text().strip(),
            self.last_name.text().strip(),
            self._birth(),
            nhs if len(nhs) == 10 else None,
        )

    def check_duplicates(self) -> None:
        """Looks for people already on record who may be this young person."""
        self._duplicate_timer.stop()
        if self.existing_person_id is not None:
            return
        first, last, dob, nhs = self._duplicate_query()
        if not (nhs or (first and last and dob)):
            self._show_duplicates([])
            return
        people = self.services.people

        def work(_progress: Progress) -> list[SearchHit]:
            return people.find_duplicates(first, last, dob, nhs)

        def done(hits: list[SearchHit]) -> None:
            if self._duplicate_query() == (first, last, dob, nhs):
                self._show_duplicates(hits)

        def failed(error: Exception) -> None:
            log.warning("duplicate check failed: %s", error)

        run_task(self, "Checking for duplicates", work, done, failed, show_progress=False)

    def _show_duplicates(self, hits: list[SearchHit]) -> None:
        previous = {h.person_id for h in self._duplicates}
        self._duplicates = hits
        if {h.person_id for h in hits} != previous:
            self.different_person.blockSignals(True)
            self.different_person.setChecked(False)
            self.different_person.blockSignals(False)
            self._acknowledged_new = False
        self.duplicate_list.clear()
        for hit in hits:
            item = QListWidgetItem(hit_summary(hit))
            item.setData(HIT_ROLE, hit)
            self.duplicate_list.addItem(item)
        if hits:
            self.duplicate_list.setCurrentRow(0)
        self.duplicate_message.setVisible(False)
        self.duplicates_panel.setVisible(bool(hits) and self.existing_person_id is None)

    def duplicates(self) -> list[SearchHit]:
        return list(self._duplicates)

    def use_selected_duplicate(self) -> None:
        item = self.duplicate_list.currentItem()
        if item is None:
            return
        hit: SearchHit = item.data(HIT_ROLE)
        self.use_existing_person(hit.person_id, hit)

    def _different_toggled(self, checked: bool) -> None:
        self._acknowledged_new = checked
        if checked:
            self.duplicate_message.setVisible(False)

    # --- saving -----------------------------------------------------------------------------

    def _person_details(self, errors: dict[str, str]) -> PersonDetails:
        try:
            dob = self.date_of_birth.date_or_none("date_of_birth")
        except ValidationError as error:
            errors.update(error.fields)
            dob = None
        return PersonDetails(
            first_name=self.first_name.text(),
            last_name=self.last_name.text(),
            preferred_name=self.preferred_name.text() or None,
            date_of_birth=dob,  # type: ignore[arg-type]  # None: the service says it is required
            gender=Gender(self.gender.currentData()),
            ethnicity=Ethnicity(self.ethnicity.currentData()),
            address=self.address.toPlainText() or None,
            postcode=self.postcode.text() or None,
            phone=self.phone.text() or None,
            nhs_number=self.nhs_number.text() or None,
            education_setting=self.education_setting.text() or None,
            education_status=EducationStatus(self.education_status.currentData()),
            **{name: box.isChecked() for name, box in self.flags.items()},  # type: ignore[arg-type]  # bool fields
        )

    def _referral_details(self, errors: dict[str, str]) -> ReferralDetails:
        try:
            received = self.received_on.date_or_none("received_on")
        except ValidationError as error:
            errors.update(error.fields)
            received = None
        basis = self.sharing_basis.currentData()
        return ReferralDetails(
            received_on=received,  # type: ignore[arg-type]  # None: the service says so
            referring_agency=self.referring_agency.text(),
            referring_agency_type=AgencyType(self.agency_type.currentData()),
            reasons=frozenset(r for r, box in self.reasons.items() if box.isChecked()),
            referrer_name=self.referrer_name.text() or None,
            referrer_contact=self.referrer_contact.text() or None,
            narrative=self.narrative.toPlainText() or None,
            consent_young_person=ConsentStatus(self.consent_young_person.currentData()),
            consent_parent=ConsentStatus(self.consent_parent.currentData()),
            sharing_basis=SharingBasis(basis) if basis else None,
            priority=Priority(self.priority.currentData()),
        )

    def _needs_duplicate_decision(self) -> bool:
        """True when possible duplicates are on screen and the user has not chosen yet."""
        if self.existing_person_id is not None or self._acknowledged_new:
            return False
        first, last, dob, nhs = self._duplicate_query()
        if nhs or (first and last and dob):
            try:
                self._show_duplicates(self.services.people.find_duplicates(first, last, dob, nhs))
            except VeruError as error:
                log.warning("duplicate check failed: %s", error)
        return bool(self._duplicates)

    def save(self) -> None:
        if self._saving:
            return
        self.errors.clear()
        self.banner.setVisible(False)
        self.reasons_error.setVisible(False)
        if self._needs_duplicate_decision():
            self.duplicate_message.setText(
                "Before saving, use one of these records or tick 'None of these'."
            )
            self.duplicate_message.setVisible(True)
            self.duplicate_list.setFocus()
            return
        parse_errors: dict[str, str] = {}
        person = None if self.existing_person_id is not None else self._person_details(parse_errors)
        referral = self._referral_details(parse_errors)
        person_id = self.existing_person_id
        referrals = self.services.referrals
        self._saving = True
        self.save_button.setEnabled(False)

        def work(_progress: Progress) -> IntakeResult:
            try:
                result = referrals.create(referral, person=person, person_id=person_id)
            except ValidationError as error:
                raise ValidationError({**error.fields, **parse_errors}) from error
            return result

        run_task(
            self,
            "Saving the referral",
            work,
            self._saved,
            self._save_failed,
            show_progress=False,
            cancellable=False,
        )

    def _saved(self, result: IntakeResult) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.intake = result
        self._dirty = False
        self.saved.emit(result.case_ref, result.person_id)
        self.accept()

    def _save_failed(self, error: Exception) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self.show_validation(error)
            return
        show_error(self, error)

    def show_validation(self, error: ValidationError) -> None:
        unplaced = self.errors.show(error)
        if "reasons" in error.fields:
            self.reasons_error.setText(error.fields["reasons"])
            self.reasons_error.setVisible(True)
            unplaced = [m for m in unplaced if m != error.fields["reasons"]]
        if unplaced:
            self.banner.setText("\n".join(unplaced))
            self.banner.setVisible(True)
        for field in error.fields:
            widget = self._widget_for(field)
            if widget is not None and widget.isVisibleTo(self):
                widget.setFocus()
                break

    def _widget_for(self, field: str) -> QWidget | None:
        widget = getattr(self, field, None)
        return widget if isinstance(widget, QWidget) else None

    def error_text(self, field: str) -> str:
        """The message shown beside ``field`` (empty when none)."""
        return self.errors.message(field)

    # --- closing ----------------------------------------------------------------------------

    def reject(self) -> None:
        if self.has_unsaved_changes() and not confirm(
            self,
            "Discard this referral?",
            "The referral has not been saved. Close the form and lose what you typed?",
            action="Discard this referral",
            keep="Keep editing",
        ):
            return
        self._dirty = False
        super().reject()
