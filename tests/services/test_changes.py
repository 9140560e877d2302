"""Typed change sets: every write the UI can trigger publishes the kinds of record it changed,
for the case it changed, so the screens that show them refresh without being told.

The walk below names every public service method that writes (found by reading the
services, so a new write without a line here fails ``test_every_write_method_is_walked``),
drives it as a user would, and checks what it published after commit.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path

import pytest

import veru_desk.services.container as container
from tests.conftest import Team
from tests.dates import today
from tests.services.test_imports import csv_bytes, row
from tests.services.test_retention import closed_case
from tests.sharing_helpers import decide
from tests.sharing_helpers import draft as sharing_draft
from veru_desk.db.engine import Database
from veru_desk.db.models import Base
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    ClosureReason,
    ConsentStatus,
    ContactRelationship,
    GoalDomain,
    OutcomePoint,
    ReferralStatus,
    RiskLevel,
    Role,
)
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.safeguarding import FlagInput, FlagKind
from veru_desk.domain.sharing import LawfulBasis, SharingDraft
from veru_desk.services import Services, changes
from veru_desk.services.actor import Actor
from veru_desk.services.base import CASE_KINDS, KINDS_OF_TABLE
from veru_desk.services.case_analysis import AnalysisInput
from veru_desk.services.changes import Changes, Kind
from veru_desk.services.contacts import ContactInput
from veru_desk.services.directory import AgencyInput, ProfessionalInput
from veru_desk.services.groups import GroupInput, Mark
from veru_desk.services.mentoring import SeriesInput, SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.services.outcome_figures import ReportPeriod
from veru_desk.services.outcomes import OutcomeInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.plans import ActionInput, GoalInput, GoalView
from veru_desk.services.retention import RetentionPolicy
from veru_desk.services.risk import RiskInput
from veru_desk.services.summary import PreparedFor, SharingProfile

PASSWORD = "Kente-cloth-Lagos-2026"


def write_methods() -> set[str]:
    """``service.method`` for every public method of every service that opens a write."""
    source = inspect.getsource(container)
    classes = {
        name: getattr(importlib.import_module(module), name)
        for module, name in re.findall(r"from (veru_desk\.services\.\w+) import (\w+)", source)
    }
    found = set()
    for attribute, made in vars(container.Services).items():
        if not isinstance(made, cached_property):
            continue
        service = classes[made.func.__annotations__["return"]]
        for name, method in inspect.getmembers(service, inspect.isfunction):
            code = inspect.getsource(method)
            if not name.startswith("_") and ("self._write()" in code or "self._create(" in code):
                found.add(f"{attribute}.{name}")
    return found


@dataclass
class World:
    """Łukasz's allocated case with one of every record, and the people who work on it."""

    db: Database
    manager: Services
    dariusz: Services
    admin: Services
    person: int
    referral: int
    session: int
    plan: int
    goal: int
    action: int
    risk: int
    outcome: int
    note: int
    tmp: Path


@pytest.fixture
def world(
    db: Database,
    team: Team,
    as_manager: Services,
    as_dariusz: Services,
    allocated_case: int,
    tmp_path: Path,
) -> World:
    person = allocated_case
    [referral] = as_dariusz.referrals.for_person(person)
    # Yesterday at ten: a time of day "today" is in the future when the suite runs before it.
    now = dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(10, 0))
    session = as_dariusz.sessions.book(
        person, SessionInput(planned_start=now + dt.timedelta(days=2))
    )
    plan = as_dariusz.plans.start_plan(person, today(), "Back into education")
    goal = as_dariusz.plans.add_goal(plan, GoalInput(GoalDomain.EET, "Back to college"))
    action = as_dariusz.plans.add_action(goal, ActionInput("Visit Barnfield College"))
    risk = as_dariusz.risk.record(person, RiskInput(assessed_on=today(), level=RiskLevel.HIGH))
    outcome = as_dariusz.outcomes.record(
        person, OutcomeInput(recorded_on=today(), point=OutcomePoint.START, wellbeing=4)
    )
    note = as_dariusz.notes.add(
        person,
        NoteInput(now - dt.timedelta(hours=1), "Call with mother", "Agreed a home visit."),
    )
    return World(
        db,
        as_manager,
        as_dariusz,
        Services(db, team.admin),
        person,
        referral.id,
        session,
        plan,
        goal,
        action,
        risk,
        outcome,
        note,
        tmp_path,
    )


Expected = set[tuple[Kind, int | None]]
Walk = Callable[[World], Expected | None]


def _reopen(w: World) -> None:
    w.manager.referrals.close(w.referral, ClosureReason.GOALS_ACHIEVED, "Goals met.")
    watched = watch()
    w.manager.referrals.reopen(w.referral, "A further incident at school")
    _published(watched, {(Kind.REFERRAL, w.person), (Kind.CASE, w.person)})


def _create_referral(w: World) -> Expected:
    _received(w)
    return {(Kind.PERSON, None), (Kind.REFERRAL, None)}


