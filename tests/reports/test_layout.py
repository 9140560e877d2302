"""Layout helpers (#17): headings kept with what they introduce, long tables continued
under their header and a "(continued)" caption, in the same columns on every page."""

from __future__ import annotations

import io
from typing import Any

import pypdf
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from veru_desk.reports.styles import (
    BODY,
    BOTTOM_MARGIN,
    CONTENT_WIDTH,
    HEADING,
    MUTED_SMALL,
    PAGE_SIZE,
    TOP_MARGIN,
    KeepWithNext,
    build_marked_pdf,
    data_table,
    heading,
    para,
)

FRAME_HEIGHT = PAGE_SIZE[1] - TOP_MARGIN - BOTTOM_MARGIN
HEADER = ["Date", "Worker", "What happened"]
WIDTHS = [26 * mm, 40 * mm, CONTENT_WIDTH - 66 * mm]
WORKERS = ["Aoife Ní Bhriain", "Oluwaseun Adeyemi", "Zoë Çelik", "Łukasz Wiśniewski"]


def _rows(count: int) -> list[list[str]]:
    return [
        [
            f"{1 + n % 28:02d}/0{1 + n % 9}/2026",
            WORKERS[n % len(WORKERS)],
            f"Session {n + 1}: talked through the week at school and the plan for the next.",
        ]
        for n in range(count)
    ]


def _build(story: list[Any]) -> pypdf.PdfReader:
    target = io.BytesIO()
    build_marked_pdf(
        target, story, title="Layout", author="VERU", subject="Test", marking="OFFICIAL"
    )
    target.seek(0)
    return pypdf.PdfReader(target)


def _placed(page: pypdf.PageObject) -> list[tuple[float, float, str]]:
    """(x, y, text) of every piece of text the page draws, top of the page first."""
    found: list[tuple[float, float, str]] = []

    def visit(drawn: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if drawn.strip():
            found.append((round(cm[4] + tm[4], 1), round(cm[5] + tm[5], 1), drawn.strip()))

    page.extract_text(visitor_text=visit)
    return sorted(found, key=lambda item: -item[1])


def test_a_long_table_repeats_its_header_and_says_continued_on_every_page() -> None:
    table = data_table(HEADER, _rows(160), WIDTHS, caption="Sessions")
    reader = _build([*heading("Sessions", then=table)])
    assert len(reader.pages) >= 3
    header_places: list[list[tuple[float, str]]] = []
    for number, page in enumerate(reader.pages):
        placed = _placed(page)
        texts = [text for _, _, text in placed]
        for label in HEADER:
            assert label in texts, f"page {number + 1} has no {label!r} header"
        header_places.append([(x, text) for x, _, text in placed if text in HEADER])
        if number == 0:
            assert "Sessions (continued)" not in texts
            continue
        # The caption is the first thing under the marking, above the repeated header.
        body = [text for _, y, text in placed if text != "OFFICIAL"]
        assert body[0] == "Sessions (continued)", body[:3]
        assert body[1:4] == HEADER
    # Same columns in the same place on every page: the continued table does not shift.
    assert all(places == header_places[0] for places in header_places)
    printed = "\n".join(page.extract_text() for page in reader.pages)
    assert "Session 160:" in printed and "Session 1:" in printed


def test_a_table_without_a_caption_still_says_it_is_continued() -> None:
    reader = _build([data_table(HEADER, _rows(90), WIDTHS)])
    assert len(reader.pages) >= 2
    for page in reader.pages[1:]:
        assert "(continued from the previous page)" in page.extract_text()


def _page_of(reader: pypdf.PdfReader, text: str) -> int:
    return next(n for n, page in enumerate(reader.pages) if text in page.extract_text())


def test_a_heading_never_ends_a_page_it_moves_with_the_first_rows() -> None:
    # Room at the foot of page 1 for the heading but not for it and a row.
    filler = Spacer(1, FRAME_HEIGHT - 16 * mm)
    table = data_table(HEADER, _rows(30), WIDTHS)
    reader = _build([filler, *heading("Sessions and attendance", then=table)])
    page = _page_of(reader, "Sessions and attendance")
    assert page == 1
    texts = [text for _, _, text in _placed(reader.pages[page])]
    first_row = next(n for n, text in enumerate(texts) if text.startswith("Session 1:"))
    assert texts.index("Sessions and attendance") < first_row
    assert "Sessions and attendance" not in reader.pages[0].extract_text()


def test_a_heading_with_room_for_some_rows_starts_the_table_on_the_same_page() -> None:
    # A third of a page left: the heading and the table's first rows use it (no blank page).
    filler = Spacer(1, FRAME_HEIGHT * 2 / 3)
    table = data_table(HEADER, _rows(60), WIDTHS)
    reader = _build([filler, *heading("Sessions and attendance", then=table)])
    first = reader.pages[0].extract_text()
    assert "Sessions and attendance" in first
    assert "Session 1:" in first
    assert "(continued from the previous page)" in reader.pages[1].extract_text()


def test_a_heading_over_a_short_paragraph_is_kept_with_it() -> None:
    filler = Spacer(1, FRAME_HEIGHT - 12 * mm)
    reader = _build(
        [filler, *heading("Closure", then=para("Closed on 04/03/2026 by Zoë Çelik.", BODY))]
    )
    assert "Closure" not in reader.pages[0].extract_text()
    assert "Closure" in reader.pages[1].extract_text()
    assert "Closed on 04/03/2026" in reader.pages[1].extract_text()


def test_a_heading_and_its_introduction_move_together_with_the_first_rows() -> None:
    # The case summary's chronology: heading, a line saying what it holds, then the table.
    filler = Spacer(1, FRAME_HEIGHT - 24 * mm)
    intro = para("30 entries, oldest first.", MUTED_SMALL)
    table = data_table(HEADER, _rows(30), WIDTHS, caption="Chronology")
    reader = _build([filler, KeepWithNext([para("Chronology", HEADING), intro], table)])
    first = reader.pages[0].extract_text()
    assert "Chronology" not in first and "30 entries" not in first
    second = reader.pages[1].extract_text()
    assert "Chronology" in second and "30 entries, oldest first." in second
    assert "Session 1:" in second
