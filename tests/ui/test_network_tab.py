"""The case's Network tab driven as Dariusz uses it: the list of links read from his case's
side, what it shares with others on record, the diagram (click, double-click, what opens),
adding, changing and ending links through the dialogs; and what he may not see of a young
person on Aisha's caseload, in the list, the diagram's words and its tooltips."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, open_case_for, shown, type_into

from tests.conftest import Team
from tests.dates import today
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.network import (
    Certainty,
    ConcernInput,
    ConcernLinkType,
    InfoSource,
    LinkInput,
    LinkKind,
    NodeKind,
    PersonLinkType,
    PlaceInput,
    PlaceKind,
    PlaceLinkType,
)
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.ui.case.network import NetworkTab, RecordDetailsDialog
from veru_desk.ui.case.workspace import CaseWorkspace
from veru_desk.ui.widgets.network_diagram import node_lines


def user_id(actor: Actor) -> int:
    assert actor.user_id is not None
    return actor.user_id


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def link(link_type: Any, certainty: Certainty = Certainty.LIKELY, since: int = 60) -> LinkInput:
    return LinkInput(link_type, InfoSource.POLICE, certainty, since_on=days_ago(since))


def choose(combo: Any, label: str) -> None:
    index = combo.findText(label)
    assert index >= 0, f"{label!r} not in {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)


def choose_starting(combo: Any, start: str) -> None:
    for i in range(combo.count()):
        if combo.itemText(i).startswith(start):
            combo.setCurrentIndex(i)
            return
    raise AssertionError(f"nothing starting {start!r} in the list")


def cells(tab: NetworkTab, column: int) -> list[str]:
    model = tab.table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tab_for(qtbot: QtBot, services: Services, person_id: int) -> NetworkTab:
    tab = shown(qtbot, NetworkTab(services, person_id))
    tab.resize(1200, 800)
    tab.refresh()
    return tab


def node_index(tab: NetworkTab, kind: NodeKind, record_id: int) -> int:
    network = tab.diagram.network
    assert network is not None
    return next(
        i for i, n in enumerate(network.nodes) if (n.kind, n.record_id) == (kind, record_id)
    )


def double_click_node(qtbot: QtBot, tab: NetworkTab, index: int) -> None:
    point = tab.diagram.node_rect(index).center().toPoint()
    qtbot.mouseDClick(tab.diagram, Qt.MouseButton.LeftButton, pos=point)


@pytest.fixture
def kai(as_manager: Services, team: Team) -> int:
    """Kai, on Dariusz's caseload."""
    return open_case_for(
        as_manager, user_id(team.dariusz), first_name="Kai", last_name="Ó Súilleabháin"
    )


@pytest.fixture
def chiamaka(as_manager: Services, team: Team) -> int:
    """Chiamaka, on Aisha's caseload: Dariusz may not read her name."""
    return open_case_for(
        as_manager, user_id(team.aisha), first_name="Chiamaka", last_name="Okonkwo"
    )


@pytest.fixture
def zoe(as_manager: Services, team: Team) -> int:
    """Zoë, also on Dariusz's caseload."""
    return open_case_for(as_manager, user_id(team.dariusz), first_name="Zoë", last_name="Brontë")


@pytest.fixture
def dean(as_manager: Services) -> int:
    return as_manager.network.add_concern(
        ConcernInput("Dean Walsh", "D-Money", 24, "Drives a grey Audi")
    )


