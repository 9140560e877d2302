"""Merging two records of one young person, and undoing it (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, Referral, YoungPerson
from veru_desk.domain.enums import (
    AgencyType,
    AuditAction,
    ChronologyKind,
    ConsentStatus,
    ContactRelationship,
    Ethnicity,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
)
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.contacts import ContactInput
from veru_desk.services.merging import Side, person_columns
from veru_desk.services.notes import NoteInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.risk import RiskInput

YESTERDAY = dt.date.today() - dt.timedelta(days=1)
BORN = dt.date(2011, 4, 3)


def _referral(days_ago: int = 20) -> ReferralDetails:
    return ReferralDetails(
        received_on=dt.date.today() - dt.timedelta(days=days_ago),
        referring_agency="Bedfordshire Police",
        referring_agency_type=AgencyType.POLICE,
        reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
        consent_young_person=ConsentStatus.GIVEN,
        consent_parent=ConsentStatus.GIVEN,
    )


def _note(services: Services, person_id: int, subject: str) -> int:
    return services.notes.add(
        person_id,
        NoteInput(
            occurred_at=dt.datetime.combine(YESTERDAY, dt.time(10, 30)),
            subject=subject,
            body="Spoke with his mother by phone.",
        ),
    )


@pytest.fixture
def pair(as_manager: Services, as_dariusz: Services) -> tuple[int, int]:
    """Chiamaka Okonkwo, an open case allocated to Dariusz (the record to keep), and
    "Chiamka Okonkwo" with the day and month of her birthday swapped, a declined referral,
    a note, a contact and a risk assessment (the duplicate)."""
    intake = as_manager.referrals.create(
        _referral(30),
        person=PersonDetails("Chiamaka", "Okonkwo", BORN, postcode="LU1 5AB"),
    )
    as_manager.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Knife found")
    assert as_dariusz.actor.user_id is not None
    as_manager.referrals.allocate(intake.referral_id, as_dariusz.actor.user_id)
    keep = intake.person_id
    _note(as_dariusz, keep, "Home visit")
    duplicate = as_manager.referrals.create(
        _referral(200),
        person=PersonDetails(
            "Chiamka", "Okonkwo", dt.date(2011, 3, 4), ethnicity=Ethnicity.BLACK_AFRICAN
        ),
    )
    as_manager.referrals.decide(
        duplicate.referral_id, ReferralStatus.DECLINED, "Below the unit's threshold then"
    )
    other = duplicate.person_id
    _note(as_manager, other, "School called")
    as_manager.contacts.add(
        other, ContactInput(name="Ngozi Okonkwo", relationship=ContactRelationship.MOTHER)
    )
    as_manager.risk.record(
        other, RiskInput(assessed_on=YESTERDAY - dt.timedelta(days=150), level=RiskLevel.MEDIUM)
    )
    return keep, other


def _counts(db: Database, person_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    with db.read() as session:
        for table, column in person_columns():
            n = session.scalar(select(func.count()).select_from(table).where(column == person_id))
            counts[f"{table.name}.{column.name}"] = n or 0
    return counts


def _snapshot(db: Database) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table naming a young person, but the bookkeeping a save changes."""
    skip = {"version", "updated_at", "updated_by_id"}
    found: dict[str, set[tuple[Any, ...]]] = {}
    with db.read() as session:
        for table, _column in person_columns():
            columns = [c for c in table.columns if c.name not in skip]
            found[table.name] = {tuple(row) for row in session.execute(select(*columns))}
        people = [c for c in YoungPerson.__table__.columns if c.name not in skip]
        found["young_person"] = {tuple(row) for row in session.execute(select(*people))}
    return found


def _version(db: Database, person_id: int) -> int:
    with db.read() as session:
        return session.get_one(YoungPerson, person_id).version


def _merge(services: Services, db: Database, keep: int, other: int, **choices: Side) -> int:
    return services.merging.merge(
        keep,
        other,
        choices,
        kept_version=_version(db, keep),
        other_version=_version(db, other),
        reason="Same girl: the school typed her birthday the American way",
    )


