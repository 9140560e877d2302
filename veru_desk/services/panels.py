"""Multi-agency panel meetings: the meeting and who came, the cases on its agenda, what was
decided for each and the actions agreed, and the pack of case summaries it reads.

Who may do what follows the cases (``services.access``): anyone with a case role may set up a
meeting and record who came; a caseworker puts their own cases on the agenda and records
their discussion, a manager any case. A meeting is read case by case: a caseworker opening a
meeting sees the cases that are theirs and nothing of the others (the server's row security
gives the same answer on PostgreSQL), and every case shown is an audited view.

An action owned by a worker of the unit becomes a task for them (``services.tasks``), in its
own transaction once the discussion is saved: the panel's record stands even if the task
cannot be made, and the refusal says so.

The rules of what may be typed are the domain's (``domain.panels``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    PanelAction,
    PanelAttendee,
    PanelItem,
    PanelMeeting,
    SharingDecision,
    Task,
    User,
    UserRole,
    YoungPerson,
)
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.names import display_name
from veru_desk.domain.panels import (
    ActionInput,
    ActionStatus,
    AttendeeInput,
    DiscussionInput,
    MeetingInput,
    PanelType,
    action_status,
    meeting_label,
)
from veru_desk.domain.tasks import TaskSource, TaskStatus
from veru_desk.domain.text import stored_text
from veru_desk.services.access import own_cases, require_role
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems, user_name
from veru_desk.services.sharing import SharingDecisionView, view_of

PACK_KIND = "panel_pack"


@dataclass(frozen=True)
class MeetingRow:
    """A meeting in the list: what it was and how many of the reader's cases it discussed."""

    id: int
    held_at: dt.datetime
    panel_type: PanelType
    title: str
    chair: str
    attendees: int
    cases: int
    next_meeting_on: dt.date | None

    @property
    def label(self) -> str:
        return meeting_label(self.panel_type, self.title, self.held_at.date())


@dataclass(frozen=True)
class ActionView:
    id: int
    version: int
    description: str
    owner_name: str
    agency: str
    owner_user_id: int | None
    due_on: dt.date
    done_on: dt.date | None
    task_id: int | None

    def status(self, today: dt.date | None = None) -> ActionStatus:
        return action_status(self.due_on, self.done_on, today or dt.date.today())

    @property
    def owner_text(self) -> str:
        """``Dariusz Nowak (the unit)`` or ``PC Ruth Adeyemi, Bedfordshire Police``."""
        if self.owner_user_id is not None:
            return f"{self.owner_name} (the unit)"
        return ", ".join(part for part in (self.owner_name, self.agency) if part)

    def as_input(self) -> ActionInput:
        return ActionInput(
            description=self.description,
            owner_name=self.owner_name,
            agency=self.agency,
            due_on=self.due_on,
            owner_user_id=self.owner_user_id,
            done_on=self.done_on,
            id=self.id,
        )


@dataclass(frozen=True)
class ItemView:
    """One case on the agenda, as the reader may see it."""

    id: int
    version: int
    person_id: int
    case_ref: str
    name: str
    worker: str | None
    summary: str
    decision: str
    actions: tuple[ActionView, ...]

    def as_input(self) -> DiscussionInput:
        return DiscussionInput(
            summary=self.summary,
            decision=self.decision,
            actions=tuple(a.as_input() for a in self.actions),
        )


@dataclass(frozen=True)
class MeetingView:
    id: int
    version: int
    held_at: dt.datetime
    panel_type: PanelType
    title: str
    chair: str
    attendees: tuple[AttendeeInput, ...]
    next_meeting_on: dt.date | None
    items: tuple[ItemView, ...]

    @property
    def label(self) -> str:
        return meeting_label(self.panel_type, self.title, self.held_at.date())

    def as_input(self) -> MeetingInput:
        return MeetingInput(
            held_at=self.held_at,
            panel_type=self.panel_type,
            title=self.title,
            chair=self.chair,
            attendees=self.attendees,
            next_meeting_on=self.next_meeting_on,
        )


