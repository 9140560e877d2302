"""Linking the audit trail at the commit: two PCs' saves to different cases go side by side.

Each audited save used to lock the chain's head (and the office's write lock) from its start
to its commit, so a busy office's saves waited for every other save in full. Now a save of one
case shares the office lock and takes its case's own, its events wait in the session, and the
head is locked only to link them just before the COMMIT. What must stay true: the chain never
forks and its ids follow it (in commit order), two saves to one case still queue, a write that
is rolled back leaves no event and no head move, and a transaction sees its own events.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Team, make_team
from tests.db.child_processes import allocated_case
from veru_desk.db import audit_chain
from veru_desk.db.engine import Database
from veru_desk.db.health import check_database
from veru_desk.db.models import AuditChainHead, AuditEvent, CaseNote
from veru_desk.domain.enums import AuditAction
from veru_desk.services import Services, audit
from veru_desk.services.notes import NoteInput

WAIT_S = 20.0  # far longer than a save takes, far shorter than a lock timeout
BLOCKED_S = 1.5  # how long a save that should queue is watched for not finishing


def _note(subject: str) -> NoteInput:
    yesterday = dt.datetime.now().replace(hour=11, minute=30, second=0, microsecond=0)
    return NoteInput(
        occurred_at=yesterday - dt.timedelta(days=1),
        subject=subject,
        body="Spoke with Chiamaka Okonkwo's form tutor about the last fortnight.",
    )


class _Save(threading.Thread):
    """Another PC's save, run while the test holds its own transaction open."""

    def __init__(self, save: Callable[[], int]) -> None:
        super().__init__(daemon=True)
        self._save = save
        self.saved: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.saved = self._save()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error


def _half_done_note(session: Session, team: Team, person_id: int) -> CaseNote:
    """What a note's save has done by the time it commits: the row and its audit event."""
    note = CaseNote(
        young_person_id=person_id,
        occurred_at=dt.datetime.now() - dt.timedelta(days=2),
        author_id=team.dariusz.user_id,
        subject="Home visit with Łukasz Wójcik",
        body="Mum present; agreed the plan for the half term.",
    )
    session.add(note)
    audit.record(
        session,
        team.dariusz,
        AuditAction.CREATE,
        entity=note,
        person_id=person_id,
        summary="Case note added: Home visit",
    )
    return note


def _event_of(db: Database, entity_type: str, entity_id: int) -> int:
    with db.read() as session:
        found = session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id
            )
        )
    assert found is not None
    return int(found)


def _head(db: Database) -> tuple[int, str]:
    with db.read() as session:
        head = session.get_one(AuditChainHead, audit_chain.HEAD_ROW)
        return head.last_id, head.last_hash


@pytest.mark.postgres
def test_a_save_that_has_done_its_work_does_not_hold_up_another_cases_save(
    pg_db: Database,
) -> None:
    team = make_team(pg_db)
    manager = Services(pg_db, team.manager)
    first_case = allocated_case(manager, team.dariusz.user_id or 0, "Aoife", "Ní Bhriain")
    second_case = allocated_case(manager, team.ciaran.user_id or 0, "Mohammed", "Al-Sayed")
    other_pc = Database.open(pg_db.location)
    ciaran = Services(other_pc, team.ciaran)
    try:
        with pg_db.write(case=first_case) as session:
            note = _half_done_note(session, team, first_case)
            other = _Save(lambda: ciaran.notes.add(second_case, _note("Call with school")))
            other.start()
            other.join(WAIT_S)
            # Ciarán's save went through while Dariusz's was still open, not after it.
            assert not other.is_alive(), "the other case's save waited for this one"
            assert other.error is None, other.error
            assert other.saved is not None
        first_event = _event_of(pg_db, "case_note", note.id)
        second_event = _event_of(pg_db, "case_note", other.saved)
    finally:
        other_pc.dispose()
    # Linked in the order they committed: the open one last, and the head at its event.
    assert second_event < first_event
    assert _head(pg_db)[0] == first_event
    report = check_database(pg_db.engine)
    assert report.problems == []


