"""The audit trail: an event for each kind of thing that must leave a trace, a database that
refuses to alter them, sign-in lockout, and the audit viewer's service (filters, paging,
withholding case details from administrators, the CSV export)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from tests.services.test_retention import closed_case
from tests.sharing_helpers import decide
from veru_desk.db.engine import Database
from veru_desk.db.guards import REDACTED_SUMMARY
from veru_desk.db.models import AuditEvent, utcnow
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import NotFound, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.audit_log import WITHHELD, AuditFilter
from veru_desk.services.people import PersonDetails
from veru_desk.services.summary import SharingProfile
from veru_desk.services.users import SignInError, add_user, sign_in, sign_out

PASSWORD = "correct horse battery staple"


def _events(db: Database, action: AuditAction | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    with db.read() as session:
        return list(session.scalars(query))


@pytest.fixture
def siobhan(db: Database) -> str:
    """A caseworker with a password (the team fixture's users have none)."""
    with db.write() as session:
        add_user(session, "siobhan", "Siobhán Nic Giolla Phádraig", {Role.CASEWORKER}, PASSWORD)
    return "siobhan"


# --- sign-in --------------------------------------------------------------------------------


def test_a_successful_sign_in_is_audited(db: Database, siobhan: str) -> None:
    actor = sign_in(db, "Siobhan", PASSWORD)
    [event] = _events(db, AuditAction.LOGIN)
    assert (event.user_id, event.username, event.summary) == (actor.user_id, siobhan, "Signed in")


def test_failed_sign_ins_are_audited_for_known_and_unknown_names(
    db: Database, siobhan: str
) -> None:
    with pytest.raises(SignInError):
        sign_in(db, siobhan, "not the password at all")
    with pytest.raises(SignInError):
        sign_in(db, "abdirahman", PASSWORD)
    known, unknown = _events(db, AuditAction.FAILED_LOGIN)
    assert known.username == siobhan and known.user_id is not None
    assert known.summary == "Wrong password (1 in a row)"
    assert unknown.username == "abdirahman" and unknown.user_id is None
    assert unknown.summary == "Unknown username"


def test_five_failures_lock_the_account_for_fifteen_minutes(db: Database, siobhan: str) -> None:
    start = utcnow()
    for attempt in range(5):
        with pytest.raises(SignInError):
            sign_in(db, siobhan, f"wrong guess {attempt}", now=start)
    with pytest.raises(SignInError, match="locked"):
        sign_in(db, siobhan, PASSWORD, now=start + dt.timedelta(minutes=14, seconds=59))
    actor = sign_in(db, siobhan, PASSWORD, now=start + dt.timedelta(minutes=15, seconds=1))
    assert actor.username == siobhan
    summaries = [e.summary for e in _events(db, AuditAction.FAILED_LOGIN)]
    assert summaries[4] == "Wrong password (5 in a row): account locked for 15 minutes"
    assert summaries[5] == "Locked"


def test_a_success_resets_the_count_of_failures(db: Database, siobhan: str) -> None:
    start = utcnow()
    for attempt in range(4):
        with pytest.raises(SignInError):
            sign_in(db, siobhan, f"wrong guess {attempt}", now=start)
    sign_in(db, siobhan, PASSWORD, now=start)
    for attempt in range(4):
        with pytest.raises(SignInError, match="not right"):
            sign_in(db, siobhan, f"wrong again {attempt}", now=start)
    assert sign_in(db, siobhan, PASSWORD, now=start).username == siobhan


def test_a_disabled_account_cannot_sign_in_and_the_attempt_is_audited(
    db: Database, team: Any, siobhan: str
) -> None:
    admin = Services(db, team.admin)
    admin.users.set_active(admin.users.by_username(siobhan).id, False)
    with pytest.raises(SignInError, match="disabled"):
        sign_in(db, siobhan, PASSWORD)
    assert _events(db, AuditAction.FAILED_LOGIN)[-1].summary == "Disabled"


def test_signing_out_is_audited(db: Database, siobhan: str) -> None:
    actor = sign_in(db, siobhan, PASSWORD)
    sign_out(db, actor, "Session ended at the lock screen")
    [event] = _events(db, AuditAction.LOGOUT)
    assert (event.username, event.summary) == (siobhan, "Session ended at the lock screen")


# --- case work ------------------------------------------------------------------------------


def test_opening_a_case_is_audited_with_its_reference(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    view = as_dariusz.people.open_case(allocated_case)
    event = _events(db, AuditAction.VIEW)[-1]
    assert event.username == "dariusz"
    assert event.young_person_id == allocated_case
    assert event.summary == f"Opened case {view.case_ref}"


def test_creating_and_updating_record_who_what_and_the_changed_values(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    view = as_dariusz.people.get(allocated_case)
    created = [e for e in _events(db, AuditAction.CREATE) if e.entity_type == "referral"]
    assert created and created[0].young_person_id == allocated_case
    changed = PersonDetails(**{**view.details.__dict__, "preferred_name": "Łuki"})
    as_dariusz.people.update(allocated_case, changed, view.version)
    event = _events(db, AuditAction.UPDATE)[-1]
    assert (event.username, event.entity_type, event.entity_id) == (
        "dariusz",
        "young_person",
        allocated_case,
    )
    assert json.loads(event.changes or "{}")["preferred_name"] == [None, "Łuki"]


def test_an_export_is_audited(db: Database, as_dariusz: Services, allocated_case: int) -> None:
    decide(as_dariusz, allocated_case)
    as_dariusz.summary.record_export(
        allocated_case, SharingProfile.MULTI_AGENCY, None, "luton-panel.pdf", 4
    )
    event = _events(db, AuditAction.EXPORT)[-1]
    assert event.young_person_id == allocated_case
    assert event.username == "dariusz"


def test_a_refusal_is_audited_with_the_case_it_concerned(
    db: Database, as_aisha: Services, allocated_case: int
) -> None:
    with pytest.raises(PermissionDenied):
        as_aisha.people.open_case(allocated_case)
    event = _events(db, AuditAction.DENIED)[-1]
    assert (event.username, event.young_person_id, event.summary) == (
        "aisha",
        allocated_case,
        "open a case",
    )


# --- append-only ----------------------------------------------------------------------------


def _raw(db: Database, sql: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_the_database_refuses_to_change_or_delete_an_audit_event(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    as_dariusz.people.open_case(allocated_case)
    event_id = _events(db, AuditAction.VIEW)[-1].id
    for sql in (
        "UPDATE audit_event SET summary = 'Nothing to see' WHERE id = :i",
        "UPDATE audit_event SET username = 'someone_else' WHERE id = :i",
        "UPDATE audit_event SET action = 'create' WHERE id = :i",
        "DELETE FROM audit_event WHERE id = :i",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            _raw(db, sql, i=event_id)
    with db.read() as session:
        kept = session.get(AuditEvent, event_id)
        assert kept is not None and kept.username == "dariusz"


def test_redaction_is_the_one_change_the_database_allows(
    db: Database, as_dariusz: Services, allocated_case: int
) -> None:
    view = as_dariusz.people.get(allocated_case)
    changed = PersonDetails(**{**view.details.__dict__, "preferred_name": "Łuki"})
    as_dariusz.people.update(allocated_case, changed, view.version)
    event_id = _events(db, AuditAction.UPDATE)[-1].id
    _raw(
        db,
        "UPDATE audit_event SET summary = :s, changes = NULL WHERE id = :i",
        s=REDACTED_SUMMARY,
        i=event_id,
    )
    with db.read() as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        assert (event.summary, event.changes, event.username) == (
            REDACTED_SUMMARY,
            None,
            "dariusz",
        )


# --- the audit viewer's service ---------------------------------------------------------------


def test_managers_and_administrators_read_the_trail_and_reading_it_is_audited(
    db: Database, as_manager: Services, team: Any
) -> None:
    as_manager.audit_log.query(AuditFilter(username="dariusz"))
    Services(db, team.admin).audit_log.query()
    views = [e for e in _events(db, AuditAction.VIEW) if e.entity_type == "audit_event"]
    assert [(e.username, e.summary) for e in views] == [
        ("priya", "Viewed audit trail (user dariusz)"),
        ("admin", "Viewed audit trail"),
    ]


def test_later_pages_are_not_audited_again(as_manager: Services, allocated_case: int) -> None:
    first = as_manager.audit_log.query(limit=2)
    before = as_manager.audit_log.count()
    as_manager.audit_log.query(limit=2, before_id=first[-1].id)
    as_manager.audit_log.query(limit=2, offset=2)
    assert as_manager.audit_log.count() == before


def test_pages_follow_on_newest_first_without_gaps_or_repeats(
    as_manager: Services, allocated_case: int
) -> None:
    everything = as_manager.audit_log.query(limit=1000)
    ids = [row.id for row in everything]
    assert ids == sorted(ids, reverse=True)
    paged: list[int] = []
    before = ids[0] + 1  # later pages by the last id seen: the look's own VIEW event is newer
    while page := as_manager.audit_log.query(limit=3, before_id=before):
        paged += [row.id for row in page]
        before = page[-1].id
    assert paged == ids
    by_offset = as_manager.audit_log.query(limit=3, offset=3)
    now = [ids[0] + 1, *ids]  # the first look left its VIEW event on top
    assert [row.id for row in by_offset] == now[3:6]


def test_filters_by_user_case_action_and_date(
    db: Database,
    as_manager: Services,
    as_dariusz: Services,
    as_aisha: Services,
    allocated_case: int,
    case_factory: Any,
    team: Any,
) -> None:
    other = case_factory("Ayşe", "Yılmaz", worker_id=team.aisha.user_id)
    case_ref = as_dariusz.people.open_case(allocated_case).case_ref
    as_aisha.people.open_case(other)
    log = as_manager.audit_log
    opened = log.query(AuditFilter(actions=frozenset({AuditAction.VIEW}), username="dariusz"))
    assert [row.summary for row in opened] == [f"Opened case {case_ref}"]
    assert opened[0].case_ref == case_ref
    assert opened[0].user_display_name == "Dariusz Wójcik"
    for_case = log.query(AuditFilter(case_ref=case_ref.lower().replace("-", " ")))
    assert for_case and all(row.person_id == allocated_case for row in for_case)
    assert log.count(AuditFilter(user_id=team.aisha.user_id)) == 1
    today = dt.date.today()
    assert log.count(AuditFilter(date_from=today, date_to=today)) == log.count()
    assert log.count(AuditFilter(date_to=today - dt.timedelta(days=1))) == 0
    assert log.count(AuditFilter(date_from=today + dt.timedelta(days=1))) == 0


def test_a_bad_filter_is_explained(as_manager: Services) -> None:
    today = dt.date.today()
    with pytest.raises(ValidationError) as error:
        as_manager.audit_log.query(
            AuditFilter(date_from=today, date_to=today - dt.timedelta(days=2), case_ref="Łukasz")
        )
    assert set(error.value.fields) == {"date_to", "case_ref"}
    with pytest.raises(NotFound, match="VERU-2019-00042"):
        as_manager.audit_log.query(AuditFilter(case_ref="VERU-2019-00042"))


def test_an_administrator_sees_which_cases_were_opened_but_not_what_changed(
    db: Database, as_dariusz: Services, allocated_case: int, team: Any
) -> None:
    view = as_dariusz.people.open_case(allocated_case)
    changed = PersonDetails(**{**view.details.__dict__, "preferred_name": "Łuki"})
    as_dariusz.people.update(allocated_case, changed, view.version)
    admin_rows = Services(db, team.admin).audit_log.query(AuditFilter(username="dariusz"))
    update, opened = admin_rows[0], admin_rows[1]
    assert opened.action is AuditAction.VIEW and opened.case_ref == view.case_ref
    assert opened.summary == WITHHELD and opened.withheld
    assert update.changes_text == "Changed: preferred_name"
    assert "Łuki" not in update.changes_text
    manager_update = Services(db, team.manager).audit_log.query(AuditFilter(username="dariusz"))[0]
    assert manager_update.changes_text == "preferred_name: (empty) → Łuki"


def test_the_csv_export_neutralises_formulas_and_is_audited(
    db: Database, as_manager: Services, tmp_path: Path
) -> None:
    with pytest.raises(SignInError):
        sign_in(db, '=HYPERLINK("http://evil.example")', PASSWORD)
    path = tmp_path / "audit.csv"
    count = as_manager.audit_log.export_csv(AuditFilter(), path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["Event", "When", "Username"]
    assert len(rows) == count + 1
    assert rows[1][2] == '\'=hyperlink("http://evil.example")'
    export = _events(db, AuditAction.EXPORT)[-1]
    assert export.summary == f"Audit trail exported to audit.csv: {count} events"
    assert not (tmp_path / "audit.csv.part").exists()


def test_a_cancelled_export_leaves_no_file_and_no_export_event(
    db: Database, as_manager: Services, allocated_case: int, tmp_path: Path
) -> None:
    path = tmp_path / "audit.csv"
    as_manager.audit_log.export_csv(AuditFilter(), path, progress=lambda done, total: False)
    assert not path.exists() and not (tmp_path / "audit.csv.part").exists()
    assert not _events(db, AuditAction.EXPORT)


def test_erasing_a_case_redacts_its_trail_and_the_chain_still_verifies(
    as_manager: Services, as_dariusz: Services
) -> None:
    assert as_dariusz.actor.user_id is not None
    person_id = closed_case(as_manager, as_dariusz.actor.user_id)
    as_manager.retention.erase(person_id, "Erasure request (UK GDPR Art. 17)")
    report = as_manager.health.check()
    assert report.problems == []
    assert any("redacted for erasure" in line for line in report.passed), report.passed
