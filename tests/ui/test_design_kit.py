"""The design kit and the stylesheet: what a new screen gets by default."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QStyleOptionSpinBox,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot
from ui_drivers import shown

from veru_desk.domain.enums import RiskLevel
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.ui.dialogs import case_dialog
from veru_desk.ui.dialogs.mentoring_session import SessionDialog
from veru_desk.ui.dialogs.note import NoteDialog
from veru_desk.ui.dialogs.outcome import OutcomeDialog
from veru_desk.ui.dialogs.person import PersonDialog
from veru_desk.ui.dialogs.plan import PlanDialog
from veru_desk.ui.dialogs.risk import RiskDialog
from veru_desk.ui.dialogs.series import SeriesDialog
from veru_desk.ui.widgets import kit
from veru_desk.ui.widgets.forms import DateField, FieldErrors, form_label
from veru_desk.ui.widgets.kit import (
    Tone,
    align_labels,
    app_stylesheet,
    dialog_buttons,
    empty_state,
    fit_to_screen,
    form_section,
    grow_to_fit,
    inset_number_text,
    keep_contents_visible,
    primary_button,
    risk_chip,
    secondary_button,
    status_chip,
)


def styled(qtbot: QtBot, widget: QWidget) -> QWidget:
    """``widget`` in a window carrying the app's stylesheet (the session's app is left as is)."""
    window = QWidget()
    window.setStyleSheet(app_stylesheet())
    layout = QVBoxLayout(window)
    layout.addWidget(widget)
    window.resize(320, 80)
    shown(qtbot, window)
    qtbot.waitExposed(window)
    return window


def dark_pixels(image: QImage, rect: QRect) -> int:
    count = 0
    for x in range(rect.left(), rect.right() + 1):
        for y in range(rect.top(), rect.bottom() + 1):
            if QColor(image.pixel(x, y)).lightness() < 140:
                count += 1
    return count


@pytest.mark.parametrize("kind", [QSpinBox, QDoubleSpinBox])
def test_number_fields_show_an_up_and_a_down_arrow(
    qtbot: QtBot, kind: type[QSpinBox] | type[QDoubleSpinBox]
) -> None:
    spin = kind()
    spin.setRange(0, 10)
    spin.setValue(5)
    window = styled(qtbot, spin)
    option = QStyleOptionSpinBox()
    spin.initStyleOption(option)  # type: ignore[attr-defined]
    style = spin.style()
    control = QStyle.ComplexControl.CC_SpinBox
    up = style.subControlRect(control, option, QStyle.SubControl.SC_SpinBoxUp, spin)
    down = style.subControlRect(control, option, QStyle.SubControl.SC_SpinBoxDown, spin)
    image = spin.grab().toImage()

    assert up.width() >= spin.fontMetrics().horizontalAdvance("M")
    assert up.bottom() < down.bottom() and up.right() == down.right()
    inner = lambda r: r.adjusted(3, 2, -3, -2)  # noqa: E731 - the arrow, not the button's border
    assert dark_pixels(image, inner(up)) >= 4, "no up arrow drawn"
    assert dark_pixels(image, inner(down)) >= 4, "no down arrow drawn"
    assert window.isVisible()


def test_the_stylesheet_finds_its_arrow_images() -> None:
    sheet = app_stylesheet()
    images = re.findall(r"url\(([^)]+)\)", sheet)

    assert images, "the arrows come from images"
    for image in images:
        assert resource_path("icons").as_posix() in image
        assert open(image, encoding="utf-8").read().startswith("<svg")  # noqa: SIM115


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_text_colour_meets_wcag_aa_on_its_background() -> None:
    """4.5:1 for normal text; disabled controls are exempt (and must look disabled)."""
    sheet = re.sub(r"/\*.*?\*/", "", resource_path("style.qss").read_text(), flags=re.S)
    page_backgrounds = ["#ffffff", "#f5f7f9", "#e9eef2"]
    checked = 0
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", sheet):
        text = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        if text is None or ":disabled" in selector:
            continue
        background = re.search(r"background:\s*(#[0-9a-fA-F]{6})", body)
        for behind in [background.group(1)] if background else page_backgrounds:
            ratio = contrast(text.group(1), behind)
            assert ratio >= 4.5, f"{' '.join(selector.split())}: {ratio:.2f}:1"
            checked += 1
    assert checked > 20


def test_placeholder_text_meets_wcag_aa_too(qtbot: QtBot) -> None:
    """Hints such as "dd/mm/yyyy" are read before anything is typed: Qt's own grey fails."""
    field = QLineEdit()
    field.setPlaceholderText("MMMMMMMMMMMM")
    field.resize(300, 30)
    window = styled(qtbot, field)
    field.clearFocus()
    image = field.grab().toImage()

    darkest = min(
        (QColor(image.pixel(x, y)) for x in range(20, 150) for y in range(8, 22)),
        key=lambda colour: colour.lightness(),
    )
    assert contrast(darkest.name(), "#ffffff") >= 4.5
    assert window.isVisible()


