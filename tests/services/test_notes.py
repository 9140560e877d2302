from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from veru_desk.db.models import CaseNote
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput

Trail = Callable[..., list[Any]]

NOW = dt.datetime.now().replace(second=0, microsecond=0)
CALL = NoteInput(
    occurred_at=NOW - dt.timedelta(hours=2),
    subject="Call with mother",
    body="Mrs Wiśniewska says Łukasz came home late on Tuesday and Wednesday.",
)


def test_note_reads_back_in_local_time_with_author(
    as_dariusz: Services, allocated_case: int
) -> None:
    note_id = as_dariusz.notes.add(allocated_case, CALL)
    view = as_dariusz.notes.get(note_id)
    assert view.occurred_at == CALL.occurred_at
    assert (view.subject, view.body) == (CALL.subject, CALL.body)
    assert view.author == "Dariusz Wójcik"
    assert view.confidential is False


def test_note_time_is_stored_as_utc(as_dariusz: Services, allocated_case: int) -> None:
    aware = dt.datetime(2024, 7, 1, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    note_id = as_dariusz.notes.add(allocated_case, replace(CALL, occurred_at=aware))
    with as_dariusz.db.read() as session:
        assert session.get_one(CaseNote, note_id).occurred_at == dt.datetime(2024, 7, 1, 15, 30)


def test_notes_for_person_are_newest_first(as_dariusz: Services, allocated_case: int) -> None:
    as_dariusz.notes.add(allocated_case, CALL)
    as_dariusz.notes.add(
        allocated_case,
        NoteInput(NOW - dt.timedelta(minutes=5), "Text from Łukasz", "Will come Thursday."),
    )
    as_dariusz.notes.add(
        allocated_case, NoteInput(NOW - dt.timedelta(days=3), "School visit", "Met head of year.")
    )
    subjects = [n.subject for n in as_dariusz.notes.for_person(allocated_case)]
    assert subjects == ["Text from Łukasz", "Call with mother", "School visit"]


def test_whitespace_is_tidied_and_confidential_flag_kept(
    as_dariusz: Services, allocated_case: int
) -> None:
    note_id = as_dariusz.notes.add(
        allocated_case,
        replace(
            CALL, subject="  Disclosure   from Łukasz ", body="\n  Details  \n", confidential=True
        ),
    )
    view = as_dariusz.notes.get(note_id)
    assert (view.subject, view.body, view.confidential) == (
        "Disclosure from Łukasz",
        "Details",
        True,
    )


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"subject": " ", "body": ""}, ["body", "subject"]),
        ({"subject": "x" * 201}, ["subject"]),
        ({"occurred_at": NOW + dt.timedelta(days=1)}, ["occurred_at"]),
        ({"occurred_at": dt.datetime(1995, 3, 1, 10, 0)}, ["occurred_at"]),
    ],
)
def test_invalid_note_names_each_field(
    as_dariusz: Services,
    allocated_case: int,
    audit_trail: Trail,
    overrides: dict[str, Any],
    fields: list[str],
) -> None:
    with pytest.raises(ValidationError) as caught:
        as_dariusz.notes.add(allocated_case, replace(CALL, **overrides))
    assert sorted(caught.value.fields) == fields
    assert audit_trail("case_note") == []


def test_note_saved_the_minute_a_call_ends_is_not_in_the_future(
    as_dariusz: Services, allocated_case: int
) -> None:
    as_dariusz.notes.add(allocated_case, replace(CALL, occurred_at=dt.datetime.now()))
    assert len(as_dariusz.notes.for_person(allocated_case)) == 1


def test_author_updates_own_note_and_the_change_is_audited(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    note_id = as_dariusz.notes.add(allocated_case, CALL)
    as_dariusz.notes.update(note_id, replace(CALL, body="Corrected: Monday and Tuesday."), 1)
    view = as_dariusz.notes.get(note_id)
    assert (view.body, view.version) == ("Corrected: Monday and Tuesday.", 2)
    create, update = audit_trail("case_note")
    assert create.action is AuditAction.CREATE and create.person_id == allocated_case
    assert update.action is AuditAction.UPDATE and update.person_id == allocated_case
    assert json.loads(update.changes) == {"body": [CALL.body, "Corrected: Monday and Tuesday."]}


def test_stale_note_update_is_refused_with_conflict(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    note_id = as_dariusz.notes.add(allocated_case, CALL)
    as_manager.notes.update(note_id, replace(CALL, confidential=True), 1)
    with pytest.raises(ConflictError):
        as_dariusz.notes.update(note_id, replace(CALL, subject="Call with Mrs Wiśniewska"), 1)
    assert as_dariusz.notes.get(note_id).subject == "Call with mother"


def test_colleague_on_the_case_cannot_rewrite_another_workers_note(
    as_dariusz: Services, as_aisha: Services, as_manager: Services, allocated_case: int
) -> None:
    note_id = as_dariusz.notes.add(allocated_case, CALL)
    [referral] = as_manager.referrals.for_person(allocated_case)
    assert as_aisha.actor.user_id is not None
    as_manager.referrals.allocate(referral.id, as_aisha.actor.user_id, "Dariusz on leave")
    assert as_aisha.notes.get(note_id).subject == CALL.subject
    with pytest.raises(PermissionDenied):
        as_aisha.notes.update(note_id, replace(CALL, body="Rewritten"), 1)
    as_aisha.notes.add(allocated_case, replace(CALL, subject="Handover call"))
    assert len(as_aisha.notes.for_person(allocated_case)) == 2


def test_unallocated_caseworker_cannot_add_or_read_notes(
    as_dariusz: Services, as_aisha: Services, allocated_case: int, audit_trail: Trail
) -> None:
    note_id = as_dariusz.notes.add(allocated_case, CALL)
    with pytest.raises(PermissionDenied):
        as_aisha.notes.add(allocated_case, CALL)
    with pytest.raises(PermissionDenied):
        as_aisha.notes.get(note_id)
    with pytest.raises(PermissionDenied):
        as_aisha.notes.for_person(allocated_case)
    denied = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert len(denied) == 3 and all(e.username == "aisha" for e in denied)
