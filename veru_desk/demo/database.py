"""Demo databases: generate the story into a database, build a new one aside, add the team.

Runs the story generator on this thread while a writer thread stores the previous batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veru_desk.db.engine import Database
from veru_desk.db.models import Agency, User, UserRole
from veru_desk.demo.attachments import add_demo_attachments
from veru_desk.demo.bulk import (
    advance_sequences,
    deferred_indexes,
    highest_ids,
    rebuild_indexes,
    tune_for_bulk,
    write_batch,
)
from veru_desk.demo.flags import add_demo_flags
from veru_desk.demo.groups import add_demo_groups
from veru_desk.demo.incidents import add_demo_incidents
from veru_desk.demo.network import add_demo_network
from veru_desk.demo.panels import add_demo_panels
from veru_desk.demo.story import Batch, Generator, Ids, Team, Values, plan_person
from veru_desk.demo.tasks import add_demo_tasks
from veru_desk.demo.vocabulary import AGENCIES, DEMO_PASSWORD, DEMO_TEAM
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.services import audit
from veru_desk.services.access import require_role
from veru_desk.services.actor import SYSTEM, Actor
from veru_desk.services.users import add_user

if TYPE_CHECKING:
    from veru_desk.config import DatabaseLocation
    from veru_desk.services.vault import NewDatabase

PEOPLE_PER_BATCH = 2_000
MAX_PEOPLE = 1_000_000


@dataclass(frozen=True)
class DemoSummary:
    people: int
    referrals: int
    sessions: int
    assessments: int
    plans: int
    outcomes: int
    notes: int
    anchor: dt.date
    seed: int


def _load_team(session: Session) -> Team:
    def ids_with(role: Role) -> list[int]:
        return list(
            session.scalars(
                select(User.id)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == role, User.active.is_(True))
                .order_by(User.id)
            )
        )

    workers = ids_with(Role.CASEWORKER)
    managers = ids_with(Role.MANAGER)
    if not workers or not managers:
        raise ValidationError(
            {
                "users": "Demo data needs at least one active manager and one active "
                "caseworker to decide and allocate referrals: add them first."
            }
        )
    agency_ids = []
    for name, agency_type, _w in AGENCIES:
        found = session.scalar(select(Agency.id).where(Agency.name == name))
        if found is None:
            agency = Agency(name=name, agency_type=agency_type)
            session.add(agency)
            session.flush()
            found = agency.id
        agency_ids.append(found)
    return Team(managers[0], workers, agency_ids)


def generate_demo_data(
    db: Database,
    people: int,
    seed: int,
    progress: Callable[[int, int], bool | None] | None = None,
    *,
    actor: Actor = SYSTEM,
    anchor: dt.date | None = None,
    defer_indexes: bool = False,
) -> DemoSummary:
    """Adds ``people`` synthetic young people with their whole case histories.

    ``defer_indexes`` drops the busiest secondary indexes for the load and rebuilds them after
    it: only for a database being built aside (``build_demo_database``), where a kill before
    the rebuild leaves nothing behind. On a database in place a kill would leave them dropped.

    Runs as ``SYSTEM`` on a new database (the command line creates the demo team first), or as
    a signed-in administrator or manager on an existing one. ``progress(done, total)`` is
    called after each batch; returning False stops after that batch (what is written stays:
    each batch is whole and consistent).

    Raises:
        ValidationError: a silly number of people, or no manager and caseworker to work cases.
        PermissionDenied: the actor is neither an administrator nor a manager.
    """
    require_role(actor, Role.ADMIN, Role.MANAGER, doing="generate demo data")
    if not 1 <= people <= MAX_PEOPLE:
        raise ValidationError({"people": f"Choose between 1 and {MAX_PEOPLE:,} people."})
    anchor = anchor or dt.date.today()
    with db.write() as session:
        team = _load_team(session)
        highest = highest_ids(session)
        ids = Ids(highest)
        last_person_before = highest["young_person"]
    gen = Generator(seed, anchor, team, Values(db.engine.dialect.name))
    deferred = deferred_indexes(db) if defer_indexes else []
    # No fsync per commit only where a power cut costs nothing: on a database being built aside.
    tune = defer_indexes
    if tune:
        tune_for_bulk(db, on=True)
    try:
        # Two cores: this thread makes the next batch's rows while the writer thread stores
        # the last one (SQLite does its B-tree work with the GIL released).
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-writer") as writer:
            pending: Future[None] | None = None
            done = 0
            while done < people:
                size = min(PEOPLE_PER_BATCH, people - done)
                expected = dict(ids)
                batch = Batch()
                for _ in range(size):
                    gen.person(batch, ids, plan_person(gen))
                if pending is not None:
                    pending.result()
                pending = writer.submit(write_batch, db, batch, expected)
                done += size
                if progress is not None and progress(done, people) is False:
                    break
            if pending is not None:
                pending.result()
    finally:
        if tune:
            tune_for_bulk(db, on=False)
        rebuild_indexes(db, deferred)
    with db.write() as session:
        advance_sequences(session)
        # Safeguarding flags told from the people just written (their own random numbers).
        add_demo_flags(session, seed, anchor, last_person_before)
        # Persons of concern, places and links across caseloads (their own random numbers).
        add_demo_network(session, seed, anchor, last_person_before)
        # Incidents told from those flags and that network (their own random numbers).
        add_demo_incidents(session, seed, anchor, last_person_before)
        # Two panels held and the next booked (their own random numbers too).
        add_demo_panels(session, seed, anchor, last_person_before)
        # Two group series with their registers (their own random numbers too).
        add_demo_groups(session, seed, anchor, last_person_before)
        # Tasks for each worker and the unit: some overdue, some this week, some done.
        add_demo_tasks(session, seed, anchor, last_person_before)
        # Signed consent forms and school letters on some worked cases (their own numbers).
        add_demo_attachments(session, seed, anchor, last_person_before)
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="demo_data",
            summary=f"Demo data generated: {gen.counts['people']} young people, "
            f"{gen.counts['referrals']} referrals, {gen.counts['sessions']} sessions "
            f"(seed {seed}, dates relative to {anchor.isoformat()})",
        )
    return DemoSummary(
        people=gen.counts["people"],
        referrals=gen.counts["referrals"],
        sessions=gen.counts["sessions"],
        assessments=gen.counts["assessments"],
        plans=gen.counts["plans"],
        outcomes=gen.counts["outcomes"],
        notes=gen.counts["notes"],
        anchor=anchor,
        seed=seed,
    )


def demo_team_users() -> list[tuple[str, str, frozenset[Role], str]]:
    """The demo team as ``vault.create_database`` takes extra users (all but the admin)."""
    return [(u, n, r, DEMO_PASSWORD) for u, n, r in DEMO_TEAM if u != "admin"]


def create_demo_database(location: DatabaseLocation, *, encrypted: bool = True) -> NewDatabase:
    """A new database holding just the demo team (generate the cases next, as SYSTEM)."""
    from veru_desk.services.vault import create_database

    admin_username, admin_name, _roles = DEMO_TEAM[0]
    return create_database(
        location,
        admin_username,
        admin_name,
        DEMO_PASSWORD,
        encrypted=encrypted,
        extra_users=demo_team_users(),
    )


class Stopped(Exception):
    """The person stopped a new demo database being built: nothing was kept."""


def build_demo_database(
    location: DatabaseLocation,
    people: int,
    seed: int,
    progress: Callable[[int, int], bool | None] | None = None,
    *,
    encrypted: bool = True,
    anchor: dt.date | None = None,
) -> tuple[NewDatabase, DemoSummary]:
    """A new database with the demo team and ``people`` young people, built aside and moved
    into place only when finished (``services.new_database``): a kill or a Stop leaves no
    database at ``location``, so the next start is a first start again.

    Raises:
        Stopped: ``progress`` returned False; nothing was kept.
    """
    from veru_desk.services.new_database import build_complete

    summary: list[DemoSummary] = []

    def build(staged: DatabaseLocation) -> NewDatabase:
        stopped = False

        def watch(done: int, total: int) -> bool:
            nonlocal stopped
            if progress is not None and progress(done, total) is False:
                stopped = True
            return not stopped

        created = create_demo_database(staged, encrypted=encrypted)
        try:
            summary.append(
                generate_demo_data(
                    created.db, people, seed, watch, anchor=anchor, defer_indexes=True
                )
            )
        except BaseException:
            created.db.dispose()
            raise
        if stopped:
            created.db.dispose()
            raise Stopped
        return created

    created = build_complete(location, build)
    return created, summary[0]


def add_demo_team(db: Database) -> None:
    """The demo team on a database that has no users yet (a plain file or a server).

    Refused once any user exists: a published password must never be added to a database
    that real people already use.
    """
    with db.write() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise ValidationError(
                {"users": "This database already has users: sign in as a manager instead."}
            )
        for username, name, roles in DEMO_TEAM:
            user = add_user(session, username, name, roles, DEMO_PASSWORD)
            audit.record(
                session,
                SYSTEM,
                AuditAction.CREATE,
                entity=user,
                summary=f"Demo user {user.username} added",
            )