def test_a_caseworker_sees_another_workers_young_person_by_reference_only(
    qtbot: QtBot,
    as_manager: Services,
    as_dariusz: Services,
    kai: int,
    chiamaka: int,
    dean: int,
    dialogs: DialogDriver,
) -> None:
    net = as_manager.network
    net.link_person(chiamaka, kai, link(PersonLinkType.HARMED_BY, Certainty.POSSIBLE))
    net.link_concern(kai, dean, link(ConcernLinkType.EXPLOITED_BY))
    net.link_concern(chiamaka, dean, link(ConcernLinkType.OWES_DEBT_TO))
    chiamaka_ref = as_manager.people.get(chiamaka).case_ref

    tab = tab_for(qtbot, as_dariusz, kai)
    on_record = f"Linked young person: {chiamaka_ref}, allocated to Aisha Mohamed"
    assert cells(tab, 1) == [on_record, "Dean Walsh ('D-Money')"]
    assert cells(tab, 2) == ["Has harmed", "Exploited by"]  # read from Kai's side
    assert tab.shared.text() == (
        "• Linked to Dean Walsh ('D-Money') (person of concern), as is 1 other young person."
    )

    network = tab.diagram.network
    assert network is not None and len(network.nodes) == 3
    words = [
        " ".join(node_lines(node)) + tab.diagram.tooltip_text(i)
        for i, node in enumerate(network.nodes)
    ]
    words += [tab.diagram.accessibleDescription(), tab.summary.text(), tab.shared.text()]
    for text in words + cells(tab, 1):
        assert "Chiamaka" not in text and "Okonkwo" not in text, text
    other = node_index(tab, NodeKind.YOUNG_PERSON, chiamaka)
    assert node_lines(network.nodes[other])[:2] == [chiamaka_ref, "allocated to Aisha Mohamed"]

    # a double-click on her says so and opens nothing
    with qtbot.assertNotEmitted(tab.open_case):
        double_click_node(qtbot, tab, other)
    assert "not on your caseload" in tab.node_info.text()
    assert chiamaka_ref in tab.node_info.text()

    # Dean's details list her by reference and worker only
    seen: list[str] = []

    def read(dialog: Any) -> None:
        assert isinstance(dialog, RecordDetailsDialog)
        seen.extend(dialog.people.item(i).text() for i in range(dialog.people.count()))
        seen.append(dialog.details.text())
        dialog.accept()

    dialogs.then(read)
    double_click_node(qtbot, tab, node_index(tab, NodeKind.CONCERN, dean))
    assert any(line.startswith(f"{chiamaka_ref}, allocated to Aisha Mohamed") for line in seen)
    assert any(line.startswith("Kai Ó Súilleabháin") for line in seen)
    assert "Drives a grey Audi" in seen[-1]
    assert not any("Chiamaka" in line for line in seen)


def test_double_clicking_a_young_person_on_ones_caseload_opens_their_case(
    qtbot: QtBot, as_dariusz: Services, kai: int, zoe: int
) -> None:
    as_dariusz.network.link_person(kai, zoe, link(PersonLinkType.SIBLING, Certainty.CONFIRMED))
    tab = tab_for(qtbot, as_dariusz, kai)
    index = node_index(tab, NodeKind.YOUNG_PERSON, zoe)
    node = tab.diagram.node(index)
    assert node.can_open and node_lines(node)[0] == "Zoë Brontë"

    qtbot.mouseClick(
        tab.diagram,
        Qt.MouseButton.LeftButton,
        pos=tab.diagram.node_rect(index).center().toPoint(),
    )
    assert tab.diagram.selected_index == index
    selected = tab.selected_link()
    assert selected is not None and selected.other_id == zoe
    assert "Double-click or press Enter to open their case" in tab.node_info.text()

    with qtbot.waitSignal(tab.open_case) as opened:
        double_click_node(qtbot, tab, index)
    assert opened.args == [zoe]

    # the keyboard does the same: Enter on the node with focus
    with qtbot.waitSignal(tab.open_case) as opened:
        tab.diagram.setFocus()
        qtbot.keyClick(tab.diagram, Qt.Key.Key_Return)
    assert opened.args == [zoe]