@pytest.mark.postgres
def test_two_saves_to_one_case_and_a_save_of_the_whole_office_still_queue(
    pg_db: Database,
) -> None:
    """The same case's saves queue (each reads what the one before committed: no false
    conflict on the case's summary row), and a write not confined to one case waits for
    the case saves under way."""
    team = make_team(pg_db)
    manager = Services(pg_db, team.manager)
    case = allocated_case(manager, team.dariusz.user_id or 0, "Zoë", "Brontë")
    other_pc = Database.open(pg_db.location)
    dariusz = Services(other_pc, team.dariusz)
    office_pc = Database.open(pg_db.location)

    def whole_office() -> int:
        with office_pc.write() as session:
            event = audit.record(session, team.manager, AuditAction.UPDATE, summary="Settings")
        return int(event.id)

    try:
        with pg_db.write(case=case) as session:
            note = _half_done_note(session, team, case)
            same_case = _Save(lambda: dariusz.notes.add(case, _note("Text from Mum")))
            office = _Save(whole_office)
            same_case.start()
            office.start()
            time.sleep(BLOCKED_S)
            assert same_case.is_alive() and office.is_alive()
        for save in (same_case, office):
            save.join(WAIT_S)
            assert not save.is_alive() and save.error is None, save.error
        assert same_case.saved is not None and office.saved is not None
        first_event = _event_of(pg_db, "case_note", note.id)
        assert first_event < _event_of(pg_db, "case_note", same_case.saved)
        assert first_event < office.saved
    finally:
        other_pc.dispose()
        office_pc.dispose()
    assert check_database(pg_db.engine).problems == []


def test_a_rolled_back_write_leaves_no_event_and_does_not_move_the_head(
    db: Database, team: Team
) -> None:
    with db.write() as session:
        audit.record(session, team.manager, AuditAction.UPDATE, summary="Before")
    before = _head(db)
    with pytest.raises(RuntimeError), db.write() as session:
        audit.record(session, team.manager, AuditAction.UPDATE, summary="Never saved")
        raise RuntimeError("the save failed half-way")
    assert _head(db) == before
    with db.read() as session:
        summaries = session.scalars(select(AuditEvent.summary)).all()
    assert "Never saved" not in summaries
    with db.write() as session:  # the next write links to the head the rollback left
        after = audit.record(session, team.manager, AuditAction.UPDATE, summary="After")
    assert after.id > before[0]
    assert _head(db) == (after.id, after.chain_hash)
    assert check_database(db.engine).problems == []


def test_an_event_is_linked_at_the_commit_and_the_trail_read_in_its_transaction_has_it(
    db: Database, team: Team
) -> None:
    with db.write() as session:
        first = audit.record(session, team.manager, AuditAction.UPDATE, summary="One")
        second = audit.record(session, team.manager, AuditAction.UPDATE, summary="Two")
        assert first.id is None and first.chain_hash is None  # waiting for the commit
        counted = session.scalar(select(func.count()).select_from(AuditEvent))
        assert first.id is not None and second.id == first.id + 1  # linked before the count
        assert counted is not None and counted >= 2
        third = audit.record(session, team.manager, AuditAction.UPDATE, summary="Three")
    assert third.id is not None and third.id > second.id  # the commit linked the rest
    assert _head(db) == (third.id, third.chain_hash)
    assert check_database(db.engine).problems == []


def test_a_read_that_audits_what_was_viewed_links_its_event_when_it_commits(
    db: Database, team: Team
) -> None:
    with db.read() as session:
        session.scalar(select(func.count()).select_from(CaseNote))
        viewed = audit.record(session, team.manager, AuditAction.VIEW, summary="Looked")
        session.commit()
    assert viewed.id is not None
    assert _head(db)[0] == viewed.id
    with db.read() as session:  # a read that audits and never commits leaves nothing
        audit.record(session, team.manager, AuditAction.VIEW, summary="Not kept")
    with db.read() as session:
        assert session.scalar(select(func.max(AuditEvent.id))) == viewed.id
    assert check_database(db.engine).problems == []
