"""Incidents: recorded once with everyone involved and their roles, read in each case they
touch, by whoever may open one of those cases; others' young people shown only by reference
and worker; every change and every view audited; in each case's chronology; covered by
anonymisation, erasure and subject access. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import Team
from tests.services.test_retention import closed_case
from veru_desk.db.engine import Database
from veru_desk.db.models import Incident, IncidentParty
from veru_desk.domain.enums import AuditAction, ChronologyKind
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.incidents import IncidentInput, PartyInput
from veru_desk.domain.network import (
    ConcernInput,
    IncidentKind,
    IncidentRole,
    InfoSource,
    PlaceInput,
    PlaceKind,
)
from veru_desk.services import Services

Trail = Callable[..., list[Any]]


def days_ago(days: int, hour: int = 21, minute: int = 40) -> dt.datetime:
    day = dt.date.today() - dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute))


def knife(
    *parties: PartyInput, place_id: int | None = None, location: str | None = None, days: int = 3
) -> IncidentInput:
    return IncidentInput(
        occurred_at=days_ago(days),
        kind=IncidentKind.KNIFE,
        source=InfoSource.POLICE,
        summary="Chased through the park by two males, one with a large knife; not injured.",
        parties=parties,
        place_id=place_id,
        location=location,
        reference="CAD 4417/03DEC",
    )


@pytest.fixture
def aisha_case(case_factory: Callable[..., int], team: Team) -> int:
    """Chiamaka Okonkwo, on Aisha's caseload."""
    return case_factory("Chiamaka", "Okonkwo", worker_id=team.aisha.user_id)


@pytest.fixture
def park(as_dariusz: Services) -> int:
    """Added by Dariusz, so he may choose it (``services.network``: a place is visible to
    its creator and to those whose cases it touches)."""
    return as_dariusz.network.add_place(
        PlaceInput("Wardown Park", PlaceKind.PARK, "LU2 7HA", "By the boating lake")
    )


def test_a_caseworker_records_a_knife_incident_with_another_caseworkers_young_person(
    as_dariusz: Services,
    as_aisha: Services,
    allocated_case: int,
    aisha_case: int,
    park: int,
    audit_trail: Trail,
) -> None:
    dean = as_dariusz.network.add_concern(ConcernInput("Dean Walsh", "D-Money", 24))
    incident_id = as_dariusz.incidents.add(
        knife(
            PartyInput(IncidentRole.HARMED, allocated_case),
            PartyInput(IncidentRole.WITNESS, aisha_case),
            PartyInput(IncidentRole.SUSPECTED, person_of_concern_id=dean),
            place_id=park,
        )
    )
    [view] = as_dariusz.incidents.for_case(allocated_case)
    assert (view.id, view.kind, view.role, view.where) == (
        incident_id,
        IncidentKind.KNIFE,
        IncidentRole.HARMED,
        "Wardown Park (LU2 7HA)",
    )
    assert view.occurred_at == days_ago(3)
    assert view.reference == "CAD 4417/03DEC" and view.source is InfoSource.POLICE
    assert view.recorded_by == "Dariusz Wójcik"
    [mine, theirs, concern] = view.parties
    assert mine.label.startswith("Łukasz Wiśniewski (VERU-") and mine.can_open
    # Aisha's young person: by reference and worker only, never the name.
    assert "Chiamaka" not in theirs.label and "Okonkwo" not in theirs.label
    assert theirs.label.startswith("Young person: VERU-")
    assert theirs.label.endswith("allocated to Aisha Mohamed") and not theirs.can_open
    assert concern.label == "Dean Walsh ('D-Money')" and concern.role is IncidentRole.SUSPECTED
    assert view.others == (theirs, concern)

    # Aisha reads it in her case with her young person's role, Łukasz by reference only.
    [hers] = as_aisha.incidents.for_case(aisha_case)
    assert hers.role is IncidentRole.WITNESS
    assert hers.parties[0].label.startswith("Chiamaka Okonkwo (VERU-")
    assert all("Łukasz" not in p.label for p in hers.parties)

    created = [e for e in audit_trail("incident") if e.action is AuditAction.CREATE]
    assert sorted(e.person_id for e in created) == sorted([allocated_case, aisha_case])
    assert all(e.entity_id == incident_id and e.username == "dariusz" for e in created)
    when = days_ago(3).strftime("%d/%m/%Y %H:%M")
    assert created[0].summary == f"Incident recorded: Knife incident at Wardown Park, {when}"
    views = [e for e in audit_trail("incident") if e.action is AuditAction.VIEW]
    assert [(e.person_id, e.username) for e in views] == [
        (allocated_case, "dariusz"),
        (aisha_case, "aisha"),
    ]


