"""What a case summary gathers, what each sharing profile lets through, who may export,
and the organisation settings the documents print."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import Team
from tests.sharing_helpers import decide, meeting_day
from veru_desk.config import resolve_database
from veru_desk.db.driver import CACHE_KIB, WIDE_CACHE_KIB
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, Contact, DocumentExport
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import Attendance, AuditAction, ChronologyKind, ContactRelationship
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.mentoring import SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.settings import DEFAULT_MARKING, DEFAULT_ORG_NAME
from veru_desk.services.summary import CaseSummaryData, PreparedFor, SharingProfile

PHONE = "07700 900461"
NHS = "9434765919"
CONTACT_EMAIL = "ayse.yilmaz@example.net"
SECRET_NOTE = "Told me about an older cousin, in confidence"
SECRET_SESSION = "Spoke privately about the family's debts"


@pytest.fixture
def case(db: Database, as_dariusz: Services, allocated_case: int) -> int:
    """Łukasz's case with a phone, an NHS number, a contact and confidential notes."""
    person = as_dariusz.people.get(allocated_case)
    details = dataclasses.replace(
        person.details, phone=PHONE, nhs_number=NHS, address="17 Łódź Crescent"
    )
    as_dariusz.people.update(
        allocated_case, PersonDetails(**dataclasses.asdict(details)), person.version
    )
    with db.write() as session:
        session.add(
            Contact(
                young_person_id=allocated_case,
                name="Ayşe Yılmaz",
                relationship_to_person=ContactRelationship.MOTHER,
                email=CONTACT_EMAIL,
                phone="07700 900982",
            )
        )
    now = dt.datetime.now().replace(second=0, microsecond=0)
    as_dariusz.notes.add(
        allocated_case,
        NoteInput(now - dt.timedelta(hours=3), "Disclosure", SECRET_NOTE, confidential=True),
    )
    as_dariusz.notes.add(
        allocated_case,
        NoteInput(now - dt.timedelta(hours=2), "Call with mum", "Worried about late nights"),
    )
    as_dariusz.sessions.book(
        allocated_case,
        SessionInput(
            planned_start=now - dt.timedelta(days=1), notes=SECRET_SESSION, confidential=True
        ),
    )
    return allocated_case


def test_multi_agency_data_holds_none_of_the_withheld_values(
    as_dariusz: Services, case: int
) -> None:
    data = as_dariusz.summary.gather(case, SharingProfile.MULTI_AGENCY)
    person = data.person
    assert (person.address, person.postcode, person.phone, person.email, person.nhs_number) == (
        None, None, None, None, None,
    )  # fmt: skip
    [contact] = data.contacts
    assert (contact.name, contact.phone, contact.email, contact.address) == (
        "Ayşe Yılmaz",
        None,
        None,
        None,
    )
    everything = repr(data)
    for secret in (PHONE, NHS, CONTACT_EMAIL, "Łódź", SECRET_NOTE, SECRET_SESSION, "07700 900982"):
        assert secret not in everything
    assert "Worried about late nights" in everything  # ordinary notes are shared
    assert any("1 case note" in line for line in data.withheld)


def test_full_data_keeps_everything(as_dariusz: Services, case: int) -> None:
    data = as_dariusz.summary.gather(case, SharingProfile.FULL, PreparedFor("Supervision"))
    everything = repr(data)
    for value in (PHONE, NHS, CONTACT_EMAIL, SECRET_NOTE, SECRET_SESSION):
        assert value in everything
    assert data.withheld == []
    assert data.person.name == "Łukasz Wiśniewski"
    assert data.generated_by == "Dariusz Wójcik"