def _colleague(w: World) -> int:
    """Ciarán, to take Łukasz's case over from Dariusz."""
    return next(
        x.user_id for x in w.manager.referrals.workers() if x.user_id != w.dariusz.actor.user_id
    )


def _received(w: World) -> int:
    """A second young person, referred and waiting for triage: Ngozi's."""
    from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason
    from veru_desk.services.referrals import ReferralDetails

    intake = w.manager.referrals.create(
        ReferralDetails(
            received_on=today() - dt.timedelta(days=3),
            referring_agency="Luton Sixth Form College",
            referring_agency_type=AgencyType.SCHOOL,
            reasons=frozenset({ReferralReason.EXCLUSION_ABSENCE}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name="Ngozi",
            last_name="Okonkwo-Adeyemi",
            date_of_birth=today().replace(year=today().year - 15) - dt.timedelta(days=20),
        ),
    )
    return intake.referral_id


def _session(w: World) -> tuple[int, int]:
    view = w.dariusz.sessions.get(w.session)
    return view.id, view.version


def _new_user(w: World) -> int:
    return w.admin.users.create("ngozi.o", "Ngozi Okonkwo", {Role.CASEWORKER}, PASSWORD)


def _change_own_password(w: World) -> None:
    user_id = _new_user(w)
    ngozi = Services(w.db, Actor(user_id, "ngozi.o", "Ngozi Okonkwo", frozenset({Role.CASEWORKER})))
    watched = watch()
    ngozi.users.change_own_password(PASSWORD, "Jollof-and-plantain-2027")
    _published(watched, {(Kind.USER, None)})


def _restore(w: World) -> None:
    if not w.db.is_sqlite:
        pytest.skip("backups are of a database file")
    backup = w.admin.backups.backup_now()
    watched = watch()
    w.admin.backups.restore(backup)
    _published(watched, {(Kind.DATABASE, None)})


def _published(watched: list[Changes], expected: Expected) -> None:
    """For walks that set up with writes of their own: only the write under test is checked,
    here; the walk returns None."""
    assert len(watched) == 1, f"one write, one change set: {watched}"
    _check(watched[0], expected)


def _check(published: Changes, expected: Expected) -> None:
    for kind, person in expected:
        assert published.touches(kind, person), f"{kind} for {person} not in {published}"
        if person is not None:
            assert person in published.people(kind), f"{kind} not said to be {person}'s"


def _import(w: World) -> Expected:
    result = w.dariusz.imports.run(csv_bytes([row(first_name="Tomasz", last_name="Łukasiewicz")]))
    assert result.new_referrals == 1
    return {(Kind.PERSON, None), (Kind.REFERRAL, None)}


def _subject_access(w: World) -> Expected:
    def render(_data: object, path: Path) -> int:
        path.write_bytes(b"%PDF-1.4\n")  # the real renderer is tested in reports/
        return 1

    w.manager.subject_access.export(
        w.person, w.tmp / "sar.json", w.tmp / "sar.pdf", render_pdf=render
    )
    return {(Kind.EXPORT, w.person)}


def _erase(w: World, verb: str) -> None:
    worker = w.dariusz.actor.user_id
    assert worker is not None
    closed = closed_case(w.manager, worker)
    watched = watch()
    getattr(w.manager.retention, verb)(closed, "Retention review: period ended")
    _published(watched, {(kind, closed) for kind in CASE_KINDS})


def _person_update(w: World) -> Expected:
    view = w.dariusz.people.get(w.person)
    changed = PersonDetails(**{**view.details.__dict__, "preferred_name": "Łuki"})
    w.dariusz.people.update(w.person, changed, view.version)
    return {(Kind.PERSON, w.person)}


def _create_person(w: World) -> Expected:
    born = today().replace(year=today().year - 13)
    w.manager.people.create(PersonDetails("Siobhán", "Nic Giolla", date_of_birth=born))
    return {(Kind.PERSON, None)}  # nobody's screen shows her yet: every list reads again


def _summary_export(w: World) -> None:
    decide(w.dariusz, w.person)
    watched = watch()
    w.dariusz.summary.record_export(
        w.person,
        SharingProfile.MULTI_AGENCY,
        PreparedFor("Luton complex-case panel", today()),
        "VERU-summary.pdf",
        4,
    )
    _published(watched, {(Kind.EXPORT, w.person)})


def _approve_sharing(w: World) -> None:
    decision = w.dariusz.sharing.record(w.person, _refused_consent_draft(w))
    watched = watch()
    w.manager.sharing.approve(decision.id)
    _published(watched, {(Kind.EXPORT, w.person)})


def _refused_consent_draft(w: World) -> SharingDraft:
    from veru_desk.db.models import Referral

    with w.db.write() as session:
        referral = session.get_one(Referral, w.referral)
        referral.consent_parent = ConsentStatus.REFUSED
    return sharing_draft(LawfulBasis.CHILDREN_ACT_1989)


def _sign_off_analysis(w: World) -> None:
    saved = w.dariusz.analysis.save(w.person, AnalysisInput(worries="Late nights"), 0)
    watched = watch()
    w.manager.analysis.sign_off(w.person, saved.version)
    _published(watched, {(Kind.ANALYSIS, w.person)})


def _attachment(w: World, verb: str) -> None:
    """A file on Łukasz's case (#19); then only the write under test is checked: opening and
    saving a copy audit and change nothing a screen shows, removing changes the case's files."""
    from tests.services.test_attachments import pdf_bytes

    ident = w.dariusz.attachments.add(w.person, pdf_bytes(), file_name="consent.pdf")
    watched = watch()
    if verb == "open":
        w.dariusz.attachments.open(ident)
    elif verb == "export":
        w.dariusz.attachments.export(ident, w.tmp / "consent copy.pdf")
    else:
        w.dariusz.attachments.remove(ident, "Added to the wrong case")
        _published(watched, {(Kind.ATTACHMENT, w.person)})
        return
    assert watched == [], f"attachments.{verb} published {watched}"


def _panel(w: World, verb: str) -> None:
    """A panel meeting with Łukasz's case on its agenda (#19); only ``verb`` is watched."""
    from veru_desk.domain.panels import ActionInput as PanelActionInput
    from veru_desk.domain.panels import DiscussionInput, MeetingInput, PanelType

    held = dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(10))
    details = MeetingInput(held, PanelType.COMPLEX_CASE, "Luton complex case panel")
    if verb == "create":
        watched = watch()
        w.manager.panels.create(details)
        _published(watched, {(Kind.PANEL, None)})
        return
    meeting = w.manager.panels.create(details)
    if verb == "change":
        watched = watch()
        w.dariusz.panels.change(meeting, replace(details, chair="Siobhán Ní Mhurchú"), 1)
        _published(watched, {(Kind.PANEL, None)})
        return
    watched = watch()
    item = w.dariusz.panels.add_case(meeting, w.person)
    if verb == "add_case":
        _published(watched, {(Kind.PANEL, w.person)})
        return
    watched = watch()
    if verb == "get":
        w.dariusz.panels.get(meeting)
        assert watched == [], f"panels.get published {watched}"
        return
    if verb == "record_pack":
        w.dariusz.panels.record_pack(
            meeting, profile="full", combined=True, filenames=["pack.pdf"], case_refs=[], pages=3
        )
        assert watched == [], f"panels.record_pack published {watched}"
        return
    if verb == "remove_case":
        w.dariusz.panels.remove_case(item, 1)
        _published(watched, {(Kind.PANEL, w.person)})
        return
    action = PanelActionInput("Share intelligence", "DS Funmilayo Adebayo", "Police", today())
    discussion = DiscussionInput(decision="Refer", actions=(action,))
    w.dariusz.panels.record_discussion(item, discussion, 1)
    if verb == "record_discussion":
        _published(watched, {(Kind.PANEL, w.person)})
        return
    [saved] = w.dariusz.panels.get(meeting).items
    watched = watch()
    w.dariusz.panels.set_action_done(saved.actions[0].id, today(), saved.actions[0].version)
    _published(watched, {(Kind.PANEL, w.person)})