def test_a_typed_location_and_no_one_of_ones_own_is_refused_field_by_field(
    as_dariusz: Services, allocated_case: int, aisha_case: int, park: int
) -> None:
    with pytest.raises(ValidationError) as refused:
        as_dariusz.incidents.add(
            IncidentInput(
                occurred_at=dt.datetime.now() + dt.timedelta(days=2),
                kind=IncidentKind.ASSAULT,
                source=InfoSource.SCHOOL,
                summary="  ",
                parties=(PartyInput(IncidentRole.HARMED, allocated_case),),
            )
        )
    assert set(refused.value.fields) == {"occurred_at", "place", "summary"}
    with pytest.raises(ValidationError) as both:
        as_dariusz.incidents.add(
            knife(PartyInput(IncidentRole.HARMED, allocated_case), place_id=park, location="Bus")
        )
    assert set(both.value.fields) == {"location"}
    with pytest.raises(ValidationError) as nobody:
        as_dariusz.incidents.add(knife(location="Luton station"))
    assert "young person" in nobody.value.fields["parties"]
    with pytest.raises(PermissionDenied):
        as_dariusz.incidents.add(
            knife(PartyInput(IncidentRole.HARMED, aisha_case), location="Luton station")
        )


def test_permissions_per_role(
    as_dariusz: Services,
    as_aisha: Services,
    as_manager: Services,
    db: Database,
    team: Team,
    allocated_case: int,
    audit_trail: Trail,
) -> None:
    incident_id = as_dariusz.incidents.add(
        knife(PartyInput(IncidentRole.HARMED, allocated_case), location="Outside Luton station")
    )
    with pytest.raises(PermissionDenied):
        as_aisha.incidents.for_case(allocated_case)
    with pytest.raises(PermissionDenied):
        as_aisha.incidents.get(incident_id)
    view = as_dariusz.incidents.get(incident_id)
    with pytest.raises(PermissionDenied):
        as_aisha.incidents.change(incident_id, view.as_input(), view.version)
    admin = Services(db, team.admin)
    with pytest.raises(PermissionDenied):
        admin.incidents.add(
            knife(PartyInput(IncidentRole.HARMED, allocated_case), location="Luton station")
        )
    # A manager reads and changes any incident.
    [seen] = as_manager.incidents.for_case(allocated_case)
    assert seen.parties[0].label.startswith("Łukasz Wiśniewski")
    denied = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert len(denied) >= 3 and {e.username for e in denied} >= {"aisha", "admin"}


