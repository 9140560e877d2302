"""Every script the unit's families write prints (#17), through the paths the case summary
uses: ``para`` (titles, headings, short values), ``rich`` + ``text`` (sentences with markup,
bold too, and a bare reportlab ``Paragraph`` of ``text``),
``data_table`` (chronology rows, plain and long text) and ``key_value_table`` (a person's
details).

How the printed text is checked: pypdf extracts what each page draws, through the fonts'
ToUnicode maps. Two things differ from the stored text by design, and are normalised here
explicitly rather than hidden:

* Arabic and Urdu are drawn as shaped glyphs, which map to Unicode's presentation forms
  (initial, medial, final): NFKC turns them back into the stored letters. Right-to-left words
  come out in the order they are drawn, left to right, each word in reading order, so for
  Arabic, Urdu and Hebrew each stored word is looked for, not the whole phrase.
* In Bengali, Devanagari and Gurmukhi a vowel sign drawn before its consonant (ি) and a
  reph drawn after it (र्) are extracted in drawing order: for these words the test checks
  the same letters come back, in any order, besides every glyph being in the font that drew
  it (no .notdef box) and the text being shaped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest
from dateutil.relativedelta import relativedelta
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak, Paragraph

from veru_desk.domain.enums import (
    AgencyType,
    ConsentStatus,
    Gender,
    ReferralReason,
    SharingBasis,
)
from veru_desk.reports import scripts
from veru_desk.reports.case_summary import render_case_summary
from veru_desk.reports.charts import bar_chart
from veru_desk.reports.styles import (
    BODY,
    CELL_BOLD,
    CONTENT_WIDTH,
    HEADING,
    LongText,
    PlainText,
    build_marked_pdf,
    data_table,
    heading,
    key_value_table,
    para,
    register_fonts,
    rich,
    text,
)
from veru_desk.reports.subject_access import export_subject_access
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.summary import PreparedFor, SharingProfile

from .conftest import make_case

LEFT_TO_RIGHT = {
    "Polish": "Łukasz Wiśniewski",
    "Vietnamese": "Nguyễn Thị Ánh",
    "Greek": "Γιώργος Παπαδόπουλος",
    "Cyrillic": "Олена Шевченко",
    "Chinese": "王小明",
    "Tigrinya": "ሳምሶን ተስፋይ",
}
RIGHT_TO_LEFT = {
    "Arabic": "محمد علي",
    "Urdu": "عائشہ بی بی",
    "Hebrew": "שלום כהן",
}
INDIAN = {
    "Bengali": "রহিম উদ্দিন",
    "Devanagari": "अर्जुन शर्मा",
    "Gurmukhi": "ਹਰਪ੍ਰੀਤ ਕੌਰ",
    "Gujarati": "હેમલ પટેલ",
    "Tamil": "தமிழ்செல்வி",
}
EVERY = {**LEFT_TO_RIGHT, **RIGHT_TO_LEFT, **INDIAN}
# The fallback font each script must be drawn in (DejaVu prints the others).
FONT_FOR = {
    "Arabic": "NotoNaskhArabic",
    "Urdu": "NotoNaskhArabic",
    "Hebrew": "NotoSansHebrew",
    "Bengali": "NotoSansBengali",
    "Devanagari": "NotoSansDevanagari",
    "Gurmukhi": "NotoSansGurmukhi",
    "Chinese": "DroidSansFallback",
    "Tigrinya": "NotoSansEthiopic",
    "Gujarati": "NotoSansGujarati",
    "Tamil": "NotoSansTamil",
}


def _pdf(story: list[Any]) -> pypdf.PdfReader:
    target = io.BytesIO()
    build_marked_pdf(
        target, story, title="Scripts", author="VERU", subject="Test", marking="OFFICIAL"
    )
    target.seek(0)
    return pypdf.PdfReader(target)


def _every_path_story(values: dict[str, str]) -> list[Any]:
    story: list[Any] = [*heading("Names as typed")]
    for label, value in values.items():
        story.append(para(f"{label}: {value}", BODY))
        story.append(rich(f"<b>{text(label)}:</b> {text(value)} attended", BODY))
        story.append(rich(f"<b>Bold: {text(value)}</b>", BODY))
        # A bare Paragraph, as older code builds them: text() has already shaped the runs.
        story.append(Paragraph(f"Bare: {text(value)}", BODY))
    story.append(para(values[next(iter(values))], HEADING))
    rows = [
        [label, value, LongText(f"Spoke with {value} about school. " * 6, heading=value)]
        for label, value in values.items()
    ]
    story.append(data_table(["Script", "Name", "Note"], rows, [25 * mm, 45 * mm, 110 * mm]))
    story.append(key_value_table([(label, value) for label, value in values.items()]))
    return story


def _page_text(reader: pypdf.PdfReader) -> str:
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def _used_characters(reader: pypdf.PdfReader) -> dict[str, set[str]]:
    """Font face name -> the characters its ToUnicode map says were drawn (beyond ASCII,
    which reportlab maps in every subset whether drawn or not)."""
    used: dict[str, set[str]] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            face = str(font["/BaseFont"]).split("+", 1)[-1]
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            for code in re.findall(r"<[0-9A-F]{2}> <([0-9A-F]{4,})>", cmap):
                character = bytes.fromhex(code).decode("utf-16-be")
                # A glyph standing for several letters (a conjunct) is in its font by making.
                if len(character) == 1 and not character.isascii():
                    used.setdefault(face, set()).add(character)
    return used


def _notdef_glyphs(reader: pypdf.PdfReader) -> int:
    """How many .notdef glyphs (the empty box) the pages draw: reportlab draws a character
    its font lacks as code 0 of the font's subset."""
    count = 0
    for page in reader.pages:
        content = pypdf.generic.ContentStream(page.get_contents(), reader)
        for operands, operator in content.operations:
            if operator not in (b"Tj", b"TJ", b"'", b'"'):
                continue
            for operand in operands:
                for piece in operand if isinstance(operand, list) else [operand]:
                    if isinstance(
                        piece, pypdf.generic.ByteStringObject | pypdf.generic.TextStringObject
                    ):
                        count += piece.original_bytes.count(b"\x00")
    return count