@dataclass(frozen=True)
class PreviousAction:
    """An action the last meeting that discussed a case agreed, as the next pack shows it."""

    description: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    status: ActionStatus


@dataclass(frozen=True)
class PackCase:
    """A case of the pack: who it is, the sharing decision a multi-agency summary would use
    (the latest unused one), and what the last meeting that discussed it agreed."""

    person_id: int
    case_ref: str
    name: str
    worker: str | None
    decision: SharingDecisionView | None
    previous_meeting: str | None
    previous_actions: tuple[PreviousAction, ...]

    @property
    def sharing_text(self) -> str:
        if self.decision is None:
            return "No sharing decision recorded"
        if not self.decision.ready:
            return "Sharing decision awaiting a manager's approval"
        return f"Sharing decision ready ({self.decision.basis.label})"


def _meeting_values(data: MeetingInput) -> dict[str, object]:
    return {
        "held_at": data.held_at,
        "panel_type": data.panel_type,
        "title": " ".join(data.title.split()),
        "chair": " ".join(data.chair.split()) or None,
        "next_meeting_on": data.next_meeting_on,
    }


def _attendee_rows(data: MeetingInput) -> list[PanelAttendee]:
    return [
        PanelAttendee(
            position=index,
            name=" ".join(person.name.split()),
            agency=" ".join(person.agency.split()) or None,
            role=" ".join(person.role.split()) or None,
        )
        for index, person in enumerate(data.attendees)
    ]


