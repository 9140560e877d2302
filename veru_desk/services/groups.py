"""Group sessions: a group (single or weekly), its register, and attendance taken in one go.

Each young person registered for a group gets their OWN ``MentoringSession`` row, linked by
``group_session_id``. Their attendance rate, the disengagement check, first contact and their
chronology then count a group session exactly as an individual one, with no second rule to
keep in step, and whatever is written about one young person stays in their own row, out of
sight of the others on the register.

Who may do what follows the house rule: a caseworker registers and records their own young
people, a manager anyone's. A register shows each reader the names of the young people they
may see; anyone else is a case reference and the worker to ask (``domain.groups``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session, aliased

from veru_desk.db.models import GroupSeries, GroupSession, MentoringSession, User, YoungPerson
from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.enums import Attendance, AuditAction, Role, SessionType
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.domain.groups import (
    MAX_REGISTER,
    group_label,
    notes_problems,
    others_label,
    title_problems,
    type_problems,
)
from veru_desk.domain.names import display_name, fold
from veru_desk.domain.text import stored_text
from veru_desk.services import case_state
from veru_desk.services.access import can_see_case, own_cases, require_role
from veru_desk.services.audit import apply_changes
from veru_desk.services.base import Service, check_version, get_or_404
from veru_desk.services.mentoring import (
    _NEEDS_PAST,
    MAX_OCCURRENCES,
    SeriesInput,
    _audited,
    _common_problems,
    _mentor_problem,
    _now,
    _open_case,
    note_first_contact,
    series_rule,
    wall_clock,
)
from veru_desk.services.people import hidden_by_server

#: Who else is on a register, from a server whose policies hide their rows (db.server_roles).
_SERVER_REGISTER = text(
    "SELECT session_id, person_id, case_ref, worker, attendance, version "
    "FROM veru_server.group_register(:group)"
)


@dataclass(frozen=True)
class GroupInput:
    """A new group: ``count`` 1 is a single session, more is a weekly (or ``interval_weeks``)
    series; skipped dates count towards ``count``, as for an individual series."""

    title: str
    first_start: dt.datetime
    duration_minutes: int = 90
    session_type: SessionType = SessionType.GROUP
    location: str = ""
    facilitator_id: int | None = None
    count: int = 1
    interval_weeks: int = 1
    skip_dates: tuple[dt.date, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class GroupCreated:
    series_id: int | None
    session_ids: tuple[int, ...]


@dataclass(frozen=True)
class GroupSummary:
    """One group session as the Groups page lists it, with counts over its register (numbers
    only: no one on it is named here). On a server that enforces the rules a caseworker's
    counts are of the places they may read; the register itself lists everyone."""

    id: int
    version: int
    series_id: int | None
    title: str
    session_type: SessionType
    planned_start: dt.datetime
    duration_minutes: int
    location: str
    facilitator_id: int | None
    facilitator: str | None
    notes: str
    registered: int
    attended: int
    recorded: int

    @property
    def taken(self) -> bool:
        """The register has been taken: nobody on it is still only planned."""
        return self.registered > 0 and self.recorded == self.registered


@dataclass(frozen=True)
class RegisterRow:
    """One young person's place. ``visible`` False: someone else's case, shown as ``label``
    only (no name, no notes) and not recorded by this reader."""

    session_id: int
    version: int
    person_id: int
    case_ref: str
    label: str
    worker: str | None
    attendance: Attendance
    notes: str
    visible: bool


@dataclass(frozen=True)
class GroupRegister:
    group: GroupSummary
    rows: tuple[RegisterRow, ...]

    @property
    def recordable(self) -> tuple[RegisterRow, ...]:
        return tuple(r for r in self.rows if r.visible)


@dataclass(frozen=True)
class Mark:
    """What happened to one young person at the group; ``notes`` None leaves them as they were."""

    session_id: int
    attendance: Attendance
    notes: str | None = None
    expected_version: int | None = None


def _group_problems(data: GroupInput) -> dict[str, str]:
    errors = title_problems(data.title)
    errors.update(type_problems(data.session_type))
    if not isinstance(data.first_start, dt.datetime):
        errors["first_start"] = "Enter the date and time of the (first) session (dd/mm/yyyy hh:mm)."
    if not 1 <= data.count <= MAX_OCCURRENCES:
        errors["count"] = f"Book between 1 and {MAX_OCCURRENCES} sessions of a group."
    if not 1 <= data.interval_weeks <= 52:
        errors["interval_weeks"] = "Repeat every 1 to 52 weeks (1 is weekly, 2 is fortnightly)."
    errors.update(_common_problems(data.duration_minutes, data.location))
    errors.update(notes_problems(data.notes))
    return errors


class GroupService(Service):
    # --- groups ----------------------------------------------------------------------------

    def create(self, data: GroupInput) -> GroupCreated:
        """A single group session, or a series of them on the same weekday and time."""
        errors = _group_problems(data)
        starts: list[dt.datetime] = []
        rule = None
        if not errors:
            rule = series_rule(
                SeriesInput(
                    first_start=data.first_start,
                    count=data.count,
                    interval_weeks=data.interval_weeks,
                )
            )
            skip = set(data.skip_dates)
            starts = [s for s in islice(rule, data.count) if s.date() not in skip]
            if not starts:
                errors["skip_dates"] = "Every session of the group is skipped: check the dates."
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="set up a group")
            facilitator_id = data.facilitator_id or self.actor.user_id
            errors.update(
                {
                    ("facilitator_id" if k == "mentor_id" else k): v.replace(
                        "mentor", "facilitator"
                    )
                    for k, v in _mentor_problem(session, facilitator_id).items()
                }
            )
            if errors:
                raise ValidationError(errors)
            title = " ".join(data.title.split())
            location = stored_text(data.location)
            series: GroupSeries | None = None
            if data.count > 1 and rule is not None:
                series = GroupSeries(
                    title=title,
                    session_type=data.session_type,
                    rule=str(rule),
                    first_start=wall_clock(data.first_start),
                    duration_minutes=data.duration_minutes,
                    location=location,
                    facilitator_id=facilitator_id,
                )
                self._stamp(series)
                session.add(series)
                session.flush()
            rows = [
                GroupSession(
                    series_id=series.id if series else None,
                    title=title,
                    session_type=data.session_type,
                    planned_start=start,
                    duration_minutes=data.duration_minutes,
                    location=location,
                    facilitator_id=facilitator_id,
                    notes=stored_text(data.notes),
                )
                for start in starts
            ]
            for row in rows:
                self._stamp(row)
            session.add_all(rows)
            session.flush()
            if series is not None:
                self._audit(
                    session,
                    AuditAction.CREATE,
                    entity=series,
                    summary=f"Group '{title}' set up: {len(rows)} sessions, "
                    f"{format_uk_date(rows[0].planned_start.date())} to "
                    f"{format_uk_date(rows[-1].planned_start.date())}",
                )
            else:
                self._audit(
                    session,
                    AuditAction.CREATE,
                    entity=rows[0],
                    summary=f"Group session '{title}' set up for "
                    f"{format_uk_datetime(rows[0].planned_start)}",
                )
            return GroupCreated(series.id if series else None, tuple(r.id for r in rows))

    def update_notes(self, group_session_id: int, notes: str, expected_version: int) -> None:
        """The group's own notes (what the activity covered), never about one young person."""
        with self._write() as session:
            group = get_or_404(session, GroupSession, group_session_id, "group session")
            self._require_runs(group, doing="change a group's notes")
            check_version(session, group, expected_version)
            if problems := notes_problems(notes):
                raise ValidationError(problems)
            self._updated(
                session,
                group,
                {"notes": stored_text(notes)},
                person_id=None,
                summary=f"Notes of group session '{group.title}' on "
                f"{format_uk_datetime(group.planned_start)} updated",
            )

    # --- the register ----------------------------------------------------------------------

    def add_people(self, group_session_id: int, person_ids: Sequence[int]) -> int:
        """Registers young people from this session on: for a series, every later occurrence
        too, so someone joining in week four is booked for the weeks to come. Returns how
        many session rows were added."""
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="register young people")
            group = get_or_404(session, GroupSession, group_session_id, "group session")
            occurrences = self._from_here_on(session, group)
            on_register = self._register_size(session, group.id)
            wanted = list(dict.fromkeys(person_ids))
            if on_register + len(wanted) > MAX_REGISTER:
                raise ValidationError(
                    {
                        "people": f"A group takes at most {MAX_REGISTER} young people: "
                        "split it into two groups."
                    }
                )
            added = 0
            for person_id in wanted:
                person = self._case_person(session, person_id, doing="register for a group")
                _open_case(person)
                booked = set(
                    session.scalars(
                        select(MentoringSession.group_session_id).where(
                            MentoringSession.young_person_id == person_id,
                            MentoringSession.group_session_id.in_([o.id for o in occurrences]),
                        )
                    )
                )
                if group.id in booked:
                    raise ValidationError(
                        {"people": f"{person.case_ref} is already on this register."}
                    )
                rows = [
                    MentoringSession(
                        young_person_id=person_id,
                        referral_id=person.current_referral_id,
                        group_session_id=occurrence.id,
                        planned_start=occurrence.planned_start,
                        duration_minutes=occurrence.duration_minutes,
                        mentor_id=occurrence.facilitator_id,
                        session_type=occurrence.session_type,
                        location=occurrence.location,
                        attendance=Attendance.PLANNED,
                    )
                    for occurrence in occurrences
                    if occurrence.id not in booked
                ]
                for row in rows:
                    self._stamp(row)
                session.add_all(rows)
                session.flush()
                added += len(rows)
                self._audit(
                    session,
                    AuditAction.CREATE,
                    entity=rows[0],
                    person_id=person_id,
                    summary=f"Registered for {group_label(group.title).lower()}: "
                    + (
                        f"{len(rows)} sessions from {format_uk_date(rows[0].planned_start.date())}"
                        if len(rows) > 1
                        else format_uk_datetime(rows[0].planned_start)
                    ),
                )
                case_state.refresh(session, person_id)
            return added

    def remove_person(self, group_session_id: int, person_id: int) -> int:
        """Takes a young person off the register from this session on: their places still
        only planned are cancelled (removed); any with attendance recorded stay on their
        record. Returns how many were removed."""
        with self._write() as session:
            group = get_or_404(session, GroupSession, group_session_id, "group session")
            person = self._case_person(session, person_id, doing="take off a group's register")
            ids = [o.id for o in self._from_here_on(session, group)]
            rows = list(
                session.scalars(
                    select(MentoringSession).where(
                        MentoringSession.young_person_id == person_id,
                        MentoringSession.group_session_id.in_(ids),
                        MentoringSession.attendance == Attendance.PLANNED,
                    )
                )
            )
            if not rows:
                raise ValidationError(
                    {
                        "people": f"{person.case_ref} has no planned place on this group from "
                        f"{format_uk_date(group.planned_start.date())}: attendance already "
                        "recorded stays on their record."
                    }
                )
            self._audit(
                session,
                AuditAction.DELETE,
                entity=rows[0],
                person_id=person_id,
                summary=f"Taken off the register of {group_label(group.title).lower()}: "
                f"{len(rows)} planned session{'s' if len(rows) != 1 else ''} from "
                f"{format_uk_date(group.planned_start.date())} cancelled",
            )
            for row in rows:
                session.delete(row)
            session.flush()
            case_state.refresh(session, person_id)
            return len(rows)

    def register(self, group_session_id: int) -> GroupRegister:
        """The register as this reader may see it; opening it is audited."""
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="open a group register")
            group = get_or_404(session, GroupSession, group_session_id, "group session")
            [summary] = self._summaries(session, GroupSession.id == group.id)
            worker = aliased(User)
            found = session.execute(
                select(
                    MentoringSession,
                    YoungPerson,
                    worker.display_name,
                    own_cases(self.actor).label("mine"),
                )
                .join(YoungPerson, YoungPerson.id == MentoringSession.young_person_id)
                .outerjoin(worker, worker.id == YoungPerson.current_worker_id)
                .where(MentoringSession.group_session_id == group.id)
            ).all()
            rows = []
            for row, person, worker_name, mine in found:
                name = display_name(person.first_name, person.last_name, person.preferred_name)
                rows.append(
                    RegisterRow(
                        session_id=row.id,
                        version=row.version,
                        person_id=person.id,
                        case_ref=person.case_ref,
                        label=name if mine else others_label(person.case_ref, worker_name),
                        worker=worker_name,
                        attendance=row.attendance,
                        notes=(row.notes or "") if mine else "",
                        visible=bool(mine),
                    )
                )
            if hidden_by_server(session):
                # The server's policies hid the others' places: it tells them on its own terms.
                shown = {r.session_id for r in rows}
                for ident, pid, ref, worker_name, attendance, version in session.execute(
                    _SERVER_REGISTER, {"group": group.id}
                ):
                    if ident not in shown:
                        rows.append(
                            RegisterRow(
                                session_id=ident,
                                version=version,
                                person_id=pid,
                                case_ref=ref,
                                label=others_label(ref, worker_name),
                                worker=worker_name,
                                attendance=Attendance(attendance),
                                notes="",
                                visible=False,
                            )
                        )
            rows.sort(key=lambda r: (not r.visible, fold(r.label), r.case_ref))
            self._audit(
                session,
                AuditAction.VIEW,
                entity_type="group_session",
                entity_id=group_session_id,
                summary=f"Opened the register of {group_label(summary.title).lower()} on "
                f"{format_uk_datetime(summary.planned_start)}",
            )
            return GroupRegister(summary, tuple(rows))

    def record_register(
        self,
        group_session_id: int,
        marks: Sequence[Mark],
        notes: str | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Records the whole register in one transaction: every mark is checked first, and
        if one is refused (not on this register, not yet happened, not the reader's case)
        nothing is saved. ``notes``: the group's own notes, None to leave them."""
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="take a group register")
            group = get_or_404(session, GroupSession, group_session_id, "group session")
            check_version(session, group, expected_version)
            errors: dict[str, str] = {}
            if notes is not None:
                self._require_runs(group, doing="change a group's notes")
                errors.update(notes_problems(notes))
            now = _now()
            rows: list[tuple[MentoringSession, Mark]] = []
            for mark in marks:
                row = session.get(MentoringSession, mark.session_id)
                if row is None or row.group_session_id != group.id:
                    errors[f"register.{mark.session_id}"] = (
                        "This place is no longer on the register: open it again."
                    )
                    continue
                if not can_see_case(session, self.actor, row.young_person_id):
                    raise PermissionDenied(
                        "Someone on this register is not allocated to you: their worker or a "
                        "manager records their attendance.",
                        attempted="record a group register",
                        person_id=row.young_person_id,
                    )
                check_version(session, row, mark.expected_version)
                if mark.attendance in _NEEDS_PAST and row.planned_start > now:
                    errors["attendance"] = (
                        f"The group on {format_uk_datetime(row.planned_start)} has not happened "
                        f"yet, so nobody can be marked '{mark.attendance.label.lower()}'. Take "
                        "the register afterwards, or record cancellations now."
                    )
                rows.append((row, mark))
            if errors:
                raise ValidationError(errors)
            label = group_label(group.title)
            for row, mark in rows:
                values: dict[str, object] = {"attendance": mark.attendance}
                if mark.notes is not None:
                    values["notes"] = stored_text(mark.notes)
                changes = apply_changes(row, values)
                if not changes:
                    continue
                self._record_update(
                    session,
                    row,
                    _audited(changes),  # that the notes changed, never what they say
                    person_id=row.young_person_id,
                    summary=f"{label} on {format_uk_datetime(row.planned_start)}: "
                    f"{mark.attendance.label.lower()}",
                )
                if "attendance" in changes:
                    note_first_contact(session, self.actor, row)
                    case_state.refresh(session, row.young_person_id)
            if notes is not None:
                self._updated(
                    session,
                    group,
                    {"notes": stored_text(notes)},
                    person_id=None,
                    summary=f"Notes of {label.lower()} on "
                    f"{format_uk_datetime(group.planned_start)} updated",
                )

    # --- lists -----------------------------------------------------------------------------

    def between(self, start: dt.date, end: dt.date) -> list[GroupSummary]:
        """Group sessions from ``start`` up to (not including) ``end``, in time order."""
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="see the groups")
            return self._summaries(
                session,
                GroupSession.planned_start >= dt.datetime.combine(start, dt.time()),
                GroupSession.planned_start < dt.datetime.combine(end, dt.time()),
            )

    def upcoming(self, days: int = 28, today: dt.date | None = None) -> list[GroupSummary]:
        today = today or dt.date.today()
        return self.between(today, today + dt.timedelta(days=days + 1))

    def recent(self, days: int = 28, today: dt.date | None = None) -> list[GroupSummary]:
        """The last ``days`` days' groups, newest first (the ones whose register is due)."""
        today = today or dt.date.today()
        return list(reversed(self.between(today - dt.timedelta(days=days), today)))

    def series_sessions(self, series_id: int) -> list[GroupSummary]:
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="see the groups")
            return self._summaries(session, GroupSession.series_id == series_id)

    def labels_for_person(self, person_id: int) -> dict[int, str]:
        """``{session id: "Group: Thursday football"}`` for a case's group sessions, so its
        Mentoring tab can say which group each one was."""
        with self._read() as session:
            if not can_see_case(session, self.actor, person_id):
                return {}
            found = session.execute(
                select(MentoringSession.id, GroupSession.title)
                .join(GroupSession, GroupSession.id == MentoringSession.group_session_id)
                .where(MentoringSession.young_person_id == person_id)
            ).all()
            return {ident: group_label(title) for ident, title in found}

    # --- helpers ---------------------------------------------------------------------------

    def _require_runs(self, group: GroupSession, *, doing: str) -> None:
        """The group's own record: its facilitator, whoever set it up, or a manager."""
        me = self.actor.user_id
        if self.actor.is_manager or (
            Role.CASEWORKER in self.actor.roles
            and me is not None
            and me in (group.facilitator_id, group.created_by_id)
        ):
            return
        raise PermissionDenied(
            "Only the group's facilitator, whoever set it up, or a manager can do that.",
            attempted=doing,
        )

    def _from_here_on(self, session: Session, group: GroupSession) -> list[GroupSession]:
        if group.series_id is None:
            return [group]
        return list(
            session.scalars(
                select(GroupSession)
                .where(
                    GroupSession.series_id == group.series_id,
                    GroupSession.planned_start >= group.planned_start,
                )
                .order_by(GroupSession.planned_start, GroupSession.id)
            )
        )

    def _register_size(self, session: Session, group_session_id: int) -> int:
        return (
            session.scalar(
                select(func.count()).where(MentoringSession.group_session_id == group_session_id)
            )
            or 0
        )

    def _summaries(self, session: Session, *where: object) -> list[GroupSummary]:
        counts = (
            select(
                MentoringSession.group_session_id.label("group_id"),
                func.count().label("registered"),
                func.sum(
                    case((MentoringSession.attendance == Attendance.ATTENDED, 1), else_=0)
                ).label("attended"),
                func.sum(
                    case((MentoringSession.attendance != Attendance.PLANNED, 1), else_=0)
                ).label("recorded"),
            )
            .where(MentoringSession.group_session_id.is_not(None))
            .group_by(MentoringSession.group_session_id)
            .subquery()
        )
        found = session.execute(
            select(
                GroupSession,
                User.display_name,
                counts.c.registered,
                counts.c.attended,
                counts.c.recorded,
            )
            .outerjoin(User, User.id == GroupSession.facilitator_id)
            .outerjoin(counts, counts.c.group_id == GroupSession.id)
            .where(*where)  # type: ignore[arg-type]  # conditions on GroupSession
            .order_by(GroupSession.planned_start, GroupSession.id)
        ).all()
        return [
            GroupSummary(
                id=g.id,
                version=g.version,
                series_id=g.series_id,
                title=g.title,
                session_type=g.session_type,
                planned_start=g.planned_start,
                duration_minutes=g.duration_minutes,
                location=g.location or "",
                facilitator_id=g.facilitator_id,
                facilitator=name,
                notes=g.notes or "",
                registered=int(registered or 0),
                attended=int(attended or 0),
                recorded=int(recorded or 0),
            )
            for g, name, registered, attended, recorded in found
        ]
