"""The frame every page shares: margins, the title, an optional subtitle and the page's main
buttons on the right, so a new page looks like the others by calling one function and a change
to the house look is made once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

#: left, top, right, bottom: the space between a page's edge and its content
PAGE_MARGINS = (24, 18, 24, 12)
PAGE_SPACING = 10


def page_title(text: str = "") -> QLabel:
    """The page's heading (styled by the stylesheet's ``#pageTitle``)."""
    title = QLabel(text)
    title.setObjectName("pageTitle")
    return title


def page_subtitle(text: str = "", *, wrap: bool = True) -> QLabel:
    """A line under a heading: what the page is for, the week or date shown."""
    subtitle = QLabel(text)
    subtitle.setObjectName("pageSubtitle")
    subtitle.setWordWrap(wrap)
    return subtitle


def page_layout(
    page: QWidget,
    *,
    margins: tuple[int, int, int, int] = PAGE_MARGINS,
    spacing: int = PAGE_SPACING,
) -> QVBoxLayout:
    """The page's column at the standard margins, for a page whose heading row is its own
    (the calendar's title shares its row with the week and its buttons)."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    return layout


@dataclass(frozen=True)
class PageFrame:
    """What ``page_frame`` built: the page's layout to add content to, and its labels."""

    layout: QVBoxLayout
    title: QLabel
    subtitle: QLabel | None
    header: QHBoxLayout | None  # the title's row, when the page has buttons beside it


def page_frame(
    page: QWidget,
    title: str,
    *,
    subtitle: str | None = None,
    actions: Sequence[QWidget] = (),
    margins: tuple[int, int, int, int] = PAGE_MARGINS,
    spacing: int = PAGE_SPACING,
) -> PageFrame:
    """Lays out ``page``'s top: the title (with ``actions``, the page's main buttons, on
    the right of it) and under it the subtitle; the page adds its content to ``layout``."""
    layout = page_layout(page, margins=margins, spacing=spacing)
    heading = page_title(title)
    header: QHBoxLayout | None = None
    if actions:
        header = QHBoxLayout()
        header.addWidget(heading, 1)
        for action in actions:
            header.addWidget(action)
        layout.addLayout(header)
    else:
        layout.addWidget(heading)
    below: QLabel | None = None
    if subtitle is not None:
        below = page_subtitle(subtitle)
        layout.addWidget(below)
    return PageFrame(layout, heading, below, header)
