"""A shared office: four PCs (a manager and three caseworkers) on one PostgreSQL database at
the same moment. Every write each of them was told had been saved is there, case references
are unique and gap-free under concurrent intake, the audit trail has every write, and two
people saving the same record get the conflict message instead of a silent overwrite.

Case references come from one upsert on a counter row per year (``db.sequences``), which
PostgreSQL row-locks until the intake's transaction ends: unlike max()+1 two PCs can never be
handed the same number, and unlike a server SEQUENCE a rolled-back intake gives its number
back, so the year's references have no gaps.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import Team, make_team
from tests.db.child_processes import allocated_case, finished_lines, go, start_child
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, MentoringSession, Referral, YoungPerson
from veru_desk.domain.enums import Attendance, AuditAction
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput

pytestmark = pytest.mark.postgres

CHILD = Path(__file__).with_name("shared_office_child.py")
WRITES_EACH = 25


@pytest.fixture
def team_on_server(pg_db: Database) -> Team:
    return make_team(pg_db)


def _start_pc(url: str, username: str, case_id: int) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, str(CHILD), url, username, str(case_id), str(WRITES_EACH)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    if line != "ready\n":
        child.kill()
        raise AssertionError(f"{username}'s PC did not start: {line!r} {child.communicate()[1]}")
    return child


def test_four_pcs_taking_referrals_and_recording_sessions_at_once_lose_nothing(
    pg_url: str, pg_db: Database, team_on_server: Team, capsys: pytest.CaptureFixture[str]
) -> None:
    team = team_on_server
    manager = Services(pg_db, team.manager)
    workers = {"dariusz": team.dariusz, "aisha": team.aisha, "ciaran": team.ciaran}
    cases = {
        name: allocated_case(manager, actor.user_id, "Ayşe", f"Yılmaz {name}")  # type: ignore[arg-type]
        for name, actor in workers.items()
    }
    cases["priya"] = cases["dariusz"]  # the manager records on Dariusz's case as well
    started = time.perf_counter()
    pcs = {name: _start_pc(pg_url, name, case_id) for name, case_id in cases.items()}
    for pc in pcs.values():
        go(pc)
    outputs = {name: pc.communicate(timeout=240) for name, pc in pcs.items()}
    seconds = time.perf_counter() - started

    for name, pc in pcs.items():
        assert pc.returncode == 0, f"{name}: {outputs[name][1]}"
        assert outputs[name][1] == "", f"{name} wrote to standard error: {outputs[name][1]}"
    lines = {name: finished_lines(out) for name, (out, _err) in outputs.items()}
    assert all(rows[-1] == "done" for rows in lines.values())
    referrals = [
        row.split(":") for rows in lines.values() for row in rows if row.startswith("referral:")
    ]
    sessions = [
        int(row.split(":")[1])
        for rows in lines.values()
        for row in rows
        if row.startswith("session:")
    ]
    total = len(pcs) * WRITES_EACH
    assert len(referrals) == len(sessions) == total

    referral_ids = {int(r[1]) for r in referrals}
    year = dt.date.today().year
    with pg_db.read() as session:
        stored = dict(
            session.execute(
                select(Referral.id, YoungPerson.case_ref)
                .join(YoungPerson, YoungPerson.id == Referral.young_person_id)
                .where(Referral.id.in_(referral_ids))
            ).all()
        )
        assert stored == {int(r[1]): r[3] for r in referrals}  # every reported write, as told
        every_ref = list(session.scalars(select(YoungPerson.case_ref)))
        attended = session.scalar(
            select(func.count())
            .select_from(MentoringSession)
            .where(
                MentoringSession.id.in_(sessions),
                MentoringSession.attendance == Attendance.ATTENDED,
            )
        )
        audited = session.execute(
            select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.entity_id)
        ).all()
        case_contacts = dict(
            session.execute(
                select(YoungPerson.id, YoungPerson.last_contact_on).where(
                    YoungPerson.id.in_(cases.values())
                )
            ).all()
        )

    assert attended == total
    numbers = sorted(int(re.fullmatch(rf"VERU-{year}-(\d{{5}})", ref)[1]) for ref in every_ref)  # type: ignore[index]
    assert numbers == list(range(1, len(every_ref) + 1))  # unique and gap-free
    created = {(e, i) for a, e, i in audited if a is AuditAction.CREATE}
    updated = [
        (e, i) for a, e, i in audited if a is AuditAction.UPDATE and e == "mentoring_session"
    ]
    assert {("referral", i) for i in referral_ids} <= created
    assert {("mentoring_session", i) for i in sessions} <= created
    assert sorted(i for _e, i in updated if i in set(sessions)) == sorted(sessions)
    assert all(contact is not None for contact in case_contacts.values())
    with capsys.disabled():
        print(
            f"\nshared office: {len(pcs)} PCs x {WRITES_EACH} (referral + session booked and "
            f"attended) = {total * 3} saves in {seconds:.1f} s, {total / seconds:.1f} "
            "intakes/s, no error, no lost write"
        )


def test_two_pcs_saving_the_same_note_one_wins_and_the_other_is_told_who(
    pg_url: str, pg_db: Database, team_on_server: Team
) -> None:
    team = team_on_server
    manager = Services(pg_db, team.manager)
    person_id = allocated_case(manager, team.dariusz.user_id, "Zoë", "Ó Súilleabháin")  # type: ignore[arg-type]
    dariusz = Services(pg_db, team.dariusz)
    note_id = dariusz.notes.add(
        person_id,
        NoteInput(
            occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=2),
            subject="Call with the college",
            body="Attendance better this week.",
        ),
    )
    version = dariusz.notes.get(note_id).version
    names = {"dariusz": "Dariusz Wójcik", "priya": "Priya Raghunathan"}
    children = {user: start_child(pg_url, user, "edit", note_id, version) for user in names}
    for child in children.values():
        go(child)
    results = {
        user: finished_lines(child.communicate(timeout=60)[0])[0]
        for user, child in children.items()
    }
    [winner] = [user for user, line in results.items() if line == "saved"]
    [loser] = [user for user in names if user != winner]
    _conflict, changed_by, message = results[loser].split("|", 2)
    assert changed_by == names[winner]
    assert "Your changes have been kept" in message
    note = manager.notes.get(note_id)
    assert note.version == version + 1 and note.body == f"Edited by {winner}"