def test_a_caseworker_without_the_case_cannot_gather_or_record_it(
    db: Database, team: object, case: int
) -> None:
    aisha = Services(db, team.aisha)  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        aisha.summary.gather(case, SharingProfile.MULTI_AGENCY)
    with pytest.raises(PermissionDenied):
        aisha.summary.record_export(case, SharingProfile.FULL, None, "x.pdf", 3)
    with pytest.raises(PermissionDenied):
        aisha.exports.for_person(case)
    with db.read() as session:
        assert session.scalars(select(DocumentExport)).all() == []
        denied = session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.DENIED)
        ).all()
        assert len(denied) == 3


def test_recording_an_export_writes_the_row_and_the_audit_event_together(
    db: Database, as_dariusz: Services, case: int
) -> None:
    decide(as_dariusz, case)
    record = as_dariusz.summary.record_export(
        case,
        SharingProfile.MULTI_AGENCY,
        PreparedFor("Panel", dt.date(2026, 3, 12)),
        "/tmp/a.pdf",
        4,
    )
    [view] = as_dariusz.exports.for_person(case)
    # The meeting is the one the sharing decision names, whatever was typed.
    assert view.id == record.id and view.pages == 4
    assert view.prepared_for == f"Luton complex-case panel, {format_uk_date(meeting_day())}"
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
        ).one()
        assert event.entity_id == record.id and event.young_person_id == case


def test_sharing_profiles_parse_from_what_people_type() -> None:
    assert SharingProfile.parse("Multi agency") is SharingProfile.MULTI_AGENCY
    assert SharingProfile.parse("FULL") is SharingProfile.FULL
    with pytest.raises(ValidationError):
        SharingProfile.parse("police")


def test_organisation_settings_default_and_only_an_administrator_changes_them(
    db: Database, team: object, as_manager: Services, tmp_path: Path
) -> None:
    org = as_manager.settings.get_org()
    assert (org.name, org.logo_path, org.marking) == (DEFAULT_ORG_NAME, None, DEFAULT_MARKING)
    with pytest.raises(PermissionDenied):
        as_manager.settings.update(marking="OFFICIAL")
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as caught:
        admin.settings.update(marking="  ", logo_path=str(tmp_path / "missing.png"))
    assert set(caught.value.fields) == {"marking", "logo_path"}
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG")
    updated = admin.settings.update(name="Bedfordshire VERU", logo_path=str(logo))
    assert updated.name == "Bedfordshire VERU" and updated.logo_path == str(logo.resolve())
    assert as_manager.settings.get_org().marking == DEFAULT_MARKING
    assert admin.settings.update(clear_logo=True).logo_path is None


# --- one snapshot per document ---------------------------------------------------------------


def book_an_attended_session(person_id: int) -> Callable[[Services], object]:
    """Another PC's save: an attended session this afternoon, which also moves the case's
    last contact."""

    def save(elsewhere: Services) -> object:
        return elsewhere.sessions.book(
            person_id,
            SessionInput(
                planned_start=dt.datetime.now().replace(second=0, microsecond=0)
                - dt.timedelta(hours=5),
                attendance=Attendance.ATTENDED,
                location="Wardown Park boxing club",
                notes="Niamh Nic Giolla's trial session; he stayed to the end",
            ),
        )

    return save


@contextmanager
def saved_elsewhere_mid_read(
    db: Database,
    database_target: str,
    team: Team,
    table: str,
    save: Callable[[Services], object],
) -> Iterator[tuple[list[str], list[int], list[int]]]:
    """Another PC (its own engine and connection, signed in as the manager) makes ``save``
    the moment this one has first read ``table``: between two reads of a document being
    gathered. Yields the statement that fired it and the connections and transactions this
    one used meanwhile."""
    other = Database.open(resolve_database(database_target))
    elsewhere = Services(other, team.manager)
    fired: list[str] = []
    checkouts: list[int] = []
    begins: list[int] = []

    def after_statement(*args: Any) -> None:
        statement = str(args[2])
        if not fired and table in statement:
            fired.append(statement)
            save(elsewhere)

    listeners: list[tuple[Any, str, Callable[..., None]]] = [
        (db.engine, "after_cursor_execute", after_statement),
        (db.engine, "checkout", lambda *_args: checkouts.append(1)),
        (db.engine, "begin", lambda *_args: begins.append(1)),
    ]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        yield fired, checkouts, begins
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
        other.dispose()