def test_preview_shows_both_records_and_what_differs(
    as_manager: Services, pair: tuple[int, int]
) -> None:
    keep, other = pair
    preview = as_manager.merging.preview(keep, other)
    assert preview.refusal is None
    assert {"first_name", "date_of_birth", "ethnicity", "postcode"} <= set(preview.differing)
    assert "last_name" not in preview.differing
    assert preview.a.case_ref != preview.b.case_ref
    assert preview.a.worker == "Dariusz Wójcik"
    assert preview.b.records["case_note"] == 1
    assert "referrals 1" in preview.b.records_text and "notes 1" in preview.b.records_text


def test_merge_moves_every_row_of_every_table_naming_the_young_person(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    keep, other = pair
    before_keep, before_other = _counts(db, keep), _counts(db, other)
    assert sum(before_other.values()) >= 4
    _merge(as_manager, db, keep, other)
    after_keep, after_other = _counts(db, keep), _counts(db, other)
    assert sum(after_other.values()) == 0, after_other
    for column, count in before_other.items():
        assert after_keep[column] == before_keep[column] + count, column
    with db.read() as session:
        tombstone = session.get_one(YoungPerson, other)
        assert tombstone.merged_into_id == keep
        assert tombstone.current_status is None and tombstone.current_worker_id is None
        kept = session.get_one(YoungPerson, keep)
        assert kept.current_status is ReferralStatus.ALLOCATED  # the open case stays current


def test_merge_takes_the_chosen_fields_and_keeps_the_kept_case_reference(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    keep, other = pair
    kept_ref = as_manager.people.get(keep).case_ref
    _merge(as_manager, db, keep, other, ethnicity=Side.OTHER, first_name=Side.KEPT)
    view = as_manager.people.get(keep)
    assert view.case_ref == kept_ref
    assert view.details.ethnicity is Ethnicity.BLACK_AFRICAN
    assert view.details.first_name == "Chiamaka"
    assert view.details.date_of_birth == BORN
    [done] = as_manager.merging.merges()
    assert done.fields_taken == ("Ethnicity",)
    assert done.merged_case_ref != kept_ref and done.rows_moved >= 4


def test_undo_restores_exactly_what_was_there(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    keep, other = pair
    before = _snapshot(db)
    merge_id = _merge(as_manager, db, keep, other, ethnicity=Side.OTHER, date_of_birth=Side.OTHER)
    assert _snapshot(db) != before
    as_manager.merging.undo(merge_id)
    assert _snapshot(db) == before
    [done] = as_manager.merging.merges()
    assert done.undone_by == "Priya Raghunathan"
    with pytest.raises(ValidationError, match="already been undone"):
        as_manager.merging.undo(merge_id)


def test_rows_added_after_the_merge_stay_with_the_kept_record_on_undo(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    keep, other = pair
    merge_id = _merge(as_manager, db, keep, other)
    later = _note(as_manager, keep, "After the merge")
    as_manager.merging.undo(merge_id)
    notes = {
        entry.source_id
        for entry in as_manager.chronology.for_person(keep)
        if entry.kind is ChronologyKind.NOTE
    }
    assert later in notes
    assert _counts(db, other)["case_note.young_person_id"] == 1


def test_a_merged_away_record_is_hidden_and_never_merged_twice(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    keep, other = pair
    assert {h.person_id for h in as_manager.people.search("Okonkwo")} == {keep, other}
    pairs = as_manager.data_quality.likely_duplicates()
    assert [(p.a.person_id, p.b.person_id) for p in pairs] == [tuple(sorted((keep, other)))]
    _merge(as_manager, db, keep, other)
    assert {h.person_id for h in as_manager.people.search("Okonkwo")} == {keep}
    assert as_manager.people.count_matches("Okonkwo") == 1
    # Nor in the caseload, with every case shown and with no filter at all.
    for flt in (CaseloadFilter(), CaseloadFilter(text="Okonkwo")):
        shown = as_manager.caseload.ids(flt)
        assert keep in shown and other not in shown
        assert as_manager.caseload.count(flt) == len(shown)
    dupes = as_manager.people.find_duplicates("Chiamka", "Okonkwo", dt.date(2011, 3, 4))
    assert dupes == []
    assert as_manager.data_quality.likely_duplicates() == []
    with pytest.raises(ValidationError, match="already been merged into"):
        _merge(as_manager, db, keep, other)
    third = as_manager.people.create(PersonDetails("Chiamaka", "Okonkwo", BORN))
    with pytest.raises(ValidationError, match="already been merged into"):
        _merge(as_manager, db, third, other)


def test_both_chronologies_explain_the_merge(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    keep, other = pair
    refs = {pid: as_manager.people.get(pid).case_ref for pid in pair}
    merge_id = _merge(as_manager, db, keep, other)
    kept_titles = [e.title for e in as_manager.chronology.for_person(keep)]
    other_titles = [e.title for e in as_manager.chronology.for_person(other)]
    assert f"Duplicate record {refs[other]} merged into this record" in kept_titles
    assert f"Merged into {refs[keep]}: this record was a duplicate" in other_titles
    # The other's history reads on the kept record now: its note is there.
    assert "School called" in [e.title for e in as_manager.chronology.for_person(keep)] or any(
        "School called" in (e.title + e.detail) for e in as_manager.chronology.for_person(keep)
    )
    as_manager.merging.undo(merge_id)
    assert f"Merge with {refs[other]} undone" in [
        e.title for e in as_manager.chronology.for_person(keep)
    ]


def test_the_audit_keeps_both_histories(
    as_manager: Services,
    db: Database,
    pair: tuple[int, int],
    audit_trail: Callable[..., list[Any]],
) -> None:
    keep, other = pair
    with db.read() as session:
        others_history = session.scalar(
            select(func.count()).where(AuditEvent.young_person_id == other)
        )
    _merge(as_manager, db, keep, other, ethnicity=Side.OTHER)
    rows = [r for r in audit_trail() if r.summary and "erge" in r.summary]
    kept_row = next(r for r in rows if r.person_id == keep and r.action is AuditAction.UPDATE)
    assert "into this record" in kept_row.summary and "Ethnicity" in kept_row.summary
    assert "ethnicity" in (kept_row.changes or "")
    assert any(r.person_id == other and "Merged into" in r.summary for r in rows)
    assert all(r.username == "priya" for r in rows)
    with db.read() as session:
        still = session.scalar(select(func.count()).where(AuditEvent.young_person_id == other))
    assert still is not None and others_history is not None and still > others_history


def test_only_a_manager_merges_or_undoes(
    as_manager: Services,
    as_dariusz: Services,
    db: Database,
    pair: tuple[int, int],
    audit_trail: Callable[..., list[Any]],
) -> None:
    keep, other = pair
    with pytest.raises(PermissionDenied):
        _merge(as_dariusz, db, keep, other)
    with pytest.raises(PermissionDenied):
        as_dariusz.merging.preview(keep, other)
    with pytest.raises(PermissionDenied):
        as_dariusz.data_quality.likely_duplicates()
    merge_id = _merge(as_manager, db, keep, other)
    with pytest.raises(PermissionDenied):
        as_dariusz.merging.undo(merge_id)
    denied = [r for r in audit_trail() if r.action is AuditAction.DENIED]
    assert any("merge duplicate records" in (r.summary or "") for r in denied)
    assert any("undo a merge" in (r.summary or "") for r in denied)


def test_two_open_cases_cannot_be_merged(
    as_manager: Services,
    db: Database,
    case_factory: Callable[..., int],
    team: Any,
) -> None:
    a = case_factory("Zoë", "Brontë", worker_id=team.dariusz.user_id)
    b = case_factory("Zoey", "Bronte", worker_id=team.aisha.user_id)
    preview = as_manager.merging.preview(a, b)
    assert preview.refusal is not None and "Both records have an open case" in preview.refusal
    with pytest.raises(ValidationError, match="close one of them"):
        _merge(as_manager, db, a, b)


def test_a_referral_awaiting_triage_joins_the_open_case_and_goes_back_on_undo(
    as_manager: Services,
    db: Database,
    case_factory: Callable[..., int],
    team: Any,
) -> None:
    keep = case_factory("Mohammed", "Al-Sayed", worker_id=team.dariusz.user_id)
    other = case_factory(
        "Muhammad", "Al Sayed", status=ReferralStatus.RECEIVED, received_days_ago=2
    )
    merge_id = _merge(as_manager, db, keep, other)
    with db.read() as session:
        referrals = session.scalars(
            select(Referral).where(Referral.young_person_id == keep).order_by(Referral.id)
        ).all()
        assert [r.open_case_referral_id for r in referrals] == [None, referrals[0].id]
        assert session.get_one(YoungPerson, keep).current_worker_id == team.dariusz.user_id
    as_manager.merging.undo(merge_id)
    with db.read() as session:
        [back] = session.scalars(select(Referral).where(Referral.young_person_id == other)).all()
        assert back.open_case_referral_id is None
        assert session.get_one(YoungPerson, other).current_status is ReferralStatus.RECEIVED


def test_a_stale_version_is_refused(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    from veru_desk.domain.errors import ConflictError

    keep, other = pair
    with pytest.raises(ConflictError):
        as_manager.merging.merge(
            keep, other, {}, kept_version=_version(db, keep) - 1, other_version=_version(db, other)
        )


def test_anonymising_keeps_the_merge_but_not_the_details_it_replaced(
    as_manager: Services, db: Database
) -> None:
    from veru_desk.db.models import PersonMerge

    keep = as_manager.people.create(PersonDetails("Aoife", "Ní Bhriain", dt.date(2011, 7, 15)))
    other = as_manager.people.create(
        PersonDetails("Aoife", "Ni Bhriain", dt.date(2011, 7, 15), postcode="LU1 5AB")
    )
    merge_id = _merge(as_manager, db, keep, other, last_name=Side.OTHER, postcode=Side.OTHER)
    with db.read() as session:
        assert "Ní Bhriain" in session.get_one(PersonMerge, merge_id).kept_before
    as_manager.retention.anonymise(keep, "Retention review")
    with db.read() as session:
        merge = session.get_one(PersonMerge, merge_id)
        assert (merge.kept_before, merge.reason) == ("{}", None)
        assert merge.kept_id == keep and merge.merged_id == other


def test_erasing_a_record_erases_the_records_merged_into_it(
    as_manager: Services, db: Database
) -> None:
    first = as_manager.people.create(PersonDetails("Nguyễn Thị", "Hoa", dt.date(2011, 5, 1)))
    second = as_manager.people.create(PersonDetails("Nguyen Thi", "Hoa", dt.date(2011, 5, 1)))
    third = as_manager.people.create(PersonDetails("Nguyễn", "Hoa", dt.date(2011, 1, 5)))
    _merge(as_manager, db, second, first)
    _merge(as_manager, db, third, second)  # merged again: first -> second -> third
    as_manager.retention.erase(third, "Retention review")
    with db.read() as session:
        left = session.scalar(
            select(func.count()).where(YoungPerson.id.in_([first, second, third]))
        )
        assert left == 0
        summaries = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.young_person_id == first)
        ).all()
        assert all("Hoa" not in (s or "") for s in summaries)


def test_a_subject_access_export_shows_the_records_merged_into_this_one(
    as_manager: Services, db: Database, pair: tuple[int, int]
) -> None:
    keep, other = pair
    other_ref = as_manager.people.get(other).case_ref
    _merge(as_manager, db, keep, other)
    data = as_manager.subject_access.gather(keep)
    [merged] = data.document["merged_records"]
    assert merged["case_ref"] == other_ref and merged["first_name"] == "Chiamka"
    titles = dict(data.sections)
    assert [i.title for i in titles["Other records of the young person, merged into this one"]] == [
        other_ref
    ]
    # The other's note moved: it is read with this record's.
    assert "School called" in [n["subject"] for n in data.document["notes"]]
