"""The referral form filled in as an intake worker would, checked against the database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAccessible, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shell_helpers import born_years_ago, refer
from ui_drivers import shown, type_into

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    ConsentStatus,
    Priority,
    ReferralReason,
    ReferralStatus,
    SharingBasis,
)
from veru_desk.domain.errors import StorageError
from veru_desk.services import Services
from veru_desk.services.people import SAFEGUARDING_FLAGS
from veru_desk.ui.dialogs import referral_form
from veru_desk.ui.dialogs.referral_form import ReferralForm


@pytest.fixture(autouse=True)
def _discard_without_asking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clean-up closes forms; a real question would wait for a person forever."""
    monkeypatch.setattr(referral_form, "confirm", lambda *_a, **_k: True)


def fill_zoe(qtbot: QtBot, form: ReferralForm, *, dob: str | None = None) -> None:
    type_into(qtbot, form.first_name, "Zoë")
    type_into(qtbot, form.last_name, "Ó Súilleabháin")
    type_into(qtbot, form.preferred_name, "Zo")
    qtbot.keyClicks(form.date_of_birth, dob or format_uk_date(born_years_ago(14)))
    qtbot.keyClicks(form.referring_agency, "Luton Sixth Form College")
    form.agency_type.setCurrentIndex(form.agency_type.findData("school"))
    form.reasons[ReferralReason.EXCLUSION_ABSENCE].setChecked(True)
    form.reasons[ReferralReason.ONLINE_CONFLICT].setChecked(True)
    form.consent_young_person.setCurrentIndex(form.consent_young_person.findData("given"))
    form.consent_parent.setCurrentIndex(form.consent_parent.findData("given"))
    form.sharing_basis.setCurrentIndex(form.sharing_basis.findData("safeguarding"))


def test_a_new_referral_with_a_diverse_name_is_saved_and_found_without_accents(
    qtbot: QtBot, as_dariusz: Services
) -> None:
    form = shown(qtbot, ReferralForm(as_dariusz))
    fill_zoe(qtbot, form)
    assert form.age_label.text() == "Age 14"
    with qtbot.waitSignal(form.saved) as saved:
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.result() == ReferralForm.DialogCode.Accepted
    case_ref, person_id = saved.args
    [hit] = as_dariusz.people.search("zoe o suilleabhain")
    assert (hit.person_id, hit.case_ref, hit.preferred_name) == (person_id, case_ref, "Zo")
    [view] = as_dariusz.referrals.for_person(person_id)
    assert view.status is ReferralStatus.RECEIVED
    assert set(view.reasons) == {ReferralReason.EXCLUSION_ABSENCE, ReferralReason.ONLINE_CONFLICT}
    assert view.sharing_basis is SharingBasis.SAFEGUARDING
    assert view.consent_parent is ConsentStatus.GIVEN
    assert view.agency == "Luton Sixth Form College"


