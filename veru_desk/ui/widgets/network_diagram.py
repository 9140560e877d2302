"""The network diagram: the young person in the centre and the young people, persons of
concern and places linked to them, drawn with QPainter.

The picture is the service's ``Network`` and nothing more: what a node says is what the
viewer may read (another worker's young person arrives as a case reference and "allocated to
NAME", never a name), so the diagram cannot show more than the list beside it.

Layout is deterministic, so the same network always looks the same and a caseworker finds
Dean where they saw him yesterday: the linked nodes sit on an ellipse round the centre,
grouped by kind (young people, then persons of concern, then places) in sectors sized by
how many each kind has; when the ring is crowded, neighbours alternate between an inner and
an outer ring so their labels do not collide. Everything is placed from the widget's size.

Nothing is told by colour alone: each kind has its own shape (a rounded box for a young
person, a six-sided badge for a person of concern, an oval for a place), a risk level is a
chip with its words, a "possible" link is dashed and an ended one faded and labelled
"(ended)". The nodes can be reached with Tab and the arrow keys, and Enter opens the one
with focus, as a double-click does.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from veru_desk.domain.enums import RiskLevel
from veru_desk.domain.network import Certainty, Network, NetworkEdge, NetworkNode, NodeKind

#: The order kinds take round the ring (and the order Tab and the arrow keys follow).
_RING_ORDER = (NodeKind.YOUNG_PERSON, NodeKind.CONCERN, NodeKind.PLACE)

_INK = QColor("#1f2a30")
_QUIET_INK = QColor("#5f6368")
_EDGE = QColor("#5b6b75")
_FOCUS = QColor("#1a64b4")
_FILLS = {
    NodeKind.CENTRE: QColor("#e6f2f6"),
    NodeKind.YOUNG_PERSON: QColor("#ffffff"),
    NodeKind.CONCERN: QColor("#fbe9e7"),
    NodeKind.PLACE: QColor("#eef5e9"),
}
_BORDERS = {
    NodeKind.CENTRE: QColor("#134b5f"),
    NodeKind.YOUNG_PERSON: QColor("#134b5f"),
    NodeKind.CONCERN: QColor("#8c2f1b"),
    NodeKind.PLACE: QColor("#3d6b2a"),
}
_NOT_OPEN_FILL = QColor("#f1f3f4")  # someone else's case: on record, not readable here

#: Risk chips: the workspace header's colours, and the level in words on each.
RISK_COLOURS: dict[str, tuple[QColor, QColor]] = {
    RiskLevel.LOW.label: (QColor("#e3f1e6"), QColor("#1e5b2c")),
    RiskLevel.MEDIUM.label: (QColor("#fff4dc"), QColor("#5c4100")),
    RiskLevel.HIGH.label: (QColor("#fde3d3"), QColor("#7a2e00")),
    RiskLevel.VERY_HIGH.label: (QColor("#b3261e"), QColor("#ffffff")),
}
_NO_RISK = (QColor("#eef2f5"), QColor("#3f4e58"))

_NOT_OPEN_PREFIX = "Linked young person: "


def node_lines(node: NetworkNode, *, compact: bool = False) -> list[str]:
    """The words drawn in a node's box, a line each (the risk chip is drawn apart); two
    lines instead of three when the diagram is crowded."""
    if node.kind in (NodeKind.CENTRE, NodeKind.YOUNG_PERSON):
        if not node.can_open:
            on_record = node.label.removeprefix(_NOT_OPEN_PREFIX)
            ref, _, worker = on_record.partition(", ")
            if worker.startswith("not allocated"):
                worker = "Not allocated"
            if compact:
                return [ref, worker or "Not on your caseload"]
            return [ref, worker or "On record", "Not on your caseload"]
        name = node.label
        if node.detail and name.endswith(f" ({node.detail})"):
            name = name[: -len(node.detail) - 3]
        status = node.status or "No open referral"
        return [name, status] if compact else [name, node.detail, status]
    detail = node.detail.removeprefix("Person of concern, ")
    lines = [node.label, detail[:1].upper() + detail[1:]]
    if node.shared_with:
        others = "1 other" if node.shared_with == 1 else f"{node.shared_with} others"
        lines.append(f"Also linked: {others}")
    return [lines[0], lines[-1]] if compact else lines


def kind_words(kind: NodeKind) -> str:
    return {
        NodeKind.CENTRE: "The young person whose case is open",
        NodeKind.YOUNG_PERSON: "Young person on record",
        NodeKind.CONCERN: "Person of concern",
        NodeKind.PLACE: "Place",
    }[kind]


def without_ended(network: Network) -> Network:
    """The network with its ended links taken out, and whoever is left with no current link
    (the centre always stays)."""
    edges = [e for e in network.edges if not e.ended]
    kept = [0, *sorted({i for e in edges for i in (e.source, e.target) if i != 0})]
    new_index = {old: new for new, old in enumerate(kept)}
    return Network(
        tuple(network.nodes[i] for i in kept),
        tuple(
            NetworkEdge(new_index[e.source], new_index[e.target], e.label, e.certainty, e.ended)
            for e in edges
        ),
        as_of=network.as_of,
    )


@functools.lru_cache(maxsize=64)
def _spacing(rx: float, ry: float, width: int, height: int) -> Callable[[float], float]:
    """The angle on the ellipse at a fraction of the way round from the top, measured in
    boxes: round the sides (where boxes stack) a box's height counts as far as its width
    does across the top, so neighbours are equally far from touching all the way round."""
    samples = 720
    angles = [-math.pi / 2 + 2 * math.pi * k / samples for k in range(samples + 1)]
    lengths = [0.0]
    for a, b in itertools.pairwise(angles):
        dx = abs(rx * (math.cos(b) - math.cos(a))) / width
        dy = abs(ry * (math.sin(b) - math.sin(a))) / height
        lengths.append(lengths[-1] + max(dx, dy))
    total = lengths[-1]

    def angle_at(fraction: float) -> float:
        wanted = fraction * total
        k = min(bisect.bisect_left(lengths, wanted), samples)
        return angles[k]

    return angle_at


def _edge_point(rect: QRectF, towards: QPointF) -> QPointF:
    """Where the line from ``rect``'s centre towards ``towards`` leaves ``rect``."""
    centre = rect.center()
    dx, dy = towards.x() - centre.x(), towards.y() - centre.y()
    if dx == 0 and dy == 0:
        return centre
    scale = min(
        rect.width() / 2 / abs(dx) if dx else math.inf,
        rect.height() / 2 / abs(dy) if dy else math.inf,
    )
    scale = min(scale, 1.0)
    return QPointF(centre.x() + dx * scale, centre.y() + dy * scale)