def _end_flag(w: World) -> None:
    flag = w.dariusz.safeguarding.add(w.person, FlagInput(FlagKind.MISSING, today()))
    watched = watch()
    w.manager.safeguarding.end(flag, today(), 1)
    _published(watched, {(Kind.FLAG, w.person)})


def _merge(w: World, undo: bool = False, preview: bool = False) -> None:
    """Łukasz's case and a duplicate record of him (#19); only the merge (or its undo, or
    the comparison before it) is watched."""
    born = w.manager.people.get(w.person).details.date_of_birth
    other = w.manager.people.create(PersonDetails("Lukasz", "Wisniewski", born))
    watched = watch()
    if preview:
        w.manager.merging.preview(w.person, other)
        assert watched == []  # a look, audited, changes nothing a screen shows
        return
    versions = {pid: w.manager.people.get(pid).version for pid in (w.person, other)}
    merge_id = w.manager.merging.merge(
        w.person, other, {}, kept_version=versions[w.person], other_version=versions[other]
    )
    if undo:
        watched = watch()
        w.manager.merging.undo(merge_id)
    _published(watched, {(Kind.PERSON, w.person), (Kind.PERSON, other), (Kind.MERGE, None)})


def _task(w: World, then: Callable[[Services, int], object]) -> None:
    """A task on Łukasz's case for Dariusz; only ``then``'s write is watched."""
    from veru_desk.services.tasks import TaskInput

    assert w.dariusz.actor.user_id is not None
    task = w.dariusz.tasks.create(
        TaskInput("Call school", w.dariusz.actor.user_id, today() + dt.timedelta(days=3), w.person)
    )
    watched = watch()
    then(w.manager, task)
    _published(watched, {(Kind.TASK, w.person)})


