"""The network diagram on its own, with a network made by hand: where nodes are drawn, what a
click, a double-click and the keyboard do, what hovering tells, and how ended links go."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot
from ui_drivers import shown

from veru_desk.domain.network import Certainty, Network, NetworkEdge, NetworkNode, NodeKind
from veru_desk.ui.widgets.network_diagram import NetworkDiagram, node_lines, without_ended

KAI = NetworkNode(
    NodeKind.CENTRE, 1, "Kai Ó Súilleabháin", "VERU-2026-00001", True, "Active", "High"
)
ZOE = NetworkNode(
    NodeKind.YOUNG_PERSON,
    2,
    "Zoë Brontë (VERU-2026-00002)",
    "VERU-2026-00002",
    True,
    "Allocated",
    "Medium",
)
ON_RECORD = NetworkNode(
    NodeKind.YOUNG_PERSON,
    3,
    "Linked young person: VERU-2026-00003, allocated to Aisha Rahman",
    "VERU-2026-00003",
)
DEAN = NetworkNode(
    NodeKind.CONCERN, 10, "Dean Walsh ('D-Money')", "Person of concern, about 24", True,
    shared_with=3,
)  # fmt: skip
PARK = NetworkNode(NodeKind.PLACE, 20, "Wardown Park", "Park or open space, LU2 7HA", True)


def kai_network() -> Network:
    return Network(
        (KAI, ZOE, ON_RECORD, DEAN, PARK),
        (
            NetworkEdge(0, 1, "Sibling", Certainty.CONFIRMED),
            NetworkEdge(0, 2, "Associate", Certainty.POSSIBLE),
            NetworkEdge(0, 3, "Exploited by", Certainty.LIKELY),
            NetworkEdge(0, 4, "Spends time at", Certainty.LIKELY, ended=True),
            NetworkEdge(3, 4, "Operates from", Certainty.LIKELY),
        ),
    )


def diagram_for(
    qtbot: QtBot, network: Network, size: tuple[int, int] = (900, 600)
) -> NetworkDiagram:
    diagram = shown(qtbot, NetworkDiagram())
    diagram.resize(*size)
    diagram.set_network(network)
    qtbot.waitUntil(lambda: diagram.width() == size[0])
    return diagram


def centre_of(diagram: NetworkDiagram, index: int) -> QPoint:
    return diagram.node_rect(index).center().toPoint()


def test_clicking_a_node_selects_it_and_double_clicking_activates_it(qtbot: QtBot) -> None:
    diagram = diagram_for(qtbot, kai_network())
    with qtbot.waitSignal(diagram.node_selected) as selected:
        qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=centre_of(diagram, 3))
    assert selected.args == [3]
    assert diagram.selected_node() == DEAN

    with qtbot.waitSignal(diagram.node_activated) as activated:
        qtbot.mouseDClick(diagram, Qt.MouseButton.LeftButton, pos=centre_of(diagram, 1))
    assert activated.args == [1]
    assert diagram.selected_index == 1

    # a click on empty space selects nothing new
    corner = QPoint(3, 3)
    assert diagram.node_at(QPointF(corner)) is None
    qtbot.mouseClick(diagram, Qt.MouseButton.LeftButton, pos=corner)
    assert diagram.selected_index == 1


def test_the_layout_is_the_same_every_time_and_keeps_thirty_nodes_apart(qtbot: QtBot) -> None:
    nodes = [KAI] + [
        NetworkNode(kind, i, f"Node {i}", "detail", True)
        for i, kind in zip(
            range(1, 31),
            itertools.cycle((NodeKind.YOUNG_PERSON, NodeKind.CONCERN, NodeKind.PLACE)),
            strict=False,
        )
    ]
    network = Network(
        tuple(nodes),
        tuple(NetworkEdge(0, i, "Associate", Certainty.LIKELY) for i in range(1, 31)),
    )
    diagram = diagram_for(qtbot, network, (1100, 700))
    rects = [diagram.node_rect(i) for i in range(31)]
    again = diagram_for(qtbot, network, (1100, 700))
    assert [again.node_rect(i) for i in range(31)] == rects

    inside = diagram.rect().toRectF()
    assert all(inside.contains(r) for r in rects), "a node is drawn outside the widget"
    overlaps = [
        (a, b) for a, b in itertools.combinations(range(31), 2) if rects[a].intersects(rects[b])
    ]
    assert not overlaps, f"nodes drawn over each other: {overlaps}"
    # kinds sit together round the ring: the young people first, from the top
    assert rects[0].center() == inside.adjusted(0, 0, 0, -diagram._legend_height()).center()


def test_the_picture_scales_with_the_widget(qtbot: QtBot) -> None:
    diagram = diagram_for(qtbot, kai_network(), (600, 420))
    small = diagram.node_rect(3).center() - diagram.node_rect(0).center()
    diagram.resize(1200, 840)
    qtbot.waitUntil(lambda: diagram.width() == 1200)
    large = diagram.node_rect(3).center() - diagram.node_rect(0).center()
    assert abs(large.x()) > abs(small.x()) * 1.5
    assert not diagram.grab().isNull()  # painted at both sizes without error


def test_keyboard_walks_the_nodes_and_enter_opens_the_one_with_focus(qtbot: QtBot) -> None:
    diagram = diagram_for(qtbot, kai_network())
    diagram.setFocus()
    qtbot.waitUntil(diagram.hasFocus)
    assert diagram.selected_index == 0  # focus lands on the young person in the centre
    qtbot.keyClick(diagram, Qt.Key.Key_Right)
    assert diagram.selected_node() == ZOE
    qtbot.keyClick(diagram, Qt.Key.Key_Tab)
    assert diagram.selected_node() == ON_RECORD
    qtbot.keyClick(diagram, Qt.Key.Key_Left)
    qtbot.keyClick(diagram, Qt.Key.Key_Left)
    assert diagram.selected_index == 0
    qtbot.keyClick(diagram, Qt.Key.Key_Left)  # round the ring to the last place
    assert diagram.selected_node() == PARK
    with qtbot.waitSignal(diagram.node_activated) as activated:
        qtbot.keyClick(diagram, Qt.Key.Key_Return)
    assert activated.args == [4]
    assert "Wardown Park" in diagram.accessibleDescription()


def test_a_young_person_on_another_caseload_shows_reference_and_worker_only() -> None:
    lines = node_lines(ON_RECORD)
    assert lines == ["VERU-2026-00003", "allocated to Aisha Rahman", "Not on your caseload"]
    assert node_lines(ZOE) == ["Zoë Brontë", "VERU-2026-00002", "Allocated"]


def test_hovering_tells_the_link_its_certainty_and_what_a_double_click_does(
    qtbot: QtBot,
) -> None:
    diagram = diagram_for(qtbot, kai_network())
    on_record = diagram.tooltip_text(2)
    assert "VERU-2026-00003, allocated to Aisha Rahman" in on_record
    assert "Link: Associate (possible (unverified))" in on_record
    assert "cannot be opened" in on_record
    dean = diagram.tooltip_text(3)
    assert "Also linked to 3 other young people on record" in dean
    assert "Dean Walsh ('D-Money'): operates from Wardown Park" in dean
    park = diagram.tooltip_text(4)
    assert "Link: Spends time at (likely (credible, not confirmed)), ended" in park
    assert "Risk: Medium" in diagram.tooltip_text(1)


def test_without_ended_links_the_places_only_reached_by_them_go(qtbot: QtBot) -> None:
    only_ended = Network(
        (KAI, ZOE, PARK),
        (
            NetworkEdge(0, 1, "Sibling", Certainty.CONFIRMED),
            NetworkEdge(0, 2, "Spends time at", Certainty.LIKELY, ended=True),
        ),
    )
    current = without_ended(only_ended)
    assert current.nodes == (KAI, ZOE)
    assert current.edges == (NetworkEdge(0, 1, "Sibling", Certainty.CONFIRMED),)
    # the park stays while Dean, still current, operates from it
    kept = without_ended(kai_network())
    assert PARK in kept.nodes and all(not e.ended for e in kept.edges)
    diagram = diagram_for(qtbot, kept)
    assert not diagram.grab().isNull()