def test_a_change_is_audited_in_every_case_touched_and_a_stale_save_is_refused(
    as_dariusz: Services,
    as_manager: Services,
    allocated_case: int,
    aisha_case: int,
    park: int,
    audit_trail: Trail,
) -> None:
    incident_id = as_dariusz.incidents.add(
        knife(PartyInput(IncidentRole.HARMED, allocated_case), location="Bury Park Road")
    )
    view = as_dariusz.incidents.get(incident_id)
    changed = IncidentInput(
        occurred_at=days_ago(4, 20, 15),
        kind=IncidentKind.ROBBERY,
        source=InfoSource.SELF_REPORT,
        summary="Phone and jacket taken at knifepoint.",
        parties=(
            PartyInput(IncidentRole.HARMED, allocated_case),
            PartyInput(IncidentRole.PRESENT, aisha_case),
        ),
        place_id=park,
        reference="",
    )
    as_dariusz.incidents.change(incident_id, changed, view.version)
    after = as_dariusz.incidents.get(incident_id)
    assert (after.kind, after.place_id, after.location, after.reference) == (
        IncidentKind.ROBBERY,
        park,
        None,
        None,
    )
    assert [p.role for p in after.parties] == [IncidentRole.HARMED, IncidentRole.PRESENT]
    updates = [e for e in audit_trail("incident") if e.action is AuditAction.UPDATE]
    assert sorted(e.person_id for e in updates) == sorted([allocated_case, aisha_case])
    assert "Chiamaka" not in (updates[0].changes or "")
    assert '"kind": ["knife", "robbery"]' in (updates[0].changes or "")
    with pytest.raises(ConflictError):
        as_manager.incidents.change(incident_id, view.as_input(), view.version)
    # Taking a young person off the incident takes it out of their case.
    as_manager.incidents.change(
        incident_id,
        IncidentInput(**{**changed.__dict__, "parties": changed.parties[:1]}),
        after.version,
    )
    assert as_manager.incidents.for_case(aisha_case) == []


def test_the_incident_is_in_each_involved_cases_chronology_with_its_role(
    as_dariusz: Services, as_manager: Services, allocated_case: int, aisha_case: int, park: int
) -> None:
    as_dariusz.incidents.add(
        knife(
            PartyInput(IncidentRole.HARMED, allocated_case),
            PartyInput(IncidentRole.SUSPECTED, aisha_case),
            place_id=park,
        )
    )
    kinds = frozenset({ChronologyKind.INCIDENT})
    [entry] = as_dariusz.chronology.for_person(allocated_case, kinds)
    assert entry.title == "Knife incident at Wardown Park (harmed)"
    assert entry.at == days_ago(3)
    assert entry.detail.splitlines()[0] == "Source: Police; reference CAD 4417/03DEC"
    assert "Chased through the park" in entry.detail
    [theirs] = as_manager.chronology.for_person(aisha_case, kinds)
    assert theirs.title == "Knife incident at Wardown Park (suspected)"


def test_anonymising_keeps_the_incident_and_removes_its_words_when_only_theirs(
    as_manager: Services, team: Team, db: Database, allocated_case: int
) -> None:
    assert team.dariusz.user_id is not None
    person = closed_case(as_manager, team.dariusz.user_id)
    alone = as_manager.incidents.add(
        knife(PartyInput(IncidentRole.HARMED, person), location="14 Crawley Green Road", days=3000)
    )
    shared = as_manager.incidents.add(
        knife(
            PartyInput(IncidentRole.HARMED, person),
            PartyInput(IncidentRole.WITNESS, allocated_case),
            location="Luton station",
            days=2990,
        )
    )
    as_manager.retention.anonymise(person, "Retention period over")
    with db.read() as session:
        own = session.get_one(Incident, alone)
        assert (own.kind, own.occurred_at) == (IncidentKind.KNIFE, days_ago(3000))
        assert own.location is None and "Chased" not in own.summary and own.reference is None
        # Łukasz's record of the shared incident keeps its words.
        other = session.get_one(Incident, shared)
        assert "Chased" in other.summary and other.location == "Luton station"
        roles = session.scalars(
            select(IncidentParty.role).where(IncidentParty.young_person_id == person)
        ).all()
        assert sorted(roles) == [IncidentRole.HARMED, IncidentRole.HARMED]


