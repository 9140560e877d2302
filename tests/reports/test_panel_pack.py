"""A panel meeting from agenda to pack (SCENARIOS.md 4 and 9): the cases on the agenda, each
under its sharing decision, made into one combined PDF or one per case; the last meeting's
actions with their status on the cover; every case's export recorded and the pack audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.conftest import Team
from tests.services.conftest import allocated_case, as_aisha, case_factory  # noqa: F401  (fixtures)
from tests.sharing_helpers import decide
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, DocumentExport, SharingDecision, YoungPerson
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.panels import (
    ActionInput,
    AttendeeInput,
    DiscussionInput,
    MeetingInput,
    PanelType,
)
from veru_desk.reports.panel_pack import make_pack
from veru_desk.services import Services
from veru_desk.services.summary import SharingProfile


def text_of(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def at(days: int) -> dt.datetime:
    return dt.datetime.combine(dt.date.today() + dt.timedelta(days=days), dt.time(10))


def panel(days: int) -> MeetingInput:
    return MeetingInput(
        held_at=at(days),
        panel_type=PanelType.MACE,
        title="Luton exploitation panel",
        chair="Priya Raghunathan",
        attendees=(
            AttendeeInput("DS Funmilayo Adebayo", "Bedfordshire Police", "Exploitation lead"),
            AttendeeInput("Siobhán Ní Mhurchú", "Luton Children's Social Care", "Team manager"),
        ),
        next_meeting_on=(dt.date.today() + dt.timedelta(days=days + 28)),
    )


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The folder the pack is saved in (the test's database is in ``tmp_path``)."""
    folder = tmp_path / "pack"
    folder.mkdir()
    return folder


@pytest.fixture
def two_meetings(
    as_manager: Services,
    as_dariusz: Services,
    allocated_case: int,  # noqa: F811  (the fixture imported above)
    case_factory: Callable[..., int],  # noqa: F811
    team: Team,
) -> tuple[int, int, int]:
    """Last month's panel discussed Łukasz (two actions: one done, one overdue); this week's
    has him and Chiamaka on the agenda. Returns (next meeting, Łukasz, Chiamaka)."""
    chiamaka = case_factory("Chiamaka", "Okonkwo", worker_id=team.dariusz.user_id)
    last = as_manager.panels.create(panel(-30))
    item_id = as_dariusz.panels.add_case(last, allocated_case)
    version = as_dariusz.panels.get(last).items[0].version
    today = dt.date.today()
    as_dariusz.panels.record_discussion(
        item_id,
        DiscussionInput(
            summary="Seen with older males at Bury Park; two missing episodes.",
            decision="Refer to the National Referral Mechanism.",
            actions=(
                ActionInput(
                    "Share intelligence on the grey Audi",
                    "DS Funmilayo Adebayo",
                    "Bedfordshire Police",
                    today - dt.timedelta(days=20),
                    done_on=today - dt.timedelta(days=22),
                ),
                ActionInput(
                    "Strategy meeting with the school",
                    "Siobhán Ní Mhurchú",
                    "Luton Children's Social Care",
                    today - dt.timedelta(days=2),
                ),
            ),
        ),
        version,
    )
    coming = as_manager.panels.create(panel(2))
    as_dariusz.panels.add_case(coming, allocated_case)
    as_dariusz.panels.add_case(coming, chiamaka)
    return coming, allocated_case, chiamaka


def test_a_combined_multi_agency_pack_from_agenda_to_pdf(
    as_dariusz: Services, two_meetings: tuple[int, int, int], out: Path, db: Database
) -> None:
    coming, lukasz, chiamaka = two_meetings
    with pytest.raises(ValidationError) as refused:
        make_pack(as_dariusz, coming, out, SharingProfile.MULTI_AGENCY, combined=True)
    assert "Record a sharing decision first" in refused.value.fields["sharing"]
    assert list(out.iterdir()) == []  # nothing drawn before every decision is ready

    for person in (lukasz, chiamaka):
        decide(as_dariusz, person)
    made = make_pack(as_dariusz, coming, out, SharingProfile.MULTI_AGENCY, combined=True)
    [path] = made.paths
    pages = text_of(path)
    assert len(pages) == made.pages > 3
    cover = pages[0]
    with db.read() as session:
        refs = dict(
            session.execute(select(DocumentExport.young_person_id, DocumentExport.filename)).all()
        )
    assert set(refs) == {lukasz, chiamaka} and set(refs.values()) == {str(path)}
    with db.read() as session:
        case_refs = {p.id: p.case_ref for p in session.scalars(select(YoungPerson))}
    # The agenda by reference only; the last meeting's actions with their status.
    assert case_refs[lukasz] in cover and case_refs[chiamaka] in cover
    assert "Łukasz" not in cover and "Chiamaka" not in cover
    whole_cover = "\n".join(pages[:2])
    assert "Share intelligence on the grey Audi" in whole_cover and "Done" in whole_cover
    assert "Strategy meeting with the school" in whole_cover and "Overdue" in whole_cover
    assert "not discussed at an earlier panel" in whole_cover
    assert all("OFFICIAL-SENSITIVE" in page for page in pages)
    assert all("Do not forward" in page for page in pages)
    # Each summary follows, under its own decision, marked as used by its export.
    assert sum(f"Case summary {ref}" in page for ref in case_refs.values() for page in pages) == 2
    with db.read() as session:
        used = session.scalars(select(SharingDecision.document_export_id)).all()
        assert len(used) == 2 and None not in used
        exported = session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
        ).all()
    pack_rows = [e for e in exported if e.entity_type == "panel_meeting"]
    assert len(pack_rows) == 1 and pack_rows[0].username == "dariusz"
    assert {e.young_person_id for e in exported if e.entity_type == "document_export"} == {
        lukasz,
        chiamaka,
    }


def test_the_units_own_pack_is_one_pdf_per_case_and_names_the_young_people(
    as_manager: Services, two_meetings: tuple[int, int, int], out: Path, db: Database
) -> None:
    coming, lukasz, chiamaka = two_meetings
    made = make_pack(as_manager, coming, out, SharingProfile.FULL, combined=False)
    assert len(made.paths) == 3 and all(p.exists() for p in made.paths)
    cover = "\n".join(text_of(made.paths[0]))
    assert "Łukasz Wiśniewski" in cover and "Chiamaka Okonkwo" in cover
    assert "Do not forward" not in cover
    with db.read() as session:
        rows = session.scalars(select(DocumentExport).order_by(DocumentExport.id)).all()
    assert [r.young_person_id for r in rows] == [lukasz, chiamaka]
    assert [Path(r.filename or "").name for r in rows] == [p.name for p in made.paths[1:]]
    assert all(r.pages and r.pages >= 2 for r in rows)


def test_a_caseworkers_pack_holds_only_their_cases(
    as_manager: Services,
    as_aisha: Services,  # noqa: F811
    two_meetings: tuple[int, int, int],
    out: Path,
) -> None:
    coming, _lukasz, _chiamaka = two_meetings
    with pytest.raises(ValidationError, match="None of the cases"):
        make_pack(as_aisha, coming, out, SharingProfile.FULL, combined=True)
    assert list(out.iterdir()) == []
