"""Charts plot what was recorded and print every label whole (#17).

The drawings are inspected shape by shape (reportlab widgets expanded to the lines, circles
and strings they draw), so a test sees what the page would show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Group, PolyLine, Rect, String
from reportlab.graphics.widgetbase import Widget
from reportlab.pdfbase.pdfmetrics import stringWidth

from veru_desk.reports.charts import LABEL_SHARE, bar_chart, donut_chart, line_chart, wrap_label
from veru_desk.reports.styles import CONTENT_WIDTH, FONT

HEALTH = "Health (incl. hospital / A&E navigation)"
SUPPORT = [
    HEALTH,
    "Education, training and employment support",
    "Emotional wellbeing and mental health support including a CAMHS referral",
    "Housing",
    "Family",
]


def _shapes(node: Any) -> list[Any]:
    """Every primitive shape a drawing draws, widgets expanded."""
    found: list[Any] = []
    for item in getattr(node, "contents", []):
        if isinstance(item, Widget):
            drawn = item.draw()
            found += _shapes(drawn) if isinstance(drawn, Group) else [drawn]
        elif isinstance(item, Group):
            found += _shapes(item)
        else:
            found.append(item)
    return found


def _markers(drawing: Drawing) -> list[Circle]:
    return [shape for shape in _shapes(drawing) if isinstance(shape, Circle)]


def _lines_drawn(drawing: Drawing) -> list[PolyLine]:
    """Poly-lines that join two or more distinct points (a line a reader sees)."""
    joined = []
    for shape in _shapes(drawing):
        if isinstance(shape, PolyLine):
            points = list(zip(shape.points[::2], shape.points[1::2], strict=True))
            if len(set(points)) >= 2:
                joined.append(shape)
    return joined


def _texts(drawing: Drawing) -> list[str]:
    return [shape.text for shape in _shapes(drawing) if isinstance(shape, String)]


def test_a_single_wellbeing_score_is_one_dot_and_no_line() -> None:
    drawing = line_chart([(dt.date(2026, 3, 4), 7.0)], "Wellbeing", value_min=0, value_max=10)
    assert len(_markers(drawing)) == 1
    assert _lines_drawn(drawing) == []
    texts = _texts(drawing)
    # Only the day recorded is named on the axis: no invented 03/03 or 05/03.
    assert "04/03/2026" in texts
    assert "03/03/2026" not in texts and "05/03/2026" not in texts
    assert texts.count("7") == 1  # the value beside the dot (the axis says 6 and 8)


def test_a_line_chart_plots_exactly_the_recorded_points_in_date_order() -> None:
    points = [
        (dt.date(2026, 5, 2), 4.0),
        (dt.date(2026, 3, 4), 6.0),
        (dt.date(2026, 3, 18), 7.0),
    ]
    drawing = line_chart(points, "Wellbeing", value_min=0, value_max=10)
    markers = _markers(drawing)
    assert len(markers) == 3
    (line,) = _lines_drawn(drawing)
    assert len(line.points) == 6  # three (x, y) pairs, nothing added either side
    xs = [marker.cx for marker in markers]
    assert xs == sorted(xs)
    # Spaced by the days between them: 14 days then 45 days.
    assert abs((xs[2] - xs[1]) / (xs[1] - xs[0]) - 45 / 14) < 0.01


def test_bar_labels_print_whole_on_up_to_two_lines() -> None:
    drawing = bar_chart(SUPPORT, [12, 30, 2, 4, 9], "Support offered", width=CONTENT_WIDTH)
    texts = _texts(drawing)
    assert not any("…" in text for text in texts), texts
    printed = " ".join(texts)
    for label in SUPPORT:
        wrapped = wrap_label(label, CONTENT_WIDTH * LABEL_SHARE)
        assert len(wrapped) <= 2
        assert " ".join(wrapped) == label
        assert all(line in texts for line in wrapped), (label, texts)
    assert HEALTH in printed
    # Every label line fits the space left of the bars.
    widest = max(stringWidth(text, FONT, 7) for text in texts if text not in ("2", "4"))
    assert widest <= CONTENT_WIDTH * LABEL_SHARE + 0.01


def test_only_a_label_longer_than_two_full_lines_is_shortened() -> None:
    lines = wrap_label("word " * 200, 100)
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    wrapped = wrap_label(HEALTH, 90)
    assert len(wrapped) == 2 and " ".join(wrapped) == HEALTH


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_donut_labels_never_overlap_even_for_thin_slices() -> None:
    labels = [
        "Police",
        "School",
        "Self-referral",
        "Parent or carer",
        "Health",
        "Youth offending team",
        "Children's social care",
        "Other",
    ]
    drawing = donut_chart(labels, [40, 1, 1, 1, 2, 1, 1, 30], "Referral sources", width=400)
    strings = [shape for shape in drawing.contents if isinstance(shape, String)]
    boxes = [shape.getBounds() for shape in strings]
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            assert not _overlap(box, other), (box, other)
    texts = [shape.text for shape in strings]
    for label in labels:
        assert any(text.startswith(f"{label} — ") for text in texts), (label, texts)
    assert "Police — 40 (52%)" in texts
    # Each key row has a swatch; the last slice, beside the first at the top, differs from it.
    swatches = [shape for shape in drawing.contents if isinstance(shape, Rect)]
    assert len(swatches) == len(labels)
    assert swatches[-1].fillColor != swatches[0].fillColor


def test_a_chart_under_its_own_heading_can_leave_out_its_title() -> None:
    points = [(dt.date(2026, 3, 4), 6.0)]
    for make in (
        lambda titled: line_chart(points, "Self-rated wellbeing", titled=titled),
        lambda titled: bar_chart(SUPPORT, [1, 2, 3, 4, 5], "Self-rated wellbeing", titled=titled),
        lambda titled: donut_chart(SUPPORT, [1, 2, 3, 4, 5], "Self-rated wellbeing", titled=titled),
    ):
        with_title, without = make(True), make(False)
        assert "Self-rated wellbeing" in _texts(with_title)
        assert "Self-rated wellbeing" not in _texts(without)
        assert without.height < with_title.height  # no empty band where the title was


def test_many_two_line_labels_still_fit_a_page_the_smallest_summed_as_one() -> None:
    labels = [f"Agency number {n} with a name long enough to need two lines" for n in range(60)]
    values = [float(n + 1) for n in range(60)]
    drawing = bar_chart(labels, values, "Referrals by agency", width=CONTENT_WIDTH)
    assert drawing.height <= 600
    texts = " ".join(_texts(drawing))
    assert "Agency number 59 with a name long enough to need two lines" in texts
    assert "others (see the table)" in texts
    assert "…" not in texts


def test_labels_in_any_script_print_in_a_page_with_no_empty_box() -> None:
    import io

    import pypdf

    from veru_desk.reports.styles import build_marked_pdf

    from .test_scripts import _notdef_glyphs

    sources = ["Bedfordshire Police", "مسجد النور", "গুরুদুয়ারা কমিটি", "Self-referral 🙂"]
    story = [
        bar_chart(sources, [5, 3, 2, 1], "Referrals by source", width=CONTENT_WIDTH),
        donut_chart(sources, [5, 3, 2, 1], "Referrals by source", width=CONTENT_WIDTH),
    ]
    target = io.BytesIO()
    build_marked_pdf(target, story, title="Charts", author="VERU", subject="T", marking="OFFICIAL")
    reader = pypdf.PdfReader(target)
    assert _notdef_glyphs(reader) == 0
    printed = " ".join(page.extract_text() for page in reader.pages)
    assert "Bedfordshire Police" in printed
    assert "[U+1F642]" in printed
    assert "Some characters could not be printed" in printed
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert {"NotoNaskhArabic-Regular", "NotoSansBengali-Regular"} <= fonts


def test_a_key_row_with_an_arabic_name_keeps_its_count_on_the_right() -> None:
    drawing = donut_chart(["مسجد النور", "Police"], [3, 8], "Sources", width=400)
    strings = [shape for shape in drawing.contents if isinstance(shape, String)]
    (count,) = [shape for shape in strings if "(27%)" in shape.text]
    # Not ")%27( 3 —" to the left of the name, as the bidirectional rules would otherwise
    # have it after Arabic letters: the name is isolated.
    assert count.text == " — 3 (27%)"
    name = [shape for shape in strings if shape.y == count.y and shape is not count]
    assert name and all(part.x < count.x for part in name)
