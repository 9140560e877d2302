"""The readable half of a subject access export: everything held about a young person, in
words, on marked and numbered A4 pages. The data comes ready-made from
``services.subject_access`` (the same content as the JSON file); this module only lays it out.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.reports.styles import (
    BODY,
    HEADING,
    NOTICE,
    SUBHEADING,
    SUBTITLE,
    TITLE,
    build_marked_pdf,
    data_table,
    heading,
    key_value_table,
    register_fonts,
    rich,
    text,
)
from veru_desk.services import Services
from veru_desk.services.subject_access import Item, SubjectAccessData, SubjectAccessResult


def export_subject_access(
    services: Services,
    person_id: int,
    json_path: Path,
    pdf_path: Path,
    withheld: dict[str, str] | None = None,
) -> SubjectAccessResult:
    """What the UI and the command line call: both files, the Exports row and the audit."""
    return services.subject_access.export(
        person_id, json_path, pdf_path, withheld, render_pdf=render_subject_access
    )


def render_subject_access(data: SubjectAccessData, target: str | Path | IO[bytes]) -> int:
    """Draws the document; returns the number of pages."""
    register_fonts()  # paragraphs resolve their fonts as they are made
    story: list[Flowable] = [
        Paragraph(text("Subject access: records held about a young person"), TITLE),
        Paragraph(
            text(
                f"{data.org.name} · case {data.case_ref} · prepared "
                f"{format_uk_datetime(data.generated_at)} by {data.generated_by}"
            ),
            SUBTITLE,
        ),
        Paragraph(
            text(
                "This document lists everything the unit holds about you in its case "
                "records, including who looked at or changed them. A machine-readable copy "
                "(JSON) with the same content comes with it."
            ),
            NOTICE,
        ),
    ]
    if data.withheld:
        story.extend(heading("Withheld items", HEADING))
        story.append(
            Paragraph(
                text(
                    f"{len(data.withheld)} item(s) are withheld. Each is listed where it "
                    "would appear, with the reason."
                ),
                BODY,
            )
        )
        story.append(
            data_table(
                ["Item", "Reason"],
                sorted(data.withheld.items()),
                [40 * mm, 134 * mm],
            )
        )
    for title, items in data.sections:
        story.extend(heading(title, HEADING))
        if not items:
            story.append(Paragraph(text("None recorded."), BODY))
        for item in items:
            story.extend(_item(item))
    return build_marked_pdf(
        target,
        story,
        title=f"Subject access export {data.case_ref}",
        author=data.org.name,
        subject="Subject access export",
        marking=data.org.marking,
        footer_left=f"Subject access · {data.case_ref}",
    )


def _item(item: Item, within: str = "") -> list[Flowable]:
    """A record's heading and values, then its nested records, each headed with the record
    they belong to (``Referral received 03/02/2026 › Accepted on 05/02/2026``)."""
    title = f"{within} › {item.title}" if within else item.title
    named = Paragraph(f"{text(title)} <font size='7'>({text(item.key)})</font>", SUBHEADING)
    if item.withheld_reason is not None:
        body = rich(f"<b>Withheld.</b> {text(item.withheld_reason)}", BODY)
        return [KeepTogether([named, body]), Spacer(1, 1.5 * mm)]
    # The heading is the table's first row, repeated on each page a long record runs onto.
    table = key_value_table(item.fields, title=named) if item.fields else named
    flowables: list[Flowable] = [KeepTogether([table]), Spacer(1, 1.5 * mm)]
    for _child_heading, children in item.children:
        for child in children:
            flowables.extend(_item(child, title))
    return flowables