class PanelService(Service):
    # --- meetings ------------------------------------------------------------------------

    def meetings(self, *, upcoming: bool | None = None) -> list[MeetingRow]:
        """Meetings from today on (``upcoming``), before today (not), or all; the soonest
        upcoming first, the latest past first. ``cases`` counts the reader's own cases."""
        self._require_case_role("read the panel meetings")
        today_start = dt.datetime.combine(dt.date.today(), dt.time.min)
        with self._read() as session:
            visible = (
                select(PanelItem.meeting_id, func.count().label("n"))
                .join(YoungPerson, YoungPerson.id == PanelItem.young_person_id)
                .where(own_cases(self.actor))
                .group_by(PanelItem.meeting_id)
                .subquery()
            )
            came = (
                select(PanelAttendee.meeting_id, func.count().label("n"))
                .group_by(PanelAttendee.meeting_id)
                .subquery()
            )
            query = (
                select(PanelMeeting, visible.c.n, came.c.n)
                .outerjoin(visible, visible.c.meeting_id == PanelMeeting.id)
                .outerjoin(came, came.c.meeting_id == PanelMeeting.id)
            )
            if upcoming is True:
                query = query.where(PanelMeeting.held_at >= today_start).order_by(
                    PanelMeeting.held_at, PanelMeeting.id
                )
            else:
                if upcoming is False:
                    query = query.where(PanelMeeting.held_at < today_start)
                query = query.order_by(PanelMeeting.held_at.desc(), PanelMeeting.id.desc())
            return [
                MeetingRow(
                    id=meeting.id,
                    held_at=meeting.held_at,
                    panel_type=meeting.panel_type,
                    title=meeting.title,
                    chair=meeting.chair or "",
                    attendees=attendees or 0,
                    cases=cases or 0,
                    next_meeting_on=meeting.next_meeting_on,
                )
                for meeting, cases, attendees in session.execute(query).all()
            ]

    def get(self, meeting_id: int) -> MeetingView:
        """The meeting with the cases the reader may open; each case shown is audited as
        viewed (what the panel said about a young person is their case record)."""
        self._require_case_role("open a panel meeting")
        with self._write() as session:
            meeting = get_or_404(session, PanelMeeting, meeting_id, "panel meeting")
            view = self._view(session, meeting)
            for item in view.items:
                self._audit(
                    session,
                    AuditAction.VIEW,
                    entity_type="panel_item",
                    entity_id=item.id,
                    person_id=item.person_id,
                    summary=f"Panel discussion of {item.case_ref} viewed ({view.label})",
                )
            return view

    def details(self, meeting_id: int) -> MeetingView:
        """The meeting without its cases (who came, when, the next date): no case data, so
        not audited as a view; a pack's cover reads its cases through ``pack_cases``."""
        self._require_case_role("open a panel meeting")
        with self._read() as session:
            meeting = get_or_404(session, PanelMeeting, meeting_id, "panel meeting")
            view = self._view(session, meeting, with_items=False)
            return view

    def create(self, data: MeetingInput) -> int:
        """Sets up a meeting (the agenda is added case by case)."""
        self._require_case_role("set up a panel meeting")
        with self._write() as session:
            refuse_problems(data.problems(dt.date.today()))
            meeting = PanelMeeting(**_meeting_values(data))
            meeting.attendees = _attendee_rows(data)
            assert data.held_at is not None  # checked above
            self._create(
                session,
                meeting,
                person_id=None,
                summary=(
                    f"Panel meeting set up: {_label_of(meeting)}"
                    f" ({data.panel_type.label.lower()}), {len(data.attendees)} attendees"
                ),
            )
            session.flush()
            return meeting.id

    def change(self, meeting_id: int, data: MeetingInput, expected_version: int) -> None:
        """Corrects the meeting's details and who came (the list as typed replaces the old)."""
        self._require_case_role("change a panel meeting")
        with self._write() as session:
            meeting = get_or_404(session, PanelMeeting, meeting_id, "panel meeting")
            check_version(session, meeting, expected_version)
            refuse_problems(data.problems(dt.date.today()))
            before = [(a.name, a.agency or "", a.role or "") for a in meeting.attendees]
            after = [
                (" ".join(a.name.split()), " ".join(a.agency.split()), " ".join(a.role.split()))
                for a in data.attendees
            ]
            changes = self._updated(
                session,
                meeting,
                _meeting_values(data),
                person_id=None,
                summary=lambda: f"Panel meeting changed: {_label_of(meeting)}",
            )
            if before != after:
                meeting.attendees = _attendee_rows(data)
                if not changes:
                    # Only who came changed: the meeting's version moves on all the same, so
                    # a form opened before this save cannot quietly put the old list back.
                    meeting.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                self._record_update(
                    session,
                    meeting,
                    {"attendees": (_attendee_text(before), _attendee_text(after))},
                    person_id=None,
                    summary=f"Panel meeting attendees changed: {_label_of(meeting)}",
                )

    # --- the agenda -----------------------------------------------------------------------

    def add_case(self, meeting_id: int, person_id: int) -> int:
        """Puts a case on the agenda (a caseworker their own, a manager any)."""
        with self._write() as session:
            meeting = get_or_404(session, PanelMeeting, meeting_id, "panel meeting")
            person = self._case_person(session, person_id, doing="add a case to a panel agenda")
            if person.merged_into_id is not None:
                raise ValidationError(
                    {"case": f"{person.case_ref} was merged into another record: add that one."}
                )
            already = session.scalar(
                select(PanelItem.id).where(
                    PanelItem.meeting_id == meeting_id, PanelItem.young_person_id == person_id
                )
            )
            if already is not None:
                raise ValidationError(
                    {"case": f"{person.case_ref} is on this meeting's agenda already."}
                )
            last = session.scalar(
                select(func.max(PanelItem.position)).where(PanelItem.meeting_id == meeting_id)
            )
            item = PanelItem(
                meeting_id=meeting_id,
                young_person_id=person_id,
                position=(last or 0) + 1,
            )
            self._create(
                session,
                item,
                person_id=person_id,
                summary=f"{person.case_ref} added to the agenda of {_label_of(meeting)}",
            )
            session.flush()
            return item.id

    def remove_case(self, item_id: int, expected_version: int) -> None:
        """Takes a case off the agenda before anything is recorded for it."""
        with self._write() as session:
            item = get_or_404(session, PanelItem, item_id, "case on the agenda")
            person = self._case_person(
                session, item.young_person_id, doing="remove a case from a panel agenda"
            )
            check_version(session, item, expected_version)
            if item.decision or item.summary or item.actions:
                raise ValidationError(
                    {
                        "case": f"The panel's discussion of {person.case_ref} is recorded: "
                        "it stays on the agenda as the record of what was said."
                    }
                )
            meeting = session.get_one(PanelMeeting, item.meeting_id)
            self._audit(
                session,
                AuditAction.DELETE,
                entity=item,
                person_id=person.id,
                summary=f"{person.case_ref} taken off the agenda of {_label_of(meeting)}",
            )
            session.delete(item)

    def record_discussion(
        self, item_id: int, data: DiscussionInput, expected_version: int
    ) -> list[int]:
        """Saves what the panel said and decided about a case and the actions it agreed (the
        rows as typed: kept, changed, added or removed). Returns the ids of the tasks made for
        newly unit-owned actions."""
        today = dt.date.today()
        with self._write() as session:
            item = get_or_404(session, PanelItem, item_id, "case on the agenda")
            person = self._case_person(
                session, item.young_person_id, doing="record a panel's discussion"
            )
            check_version(session, item, expected_version)
            meeting = session.get_one(PanelMeeting, item.meeting_id)
            refuse_problems(data.problems(meeting.held_at.date(), today))
            workers = self._unit_workers(session, data.actions)
            label = _label_of(meeting)
            changes = self._updated(
                session,
                item,
                {"summary": stored_text(data.summary), "decision": stored_text(data.decision)},
                person_id=person.id,
                summary=lambda: f"Panel decision for {person.case_ref} recorded ({label})",
            )
            touched, done_changed, removed = self._save_actions(
                session, item, person, data.actions, workers, label
            )
            if touched and not changes:
                item.updated_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                self._stamp(item)
            session.flush()
            return self._sync_tasks(session, item, person, label, done_changed, removed)

    def set_action_done(
        self, action_id: int, done_on: dt.date | None, expected_version: int
    ) -> None:
        """Marks an agreed action done on a day (or not done again: ``None``)."""
        with self._write() as session:
            action = get_or_404(session, PanelAction, action_id, "panel action")
            person = self._case_person(
                session, action.young_person_id, doing="update a panel action"
            )
            check_version(session, action, expected_version)
            if done_on is not None and done_on > dt.date.today():
                raise ValidationError({"done_on": "The done date is in the future: check it."})
            self._updated(
                session,
                action,
                {"done_on": done_on},
                person_id=person.id,
                summary=(
                    f"Panel action for {person.case_ref} "
                    + (f"done on {format_uk_date(done_on)}" if done_on else "reopened")
                    + f": {action.description[:80]}"
                ),
            )
            from veru_desk.services.tasks import TaskService

            TaskService(self.db, self.actor).close_for_source_in(
                session, TaskSource.PANEL_ACTION, action.id, done_on
            )

    # --- what the next meeting reads --------------------------------------------------------

    def previous_actions(
        self, person_id: int, before: dt.datetime
    ) -> tuple[str | None, list[PreviousAction]]:
        """The last meeting before ``before`` that discussed the case, and its actions."""
        with self._read() as session:
            self._case_person(session, person_id, doing="read a case's panel actions")
            return _previous_in(session, person_id, before, dt.date.today())

    def pack_cases(self, meeting_id: int) -> list[PackCase]:
        """The cases of the meeting the reader may put in a pack, in agenda order."""
        self._require_case_role("make a panel pack")
        today = dt.date.today()
        with self._read() as session:
            meeting = get_or_404(session, PanelMeeting, meeting_id, "panel meeting")
            cases: list[PackCase] = []
            for item in self._items(session, meeting.id):
                person = session.get_one(YoungPerson, item.young_person_id)
                worker = user_name(session, person.current_worker_id)
                latest = session.scalars(
                    select(SharingDecision)
                    .where(
                        SharingDecision.young_person_id == person.id,
                        SharingDecision.document_export_id.is_(None),
                    )
                    .order_by(SharingDecision.id.desc())
                    .limit(1)
                ).first()
                previous, actions = _previous_in(session, person.id, meeting.held_at, today)
                cases.append(
                    PackCase(
                        person_id=person.id,
                        case_ref=person.case_ref,
                        name=display_name(
                            person.first_name, person.last_name, person.preferred_name
                        ),
                        worker=worker,
                        decision=view_of(session, latest) if latest is not None else None,
                        previous_meeting=previous,
                        previous_actions=tuple(actions),
                    )
                )
            return cases

    def record_pack(
        self,
        meeting_id: int,
        *,
        profile: str,
        combined: bool,
        filenames: Sequence[str],
        case_refs: Sequence[str],
        pages: int,
    ) -> None:
        """The pack itself, audited against the meeting (each case's summary in it is recorded
        as that case's export by ``services.summary``)."""
        self._require_case_role("make a panel pack")
        with self._write() as session:
            meeting = get_or_404(session, PanelMeeting, meeting_id, "panel meeting")
            how = "one combined PDF" if combined else f"{len(filenames)} PDFs, one per case"
            self._audit(
                session,
                AuditAction.EXPORT,
                entity=meeting,
                summary=(
                    f"Panel pack for {_label_of(meeting)} exported ({profile}): "
                    f"{', '.join(case_refs)}; {how}, {pages} pages: {'; '.join(filenames)}"
                )[:4000],
            )

    def unit_workers(self) -> list[tuple[int, str]]:
        """The unit's active caseworkers and managers, who may own an action (and its task)."""
        self._require_case_role("list the unit's workers")
        with self._read() as session:
            return [
                (row.id, row.display_name)
                for row in session.execute(
                    select(User.id, User.display_name)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(User.active, UserRole.role.in_((Role.CASEWORKER, Role.MANAGER)))
                    .distinct()
                    .order_by(User.display_name)
                ).all()
            ]

    # --- inside ---------------------------------------------------------------------------

    def _require_case_role(self, doing: str) -> None:
        try:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing=doing)
        except PermissionDenied as denied:
            self._audit_denial(denied)
            raise

    def _items(self, session: Session, meeting_id: int) -> list[PanelItem]:
        return list(
            session.scalars(
                select(PanelItem)
                .join(YoungPerson, YoungPerson.id == PanelItem.young_person_id)
                .where(PanelItem.meeting_id == meeting_id, own_cases(self.actor))
                .order_by(PanelItem.position, PanelItem.id)
            ).all()
        )

    def _view(
        self, session: Session, meeting: PanelMeeting, *, with_items: bool = True
    ) -> MeetingView:
        items: list[ItemView] = []
        for item in self._items(session, meeting.id) if with_items else []:
            person = session.get_one(YoungPerson, item.young_person_id)
            worker = user_name(session, person.current_worker_id)
            items.append(
                ItemView(
                    id=item.id,
                    version=item.version,
                    person_id=person.id,
                    case_ref=person.case_ref,
                    name=display_name(person.first_name, person.last_name, person.preferred_name),
                    worker=worker,
                    summary=item.summary or "",
                    decision=item.decision or "",
                    actions=tuple(_action_view(a) for a in item.actions),
                )
            )
        return MeetingView(
            id=meeting.id,
            version=meeting.version,
            held_at=meeting.held_at,
            panel_type=meeting.panel_type,
            title=meeting.title,
            chair=meeting.chair or "",
            attendees=tuple(
                AttendeeInput(a.name, a.agency or "", a.role or "") for a in meeting.attendees
            ),
            next_meeting_on=meeting.next_meeting_on,
            items=tuple(items),
        )

    def _unit_workers(self, session: Session, actions: Sequence[ActionInput]) -> dict[int, str]:
        wanted = {a.owner_user_id for a in actions if a.owner_user_id is not None}
        if not wanted:
            return {}
        found = {
            row.id: row.display_name
            for row in session.execute(
                select(User.id, User.display_name)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    User.id.in_(wanted),
                    User.active,
                    UserRole.role.in_((Role.CASEWORKER, Role.MANAGER)),
                )
            ).all()
        }
        for index, action in enumerate(actions, start=1):
            if action.owner_user_id is not None and action.owner_user_id not in found:
                raise ValidationError(
                    {
                        "actions": f"Action {index}'s owner is not an active worker of the "
                        "unit: choose another, or name the person at their agency."
                    }
                )
        return found

    def _save_actions(
        self,
        session: Session,
        item: PanelItem,
        person: YoungPerson,
        actions: Sequence[ActionInput],
        workers: dict[int, str],
        label: str,
    ) -> tuple[bool, set[int], list[int]]:
        """The item's actions made to match the rows as typed; each change audited. Returns
        whether any changed, the ids whose done date changed, and the ids removed."""
        saved = {action.id: action for action in item.actions}
        kept: set[int] = set()
        done_changed: set[int] = set()
        removed: list[int] = []
        touched = False
        for typed in actions:
            values: dict[str, object] = {
                "description": stored_text(typed.description) or "",
                "owner_name": (
                    workers[typed.owner_user_id]
                    if typed.owner_user_id is not None
                    else " ".join(typed.owner_name.split())
                ),
                "agency": None
                if typed.owner_user_id is not None
                else " ".join(typed.agency.split()),
                "owner_user_id": typed.owner_user_id,
                "due_on": typed.due_on,
                "done_on": typed.done_on,
            }
            row = saved.get(typed.id) if typed.id is not None else None
            if typed.id is not None and row is None:
                raise ConflictError(
                    "An action on this form was removed by someone else after you opened it. "
                    "Your changes have been kept: review the latest version and save again."
                )
            if row is None:
                row = PanelAction(young_person_id=person.id, **values)
                item.actions.append(row)
                self._create(
                    session,
                    row,
                    person_id=person.id,
                    summary=f"Panel action for {person.case_ref} agreed ({label}): "
                    f"{values['description']!s:.80}",
                )
                touched = True
            else:
                kept.add(row.id)
                changed = self._updated(
                    session,
                    row,
                    values,
                    person_id=person.id,
                    summary=f"Panel action for {person.case_ref} changed ({label})",
                )
                if changed:
                    touched = True
                if "done_on" in changed:
                    done_changed.add(row.id)
        for ident, row in saved.items():
            if ident not in kept:
                self._audit(
                    session,
                    AuditAction.DELETE,
                    entity=row,
                    person_id=person.id,
                    summary=f"Panel action for {person.case_ref} removed ({label}): "
                    f"{row.description[:80]}",
                )
                item.actions.remove(row)
                removed.append(ident)
                touched = True
        return touched, done_changed, removed

    def _sync_tasks(
        self,
        session: Session,
        item: PanelItem,
        person: YoungPerson,
        label: str,
        done_changed: set[int],
        removed: list[int],
    ) -> list[int]:
        """The tasks follow the actions, in the discussion's transaction (both saved or
        neither): a unit-owned action without an open task gets one; an open task says what
        its edited action says; an action handed outside the unit, or removed, cancels its
        task; an action marked done (or not done again) closes (or reopens) its task.
        Returns the ids of the tasks made."""
        from veru_desk.services.tasks import TaskInput, TaskService

        tasks = TaskService(self.db, self.actor)
        made: list[int] = []
        for ident in removed:
            for task in _open_tasks(session, ident):
                tasks.cancel_in(session, task, f"The panel action was removed ({label})")
        for action in item.actions:
            if action.id in done_changed:
                tasks.close_for_source_in(
                    session, TaskSource.PANEL_ACTION, action.id, action.done_on
                )
            title = f"Panel action ({person.case_ref}): {action.description}"[:200]
            open_now = _open_tasks(session, action.id)
            if open_now:
                for task in open_now:
                    if action.owner_user_id is None:
                        tasks.cancel_in(session, task, "The action is now owned outside the unit")
                    else:
                        tasks.follow_in(
                            session,
                            task,
                            title=title,
                            due_on=action.due_on,
                            assignee_id=action.owner_user_id,
                        )
                if action.owner_user_id is None:
                    action.task_id = None
                continue
            if action.owner_user_id is None or action.done_on is not None:
                continue
            if action.task_id is not None and action.id not in done_changed:
                continue  # its task was closed on the task list: not made again
            task = tasks.create_in(
                session,
                TaskInput(
                    title=title,
                    assignee_id=action.owner_user_id,
                    due_on=action.due_on,
                    person_id=person.id,
                    notes=f"Agreed at {label}.",
                ),
                source=(TaskSource.PANEL_ACTION, action.id),
            )
            session.flush()
            action.task_id = task.id
            made.append(task.id)
        session.flush()
        return made