def _reopen_task(w: World) -> None:
    _task(w, lambda s, t: s.tasks.cancel(t, 1, "Not needed"))
    [task] = w.manager.tasks.for_case(w.person)
    watched = watch()
    w.manager.tasks.reopen(task.id, task.version)
    _published(watched, {(Kind.TASK, w.person)})


def _new_task(w: World) -> set[tuple[Kind, int | None]]:
    from veru_desk.services.tasks import TaskInput

    assert w.dariusz.actor.user_id is not None
    w.dariusz.tasks.create(TaskInput("Call school", w.dariusz.actor.user_id, today(), w.person))
    return {(Kind.TASK, w.person)}


def _change_flag(w: World) -> None:
    flag = w.dariusz.safeguarding.add(w.person, FlagInput(FlagKind.CCE, today()))
    watched = watch()
    w.dariusz.safeguarding.change(flag, FlagInput(FlagKind.COUNTY_LINES, today()), 1)
    _published(watched, {(Kind.FLAG, w.person)})


def _aoife(w: World) -> int:
    return w.dariusz.directory.add_professional(
        ProfessionalInput("Aoife Ní Bhriain", "Social worker", phone="01582 547000")
    )


def _contact(w: World) -> int:
    return w.dariusz.contacts.add(
        w.person, ContactInput("Grażyna Wiśniewska", ContactRelationship.MOTHER)
    )


def _change_contact(w: World) -> None:
    contact = _contact(w)
    watched = watch()
    w.dariusz.contacts.change(
        contact, ContactInput("Grażyna Wiśniewska", ContactRelationship.CARER), 1
    )
    _published(watched, {(Kind.PERSON, w.person)})


def _end_contact(w: World) -> None:
    contact = _contact(w)
    watched = watch()
    w.manager.contacts.end(contact, today(), "Moved to Poland", 1)
    _published(watched, {(Kind.PERSON, w.person)})


def _agency(w: World) -> int:
    return w.dariusz.directory.add_agency(AgencyInput("Marsh Farm Youth Hub", AgencyType.VOLUNTARY))


def _change_agency(w: World) -> None:
    agency = _agency(w)
    watched = watch()
    w.dariusz.directory.change_agency(
        agency, AgencyInput("Marsh Farm Youth Hub CIC", AgencyType.VOLUNTARY)
    )
    _published(watched, {(Kind.AGENCY, None)})


def _deactivate_agency(w: World) -> None:
    agency = _agency(w)
    watched = watch()
    w.manager.directory.deactivate_agency(agency)
    _published(watched, {(Kind.AGENCY, None)})


def _change_professional(w: World) -> None:
    aoife = _aoife(w)
    watched = watch()
    w.manager.directory.change_professional(
        aoife, ProfessionalInput("Aoife Ní Bhriain", "Senior social worker"), 1
    )
    _published(watched, {(Kind.AGENCY, None)})


def _deactivate_professional(w: World) -> None:
    aoife = _aoife(w)
    watched = watch()
    w.manager.directory.deactivate_professional(aoife, 1)
    _published(watched, {(Kind.AGENCY, None)})


def _group(w: World, method: str) -> None:
    """A group of yesterday evening with Łukasz on its register, then the write under test."""
    start = dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(17, 30))
    [group] = w.dariusz.groups.create(GroupInput("Thursday football", start)).session_ids
    if method != "add_people":
        w.dariusz.groups.add_people(group, [w.person])
    watched = watch()
    if method == "add_people":
        w.dariusz.groups.add_people(group, [w.person])
    elif method == "remove_person":
        w.dariusz.groups.remove_person(group, w.person)
    elif method == "record_register":
        [row] = w.dariusz.groups.register(group).rows
        watched.clear()
        w.dariusz.groups.record_register(group, [Mark(row.session_id, Attendance.ATTENDED)])
    elif method == "update_notes":
        w.dariusz.groups.update_notes(group, "Five-a-side", 1)
        _published(watched, {(Kind.GROUP, None)})
        return
    elif method == "register":
        w.dariusz.groups.register(group)
        assert watched == [], f"opening a register published {watched}"
        return
    _published(watched, {(Kind.SESSION, w.person)})


def _net_link(link_type: object) -> object:
    from veru_desk.domain.network import Certainty, InfoSource, LinkInput

    return LinkInput(link_type, InfoSource.POLICE, Certainty.LIKELY)  # type: ignore[arg-type]


def _dean(w: World) -> int:
    from veru_desk.domain.network import ConcernInput

    return w.dariusz.network.add_concern(ConcernInput("Dean Walsh", "D-Money", 24))


def _park(w: World) -> int:
    from veru_desk.domain.network import PlaceInput, PlaceKind

    return w.dariusz.network.add_place(PlaceInput("Wardown Park", PlaceKind.PARK))