def _face_cmaps() -> dict[str, set[int]]:
    register_fonts()
    faces: dict[str, set[int]] = {}
    for name in pdfmetrics.getRegisteredFontNames():
        font = pdfmetrics.getFont(name)
        face = getattr(font, "face", None)
        # TrueType faces only: a standard Type1 font another test drew with (Helvetica, in
        # reportlab's registry for the process) has no character map to read.
        if face is not None and hasattr(face, "charToGlyph"):
            faces[face.name.decode() if isinstance(face.name, bytes) else face.name] = set(
                face.charToGlyph
            )
    return faces


@pytest.fixture(scope="module")
def every_script_pdf() -> pypdf.PdfReader:
    return _pdf(_every_path_story(EVERY))


def test_no_character_of_any_script_is_drawn_as_an_empty_box(
    every_script_pdf: pypdf.PdfReader,
) -> None:
    assert _notdef_glyphs(every_script_pdf) == 0
    used = _used_characters(every_script_pdf)
    faces = _face_cmaps()
    for face, characters in used.items():
        missing = {ch for ch in characters if ord(ch) not in faces[face]}
        assert not missing, f"{face} has no glyph for {sorted(missing)}: they print as boxes"
    for script, font in FONT_FOR.items():
        drawn = set().union(*(chars for face, chars in used.items() if face.startswith(font)))
        letters = {ch for ch in EVERY[script] if unicodedata.category(ch) == "Lo"}
        # Shaping maps some letters to joined forms or conjunct glyphs: most stay as they are.
        assert drawn, f"nothing drawn in {font} for {script}"
        if script in ("Hebrew", "Chinese", "Tigrinya"):
            assert letters <= drawn, f"{script}: {sorted(letters - drawn)} not in {font}"