def test_erasing_deletes_incidents_only_theirs_and_their_part_in_shared_ones(
    as_manager: Services, team: Team, db: Database, allocated_case: int
) -> None:
    assert team.dariusz.user_id is not None
    person = closed_case(as_manager, team.dariusz.user_id)
    as_manager.incidents.add(
        knife(PartyInput(IncidentRole.HARMED, person), location="Luton station", days=3000)
    )
    shared = as_manager.incidents.add(
        knife(
            PartyInput(IncidentRole.HARMED, person),
            PartyInput(IncidentRole.WITNESS, allocated_case),
            location="Luton station",
            days=2990,
        )
    )
    as_manager.retention.erase(person, "Request to erase upheld")
    with db.read() as session:
        assert session.scalars(select(Incident.id)).all() == [shared]
        assert session.scalar(select(func.count()).select_from(IncidentParty)) == 1
    [left] = as_manager.incidents.for_case(allocated_case)
    assert [p.role for p in left.parties] == [IncidentRole.WITNESS]


def test_subject_access_includes_incidents_and_withholds_the_other_people(
    as_manager: Services, as_dariusz: Services, allocated_case: int, aisha_case: int, park: int
) -> None:
    dean = as_dariusz.network.add_concern(ConcernInput("Dean Walsh", "D-Money", 24))
    as_dariusz.incidents.add(
        knife(
            PartyInput(IncidentRole.HARMED, allocated_case),
            PartyInput(IncidentRole.WITNESS, aisha_case),
            PartyInput(IncidentRole.SUSPECTED, person_of_concern_id=dean),
            place_id=park,
        )
    )
    data = as_manager.subject_access.gather(allocated_case)
    [items] = [items for title, items in data.sections if title == "Incidents"]
    [item] = items
    assert item.title == f"Knife incident, {days_ago(3):%d/%m/%Y %H:%M}"
    shown = dict(item.fields)
    assert shown["Role"] == "Harmed"
    assert shown["Place"] == "Wardown Park (LU2 7HA)"
    assert "2 other people" in shown["Others involved"]
    [document] = data.document["incidents"]
    assert document["role"] == "harmed" and document["kind"] == "knife"
    text = repr(data.document) + repr(data.sections)
    assert "Chiamaka" not in text and "Dean Walsh" not in text and "D-Money" not in text


@pytest.fixture
def london_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The office's clock: British Summer Time in July, where an hour's slip shows."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_subject_access_shows_a_summer_incident_at_the_time_it_happened(
    as_manager: Services, as_dariusz: Services, allocated_case: int, london_time: None
) -> None:
    """An incident's time is kept as typed (wall-clock), unlike the moments the app stamps in
    UTC: read as UTC, a 14:30 incident in July came out at 15:30."""
    summer = dt.datetime(dt.date.today().year - 1, 7, 14, 14, 30)
    as_dariusz.incidents.add(
        IncidentInput(
            occurred_at=summer,
            kind=IncidentKind.ROBBERY,
            source=InfoSource.SELF_REPORT,
            summary="Phone taken outside the leisure centre.",
            parties=(PartyInput(IncidentRole.HARMED, allocated_case),),
            location="Outside the leisure centre",
        )
    )
    data = as_manager.subject_access.gather(allocated_case)
    [items] = [items for title, items in data.sections if title == "Incidents"]
    [item] = items
    assert item.title.endswith(f"{summer:%d/%m/%Y} 14:30")
    assert f"{summer:%d/%m/%Y} 14:30" in dict(item.fields).values()
    [document] = data.document["incidents"]
    assert document["occurred_at"] == summer.isoformat()  # no "Z": not a UTC moment
    assert document["created_at"].endswith("Z")


