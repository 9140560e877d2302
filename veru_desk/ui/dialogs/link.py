"""A link in a young person's network: add one, correct one, or end one; and the two small
forms that record a new person of concern or place on the way.

A link is always read from the open case's side ("Exploited by Dean"), also when it was
recorded from the other young person's ("Has harmed" for a "harmed by" recorded there), so
the type list of such a link shows the words as they read from here.

Another worker's young person is found only as the people search finds them (an exact case
reference, NHS number or full name with date of birth) and shown as "VERU-…, allocated to
NAME": linking to them records the link without telling this worker who they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.errors import NotFound, ValidationError
from veru_desk.domain.network import (
    LINK_TYPES,
    Certainty,
    ConcernInput,
    InfoSource,
    LinkInput,
    LinkKind,
    LinkView,
    PlaceInput,
    PlaceKind,
)
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.ui.dialogs.case_dialog import (
    CaseDialog,
    chosen_enum,
    count_spin,
    enum_combo,
    gather,
    select_enum,
    set_spin,
    spin_value,
)
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.forms import DateField

#: What each kind of link joins the young person to, as the form names it.
KIND_WORDS: dict[LinkKind, str] = {
    LinkKind.PERSON: "Another young person on record",
    LinkKind.CONCERN: "A person of concern",
    LinkKind.PLACE: "A place",
}
_FIND_HINTS: dict[LinkKind, str] = {
    LinkKind.PERSON: "Name, case reference or NHS number, then Find",
    LinkKind.CONCERN: "Name or street name",
    LinkKind.PLACE: "Place name or postcode",
}
#: The service's names for the other end, all shown beside the one row that chooses it.
_OTHER_FIELDS = ("other_person_id", "concern_id", "person_of_concern_id", "place_id")


def _note_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setMinimumHeight(box.fontMetrics().lineSpacing() * 3)
    box.setPlaceholderText(placeholder)
    return box


def type_combo(kind: LinkKind, *, reversed_: bool = False) -> QComboBox:
    """The link types of ``kind``, worded from the open case's side."""
    combo = QComboBox()
    combo.setAccessibleName("How they are linked")
    combo.setPlaceholderText("Choose how they are linked")
    for member in LINK_TYPES[kind]:
        # Places have no other side to read a link from: their label is the same both ways.
        words = getattr(member, "reverse_label", member.label) if reversed_ else member.label
        combo.addItem(words, member.value)
    combo.setCurrentIndex(-1)
    return combo


