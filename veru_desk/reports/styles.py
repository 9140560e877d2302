"""The look every VERU document shares: fonts, paragraph styles, tables and the marked page.

Fonts come from ``resources/fonts`` (DejaVu Sans, licence beside it), never reportlab's
standard Helvetica, whose 8-bit encoding cannot print Ł, ş, ễ or Ó as stored. Every page of
every document carries the protective marking top and bottom and "Page N of M": a page
photocopied or forwarded on its own must still say how it may be handled and where it belongs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from veru_desk.resources import resource_path

FONT = "VeruSans"
FONT_BOLD = "VeruSans-Bold"

PAGE_SIZE = A4
MARGIN = 18 * mm
TOP_MARGIN = 24 * mm
BOTTOM_MARGIN = 22 * mm
CONTENT_WIDTH = PAGE_SIZE[0] - 2 * MARGIN

# Greys chosen to stay distinct when printed in black and white.
INK = colors.HexColor("#111111")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")
HEADER_FILL = colors.HexColor("#d9d9d9")
STRIPE_FILL = colors.HexColor("#f3f3f3")
ACCENT = colors.HexColor("#1f3a5f")
# A cell with more text than this might not fit on one page, so its table may split rows.
SPLIT_IN_ROW_CHARS = 900

_registered = False
_WIDTH_CACHE_LIMIT = 200_000


class _MeasuredFont(TTFont):
    """A TrueType font that remembers the width of each word it has measured.

    Line breaking measures every word, and without reportlab's optional C accelerator each
    measurement walks the string in Python; case records repeat the same words endlessly, so
    remembering them halves the time a long chronology takes to lay out.
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._widths: dict[tuple[str, float], float] = {}

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:
        key = (text, size)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) >= _WIDTH_CACHE_LIMIT:
                self._widths.clear()
            width = super().stringWidth(text, size, encoding)
            self._widths[key] = width
        return width


