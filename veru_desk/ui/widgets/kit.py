"""The house look in a few helpers, so a new screen looks right by default.

The colours, borders and spacing live in one stylesheet (``resources/style.qss``, loaded by
``app_stylesheet``); the helpers here give widgets the object names that stylesheet knows and
the layout habits every dialog shares:

- ``form_section`` / ``house_form``: a titled group with a form whose labels carry no trailing
  colon and sit left-aligned, and ``align_labels`` to give every section of a dialog one label
  width;
- ``status_chip``: a status or risk level in words, with colour as a second signal only;
- ``empty_state``: what to do when a list is empty, with the button that does it;
- ``primary_button`` / ``secondary_button``: the two kinds of button, with no icons;
- ``dialog_buttons``: a ``QDialogButtonBox``, so the order of OK and Cancel follows the
  platform, with the default button styled as the primary one;
- ``grow_to_fit``: a dialog that grows when a message appears instead of squashing its fields;
  ``fit_to_screen`` and ``FormScrollArea``: one that opens no bigger than its screen.

The page scaffold (title, subtitle, the page's buttons, standard margins) is ``page.py``'s
``page_frame``; the date field and the per-field error lines are in ``forms.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.enums import RiskLevel
from veru_desk.resources import resource_path

# --- the stylesheet -----------------------------------------------------------------------


_RELATIVE_FONT_SIZE = re.compile(r"font-size:\s*(?P<scale>[0-9]*\.?[0-9]+)em\s*;")


def app_stylesheet(base_point_size: float | None = None) -> str:
    """The house stylesheet, ready for Qt.

    Its ``url(icons/...)`` images become absolute paths, so Qt finds them from source, from a
    wheel and from the frozen bundle alike; and its headings' ``font-size: 1.5em`` (which Qt's
    stylesheets do not understand) becomes points relative to ``base_point_size``, the
    application's font (the system's, as the person set it), so a larger system font makes
    larger headings too."""
    text = resource_path("style.qss").read_text(encoding="utf-8")
    icons = resource_path("icons").as_posix()
    text = text.replace("url(icons/", f"url({icons}/")
    if base_point_size is None or base_point_size <= 0:
        base_point_size = QApplication.font().pointSizeF()
    base = base_point_size if base_point_size > 0 else 10.0
    return _RELATIVE_FONT_SIZE.sub(
        lambda match: f"font-size: {float(match['scale']) * base:.1f}pt;", text
    )


# --- forms --------------------------------------------------------------------------------

#: where form labels sit: left, beside the top line of their field
LABEL_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def house_form(form: QFormLayout | None = None) -> QFormLayout:
    """A form laid out the house way: fields grow to the width, labels left-aligned, rows
    never wrapped under their label (``align_labels`` keeps the label column even)."""
    form = form if form is not None else QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(LABEL_ALIGNMENT)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return form


@dataclass(frozen=True)
class FormSection:
    """A titled group (``box``) and the form inside it (``form``)."""

    box: QGroupBox
    form: QFormLayout


def form_section(title: str, parent: QWidget | None = None) -> FormSection:
    """A titled group holding a house form: one part of a longer dialog."""
    box = QGroupBox(title, parent)
    box.setAccessibleName(title)
    form = house_form(QFormLayout(box))
    return FormSection(box, form)


def form_labels(form: QFormLayout) -> list[QLabel]:
    """The labels of a form's rows, top to bottom (rows with no label left out)."""
    labels: list[QLabel] = []
    for row in range(form.rowCount()):
        item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        widget = item.widget() if item is not None else None
        if isinstance(widget, QLabel):
            labels.append(widget)
    return labels


def align_labels(forms: Iterable[QFormLayout]) -> int:
    """Gives every label of ``forms`` the width of the widest, so the fields of all the
    sections of one dialog start on one line. Returns that width."""
    labels = [label for form in forms for label in form_labels(form)]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)
    return width


# --- status chips -------------------------------------------------------------------------


class Tone(StrEnum):
    """The second signal a chip gives beside its words."""

    NEUTRAL = "neutral"
    INFO = "info"
    GOOD = "good"
    WARNING = "warning"
    DANGER = "danger"


RISK_TONES: dict[RiskLevel, Tone] = {
    RiskLevel.LOW: Tone.GOOD,
    RiskLevel.MEDIUM: Tone.WARNING,
    RiskLevel.HIGH: Tone.DANGER,
    RiskLevel.VERY_HIGH: Tone.DANGER,
}


def status_chip(text: str, tone: Tone | str = Tone.NEUTRAL) -> QLabel:
    """A status in words on a tinted pill: the words carry the meaning, so the colour is
    never the only signal (a risk level reads "High", not only red)."""
    chip = QLabel(text)
    chip.setObjectName("statusChip")
    set_chip(chip, text, tone)
    chip.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return chip


