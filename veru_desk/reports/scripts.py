"""Every script the unit's families write, printed: which font draws each character, in what
order, and shaped.

reportlab draws a string in one font and does no font fallback, so a name in Bengali or a
note in Urdu printed as empty boxes, and Arabic and Hebrew came out letter by letter from
left to right, unjoined. Here text is cut into *runs*: each character goes to the first
shipped font that has it (a script's own font first, so an Arabic name is all in Naskh and a
Hindi one all in Devanagari; spaces, digits and punctuation stay with the run they sit in).
Right-to-left text is put in display order with the Unicode bidirectional algorithm
(python-bidi), one line at a time, and runs of Arabic, Hebrew and the Indian scripts are
shaped with HarfBuzz (reportlab's ``shapeStr``, through uharfbuzz): letters join, vowel signs
move before their consonant, conjuncts form.

A character no shipped font has (a colour emoji such as 🔪) is printed as a visible marker,
``[U+1F52A]``, never as an empty box; pages that carry one say so in their footer (see
``styles._NumberedCanvas``).

The fonts, with their licences in ``resources/fonts``: Noto Naskh Arabic (Arabic and Urdu;
Urdu readers prefer Nastaliq, whose tall stacked joins do not sit on a table's line height),
Noto Sans Bengali, Devanagari, Gurmukhi and Hebrew, and (small, so shipped too) Gujarati,
Tamil, Thai and Ethiopic for Tigrinya and Amharic, regular and bold (2.7 MB together); and
Droid Sans Fallback for Chinese and Japanese (4 MB, regular only: Noto's CJK fonts are 16-20
MB each and PostScript-flavoured OpenType, which reportlab cannot embed). Korean hangul,
Sinhala, Telugu and the like print as markers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final
from xml.sax.saxutils import escape

from bidi import get_display  # type: ignore[import-untyped]  # no stubs
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, shapeStr

from veru_desk.resources import resource_path

MARKER_FONT: Final = "VeruMarker"
# What the footer of a page carrying a marker says.
UNPRINTABLE_NOTE: Final = "Some characters could not be printed; they are shown as [U+…]"

# How runs are drawn.
PLAIN: Final = "plain"  # as is, in its font
SHAPED: Final = "shaped"  # through HarfBuzz first
MARKER: Final = "marker"  # "[U+…]" in MARKER_FONT: no shipped font has the character


@dataclass(frozen=True)
class Fallback:
    """A shipped font for one script, preferred for the characters in its ``ranges``."""

    name: str
    regular: str  # file in resources/fonts
    bold: str | None  # None: the regular face is used for bold too
    ranges: tuple[tuple[int, int], ...]
    shaped: bool  # the script needs shaping (joining, reordering, conjuncts, marks)

    @property
    def bold_name(self) -> str:
        return f"{self.name}-Bold" if self.bold else self.name

    @property
    def text_name(self) -> str:
        """The copy that paragraph markup uses (see ``markup``)."""
        return f"{self.name}-Text"


FALLBACKS: Final = (
    Fallback(
        "VeruArabic",
        "NotoNaskhArabic-Regular.ttf",
        "NotoNaskhArabic-Bold.ttf",
        ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
        True,
    ),
    Fallback(
        "VeruHebrew",
        "NotoSansHebrew-Regular.ttf",
        "NotoSansHebrew-Bold.ttf",
        ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
        True,
    ),
    Fallback(
        "VeruDevanagari",
        "NotoSansDevanagari-Regular.ttf",
        "NotoSansDevanagari-Bold.ttf",
        ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF)),
        True,
    ),
    Fallback(
        "VeruBengali",
        "NotoSansBengali-Regular.ttf",
        "NotoSansBengali-Bold.ttf",
        ((0x0980, 0x09FF),),
        True,
    ),
    Fallback(
        "VeruGurmukhi",
        "NotoSansGurmukhi-Regular.ttf",
        "NotoSansGurmukhi-Bold.ttf",
        ((0x0A00, 0x0A7F),),
        True,
    ),
    Fallback(
        "VeruGujarati",
        "NotoSansGujarati-Regular.ttf",
        "NotoSansGujarati-Bold.ttf",
        ((0x0A80, 0x0AFF),),
        True,
    ),
    Fallback(
        "VeruTamil",
        "NotoSansTamil-Regular.ttf",
        "NotoSansTamil-Bold.ttf",
        ((0x0B80, 0x0BFF),),
        True,
    ),
    Fallback(
        "VeruThai", "NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf", ((0x0E00, 0x0E7F),), True
    ),
    # Tigrinya and Amharic (Eritrean and Ethiopian families).
    Fallback(
        "VeruEthiopic",
        "NotoSansEthiopic-Regular.ttf",
        "NotoSansEthiopic-Bold.ttf",
        ((0x1200, 0x139F), (0x2D80, 0x2DDF), (0xAB00, 0xAB2F)),
        True,
    ),
    # Last resort, for what the others lack: Chinese and Japanese (not Korean hangul).
    Fallback("VeruCJK", "DroidSansFallbackFull.ttf", None, (), False),
)
_SHAPED_FONTS = frozenset(
    name
    for fallback in FALLBACKS
    if fallback.shaped
    for name in (fallback.name, fallback.bold_name)
)
# Characters that take the font of the run they sit in rather than start a run of their own.
_NEUTRAL_CATEGORIES = frozenset("ZPSNM")
_RTL_CLASSES = frozenset({"R", "AL"})
# Marks and joiners stay inside a right-to-left word when it is put back in reading order.
_RTL_WORD_CLASSES = frozenset({"R", "AL", "NSM", "BN"})

_registered: dict[str, list[str]] = {}  # base font name -> its fallbacks' names, in order


def register(base: str, bold_base: str, font_class: Callable[[str, str], TTFont] = TTFont) -> None:
    """Registers the fallback fonts (once) and says which serve ``base`` and ``bold_base``.

    Each fallback becomes a family (regular and bold), so ``<b>`` and bold styles work inside
    a ``<font name=...>`` run of a paragraph.
    """
    if base in _registered:
        return
    for fallback in FALLBACKS:
        if fallback.name in pdfmetrics.getRegisteredFontNames():
            continue
        pdfmetrics.registerFont(
            font_class(fallback.name, str(resource_path("fonts", fallback.regular)))
        )
        if fallback.bold:
            pdfmetrics.registerFont(
                font_class(fallback.bold_name, str(resource_path("fonts", fallback.bold)))
            )
        pdfmetrics.registerFontFamily(
            fallback.name,
            normal=fallback.name,
            bold=fallback.bold_name,
            italic=fallback.name,
            boldItalic=fallback.bold_name,
        )
        if fallback.shaped:
            # The same face under another name: reportlab makes it an alias of the regular.
            pdfmetrics.registerFont(
                font_class(fallback.text_name, str(resource_path("fonts", fallback.regular)))
            )
            same = fallback.text_name
            pdfmetrics.registerFontFamily(
                same, normal=same, bold=same, italic=same, boldItalic=same
            )
    if MARKER_FONT not in pdfmetrics.getRegisteredFontNames():
        marker = pdfmetrics.getFont(base)
        pdfmetrics.registerFont(font_class(MARKER_FONT, marker.face.filename))  # type: ignore[attr-defined]  # the stubs omit TTFont.face
        pdfmetrics.registerFontFamily(
            MARKER_FONT,
            normal=MARKER_FONT,
            bold=MARKER_FONT,
            italic=MARKER_FONT,
            boldItalic=MARKER_FONT,
        )
    _registered[base] = [fallback.name for fallback in FALLBACKS]
    _registered[bold_base] = [fallback.bold_name for fallback in FALLBACKS]


@lru_cache(maxsize=64)
def _cmap(font_name: str) -> frozenset[int]:
    face = pdfmetrics.getFont(font_name).face  # type: ignore[attr-defined]  # the stubs omit .face
    return frozenset(face.charToGlyph)


def _base_of(font_name: str) -> str:
    return font_name if font_name in _registered else next(iter(_registered), font_name)


def _preferred(code: int) -> int | None:
    """The index in ``FALLBACKS`` of the font for this character's script, if it has one."""
    for index, fallback in enumerate(FALLBACKS):
        for low, high in fallback.ranges:
            if low <= code <= high:
                return index
    return None


