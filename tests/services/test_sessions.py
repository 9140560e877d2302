from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from dateutil.rrule import rrulestr
from sqlalchemy import select

from tests.dates import FromToday, resolved, today
from veru_desk.db.models import Referral, ReferralTransition, SeriesException, SessionSeries
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    AuditAction,
    ClosureReason,
    ConsentStatus,
    ReferralReason,
    ReferralStatus,
    SessionType,
)
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.services import Services
from veru_desk.services.mentoring import SeriesInput, SessionInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails

WEDNESDAY = 2
THURSDAY = 3


def next_weekday(weekday: int, after: dt.date | None = None) -> dt.date:
    """The first ``weekday`` strictly after ``after`` (today unless given)."""
    after = after or today()
    return after + dt.timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)


def last_weekday(weekday: int, before: dt.date | None = None) -> dt.date:
    """The last ``weekday`` strictly before ``before`` (today unless given)."""
    before = before or today()
    return before - dt.timedelta(days=(before.weekday() - weekday - 1) % 7 + 1)


def at(day: dt.date, hour: int = 16, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def past_wednesdays(as_dariusz: Services, person_id: int, count: int) -> list[int]:
    """Books a weekly series whose every session is already in the past; returns their ids."""
    first = last_weekday(WEDNESDAY) - dt.timedelta(weeks=count - 1)
    series_id = as_dariusz.sessions.book_series(
        person_id, SeriesInput(first_start=at(first), count=count, location="Youth centre")
    )
    return [s.id for s in as_dariusz.sessions.series_occurrences(series_id)]


def test_booking_a_session_lists_it_and_audits_it(
    as_dariusz: Services, allocated_case: int, audit_trail: Callable[..., list]
) -> None:
    start = at(next_weekday(WEDNESDAY))
    session_id = as_dariusz.sessions.book(
        allocated_case,
        SessionInput(planned_start=start, session_type=SessionType.DIVERSIONARY, location="Park"),
    )
    [view] = as_dariusz.sessions.for_person(allocated_case)
    assert (view.id, view.planned_start, view.attendance) == (session_id, start, Attendance.PLANNED)
    assert view.person_name == "Łukasz Wiśniewski"
    assert view.mentor == "Dariusz Wójcik"
    assert not view.moved and view.series_id is None
    [event] = audit_trail("mentoring_session")
    assert event.action is AuditAction.CREATE and event.person_id == allocated_case
    assert event.username == "dariusz" and "Diversionary activity" in (event.summary or "")


def test_first_attended_visit_records_first_contact_and_makes_the_case_active(
    as_dariusz: Services, allocated_case: int
) -> None:
    visit = at(today() - dt.timedelta(days=1), 17, 30)
    as_dariusz.sessions.book(
        allocated_case,
        SessionInput(
            planned_start=visit,
            session_type=SessionType.HOME_VISIT,
            attendance=Attendance.ATTENDED,
            notes="Met Łukasz and his older sister at home.",
        ),
    )
    person = as_dariusz.people.get(allocated_case)
    assert person.status is ReferralStatus.ACTIVE
    assert person.last_contact_on == visit.date()
    with as_dariusz.db.read() as session:
        referral = session.scalars(select(Referral)).one()
        move = session.scalars(select(ReferralTransition).order_by(ReferralTransition.id)).all()[-1]
    assert referral.first_contact_on == visit.date()
    assert (move.from_status, move.to_status) == (ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE)
    assert move.on_date == visit.date() and move.by_user_id == as_dariusz.actor.user_id
    assert "First contact" in (move.reason or "")


def test_correcting_the_only_attended_session_clears_first_contact_but_keeps_active(
    as_dariusz: Services, allocated_case: int
) -> None:
    [first] = past_wednesdays(as_dariusz, allocated_case, 1)
    as_dariusz.sessions.record_attendance(first, Attendance.ATTENDED)
    as_dariusz.sessions.record_attendance(first, Attendance.DID_NOT_ATTEND)
    with as_dariusz.db.read() as session:
        referral = session.scalars(select(Referral)).one()
    assert referral.first_contact_on is None
    assert referral.status is ReferralStatus.ACTIVE


def test_correcting_the_date_of_the_first_visit_moves_the_first_contact(
    as_dariusz: Services, allocated_case: int
) -> None:
    first, second = past_wednesdays(as_dariusz, allocated_case, 2)
    as_dariusz.sessions.record_attendance(first, Attendance.ATTENDED)
    as_dariusz.sessions.record_attendance(second, Attendance.ATTENDED)
    view = as_dariusz.sessions.get(first)
    corrected = view.planned_start + dt.timedelta(weeks=1, hours=1)  # after the second, still past
    as_dariusz.sessions.update(
        first,
        SessionInput(planned_start=corrected, attendance=Attendance.ATTENDED),
        expected_version=view.version,
    )
    with as_dariusz.db.read() as session:
        referral = session.scalars(select(Referral)).one()
    assert referral.first_contact_on == as_dariusz.sessions.get(second).planned_start.date()


def test_twelve_week_wednesday_series_skipping_half_term_books_eleven_sessions(
    as_dariusz: Services, allocated_case: int
) -> None:
    first = next_weekday(WEDNESDAY)
    half_term_monday = first + dt.timedelta(weeks=6, days=-WEDNESDAY)
    half_term = tuple(half_term_monday + dt.timedelta(days=d) for d in range(5))
    series_id = as_dariusz.sessions.book_series(
        allocated_case,
        SeriesInput(
            first_start=at(first),
            count=12,
            location="Luton Town FC community pitch",
            skip_dates=half_term,
        ),
    )
    sessions = as_dariusz.sessions.series_occurrences(series_id)
    assert len(sessions) == 11
    assert all(s.planned_start.weekday() == WEDNESDAY for s in sessions)
    assert all(s.planned_start.time() == dt.time(16, 0) for s in sessions)
    assert not any(s.planned_start.date() in half_term for s in sessions)
    assert sessions[0].planned_start.date() == first
    assert sessions[-1].planned_start.date() == first + dt.timedelta(weeks=11)
    with as_dariusz.db.read() as session:
        series = session.get_one(SessionSeries, series_id)
        skipped = session.scalars(select(SeriesException.occurrence_start)).all()
    assert skipped == [at(first + dt.timedelta(weeks=6))]
    assert len(list(rrulestr(series.rule))) == 12


def test_series_on_two_weekdays_until_a_date(as_dariusz: Services, allocated_case: int) -> None:
    monday = next_weekday(0)
    series_id = as_dariusz.sessions.book_series(
        allocated_case,
        SeriesInput(
            first_start=at(monday, 10),
            until=monday + dt.timedelta(days=13),
            weekdays=(0, THURSDAY),
        ),
    )
    days = [s.planned_start.date() for s in as_dariusz.sessions.series_occurrences(series_id)]
    assert days == [monday + dt.timedelta(days=d) for d in (0, 3, 7, 10)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({}, "count"),
        ({"count": 12, "until": FromToday(weeks=12)}, "count"),
        ({"count": 105}, "count"),
        ({"until": FromToday(weeks=150)}, "until"),
        ({"count": 4, "interval_weeks": 0}, "interval_weeks"),
        ({"count": 4, "weekdays": (7,)}, "weekdays"),
        ({"count": 4, "duration_minutes": 0}, "duration_minutes"),
    ],
)
def test_series_booking_refuses_bad_rules(
    as_dariusz: Services, allocated_case: int, overrides: dict[str, object], field: str
) -> None:
    data = SeriesInput(first_start=at(next_weekday(WEDNESDAY)), **resolved(overrides))  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        as_dariusz.sessions.book_series(allocated_case, data)
    assert field in caught.value.fields
    assert as_dariusz.sessions.for_person(allocated_case) == []