def _sessions_shown(data: CaseSummaryData) -> tuple[int, int, int]:
    in_chronology = sum(1 for line in data.chronology if line.kind is ChronologyKind.SESSION)
    return len(data.recent_sessions), in_chronology, data.attendance.attended


def test_a_session_saved_by_another_pc_mid_summary_is_wholly_in_it_or_wholly_out(
    db: Database,
    database_target: str,
    team: Team,
    as_dariusz: Services,
    case: int,
) -> None:
    """On a server each statement at READ COMMITTED sees the latest commit: a summary read in
    several transactions could list a session in the chronology and the attendance figures
    but not among the recent sessions. One read transaction (REPEATABLE READ on a server)
    prints one moment, on one connection."""
    before = _sessions_shown(as_dariusz.summary.gather(case, SharingProfile.FULL))
    save = book_an_attended_session(case)
    with saved_elsewhere_mid_read(db, database_target, team, "mentoring_session", save) as (
        fired,
        checkouts,
        begins,
    ):
        during = _sessions_shown(as_dariusz.summary.gather(case, SharingProfile.FULL))
    assert fired, "the other PC never saved: the hook found no read of mentoring_session"
    deltas = {now - then for now, then in zip(during, before, strict=True)}
    assert deltas in ({0}, {1}), f"half the new session is in the summary: {before} → {during}"
    assert (len(checkouts), len(begins)) == (1, 1)
    after = _sessions_shown(as_dariusz.summary.gather(case, SharingProfile.FULL))
    assert after == tuple(n + 1 for n in before)


def test_a_document_snapshot_is_read_only_and_leaves_the_pool_as_it_found_it(
    db: Database, as_dariusz: Services, case: int
) -> None:
    """On a server the snapshot is REPEATABLE READ and read-only; the connection it borrowed
    goes back to the pool at READ COMMITTED and writable, so the next save works."""
    db.engine.dispose()  # one pooled connection from here on: each step below reuses it
    with db.snapshot() as session:
        if not db.is_sqlite:
            assert session.scalar(text("SHOW transaction_isolation")) == "repeatable read"
            with pytest.raises(DBAPIError, match="read-only transaction"):
                session.execute(text("UPDATE setting SET value = value"))
    as_dariusz.summary.gather(case, SharingProfile.FULL)
    as_dariusz.summary.record_export(case, SharingProfile.FULL, None, "Łukasz.pdf", 3)
    if not db.is_sqlite:
        with db.read() as session:
            assert session.scalar(text("SHOW transaction_isolation")) == "read committed"
            assert session.scalar(text("SHOW transaction_read_only")) == "off"


def test_a_wide_snapshot_widens_sqlites_page_cache_and_gives_it_back(db_path: Path) -> None:
    """The outcome report reads across the whole database: its snapshot's connection gets
    a page cache wide enough for a year at 300,000 people, and the pool gets the connection
    back with the usual cache (the memory held only while the report runs)."""
    database = Database.open(resolve_database(str(db_path)))
    try:
        database.engine.dispose()  # one pooled connection: each step below reuses it
        with database.snapshot(wide=True) as session:
            assert session.scalar(text("PRAGMA cache_size")) == -WIDE_CACHE_KIB
        with database.snapshot() as session:
            assert session.scalar(text("PRAGMA cache_size")) == -CACHE_KIB
        with pytest.raises(RuntimeError), database.snapshot(wide=True):
            raise RuntimeError("a report that failed half-way")
        with database.read() as session:
            assert session.scalar(text("PRAGMA cache_size")) == -CACHE_KIB
    finally:
        database.dispose()