def test_a_new_place_added_through_the_link_dialog_reaches_the_database(
    qtbot: QtBot, as_dariusz: Services, kai: int, dialogs: DialogDriver
) -> None:
    tab = tab_for(qtbot, as_dariusz, kai)
    assert tab.summary.text().startswith("No links recorded yet")
    assert not tab.change_button.isEnabled() and not tab.end_button.isEnabled()

    def new_place(dialog: Any) -> None:
        type_into(qtbot, dialog.postcode, "LU2 7HA")
        choose(dialog.place_kind, "Park or open space")
        click(qtbot, dialog.save_button)

    def fill(dialog: Any) -> None:
        choose(dialog.kind, "A place")
        type_into(qtbot, dialog.find_text, "Wardown Park")
        click(qtbot, dialog.new_button)  # opens the new place form, named as typed
        assert dialog.other.currentText().startswith("Wardown Park (LU2 7HA)")
        choose(dialog.link_type, "Spends time at")
        type_into(qtbot, dialog.since_on, format_uk_date(days_ago(30)))
        choose(dialog.source, "The young person (self-report)")
        click(qtbot, dialog.save_button)  # refused: how sure is not chosen
        assert "how sure" in dialog.errors.message("certainty")
        choose_starting(dialog.certainty, "Confirmed")
        type_into(qtbot, dialog.note, "Meets friends by the bandstand after school")
        click(qtbot, dialog.save_button)

    dialogs.then(fill).then(new_place)
    click(qtbot, tab.add_button)
    tab.refresh()  # the workspace re-reads its tabs on a change (tested there)

    [saved] = as_dariusz.network.links_of(kai)
    assert (saved.kind, saved.link_type, saved.certainty) == (
        LinkKind.PLACE,
        PlaceLinkType.FREQUENTS,
        Certainty.CONFIRMED,
    )
    assert (saved.since_on, saved.source) == (days_ago(30), InfoSource.SELF_REPORT)
    assert saved.note == "Meets friends by the bandstand after school"
    assert cells(tab, 1) == ["Wardown Park (LU2 7HA)"]
    network = tab.diagram.network
    assert network is not None and [n.label for n in network.nodes[1:]] == ["Wardown Park"]


def test_linking_a_young_person_on_another_caseload_found_by_case_reference(
    qtbot: QtBot,
    as_manager: Services,
    as_dariusz: Services,
    kai: int,
    chiamaka: int,
    dialogs: DialogDriver,
) -> None:
    chiamaka_ref = as_manager.people.get(chiamaka).case_ref
    tab = tab_for(qtbot, as_dariusz, kai)

    def fill(dialog: Any) -> None:
        choose(dialog.kind, "Another young person on record")
        type_into(qtbot, dialog.find_text, chiamaka_ref)
        click(qtbot, dialog.find_button)
        assert dialog.other.currentText() == f"{chiamaka_ref}, allocated to Aisha Mohamed"
        choose(dialog.link_type, "Co-offender")
        choose(dialog.source, "Police")
        choose_starting(dialog.certainty, "Likely")
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, tab.add_button)
    tab.refresh()

    [saved] = as_dariusz.network.links_of(kai)
    assert (saved.other_id, saved.link_type, saved.can_open) == (
        chiamaka,
        PersonLinkType.CO_OFFENDER,
        False,
    )
    assert cells(tab, 1) == [f"Linked young person: {chiamaka_ref}, allocated to Aisha Mohamed"]


