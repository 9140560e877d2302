"""Mentoring sessions: one-off bookings, weekly series, moves, and attendance.

Attendance is what the caseload and the dashboard watch most closely: the first attended
session of an episode is its first contact (and makes an allocated case active), and three
missed sessions in a row raise the disengagement alert. So every attendance change refreshes
the case summary in the same transaction as the change and its audit event.

A series is stored as its RFC 5545 rule (``dateutil.rrule``) with the skipped dates as
exceptions, and each occurrence is materialised as its own session row, because attendance,
notes and moves belong to one occurrence, not to the rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import islice

from dateutil.rrule import WEEKLY, rrule, weekday
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    GroupSession,
    MentoringSession,
    Referral,
    SeriesException,
    SessionSeries,
    User,
    YoungPerson,
)
from veru_desk.domain.dates import format_time, format_uk_date, format_uk_datetime
from veru_desk.domain.enums import Attendance, AuditAction, ReferralStatus, Role, SessionType
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.groups import group_label
from veru_desk.domain.names import display_name
from veru_desk.domain.text import stored_text
from veru_desk.domain.workflow import check_transition
from veru_desk.services import case_state
from veru_desk.services.access import own_cases, require_case_access, require_role
from veru_desk.services.actor import Actor
from veru_desk.services.audit import apply_changes
from veru_desk.services.base import Service, check_version, get_or_404
from veru_desk.services.referrals import record_transition

MIN_DURATION = 5
MAX_DURATION = 8 * 60
MAX_OCCURRENCES = 104
MAX_INTERVAL_WEEKS = 52
MAX_LOCATION = 200
MAX_TOPICS = 500

_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")

# Only these need the session to have happened; a cancellation is often known in advance.
_NEEDS_PAST = frozenset({Attendance.ATTENDED, Attendance.DID_NOT_ATTEND})


@dataclass(frozen=True)
class SessionInput:
    planned_start: dt.datetime
    duration_minutes: int = 60
    session_type: SessionType = SessionType.ONE_TO_ONE
    location: str = ""
    mentor_id: int | None = None
    attendance: Attendance = Attendance.PLANNED
    notes: str = ""
    topics: str = ""
    confidential: bool = False


@dataclass(frozen=True)
class SeriesInput:
    first_start: dt.datetime
    count: int | None = None
    until: dt.date | None = None
    interval_weeks: int = 1
    weekdays: tuple[int, ...] = ()  # 0 = Monday; () -> the weekday of first_start
    duration_minutes: int = 60
    session_type: SessionType = SessionType.ONE_TO_ONE
    location: str = ""
    mentor_id: int | None = None
    skip_dates: tuple[dt.date, ...] = ()  # e.g. the half-term week's dates


@dataclass(frozen=True)
class SessionView:
    id: int
    version: int
    person_id: int
    case_ref: str
    person_name: str
    planned_start: dt.datetime
    duration_minutes: int
    session_type: SessionType
    location: str
    mentor_id: int | None
    mentor: str | None
    attendance: Attendance
    notes: str
    topics: str
    confidential: bool
    series_id: int | None
    moved: bool
    original_start: dt.datetime | None = None
    group: str | None = None  # "Group: Thursday football" for a place on a group (#19)

    @property
    def planned_end(self) -> dt.datetime:
        return self.planned_start + dt.timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class AttendanceSummary:
    """Counts over a young person's sessions; ``rate`` is attended / offered (None if none)."""

    offered: int
    attended: int
    missed: int
    cancelled_by_service: int
    planned: int
    rate: float | None


def wall_clock(value: dt.datetime) -> dt.datetime:
    """Sessions are kept in local wall-clock time to the minute (16:00 stays 16:00)."""
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


