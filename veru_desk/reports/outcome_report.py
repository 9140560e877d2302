"""The outcome report for the board and funders: PDF with charts, or CSV and Excel.

The figures come from ``services.reports`` already counted; this module only lays them out,
so the PDF, the spreadsheets and the Reports screen show the same numbers from one source.
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
    CONTENT_WIDTH,
    FONT,
    MUTED_SMALL,
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
    figure_tables,
)
from veru_desk.services.settings import OrgSettings

FORMATS = (".pdf", ".csv", ".xlsx")
BAR_CHARTS = {
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
) -> int:
    """Writes the PDF; returns its number of pages."""
    register_fonts()
    generated_at = generated_at or dt.datetime.now().replace(microsecond=0)
    story: list[Flowable] = _cover(figures, org, generated_by, generated_at)
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
) -> Path:
    """Counts (unless ``figures`` were already counted for a preview) and writes the report
    in the format its file name asks for (.pdf, .csv or .xlsx), then audits the export."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValidationError({"output": f"Name the file .pdf, .csv or .xlsx (got '{path.name}')."})
    counted = (
        figures
        if figures is not None
        else services.reports.figures(period, worker_id, agency_id, reason, progress=progress)
    )
    org = services.settings.get_org()
    path = path.resolve()

    def write(temp: Path) -> None:
        if suffix == ".pdf":
            render_outcome_report(counted, org, temp, services.actor.display_name)
        elif suffix == ".csv":
            write_csv(figure_tables(counted), temp, report_heading(counted, org.name))
        else:
            write_xlsx(figure_tables(counted), temp, report_heading(counted, org.name))

    # Audited only once the file is in its place; taken away again if the audit fails.
    write_then_record(
        [(path, write)],
        lambda: services.reports.record_export(counted.period, counted.filters, str(path)),
    )
    return path


def _cover(
    figures: OutcomeFigures, org: OrgSettings, generated_by: str, generated_at: dt.datetime
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
    return [
        top,
        Spacer(1, 3 * mm),
        facts,
        para(
            "Counts of young people and episodes only; no young person is named. Small numbers "
            "can still identify someone: check before publishing outside the partnership.",
            MUTED_SMALL,
        ),
    ]


def _section(table: FigureTable) -> list[Flowable]:
    numeric = [
        index
        for index in range(len(table.columns))
        if index > 0
        and all(isinstance(row[index], int | float) or row[index] == "" for row in table.rows)
    ]
    first = CONTENT_WIDTH * (0.5 if len(table.columns) <= 3 else 0.28)
    rest = (CONTENT_WIDTH - first) / max(len(table.columns) - 1, 1)
    widths = [first] + [rest] * (len(table.columns) - 1)
    if table.key in ("risk_change", "education_change"):
        widths = [CONTENT_WIDTH * 0.42, CONTENT_WIDTH * 0.42, CONTENT_WIDTH * 0.16]
    parts: list[Flowable] = [*heading(table.title)]
    if table.rows:
        parts.append(
            data_table(
                table.columns,
                table.rows,
                widths,
                numeric_columns=numeric,
                total_row=table.total,
            )
        )
    else:
        parts.append(para("Nothing to count in this period.", MUTED_SMALL))
    if table.note:
        parts.append(para(table.note, MUTED_SMALL))
    chart = _chart(table)
    story: list[Flowable] = [KeepTogether(parts)] if len(table.rows) < 25 else parts
    if chart is not None:
        story += [Spacer(1, 2 * mm), KeepTogether([chart])]
    return story


def _chart(table: FigureTable) -> Flowable | None:
    rows = table.rows[:-1] if table.total else table.rows
    labels = [str(row[0]) for row in rows]
    values = [float(row[1]) for row in rows if isinstance(row[1], int | float)]
    if len(values) != len(labels) or not any(values):
        return None
    if table.key in BAR_CHARTS:
        return bar_chart(labels, values, table.title, width=CONTENT_WIDTH)
    if table.key in DONUT_CHARTS:
        return donut_chart(labels, values, table.title, width=CONTENT_WIDTH)
    return None