def _special(code: int) -> bool:
    """Right-to-left letters, and scripts that need shaping or a font of their own."""
    return (
        0x0590 <= code <= 0x0E7F
        or 0x1200 <= code <= 0x139F
        or 0x1CD0 <= code <= 0x1CFF
        or 0x2D80 <= code <= 0x2DDF
        or 0xA8E0 <= code <= 0xA8FF
        or 0xAB00 <= code <= 0xAB2F
        or 0xFB1D <= code <= 0xFEFF
    )


def is_simple(value: str, font_name: str) -> bool:
    """True when ``font_name`` alone prints ``value`` left to right, unshaped (most text)."""
    if value.isascii() or font_name not in _registered:
        return True
    cmap = _cmap(font_name)
    return all(ord(ch) in cmap and not _special(ord(ch)) for ch in value if ch not in "\n\t")


def marker(chars: str) -> str:
    return "[" + " ".join(f"U+{ord(ch):04X}" for ch in chars) + "]"


@dataclass(frozen=True)
class Run:
    font: str
    text: str  # for a right-to-left run, in reading (logical) order: HarfBuzz reverses it
    kind: str  # PLAIN, SHAPED or MARKER

    @property
    def shown(self) -> str:
        return marker(self.text) if self.kind == MARKER else self.text