def test_moving_one_occurrence_to_thursday_keeps_its_original_start(
    as_dariusz: Services, allocated_case: int
) -> None:
    series_id = as_dariusz.sessions.book_series(
        allocated_case, SeriesInput(first_start=at(next_weekday(WEDNESDAY)), count=4)
    )
    second = as_dariusz.sessions.series_occurrences(series_id)[1]
    thursday = second.planned_start + dt.timedelta(days=1)
    as_dariusz.sessions.move(second.id, thursday, expected_version=second.version)
    moved = {s.id: s for s in as_dariusz.sessions.series_occurrences(series_id)}[second.id]
    assert moved.planned_start == thursday and moved.planned_start.weekday() == THURSDAY
    assert moved.moved and moved.original_start == second.planned_start
    assert moved.series_id == series_id
    others = [s for s in as_dariusz.sessions.series_occurrences(series_id) if s.id != second.id]
    assert all(s.planned_start.weekday() == WEDNESDAY and not s.moved for s in others)


def test_a_recorded_session_cannot_be_moved(as_dariusz: Services, allocated_case: int) -> None:
    [held] = past_wednesdays(as_dariusz, allocated_case, 1)
    as_dariusz.sessions.record_attendance(held, Attendance.ATTENDED)
    with pytest.raises(ValidationError) as caught:
        as_dariusz.sessions.move(held, at(today()) - dt.timedelta(days=1))
    assert "planned_start" in caught.value.fields