def test_left_to_right_names_extract_exactly_as_stored(every_script_pdf: pypdf.PdfReader) -> None:
    # pypdf starts a new line where the font changes: spacing is compared collapsed.
    printed = re.sub(r"\s+", " ", _page_text(every_script_pdf))
    for script, value in LEFT_TO_RIGHT.items():
        assert f"{script}: {value}" in printed
        assert f"Spoke with {value} about school." in printed


def test_right_to_left_words_print_joined_each_word_whole(
    every_script_pdf: pypdf.PdfReader,
) -> None:
    raw = "\n".join(page.extract_text() for page in every_script_pdf.pages)
    printed = unicodedata.normalize("NFKC", raw)
    for value in RIGHT_TO_LEFT.values():
        for word in value.split():
            assert word in printed, f"{word!r} missing from the printed text"
    # Arabic letters are drawn in their joined forms (presentation forms), not isolated.
    assert "\ufee3\ufea4\ufee4\ufeaa" in raw  # محمد: initial, medial, medial, final
    assert "\ufe8b" in raw or "\ufeb8" in raw  # عائشہ joins too (Urdu)


def test_right_to_left_words_are_drawn_right_to_left() -> None:
    reader = _pdf([para("Mother: محمد علي, phone 07700 900123", BODY)])
    placed: dict[str, float] = {}

    def visit(drawn: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        word = unicodedata.normalize("NFKC", drawn).strip()
        if word:
            placed[word] = tm[4]

    reader.pages[0].extract_text(visitor_text=visit)
    # The first word read (محمد) is on the right, the comma after the last (علي) is not
    # pulled into the Arabic: it follows it on the left-to-right line.
    assert placed["علي"] < placed["محمد"]
    assert scripts.display_order("Mother: محمد علي, phone") == "Mother: علي محمد, phone"


@pytest.mark.parametrize(
    "build",
    [
        lambda value: para(f"Name: {value}", BODY),
        lambda value: rich(f"<b>Name: {text(value)}</b>", BODY),
        lambda value: Paragraph(f"Name: {text(value)}", BODY),
        lambda value: data_table(["Name"], [[value]], [60 * mm]),
        lambda value: key_value_table([("Name", value)]),
    ],
    ids=["para", "bold-rich", "bare-paragraph", "table-cell", "key-value"],
)
def test_every_path_draws_an_arabic_name_right_to_left_and_joined(build: Any) -> None:
    reader = _pdf([build("محمد علي")])
    raw = reader.pages[0].extract_text()
    assert "\ufee3\ufea4\ufee4\ufeaa" in raw  # محمد in its joined forms
    assert _notdef_glyphs(reader) == 0
    # The page draws the words left to right in the order extracted: علي, then محمد (read
    # from the right, محمد comes first, as typed).
    drawn = " ".join(unicodedata.normalize("NFKC", raw).split())
    assert "علي محمد" in drawn


def test_indian_scripts_are_shaped_vowel_signs_before_their_consonant(
    every_script_pdf: pypdf.PdfReader,
) -> None:
    printed = _page_text(every_script_pdf)
    # রহিম: the vowel sign ি is drawn before হ, so it is extracted before it.
    assert "রিহম" in printed
    assert "রহিম" not in printed
    # A conjunct or reph is one glyph: its ToUnicode entry gives back the letters it
    # stands for, so every letter can be copied and searched for.
    assert "ਹਰਪ੍ਰੀਤ ਕੌਰ" in printed
    assert "উদ্দিন" in printed
    for word in ["अर्जुन", "शर्मा", "রহিম"]:
        assert any(sorted(found) == sorted(word) for found in printed.split()), word
    assert not any(0xE000 <= ord(ch) <= 0xF8FF for ch in printed)  # no private codes left


def test_every_run_is_in_a_font_that_has_its_letters() -> None:
    register_fonts()
    for value in [*EVERY.values(), "Zoë Çelik (زوئی)", "Aoife Ní Bhriain — ১২ মে"]:
        for run in scripts.font_runs(value, "VeruSans"):
            assert run.kind != scripts.MARKER, f"{value!r}: {run.text!r} has no font"
            cmap = pdfmetrics.getFont(run.font).face.charToGlyph  # type: ignore[attr-defined]
            assert all(ord(ch) in cmap for ch in run.text), (value, run)


def test_urdu_letters_are_drawn_in_the_arabic_font_with_the_rest_of_the_word() -> None:
    register_fonts()
    runs = scripts.font_runs("عائشہ بی بی", "VeruSans")
    fonts = {run.font for run in runs if not run.text.isspace()}
    assert fonts == {"VeruArabic"}
    assert {run.kind for run in runs if run.font == "VeruArabic"} == {scripts.SHAPED}


def test_a_character_no_font_has_prints_as_its_code_and_its_page_says_so() -> None:
    note = "Knife emoji in the message: 🔪 and 👍🏽"
    # One path a page, and a page with nothing unusual between them.
    reader = _pdf(
        [
            para(note, BODY),
            PageBreak(),
            rich(f"<b>Message:</b> {text(note)}", BODY),
            PageBreak(),
            data_table(["When", "What"], [["05/12/2026", note]], [30 * mm, 100 * mm]),
            PageBreak(),
            Paragraph(f"Bare: {text(note)}", BODY),
            PageBreak(),
            bar_chart([note, "Police"], [2, 3], "Sources", width=CONTENT_WIDTH),
            PageBreak(),
            PlainText("A page with nothing unusual on it.", BODY),
        ]
    )
    pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]
    assert len(pages) == 6
    for number, shown in enumerate(pages[:5], start=1):
        assert "[U+1F52A]" in shown and "[U+1F44D U+1F3FD]" in shown, number
        assert "\U0001f52a" not in shown
        assert "Some characters could not be printed; they are shown as [U+" in shown, number
    assert "could not be printed" not in pages[5]