class LinkDialog(CaseDialog):
    """Adds a link from the open case (``link`` None) or corrects one already recorded."""

    def __init__(
        self,
        services: Services,
        person_id: int,
        link: LinkView | None = None,
        parent: QWidget | None = None,
        *,
        kind: LinkKind | None = None,
    ) -> None:
        title = "Add a link" if link is None else "Change a link"
        super().__init__(title, person_id, Kind.NETWORK, parent)
        self.services = services
        self.link = link
        today = dt.date.today()

        # what the young person is linked to: chosen when adding, fixed when changing
        self.kind = QComboBox()
        for each, words in KIND_WORDS.items():
            self.kind.addItem(words, each.value)
        self.kind.setPlaceholderText("Choose what to link to")
        self.kind.setCurrentIndex(-1)
        self.find_text = QLineEdit()
        self.find_text.setAccessibleName("Find")
        self.find_text.setClearButtonEnabled(True)
        self.find_button = QPushButton("Find")
        self.find_button.setAutoDefault(False)
        self.find_button.clicked.connect(lambda _checked=False: self.search())
        self.find_text.returnPressed.connect(lambda: self.search())
        find_row = QWidget()
        find_layout = QHBoxLayout(find_row)
        find_layout.setContentsMargins(0, 0, 0, 0)
        find_layout.addWidget(self.find_text, 1)
        find_layout.addWidget(self.find_button)
        self.other = QComboBox()
        self.other.setAccessibleName("Linked to")
        self.other.setPlaceholderText("Choose a kind, then find who or where")
        self.other.setMinimumContentsLength(28)
        self.new_button = QPushButton("New…")
        self.new_button.setAutoDefault(False)
        self.new_button.clicked.connect(self.add_new)
        other_row = QWidget()
        other_layout = QHBoxLayout(other_row)
        other_layout.setContentsMargins(0, 0, 0, 0)
        other_layout.addWidget(self.other, 1)
        other_layout.addWidget(self.new_button)
        self.found = QLabel()
        self.found.setObjectName("quiet")
        self.found.setWordWrap(True)
        self.other_fixed = QLabel()
        self.other_fixed.setWordWrap(True)

        self.link_type = type_combo(LinkKind.PERSON)
        self.since_on = DateField(accessible_name="Since", latest=today)
        self.since_on.setPlaceholderText("dd/mm/yyyy, or empty if not known")
        self.until_on = DateField(accessible_name="Until", latest=today)
        self.until_on.setPlaceholderText("Leave empty while it holds")
        self.source = enum_combo(InfoSource, "Where the information came from")
        self.source.setPlaceholderText("Choose where it came from")
        self.source.setCurrentIndex(-1)
        self.certainty = enum_combo(Certainty, "How sure")
        self.certainty.setPlaceholderText("Choose how sure the unit is")
        self.certainty.setCurrentIndex(-1)
        self.note = _note_box("e.g. the police log number, what the school saw")

        if link is None:
            self.add_row("Link to*", self.kind, "kind")
            self.add_row("Find", find_row, "find", accessible="Find who or where")
            self.add_row("Who or where*", other_row, "other", accessible="Who or where")
            self.form.addRow("", self.found)
        else:
            self.other_fixed.setText(f"{KIND_WORDS[link.kind]}: {link.other_label}")
            self.form.addRow("Linked to", self.other_fixed)
        self.add_row("How they are linked*", self.link_type, "link_type")
        self.add_row("Since", self.since_on, "since_on")
        self.add_row("Until", self.until_on, "until_on")
        self.add_row("Source*", self.source, "source", accessible="Source of the information")
        self.add_row("How sure*", self.certainty, "certainty")
        self.add_row("Note", self.note, "note", accessible="Link note")

        if link is None:
            self.kind.currentIndexChanged.connect(self._kind_chosen)
            if kind is not None:
                self.kind.setCurrentIndex(self.kind.findData(kind.value))
            self._kind_chosen()
        else:
            self._set_types(link.kind, reversed_=link.reversed)
            self.load(link)

    # --- the kind and the other end ------------------------------------------------------

    def chosen_kind(self) -> LinkKind | None:
        if self.link is not None:
            return self.link.kind
        value = self.kind.currentData()
        return None if value is None or self.kind.currentIndex() < 0 else LinkKind(value)

    def _set_types(self, kind: LinkKind, *, reversed_: bool = False) -> None:
        fresh = type_combo(kind, reversed_=reversed_)
        self.link_type.clear()
        for i in range(fresh.count()):
            self.link_type.addItem(fresh.itemText(i), fresh.itemData(i))
        self.link_type.setCurrentIndex(-1)
        fresh.deleteLater()

    def _kind_chosen(self) -> None:
        kind = self.chosen_kind()
        self.other.clear()
        self.found.clear()
        enabled = kind is not None
        for widget in (self.find_text, self.find_button, self.other, self.link_type):
            widget.setEnabled(enabled)
        self.new_button.setVisible(kind in (LinkKind.CONCERN, LinkKind.PLACE))
        self.new_button.setText(
            "New person of concern…" if kind is LinkKind.CONCERN else "New place…"
        )
        if kind is None:
            return
        self._set_types(kind)
        self.find_text.setPlaceholderText(_FIND_HINTS[kind])
        if kind is LinkKind.PERSON:
            self.other.setPlaceholderText("Find the young person first")
            self.found.setText(
                "Young people on your caseload are found by name. Anyone else is found by "
                "their exact case reference, NHS number, or full name with date of birth, and "
                "shown by case reference and caseworker only."
            )
        else:
            self.other.setPlaceholderText("Choose from the list, or add a new one")
            self.search()

    def search(self, select_id: int | None = None) -> None:
        """Fills the list of who or where to link, off the GUI thread."""
        kind = self.chosen_kind()
        if kind is None:
            return
        text = self.find_text.text().strip()
        if kind is LinkKind.PERSON and not text:
            self.found.setText("Type a name, case reference or NHS number, then press Find.")
            return
        network, person_id = self.services.network, self.person_id

        def read() -> list[tuple[int, str]]:
            if kind is LinkKind.PERSON:
                return [
                    (c.person_id, c.label)
                    for c in network.candidates(text)
                    if c.person_id != person_id
                ]
            if kind is LinkKind.CONCERN:
                return [
                    (c.id, c.label + _linked_words(c.linked_young_people))
                    for c in network.concerns(text)
                ]
            return [
                (p.id, p.label + _linked_words(p.linked_young_people)) for p in network.places(text)
            ]

        def shown(rows: list[tuple[int, str]]) -> None:
            if not shiboken6.isValid(self) or self.chosen_kind() is not kind:
                return
            self.show_found(rows, select_id)

        run_task(
            self,
            "Finding who or where to link",
            lambda _progress: read(),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_found(self, rows: list[tuple[int, str]], select_id: int | None = None) -> None:
        self.other.clear()
        for record_id, label in rows:
            self.other.addItem(label, record_id)
        if select_id is not None:
            self.other.setCurrentIndex(self.other.findData(select_id))
        elif len(rows) == 1:
            self.other.setCurrentIndex(0)
        else:
            self.other.setCurrentIndex(-1)
        kind = self.chosen_kind()
        if not rows:
            self.found.setText(
                "Nobody found: check the spelling, or use the exact case reference."
                if kind is LinkKind.PERSON
                else "None found: add a new one if they are not recorded yet."
            )
        else:
            self.found.setText(f"{len(rows)} found: choose from the list above.")

    def add_new(self) -> None:
        """Records a new person of concern or place, then chooses it here."""
        kind = self.chosen_kind()
        dialog: CaseDialog
        if kind is LinkKind.CONCERN:
            dialog = ConcernDialog(self.services, self.person_id, self)
            name = self.find_text.text().strip()
            if name:
                dialog.name.setText(name)
        elif kind is LinkKind.PLACE:
            dialog = PlaceDialog(self.services, self.person_id, self)
            if self.find_text.text().strip():
                dialog.name.setText(self.find_text.text().strip())
        else:
            return
        if dialog.exec() and isinstance(dialog.result_value, int):
            self.find_text.clear()
            self.search(select_id=dialog.result_value)

    def chosen_other(self) -> int | None:
        if self.other.currentIndex() < 0:
            return None
        value = self.other.currentData()
        return value if isinstance(value, int) else None

    # --- loading and saving --------------------------------------------------------------

    def fill(self, link: LinkView) -> None:
        self.link_type.setCurrentIndex(self.link_type.findData(link.link_type.value))
        self.since_on.set_date(link.since_on)
        self.until_on.set_date(link.until_on)
        select_enum(self.source, link.source)
        select_enum(self.certainty, link.certainty)
        self.note.setPlainText(link.note or "")

    def reread(self) -> LinkView | None:
        if self.link is None:
            return None
        return reread_link(self.services, self.person_id, self.link)

    def build_on(self, saved: LinkView) -> None:
        self.link = saved

    def show_validation(self, error: ValidationError) -> None:
        fields = {("other" if k in _OTHER_FIELDS else k): v for k, v in error.fields.items()}
        super().show_validation(ValidationError(fields))

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        kind = self.chosen_kind()
        other = self.link.other_id if self.link is not None else self.chosen_other()
        if kind is None:
            errors["kind"] = "Choose what the young person is linked to."
        elif other is None:
            errors["other"] = (
                "Find the young person and choose them from the list."
                if kind is LinkKind.PERSON
                else "Choose from the list, or add a new one with the New… button."
            )
        link_type = None
        if kind is not None and self.link_type.currentIndex() >= 0:
            link_type = LINK_TYPES[kind](self.link_type.currentData())
        if link_type is None:
            errors["link_type"] = "Choose how they are linked from the list."
        since = gather(errors, lambda: self.since_on.date_or_none("since_on"))
        until = gather(errors, lambda: self.until_on.date_or_none("until_on"))
        source = chosen_enum(self.source, InfoSource)
        if source is None:
            errors["source"] = "Choose where the information came from."
        certainty = chosen_enum(self.certainty, Certainty)
        if certainty is None:
            errors["certainty"] = "Choose how sure the unit is of this link."
        if errors or kind is None or other is None or link_type is None:
            raise ValidationError(errors)
        assert source is not None and certainty is not None
        data = LinkInput(
            link_type=link_type,  # type: ignore[arg-type]  # one of the three link enums
            source=source,
            certainty=certainty,
            since_on=since,
            until_on=until,
            note=self.note.toPlainText().strip() or None,
        )
        network, person_id = self.services.network, self.person_id
        if self.link is not None:
            link_id, version = self.link.link_id, self.link.version
            return lambda: network.change_link(kind, link_id, data, version)
        if kind is LinkKind.PERSON:
            return lambda: network.link_person(person_id, other, data)
        if kind is LinkKind.CONCERN:
            return lambda: network.link_concern(person_id, other, data)
        return lambda: network.link_place(person_id, other, data)


class EndLinkDialog(CaseDialog):
    """Ends a link on a date: it stays on the case, as ended, so its history is kept."""

    def __init__(
        self, services: Services, person_id: int, link: LinkView, parent: QWidget | None = None
    ) -> None:
        super().__init__("End a link", person_id, Kind.NETWORK, parent, save_text="End link")
        self.services = services
        self.link = link
        since = f", since {format_uk_date(link.since_on)}" if link.since_on else ""
        about = QLabel(f"{link.link_label}: {link.other_label}{since}.")
        about.setWordWrap(True)
        self.form.addRow(about)
        self.until_on = DateField(accessible_name="Ended on", latest=dt.date.today())
        self.until_on.set_date(dt.date.today())
        self.add_row("Ended on*", self.until_on, "until_on")

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        until = gather(errors, lambda: self.until_on.date_or_none("until_on"))
        if until is None and "until_on" not in errors:
            errors["until_on"] = "Enter the date the link ended (dd/mm/yyyy)."
        if errors or until is None:
            raise ValidationError(errors)
        network, link = self.services.network, self.link
        return lambda: network.end_link(link.kind, link.link_id, until, link.version)


class ConcernDialog(CaseDialog):
    """A new person of concern: a name or a street name (police intelligence often has only
    one), roughly how old, and what helps recognise them."""

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__("New person of concern", person_id, Kind.NETWORK, parent)
        self.services = services
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.street_name = QLineEdit()
        self.street_name.setMaxLength(100)
        self.street_name.setPlaceholderText("e.g. D-Money")
        self.age = count_spin(90)
        self.description = _note_box("e.g. drives a grey Audi; seen outside the school gates")
        self.add_row("Name", self.name, "name", accessible="Person of concern's name")
        self.add_row("Street name", self.street_name, "street_name")
        self.add_row("Approximate age", self.age, "approximate_age")
        self.add_row("Description", self.description, "description")
        set_spin(self.age, None)

    def prepare(self) -> Callable[[], Any]:
        data = ConcernInput(
            name=self.name.text().strip() or None,
            street_name=self.street_name.text().strip() or None,
            approximate_age=spin_value(self.age),
            description=self.description.toPlainText().strip() or None,
        )
        if not data.name and not data.street_name:
            raise ValidationError({"name": "Enter a name or a street name (at least one)."})
        network = self.services.network
        return lambda: network.add_concern(data)


class PlaceDialog(CaseDialog):
    """A new place of concern: its name, what kind of place, a postcode or a description."""

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__("New place", person_id, Kind.NETWORK, parent)
        self.services = services
        self.name = QLineEdit()
        self.name.setMaxLength(200)
        self.name.setPlaceholderText("e.g. Wardown Park")
        self.place_kind = enum_combo(PlaceKind, "Kind of place")
        self.place_kind.setPlaceholderText("Choose the kind of place")
        self.place_kind.setCurrentIndex(-1)
        self.postcode = QLineEdit()
        self.postcode.setMaxLength(10)
        self.description = _note_box("e.g. the bench by the bandstand; the alley behind no. 12")
        self.add_row("Name*", self.name, "name", accessible="Place name")
        self.add_row("Kind of place*", self.place_kind, "kind")
        self.add_row("Postcode", self.postcode, "postcode")
        self.add_row("Description", self.description, "description", accessible="Place details")

    def prepare(self) -> Callable[[], Any]:
        errors: dict[str, str] = {}
        name = self.name.text().strip()
        if not name:
            errors["name"] = "Enter the place's name, e.g. 'Wardown Park' or 'Chicken Cottage'."
        kind = chosen_enum(self.place_kind, PlaceKind)
        if kind is None:
            errors["kind"] = "Choose what kind of place it is."
        if errors or kind is None:
            raise ValidationError(errors)
        data = PlaceInput(
            name=name,
            kind=kind,
            postcode=self.postcode.text().strip() or None,
            description=self.description.toPlainText().strip() or None,
        )
        network = self.services.network
        return lambda: network.add_place(data)


def _linked_words(count: int) -> str:
    if count == 0:
        return ""
    return " · 1 young person linked" if count == 1 else f" · {count} young people linked"


def reread_link(services: Services, person_id: int, link: LinkView) -> LinkView:
    for each in services.network.links_of(person_id):
        if (each.kind, each.link_id) == (link.kind, link.link_id):
            return each
    raise NotFound("This link is no longer on the case.")