def _network_walk(method: str) -> Walk:
    """Each write of the network service publishes NETWORK for the case(s) it links (a link
    between two young people: both); a person of concern or a place for everyone; reads that
    audit publish nothing."""
    from veru_desk.domain.network import (
        ConcernInput,
        ConcernLinkType,
        LinkKind,
        NodeKind,
        PersonLinkType,
        PlaceInput,
        PlaceKind,
        PlaceLinkType,
    )

    def walk(w: World) -> Expected | None:
        network = w.dariusz.network
        if method == "add_concern":
            _dean(w)
            return {(Kind.NETWORK, None)}
        if method == "add_place":
            _park(w)
            return {(Kind.NETWORK, None)}
        if method in ("change_concern", "get_concern"):
            dean = _dean(w)
            watched = watch()
            if method == "get_concern":
                network.get_concern(dean)
                assert watched == []
                return None
            network.change_concern(dean, ConcernInput("Dean Walsh", "D-Money", 25), 1)
            _published(watched, {(Kind.NETWORK, None)})
            return None
        if method == "change_place":
            park = _park(w)
            watched = watch()
            network.change_place(park, PlaceInput("Wardown Park", PlaceKind.PARK, "LU2 7HA"), 1)
            _published(watched, {(Kind.NETWORK, None)})
            return None
        if method == "link_person":
            assert w.dariusz.actor.user_id is not None
            other = closed_case(w.manager, w.dariusz.actor.user_id, years_ago=1, age=19)
            watched = watch()
            network.link_person(w.person, other, _net_link(PersonLinkType.SIBLING))  # type: ignore[arg-type]
            _published(watched, {(Kind.NETWORK, w.person), (Kind.NETWORK, other)})
            return None
        if method == "link_concern":
            dean = _dean(w)
            watched = watch()
            network.link_concern(w.person, dean, _net_link(ConcernLinkType.EXPLOITED_BY))  # type: ignore[arg-type]
            _published(watched, {(Kind.NETWORK, w.person)})
            return None
        if method == "link_place":
            park = _park(w)
            watched = watch()
            network.link_place(w.person, park, _net_link(PlaceLinkType.SEEN_AT))  # type: ignore[arg-type]
            _published(watched, {(Kind.NETWORK, w.person)})
            return None
        if method == "link_concern_to_place":
            dean, park = _dean(w), _park(w)
            watched = watch()
            network.link_concern_to_place(dean, park, _net_link(PlaceLinkType.OPERATES_FROM))  # type: ignore[arg-type]
            _published(watched, {(Kind.NETWORK, None)})
            return None
        if method in ("change_link", "end_link"):
            park = _park(w)
            link = network.link_place(w.person, park, _net_link(PlaceLinkType.SEEN_AT))  # type: ignore[arg-type]
            watched = watch()
            if method == "end_link":
                network.end_link(LinkKind.PLACE, link, today(), 1)
            else:
                network.change_link(LinkKind.PLACE, link, _net_link(PlaceLinkType.FREQUENTS), 1)  # type: ignore[arg-type]
            _published(watched, {(Kind.NETWORK, w.person)})
            return None
        # links_of, network_of, picture, linked_young_people: reads that audit
        dean = _dean(w)
        network.link_concern(w.person, dean, _net_link(ConcernLinkType.ASSOCIATE))  # type: ignore[arg-type]
        watched = watch()
        if method == "linked_young_people":
            network.linked_young_people(NodeKind.CONCERN, dean)
        else:
            getattr(network, method)(w.person)
        assert watched == [], f"{method} published {watched}"
        return None

    return walk


_NETWORK_WRITES = (
    "add_concern", "add_place", "change_concern", "change_link", "change_place", "end_link",
    "get_concern", "link_concern", "link_concern_to_place", "link_person", "link_place",
    "linked_young_people", "links_of", "network_of", "picture",
)  # fmt: skip


def _incident_walk(method: str) -> Walk:
    """An incident's writes publish INCIDENT for each young person involved (before and after
    a change); reading a case's incidents or one incident audits and publishes nothing."""
    from veru_desk.domain.incidents import IncidentInput, PartyInput
    from veru_desk.domain.network import IncidentKind, IncidentRole, InfoSource

    def walk(w: World) -> Expected | None:
        data = IncidentInput(
            dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(21, 0)),
            IncidentKind.KNIFE,
            InfoSource.POLICE,
            "Chased through Wardown Park by a man with a knife.",
            (PartyInput(IncidentRole.HARMED, w.person),),
            location="Wardown Park",
        )
        incidents = w.dariusz.incidents
        if method == "add":
            incidents.add(data)
            return {(Kind.INCIDENT, w.person)}
        ident = incidents.add(data)
        watched = watch()
        if method == "change":
            incidents.change(ident, replace(data, kind=IncidentKind.ROBBERY), 1)
            _published(watched, {(Kind.INCIDENT, w.person)})
            return None
        if method == "get":
            incidents.get(ident)
        else:
            incidents.for_case(w.person)
        assert watched == [], f"{method} published {watched}"
        return None

    return walk