def set_chip(chip: QLabel, text: str, tone: Tone | str = Tone.NEUTRAL) -> None:
    """Changes what a chip says and its tone (the stylesheet is re-applied for the tone)."""
    chip.setText(text)
    chip.setAccessibleName(text)
    chip.setProperty("tone", str(Tone(tone)))
    style = chip.style()
    style.unpolish(chip)
    style.polish(chip)


def risk_chip(level: RiskLevel | None) -> QLabel:
    """A risk level as a chip: "High" on red, "Not assessed" when there is none."""
    if level is None:
        return status_chip("Not assessed", Tone.NEUTRAL)
    return status_chip(level.label, RISK_TONES[level])


# --- empty states -------------------------------------------------------------------------

ActionLike = QAction | tuple[str, Callable[[], object]]


def empty_state(text: str, action: ActionLike | None = None) -> QFrame:
    """What a list shows when it has nothing in it: what to do next (``text``, e.g. "No
    sessions booked yet. Book the first one to start the plan.") and, when given, the button
    that does it: a ``QAction`` (its text, enabled state and trigger) or (text, callback)."""
    frame = QFrame()
    frame.setObjectName("emptyState")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(24, 24, 24, 24)
    layout.addStretch(1)
    label = QLabel(text)
    label.setObjectName("emptyStateText")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(label)
    if action is not None:
        if isinstance(action, QAction):
            button = secondary_button(action.text().replace("&", "").rstrip("…."))
            button.setEnabled(action.isEnabled())
            action.changed.connect(lambda: button.setEnabled(action.isEnabled()))
            button.clicked.connect(action.trigger)
        else:
            words, callback = action
            button = secondary_button(words)
            button.clicked.connect(lambda _checked=False: callback())
        button.setObjectName("emptyStateAction")
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
    layout.addStretch(1)
    frame.setAccessibleName(text)
    return frame


# --- buttons ------------------------------------------------------------------------------


def primary_button(text: str, on_click: Callable[[], object] | None = None) -> QPushButton:
    """The one button a screen is for (Save, Book series): filled, never with an icon."""
    button = QPushButton(text)
    button.setObjectName("primary")
    button.setIcon(QIcon())
    if on_click is not None:
        button.clicked.connect(lambda _checked=False: on_click())
    return button


def secondary_button(text: str, on_click: Callable[[], object] | None = None) -> QPushButton:
    """Every other button: outlined, never with an icon."""
    button = QPushButton(text)
    button.setIcon(QIcon())
    if on_click is not None:
        button.clicked.connect(lambda _checked=False: on_click())
    return button


def dialog_buttons(
    accept: str = "Save",
    *,
    reject: str | None = "Cancel",
    on_accept: Callable[[], object] | None = None,
    on_reject: Callable[[], object] | None = None,
) -> QDialogButtonBox:
    """Save and Cancel (under the words given) in the platform's order, no icons, the accept
    button the default and styled as primary. ``on_accept``/``on_reject`` are connected to
    the box's ``accepted``/``rejected``. ``accept_button(box)`` finds the accept button."""
    standard = QDialogButtonBox.StandardButton
    buttons = QDialogButtonBox(standard.Save | (standard.Cancel if reject else standard.NoButton))
    save = buttons.button(standard.Save)
    save.setText(accept)
    save.setObjectName("primary")
    save.setDefault(True)
    save.setAutoDefault(True)
    cancel = buttons.button(standard.Cancel) if reject else None
    if cancel is not None and reject is not None:
        cancel.setText(reject)
        cancel.setAutoDefault(False)
    for button in buttons.buttons():
        button.setIcon(QIcon())  # some platforms put icons on standard buttons: none, anywhere
    if on_accept is not None:
        buttons.accepted.connect(on_accept)
    if on_reject is not None:
        buttons.rejected.connect(on_reject)
    return buttons


def accept_button(buttons: QDialogButtonBox) -> QPushButton:
    return buttons.button(QDialogButtonBox.StandardButton.Save)


def cancel_button(buttons: QDialogButtonBox) -> QPushButton | None:
    return buttons.button(QDialogButtonBox.StandardButton.Cancel)


# --- sizing -------------------------------------------------------------------------------


class FormScrollArea(QScrollArea):
    """A form's scroll area, for a screen too small for the whole form: it asks for the whole
    form (Qt's own caps its request at 24 lines), never scrolls sideways, and takes no Tab
    stop of its own (Tab moves field to field and the area follows)."""

    def __init__(self, body: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formScroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWidget(body)

    def sizeHint(self) -> QSize:
        body = self.widget()
        if body is None:
            return super().sizeHint()
        hint = body.sizeHint()
        return QSize(hint.width() + self.verticalScrollBar().sizeHint().width(), hint.height())

    def minimumSizeHint(self) -> QSize:
        body = self.widget()
        if body is None:
            return super().minimumSizeHint()
        width = body.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, self.fontMetrics().lineSpacing() * 6)