def _overlapping(rects: list[QRectF]) -> bool:
    """Whether any two boxes touch (with a little air between them)."""
    padded = [r.adjusted(-3, -3, 3, 3) for r in rects]
    return any(
        padded[a].intersects(padded[b])
        for a in range(len(padded))
        for b in range(a + 1, len(padded))
    )


class NetworkDiagram(QWidget):
    """Draws a ``Network``; ``node_selected`` on a click (or a node reached by keyboard),
    ``node_activated`` on a double-click or Enter, each with the node's index."""

    node_selected = Signal(int)
    node_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.network: Network | None = None
        self.selected_index: int | None = None
        self._rects: list[QRectF] = []
        self._box = QSize(200, 60)
        self._order: list[int] = []  # node indexes in ring order, the centre first
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(QSize(420, 220))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Network diagram")
        self.setAccessibleDescription("No network loaded yet.")

    # --- the picture -----------------------------------------------------------------------

    def set_network(self, network: Network | None) -> None:
        keep = self.selected_node()
        self.network = network
        self.selected_index = None
        if network is not None and keep is not None:
            self.selected_index = next(
                (
                    i
                    for i, node in enumerate(network.nodes)
                    if (node.kind, node.record_id) == (keep.kind, keep.record_id)
                ),
                None,
            )
        self._layout()
        self._describe()
        self.update()

    def node(self, index: int) -> NetworkNode:
        assert self.network is not None
        return self.network.nodes[index]

    def selected_node(self) -> NetworkNode | None:
        if self.network is None or self.selected_index is None:
            return None
        return self.network.nodes[self.selected_index]

    def node_rect(self, index: int) -> QRectF:
        """Where node ``index`` is drawn, in the widget's coordinates."""
        return QRectF(self._rects[index])

    def node_at(self, point: QPointF) -> int | None:
        """The node under ``point`` (the topmost, as drawn last), or None."""
        for index in reversed(range(len(self._rects))):
            if self._rects[index].contains(point):
                return index
        return None

    def select(self, index: int | None) -> None:
        if index == self.selected_index:
            return
        self.selected_index = index
        self._describe()
        self.update()
        if index is not None:
            self.node_selected.emit(index)

    def tooltip_text(self, index: int) -> str:
        """What hovering a node tells: what it is, how it is linked, what a double-click does."""
        node = self.node(index)
        lines = [kind_words(node.kind)]
        if node.kind in (NodeKind.CENTRE, NodeKind.YOUNG_PERSON) and not node.can_open:
            lines.append(node.label.removeprefix(_NOT_OPEN_PREFIX))
        else:
            lines.append(node.label)
            if node.detail:
                lines.append(node.detail)
        if node.status:
            lines.append(f"Case status: {node.status}")
        if node.risk:
            lines.append(f"Risk: {node.risk}")
        if node.shared_with:
            lines.append(
                "Also linked to "
                + (
                    "1 other young person"
                    if node.shared_with == 1
                    else f"{node.shared_with} other young people"
                )
                + " on record"
            )
        assert self.network is not None
        for edge in self.network.edges:
            if index in (edge.source, edge.target):
                if 0 in (edge.source, edge.target):
                    continue
                source, target = self._short(edge.source), self._short(edge.target)
                ended = " (ended)" if edge.ended else ""
                lines.append(f"{source}: {edge.label.lower()} {target}{ended}")
        for edge in self.network.edges:
            if edge.source == 0 and edge.target == index:
                words = f"Link: {edge.label} ({edge.certainty.label.lower()})"
                lines.append(words + (", ended" if edge.ended else ""))
        lines.append(self._action_words(node))
        return "\n".join(lines)

    def _short(self, index: int) -> str:
        node = self.node(index)
        return node.label.removeprefix(_NOT_OPEN_PREFIX).partition(", ")[0]

    @staticmethod
    def _action_words(node: NetworkNode) -> str:
        if node.kind is NodeKind.CENTRE:
            return "This is the case open now."
        if node.kind is NodeKind.YOUNG_PERSON:
            if node.can_open:
                return "Double-click or press Enter to open their case."
            return "Not on your caseload: their case cannot be opened from here."
        return "Double-click or press Enter to see the details."

    # --- layout ----------------------------------------------------------------------------

    @property
    def compact(self) -> bool:
        """Whether boxes have two lines, not three (a crowded diagram)."""
        return self._box.height() < QFontMetrics(self.font()).lineSpacing() * 3 + 14

    def box_size(self) -> QSize:
        """The size every box is drawn at now (chosen by the layout to fit them all)."""
        return QSize(self._box)

    def _legend_height(self) -> int:
        return QFontMetrics(self.font()).lineSpacing() * 2 + 8

    def _ring_order(self) -> tuple[list[list[int]], list[int]]:
        """The linked nodes grouped by kind, in the order they go round the ring."""
        assert self.network is not None
        nodes = self.network.nodes
        groups = [[i for i, n in enumerate(nodes) if n.kind is kind] for kind in _RING_ORDER]
        # places a person of concern is linked to sit next to the persons of concern
        concerns = set(groups[1])
        near = {
            i
            for e in self.network.edges
            for i in (e.source, e.target)
            if {e.source, e.target} & concerns
        }
        groups[2].sort(key=lambda i: (i not in near, i))
        # and the persons of concern with places last, next to those places
        places = set(groups[2])
        with_places = {
            i
            for e in self.network.edges
            for i in (e.source, e.target)
            if {e.source, e.target} & places and 0 not in (e.source, e.target)
        }
        groups[1].sort(key=lambda i: (i in with_places, i))
        groups = [g for g in groups if g]
        return groups, [i for g in groups for i in g]

    def _layout(self) -> None:
        """Tries the largest boxes on one ring first, then two and three rings, then smaller
        boxes, and keeps the first arrangement where no two boxes touch."""
        self._rects = []
        self._order = []
        if self.network is None:
            return
        groups, ring = self._ring_order()
        self._order = [0, *ring]
        metrics = QFontMetrics(self.font())
        full, compact = metrics.lineSpacing() * 3 + 14, metrics.lineSpacing() * 2 + 12
        widest = min(metrics.averageCharWidth() * 34, max(self.width() // 4, 1))
        narrowest = metrics.averageCharWidth() * 13
        width = max(widest, narrowest)
        rects: list[QRectF] = []
        while True:
            for height in (full, compact):
                for rings in (1, 2, 3, 4):
                    rects = self._arrange(groups, QSize(width, height), rings)
                    if not _overlapping(rects):
                        self._box = QSize(width, height)
                        self._rects = rects
                        return
            if width <= narrowest:
                break
            width = max(int(width * 0.9), narrowest)
        self._box = QSize(width, compact)  # too many for the room: the smallest boxes
        self._rects = rects

    def _arrange(self, groups: list[list[int]], box: QSize, rings: int) -> list[QRectF]:
        assert self.network is not None
        area = QRectF(0, 0, self.width(), self.height() - self._legend_height())
        centre = area.center()
        rx = max(area.width() / 2 - box.width() / 2 - 6, box.width() * 0.8)
        ry = max(area.height() / 2 - box.height() / 2 - 6, box.height() * 1.2)
        scales = {1: (1.0,), 2: (1.0, 0.64), 3: (1.0, 0.74, 0.5), 4: (1.0, 0.8, 0.6, 0.42)}[rings]
        positions: dict[int, QPointF] = {0: centre}
        ring = [i for g in groups for i in g]
        if ring:
            gap = 0.6 if len(groups) > 1 else 0.0  # an empty slot between kinds
            slots = len(ring) + gap * len(groups)
            angle_at = _spacing(rx, ry, box.width(), box.height())
            place = -(len(groups[0]) - 1) / 2  # the first group centred at the top
            n = 0
            for group in groups:
                for index in group:
                    scale = scales[n % rings]
                    angle = angle_at((place / slots) % 1.0)
                    positions[index] = QPointF(
                        centre.x() + rx * scale * math.cos(angle),
                        centre.y() + ry * scale * math.sin(angle),
                    )
                    place += 1
                    n += 1
                place += gap
        rects = []
        for index in range(len(self.network.nodes)):
            rect = QRectF(0, 0, box.width(), box.height())
            rect.moveCenter(positions[index])
            rects.append(rect)
        return rects

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#fbfcfd"))
        if self.network is None or not self._rects:
            painter.end()
            return
        for edge in self.network.edges:
            self._paint_edge_line(painter, edge.source, edge.target, edge.certainty, edge.ended)
        taken = [r.adjusted(-2, -2, 2, 2) for r in self._rects]  # labels never cover a box
        for edge in self.network.edges:
            self._paint_edge_label(painter, edge.source, edge.target, edge.label, edge.ended, taken)
        for index in self._order:
            self._paint_node(painter, index)
        if len(self.network.nodes) == 1:
            painter.setPen(_QUIET_INK)
            below = self._rects[0].translated(0, self._rects[0].height() + 8)
            below.setWidth(self.width())
            below.moveCenter(QPointF(self._rects[0].center().x(), below.center().y()))
            painter.drawText(
                below, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                "No links recorded yet: add one with Add link…",
            )  # fmt: skip
        self._paint_legend(painter)
        painter.end()

    def _paint_edge_line(
        self, painter: QPainter, source: int, target: int, certainty: Certainty, ended: bool
    ) -> None:
        colour = QColor(_EDGE)
        if ended:
            colour.setAlpha(80)
        pen = QPen(colour, 1.6 if certainty is Certainty.CONFIRMED else 1.2)
        if certainty is Certainty.POSSIBLE:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(self._rects[source].center(), self._rects[target].center())

    def _paint_edge_label(
        self,
        painter: QPainter,
        source: int,
        target: int,
        label: str,
        ended: bool,
        taken: list[QRectF],
    ) -> None:
        """The link's words on its line, where they cover no box and no other label: the
        middle of the line's visible part, else a third of the way along either end. A
        label with no free place is left out (the tooltip and the list still say it)."""
        start = _edge_point(self._rects[source], self._rects[target].center())
        end = _edge_point(self._rects[target], self._rects[source].center())
        text = label + (" (ended)" if ended else "")
        font = painter.font()
        small = font.pointSizeF() * 0.85 if font.pointSizeF() > 0 else 8.0
        font.setPointSizeF(small)
        metrics = QFontMetrics(font)
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, self.box_size().width())
        rect = QRectF(metrics.boundingRect(text)).adjusted(-4, -1, 4, 1)
        for share in (0.5, 0.32, 0.68):
            rect.moveCenter(
                QPointF(
                    start.x() + (end.x() - start.x()) * share,
                    start.y() + (end.y() - start.y()) * share,
                )
            )
            if not any(rect.intersects(other) for other in taken):
                break
        else:
            return
        taken.append(QRectF(rect))
        painter.save()
        painter.setFont(font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 230))
        painter.drawRoundedRect(rect, 3, 3)
        painter.setPen(_QUIET_INK if ended else _INK)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def _shape(self, kind: NodeKind, rect: QRectF) -> QPainterPath:
        path = QPainterPath()
        if kind is NodeKind.CONCERN:
            cut = rect.height() / 3
            path.addPolygon(
                QPolygonF(
                    [
                        QPointF(rect.left() + cut, rect.top()),
                        QPointF(rect.right() - cut, rect.top()),
                        QPointF(rect.right(), rect.center().y()),
                        QPointF(rect.right() - cut, rect.bottom()),
                        QPointF(rect.left() + cut, rect.bottom()),
                        QPointF(rect.left(), rect.center().y()),
                    ]
                )
            )
            path.closeSubpath()
        elif kind is NodeKind.PLACE:
            path.addEllipse(rect)
        else:
            path.addRoundedRect(rect, 6, 6)
        return path

    def _paint_node(self, painter: QPainter, index: int) -> None:
        node = self.node(index)
        rect = self._rects[index]
        ended = self._only_ended(index)
        fill = QColor(_FILLS[node.kind])
        border = QColor(_BORDERS[node.kind])
        if node.kind is NodeKind.YOUNG_PERSON and not node.can_open:
            fill = QColor(_NOT_OPEN_FILL)
        if ended:
            border.setAlpha(110)
        path = self._shape(node.kind, rect)
        painter.setBrush(fill)
        width = 2.4 if node.kind is NodeKind.CENTRE else 1.3
        pen = QPen(border, width)
        if node.kind is NodeKind.YOUNG_PERSON and not node.can_open:
            pen.setStyle(Qt.PenStyle.DotLine)
        painter.setPen(pen)
        painter.drawPath(path)
        if index == self.selected_index:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(_FOCUS, 3 if self.hasFocus() else 2))
            painter.drawPath(self._shape(node.kind, rect.adjusted(-4, -4, 4, 4)))

        inset = rect.height() / 3 if node.kind in (NodeKind.CONCERN, NodeKind.PLACE) else 8
        text_rect = rect.adjusted(inset, 5, -inset, -5)
        metrics = QFontMetrics(painter.font())
        lines = node_lines(node, compact=self.compact)
        line_height = metrics.lineSpacing()
        top = text_rect.top() + max((text_rect.height() - line_height * len(lines)) / 2, 0)
        for number, line in enumerate(lines):
            if not line:
                continue
            font = painter.font()
            font.setBold(number == 0)
            painter.save()
            painter.setFont(font)
            line_rect = QRectF(
                text_rect.left(), top + number * line_height, text_rect.width(), line_height
            )
            chip = self._risk_chip(node, number, lines, line_rect, painter)
            shown = QFontMetrics(font).elidedText(
                line, Qt.TextElideMode.ElideRight, int(line_rect.width() - chip)
            )
            painter.setPen(_QUIET_INK if (ended or number > 0) else _INK)
            painter.drawText(
                line_rect.adjusted(0, 0, -chip, 0),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            painter.restore()

    def _risk_chip(
        self, node: NetworkNode, number: int, lines: list[str], line_rect: QRectF, painter: QPainter
    ) -> float:
        """Draws the risk chip at the end of a young person's status line; returns its width."""
        if node.kind not in (NodeKind.CENTRE, NodeKind.YOUNG_PERSON) or not node.can_open:
            return 0.0
        if number != len(lines) - 1:
            return 0.0
        words = f"{node.risk} risk" if node.risk else "Risk not assessed"
        background, ink = RISK_COLOURS.get(node.risk or "", _NO_RISK)
        font = painter.font()
        font.setBold(True)
        metrics = QFontMetrics(font)
        width = min(metrics.horizontalAdvance(words) + 10, line_rect.width() * 0.6)
        words = metrics.elidedText(words, Qt.TextElideMode.ElideRight, int(width - 8))
        chip = QRectF(line_rect.right() - width, line_rect.top() + 1, width, line_rect.height() - 2)
        painter.save()
        painter.setFont(font)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(chip, 4, 4)
        painter.setPen(ink)
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, words)
        painter.restore()
        return width + 4

    def _only_ended(self, index: int) -> bool:
        """A node whose every link to the centre has ended is drawn faded."""
        if index == 0 or self.network is None:
            return False
        touching = [e for e in self.network.edges if index in (e.source, e.target)]
        return bool(touching) and all(e.ended for e in touching)

    def _paint_legend(self, painter: QPainter) -> None:
        metrics = QFontMetrics(painter.font())
        height = metrics.lineSpacing()
        y = self.height() - height - 6
        x = 8.0
        painter.save()
        for kind, words in (
            (NodeKind.YOUNG_PERSON, "Young person"),
            (NodeKind.CONCERN, "Person of concern"),
            (NodeKind.PLACE, "Place"),
        ):
            swatch = QRectF(x, y + 2, height * 1.6, height - 4)
            painter.setBrush(_FILLS[kind])
            painter.setPen(QPen(_BORDERS[kind], 1.2))
            painter.drawPath(self._shape(kind, swatch))
            x += swatch.width() + 4
            painter.setPen(_QUIET_INK)
            painter.drawText(QPointF(x, y + metrics.ascent()), words)
            x += metrics.horizontalAdvance(words) + 14
        for words, style, alpha in (
            ("Possible", Qt.PenStyle.DashLine, 255),
            ("Ended", Qt.PenStyle.SolidLine, 80),
        ):
            colour = QColor(_EDGE)
            colour.setAlpha(alpha)
            painter.setPen(QPen(colour, 1.4, style))
            middle = y + height / 2
            painter.drawLine(QPointF(x, middle), QPointF(x + height * 1.8, middle))
            x += height * 1.8 + 4
            painter.setPen(_QUIET_INK)
            painter.drawText(QPointF(x, y + metrics.ascent()), words)
            x += metrics.horizontalAdvance(words) + 14
        painter.restore()

    # --- mouse, keyboard, tooltips ---------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.node_at(event.position())
            if index is not None:
                self.select(index)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        index = self.node_at(event.position())
        if index is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(index)
            self.node_activated.emit(index)
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = self.node_at(event.position()) is not None
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.node_at(QPointF(event.pos()))
            if index is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_text(index), self)
            return True
        return super().event(event)

    def _step(self, delta: int) -> bool:
        """Moves the selection along the ring; False at either end (focus may leave)."""
        if not self._order:
            return False
        if self.selected_index is None:
            self.select(self._order[0] if delta > 0 else self._order[-1])
            return True
        position = self._order.index(self.selected_index) + delta
        if not 0 <= position < len(self._order):
            return False
        self.select(self._order[position])
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down):
            if not self._step(1) and self._order:
                self.select(self._order[0])  # arrows go round the ring
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Up):
            if not self._step(-1) and self._order:
                self.select(self._order[-1])
            return
        if key == Qt.Key.Key_Home and self._order:
            self.select(0)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            if self.selected_index is not None:
                self.node_activated.emit(self.selected_index)
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab walks the nodes, then leaves the diagram after the last (Shift+Tab the first)."""
        if self.hasFocus() and self._step(1 if next else -1):
            return True
        return super().focusNextPrevChild(next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self.selected_index is None and self._order:
            self.select(0)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def _describe(self) -> None:
        """The diagram in words, for a screen reader (and the selected node)."""
        if self.network is None:
            self.setAccessibleDescription("No network loaded yet.")
            return
        nodes = self.network.nodes
        counts = {kind: sum(1 for n in nodes if n.kind is kind) for kind in _RING_ORDER}
        words = (
            f"{nodes[0].label} in the centre, linked to {counts[NodeKind.YOUNG_PERSON]} young "
            f"people, {counts[NodeKind.CONCERN]} persons of concern and "
            f"{counts[NodeKind.PLACE]} places."
        )
        node = self.selected_node()
        if node is not None and self.selected_index is not None:
            words += " Selected: " + self.tooltip_text(self.selected_index).replace("\n", "; ")
        self.setAccessibleDescription(words)
