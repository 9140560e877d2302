"""The look every VERU document shares: fonts, paragraph styles, tables and the marked page.

Fonts come from ``resources/fonts`` (DejaVu Sans, licence beside it), never reportlab's
standard Helvetica, whose 8-bit encoding cannot print Ł, ş, ễ or Ó as stored. Letters DejaVu
lacks (Arabic and Urdu, Hebrew, Bengali, Devanagari, Gurmukhi, CJK) print in shipped Noto and
Droid fonts, shaped and in right-to-left order, through every path text takes here (``text``,
``para``, ``rich``, ``PlainText``, table cells): see scripts.py. Every page of
every document carries the protective marking top and bottom and "Page N of M": a page
photocopied or forwarded on its own must still say how it may be handled and where it belongs.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
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
    FrameBreak,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from veru_desk.reports import scripts
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
# A row of long text split at the foot of a page leaves at least this many lines there (fewer
# and the whole row starts on the next page instead).
MIN_LINES_BEFORE_BREAK = 3
CONTINUED = " (continued)"
KEY_VALUE_GAP = 6  # points between a label and its value

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

    def addObjects(self, doc: Any) -> None:  # reportlab's name
        super().addObjects(doc)
        scripts.fix_to_unicode(doc, self)  # conjuncts and joined forms copy as their letters

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:
        key = (text, size)
        width = self._widths.get(key)
        if width is None:
            if len(self._widths) >= _WIDTH_CACHE_LIMIT:
                self._widths.clear()
            width = super().stringWidth(text, size, encoding)
            self._widths[key] = width
        return width


class _MarkerFont(_MeasuredFont):
    """DejaVu again, under the name "[U+…]" markers are drawn in (scripts.MARKER_FONT):
    whatever draws one (a paragraph, a table cell, a chart label), the page learns of it
    here and its footer explains the codes."""

    def splitString(self, text: str, doc: Any, encoding: str = "utf-8") -> Any:
        canvas = getattr(doc, "veru_canvas", None)
        if canvas is not None:
            canvas.note_unprintable()
        return super().splitString(text, doc, encoding)


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
    # Fonts for the scripts DejaVu lacks (Arabic and Urdu, Bengali, Devanagari, Gurmukhi,
    # Hebrew, CJK...): see scripts.py.
    marker = _MarkerFont(scripts.MARKER_FONT, str(resource_path("fonts", "DejaVuSans.ttf")))
    # reportlab hands out one font per face name: without a name of its own this would be
    # DejaVu itself, and never hear of the markers drawn in it.
    marker.face.name = b"DejaVuSans-Markers"
    pdfmetrics.registerFont(marker)
    scripts.register(FONT, FONT_BOLD, _MeasuredFont)
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
CONTINUED_CAPTION = _style(
    "continued-caption", fontSize=7.5, leading=9.5, textColor=MUTED, spaceAfter=1 * mm
)


def text(value: object) -> str:
    """User text made safe for Paragraph markup: escaped, NFC, line breaks kept.

    NFC changes no letter (a name stored decomposed prints the same) but lets the font's
    precomposed glyphs be used, which print accents in the right place. Letters DejaVu lacks
    are wrapped in ``<font name=...>`` for a shipped font that has them, right-to-left words
    put in drawing order, and a character no font has shown as ``[U+…]`` (scripts.py);
    runs that need shaping are shaped here, so any Paragraph of it prints right.
    """
    if value is None:
        return ""
    cleaned = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    register_fonts()
    if scripts.is_simple(cleaned, FONT):
        return escape(cleaned).replace("\n", "<br/>")
    return scripts.markup(cleaned, FONT)


class WrapOnceParagraph(Paragraph):
    """A paragraph that remembers its line breaks for the width it was last wrapped to.

    A long table is wrapped about three times per cell (to measure, to split at the page
    foot, to draw); breaking lines is reportlab's costliest step, and the result depends only
    on the width, so a 1,500-entry chronology lays out in a third of the time.
    """

    _wrapped_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # Splitting a paragraph at a page foot drops its lines (``blPara``): wrap again then.
        if self._wrapped_for == availWidth and hasattr(self, "blPara"):
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_for = availWidth
        return size


class PlainText(Flowable):
    """Plain wrapped text in one style: what most of a long chronology is, and any text in
    a script DejaVu lacks.

    A Paragraph parses markup and tracks fragments for every word; a 1,500-entry chronology
    spends most of its layout time there. This wraps greedily on spaces (breaking a word
    only when it is wider than the column) and draws whole lines, several times faster. It
    splits between lines, so an entry longer than a page runs onto the next. A line in other
    scripts is drawn as runs (scripts.py): each in the font that has its letters, shaped,
    right-to-left words in their order, put in drawing order line by line after wrapping.
    """

    def __init__(self, value: str, style: ParagraphStyle = CELL) -> None:
        super().__init__()
        register_fonts()
        # A tab has no glyph in the font: it prints as a space, as a text box shows it.
        self.text = (
            unicodedata.normalize("NFC", value)
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .replace("\t", " ")
        )
        self.style = style
        self._lines: list[str] = []
        self._wrapped_for: float | None = None

    @classmethod
    def already_wrapped(
        cls, lines: Sequence[str], style: ParagraphStyle, width: float
    ) -> PlainText:
        """Lines already broken for ``width`` (by ``lines_for``): not broken again."""
        made = cls("\n".join(lines), style)
        made._lines = list(lines)
        made._wrapped_for = width
        return made

    def lines_for(self, width: float) -> list[str]:
        self.wrap(width, 0)
        return list(self._lines)

    def getSpaceBefore(self) -> float:  # reportlab's name
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:  # reportlab's name
        return float(self.style.spaceAfter)

    def _measure(self, text: str) -> float:
        return scripts.width(text, self.style.fontName, self.style.fontSize)

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
                    # Never between a letter and its accent or vowel sign.
                    while cut > 1 and unicodedata.category(word[cut])[0] == "M":
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
        # A table's cell width can differ from the caller's sum in the last bit; not a rewrap.
        if self._wrapped_for is None or abs(self._wrapped_for - availWidth) > 0.01:
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
            PlainText.already_wrapped(self._lines[:fits], self.style, availWidth),
            PlainText.already_wrapped(self._lines[fits:], self.style, availWidth),
        ]

    def draw(self) -> None:
        canvas = self.canv
        style = self.style
        canvas.setFont(style.fontName, style.fontSize, style.leading)
        canvas.setFillColor(style.textColor)
        simple = scripts.is_simple(self.text, style.fontName)
        if simple and style.alignment not in (TA_RIGHT, TA_CENTER):
            text = canvas.beginText(0, self.height - style.fontSize)
            text.setLeading(style.leading)
            for line in self._lines:
                text.textLine(line)
            canvas.drawText(text)
            return
        y = self.height - style.fontSize
        base = scripts.base_direction(self.text)
        for line in self._lines:
            runs = scripts.line_runs(line, style.fontName, base)
            x = 0.0
            if style.alignment in (TA_RIGHT, TA_CENTER):
                used = sum(scripts.run_width(run, style.fontSize) for run in runs)
                x = self.width - used if style.alignment == TA_RIGHT else (self.width - used) / 2
            scripts.draw_line(canvas, x, y, runs, style.fontSize)
            y -= style.leading


@dataclass(frozen=True)
class LongText:
    """Free text for a table cell, of any length: an optional bold heading over the body.

    A row may not outgrow a page, so when a row of text reaches the foot of a page it is cut
    there and continues at the top of the next, its date (the row's ``continued_columns``) and
    heading repeated and marked "(continued)": a 5,000-word disclosure runs over as many pages
    as it needs, and every page says whose words they are and when they were written.
    """

    body: str
    heading: str = ""


_Line = tuple[ParagraphStyle, str]


@dataclass(frozen=True)
class _TextCell:
    """A table cell's text broken into lines for its column, ready to be cut between lines."""

    lines: list[_Line]
    heading: str  # repeated, marked "(continued)", at the top of a continuation
    style: ParagraphStyle
    width: float

    @classmethod
    def of(cls, value: LongText | str, width: float, style: ParagraphStyle) -> _TextCell:
        if isinstance(value, LongText):
            heading, body = value.heading, value.body
        else:
            heading, body = "", value
        bold = _bold(style)
        lines: list[_Line] = []
        if heading:
            lines = [(bold, line) for line in PlainText(heading, bold).lines_for(width)]
        if body.strip() or not lines:
            lines += [(style, line) for line in PlainText(body, style).lines_for(width)]
        return cls(lines, heading, style, width)

    def head(self, count: int) -> _TextCell:
        return _TextCell(self.lines[:count], self.heading, self.style, self.width)

    def tail(self, count: int) -> _TextCell | str:
        rest = self.lines[count:]
        if not rest:
            return ""
        again: list[_Line] = []
        if self.heading:  # worked out only here: most cells are never cut
            bold = _bold(self.style)
            short = self.heading if len(self.heading) <= 80 else self.heading[:79].rstrip() + "…"
            again = [
                (bold, line)
                for line in PlainText(scripts.isolate(short) + CONTINUED, bold).lines_for(
                    self.width
                )
            ]
        return _TextCell(again + rest, self.heading, self.style, self.width)

    @cached_property
    def flowable(self) -> object:
        """Consecutive lines of one style become one PlainText; a mix becomes a list."""
        runs: list[tuple[ParagraphStyle, list[str]]] = []
        for line_style, line in self.lines:
            if runs and runs[-1][0] is line_style:
                runs[-1][1].append(line)
            else:
                runs.append((line_style, [line]))
        parts = [PlainText.already_wrapped(run, style, self.width) for style, run in runs]
        return parts[0] if len(parts) == 1 else parts


_BOLD: dict[str, ParagraphStyle] = {}


def _bold(style: ParagraphStyle) -> ParagraphStyle:
    found = _BOLD.get(style.name)
    if found is None:
        found = ParagraphStyle(f"{style.name}-bold", parent=style, fontName=FONT_BOLD)
        _BOLD[style.name] = found
    return found


@dataclass(frozen=True)
class _Row:
    cells: list[object]  # str, flowables, or _TextCell (text that may be cut between lines)
    continued: list[object]  # what each column that is not text shows on a continuation

    @cached_property
    def shown(self) -> tuple[object, ...]:
        """The cells as the table holds them (a text as its flowable, nothing as ""), worked
        out once: a long table is cut at every page, and each part is a table of the rows
        it keeps, so a row of a 1,000-row chronology was converted again for every page."""
        return tuple("" if shown is None else shown for shown in map(_shown, self.cells))


# Style commands reportlab keeps as drawing instructions; the others it copies into each
# cell's style, which a continuation inherits from the table it was cut from.
_DRAWN_COMMANDS = {"BACKGROUND", "ROWBACKGROUNDS", "LINEBELOW", "LINEABOVE", "SPAN"}


@dataclass(frozen=True)
class _Layout:
    widths: list[float]
    line_height: float
    padding: float  # a cell's top and bottom padding together
    style: list[tuple[Any, ...]]
    last_style: list[tuple[Any, ...]]  # only for the part holding the last row (a total)
    continued: str = ""  # the caption over each part after the first ("" for none)


class _ContinuingTable(Table):
    """A table that cuts a row of text at the foot of a page and continues it on the next.

    reportlab's own ``splitInRow`` gives up on a cell holding several flowables (and on
    some single ones), raising ``LayoutError`` for a long note; here the cut is made
    between lines this module wrapped itself, so it cannot fail, and the continuation
    repeats the row's date and heading. Each part is built from the rows it keeps, with the
    heights and cell styles already worked out, so a long table costs little more than
    reportlab's own split.
    """

    # Table's own layout, which its stubs do not list.
    _rowHeights: list[float]  # noqa: N815
    _cellStyles: list[list[Any]]  # noqa: N815
    _calc: Callable[[float, float], None]

    def __init__(
        self,
        head: Sequence[list[Any]],
        rows: list[_Row],
        layout: _Layout,
        *,
        ends: bool = True,
        heights: list[float | None] | None = None,
        cell_styles: list[list[Any]] | None = None,
    ) -> None:
        self._head = head  # before Table's own set-up, which calls normalizeData
        data: list[list[Any] | tuple[Any, ...]] = [*head, *(row.shown for row in rows)]
        super().__init__(
            data,
            colWidths=list(layout.widths),
            rowHeights=heights,
            repeatRows=len(head),
            splitByRow=1,
            hAlign="LEFT",
            cellStyles=cell_styles,
        )
        commands = layout.style + (layout.last_style if ends and rows else [])
        if cell_styles is not None:
            commands = [command for command in commands if command[0] in _DRAWN_COMMANDS]
        self.setStyle(TableStyle(commands))
        self._rows = rows
        self._layout = layout
        self._ends = ends

    def normalizeData(self, data: Iterable[Iterable[Any]]) -> list[list[Any]]:
        """reportlab's, for the head; the body rows are ``_Row.shown``, normal already."""
        rows = list(data)
        heads = len(self._head)
        return [*super().normalizeData(rows[:heads]), *(list(row) for row in rows[heads:])]

    def _part(
        self,
        rows: list[_Row],
        heights: Sequence[float | None],
        styles: list[list[Any]],
        ends: bool,
    ) -> _ContinuingTable:
        heads = len(self._head)
        return _ContinuingTable(
            self._head,
            rows,
            self._layout,
            ends=ends,
            heights=[*self._rowHeights[:heads], *heights],
            cell_styles=[*self._cellStyles[:heads], *styles],
        )

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._calc(availWidth, availHeight)
        heads = len(self._head)
        heights = list(self._rowHeights[heads:])
        styles = list(self._cellStyles[heads:])
        used = sum(self._rowHeights[:heads])
        index = 0
        for height in heights:
            if used + height > availHeight:
                break
            used += height
            index += 1
        if index == len(self._rows):
            return [self]
        return self._captioned(
            self._split_parts(index, used, heights, styles, availWidth, availHeight)
        )

    def _captioned(self, parts: list[Flowable]) -> list[Flowable]:
        """Every part after the first starts under "… (continued)", which never sits alone
        at the foot of a page: it is kept with the rows it heads."""
        if len(parts) != 2 or not self._layout.continued:
            return parts
        return [parts[0], KeepWithNext([para(self._layout.continued, CONTINUED_CAPTION)], parts[1])]

    def _split_parts(
        self,
        index: int,
        used: float,
        heights: list[float],
        styles: list[list[Any]],
        availWidth: float,  # noqa: N803
        availHeight: float,  # noqa: N803
    ) -> list[Flowable]:
        rows = self._rows
        lines = int((availHeight - used - self._layout.padding) // self._layout.line_height)
        while lines >= MIN_LINES_BEFORE_BREAK:
            cut = _cut(rows[index], lines)
            if cut is None:
                break
            first = self._part(
                [*rows[:index], cut[0]], [*heights[:index], None], styles[: index + 1], False
            )
            if first.wrap(availWidth, availHeight)[1] <= availHeight:
                rest = self._part(
                    [cut[1], *rows[index + 1 :]],
                    [None, *heights[index + 1 :]],
                    styles[index:],
                    self._ends,
                )
                return [first, rest]
            lines -= 1
        if index == 0:
            return []  # nothing fits here: the document moves the table to the next page
        return [
            self._part(rows[:index], heights[:index], styles[:index], False),
            self._part(rows[index:], heights[index:], styles[index:], self._ends),
        ]


def _shown(cell: object) -> object:
    return cell.flowable if isinstance(cell, _TextCell) else cell


def _cut(row: _Row, lines: int) -> tuple[_Row, _Row] | None:
    """The row's first ``lines`` lines of text, and the rest marked as a continuation; None
    when no text cell runs past that many lines (the row is tall for another reason)."""
    texts = [cell for cell in row.cells if isinstance(cell, _TextCell)]
    if not any(len(cell.lines) > lines for cell in texts):
        return None
    first = _Row(
        [cell.head(lines) if isinstance(cell, _TextCell) else cell for cell in row.cells],
        row.continued,
    )
    rest = _Row(
        [
            (cell.tail(lines) or shown) if isinstance(cell, _TextCell) else shown
            for cell, shown in zip(row.cells, row.continued, strict=True)
        ],
        row.continued,
    )
    return first, rest


def heading(
    value: object, style: ParagraphStyle = HEADING, *, then: Flowable | None = None
) -> list[Flowable]:
    """A heading that starts a new page rather than sit alone at the foot of one.

    Given ``then`` (what the heading introduces: a table, a chart, a paragraph), the heading
    is kept with it, or with as much of it as fits (``KeepWithNext``): a heading never ends a
    page, yet a long table after it starts on the same page. Without ``then``, a heading
    needs some room below it or it moves to the next page.

    (Not ``keepWithNext``: that moves a heading *and* a long table after it to the next
    page whole, leaving most of a page blank.)
    """
    if then is not None:
        return [KeepWithNext([para(value, style)], then)]
    room = 30 * mm if style is HEADING else 24 * mm
    return [CondPageBreak(room), para(value, style)]


class KeepWithNext(KeepTogether):
    """Flowables (a heading, a caption) kept on the page with at least the first part of
    the one that follows them.

    reportlab's ``KeepTogether`` keeps the whole of what follows, so a heading over a table
    a page and a half long leaves most of a page blank; ``keepWithNext`` does the same.
    This splits what follows at the page foot (a table between rows, a paragraph between
    lines) and keeps only its first part with the heading; when not even that fits, all of
    it moves to the next page.
    """

    def __init__(self, leading: Sequence[Flowable], following: Flowable) -> None:
        super().__init__([*leading, following])
        self._leading = list(leading)
        self._following = following

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # Always split (as KeepTogether does), without laying out the whole of what follows.
        self._wrapInfo = (availWidth, availHeight)
        return availWidth, 0xFFFFFF

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        canvas = self.canv
        lead = sum(
            flowable.wrapOn(canvas, availWidth, availHeight)[1]
            + flowable.getSpaceBefore()
            + flowable.getSpaceAfter()
            for flowable in self._leading
        )
        room = availHeight - lead - 1
        following = self._following
        if room > following.getSpaceBefore():
            room -= following.getSpaceBefore()
            if following.wrapOn(canvas, availWidth, room)[1] <= room:
                return [*self._leading, following]
            parts = following.splitOn(canvas, availWidth, room)
            if parts:
                return [*self._leading, *parts]
        frame = getattr(self, "_frame", None)
        if frame is None or getattr(frame, "_atTop", False):
            return [*self._leading, following]  # no page has more room than this one
        return [FrameBreak(), *self._leading, following]


def para(value: object, style: ParagraphStyle = CELL) -> Flowable:
    """A paragraph of plain ``value``; one in a script DejaVu lacks is a ``PlainText``, which
    puts right-to-left words in order line by line and shapes each line's runs."""
    register_fonts()
    shown = "" if value is None else unicodedata.normalize("NFC", str(value))
    if scripts.is_simple(shown, style.fontName):
        return WrapOnceParagraph(text(shown), style)
    return PlainText(shown, style)


def rich(markup: str, style: ParagraphStyle = CELL) -> Paragraph:
    """A paragraph from markup the caller has already escaped with ``text`` (which has
    already shaped any text that needs it: a bare ``Paragraph`` of it prints right too)."""
    return WrapOnceParagraph(markup, style)


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    widths: Sequence[float],
    *,
    numeric_columns: Sequence[int] = (),
    total_row: bool = False,
    continued_columns: Sequence[int] = (0,),
    caption: str = "",
) -> Table:
    """A table whose header repeats on every page it runs onto and whose rows may continue.

    Cells that are already flowables stay as they are; text (a string or ``LongText``) wraps,
    breaking words wider than the column. A row of text reaching the foot of a page is cut
    between lines and continues on the next page, the ``continued_columns`` (the date,
    usually) repeated and marked "(continued)". So no text is ever clipped or lost however
    long it is, and no row has to fit on one page.

    Each page the table runs onto starts with "``caption`` (continued)" ("(continued from
    the previous page)" without a caption) over the repeated header row, in the same columns
    at the same place.
    """
    register_fonts()
    head = [[para(h, CELL_BOLD) for h in header]]
    limits = [w - 6 for w in widths]
    body: list[_Row] = []
    for row in rows:
        cells = [_cell(value, limit) for value, limit in zip(row, limits, strict=True)]
        for column in numeric_columns:
            cells[column] = _aligned_right(cells[column])
        continued: list[object] = []
        for column, (value, limit) in enumerate(zip(row, limits, strict=True)):
            if column in continued_columns and not isinstance(value, Flowable | list):
                label = value.heading if isinstance(value, LongText) else value
                shown = scripts.isolate("" if label is None else str(label)) + CONTINUED
                continued.append(_shown(_cell(shown, limit)))
            else:
                continued.append("")
        body.append(_Row(cells, continued))
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
    style += [("ALIGN", (column, 1), (column, -1), "RIGHT") for column in numeric_columns]
    total = [
        ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ("FONT", (0, -1), (-1, -1), FONT_BOLD, CELL.fontSize, CELL.leading),
    ]
    caption_line = f"{caption}{CONTINUED}" if caption else "(continued from the previous page)"
    last = total if total_row else []
    layout = _Layout(list(widths), CELL.leading, 4.5, style, last, caption_line)
    return _ContinuingTable(head, body, layout)


def _cell(value: object, limit: float) -> object:
    """A short single line stays a plain string (drawn as is, far cheaper to lay out than a
    paragraph: it matters for a 1,500-entry chronology); other text becomes lines that may
    be cut at the foot of a page."""
    if isinstance(value, Flowable | list):
        return value
    if isinstance(value, LongText):
        return _TextCell.of(value, limit, CELL)
    shown = "" if value is None else unicodedata.normalize("NFC", str(value))
    if (
        "\n" not in shown
        and "\r" not in shown
        and scripts.is_simple(shown, FONT)
        and (pdfmetrics.stringWidth(shown, FONT, CELL.fontSize) <= limit)
    ):
        return shown
    return _TextCell.of(shown, limit, CELL)


def _aligned_right(cell: object) -> object:
    if isinstance(cell, _TextCell):
        lines = [(_right_aligned(style), line) for style, line in cell.lines]
        return _TextCell(lines, cell.heading, cell.style, cell.width)
    if isinstance(cell, Paragraph | PlainText):
        cell.style = _right_aligned(cell.style)
    return cell


_RIGHT: dict[str, ParagraphStyle] = {}


def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    found = _RIGHT.get(style.name)
    if found is None:
        found = ParagraphStyle(f"{style.name}-right", parent=style, alignment=TA_RIGHT)
        _RIGHT[style.name] = found
    return found


def key_value_table(
    pairs: Sequence[tuple[str, object]],
    label_width: float = 42 * mm,
    *,
    title: Flowable | None = None,
) -> Table:
    """Label/value pairs (a person's details), labels muted, values wrapping.

    A value reaching the foot of a page continues on the next, labelled "(continued)"; a
    ``title`` heads the table and is repeated at the top of every page it runs onto.
    """
    register_fonts()
    value_width = CONTENT_WIDTH - label_width
    head: list[list[object]] = [[title, ""]] if title is not None else []
    body: list[_Row] = []
    for label, value in pairs:
        cell: object = value
        if not isinstance(value, Flowable):
            cell = _TextCell.of(
                "" if value is None else str(value), value_width - KEY_VALUE_GAP, CELL
            )
        body.append(
            _Row([para(label, MUTED_SMALL), cell], [para(label + CONTINUED, MUTED_SMALL), ""])
        )
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, CELL.fontSize, CELL.leading),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), KEY_VALUE_GAP),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if title is not None:
        style.append(("SPAN", (0, 0), (-1, 0)))

    layout = _Layout([label_width, value_width], CELL.leading, 3, style, [])
    return _ContinuingTable(head, body, layout)


class _NumberedCanvas(Canvas):
    """Holds each page until the end so every page can say "Page N of M"."""

    footer_left = ""
    # Canvas's own page state, which its stubs do not list.
    _pageNumber: int  # noqa: N815
    _startPage: Callable[[], None]  # noqa: N815
    _doc: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._unprintable = False  # this page shows a "[U+…]" marker
        self._doc.veru_canvas = self  # how the marker font finds the page it is drawn on

    def note_unprintable(self) -> None:
        self._unprintable = True

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._unprintable = False
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
        if self._unprintable:
            # Never a silent box: the reader learns what the bracketed codes are.
            self.setFillColor(INK)
            self.drawString(MARGIN, BOTTOM_MARGIN - 5 * mm, scripts.UNPRINTABLE_NOTE)
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
        keywords="",  # type: ignore[arg-type]  # a string is taken too
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
    doc.build(story, canvasmaker=canvas_class)  # type: ignore[arg-type]  # a Canvas subclass
    return int(doc.page)