def inset_number_text(root: QWidget) -> None:
    """Starts the text of every number field under ``root`` as far in as a drop-down's text
    (Qt's stylesheets cannot pad the editor inside a spin box), so a column of fields reads
    in one line."""
    for spin in root.findChildren(QAbstractSpinBox):
        editor = spin.findChild(QLineEdit)
        if editor is not None:
            inset = round(0.4 * spin.fontMetrics().horizontalAdvance("M")) + 1
            editor.setTextMargins(inset, 0, 0, 0)


def keep_contents_visible(widget: QWidget) -> None:
    """The window can never be made smaller than its content needs (nothing squashes), nor
    narrower than the minimum width it was given (which the layout's own minimum would
    otherwise replace)."""
    layout = widget.layout()
    if layout is None:
        return
    wanted = widget.minimumWidth()
    layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    if wanted > 0:
        margins = layout.contentsMargins()
        layout.addItem(
            QSpacerItem(
                max(wanted - margins.left() - margins.right(), 0),
                0,
                QSizePolicy.Policy.Fixed,
                QSizePolicy.Policy.Minimum,
            )
        )


def room_for_placeholder(edit: QLineEdit) -> None:
    """The field is never narrower than its grey hint, frame and padding included, so a hint
    ("At least 12 characters; a short phrase works well") is never cut."""
    metrics = edit.fontMetrics()
    edit.setMinimumWidth(metrics.horizontalAdvance(edit.placeholderText()) + 3 * metrics.height())


def screen_room(widget: QWidget) -> QSize:
    """The most a window may take: its screen's free area less its title bar and frame."""
    screen = widget.screen().availableGeometry()
    frame_height = widget.frameGeometry().height() - widget.height()
    frame_width = widget.frameGeometry().width() - widget.width()
    title = max(frame_height, widget.fontMetrics().height() * 2)  # before the first show: 0
    return QSize(screen.width() - max(frame_width, 0), screen.height() - title)


def fit_to_screen(widget: QWidget) -> None:
    """Shrinks a window that would run off its screen (a small laptop at 150% text) to the
    room there is, never below its minimum: what does not fit scrolls or shrinks inside."""
    room = screen_room(widget)
    size = widget.size().boundedTo(room).expandedTo(widget.minimumSize())
    if size != widget.size():
        widget.resize(size)


def _shown_height(widget: QWidget, messages: Iterable[QWidget]) -> int:
    """The height the visible ``messages`` take, each with the space above it."""
    spacing = widget.style().pixelMetric(QStyle.PixelMetric.PM_LayoutVerticalSpacing)
    total = 0
    for message in messages:
        if not message.isVisibleTo(widget):
            continue
        if message.hasHeightForWidth():
            total += message.heightForWidth(message.width())
        else:
            total += message.sizeHint().height()
        total += max(spacing, 0)
    return total


def grow_to_fit(widget: QWidget, messages: Iterable[QWidget] | None = None) -> None:
    """Makes room for the validation ``messages`` now shown: the window grows by their height
    (as far as the screen allows) so every field keeps its size, and never shrinks. Called
    again with other messages, it grows only by the difference.

    Without ``messages`` (a small dialog whose layout knows its whole height, such as
    sign-in), it grows to what its layout now asks for instead."""
    if messages is None:
        _grow_to_layout(widget)
        return
    layout = widget.layout()
    if layout is not None:
        layout.activate()  # the messages just shown get their width
    shown = _shown_height(widget, messages)
    before = widget.property("messagesHeight")
    accounted = before if isinstance(before, int) else 0
    widget.setProperty("messagesHeight", shown)
    room = screen_room(widget)
    wanted = widget.height() - accounted + shown
    minimum = widget.minimumSizeHint().expandedTo(widget.minimumSize())
    height = max(min(max(widget.height(), wanted), room.height()), minimum.height())
    width = max(widget.width(), min(minimum.width(), room.width()))
    if (width, height) != (widget.width(), widget.height()):
        widget.resize(width, height)


def _grow_to_layout(widget: QWidget) -> None:
    """Grows the window to what its layout asks (word-wrapped messages included, at the
    current width): never narrower or shorter than it is, never beyond its screen."""
    layout = widget.layout()
    if layout is None:
        return
    layout.invalidate()
    layout.activate()
    width = max(widget.width(), widget.minimumSizeHint().width())
    height = widget.sizeHint().height()
    if layout.hasHeightForWidth():
        height = max(height, layout.totalHeightForWidth(width))
    height = max(widget.height(), height, widget.minimumSizeHint().height())
    room = screen_room(widget)
    width, height = min(width, room.width()), min(height, room.height())
    widget.setMinimumHeight(height)
    if (width, height) != (widget.width(), widget.height()):
        widget.resize(width, height)