def test_no_text_size_in_pixels() -> None:
    sheet = resource_path("style.qss").read_text()

    assert not re.search(r"font(-size)?:[^;]*\d+px", sheet)


def test_headings_follow_the_system_font_size() -> None:
    usual = app_stylesheet(9.0)
    larger = app_stylesheet(14.0)

    assert "font-size: 14.8pt;" in usual  # a page title: 1.65 times the text
    assert "font-size: 23.1pt;" in larger
    assert not re.search(r"font-size:\s*[0-9.]+em", usual)  # Qt would ignore an em size


def test_field_error_red_comes_from_the_stylesheet(qtbot: QtBot) -> None:
    form = QFormLayout()
    errors = FieldErrors()
    label = errors.add_row(form, "Date of birth:", QLineEdit(), "date_of_birth")

    assert label.objectName() == "fieldError"
    assert label.styleSheet() == ""
    assert "QLabel#fieldError {\n    color: #b00020;" in app_stylesheet()
    assert form.itemAt(0, QFormLayout.ItemRole.LabelRole).widget().text() == "Date of birth"


@pytest.mark.parametrize(
    ("typed", "shown_as"),
    [("First name:", "First name"), ("First name *", "First name *"), ("Due: *", "Due *")],
)
def test_labels_carry_no_trailing_colon(typed: str, shown_as: str) -> None:
    assert form_label(typed) == shown_as


def test_sections_of_one_dialog_share_one_label_width(qtbot: QtBot) -> None:
    person = form_section("Young person")
    person.form.addRow("First name *", QLineEdit())
    consent = form_section("Consent and information sharing")
    consent.form.addRow("Information-sharing basis", QLineEdit())
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.addWidget(person.box)
    layout.addWidget(consent.box)
    shown(qtbot, holder)

    width = align_labels([person.form, consent.form])

    first = person.form.itemAt(0, QFormLayout.ItemRole.LabelRole).widget()
    basis = consent.form.itemAt(0, QFormLayout.ItemRole.LabelRole).widget()
    holder.layout().activate()
    assert first.minimumWidth() == basis.minimumWidth() == width
    assert width >= basis.fontMetrics().horizontalAdvance("Information-sharing basis")
    assert person.box.title() == "Young person"


def test_a_status_chip_says_the_level_in_words(qtbot: QtBot) -> None:
    chip = risk_chip(RiskLevel.VERY_HIGH)
    window = styled(qtbot, chip)

    assert chip.text() == "Very high"
    assert chip.accessibleName() == "Very high"
    assert chip.property("tone") == "danger"
    assert risk_chip(None).text() == "Not assessed"
    assert status_chip("Allocated", Tone.INFO).property("tone") == "info"
    assert window.isVisible()


def test_an_empty_state_says_what_to_do_and_its_button_does_it(qtbot: QtBot) -> None:
    booked: list[str] = []
    state = empty_state(
        "No sessions booked yet. Book the first one to start the plan.",
        ("Book a session", lambda: booked.append("yes")),
    )
    shown(qtbot, state)
    [text] = [label for label in state.findChildren(QLabel) if label.wordWrap()]
    [button] = state.findChildren(QPushButton)

    button.click()

    assert text.text().startswith("No sessions booked yet.")
    assert button.text() == "Book a session"
    assert booked == ["yes"]


def test_dialog_buttons_follow_the_platform_and_carry_no_icons(qtbot: QtBot) -> None:
    saved: list[bool] = []
    box = dialog_buttons("Book series", on_accept=lambda: saved.append(True))
    shown(qtbot, box)
    save = box.button(QDialogButtonBox.StandardButton.Save)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)

    save.click()

    assert save.text() == "Book series" and cancel.text() == "Cancel"
    assert save.isDefault() and save.objectName() == "primary"
    assert all(button.icon().isNull() for button in box.buttons())
    assert saved == [True]
    assert box.buttonRole(cancel) is QDialogButtonBox.ButtonRole.RejectRole
    assert primary_button("Save").objectName() == "primary"
    assert secondary_button("Export").icon().isNull()