WALKS: dict[str, Walk] = {
    **{f"network.{name}": _network_walk(name) for name in _NETWORK_WRITES},
    **{f"incidents.{name}": _incident_walk(name) for name in ("add", "change", "get", "for_case")},
    "groups.create": lambda w: (
        w.dariusz.groups.create(
            GroupInput("Knife-crime workshop", dt.datetime.combine(today(), dt.time(10, 0)))
        ),
        {(Kind.GROUP, None)},
    )[1],
    "groups.add_people": lambda w: _group(w, "add_people"),
    "groups.remove_person": lambda w: _group(w, "remove_person"),
    "groups.register": lambda w: _group(w, "register"),
    "groups.record_register": lambda w: _group(w, "record_register"),
    "groups.update_notes": lambda w: _group(w, "update_notes"),
    "contacts.add": lambda w: (_contact(w), {(Kind.PERSON, w.person)})[1],
    "contacts.change": _change_contact,
    "contacts.end": _end_contact,
    "directory.add_agency": lambda w: (_agency(w), {(Kind.AGENCY, None)})[1],
    "directory.change_agency": _change_agency,
    "directory.deactivate_agency": _deactivate_agency,
    "directory.add_professional": lambda w: (_aoife(w), {(Kind.AGENCY, None)})[1],
    "directory.change_professional": _change_professional,
    "directory.deactivate_professional": _deactivate_professional,
    "people.create": _create_person,
    "merging.preview": lambda w: _merge(w, preview=True),
    "merging.merge": lambda w: _merge(w),
    "merging.undo": lambda w: _merge(w, undo=True),
    "data_quality.likely_duplicates": lambda w: (
        w.manager.data_quality.likely_duplicates(),
        set(),
    )[1],
    "people.update": _person_update,
    "people.open_case": lambda w: (w.dariusz.people.open_case(w.person), set())[1],
    "referrals.create": _create_referral,
    "referrals.start_screening": lambda w: (
        w.manager.referrals.start_screening(_received(w)),
        {(Kind.REFERRAL, None), (Kind.CASE, None)},
    )[1],
    "referrals.decide": lambda w: (
        w.manager.referrals.decide(_received(w), ReferralStatus.ACCEPTED, "Meets threshold"),
        {(Kind.REFERRAL, None), (Kind.CASE, None)},
    )[1],
    "referrals.allocate": lambda w: (
        w.manager.referrals.allocate(w.referral, _colleague(w)),
        {(Kind.REFERRAL, w.person), (Kind.CASE, w.person)},
    )[1],
    "referrals.close": lambda w: (
        w.manager.referrals.close(w.referral, ClosureReason.GOALS_ACHIEVED, "Goals met."),
        {(Kind.REFERRAL, w.person), (Kind.CASE, w.person)},
    )[1],
    "referrals.reopen": _reopen,
    "referrals.get": lambda w: (w.dariusz.referrals.get(w.referral), set())[1],
    "users.create": lambda w: (_new_user(w), {(Kind.USER, None)})[1],
    "users.set_active": lambda w: (
        w.admin.users.set_active(_new_user(w), False),
        {(Kind.USER, None)},
    )[1],
    "users.set_roles": lambda w: (
        w.admin.users.set_roles(_new_user(w), {Role.CASEWORKER, Role.MANAGER}),
        {(Kind.USER, None)},
    )[1],
    "users.reset_password": lambda w: (
        w.admin.users.reset_password(_new_user(w), "Jollof-and-plantain-2027"),
        {(Kind.USER, None)},
    )[1],
    "users.change_own_password": _change_own_password,
    "backups.backup_now": lambda w: (
        (w.admin.backups.backup_now(), set())[1]
        if w.db.is_sqlite
        else pytest.skip("backups are of a database file")
    ),
    "backups.reencrypt_old_backups": lambda w: (
        (w.admin.backups.reencrypt_old_backups(), set())[1]
        if w.db.is_sqlite
        else pytest.skip("backups are of a database file")
    ),
    "backups.restore": _restore,
    "sessions.book": lambda w: (
        w.dariusz.sessions.book(
            w.person, SessionInput(planned_start=dt.datetime.combine(today(), dt.time(16, 0)))
        ),
        {(Kind.SESSION, w.person)},
    )[1],
    "sessions.book_series": lambda w: (
        w.dariusz.sessions.book_series(
            w.person,
            SeriesInput(first_start=dt.datetime.combine(today(), dt.time(17, 0)), count=3),
        ),
        {(Kind.SESSION, w.person)},
    )[1],
    "sessions.move": lambda w: (
        w.dariusz.sessions.move(
            w.session, dt.datetime.combine(today() + dt.timedelta(days=3), dt.time(11, 0))
        ),
        {(Kind.SESSION, w.person)},
    )[1],
    "sessions.record_attendance": lambda w: (
        w.dariusz.sessions.record_attendance(
            w.session, Attendance.CANCELLED_BY_YOUNG_PERSON, expected_version=_session(w)[1]
        ),
        {(Kind.SESSION, w.person)},
    )[1],
    "sessions.skip_occurrence": lambda w: _skip(w),
    "sessions.update": lambda w: (
        w.dariusz.sessions.update(
            w.session,
            SessionInput(
                planned_start=w.dariusz.sessions.get(w.session).planned_start,
                location="Marsh Farm Futures",
            ),
            _session(w)[1],
        ),
        {(Kind.SESSION, w.person)},
    )[1],
    "caseload.record_export": lambda w: (w.manager.caseload.record_export(3, "CSV"), set())[1],
    "risk.record": lambda w: (
        w.dariusz.risk.record(w.person, RiskInput(assessed_on=today(), level=RiskLevel.MEDIUM)),
        {(Kind.RISK, w.person)},
    )[1],
    "risk.update": lambda w: (
        w.dariusz.risk.update(
            w.risk,
            RiskInput(assessed_on=today(), level=RiskLevel.VERY_HIGH),
            w.dariusz.risk.history(w.person)[0].version,
        ),
        {(Kind.RISK, w.person)},
    )[1],
    "plans.start_plan": lambda w: (
        w.dariusz.plans.start_plan(w.person, today(), "A fresh plan after the review"),
        {(Kind.PLAN, w.person)},
    )[1],
    "plans.add_goal": lambda w: (
        w.dariusz.plans.add_goal(w.plan, GoalInput(GoalDomain.SAFETY, "Safe route home")),
        {(Kind.PLAN, w.person)},
    )[1],
    "plans.update_goal": lambda w: (
        w.dariusz.plans.update_goal(
            w.goal, GoalInput(GoalDomain.EET, "Back to college full-time"), _goal(w).version
        ),
        {(Kind.PLAN, w.person)},
    )[1],
    "plans.add_action": lambda w: (
        w.dariusz.plans.add_action(w.goal, ActionInput("Enrolment form")),
        {(Kind.PLAN, w.person)},
    )[1],
    "plans.update_action": lambda w: (
        w.dariusz.plans.update_action(
            w.action, ActionInput("Visit the college with mum"), _goal(w).actions[0].version
        ),
        {(Kind.PLAN, w.person)},
    )[1],
    "plans.set_action_done": lambda w: (
        w.dariusz.plans.set_action_done(w.action, today()),
        {(Kind.PLAN, w.person)},
    )[1],
    "outcomes.add_measure": lambda w: (
        w.manager.outcomes.add_measure("Attending youth club"),
        {(Kind.OUTCOME, None)},
    )[1],
    "outcomes.record": lambda w: (
        w.dariusz.outcomes.record(
            w.person, OutcomeInput(recorded_on=today(), point=OutcomePoint.REVIEW, wellbeing=6)
        ),
        {(Kind.OUTCOME, w.person)},
    )[1],
    "outcomes.update": lambda w: (
        w.dariusz.outcomes.update(
            w.outcome,
            OutcomeInput(recorded_on=today(), point=OutcomePoint.START, wellbeing=5),
            w.dariusz.outcomes.for_person(w.person)[0].version,
        ),
        {(Kind.OUTCOME, w.person)},
    )[1],
    "notes.add": lambda w: (
        w.dariusz.notes.add(
            w.person,
            NoteInput(
                dt.datetime.combine(today() - dt.timedelta(days=1), dt.time(0, 5)),
                "School visit",
                "Met the SENCo.",
            ),
        ),
        {(Kind.NOTE, w.person)},
    )[1],
    "notes.update": lambda w: (
        w.dariusz.notes.update(
            w.note,
            NoteInput(
                w.dariusz.notes.get(w.note).occurred_at, "Call with mother", "Visit on Friday."
            ),
            w.dariusz.notes.get(w.note).version,
        ),
        {(Kind.NOTE, w.person)},
    )[1],
    "summary.record_export": _summary_export,
    "sharing.record": lambda w: (
        decide(w.dariusz, w.person),
        {(Kind.EXPORT, w.person)},
    )[1],
    "sharing.approve": _approve_sharing,
    "analysis.save": lambda w: (
        w.dariusz.analysis.save(w.person, AnalysisInput(worries="Late nights in Bury Park"), 0),
        {(Kind.ANALYSIS, w.person)},
    )[1],
    "analysis.sign_off": _sign_off_analysis,
    "safeguarding.add": lambda w: (
        w.dariusz.safeguarding.add(w.person, FlagInput(FlagKind.SEND, today())),
        {(Kind.FLAG, w.person)},
    )[1],
    "safeguarding.change": _change_flag,
    "attachments.add": lambda w: (
        w.dariusz.attachments.add(w.person, b"Letter from school", file_name="letter.txt"),
        {(Kind.ATTACHMENT, w.person)},
    )[1],
    "attachments.open": lambda w: _attachment(w, "open"),
    "attachments.export": lambda w: _attachment(w, "export"),
    "attachments.remove": lambda w: _attachment(w, "remove"),
    "safeguarding.end": _end_flag,
    **{
        f"panels.{verb}": partial(_panel, verb=verb)
        for verb in (
            "create",
            "change",
            "get",
            "add_case",
            "remove_case",
            "record_discussion",
            "set_action_done",
            "record_pack",
        )
    },
    "tasks.create": _new_task,
    "tasks.change": lambda w: _task(
        w,
        lambda s, t: s.tasks.change(t, replace(s.tasks.get(t).as_input(), title="Ring school"), 1),
    ),
    "tasks.complete": lambda w: _task(w, lambda s, t: s.tasks.complete(t, 1)),
    "tasks.cancel": lambda w: _task(w, lambda s, t: s.tasks.cancel(t, 1, "Not needed")),
    "tasks.reopen": _reopen_task,
    "tasks.reassign": lambda w: _task(
        w, lambda s, t: s.tasks.reassign(t, s.actor.user_id or 0, 1)
    ),
    "settings.set_summary_sign_off_required": lambda w: (
        w.manager.settings.set_summary_sign_off_required(True),
        {(Kind.SETTINGS, None)},
    )[1],
    "reports.record_export": lambda w: (
        w.manager.reports.record_export(
            ReportPeriod(today() - dt.timedelta(days=90), today()), [], "outcomes.pdf"
        ),
        set(),
    )[1],
    "settings.set_attachment_max_mb": lambda w: (
        w.manager.settings.set_attachment_max_mb(30),
        {(Kind.SETTINGS, None)},
    )[1],
    "settings.set_lock_after_minutes": lambda w: (
        w.admin.settings.set_lock_after_minutes(20),
        {(Kind.SETTINGS, None)},
    )[1],
    "settings.update": lambda w: (
        w.admin.settings.update(name="Luton VERU"),
        {(Kind.SETTINGS, None)},
    )[1],
    "retention.anonymise": lambda w: _erase(w, "anonymise"),
    "retention.erase": lambda w: _erase(w, "erase"),
    "retention.set_policy": lambda w: (
        w.manager.retention.set_policy(RetentionPolicy(years_after_closure=7)),
        {(Kind.SETTINGS, None)},
    )[1],
    "subject_access.export": _subject_access,
    "imports.preview": lambda w: (w.dariusz.imports.preview(csv_bytes([row()])), set())[1],
    "imports.run": _import,
    "audit_log.query": lambda w: (w.admin.audit_log.query(), set())[1],
}


