"""A panel meeting's pack: a cover with the agenda and, for each case, what the last meeting
that discussed it agreed and whether it was done; then each case's summary.

The summaries are the case summary export itself (``services.summary`` gathers and cuts each
to its sharing decision; ``reports.case_summary`` lays it out): a pack never holds a second,
different summary of a young person. Every case's summary is recorded as that case's export
(its Exports tab, its sharing decision used, the audit trail), and the pack as a whole is
audited against the meeting.

A multi-agency pack names the cases on its cover by reference only (names are on each
summary, under its own sharing decision); the unit's own pack (the full profile) names them.
Every sharing decision is checked before anything is drawn: a case without one ready stops
the pack and says which.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.panels import ActionStatus
from veru_desk.domain.sharing import handling_instruction
from veru_desk.reports.case_summary import logo_flowable, render_case_summary, summary_story
from veru_desk.reports.styles import (
    BOTTOM_MARGIN,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    MARGIN,
    NOTICE,
    SUBHEADING,
    SUBTITLE,
    TITLE,
    build_marked_pdf,
    data_table,
    heading,
    key_value_table,
    para,
    rich,
)
from veru_desk.services import Services
from veru_desk.services.exports import write_then_record
from veru_desk.services.panels import MeetingView, PackCase
from veru_desk.services.settings import OrgSettings
from veru_desk.services.summary import CaseSummaryData, PreparedFor, SharingProfile

STATUS_WORDS = {
    ActionStatus.DONE: "Done",
    ActionStatus.OPEN: "Open",
    ActionStatus.OVERDUE: "Overdue",
}


@dataclass(frozen=True)
class PackExport:
    paths: tuple[Path, ...]
    pages: int
    export_ids: tuple[int, ...]


@dataclass(frozen=True)
class PackCover:
    """What the cover prints: the meeting, and each case with last time's actions."""

    meeting: MeetingView
    cases: tuple[PackCase, ...]
    profile: SharingProfile
    org: OrgSettings
    generated_at: dt.datetime
    generated_by: str
    today: dt.date


def make_pack(
    services: Services,
    meeting_id: int,
    folder: Path,
    profile: SharingProfile,
    *,
    combined: bool,
    progress: Callable[[int, int, str], None] | None = None,
) -> PackExport:
    """Writes the pack into ``folder`` (one combined PDF, or a cover and one PDF per case)
    and records every case's export and the pack's; the files exist only if it is recorded."""
    report = progress or (lambda done, total, text: None)
    meeting = services.panels.details(meeting_id)
    cases = tuple(services.panels.pack_cases(meeting_id))
    if not cases:
        raise ValidationError(
            {
                "cases": "None of the cases on this meeting's agenda are yours to share: add a "
                "case first (or ask a manager to make the pack)."
            }
        )
    total = len(cases) + 2
    prepared = PreparedFor(meeting.title, meeting.held_at.date())
    gathered: list[CaseSummaryData] = []
    for index, case in enumerate(cases):
        report(index, total, f"Reading {case.case_ref}")
        try:
            gathered.append(
                services.summary.gather(case.person_id, profile, prepared, for_export=True)
            )
        except ValidationError as refused:
            # The case's own refusal ("record a sharing decision first"), said of this case.
            raise ValidationError(
                {"sharing": f"{case.case_ref}: {' '.join(refused.fields.values())}"}
            ) from refused
    cover = PackCover(
        meeting=meeting,
        cases=cases,
        profile=profile,
        org=gathered[0].org,
        generated_at=dt.datetime.now().replace(microsecond=0),
        generated_by=services.actor.display_name,
        today=dt.date.today(),
    )
    report(len(cases), total, "Laying out the pages")
    folder = folder.resolve()
    stem = pack_stem(meeting, profile)
    pages_of: dict[int, int] = {}
    files: list[tuple[Path, Callable[[Path], object]]] = []
    if combined:
        combined_path = folder / f"{stem}.pdf"

        def draw_all(temp: Path) -> None:
            pages_of.update(render_combined(cover, gathered, temp))

        files.append((combined_path, draw_all))
        paths: list[Path] = [combined_path]
    else:
        cover_path = folder / f"{stem} - agenda.pdf"

        def draw_cover(temp: Path) -> None:
            pages_of[0] = render_cover(cover, temp)

        files.append((cover_path, draw_cover))
        paths = [cover_path]
        for data in gathered:
            path = folder / f"{stem} - {data.case_ref}.pdf"

            def draw_one(temp: Path, data: CaseSummaryData = data) -> None:
                pages_of[data.person_id] = render_case_summary(data, temp)

            files.append((path, draw_one))
            paths.append(path)

    def record() -> tuple[int, ...]:
        report(len(cases) + 1, total, "Recording the exports")
        ids = []
        for data in gathered:
            where = paths[0] if combined else folder / f"{stem} - {data.case_ref}.pdf"
            ids.append(
                services.summary.record_export(
                    data.person_id,
                    profile,
                    prepared,
                    str(where),
                    pages_of.get(data.person_id, 0),
                    decision_id=data.sharing.id if data.sharing else None,
                ).id
            )
        services.panels.record_pack(
            meeting_id,
            profile=profile.label.lower(),
            combined=combined,
            filenames=[p.name for p in paths],
            case_refs=[d.case_ref for d in gathered],
            pages=pages_of.get(0, 0) + sum(v for k, v in pages_of.items() if k != 0),
        )
        return tuple(ids)

    ids = write_then_record(files, record)
    report(total, total, "Done")
    return PackExport(
        paths=tuple(paths),
        pages=pages_of.get(0, 0) + sum(v for k, v in pages_of.items() if k != 0),
        export_ids=ids,
    )