def _session_problems(data: SessionInput, now: dt.datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(data.planned_start, dt.datetime):
        errors["planned_start"] = "Enter the date and time of the session (dd/mm/yyyy hh:mm)."
    elif data.attendance in _NEEDS_PAST and wall_clock(data.planned_start) > now:
        errors["attendance"] = (
            f"The session has not happened yet, so it cannot be marked "
            f"'{data.attendance.label.lower()}': leave it planned and record it afterwards."
        )
    errors.update(_common_problems(data.duration_minutes, data.location))
    if len(data.topics.strip()) > MAX_TOPICS:
        errors["topics"] = f"Keep the topics under {MAX_TOPICS} characters; use notes for more."
    return errors


def _common_problems(duration: int, location: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not MIN_DURATION <= duration <= MAX_DURATION:
        errors["duration_minutes"] = (
            f"A session lasts between {MIN_DURATION} minutes and {MAX_DURATION // 60} hours: "
            "check the duration."
        )
    if len(location.strip()) > MAX_LOCATION:
        errors["location"] = f"Keep the location under {MAX_LOCATION} characters."
    return errors


def series_rule(data: SeriesInput) -> rrule:
    """The weekly rule for a series (validated input); its ``str`` is RFC 5545 text."""
    start = wall_clock(data.first_start)
    days = data.weekdays or (start.weekday(),)
    until = dt.datetime.combine(data.until, dt.time(23, 59)) if data.until else None
    return rrule(
        WEEKLY,
        dtstart=start,
        interval=data.interval_weeks,
        byweekday=[weekday(d) for d in sorted(set(days))],
        count=data.count,
        until=until,
    )


def _series_problems(data: SeriesInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(data.first_start, dt.datetime):
        errors["first_start"] = "Enter the date and time of the first session (dd/mm/yyyy hh:mm)."
    if data.count is None and data.until is None:
        errors["count"] = "Say how many sessions to book, or the date the series ends."
    elif data.count is not None and data.until is not None:
        errors["count"] = "Give either the number of sessions or the end date, not both."
    elif data.count is not None and not 1 <= data.count <= MAX_OCCURRENCES:
        errors["count"] = f"Book between 1 and {MAX_OCCURRENCES} sessions in one series."
    elif (
        data.until is not None
        and isinstance(data.first_start, dt.datetime)
        and data.until < data.first_start.date()
    ):
        errors["until"] = "The end date is before the first session: choose a later date."
    if not 1 <= data.interval_weeks <= MAX_INTERVAL_WEEKS:
        errors["interval_weeks"] = (
            f"Repeat every 1 to {MAX_INTERVAL_WEEKS} weeks (1 is weekly, 2 is fortnightly)."
        )
    if any(not 0 <= d <= 6 for d in data.weekdays):
        errors["weekdays"] = "Weekdays run from 0 (Monday) to 6 (Sunday)."
    errors.update(_common_problems(data.duration_minutes, data.location))
    return errors


def _mentor_problem(session: Session, mentor_id: int | None) -> dict[str, str]:
    if mentor_id is None:
        return {}
    mentor = session.get(User, mentor_id)
    if mentor is None or not mentor.active or not mentor.role_set & {Role.CASEWORKER, Role.MANAGER}:
        return {"mentor_id": "Choose an active caseworker or manager as the mentor."}
    return {}


def _default_mentor(actor: Actor, person: YoungPerson) -> int | None:
    """The person booking, if they mentor; otherwise the case's caseworker."""
    if Role.CASEWORKER in actor.roles and actor.user_id is not None:
        return actor.user_id
    return person.current_worker_id


def _open_case(person: YoungPerson) -> None:
    if person.current_status is None or not person.current_status.is_open_case:
        state = person.current_status.label.lower() if person.current_status else "no referral"
        raise ValidationError(
            {
                "person": f"Sessions can only be booked on an open case (this one is {state}): "
                "reopen the case or record a new referral first."
            }
        )


def _audited(changes: dict[str, tuple[object, object]]) -> dict[str, tuple[object, object]]:
    """The audit says that the notes changed, not what they say: the trail is append-only and
    must not become a second, unerasable copy of what was said in a session."""
    if "notes" in changes:
        return {**changes, "notes": ("(changed)", "(changed)")}
    return changes


def _describe(start: dt.datetime, kind: SessionType) -> str:
    return f"{kind.label} session on {format_uk_datetime(start)}"


def note_first_contact(session: Session, actor: Actor, row: MentoringSession) -> None:
    """Keeps the episode's first contact in step with its attended sessions.

    The first attended session is the first contact (the unit reports days from referral to
    first contact), and it is what makes an allocated case active. The date is derived again
    on every change, so a corrected attendance or date moves it; the status stays active
    after a correction because the workflow has no way back to allocated.
    """
    if row.referral_id is None:
        return
    referral = session.get(Referral, row.referral_id)
    if referral is None:
        return
    session.flush()
    earliest = session.scalar(
        select(func.min(MentoringSession.planned_start)).where(
            MentoringSession.referral_id == referral.id,
            MentoringSession.attendance == Attendance.ATTENDED,
        )
    )
    first_contact = earliest.date() if earliest else None
    if referral.first_contact_on != first_contact:
        referral.first_contact_on = first_contact
        referral.updated_by_id = actor.user_id
    if row.attendance is Attendance.ATTENDED and referral.status is ReferralStatus.ALLOCATED:
        check_transition(referral.status, ReferralStatus.ACTIVE)
        referral.status = ReferralStatus.ACTIVE
        record_transition(
            session,
            actor,
            referral,
            ReferralStatus.ALLOCATED,
            f"First contact: {_describe(row.planned_start, row.session_type)} attended",
            row.planned_start.date(),
        )


def _views_query() -> Select[MentoringSession, YoungPerson, str | None, str | None]:
    return (
        select(MentoringSession, YoungPerson, User.display_name, GroupSession.title)
        .join(YoungPerson, YoungPerson.id == MentoringSession.young_person_id)
        .outerjoin(User, User.id == MentoringSession.mentor_id)
        # A group session's place says which group (#19): "Group: Thursday football".
        .outerjoin(GroupSession, GroupSession.id == MentoringSession.group_session_id)
    )


def _view(
    row: MentoringSession, person: YoungPerson, mentor: str | None, group: str | None = None
) -> SessionView:
    return SessionView(
        id=row.id,
        version=row.version,
        person_id=person.id,
        case_ref=person.case_ref,
        person_name=display_name(person.first_name, person.last_name, person.preferred_name),
        planned_start=row.planned_start,
        duration_minutes=row.duration_minutes,
        session_type=row.session_type,
        location=row.location or "",
        mentor_id=row.mentor_id,
        mentor=mentor,
        attendance=row.attendance,
        notes=row.notes or "",
        topics=row.topics or "",
        confidential=row.confidential,
        series_id=row.series_id,
        moved=row.original_start is not None and row.original_start != row.planned_start,
        original_start=row.original_start,
        group=group_label(group) if group is not None else None,
    )


class SessionService(Service):
    # --- booking ---------------------------------------------------------------------------

    def book(self, person_id: int, data: SessionInput) -> int:
        """Books one session, or records one that already happened (scenario 2's home visit)."""
        errors = _session_problems(data, _now())
        with self._write() as session:
            person = self._case_person(session, person_id, doing="book a session")
            errors.update(_mentor_problem(session, data.mentor_id))
            if errors:
                raise ValidationError(errors)
            _open_case(person)
            row = MentoringSession(
                young_person_id=person_id,
                referral_id=person.current_referral_id,
                planned_start=wall_clock(data.planned_start),
                duration_minutes=data.duration_minutes,
                mentor_id=data.mentor_id or _default_mentor(self.actor, person),
                session_type=data.session_type,
                location=stored_text(data.location),
                attendance=data.attendance,
                notes=stored_text(data.notes),
                topics=stored_text(data.topics),
                confidential=data.confidential,
            )
            what = _describe(row.planned_start, row.session_type)
            self._create(
                session,
                row,
                person_id=person_id,
                summary=(
                    f"{what} booked"
                    if row.attendance is Attendance.PLANNED
                    else f"{what} recorded: {row.attendance.label.lower()}"
                ),
            )
            if row.attendance is not Attendance.PLANNED:
                note_first_contact(session, self.actor, row)
                case_state.refresh(session, person_id)
            return row.id

    def book_series(self, person_id: int, data: SeriesInput) -> int:
        """Books a recurring series; ``count`` counts the rule's dates, skipped ones included,
        so "12 weeks skipping half-term" books 11 sessions, as a paper diary would."""
        errors = _series_problems(data)
        occurrences: list[dt.datetime] = []
        if not errors:
            occurrences = list(islice(series_rule(data), MAX_OCCURRENCES + 1))
            if len(occurrences) > MAX_OCCURRENCES:
                errors["until"] = (
                    f"The series would have more than {MAX_OCCURRENCES} sessions: "
                    "choose an earlier end date."
                )
        skip = set(data.skip_dates)
        kept = [start for start in occurrences if start.date() not in skip]
        skipped = [start for start in occurrences if start.date() in skip]
        if occurrences and not kept and "until" not in errors:
            errors["skip_dates"] = "Every session of the series is skipped: check the dates."
        with self._write() as session:
            person = self._case_person(session, person_id, doing="book a series")
            errors.update(_mentor_problem(session, data.mentor_id))
            if errors:
                raise ValidationError(errors)
            _open_case(person)
            rule = series_rule(data)
            mentor_id = data.mentor_id or _default_mentor(self.actor, person)
            location = stored_text(data.location)
            series = SessionSeries(
                young_person_id=person_id,
                referral_id=person.current_referral_id,
                mentor_id=mentor_id,
                rule=str(rule),
                first_start=wall_clock(data.first_start),
                duration_minutes=data.duration_minutes,
                session_type=data.session_type,
                location=location,
            )
            self._stamp(series)
            session.add(series)
            session.flush()
            session.add_all(
                SeriesException(series_id=series.id, occurrence_start=start, reason="Skipped")
                for start in skipped
            )
            for start in kept:
                row = MentoringSession(
                    young_person_id=person_id,
                    referral_id=person.current_referral_id,
                    series_id=series.id,
                    planned_start=start,
                    duration_minutes=data.duration_minutes,
                    mentor_id=mentor_id,
                    session_type=data.session_type,
                    location=location,
                    attendance=Attendance.PLANNED,
                )
                self._stamp(row)
                session.add(row)
            days = sorted({start.weekday() for start in kept})
            summary = (
                f"Series booked: {len(kept)} {data.session_type.label.lower()} sessions, "
                f"{' and '.join(_DAY_NAMES[d] for d in days)} at {format_time(kept[0].time())}, "
                f"{format_uk_date(kept[0].date())} to {format_uk_date(kept[-1].date())}"
            )
            if skipped:
                summary += f" (skipping {', '.join(format_uk_date(s.date()) for s in skipped)})"
            self._audit(
                session, AuditAction.CREATE, entity=series, person_id=person_id, summary=summary
            )
            return series.id

    def series_occurrences(self, series_id: int) -> list[SessionView]:
        """The sessions of a series still on the calendar, in date order."""
        with self._read() as session:
            series = get_or_404(session, SessionSeries, series_id, "session series")
            require_case_access(
                session, self.actor, series.young_person_id, doing="read a session series"
            )
            rows = session.execute(
                _views_query()
                .where(MentoringSession.series_id == series_id)
                .order_by(MentoringSession.planned_start, MentoringSession.id)
            ).all()
            return [_view(*r) for r in rows]

    def skip_occurrence(self, session_id: int, reason: str = "") -> None:
        """Takes one planned occurrence out of its series, remembering the date as skipped."""
        with self._write() as session:
            row = get_or_404(session, MentoringSession, session_id, "session")
            require_case_access(session, self.actor, row.young_person_id, doing="skip a session")
            if row.series_id is None:
                raise ValidationError(
                    {"session": "This session is not part of a series: cancel it instead."}
                )
            if row.attendance is not Attendance.PLANNED:
                raise ValidationError(
                    {
                        "session": "Attendance is already recorded for this session, so it "
                        "stays on the record: change the attendance instead."
                    }
                )
            occurrence = row.original_start or row.planned_start
            session.add(
                SeriesException(
                    series_id=row.series_id,
                    occurrence_start=occurrence,
                    reason=(stored_text(reason) or "Skipped")[:200],
                )
            )
            self._audit(
                session,
                AuditAction.DELETE,
                entity=row,
                person_id=row.young_person_id,
                summary=f"{_describe(row.planned_start, row.session_type)} skipped from series"
                + (f": {reason.strip()}" if reason.strip() else ""),
            )
            session.delete(row)

    # --- changes ---------------------------------------------------------------------------

    def move(
        self, session_id: int, new_start: dt.datetime, expected_version: int | None = None
    ) -> None:
        """Moves a planned session to another time, remembering when it was first planned."""
        new_start = wall_clock(new_start)
        with self._write() as session:
            row = get_or_404(session, MentoringSession, session_id, "session")
            require_case_access(session, self.actor, row.young_person_id, doing="move a session")
            check_version(session, row, expected_version)
            if row.attendance is not Attendance.PLANNED:
                raise ValidationError(
                    {
                        "planned_start": "Only a planned session can be moved; to correct the "
                        "time of a recorded session, edit the session."
                    }
                )
            if new_start == row.planned_start:
                return
            old = row.planned_start
            if row.original_start is None:
                row.original_start = old
            row.planned_start = new_start
            self._record_update(
                session,
                row,
                {"planned_start": (old, new_start)},
                person_id=row.young_person_id,
                summary=f"{_describe(old, row.session_type)} moved to "
                f"{format_uk_datetime(new_start)}",
            )

    def update(self, session_id: int, data: SessionInput, expected_version: int) -> None:
        """Saves the whole session form; a stale form is refused, never silently overwritten."""
        errors = _session_problems(data, _now())
        with self._write() as session:
            row, _person = self._case_record(
                session, MentoringSession, session_id, "session", "edit a session", expected_version
            )
            if data.mentor_id != row.mentor_id:
                errors.update(_mentor_problem(session, data.mentor_id))
            if errors:
                raise ValidationError(errors)
            old_start = row.planned_start
            changes = apply_changes(
                row,
                {
                    "planned_start": wall_clock(data.planned_start),
                    "duration_minutes": data.duration_minutes,
                    "session_type": data.session_type,
                    "location": stored_text(data.location),
                    "mentor_id": data.mentor_id,
                    "attendance": data.attendance,
                    "notes": stored_text(data.notes),
                    "topics": stored_text(data.topics),
                    "confidential": data.confidential,
                },
            )
            if not changes:
                return
            if "planned_start" in changes and row.original_start is None:
                row.original_start = old_start
            self._record_update(
                session,
                row,
                _audited(changes),
                person_id=row.young_person_id,
                summary=f"{_describe(row.planned_start, row.session_type)} updated",
            )
            if {"attendance", "planned_start"} & changes.keys():
                note_first_contact(session, self.actor, row)
                case_state.refresh(session, row.young_person_id)

    def record_attendance(
        self,
        session_id: int,
        attendance: Attendance,
        notes: str | None = None,
        topics: str | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Records what happened; ``None`` for notes or topics leaves them as they were."""
        with self._write() as session:
            row = get_or_404(session, MentoringSession, session_id, "session")
            require_case_access(session, self.actor, row.young_person_id, doing="record attendance")
            check_version(session, row, expected_version)
            errors: dict[str, str] = {}
            if attendance in _NEEDS_PAST and row.planned_start > _now():
                errors["attendance"] = (
                    f"The session on {format_uk_datetime(row.planned_start)} has not happened "
                    f"yet, so it cannot be marked '{attendance.label.lower()}'. Record it "
                    "afterwards, or record a cancellation now."
                )
            if topics is not None and len(topics.strip()) > MAX_TOPICS:
                errors["topics"] = f"Keep the topics under {MAX_TOPICS} characters."
            if errors:
                raise ValidationError(errors)
            values: dict[str, object] = {"attendance": attendance}
            if notes is not None:
                values["notes"] = stored_text(notes)
            if topics is not None:
                values["topics"] = stored_text(topics)
            changes = apply_changes(row, values)
            if not changes:
                return
            self._record_update(
                session,
                row,
                _audited(changes),
                person_id=row.young_person_id,
                summary=f"{_describe(row.planned_start, row.session_type)}: "
                f"{attendance.label.lower()}",
            )
            if "attendance" in changes:
                note_first_contact(session, self.actor, row)
                case_state.refresh(session, row.young_person_id)

    # --- queries ---------------------------------------------------------------------------

    def get(self, session_id: int) -> SessionView:
        with self._read() as session:
            row = get_or_404(session, MentoringSession, session_id, "session")
            require_case_access(session, self.actor, row.young_person_id, doing="read a session")
            found = session.execute(_views_query().where(MentoringSession.id == session_id)).one()
            return _view(*found)

    def for_person(self, person_id: int) -> list[SessionView]:
        """Every session of the case, all episodes, newest first (the case's Sessions tab)."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read sessions")
            rows = session.execute(
                _views_query()
                .where(MentoringSession.young_person_id == person_id)
                .order_by(MentoringSession.planned_start.desc(), MentoringSession.id.desc())
            ).all()
            return [_view(*r) for r in rows]

    def week(self, week_start: dt.date, mentor_id: int | None = None) -> list[SessionView]:
        """The calendar from the Monday of ``week_start``'s week to Sunday, by start time.

        A caseworker sees the sessions they mentor (or ``mentor_id``'s) on cases they may
        open; a manager sees a chosen mentor's week, or the whole unit's with no mentor.
        """
        monday = week_start - dt.timedelta(days=week_start.weekday())
        start = dt.datetime.combine(monday, dt.time())
        end = start + dt.timedelta(days=7)
        if mentor_id is None and not self.actor.is_manager:
            mentor_id = self.actor.user_id
        query = _views_query().where(
            MentoringSession.planned_start >= start,
            MentoringSession.planned_start < end,
            own_cases(self.actor),
        )
        if mentor_id is not None:
            query = query.where(MentoringSession.mentor_id == mentor_id)
        with self._read() as session:
            require_role(
                self.actor, Role.CASEWORKER, Role.MANAGER, doing="see the session calendar"
            )
            rows = session.execute(
                query.order_by(MentoringSession.planned_start, MentoringSession.id)
            ).all()
            return [_view(*r) for r in rows]

    def attendance_summary(self, person_id: int) -> AttendanceSummary:
        with self._read() as session:
            return self.attendance_summary_in(session, person_id)

    def attendance_summary_in(self, session: Session, person_id: int) -> AttendanceSummary:
        """``attendance_summary`` in a transaction the caller holds (one snapshot)."""
        require_case_access(session, self.actor, person_id, doing="read attendance")
        counts = dict(
            session.execute(
                select(MentoringSession.attendance, func.count())
                .where(MentoringSession.young_person_id == person_id)
                .group_by(MentoringSession.attendance)
            ).all()
        )
        return summarise_attendance(counts)


def summarise_attendance(counts: dict[Attendance, int]) -> AttendanceSummary:
    """Offered sessions are those the young person could have come to (see ``Attendance``)."""
    offered = sum(n for a, n in counts.items() if a.counts_as_offered)
    attended = counts.get(Attendance.ATTENDED, 0)
    return AttendanceSummary(
        offered=offered,
        attended=attended,
        missed=sum(n for a, n in counts.items() if a.counts_as_missed),
        cancelled_by_service=counts.get(Attendance.CANCELLED_BY_SERVICE, 0),
        planned=counts.get(Attendance.PLANNED, 0),
        rate=attended / offered if offered else None,
    )
