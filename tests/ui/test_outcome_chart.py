"""The case's wellbeing and risk chart: sizes from the font, every risk label given room."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot

from veru_desk.domain.enums import RiskLevel
from veru_desk.ui.widgets.outcome_chart import _RISK_SHORT, OutcomeChart


def test_the_right_axis_has_room_for_every_risk_label_at_any_text_size(qtbot: QtBot) -> None:
    chart = OutcomeChart()
    qtbot.addWidget(chart)
    for size in (9, 14, 20):  # 20 pt: a large system font, or 150% scaling
        font = QFont(chart.font())
        font.setPointSize(size)
        chart.setFont(font)
        metrics = chart.fontMetrics()
        for label in _RISK_SHORT.values():
            gap = metrics.lineSpacing()  # the label's own width and the gap before it
            assert chart.right_axis_width() >= metrics.horizontalAdvance(label) + gap
        assert chart.sizeHint().height() >= metrics.lineSpacing() * 11


def test_the_values_are_described_for_a_screen_reader(qtbot: QtBot) -> None:
    chart = OutcomeChart()
    qtbot.addWidget(chart)
    chart.set_outcomes(
        [
            SimpleNamespace(
                recorded_on=dt.date(2026, 1, 3), wellbeing=3, risk_level=RiskLevel.HIGH
            ),  # type: ignore[list-item]
            SimpleNamespace(recorded_on=dt.date(2026, 3, 3), wellbeing=6, risk_level=None),  # type: ignore[list-item]
        ]
    )
    assert chart.accessibleDescription() == (
        "Wellbeing: 3 on 03/01/2026, 6 on 03/03/2026. Risk: high on 03/01/2026."
    )
