"""The outcome report for the board and funders: PDF with charts, or CSV and Excel.

The figures come from ``services.outcome_figures`` already counted and suppressed (small
numbers as "<5"); this module only lays them out, so the PDF, the spreadsheets and the
Reports screen show the same numbers from one source. The manager's commentary, when given,
is printed on the first page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from veru_desk.domain.dates import format_uk_datetime
from veru_desk.domain.enums import ReferralReason
from veru_desk.domain.errors import ValidationError
from veru_desk.reports.case_summary import logo_flowable
from veru_desk.reports.charts import bar_chart, donut_chart
from veru_desk.reports.styles import (
    BODY,
    CONTENT_WIDTH,
    FONT,
    MUTED_SMALL,
    SUBHEADING,
    SUBTITLE,
    TITLE,
    build_marked_pdf,
    data_table,
    heading,
    key_value_table,
    para,
    register_fonts,
)
from veru_desk.reports.tabular import report_heading, write_csv, write_xlsx
from veru_desk.services import Services
from veru_desk.services.exports import write_then_record
from veru_desk.services.outcome_figures import (
    FigureTable,
    OutcomeFigures,
    ReportPeriod,
    Targets,
    figure_tables,
)
from veru_desk.services.settings import OrgSettings

FORMATS = (".pdf", ".csv", ".xlsx")
MARKERS = {"<5", "*", "n/a", ""}
COMMENTARY_LIMIT = 4000  # characters: about half a page
BAR_CHARTS = {
    "funnel",
    "referrals_by_source",
    "referrals_by_reason",
    "caseload",
    "closures",
    "age_bands",
    "ethnicity",
}
DONUT_CHARTS = {"decisions", "goals", "gender"}


def render_outcome_report(
    figures: OutcomeFigures,
    org: OrgSettings,
    target: str | Path | IO[bytes],
    generated_by: str,
    generated_at: dt.datetime | None = None,
    commentary: str = "",
) -> int:
    """Writes the PDF; returns its number of pages. ``commentary`` (the manager's, optional)
    is printed on the first page under the report's facts."""
    register_fonts()
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    story: list[Flowable] = _cover(figures, org, generated_by, generated_at, commentary)
    for table in figure_tables(figures):
        story += _section(table)
    return build_marked_pdf(
        target,
        story,
        title=f"Outcome report {figures.period.text}",
        author=org.name,
        subject=f"Outcome report ({org.marking})",
        marking=org.marking,
        footer_left=f"Outcome report {figures.period.text}",
    )


def export_outcome_report(
    services: Services,
    path: Path,
    period: ReportPeriod,
    *,
    worker_id: int | None = None,
    agency_id: int | None = None,
    reason: ReferralReason | None = None,
    progress: Callable[[int, int], bool] | None = None,
    figures: OutcomeFigures | None = None,
    commentary: str = "",
    targets: Targets | None = None,
) -> Path:
    """Counts (unless ``figures`` were already counted for a preview) and writes the report
    in the format its file name asks for (.pdf, .csv or .xlsx), then audits the export.
    ``commentary`` is the manager's own text, printed on the first page (and above the
    tables of a spreadsheet)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError({"output": f"Name the file .pdf, .csv or .xlsx (got '{path.name}')."})
    commentary = clean_commentary(commentary)
    counted = (
        figures
        if figures is not None
        else services.reports.figures(
            period, worker_id, agency_id, reason, progress=progress, targets=targets
        )
    )
    org = services.settings.get_org()
    path = path.resolve()

    def write(temp: Path) -> None:
        heading = report_heading(counted, org.name, commentary)
        if suffix == ".pdf":
            render_outcome_report(
                counted, org, temp, services.actor.display_name, commentary=commentary
            )
        elif suffix == ".csv":
            write_csv(figure_tables(counted), temp, heading)
        else:
            write_xlsx(figure_tables(counted), temp, heading)

    # Audited only once the file is in its place; taken away again if the audit fails.
    write_then_record(
        [(path, write)],
        lambda: services.reports.record_export(counted.period, counted.filters, str(path)),
    )
    return path


def clean_commentary(text: str) -> str:
    """The commentary as it will print: line ends made plain, surrounding space trimmed;
    refused when longer than fits on the first page."""
    cleaned = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()
    if len(cleaned) > COMMENTARY_LIMIT:
        raise ValidationError(
            {
                "commentary": f"The commentary is {len(cleaned):,} characters; keep it to "
                f"{COMMENTARY_LIMIT:,} so it fits on the first page."
            }
        )
    return cleaned


def _cover(
    figures: OutcomeFigures,
    org: OrgSettings,
    generated_by: str,
    generated_at: dt.datetime,
    commentary: str = "",
) -> list[Flowable]:
    logo = logo_flowable(org)
    top = Table(
        [[logo, [para(org.name, SUBTITLE), para("Outcome report", TITLE)]]],
        colWidths=[logo.drawWidth + 5 * mm, None],
        hAlign="LEFT",
    )
    top.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    facts = key_value_table(
        [
            ("Period", figures.period.text),
            ("Filters", "; ".join(figures.filters) or "None: the whole unit"),
            ("Generated", f"{format_uk_datetime(generated_at)} by {generated_by}"),
        ]
    )
    story: list[Flowable] = [
        top,
        Spacer(1, 3 * mm),
        facts,
        para(
            "Counts of young people and episodes only; no young person is named. Counts from "
            "1 to 4 are shown as \u201c<5\u201d, and numbers that would let them be worked "
            "out from a total are withheld (\u201c*\u201d), as are rates and medians resting "
            "on them; \u201cn/a\u201d marks a figure that cannot be computed, with the reason "
            "under its table.",
            MUTED_SMALL,
        ),
    ]
    if commentary:
        paragraphs = [p for p in commentary.split("\n\n") if p.strip()]
        story += [
            Spacer(1, 4 * mm),
            *heading("Manager\u2019s commentary", SUBHEADING, then=para(paragraphs[0], BODY)),
            *[part for p in paragraphs[1:] for part in (Spacer(1, 2 * mm), para(p, BODY))],
            para(
                f"Commentary by {generated_by}, who produced this report.",
                MUTED_SMALL,
            ),
        ]
    return story


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _section(table: FigureTable) -> list[Flowable]:
    numeric = [
        index
        for index in range(len(table.columns))
        if index > 0
        and all(_is_number(row[index]) or row[index] in MARKERS for row in table.rows)
        and any(_is_number(row[index]) or row[index] in MARKERS - {""} for row in table.rows)
    ]
    columns = len(table.columns)
    first = CONTENT_WIDTH * (0.5 if columns <= 3 else 0.4 if columns <= 4 else 0.28)
    rest = (CONTENT_WIDTH - first) / max(columns - 1, 1)
    widths = [first] + [rest] * (columns - 1)
    if table.key in ("risk_change", "education_change"):
        widths = [CONTENT_WIDTH * 0.42, CONTENT_WIDTH * 0.42, CONTENT_WIDTH * 0.16]
    body: Flowable
    if table.rows:
        body = data_table(
            table.columns,
            [[_printed(v) for v in row] for row in table.rows],
            widths,
            numeric_columns=numeric,
            total_row=table.total,
            caption=table.title,
        )
    else:
        body = para("Nothing to count in this period.", MUTED_SMALL)
    story: list[Flowable] = [*heading(table.title, then=body)]
    if table.note:
        story.append(para(table.note, MUTED_SMALL))
    chart = _chart(table)
    if chart is not None:
        # One KeepTogether: one nested in another reports an endless height, and the chart
        # would start a new page with room to spare on this one.
        story += [Spacer(1, 2 * mm), KeepTogether(chart)]
    return story


def _printed(value: object) -> object:
    """Thousands separated (1,154) as the Reports page shows them; text as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return value


def _chart(table: FigureTable) -> list[Flowable] | None:
    """Bars (or a donut) of the table's shown counts: a hidden count ("<5", "*") has no bar,
    and the chart says so, so it never draws a number the table withholds."""
    rows = table.rows[:-1] if table.total else table.rows
    shown = [(str(row[0]), float(row[1])) for row in rows if _is_number(row[1])]  # type: ignore[arg-type]  # a number, checked
    hidden = len(rows) - len(shown)
    if not shown or not any(v for _, v in shown):
        return None
    labels, values = [label for label, _ in shown], [v for _, v in shown]
    drawing: Flowable
    if table.key in BAR_CHARTS:
        drawing = bar_chart(labels, values, table.title, width=CONTENT_WIDTH, titled=False)
    elif table.key in DONUT_CHARTS and not hidden:
        drawing = donut_chart(labels, values, table.title, width=CONTENT_WIDTH, titled=False)
    else:
        return None
    if not hidden:
        return [drawing]
    return [
        drawing,
        para(
            f"{hidden} {'row is' if hidden == 1 else 'rows are'} not drawn: "
            "the number is under 5 or withheld.",
            MUTED_SMALL,
        ),
    ]