def test_a_window_grows_by_a_message_that_appears_and_no_more(qtbot: QtBot) -> None:
    window = QWidget()
    layout = QVBoxLayout(window)
    field = QLineEdit("Oluwaseun Adeyemi")
    notes = QPlainTextEdit()  # asks for far more height than it needs
    message = QLabel()
    message.setWordWrap(True)
    message.setVisible(False)
    layout.addWidget(field)
    layout.addWidget(message)
    layout.addWidget(notes)
    keep_contents_visible(window)
    shown(qtbot, window)
    window.resize(400, 220)
    qtbot.waitUntil(lambda: window.height() == 220)
    notes_before = notes.height()

    message.setText("The name is longer than 100 characters: shorten it. " * 3)
    message.setVisible(True)
    grow_to_fit(window, [message])
    QApplication.processEvents()
    grown = window.height()

    assert grown > 220
    assert grown <= 220 + message.height() + 2 * layout.spacing() + 1
    assert message.height() >= message.heightForWidth(message.width()) - 1
    assert abs(notes.height() - notes_before) <= 2  # the other fields keep their size
    assert field.height() >= field.sizeHint().height()

    grow_to_fit(window, [message])  # the same message again (a second save): no more growth
    assert window.height() == grown


# --- the dialogs fit their content, at the usual and at a 150% text size -----------------

DIALOGS: dict[str, Callable[[Services, int], QDialog]] = {
    "note": lambda services, person: NoteDialog(services, person),
    "plan": lambda services, person: PlanDialog(services, person),
    "outcome": lambda services, person: OutcomeDialog(services, person),
    "risk": lambda services, person: RiskDialog(services, person),
    "session": lambda services, person: SessionDialog(services, person),
    "series": lambda services, person: SeriesDialog(services, person),
}


def clipped(dialog: QWidget) -> list[str]:
    """Widgets given less room than they need, or reaching outside the dialog."""
    problems: list[str] = []
    scrolls = dialog.findChildren(QScrollArea)
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog) or widget.window() is not dialog:
            continue
        name = widget.accessibleName() or getattr(widget, "text", lambda: "")() or widget
        # in a scroll area a widget must lie within what scrolls (the area's body), else in
        # the dialog
        if any(widget is area.widget() for area in scrolls):
            continue  # taller than its area when the screen is small: it scrolls
        frame: QWidget = dialog
        for area in scrolls:
            body = area.widget()
            if body is not None and body.isAncestorOf(widget):
                frame = body
                reach = body.height() - area.viewport().height()
                assert area.verticalScrollBar().maximum() >= reach
        place = QRect(widget.mapTo(frame, QPoint(0, 0)), widget.size())
        if not frame.rect().contains(place):
            problems.append(f"{name}: outside the dialog")
        if isinstance(widget, QLabel) and widget.text() and not widget.wordWrap():
            if widget.width() < widget.minimumSizeHint().width():
                problems.append(f"{name}: label cut ({widget.width()} px)")
        elif isinstance(widget, QLabel) and widget.text() and widget.wordWrap():
            if widget.height() < widget.heightForWidth(widget.width()) - 1:
                problems.append(f"{name}: wrapped label cut")
        elif (
            isinstance(widget, QLineEdit | QComboBox | QAbstractSpinBox | QPushButton)
            and widget.height() < widget.minimumSizeHint().height()
        ):
            problems.append(f"{name}: squashed ({widget.height()} px)")
    return problems


