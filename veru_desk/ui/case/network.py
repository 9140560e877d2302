"""A case's network: who and where around the young person, as a list and as a diagram.

The list shows each link read from this case's side, with its dates, where the information
came from and how sure the unit is; ended links stay, greyed, unless "Show ended links" is
unticked. Under it, the people and places this young person shares with others on record
("Linked to Dean 'D-Money' (person of concern), as are 3 other young people"), and the
diagram. Everything shown is what the service lets this viewer read: another worker's young
person appears as a case reference and "allocated to NAME", in the list, the diagram, its
tooltips and the details of a person of concern alike.

Opening from the diagram: a young person's case the viewer may open asks the main window to
open it (``open_case``); a person of concern or a place shows its details and who is linked
to it; a young person on someone else's caseload only says so.
"""

from __future__ import annotations

from typing import ClassVar

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.network import LinkKind, LinkView, NetworkNode, NodeKind
from veru_desk.services import Services
from veru_desk.services.changes import Kind
from veru_desk.services.network import LinkedYoungPerson, NetworkPicture
from veru_desk.ui.case.tab import CaseTab, button_row
from veru_desk.ui.dialogs.link import EndLinkDialog, LinkDialog
from veru_desk.ui.shell.tasks import run_task
from veru_desk.ui.widgets.feedback import show_error
from veru_desk.ui.widgets.kit import dialog_buttons, fit_to_screen
from veru_desk.ui.widgets.network_diagram import NetworkDiagram, kind_words, without_ended
from veru_desk.ui.widgets.record_table import Column, RecordTable, RecordTableModel

_KIND_WORDS = {
    LinkKind.PERSON: "Young person",
    LinkKind.CONCERN: "Person of concern",
    LinkKind.PLACE: "Place",
}
_NODE_KINDS = {
    LinkKind.PERSON: NodeKind.YOUNG_PERSON,
    LinkKind.CONCERN: NodeKind.CONCERN,
    LinkKind.PLACE: NodeKind.PLACE,
}


def _ended(link: LinkView) -> bool:
    return link.ended


def _short_certainty(link: LinkView) -> str:
    return link.certainty.label.split(" (")[0]


LINK_COLUMNS = [
    Column("Kind", lambda v: _KIND_WORDS[v.kind], quiet=_ended),
    Column("Who or where", lambda v: v.other_label, tooltip=lambda v: v.other_label, quiet=_ended),
    Column(
        "Link",
        lambda v: v.link_label + (" (ended)" if v.ended else ""),
        tooltip=lambda v: v.note or "",
        quiet=_ended,
    ),
    Column("Since", lambda v: format_uk_date(v.since_on) or "Not known", quiet=_ended),
    Column("Until", lambda v: format_uk_date(v.until_on), quiet=_ended),
    Column("Source", lambda v: v.source.label, quiet=_ended),
    Column(
        "How sure",
        _short_certainty,
        tooltip=lambda v: v.certainty.label,
        quiet=_ended,
    ),
]