def pack_stem(meeting: MeetingView, profile: SharingProfile) -> str:
    """``Luton complex case panel 2026-03-12 pack (multi-agency)``: no case in the name."""
    name = re.sub(r'[\\/:*?"<>|]+', " ", meeting.title).strip() or "Panel"
    return f"{' '.join(name.split())} {meeting.held_at.date().isoformat()} pack ({profile.value})"


def render_cover(cover: PackCover, target: str | Path | IO[bytes]) -> int:
    """The agenda on its own (the pack as one PDF per case); returns its pages."""
    return build_marked_pdf(
        target,
        cover_story(cover),
        title=f"Panel pack: {cover.meeting.label}",
        author=cover.org.name,
        subject=f"Panel pack agenda ({cover.org.marking})",
        marking=cover.org.marking,
        footer_left=_footer(cover),
        on_page=_handling(cover, []),
    )


def render_combined(
    cover: PackCover, summaries: list[CaseSummaryData], target: str | Path | IO[bytes]
) -> dict[int, int]:
    """The cover and every summary in one PDF, each summary from a new page. Returns the
    pages of each part: 0 for the cover, and each case's person id."""
    starts: list[tuple[int, int]] = []
    story: list[Flowable] = [_PartStart(0, starts), *cover_story(cover)]
    for data in summaries:
        story += [PageBreak(), _PartStart(data.person_id, starts), *summary_story(data)]
    total = build_marked_pdf(
        target,
        story,
        title=f"Panel pack: {cover.meeting.label}",
        author=cover.org.name,
        subject=f"Panel pack ({cover.org.marking})",
        marking=cover.org.marking,
        footer_left=_footer(cover),
        on_page=_handling(cover, summaries),
    )
    pages: dict[int, int] = {}
    for index, (part, first) in enumerate(starts):
        following = starts[index + 1][1] if index + 1 < len(starts) else total + 1
        pages[part] = following - first
    return pages