def _open_tasks(session: Session, action_id: int) -> list[Task]:
    return list(
        session.scalars(
            select(Task).where(
                Task.source_kind == TaskSource.PANEL_ACTION,
                Task.source_id == action_id,
                Task.status == TaskStatus.OPEN,
            )
        ).all()
    )


def _label_of(meeting: PanelMeeting) -> str:
    return meeting_label(meeting.panel_type, meeting.title, meeting.held_at.date())


def _attendee_text(rows: list[tuple[str, str, str]]) -> str:
    return "; ".join(", ".join(part for part in row if part) for row in rows) or "none"


def _action_view(row: PanelAction) -> ActionView:
    return ActionView(
        id=row.id,
        version=row.version,
        description=row.description,
        owner_name=row.owner_name or "",
        agency=row.agency or "",
        owner_user_id=row.owner_user_id,
        due_on=row.due_on,
        done_on=row.done_on,
        task_id=row.task_id,
    )


def _previous_in(
    session: Session, person_id: int, before: dt.datetime, today: dt.date
) -> tuple[str | None, list[PreviousAction]]:
    """The last meeting before ``before`` that discussed the case, and its actions (no
    access check: callers have made it)."""
    found = session.execute(
        select(PanelItem, PanelMeeting)
        .join(PanelMeeting, PanelMeeting.id == PanelItem.meeting_id)
        .where(PanelItem.young_person_id == person_id, PanelMeeting.held_at < before)
        .order_by(PanelMeeting.held_at.desc(), PanelMeeting.id.desc())
        .limit(1)
    ).first()
    if found is None:
        return None, []
    item, meeting = found
    return _label_of(meeting), [
        PreviousAction(
            description=view.description,
            owner=view.owner_text,
            due_on=view.due_on,
            done_on=view.done_on,
            status=view.status(today),
        )
        for view in (_action_view(a) for a in item.actions)
    ]


def panel_items_of(session: Session, person_id: int) -> list[dict[str, object]]:
    """A case's panel discussions, for its subject access export: this case's item and
    actions only, never the other cases on the agenda nor who else attended."""
    rows = session.execute(
        select(PanelItem, PanelMeeting)
        .join(PanelMeeting, PanelMeeting.id == PanelItem.meeting_id)
        .where(PanelItem.young_person_id == person_id)
        .order_by(PanelMeeting.held_at, PanelItem.id)
    ).all()
    return [
        {
            "meeting": _label_of(meeting),
            "panel_type": meeting.panel_type.label,
            "held_at": meeting.held_at.isoformat(timespec="minutes"),
            "discussion": item.summary or "",
            "decision": item.decision or "",
            "actions": [
                {
                    "description": a.description,
                    "owner": _action_view(a).owner_text,
                    "due_on": a.due_on.isoformat(),
                    "done_on": a.done_on.isoformat() if a.done_on else None,
                }
                for a in item.actions
            ],
        }
        for item, meeting in rows
    ]