def test_a_page_with_nothing_unprintable_has_no_note() -> None:
    reader = _pdf([para("Łukasz Wiśniewski, محمد علي, অর্জুন", BODY)])
    assert "could not be printed" not in _page_text(reader)


def test_a_long_right_to_left_note_wraps_line_by_line_in_reading_order() -> None:
    register_fonts()
    words = [f"كلمة{n}" for n in range(40)]
    lines = PlainText(" ".join(words), CELL_BOLD).lines_for(CONTENT_WIDTH / 3)
    assert len(lines) > 2
    # Lines are cut in reading order: the first line holds the first words.
    assert lines[0].split()[0] == words[0]
    assert " ".join(lines).split() == words


def test_a_wrapped_line_that_starts_with_an_arabic_name_is_still_read_left_to_right() -> None:
    note = "Spoke with محمد علي about school. " * 8
    # The narrowest column in which a line starts with the name.
    for width in range(40, 120):
        block = PlainText(note, BODY)
        if any(scripts.has_rtl(line.split()[0]) for line in block.lines_for(width * mm)):
            break
    else:
        pytest.fail("no width puts the name at the start of a line")
    reader = _pdf([PlainText.already_wrapped(block.lines_for(width * mm), BODY, width * mm)])
    rows: dict[float, list[tuple[float, str]]] = {}

    def visit(drawn: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        word = unicodedata.normalize("NFKC", drawn).strip()
        if word:
            rows.setdefault(round(tm[5], 1), []).append((tm[4], word))

    reader.pages[0].extract_text(visitor_text=visit)
    checked = 0
    for placed in rows.values():
        words = [word for _, word in sorted(placed)]
        if words and words[0] in ("علي", "محمد") and len(words) > 2:
            # The English after the name stays to its right; the name reads محمد علي.
            assert words[:2] == ["علي", "محمد"], words
            assert words[2].startswith("about"), words
            checked += 1
    assert checked


@pytest.fixture
def family_case(as_manager: Services, as_dariusz: Services) -> int:
    """A young person named in Urdu; a referral and notes in every script, one with an emoji
    (copied from a message). Returns the person's id."""
    today = dt.date.today()
    person_id, _ = make_case(
        as_manager,
        as_dariusz,
        PersonDetails(
            first_name="عائشہ",
            last_name="بی بی",
            date_of_birth=today - relativedelta(years=15),
            gender=Gender.FEMALE,
        ),
        ReferralDetails(
            received_on=today - dt.timedelta(days=30),
            referring_agency="Bedfordshire Police",
            referring_agency_type=AgencyType.POLICE,
            reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
            referrer_name="PC Harpreet Kaur (ਹਰਪ੍ਰੀਤ ਕੌਰ)",
            narrative="Seen with محمد علي near the station; her cousin রহিম was there too.",
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
            sharing_basis=SharingBasis.SAFEGUARDING,
        ),
    )
    now = dt.datetime.now().replace(second=0, microsecond=0)
    for offset, (title, body) in enumerate(FAMILY_NOTES.items()):
        as_dariusz.notes.add(person_id, NoteInput(now - dt.timedelta(days=5 - offset), title, body))
    return person_id


FAMILY_NOTES = {
    "Message from her brother": "He wrote: 🔪 not safe — أنا قلق عليها",
    "Call with grandmother": "नानी अर्जुन के बारे में चिंतित हैं",
    "School": "Teacher Γιώργος Παπαδόπουλος and Олена Шевченко; friend שלום כהן; 王小明",
}
FAMILY_WORDS = ["عائشہ", "بی", "محمد", "علي", "أنا", "قلق", "عليها", "שלום", "כהן", "王小明"]


def _assert_family_printed(reader: pypdf.PdfReader) -> None:
    assert _notdef_glyphs(reader) == 0
    printed = re.sub(r"\s+", " ", _page_text(reader))
    for word in FAMILY_WORDS:
        assert word in printed, word
    for phrase in ["Γιώργος Παπαδόπουλος", "Олена Шевченко", "PC Harpreet Kaur"]:
        assert phrase in printed
    assert "[U+1F52A]" in printed
    # Each page showing a marker says what it is, at its foot (not some other page).
    for page in reader.pages:
        shown = page.extract_text()
        assert ("[U+" in shown.replace("[U+…]", "")) == ("could not be printed" in shown)
    used = _used_characters(reader)
    for font in ("NotoNaskhArabic", "NotoSansDevanagari", "NotoSansGurmukhi", "NotoSansBengali"):
        assert any(face.startswith(font) for face in used), f"nothing drawn in {font}"


def test_a_case_summary_prints_a_family_in_every_script(
    as_dariusz: Services, family_case: int, tmp_path: Path
) -> None:
    today = dt.date.today()
    data = as_dariusz.summary.gather(
        family_case, SharingProfile.FULL, PreparedFor("Luton panel", today)
    )
    path = tmp_path / "summary.pdf"
    render_case_summary(data, path)
    _assert_family_printed(pypdf.PdfReader(path))


def test_a_subject_access_copy_prints_a_family_in_every_script(
    as_manager: Services, family_case: int, tmp_path: Path
) -> None:
    """The copy a family receives builds bare Paragraphs of ``text``: they print too."""
    result = export_subject_access(
        as_manager, family_case, tmp_path / "sar.json", tmp_path / "sar.pdf"
    )
    _assert_family_printed(pypdf.PdfReader(result.pdf_path))


def test_a_continued_arabic_heading_keeps_continued_on_its_right() -> None:
    body = "Spoke with her about school and home. " * 300
    reader = _pdf(
        [
            data_table(
                ["When", "What"],
                [["محمد علي", LongText(body, heading="محمد علي")]],
                [40 * mm, 120 * mm],
            )
        ]
    )
    assert len(reader.pages) >= 2
    second = " ".join(unicodedata.normalize("NFKC", reader.pages[1].extract_text()).split())
    second = second.replace("( continued)", "(continued)")  # pypdf spaces the bold run
    # Both the first column and the heading repeat, each "علي محمد (continued)" drawn left
    # to right: the name (read from the right), then "(continued)" after it.
    assert second.count("علي محمد (continued)") == 2, second[:200]