def _goal(w: World) -> GoalView:
    plan = w.dariusz.plans.current(w.person)
    assert plan is not None
    return next(goal for goal in plan.goals if goal.id == w.goal)


def _skip(w: World) -> None:
    start = dt.datetime.combine(today() + dt.timedelta(days=7), dt.time(15, 0))
    series = w.dariusz.sessions.book_series(w.person, SeriesInput(first_start=start, count=3))
    first = w.dariusz.sessions.series_occurrences(series)[0]
    watched = watch()
    w.dariusz.sessions.skip_occurrence(first.id, "Half term")
    _published(watched, {(Kind.SESSION, w.person)})


def watch() -> list[Changes]:
    seen: list[Changes] = []
    _WATCHERS.append(changes.subscribe(seen.append))
    return seen


_WATCHERS: list[Callable[[], None]] = []


@pytest.fixture(autouse=True)
def _unwatch() -> Iterator[None]:
    yield
    while _WATCHERS:
        _WATCHERS.pop()()


def test_every_write_method_is_walked() -> None:
    """A write added without a line in WALKS fails here: its screens might never hear of it."""
    assert write_methods() == set(WALKS)


@pytest.mark.parametrize("method", sorted(WALKS))
def test_each_write_publishes_what_it_changed_for_whose_case(world: World, method: str) -> None:
    watched = watch()
    expected = WALKS[method](world)
    if expected is None:
        return  # checked inside the walk, after its own set-up writes
    if not expected:
        # a read that audits (opening a case, a query, a file made) changes nothing a screen
        # shows: publishing it would make the screen that read it read again, for ever
        assert watched == [], f"{method} published {watched}"
        return
    assert watched, f"{method} published nothing"
    _check(watched[-1], expected)


def test_every_table_names_the_kinds_its_writes_change() -> None:
    assert set(KINDS_OF_TABLE) == set(Base.metadata.tables)


def test_a_refused_write_publishes_nothing(world: World) -> None:
    watched = watch()
    with pytest.raises(ValidationError):
        world.dariusz.risk.record(
            world.person, RiskInput(assessed_on=today() + dt.timedelta(days=9), level=RiskLevel.LOW)
        )
    assert watched == []


def test_touches_reads_kinds_people_and_a_replaced_database() -> None:
    lukasz = Changes.of(Kind.SESSION, 7) | Changes.of(Kind.PERSON, None)
    assert lukasz.touches(Kind.SESSION, 7)
    assert lukasz.touches(Kind.SESSION)  # a screen about everyone
    assert not lukasz.touches(Kind.SESSION, 8)  # another case's workspace stays as it is
    assert lukasz.touches(Kind.PERSON, 8)  # a change for everyone touches every case
    assert not lukasz.touches((Kind.RISK, Kind.PLAN), 7)
    assert Changes.of(Kind.DATABASE).touches(Kind.NOTE, 3)
    assert not Changes()