@pytest.mark.parametrize("scale", [1.0, 1.5])
@pytest.mark.parametrize("which", sorted(DIALOGS))
def test_case_dialogs_fit_their_content_before_and_after_a_validation_message(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, which: str, scale: float
) -> None:
    dialog = DIALOGS[which](as_dariusz, lukasz_case)
    dialog.setStyleSheet(app_stylesheet())
    font = QFont(dialog.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    dialog.setFont(font)
    shown(qtbot, dialog)
    qtbot.waitExposed(dialog)
    assert clipped(dialog) == []
    assert all(button.icon().isNull() for button in dialog.findChildren(QPushButton))
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    assert not [text for text in labels if text.rstrip(" *").endswith(":")]

    for date in dialog.findChildren(DateField):
        date.setText("31/02/2026")  # every date impossible: messages appear under them
    dialog.save()  # type: ignore[attr-defined]
    qtbot.wait(20)  # the layouts settle (the scroll area's after its form's)

    assert dialog.isVisible()
    assert [label for label in dialog.findChildren(QLabel) if label.objectName() == "fieldError"]
    assert clipped(dialog) == []


def test_a_window_taller_than_its_screen_opens_within_it(qtbot: QtBot) -> None:
    window = QWidget()
    layout = QVBoxLayout(window)
    layout.addWidget(QLineEdit("Aoife Ní Bhriain"))
    keep_contents_visible(window)
    shown(qtbot, window)
    room = window.screen().availableGeometry()
    window.resize(room.width() * 2, room.height() * 2)

    fit_to_screen(window)

    assert window.height() < room.height()
    assert window.width() <= room.width()
    assert window.height() >= window.minimumHeight()


def test_no_dialog_button_anywhere_carries_an_icon(qtbot: QtBot, qapp: QApplication) -> None:
    """Even a dialog built without the kit: the stylesheet turns the platform's icons off."""
    before = qapp.styleSheet()
    platform_with_icons = "QDialogButtonBox { dialogbuttonbox-buttons-have-icons: 1; }\n"
    qapp.setStyleSheet(platform_with_icons + app_stylesheet())
    try:
        standard = QDialogButtonBox.StandardButton
        box = QDialogButtonBox(standard.Ok | standard.Cancel | standard.Discard)
        shown(qtbot, box)

        assert [button.icon().isNull() for button in box.buttons()] == [True, True, True]
    finally:
        qapp.setStyleSheet(before)


def test_on_a_screen_too_small_for_the_form_it_scrolls_and_the_buttons_stay_in_view(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The young person's details on a 1280x720 laptop at 150% text: 480 points high."""
    small = QSize(800, 300)
    monkeypatch.setattr(case_dialog, "screen_room", lambda _widget: small)
    monkeypatch.setattr(kit, "screen_room", lambda _widget: small)
    dialog = PersonDialog(as_dariusz, as_dariusz.people.get(lukasz_case))
    dialog.setStyleSheet(app_stylesheet())
    shown(qtbot, dialog)
    qtbot.waitExposed(dialog)

    assert dialog.form_scroll is not None
    assert dialog.height() <= small.height()
    assert dialog.save_button.isVisible()
    save_place = dialog.save_button.mapTo(dialog, QPoint(0, dialog.save_button.height()))
    assert save_place.y() <= dialog.height()
    assert dialog.form_scroll.verticalScrollBar().maximum() > 0
    assert clipped(dialog) == []  # nothing squashed: what does not fit scrolls
    dialog.form_scroll.ensureWidgetVisible(dialog.education_status)  # as Tab would
    viewport = dialog.form_scroll.viewport()
    top = dialog.education_status.mapTo(viewport, QPoint(0, 0)).y()
    assert top >= 0 and top + dialog.education_status.height() <= viewport.height()


def test_on_a_usual_screen_the_form_does_not_scroll(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = NoteDialog(as_dariusz, lukasz_case)
    shown(qtbot, dialog)
    qtbot.waitExposed(dialog)

    assert dialog.form_scroll is None
    assert not dialog.findChildren(QScrollArea)


def test_number_text_starts_in_line_with_drop_down_text(qtbot: QtBot) -> None:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    spin = QSpinBox()
    spin.setRange(-1, 10)
    spin.setSpecialValueText("Not recorded")
    spin.setValue(-1)
    combo = QComboBox()
    combo.addItem("Not recorded")
    layout.addWidget(spin)
    layout.addWidget(combo)
    window = styled(qtbot, holder)
    inset_number_text(holder)
    QApplication.processEvents()

    def first_ink(widget: QWidget) -> int:
        image = widget.grab().toImage()
        middle = widget.height() // 2
        return next(
            x for x in range(2, widget.width()) if QColor(image.pixel(x, middle)).lightness() < 120
        )

    assert abs(first_ink(spin) - first_ink(combo)) <= 3
    assert window.isVisible()


def test_a_disabled_default_button_looks_disabled_not_ready(qtbot: QtBot) -> None:
    """The recovery key's Continue is the default button and starts disabled: it must be
    painted like any disabled button (pale), not filled like one ready to press."""
    ready = QPushButton("Continue")
    ready.setDefault(True)
    waiting = QPushButton("Continue")
    waiting.setDefault(True)
    waiting.setEnabled(False)
    plain_disabled = QPushButton("Continue")
    plain_disabled.setEnabled(False)
    holder = QWidget()
    row = QVBoxLayout(holder)
    for button in (ready, waiting, plain_disabled):
        row.addWidget(button)
    window = styled(qtbot, holder)

    def middle(button: QPushButton) -> QColor:
        image = button.grab().toImage()
        return QColor(image.pixel(6, image.height() // 2))

    assert middle(ready).lightness() < 120  # the filled default
    assert middle(waiting).lightness() > 200
    assert middle(waiting).name() == middle(plain_disabled).name()
    assert window.isVisible()