@lru_cache(maxsize=20_000)
def font_runs(value: str, font_name: str) -> tuple[Run, ...]:
    """``value`` cut into runs by the font that prints each character (in ``value``'s order)."""
    if is_simple(value, font_name):
        return (Run(font_name, value, PLAIN),) if value else ()
    base = _base_of(font_name)
    fallbacks = _registered.get(font_name) or _registered[base]
    base_cmap = _cmap(font_name)
    chosen: list[str] = []
    current: str | None = None
    # Direction marks, and invisible format characters (a zero-width space) no font has,
    # are left out rather than printed as markers: they have nothing to show.
    value = "".join(
        ch
        for ch in value
        if ch not in _BIDI_CONTROLS
        and not (
            unicodedata.category(ch) == "Cf"
            and ch not in "\u200c\u200d"
            and not any(ord(ch) in _cmap(name) for name in (font_name, *fallbacks))
        )
    )
    for ch in value:
        code = ord(ch)
        preferred = _preferred(code)
        font: str | None = None
        if preferred is not None and code in _cmap(fallbacks[preferred]):
            font = fallbacks[preferred]
        elif (
            current not in (None, MARKER_FONT)
            # A space ends a shaped run: HarfBuzz lays out each right-to-left word on its own,
            # in the place display_order gave it, and would otherwise reverse them again.
            and not (ch.isspace() and current in _SHAPED_FONTS)
            and (unicodedata.category(ch)[0] in _NEUTRAL_CATEGORIES or ch in "\u200c\u200d")
            and (code in _cmap(current) or ch in "\u200c\u200d")
        ):
            font = current
        elif code in base_cmap:
            font = font_name
        else:
            font = next((name for name in fallbacks if code in _cmap(name)), None)
        if font is None:
            font = MARKER_FONT  # printed as "[U+…]"; a joiner or selector inside is dropped
        chosen.append(font)
        current = font
    _pull_neutrals_forward(value, chosen, font_name)
    # A right-to-left word is a run of its own, whatever font its neighbours share: HarfBuzz
    # reverses all it is given, and display_order has already placed everything else.
    rtl: list[bool] = []
    for ch in value:
        kind = unicodedata.bidirectional(ch)
        rtl.append(kind in _RTL_CLASSES or (kind in ("NSM", "BN") and bool(rtl) and rtl[-1]))
    runs: list[Run] = []
    start = 0
    for index in range(1, len(value) + 1):
        if index == len(value) or chosen[index] != chosen[start] or rtl[index] != rtl[start]:
            font = chosen[start]
            kind = MARKER if font == MARKER_FONT else SHAPED if font in _SHAPED_FONTS else PLAIN
            piece = value[start:index]
            if kind == MARKER:
                piece = "".join(ch for ch in piece if ch not in "\u200d\ufe0e\ufe0f") or piece
            runs.append(Run(font, piece, kind))
            start = index
    return tuple(runs)


def _pull_neutrals_forward(value: str, chosen: list[str], base: str) -> None:
    """Punctuation just before a script's run (an opening bracket, a quote) joins that run
    when its font has it, so a word such as "(محمد)" is drawn, and shaped, in one font."""
    for index in range(len(value) - 2, -1, -1):
        following = chosen[index + 1]
        if (
            chosen[index] == base
            and following != base
            and following != MARKER_FONT
            and unicodedata.category(value[index])[0] in "PS"
            and ord(value[index]) in _cmap(following)
        ):
            chosen[index] = following