class NetworkTab(CaseTab):
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.NETWORK})

    #: Asks the main window to open a linked young person's case (the viewer may open it).
    open_case = Signal(int)

    def __init__(self, services: Services, person_id: int, parent: QWidget | None = None) -> None:
        super().__init__(services, person_id, parent)
        self.picture: NetworkPicture | None = None
        may_change = services.actor.has_case_role

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Network summary")
        self.add_button = QPushButton("Add link…")
        self.add_button.clicked.connect(self.add_link)
        self.add_button.setEnabled(may_change)
        self.change_button = QPushButton("Change…")
        self.change_button.clicked.connect(self.change_selected)
        self.end_button = QPushButton("End link…")
        self.end_button.clicked.connect(self.end_selected)
        self.show_ended = QCheckBox("Show ended links")
        self.show_ended.setChecked(True)
        self.show_ended.toggled.connect(self._show_picture)

        self.model = RecordTableModel(LINK_COLUMNS, self)
        self.table = RecordTable(self.model, "Network links", stretch_column=1)
        self.table.doubleClicked.connect(self.change_selected)
        self.table.selectionModel().selectionChanged.connect(self._row_selected)
        # three links in view however little room the diagram leaves (1280x720)
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + rows * 3)

        self.shared_heading = QLabel("Shared with others on record")
        self.shared_heading.setObjectName("sectionHeading")
        self.shared = QLabel()
        self.shared.setWordWrap(True)
        self.shared.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.shared.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shared.setAccessibleName("Shared with others on record")
        self.selected_heading = QLabel("Selected in the diagram")
        self.selected_heading.setObjectName("sectionHeading")
        self.node_info = QLabel()
        self.node_info.setWordWrap(True)
        self.node_info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.node_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.node_info.setAccessibleName("Selected in the diagram")

        self.diagram = NetworkDiagram()
        self.diagram.node_selected.connect(self._node_selected)
        self.diagram.node_activated.connect(self.open_node)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.shared_heading)
        side_layout.addWidget(self.shared)
        side_layout.addSpacing(8)
        side_layout.addWidget(self.selected_heading)
        side_layout.addWidget(self.node_info)
        side_layout.addStretch(1)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.diagram)
        lower.addWidget(side)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 1)
        lower.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([220, 600])  # the diagram gets the room; the list scrolls
        lower.setSizes([750, 250])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(
            button_row(self.add_button, self.change_button, self.end_button, self.show_ended)  # type: ignore[arg-type]  # a check box flows with the buttons
        )
        layout.addWidget(splitter, 1)
        self._row_selected()

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        network, person_id = self.services.network, self.person_id
        self.load("Loading the network", lambda: network.picture(person_id), self.show_picture)

    def show_picture(self, picture: NetworkPicture) -> None:
        self.picture = picture
        self._show_picture()

    def _show_picture(self) -> None:
        picture = self.picture
        if picture is None:
            return
        show_ended = self.show_ended.isChecked()
        links = picture.links if show_ended else [v for v in picture.links if not v.ended]
        self.model.set_rows(links)
        self.diagram.set_network(picture.network if show_ended else without_ended(picture.network))
        current = [v for v in picture.links if not v.ended]
        ended = len(picture.links) - len(current)
        if not picture.links:
            self.summary.setText(
                "No links recorded yet. Add the young people, persons of concern and places "
                "around this young person with Add link…."
            )
        else:
            counts = {kind: sum(1 for v in current if v.kind is kind) for kind in LinkKind}
            self.summary.setText(
                f"{len(current)} current link{'s' if len(current) != 1 else ''}: "
                f"{counts[LinkKind.PERSON]} young "
                f"{'person' if counts[LinkKind.PERSON] == 1 else 'people'}, "
                f"{counts[LinkKind.CONCERN]} "
                f"{'person' if counts[LinkKind.CONCERN] == 1 else 'persons'} of concern, "
                f"{counts[LinkKind.PLACE]} place{'s' if counts[LinkKind.PLACE] != 1 else ''}"
                + (f"; {ended} ended." if ended else ".")
            )
        if picture.shared:
            self.shared.setText("\n".join(f"• {s.text}." for s in picture.shared))
        else:
            self.shared.setText(
                "No person of concern or place linked now is shared with another young person "
                "on record."
            )
        self._row_selected()
        self._node_selected()

    # --- the list and the diagram, kept together -----------------------------------------

    def selected_link(self) -> LinkView | None:
        link: LinkView | None = self.table.selected()
        return link

    def _row_selected(self, *_args: object) -> None:
        link = self.selected_link()
        may_change = self.services.actor.has_case_role
        self.change_button.setEnabled(may_change and link is not None)
        self.end_button.setEnabled(may_change and link is not None and link.until_on is None)
        if link is None or self.diagram.network is None:
            return
        wanted = (_NODE_KINDS[link.kind], link.other_id)
        for index, node in enumerate(self.diagram.network.nodes):
            if (node.kind, node.record_id) == wanted:
                self.diagram.select(index)
                return

    def _node_selected(self, *_args: object) -> None:
        node = self.diagram.selected_node()
        if node is None or self.diagram.selected_index is None:
            self.node_info.setText("Click a person or place in the diagram to see it here.")
            return
        self.node_info.setText(self.diagram.tooltip_text(self.diagram.selected_index))
        if node.kind is NodeKind.CENTRE:
            return
        for row, link in enumerate(self.model.rows()):
            if (_NODE_KINDS[link.kind], link.other_id) == (node.kind, node.record_id):
                if self.table.selected() is not link:
                    self.table.selectRow(row)
                return

    def open_node(self, index: int) -> QDialog | None:
        """What a double-click or Enter on a node opens (see the module's docstring)."""
        node = self.diagram.node(index)
        if node.kind is NodeKind.CENTRE:
            self.node_info.setText(f"{node.label}: this is the case open now.")
            return None
        if node.kind is NodeKind.YOUNG_PERSON:
            if node.can_open:
                self.open_case.emit(node.record_id)
            else:
                on_record = node.label.removeprefix("Linked young person: ")
                self.node_info.setText(
                    f"{on_record}. This young person is not on your caseload, so their case "
                    "cannot be opened here: ask their caseworker or a manager."
                )
            return None
        dialog = RecordDetailsDialog(self.services, node, self)
        dialog.open_case.connect(self.open_case)
        dialog.exec()
        return dialog

    # --- changing --------------------------------------------------------------------------

    def add_link(self) -> None:
        LinkDialog(self.services, self.person_id, parent=self).exec()

    def change_selected(self) -> None:
        link = self.selected_link()
        if link is not None:
            LinkDialog(self.services, self.person_id, link, parent=self).exec()

    def end_selected(self) -> None:
        link = self.selected_link()
        if link is not None and link.until_on is None:
            EndLinkDialog(self.services, self.person_id, link, parent=self).exec()