class _PartStart(Flowable):
    """Takes no room: notes the page a part of the pack starts on as it is drawn."""

    def __init__(self, part: int, starts: list[tuple[int, int]]) -> None:
        super().__init__()
        self.part = part
        self.starts = starts

    def wrap(self, _width: float, _height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.starts.append((self.part, self.canv.getPageNumber()))


def _footer(cover: PackCover) -> str:
    return (
        f"Panel pack · {cover.meeting.label} · {cover.profile.label} · generated "
        f"{format_uk_date(cover.generated_at.date())}"
    )


def _handling(
    cover: PackCover, summaries: list[CaseSummaryData]
) -> Callable[[Canvas, int], None] | None:
    """A multi-agency pack's every page says how to handle it: by the soonest of its
    decisions' destroy dates, so no page outlives the strictest decision in it."""
    if cover.profile is not SharingProfile.MULTI_AGENCY:
        return None
    dates = [d.sharing.destroy_after for d in summaries if d.sharing is not None]
    dates += [c.decision.destroy_after for c in cover.cases if c.decision is not None]
    if not dates:
        return None
    words = handling_instruction(min(dates))

    def draw(canvas: Canvas, _page: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 7.5)
        canvas.drawString(MARGIN, BOTTOM_MARGIN - 5 * mm, words)
        canvas.restoreState()

    return draw


def cover_story(cover: PackCover) -> list[Flowable]:
    meeting = cover.meeting
    named = cover.profile is SharingProfile.FULL
    logo = logo_flowable(cover.org)
    top = Table(
        [[logo, [para(cover.org.name, SUBTITLE), para("Panel pack", TITLE)]]],
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
            ("Meeting", meeting.title),
            ("Kind of meeting", meeting.panel_type.label),
            ("Date and time", format_uk_datetime(meeting.held_at)),
            ("Chair", meeting.chair or "Not recorded"),
            (
                "Next meeting",
                format_uk_date(meeting.next_meeting_on) if meeting.next_meeting_on else "Not set",
            ),
            ("Generated", f"{format_uk_datetime(cover.generated_at)} by {cover.generated_by}"),
            ("Sharing profile", cover.profile.label),
        ]
    )
    story: list[Flowable] = [top, Spacer(1, 3 * mm), facts]
    if named:
        story.append(
            rich(
                "<b>The unit's own pack.</b> Names young people and holds each full internal "
                "summary: for use within the unit only.",
                NOTICE,
            )
        )
    else:
        story.append(
            rich(
                "<b>Multi-agency pack.</b> Cases are listed by reference only; each summary "
                "that follows was cut to its own sharing decision, shown on its first page.",
                NOTICE,
            )
        )
    if meeting.attendees:
        rows = [[a.name, a.agency or "", a.role or ""] for a in meeting.attendees]
        story += heading(
            "Attendees",
            then=data_table(
                ["Name", "Agency", "Role"],
                rows,
                _w(0.34, 0.38, 0.28),
                caption="Attendees",
            ),
        )
    agenda_header = ["#", "Case reference", *(["Name"] if named else []), "Caseworker"]
    agenda_rows = [
        [str(n), case.case_ref, *([case.name] if named else []), case.worker or "Not allocated"]
        for n, case in enumerate(cover.cases, start=1)
    ]
    widths = _w(0.06, 0.24, 0.36, 0.34) if named else _w(0.08, 0.42, 0.5)
    story += heading(
        "Agenda", then=data_table(agenda_header, agenda_rows, widths, caption="Agenda")
    )
    story += heading("Actions from the last meeting", SUBHEADING)
    for n, case in enumerate(cover.cases, start=1):
        who = f"{n}. {case.case_ref}" + (f" ({case.name})" if named else "")
        if case.previous_meeting is None:
            story.append(para(f"{who}: not discussed at an earlier panel.", SUBTITLE))
            continue
        if not case.previous_actions:
            story.append(para(f"{who}: {case.previous_meeting} agreed no actions.", SUBTITLE))
            continue
        rows = [
            [
                action.description,
                action.owner,
                format_uk_date(action.due_on),
                STATUS_WORDS[action.status]
                + (f" ({format_uk_date(action.done_on)})" if action.done_on else ""),
            ]
            for action in case.previous_actions
        ]
        caption = f"{who}: actions agreed at {case.previous_meeting}"
        story += heading(
            caption,
            SUBTITLE,
            then=data_table(
                ["Action", "Owner", "Due", "Status"],
                rows,
                _w(0.44, 0.28, 0.12, 0.16),
                caption=caption,
            ),
        )
    return story


def _w(*parts: float) -> list[float]:
    return [CONTENT_WIDTH * p for p in parts]