def register_fonts() -> None:
    """Registers the shipped fonts once per process (reportlab keeps a global registry)."""
    global _registered
    if _registered:
        return
    pdfmetrics.registerFont(_MeasuredFont(FONT, str(resource_path("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(
        _MeasuredFont(FONT_BOLD, str(resource_path("fonts", "DejaVuSans-Bold.ttf")))
    )
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
    _registered = True


def _style(name: str, **kwargs: Any) -> ParagraphStyle:
    values: dict[str, Any] = {
        "fontName": FONT,
        "fontSize": 9,
        "leading": 11.5,
        "textColor": INK,
        "splitLongWords": 1,
    }
    values.update(kwargs)
    return ParagraphStyle(name, **values)


BODY = _style("body")
SMALL = _style("small", fontSize=7.5, leading=9.5)
MUTED_SMALL = _style("muted", fontSize=7.5, leading=9.5, textColor=MUTED)
CELL = _style("cell", fontSize=8, leading=10)
CELL_BOLD = _style("cell-bold", fontName=FONT_BOLD, fontSize=8, leading=10)
TITLE = _style("title", fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=2 * mm)
SUBTITLE = _style("subtitle", fontSize=10, leading=13, textColor=MUTED)
HEADING = _style(
    "heading",
    fontName=FONT_BOLD,
    fontSize=12,
    leading=15,
    spaceBefore=5 * mm,
    spaceAfter=2 * mm,
    textColor=ACCENT,
)
SUBHEADING = _style(
    "subheading",
    fontName=FONT_BOLD,
    fontSize=9.5,
    leading=12,
    spaceBefore=3 * mm,
    spaceAfter=1 * mm,
)
NOTICE = _style(
    "notice",
    fontSize=8.5,
    leading=11,
    borderColor=INK,
    borderWidth=0.8,
    borderPadding=(2 * mm, 2 * mm, 2 * mm, 2 * mm),
    spaceBefore=3 * mm,
    spaceAfter=4 * mm,
)
CENTRED_SMALL = _style("centred", fontSize=7.5, leading=9.5, alignment=TA_CENTER)


def text(value: object) -> str:
    """User text made safe for Paragraph markup: escaped, NFC, line breaks kept.

    NFC changes no letter (a name stored decomposed prints the same) but lets the font's
    precomposed glyphs be used, which print accents in the right place.
    """
    if value is None:
        return ""
    cleaned = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return escape(cleaned).replace("\n", "<br/>")


class WrapOnceParagraph(Paragraph):
    """A paragraph that remembers its line breaks for the width it was last wrapped to.

    A long table is wrapped about three times per cell (to measure, to split at the page
    foot, to draw); breaking lines is reportlab's costliest step, and the result depends only
    on the width, so a 1,500-entry chronology lays out in a third of the time.
    """

    _wrapped_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._wrapped_for == availWidth:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return size


class PlainText(Flowable):
    """Plain wrapped text in one font: what most of a long chronology is.

    A Paragraph parses markup and tracks fragments for every word; a 1,500-entry chronology
    spends most of its layout time there. This wraps greedily on spaces (breaking a word
    only when it is wider than the column) and draws whole lines, several times faster. It
    splits between lines, so an entry longer than a page runs onto the next.
    """

    def __init__(self, value: str, style: ParagraphStyle = CELL) -> None:
        super().__init__()
        self.text = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
        self.style = style
        self._lines: list[str] = []
        self._wrapped_for: float | None = None

    def _measure(self, text: str) -> float:
        return pdfmetrics.stringWidth(text, self.style.fontName, self.style.fontSize)

    def _wrap_lines(self, width: float) -> list[str]:
        lines: list[str] = []
        space = self._measure(" ")
        for paragraph in self.text.split("\n"):
            line = ""
            line_width = 0.0
            for word in paragraph.split():
                word_width = self._measure(word)
                while word_width > width:  # a word wider than the column: break it
                    cut = max(1, int(len(word) * width / word_width))
                    while cut > 1 and self._measure(word[:cut]) > width:
                        cut -= 1
                    if line:
                        lines.append(line)
                        line, line_width = "", 0.0
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = self._measure(word)
                if not word:
                    continue
                if line and line_width + space + word_width <= width:
                    line += " " + word
                    line_width += space + word_width
                else:
                    if line:
                        lines.append(line)
                    line, line_width = word, word_width
            lines.append(line)
        return lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._wrapped_for != availWidth:
            self._lines = self._wrap_lines(availWidth)
            self._wrapped_for = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self.wrap(availWidth, availHeight)
        fits = int(availHeight // self.style.leading)
        if fits <= 0 or fits >= len(self._lines):
            return []
        return [
            PlainText("\n".join(self._lines[:fits]), self.style),
            PlainText("\n".join(self._lines[fits:]), self.style),
        ]

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(self.style.fontName, self.style.fontSize, self.style.leading)
        canvas.setFillColor(self.style.textColor)
        text = canvas.beginText(0, self.height - self.style.fontSize)
        text.setLeading(self.style.leading)
        for line in self._lines:
            text.textLine(line)
        canvas.drawText(text)


def heading(value: object, style: ParagraphStyle = HEADING) -> list[Flowable]:
    """A heading that starts a new page rather than sit alone at the foot of one.

    (Not ``keepWithNext``: that moves a heading *and* a long table after it to the next
    page whole, leaving most of a page blank.)
    """
    room = 30 * mm if style is HEADING else 24 * mm
    return [CondPageBreak(room), para(value, style)]


def para(value: object, style: ParagraphStyle = CELL) -> Paragraph:
    return WrapOnceParagraph(text(value), style)


def rich(markup: str, style: ParagraphStyle = CELL) -> Paragraph:
    """A paragraph from markup the caller has already escaped with ``text``."""
    return WrapOnceParagraph(markup, style)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    numeric_columns: Sequence[int] = (),
    total_row: bool = False,
) -> Table:
    """A table whose header repeats on every page it runs onto and whose rows may split.

    Cells that are already flowables stay as they are; everything else becomes a wrapping
    paragraph, so no text is ever clipped however long it is.
    """
    register_fonts()
    body: list[list[object]] = [[para(h, CELL_BOLD) for h in header]]
    limits = [w - 6 for w in widths]
    for row in rows:
        body.append([_cell(cell, limit) for cell, limit in zip(row, limits, strict=True)])
    longest = max((_text_length(cell) for row in body[1:] for cell in row), default=0)
    table = Table(
        body,
        colWidths=list(widths),
        repeatRows=1,
        splitByRow=1,
        # Splitting inside a row is slow, and needed only when one cell could outgrow a page.
        splitInRow=1 if longest > SPLIT_IN_ROW_CHARS else 0,
        hAlign="LEFT",
    )
    style: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("FONT", (0, 0), (-1, -1), FONT, CELL.fontSize, CELL.leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE_FILL]),
    ]
    if total_row and rows:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.8, INK))
        style.append(("FONT", (0, -1), (-1, -1), FONT_BOLD, CELL.fontSize, CELL.leading))
    for column in numeric_columns:
        style.append(("ALIGN", (column, 1), (column, -1), "RIGHT"))
        for row_cells in body:
            cell = row_cells[column]
            if isinstance(cell, Paragraph):
                cell.style = _right_aligned(cell.style)
    table.setStyle(TableStyle(style))
    return table