class RecordDetailsDialog(QDialog):
    """A person of concern or a place: what is recorded, and the young people linked to it
    (the viewer's own cases by name, others by case reference and worker only)."""

    open_case = Signal(int)

    def __init__(
        self, services: Services, node: NetworkNode, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.node = node
        self.setWindowTitle(f"{kind_words(node.kind)}: {node.label}")
        self.details = QLabel(f"{node.label}\n{node.detail}")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAccessibleName("Details")
        heading = QLabel("Young people linked")
        heading.setObjectName("sectionHeading")
        self.people = QListWidget()
        self.people.setAccessibleName("Young people linked")
        self.people.itemActivated.connect(self._open_person)
        self.hint = QLabel()
        self.hint.setObjectName("quiet")
        self.hint.setWordWrap(True)
        buttons = dialog_buttons("Close", reject=None, on_accept=self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.details)
        layout.addWidget(heading)
        layout.addWidget(self.people, 1)
        layout.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(buttons)
        layout.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self._read()

    def _read(self) -> None:
        network, node = self.services.network, self.node

        def read() -> tuple[str, list[LinkedYoungPerson]]:
            if node.kind is NodeKind.CONCERN:
                concern = network.get_concern(node.record_id)
                age = (
                    f"about {concern.approximate_age}"
                    if concern.approximate_age is not None
                    else "age not known"
                )
                text = f"{concern.label}, {age}"
                if concern.description:
                    text += f"\n{concern.description}"
            else:
                place = network.get_place(node.record_id)
                text = f"{place.label}\n{place.kind.label}"
                if place.description:
                    text += f"\n{place.description}"
            kind = NodeKind.CONCERN if node.kind is NodeKind.CONCERN else NodeKind.PLACE
            return text, network.linked_young_people(kind, node.record_id)

        def shown(result: tuple[str, list[LinkedYoungPerson]]) -> None:
            if shiboken6.isValid(self):
                self.show_details(*result)

        run_task(
            self,
            "Loading the details",
            lambda _progress: read(),
            shown,
            lambda error: show_error(self, error),
            cancellable=False,
            show_progress=False,
        )

    def show_details(self, text: str, people: list[LinkedYoungPerson]) -> None:
        self.details.setText(text)
        self.people.clear()
        for person in people:
            words = f"{person.label}: {person.link_label.lower()}"
            if person.since_on:
                words += f", since {format_uk_date(person.since_on)}"
            if person.until_on:
                words += f", until {format_uk_date(person.until_on)}"
            item = QListWidgetItem(words)
            item.setData(Qt.ItemDataRole.UserRole, person.person_id if person.can_open else None)
            if not person.can_open:
                item.setForeground(Qt.GlobalColor.darkGray)
                item.setToolTip("Not on your caseload: shown by case reference and worker only")
            self.people.addItem(item)
        self.hint.setText(
            "Double-click one of your young people to open their case."
            if any(p.can_open for p in people)
            else ""
        )
        fit_to_screen(self)

    def _open_person(self, item: QListWidgetItem) -> None:
        person_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(person_id, int):
            self.open_case.emit(person_id)
            self.accept()