# Directional formatting characters: they steer display_order and are not drawn.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def isolate(value: str) -> str:
    """``value`` marked as a unit of its own direction inside a longer text (Unicode's first
    strong isolate), so "محمد علي" followed by " (continued)" or " — 3 (27%)" keeps the
    words after it on the right, where an English line puts them."""
    return f"\u2068{value}\u2069" if has_rtl(value) else value


def has_rtl(value: str) -> bool:
    return any(_special(ord(ch)) and unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in value)


def base_direction(value: str) -> str:
    """Right-to-left ("R") when the first letter with a direction is, else "L" (the Unicode
    bidirectional algorithm's rule for a paragraph)."""
    depth = 0  # text inside an isolate does not count (the rule's P2)
    for ch in value:
        kind = unicodedata.bidirectional(ch)
        if kind in ("FSI", "LRI", "RLI"):
            depth += 1
        elif kind == "PDI":
            depth = max(depth - 1, 0)
        elif depth == 0 and kind in _RTL_CLASSES:
            return "R"
        elif depth == 0 and kind == "L":
            return "L"
    return "L"


def display_order(line: str, base: str | None = None) -> str:
    """One line in the order it is drawn, left to right, except that each right-to-left word
    stays in reading order (HarfBuzz lays its letters out right to left when shaping it).

    Only text holding right-to-left letters changes. ``base`` is the direction of the
    paragraph the line was wrapped from ("L" or "R"): a line of an English note that happens
    to start with an Arabic name is still read left to right. Without it, the line's own
    first strong letter decides.
    """
    if not has_rtl(line):
        return line
    # python-bidi 0.6 ignores base_dir: a leading mark (LRM or RLM) sets the direction.
    mark = {"L": "\u200e", "R": "\u200f"}.get(base or "", "")
    shown = "".join(ch for ch in str(get_display(mark + line)) if ch not in _BIDI_CONTROLS)
    out: list[str] = []
    word: list[str] = []
    for ch in shown:
        if unicodedata.bidirectional(ch) in _RTL_WORD_CLASSES:
            word.append(ch)
            continue
        if word:
            out.append("".join(reversed(word)))
            word = []
        out.append(ch)
    if word:
        out.append("".join(reversed(word)))
    return "".join(out)


def line_runs(line: str, font_name: str, base: str | None = None) -> tuple[Run, ...]:
    """One wrapped line as runs in drawing order, left to right (``base``: see
    ``display_order``)."""
    return font_runs(display_order(line, base), font_name)


@lru_cache(maxsize=20_000)
def _shaped(value: str, font_name: str, size: float) -> str:
    if not getattr(pdfmetrics.getFont(font_name), "shapable", False):
        # No uharfbuzz (a broken install): letters unjoined, but a right-to-left word at
        # least reads in the right direction.
        return value[::-1] if has_rtl(value) else value
    shaped = shapeStr(value, font_name, size)
    _remember_glyph_text(value, shaped, font_name)
    return shaped


# Font name -> private code -> the letters that glyph stands for. Shaping draws a conjunct,
# a reph or a joined form that has no character of its own under a private code (U+E000…);
# the PDF's ToUnicode map then says which letters it is, so copying or searching the
# document finds "ਹਰਪ੍ਰੀਤ", not "ਹਰਪ\ue000ੀਤ".
_GLYPH_TEXT: dict[str, dict[int, str]] = {}


def _private(ch: str) -> bool:
    return 0xE000 <= ord(ch) <= 0xF8FF