def _text_length(cell: object) -> int:
    if isinstance(cell, list | tuple):
        return sum(_text_length(part) for part in cell)
    if isinstance(cell, Flowable):
        return len(getattr(cell, "text", "") or "")
    return len(str(cell))


def _cell(value: object, limit: float) -> object:
    """A short single line stays a plain string (drawn as is, far cheaper to lay out than a
    paragraph: it matters for a 1,500-entry chronology); anything that might not fit wraps."""
    if isinstance(value, Flowable | list):
        return value
    shown = "" if value is None else unicodedata.normalize("NFC", str(value))
    if (
        "\n" not in shown
        and "\r" not in shown
        and (pdfmetrics.stringWidth(shown, FONT, CELL.fontSize) <= limit)
    ):
        return shown
    return para(shown)


_RIGHT: dict[str, ParagraphStyle] = {}


def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    found = _RIGHT.get(style.name)
    if found is None:
        found = ParagraphStyle(f"{style.name}-right", parent=style, alignment=2)
        _RIGHT[style.name] = found
    return found


def key_value_table(pairs: Sequence[tuple[str, object]], label_width: float = 42 * mm) -> Table:
    """Label/value pairs (a person's details), labels muted, values wrapping."""
    rows = [
        [para(label, MUTED_SMALL), value if isinstance(value, Flowable) else para(value)]
        for label, value in pairs
    ]
    table = Table(rows, colWidths=[label_width, CONTENT_WIDTH - label_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, CELL.fontSize, CELL.leading),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
            ]
        )
    )
    return table


class _NumberedCanvas(Canvas):
    """Holds each page until the end so every page can say "Page N of M"."""

    footer_left = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        self.saveState()
        self.setFont(FONT, 7.5)
        self.setFillColor(MUTED)
        y = BOTTOM_MARGIN - 9 * mm
        self.drawRightString(PAGE_SIZE[0] - MARGIN, y, f"Page {self._pageNumber} of {total}")
        if self.footer_left:
            self.drawString(MARGIN, y, self.footer_left)
        self.restoreState()


def _draw_marking(canvas: Canvas, marking: str) -> None:
    """The protective marking, centred in a box at the top and the bottom of the page."""
    canvas.saveState()
    canvas.setFont(FONT_BOLD, 10)
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    width = pdfmetrics.stringWidth(marking, FONT_BOLD, 10) + 6 * mm
    centre = PAGE_SIZE[0] / 2
    for y in (PAGE_SIZE[1] - 12 * mm, 7 * mm):
        canvas.setLineWidth(0.8)
        canvas.rect(centre - width / 2, y - 1.8 * mm, width, 6 * mm, stroke=1, fill=0)
        canvas.drawCentredString(centre, y, marking)
    canvas.restoreState()


def build_marked_pdf(
    target: str | Path | IO[bytes],
    story: list[Flowable],
    *,
    title: str,
    author: str,
    subject: str,
    marking: str,
    footer_left: str = "",
    on_page: Callable[[Canvas, int], None] | None = None,
) -> int:
    """Lays out ``story`` on marked, numbered A4 pages; returns the number of pages.

    The metadata carries only what the caller passes (no creator user name, no keywords), so
    nothing personal leaks through the document properties.
    """
    register_fonts()
    marking = unicodedata.normalize("NFC", marking)
    doc = BaseDocTemplate(
        str(target) if isinstance(target, Path) else target,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=author,
        subject=subject,
        creator="VERU Desk",
        producer="VERU Desk (ReportLab)",
        keywords="",
        lang="en-GB",
        # Otherwise every page opens with Helvetica selected, which puts it in the file.
        initialFontName=FONT,
        initialFontSize=CELL.fontSize,
        initialLeading=CELL.leading,
    )
    frame = Frame(MARGIN, BOTTOM_MARGIN, CONTENT_WIDTH, PAGE_SIZE[1] - TOP_MARGIN - BOTTOM_MARGIN)

    def _page(canvas: Canvas, document: BaseDocTemplate) -> None:
        _draw_marking(canvas, marking)
        if on_page is not None:
            on_page(canvas, document.page)

    doc.addPageTemplates([PageTemplate(id="marked", frames=[frame], onPage=_page)])
    canvas_class = type("_Canvas", (_NumberedCanvas,), {"footer_left": footer_left})
    doc.build(story, canvasmaker=canvas_class)
    return int(doc.page)
