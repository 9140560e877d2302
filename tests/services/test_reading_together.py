"""Several services' reads in one read transaction (``Services.reading_together``).

A case's tab shows what several services read: each read was its own transaction, with its
own BEGIN, account check and ROLLBACK, round trips that made most of opening a case on a
server. Together they are one transaction with one account check, and they must still refuse
what each refused alone.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from typing import Any

import pytest

from tests.statements import statements
from veru_desk.db.engine import Database
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput
from veru_desk.services.refusals import AccountRefused


def _account_checks(sent: list[str]) -> int:
    """The account check's statement (``Service._check_account``) among ``sent``."""
    return sum(1 for sql in sent if "user_role" in sql and ".active" in sql and "JOIN" in sql)


def _overview(services: Services, person_id: int) -> tuple[Any, ...]:
    """What the case's Overview tab asks for."""
    return (
        services.people.get(person_id),
        services.safeguarding.for_case(person_id),
        services.contacts.for_case(person_id),
        services.referrals.for_person(person_id),
        services.sessions.attendance_summary(person_id),
        services.plans.current(person_id),
        services.analysis.get(person_id),
    )


def test_a_tabs_reads_are_one_transaction_with_one_account_check(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    with statements(db.engine) as apart:
        alone = _overview(as_dariusz, allocated_case)
    with statements(db.engine) as sent, as_dariusz.reading_together():
        together = _overview(as_dariusz, allocated_case)
    assert together == alone
    assert _account_checks(apart) == 7
    assert _account_checks(sent) == 1
    if db.is_sqlite:  # SQLite's BEGIN is ours to send; psycopg begins without a statement
        assert sum(sql.startswith("BEGIN") for sql in apart) == 7
        assert sum(sql.startswith("BEGIN") for sql in sent) == 1


def test_reads_after_the_block_and_nested_blocks_work_as_before(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    with as_dariusz.reading_together():
        with as_dariusz.reading_together():
            inner = as_dariusz.people.get(allocated_case)
        outer = as_dariusz.people.get(allocated_case)
    with statements(db.engine) as sent:
        after = as_dariusz.people.get(allocated_case)
    assert inner == outer == after
    assert _account_checks(sent) == 1  # its own transaction again, checked again


def test_a_disabled_account_is_refused_in_a_shared_read(
    db: Database, team: Any, as_dariusz: Services, allocated_case: int
) -> None:
    admin = Services(db, team.admin)
    admin.users.set_active(team.dariusz.user_id, False)
    with pytest.raises(AccountRefused), as_dariusz.reading_together():
        as_dariusz.people.get(allocated_case)


def test_a_role_removed_since_sign_in_narrows_every_service_of_the_shared_read(
    db: Database, team: Any, allocated_case: int
) -> None:
    """The first service's check finds the manager role gone; a second service, skipping
    the check in the same transaction, must be narrowed too, not read as a manager."""
    admin = Services(db, team.admin)
    both = frozenset({Role.MANAGER, Role.CASEWORKER})
    admin.users.set_roles(team.manager.user_id, both)
    priya = Services(db, replace(team.manager, roles=both))  # signed in with both
    admin.users.set_roles(team.manager.user_id, {Role.CASEWORKER})
    with pytest.raises(PermissionDenied), priya.reading_together():
        priya.directory.agencies()  # a caseworker may: checks the account and narrows it
        priya.people.get(allocated_case)  # Dariusz's case: only a manager may read it
    assert priya.people.actor.roles == {Role.CASEWORKER}


def test_a_write_in_the_block_commits_on_its_own(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    note = NoteInput(
        occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=1),
        subject="Call with Mrs Wiśniewska",
        body="Łukasz is at school today.",
    )
    with as_dariusz.reading_together():
        before = as_dariusz.notes.for_person(allocated_case)
        note_id = as_dariusz.notes.add(allocated_case, note)
    after = as_dariusz.notes.for_person(allocated_case)
    assert {n.id for n in after} == {n.id for n in before} | {note_id}
    assert as_dariusz.notes.get(note_id).subject == "Call with Mrs Wiśniewska"


def test_another_thread_reads_in_its_own_transaction(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    seen: list[object] = []

    def elsewhere() -> None:
        with db.read() as session:
            seen.append(session)

    with as_dariusz.reading_together(), db.read() as shared:
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        with db.read() as again:
            assert again is shared
    assert seen and seen[0] is not shared