def test_skipping_an_occurrence_removes_it_and_records_the_exception(
    as_dariusz: Services, allocated_case: int
) -> None:
    series_id = as_dariusz.sessions.book_series(
        allocated_case, SeriesInput(first_start=at(next_weekday(WEDNESDAY)), count=3)
    )
    middle = as_dariusz.sessions.series_occurrences(series_id)[1]
    as_dariusz.sessions.skip_occurrence(middle.id, "Bank holiday trip")
    remaining = as_dariusz.sessions.series_occurrences(series_id)
    assert len(remaining) == 2
    assert middle.id not in {s.id for s in remaining}
    assert middle.planned_start not in {s.planned_start for s in remaining}
    with as_dariusz.db.read() as session:
        exception = session.scalars(select(SeriesException)).one()
    assert exception.occurrence_start == middle.planned_start
    assert exception.reason == "Bank holiday trip"


def test_three_missed_sessions_raise_the_alert_for_caseworker_and_manager_until_attended(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    first, *missed, fifth = past_wednesdays(as_dariusz, allocated_case, 5)
    as_dariusz.sessions.record_attendance(first, Attendance.ATTENDED)
    for session_id in missed[:2]:
        as_dariusz.sessions.record_attendance(session_id, Attendance.DID_NOT_ATTEND)
    assert not as_dariusz.people.get(allocated_case).disengaged
    as_dariusz.sessions.record_attendance(missed[2], Attendance.CANCELLED_BY_YOUNG_PERSON)
    assert as_dariusz.people.get(allocated_case).disengaged
    for services in (as_dariusz, as_manager):
        alerts = services.dashboard.load().disengagement_alerts
        assert [a.person_id for a in alerts] == [allocated_case]
        assert "Missed the last 3 sessions" in alerts[0].detail

    as_dariusz.sessions.record_attendance(fifth, Attendance.ATTENDED, notes="Back at football.")
    assert not as_dariusz.people.get(allocated_case).disengaged
    assert as_manager.dashboard.load().disengagement_alerts == []
    assert as_dariusz.sessions.get(fifth).notes == "Back at football."


def test_a_session_the_service_cancelled_does_not_break_a_run_of_missed_sessions(
    as_dariusz: Services, allocated_case: int
) -> None:
    ids = past_wednesdays(as_dariusz, allocated_case, 4)
    attendances = [
        Attendance.DID_NOT_ATTEND,
        Attendance.DID_NOT_ATTEND,
        Attendance.CANCELLED_BY_SERVICE,
        Attendance.DID_NOT_ATTEND,
    ]
    for session_id, attendance in zip(ids, attendances, strict=True):
        as_dariusz.sessions.record_attendance(session_id, attendance)
    assert as_dariusz.people.get(allocated_case).disengaged


def test_a_future_session_cannot_be_marked_did_not_attend_or_attended(
    as_dariusz: Services, allocated_case: int
) -> None:
    future = as_dariusz.sessions.book(
        allocated_case, SessionInput(planned_start=at(today() + dt.timedelta(days=2)))
    )
    for attendance in (Attendance.DID_NOT_ATTEND, Attendance.ATTENDED):
        with pytest.raises(ValidationError) as caught:
            as_dariusz.sessions.record_attendance(future, attendance)
        assert "attendance" in caught.value.fields
    with pytest.raises(ValidationError):
        as_dariusz.sessions.book(
            allocated_case,
            SessionInput(
                planned_start=at(today() + dt.timedelta(days=3)), attendance=Attendance.ATTENDED
            ),
        )
    as_dariusz.sessions.record_attendance(future, Attendance.CANCELLED_BY_YOUNG_PERSON)
    assert as_dariusz.sessions.get(future).attendance is Attendance.CANCELLED_BY_YOUNG_PERSON


def test_a_caseworker_cannot_touch_sessions_of_a_case_not_allocated_to_them(
    as_dariusz: Services,
    as_aisha: Services,
    allocated_case: int,
    audit_trail: Callable[..., list],
) -> None:
    start = at(next_weekday(WEDNESDAY))
    session_id = as_dariusz.sessions.book(allocated_case, SessionInput(planned_start=start))
    with pytest.raises(PermissionDenied):
        as_aisha.sessions.book(allocated_case, SessionInput(planned_start=start))
    with pytest.raises(PermissionDenied):
        as_aisha.sessions.record_attendance(session_id, Attendance.CANCELLED_BY_SERVICE)
    with pytest.raises(PermissionDenied):
        as_aisha.sessions.for_person(allocated_case)
    denied = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert [e.username for e in denied] == ["aisha"] * 3
    assert as_dariusz.sessions.get(session_id).attendance is Attendance.PLANNED


def test_a_stale_edit_is_refused_naming_who_changed_the_session(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    [session_id] = past_wednesdays(as_dariusz, allocated_case, 1)
    opened = as_dariusz.sessions.get(session_id)
    as_manager.sessions.record_attendance(
        session_id, Attendance.ATTENDED, expected_version=opened.version
    )
    stale = SessionInput(
        planned_start=opened.planned_start,
        attendance=Attendance.DID_NOT_ATTEND,
        notes="Did not come.",
    )
    with pytest.raises(ConflictError) as caught:
        as_dariusz.sessions.update(session_id, stale, expected_version=opened.version)
    assert caught.value.changed_by == "Priya Raghunathan"
    assert as_dariusz.sessions.get(session_id).attendance is Attendance.ATTENDED


def test_update_saves_the_form_and_audits_which_fields_changed(
    as_dariusz: Services, allocated_case: int, audit_trail: Callable[..., list]
) -> None:
    [session_id] = past_wednesdays(as_dariusz, allocated_case, 1)
    view = as_dariusz.sessions.get(session_id)
    as_dariusz.sessions.update(
        session_id,
        SessionInput(
            planned_start=view.planned_start,
            duration_minutes=90,
            location="Marsh Farm library",
            mentor_id=view.mentor_id,
            attendance=Attendance.ATTENDED,
            notes="Talked about the walk to school.",
            topics="safety plan",
            confidential=True,
        ),
        expected_version=view.version,
    )
    saved = as_dariusz.sessions.get(session_id)
    assert (saved.duration_minutes, saved.location, saved.topics) == (
        90,
        "Marsh Farm library",
        "safety plan",
    )
    assert saved.confidential and saved.version == view.version + 1
    assert as_dariusz.people.get(allocated_case).status is ReferralStatus.ACTIVE
    event = [e for e in audit_trail("mentoring_session") if e.action is AuditAction.UPDATE][-1]
    assert '"attendance": ["planned", "attended"]' in (event.changes or "")
    assert "walk to school" not in (event.changes or "")


def test_booking_on_a_closed_case_is_refused(
    as_dariusz: Services, as_manager: Services, allocated_case: int
) -> None:
    referral_id = as_manager.people.get(allocated_case).current_referral_id
    assert referral_id is not None
    as_manager.referrals.close(referral_id, ClosureReason.MOVED_AWAY, "Family moved to Leeds.")
    with pytest.raises(ValidationError) as caught:
        as_dariusz.sessions.book(
            allocated_case, SessionInput(planned_start=at(next_weekday(WEDNESDAY)))
        )
    assert "closed" in caught.value.fields["person"]


def test_week_calendar_runs_monday_to_sunday_for_the_mentor(
    as_dariusz: Services, as_manager: Services, as_aisha: Services, allocated_case: int
) -> None:
    monday = next_weekday(0)
    for offset, hour in ((2, 16), (0, 9), (6, 11), (7, 9)):
        as_dariusz.sessions.book(
            allocated_case, SessionInput(planned_start=at(monday + dt.timedelta(days=offset), hour))
        )
    mine = as_dariusz.sessions.week(monday + dt.timedelta(days=3))
    assert [s.planned_start for s in mine] == [
        at(monday, 9),
        at(monday + dt.timedelta(days=2), 16),
        at(monday + dt.timedelta(days=6), 11),
    ]
    assert [s.id for s in as_manager.sessions.week(monday)] == [s.id for s in mine]
    dariusz_id = as_dariusz.actor.user_id
    assert len(as_manager.sessions.week(monday, mentor_id=dariusz_id)) == 3
    assert as_aisha.sessions.week(monday) == []
    assert as_aisha.sessions.week(monday, mentor_id=dariusz_id) == []


def test_the_calendar_shows_only_cases_the_viewer_may_open(
    as_dariusz: Services, as_manager: Services, as_aisha: Services
) -> None:
    """The calendar follows the rule for opening a case: Dariusz entered Zoë's referral, but
    once it is accepted and allocated to Aisha her sessions are not his to see, even when he
    asks for Aisha's week (he could not open the case)."""
    born = today().replace(year=today().year - 15) - dt.timedelta(days=20)
    intake = as_dariusz.referrals.create(
        ReferralDetails(
            received_on=today() - dt.timedelta(days=3),
            referring_agency="Luton Sixth Form College",
            referring_agency_type=AgencyType.SCHOOL,
            reasons=frozenset({ReferralReason.CRIMINAL_EXPLOITATION}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(first_name="Zoë", last_name="Çelik", date_of_birth=born),
    )
    as_manager.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Exploitation risk")
    aisha_id = as_aisha.actor.user_id
    assert aisha_id is not None
    as_manager.referrals.allocate(intake.referral_id, aisha_id)
    monday = next_weekday(0)
    as_aisha.sessions.book(intake.person_id, SessionInput(planned_start=at(monday, 10)))
    assert [s.person_id for s in as_aisha.sessions.week(monday)] == [intake.person_id]
    assert as_dariusz.sessions.week(monday, mentor_id=aisha_id) == []
    assert len(as_manager.sessions.week(monday, mentor_id=aisha_id)) == 1


def test_attendance_summary_counts_offered_sessions(
    as_dariusz: Services, allocated_case: int
) -> None:
    ids = past_wednesdays(as_dariusz, allocated_case, 5)
    for session_id, attendance in zip(
        ids,
        [
            Attendance.ATTENDED,
            Attendance.ATTENDED,
            Attendance.ATTENDED,
            Attendance.DID_NOT_ATTEND,
            Attendance.CANCELLED_BY_SERVICE,
        ],
        strict=True,
    ):
        as_dariusz.sessions.record_attendance(session_id, attendance)
    as_dariusz.sessions.book(
        allocated_case, SessionInput(planned_start=at(next_weekday(WEDNESDAY)))
    )
    summary = as_dariusz.sessions.attendance_summary(allocated_case)
    assert (summary.offered, summary.attended, summary.missed) == (4, 3, 1)
    assert (summary.cancelled_by_service, summary.planned) == (1, 1)
    assert summary.rate == pytest.approx(0.75)


def test_an_unknown_mentor_is_refused(as_dariusz: Services, allocated_case: int) -> None:
    with pytest.raises(ValidationError) as caught:
        as_dariusz.sessions.book(
            allocated_case,
            SessionInput(planned_start=at(next_weekday(WEDNESDAY)), mentor_id=9999),
        )
    assert "mentor_id" in caught.value.fields