def test_the_case_summary_lists_incidents_within_the_multi_agency_sharing_rules(
    as_dariusz: Services, allocated_case: int, aisha_case: int, park: int, tmp_path: Any
) -> None:
    from veru_desk.reports.case_summary import render_case_summary
    from veru_desk.services.summary import SharingProfile

    as_dariusz.incidents.add(
        knife(
            PartyInput(IncidentRole.HARMED, allocated_case),
            PartyInput(IncidentRole.WITNESS, aisha_case),
            place_id=park,
        )
    )
    as_dariusz.incidents.add(
        IncidentInput(
            occurred_at=days_ago(1, 23, 5),
            kind=IncidentKind.ARREST,
            source=InfoSource.POLICE,
            summary="Arrested with Chiamaka near the station; released under investigation.",
            parties=(PartyInput(IncidentRole.SUSPECTED, allocated_case),),
            location="Luton station",
            reference="CAD 5120",
        )
    )
    full = as_dariusz.summary.gather(allocated_case, SharingProfile.FULL)
    assert [(i.kind, i.role, i.place) for i in full.incidents] == [
        (IncidentKind.KNIFE, IncidentRole.HARMED, "Wardown Park (LU2 7HA)"),
        (IncidentKind.ARREST, IncidentRole.SUSPECTED, "Luton station"),
    ]
    assert full.incidents[0].summary is not None and "Chased" in full.incidents[0].summary

    shared = as_dariusz.summary.gather(allocated_case, SharingProfile.MULTI_AGENCY)
    knife_line, arrest = shared.incidents
    assert (knife_line.place, knife_line.reference, knife_line.summary) == (
        "Wardown Park (LU2 7HA)",
        "CAD 4417/03DEC",
        None,  # the account names others: the unit's full summary only
    )
    assert knife_line.withheld is None
    # An arrest (and being suspected) is criminal offence data: withheld without a decision.
    assert arrest.withheld is not None and arrest.withheld.startswith("Offending details withheld")
    assert (arrest.place, arrest.reference, arrest.summary) == ("", None, None)
    incidents = [c for c in shared.chronology if c.kind is ChronologyKind.INCIDENT]
    assert [c.detail for c in incidents] == ["Source: Police; reference CAD 4417/03DEC", ""]
    assert incidents[1].title == arrest.withheld
    assert "Chiamaka" not in repr(shared) and "Chased" not in repr(shared)
    for profile, data in (("full", full), ("multi", shared)):
        pages = render_case_summary(data, tmp_path / f"{profile}.pdf")
        assert pages >= 1


def test_demo_incidents_tell_missing_episodes_before_county_lines_and_keep_the_rules(
    tmp_path: Any,
) -> None:
    from tests.services.test_demo import fresh_database
    from veru_desk.db.models import SafeguardingFlagRecord
    from veru_desk.demo.database import generate_demo_data
    from veru_desk.domain.incidents import incident_problems
    from veru_desk.domain.safeguarding import FlagKind

    def story(path: Any) -> list[tuple[Any, ...]]:
        db = fresh_database(path)
        generate_demo_data(db, 150, seed=7)
        with db.read() as session:
            incidents = session.scalars(select(Incident).order_by(Incident.id)).all()
            lines_from = dict(
                session.execute(
                    select(
                        SafeguardingFlagRecord.young_person_id, SafeguardingFlagRecord.started_on
                    )
                    .where(SafeguardingFlagRecord.kind == FlagKind.COUNTY_LINES)
                    .order_by(SafeguardingFlagRecord.started_on.desc())
                ).all()
            )
            found = []
            for incident in incidents:
                parties = tuple(
                    PartyInput(p.role, p.young_person_id, p.person_of_concern_id)
                    for p in incident.parties
                )
                typed = IncidentInput(
                    incident.occurred_at,
                    incident.kind,
                    incident.source,
                    incident.summary,
                    parties,
                    incident.place_id,
                    incident.location,
                    incident.reference,
                )
                assert incident_problems(typed, dt.datetime.now()) == {}, incident.id
                if incident.kind is IncidentKind.MISSING:
                    [party] = parties
                    assert party.young_person_id is not None
                    assert incident.occurred_at.date() < lines_from[party.young_person_id]
                found.append((incident.kind, incident.occurred_at, parties))
            return found

    first = story(tmp_path / "one.db")
    kinds = {kind for kind, _at, _p in first}
    assert {IncidentKind.MISSING, IncidentKind.KNIFE, IncidentKind.ARREST} <= kinds
    assert any(len(p) >= 2 for kind, _at, p in first if kind is IncidentKind.KNIFE)
    assert story(tmp_path / "two.db") == first  # the same seed tells the same incidents