def test_ctrl_s_saves_the_referral(qtbot: QtBot, as_dariusz: Services) -> None:
    form = shown(qtbot, ReferralForm(as_dariusz))
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    fill_zoe(qtbot, form)
    qtbot.keyClick(form.referring_agency, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert form.intake is not None
    assert as_dariusz.people.search("zoe")


def test_validation_messages_appear_beside_each_field_and_nothing_typed_is_lost(
    qtbot: QtBot, as_dariusz: Services
) -> None:
    form = shown(qtbot, ReferralForm(as_dariusz))
    type_into(qtbot, form.first_name, "Ştefan")
    qtbot.keyClicks(form.date_of_birth, "31/02/2011")
    qtbot.keyClicks(form.nhs_number, "943 476 5918")
    form.narrative.setPlainText("Seen with older boys near the station.")
    form.save()
    assert form.isVisible() and form.intake is None
    assert "February 2011 has 28 days" in form.error_text("date_of_birth")
    assert form.error_text("last_name") == "Last name is required."
    assert form.error_text("referring_agency") == "Referring agency is required."
    assert "NHS number" in form.error_text("nhs_number")
    assert form.error_text("first_name") == ""
    assert form.first_name.text() == "Ştefan"
    assert form.date_of_birth.text() == "31/02/2011"
    assert form.narrative.toPlainText() == "Seen with older boys near the station."
    assert as_dariusz.people.search("stefan") == []


def test_a_possible_duplicate_is_shown_before_saving_and_the_existing_person_can_be_used(
    qtbot: QtBot, as_dariusz: Services
) -> None:
    first = refer(as_dariusz, "Łukasz", "Wiśniewski", years=14)
    form = shown(qtbot, ReferralForm(as_dariusz))
    qtbot.keyClicks(form.first_name, "Lukasz")
    qtbot.keyClicks(form.last_name, "Wisniewski")
    qtbot.keyClicks(form.date_of_birth, format_uk_date(born_years_ago(14)))
    qtbot.keyClicks(form.referring_agency, "Youth Justice Service")
    form.check_duplicates()
    assert form.duplicates_panel.isVisible()
    assert [h.person_id for h in form.duplicates()] == [first.person_id]
    assert "Łukasz Wiśniewski" in form.duplicate_list.item(0).text()

    form.save()
    assert form.intake is None
    assert "None of these" in form.duplicate_message.text()

    qtbot.mouseClick(form.use_duplicate, Qt.MouseButton.LeftButton)
    assert form.existing_person_id == first.person_id
    assert not form.person_fields.isVisible()
    assert first.case_ref in form.existing_label.text()
    form.save()
    assert form.intake is not None and form.intake.person_id == first.person_id
    assert len(as_dariusz.people.search("wisniewski")) == 1
    assert len(as_dariusz.referrals.for_person(first.person_id)) == 2


def test_a_different_person_with_the_same_name_can_be_saved_after_saying_so(
    qtbot: QtBot, as_dariusz: Services
) -> None:
    refer(as_dariusz, "Abdirahman", "Warsame", years=15)
    form = shown(qtbot, ReferralForm(as_dariusz))
    qtbot.keyClicks(form.first_name, "Abdirahman")
    qtbot.keyClicks(form.last_name, "Warsame")
    qtbot.keyClicks(form.date_of_birth, format_uk_date(born_years_ago(15)))
    qtbot.keyClicks(form.referring_agency, "Luton Borough Council Early Help")
    form.save()
    assert form.intake is None and form.duplicates_panel.isVisible()
    form.different_person.setChecked(True)
    form.save()
    assert form.intake is not None
    assert len(as_dariusz.people.search("abdirahman warsame")) == 2


def test_the_age_range_warning_shows_for_a_26_year_old(qtbot: QtBot, as_dariusz: Services) -> None:
    form = shown(qtbot, ReferralForm(as_dariusz))
    qtbot.keyClicks(form.date_of_birth, format_uk_date(born_years_ago(26)))
    assert form.age_label.text() == "Age 26"
    assert form.age_warning.isVisible()
    assert "outside the unit's age range of 10 to 25" in form.age_warning.text()
    assert "not required" in form.consent_hint.text()


def test_a_database_problem_shows_a_dialog_and_keeps_the_form_filled(
    qtbot: QtBot, as_dariusz: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown_errors: list[BaseException] = []
    monkeypatch.setattr(referral_form, "show_error", lambda _parent, e: shown_errors.append(e))

    def locked(*_args: object, **_kwargs: object) -> None:
        raise StorageError("The database is busy: another user or program is saving.")

    monkeypatch.setattr(as_dariusz.referrals, "create", locked)
    form = shown(qtbot, ReferralForm(as_dariusz))
    fill_zoe(qtbot, form)
    form.save()
    assert [type(e) for e in shown_errors] == [StorageError]
    assert form.isVisible() and form.save_button.isEnabled()
    assert form.first_name.text() == "Zoë"
    assert form.reasons[ReferralReason.ONLINE_CONFLICT].isChecked()


def test_closing_with_unsaved_typing_asks_first(
    qtbot: QtBot, as_dariusz: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [False, True]
    asked: list[str] = []

    def answer(_parent: object, title: str, _text: str, **_buttons: str) -> bool:
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(referral_form, "confirm", answer)
    form = shown(qtbot, ReferralForm(as_dariusz))
    type_into(qtbot, form.first_name, "Ayşe")
    qtbot.keyClick(form.first_name, Qt.Key.Key_Escape)
    assert form.isVisible() and asked == ["Discard this referral?"]
    form.close()
    assert not form.isVisible()
    assert len(asked) == 2


def test_an_untouched_form_closes_without_asking(
    qtbot: QtBot, as_dariusz: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(referral_form, "confirm", lambda *_a, **_k: pytest.fail("asked"))
    form = shown(qtbot, ReferralForm(as_dariusz))
    qtbot.keyClick(form.first_name, Qt.Key.Key_Escape)
    assert not form.isVisible()


def test_every_input_on_the_form_has_an_accessible_name(qtbot: QtBot, as_dariusz: Services) -> None:
    form = shown(qtbot, ReferralForm(as_dariusz))
    inputs = [
        *form.findChildren(QLineEdit),
        *form.findChildren(QPlainTextEdit),
        *form.findChildren(QComboBox),
        *form.findChildren(QAbstractButton),
    ]
    unnamed = [w for w in inputs if not (w.accessibleName() or getattr(w, "text", lambda: "")())]
    assert unnamed == []


def _wheel(widget: QWidget, steps: int) -> None:
    """One notch of the mouse wheel per step over ``widget`` (negative: towards the person,
    which scrolls a page down and moves a drop-down to its next item)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_an_unfocused_priority_scrolls_the_form_and_keeps_medium(
    qtbot: QtBot, as_dariusz: Services
) -> None:
    """Finding 3: scrolling down the form turned Priority from Medium to Urgent."""
    form = shown(qtbot, ReferralForm(as_dariusz))
    form.resize(form.width(), 320)  # a laptop screen: the form scrolls
    bar = form.findChild(QScrollArea).verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert not form.priority.hasFocus()
    where = bar.value()

    _wheel(form.priority, -3)

    assert form.priority.currentData() == Priority.MEDIUM.value
    assert bar.value() > where  # the wheel still scrolls the form
    # A real wheel gives a field the focus before anyone sees the event (Qt.WheelFocus);
    # the guard lowers that to click or Tab, so the field stays unfocused under the pointer.
    for field in form.findChildren(QComboBox) + form.findChildren(QAbstractSpinBox):
        assert field.focusPolicy() != Qt.FocusPolicy.WheelFocus, field.accessibleName()


def test_the_wheel_still_changes_a_priority_the_person_clicked_into(
    qtbot: QtBot, as_dariusz: Services
) -> None:
    """Qt's normal behaviour for a field someone chose to edit: they are looking at it."""
    form = shown(qtbot, ReferralForm(as_dariusz))
    form.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form)
    qtbot.mouseClick(form.priority, Qt.MouseButton.LeftButton)
    form.priority.hidePopup()
    qtbot.waitUntil(form.priority.hasFocus)

    _wheel(form.priority, -1)

    assert form.priority.currentData() != Priority.MEDIUM.value


def test_the_app_installs_the_wheel_guard_when_it_creates_the_application() -> None:
    """The guard the tests install is the one ``veru-desk`` installs at start."""
    code = (
        "from veru_desk.app import create_application\n"
        "from veru_desk.ui.widgets.wheel_guard import WheelGuard\n"
        "app = create_application(['veru-desk'])\n"
        "print(isinstance(app.property('veruWheelGuard'), WheelGuard))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert done.stdout.strip() == "True", done.stderr


def test_a_field_in_a_scrolled_to_the_end_inner_area_scrolls_the_outer_one(qtbot: QtBot) -> None:
    outer = QScrollArea()
    page = QWidget()
    column = QVBoxLayout(page)
    inner = QScrollArea()
    inner_body = QWidget()
    inner_column = QVBoxLayout(inner_body)
    priority = QComboBox()
    priority.addItems(["Low", "Medium", "High", "Urgent"])
    priority.setCurrentIndex(1)
    inner_column.addWidget(priority)
    for _ in range(12):
        inner_column.addWidget(QLabel("Referral narrative"))
    inner.setWidget(inner_body)
    inner.setFixedHeight(120)
    column.addWidget(inner)
    for _ in range(30):
        column.addWidget(QLabel("More of the page"))
    outer.setWidget(page)
    outer.resize(300, 300)
    shown(qtbot, outer)
    qtbot.waitUntil(lambda: inner.verticalScrollBar().maximum() > 0)
    inner.verticalScrollBar().setValue(inner.verticalScrollBar().maximum())

    _wheel(priority, -1)

    assert priority.currentText() == "Medium"
    assert outer.verticalScrollBar().value() > 0


# --- keyboard order and names ------------------------------------------------------------


def accessible_name(widget: QWidget) -> str:
    """The name given to assistive technology: the widget's own accessible name, else what
    Qt's accessibility tree announces (a button's or tick box's text)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return widget.accessibleName() or interface.text(QAccessible.Text.Name)


def test_tab_walks_the_referral_form_top_to_bottom_left_to_right(
    qtbot: QtBot, as_manager: Services
) -> None:
    form = shown(qtbot, ReferralForm(as_manager))
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    form.first_name.setFocus()
    qtbot.waitUntil(form.first_name.hasFocus)
    order = [accessible_name(form.first_name)]
    for _ in range(60):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        if focused is form.first_name:
            break
        order.append(accessible_name(focused) or type(focused).__name__)
        if focused is form.sharing_basis:  # far down the form: scrolled into view
            assert not focused.visibleRegion().isEmpty()

    flags = [label for _name, label in SAFEGUARDING_FLAGS]
    reasons = [f"Reason: {reason.label}" for reason in ReferralReason]
    expected = [
        "First name",
        "Last name",
        "Preferred name",
        "Date of birth",
        "Gender",
        "Ethnicity",
        "NHS number",
        "Postcode",
        "Address",
        "Phone",
        "Education setting",
        "Education status",
        *flags,
        "Date received",
        "Referring agency",
        "Type of agency",
        "Referrer's name",
        "Referrer's contact",
        "Priority",
        "Narrative",
        *reasons,
        "Young person's consent",
        "Parent or carer's consent",
        "Information-sharing basis",
    ]
    assert order[: len(expected)] == expected
    assert sorted(order[len(expected) :]) == ["Cancel", "Save referral"]


def test_every_input_on_the_referral_form_has_a_name_and_the_labels_no_colons(
    qtbot: QtBot, as_manager: Services
) -> None:
    form = shown(qtbot, ReferralForm(as_manager))
    inputs = [
        widget
        for kind in (QLineEdit, QPlainTextEdit, QComboBox, QCheckBox, QListWidget, QPushButton)
        for widget in form.findChildren(kind)
        if widget.parent() is not None and type(widget.parent()).__name__ != "QComboBox"
    ]

    assert len(inputs) > 40
    unnamed = [type(widget).__name__ for widget in inputs if not accessible_name(widget).strip()]
    assert unnamed == []
    labels = [label.text() for label in form.findChildren(QLabel) if label.buddy() is not None]
    assert labels and not [text for text in labels if text.rstrip(" *").endswith(":")]


def test_the_three_sections_share_one_label_width(qtbot: QtBot, as_manager: Services) -> None:
    form = shown(qtbot, ReferralForm(as_manager))
    qtbot.waitExposed(form)

    def field_left(widget: QWidget) -> int:
        return widget.mapTo(form, QPoint(0, 0)).x()

    assert field_left(form.first_name) == field_left(form.referring_agency)
    assert field_left(form.referring_agency) == field_left(form.sharing_basis)