def test_ending_a_link_shows_it_as_ended_and_show_ended_hides_it(
    qtbot: QtBot, as_dariusz: Services, kai: int, dialogs: DialogDriver
) -> None:
    net = as_dariusz.network
    park = net.add_place(PlaceInput("Wardown Park", PlaceKind.PARK, "LU2 7HA"))
    station = net.add_place(PlaceInput("Luton station", PlaceKind.STATION))
    net.link_place(kai, park, link(PlaceLinkType.FREQUENTS))
    net.link_place(kai, station, link(PlaceLinkType.EXPLOITED_AT, Certainty.POSSIBLE))
    tab = tab_for(qtbot, as_dariusz, kai)
    assert cells(tab, 1) == ["Luton station", "Wardown Park (LU2 7HA)"]
    tab.table.selectRow(1)
    selected, node = tab.selected_link(), tab.diagram.selected_node()
    assert selected is not None and selected.other_id == park
    assert node is not None and node.record_id == park  # the diagram follows the list

    def end(dialog: Any) -> None:
        dialog.until_on.clear()
        type_into(qtbot, dialog.until_on, format_uk_date(days_ago(1)))
        click(qtbot, dialog.save_button)

    dialogs.then(end)
    click(qtbot, tab.end_button)
    tab.refresh()

    ended = next(v for v in net.links_of(kai) if v.other_id == park)
    assert ended.until_on == days_ago(1) and ended.ended
    assert cells(tab, 2) == ["Exploited at", "Spends time at (ended)"]
    assert cells(tab, 4) == ["", format_uk_date(days_ago(1))]
    assert tab.summary.text() == (
        "1 current link: 0 young people, 0 persons of concern, 1 place; 1 ended."
    )
    tab.table.selectRow(1)
    assert not tab.end_button.isEnabled() and tab.change_button.isEnabled()
    network = tab.diagram.network
    assert network is not None
    assert [e.ended for e in network.edges] == [False, True]
    park_index = node_index(tab, NodeKind.PLACE, park)
    assert "ended" in tab.diagram.tooltip_text(park_index)

    tab.show_ended.setChecked(False)
    assert cells(tab, 1) == ["Luton station"]
    network = tab.diagram.network
    assert network is not None and [n.label for n in network.nodes[1:]] == ["Luton station"]


def test_changing_a_link_saves_the_new_type_and_certainty(
    qtbot: QtBot,
    as_manager: Services,
    as_dariusz: Services,
    kai: int,
    dean: int,
    dialogs: DialogDriver,
) -> None:
    # the manager links Dean, whom she recorded, to Kai: Dariusz may then see and change it
    as_manager.network.link_concern(kai, dean, link(ConcernLinkType.SEEN_WITH, Certainty.POSSIBLE))
    tab = tab_for(qtbot, as_dariusz, kai)
    tab.table.selectRow(0)

    def change(dialog: Any) -> None:
        assert dialog.other_fixed.text() == "A person of concern: Dean Walsh ('D-Money')"
        assert dialog.link_type.currentText() == "Seen with"
        choose(dialog.link_type, "Exploited by")
        choose_starting(dialog.certainty, "Confirmed")
        click(qtbot, dialog.save_button)

    dialogs.then(change)
    click(qtbot, tab.change_button)
    tab.refresh()
    [saved] = as_dariusz.network.links_of(kai)
    assert (saved.link_type, saved.certainty) == (
        ConcernLinkType.EXPLOITED_BY,
        Certainty.CONFIRMED,
    )
    assert cells(tab, 6) == ["Confirmed"]


def test_the_workspace_has_the_network_tab_and_passes_on_a_case_to_open(
    qtbot: QtBot, as_dariusz: Services, kai: int, zoe: int
) -> None:
    as_dariusz.network.link_person(kai, zoe, link(PersonLinkType.FRIEND))
    workspace = shown(qtbot, CaseWorkspace(as_dariusz, kai))
    workspace.resize(1280, 720)
    assert workspace.network_tab.diagram.network is None  # read only when first shown
    workspace.tabs.setCurrentWidget(workspace.network_tab)
    assert workspace.tabs.tabText(workspace.tabs.currentIndex()) == "Net&work"
    tab = workspace.network_tab
    assert cells(tab, 1) == ["Zoë Brontë (" + as_dariusz.people.get(zoe).case_ref + ")"]
    with qtbot.waitSignal(workspace.open_case) as opened:
        double_click_node(qtbot, tab, node_index(tab, NodeKind.YOUNG_PERSON, zoe))
    assert opened.args == [zoe]