def _remember_glyph_text(source: str, shaped: str, font_name: str) -> None:
    data = getattr(shaped, "__shapeData__", None)
    if not data or not any(_private(ch) for ch in shaped):
        return
    # Keyed by the font object's own name: a "-Text" name is an alias of the regular font.
    known = _GLYPH_TEXT.setdefault(pdfmetrics.getFont(font_name).fontName, {})
    starts = sorted({item.cluster for item in data if 0 <= item.cluster < len(source)})
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(source)
        glyphs = [ch for ch, item in zip(shaped, data, strict=False) if item.cluster == start]
        private = [ch for ch in glyphs if _private(ch) and ord(ch) not in known]
        if not private:
            continue
        # What the cluster's other glyphs do not already say belongs to its private ones.
        rest = source[start:end]
        for ch in glyphs:
            if not _private(ch) and ch in rest:
                rest = rest.replace(ch, "", 1)
        if not rest:
            continue
        # Several private glyphs share the rest: the last ones a letter each, the first
        # whatever is left (reading order is kept as well as the glyphs allow).
        tail = len(private) - 1
        pieces = [rest[: len(rest) - tail] if tail < len(rest) else rest[:1]]
        pieces += [rest[len(rest) - tail + n] if tail < len(rest) else "" for n in range(tail)]
        for ch, piece in zip(private, pieces, strict=True):
            if piece:
                known[ord(ch)] = piece


def fix_to_unicode(doc: Any, font: TTFont) -> None:
    """Rewrites ``font``'s ToUnicode maps in ``doc`` so each private glyph maps to the
    letters it stands for (call after reportlab's ``addObjects`` has made them)."""
    known = _GLYPH_TEXT.get(font.fontName)
    if not known:
        return
    face = font.face.name
    face_name = face.decode("latin-1") if isinstance(face, bytes) else str(face)
    for name, stream in list(doc.idToObject.items()):
        if not (name.startswith("toUnicodeCMap:") and name.endswith("+" + face_name)):
            continue
        content = stream.content
        for code, letters in known.items():
            utf16 = letters.encode("utf-16-be").hex().upper()
            content = content.replace(f"> <{code:04X}>", f"> <{utf16}>")
        stream.content = content


def run_text(run: Run, size: float) -> str:
    """What to hand the canvas for ``run``: shaped glyphs, the text, or the marker."""
    if run.kind == SHAPED:
        return _shaped(run.text, run.font, size)
    return run.shown


def run_width(run: Run, size: float) -> float:
    return pdfmetrics.stringWidth(run_text(run, size), run.font, size)


def width(value: str, font_name: str, size: float) -> float:
    """The printed width of ``value`` (shaped, with fallback fonts and markers)."""
    if is_simple(value, font_name):
        return pdfmetrics.stringWidth(value, font_name, size)
    return sum(run_width(run, size) for run in font_runs(value, font_name))


def draw_line(canvas: Any, x: float, y: float, runs: Iterable[Run], size: float) -> float:
    """Draws runs left to right from ``x`` on the baseline ``y``; returns the width drawn.

    The canvas's font is left as the last run's; callers save and restore state around it.
    """
    start = x
    for run in runs:
        shown = run_text(run, size)
        canvas.setFont(run.font, size)
        canvas.drawString(x, y, shown)
        x += pdfmetrics.stringWidth(shown, run.font, size)
    return x - start


def markup(value: str, font_name: str) -> str:
    """Paragraph markup for ``value`` (escaped) with each fallback run in ``<font name=...>``,
    right-to-left words in drawing order and already shaped.

    Shaped here, not by the paragraph, so the markup prints right in any Paragraph, with or
    without reportlab's shaping switched on. Each shaped run names its font by a ``…-Text``
    alias of the regular face whose bold is itself: shaping gives glyphs with no character
    of their own private codes that only the font that shaped them knows, so ``<b>`` must
    not swap the font (a bold run of Arabic inside marked-up text prints in the regular
    weight).

    A paragraph reorders each source line as a whole, before reportlab breaks it: a long
    right-to-left paragraph wrapped over several lines reads its lines in the wrong order,
    so long free text goes through ``styles.PlainText``, which reorders line by line.
    """
    parts: list[str] = []
    for index, line in enumerate(value.split("\n")):
        if index:
            parts.append("<br/>")
        for run in line_runs(line, font_name):
            if run.kind == PLAIN and run.font == font_name:
                parts.append(escape(run.text))
            elif run.kind == MARKER:
                parts.append(f'<font name="{MARKER_FONT}">{escape(run.shown)}</font>')
            else:
                fallback = next(f for f in FALLBACKS if run.font in (f.name, f.bold_name))
                if run.kind == SHAPED:
                    shaped = _shaped(run.text, fallback.text_name, 10)
                    parts.append(f'<font name="{fallback.text_name}">{escape(shaped)}</font>')
                else:
                    parts.append(f'<font name="{fallback.name}">{escape(run.text)}</font>')
    return "".join(parts)
