"""The demo's story: who each young person is and what happened on each referral.

The same seed always gives the same people, referrals and sessions; only the calendar moves,
because every date is placed relative to an anchor day (today unless one is given), so a demo
always shows open cases, reviews due this week and sessions booked for next week.

Rows are made as plain tuples in each table's column order (``bulk.table_columns``), with ids
handed out here rather than read back. The case summary columns (``current_status`` ...) are
computed while generating, exactly as ``case_state.refresh`` would compute them; a test holds
the two together.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from veru_desk.demo.bulk import table_columns
from veru_desk.demo.vocabulary import (
    ACTIONS,
    AGENCIES,
    AGES,
    CLOSURE_REASONS,
    CLOSURE_SUMMARIES,
    CONTACT_FIRST,
    DISTRICTS,
    GOAL_PROGRESS,
    GOALS,
    HERITAGES,
    INWARD_LETTERS,
    LOCATIONS,
    NARRATIVES,
    NOTE_SUBJECTS,
    PLACES,
    PROTECTIVE_FACTORS,
    REASONS_BY_AGENCY,
    REFERRERS,
    RISK_FACTORS,
    SESSION_NOTES,
    STREETS,
    TOPICS,
    Heritage,
)
from veru_desk.domain.enums import (
    Attendance,
    ClosureReason,
    ConsentStatus,
    ContactRelationship,
    EducationStatus,
    Ethnicity,
    Gender,
    GoalStatus,
    OutcomePoint,
    Priority,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    SessionType,
    SharingBasis,
)
from veru_desk.domain.names import name_tokens
from veru_desk.domain.nhs import nhs_check_digit
from veru_desk.domain.reviews import next_plan_review, next_review_date
from veru_desk.domain.workflow import is_disengaged
from veru_desk.services.case_state import RECENT_ATTENDANCE_WINDOW
from veru_desk.services.people import sort_name_of

YEARS_OF_HISTORY = 3
WAITING_IN_EVERY_DEMO = 3  # the first people of a demo are referrals still awaiting triage


class Values:
    """Turns dates into what the driver stores: SQLAlchemy's text forms on SQLite (so rows
    written here sort and compare exactly like rows written through the ORM), objects elsewhere.
    """

    def __init__(self, dialect_name: str) -> None:
        self.sqlite = dialect_name == "sqlite"
        self._days: dict[dt.date, str] = {}  # a few thousand distinct days, millions of uses

    def day(self, value: dt.date | None) -> Any:
        if value is None or not self.sqlite:
            return value
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = value.isoformat()
        return text

    def at(self, value: dt.date, clock: str) -> Any:
        """``value`` at ``clock`` (``"16:30"``), the cheap way: the hot path of sessions."""
        if not self.sqlite:
            return dt.datetime.combine(value, dt.time.fromisoformat(clock))
        text = self._days.get(value)
        if text is None:
            text = self._days[value] = value.isoformat()
        return f"{text} {clock}:00.000000"

    def moment(self, value: dt.datetime | None) -> Any:
        if value is None or not self.sqlite:
            return value
        text = value.isoformat(" ")
        return text if value.microsecond else text + ".000000"


@dataclass
class Team:
    manager_id: int
    worker_ids: list[int]
    agency_ids: list[int]


class Batch:
    """The rows for one batch of people, as tuples in each table's column order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in table_columns()}
        self.current_referral: list[tuple[int | None, int]] = []
        self.years: list[int] = []  # the year each person's record was made, for case refs


class Generator:
    def __init__(self, seed: int, anchor: dt.date, team: Team, values: Values) -> None:
        self.rng = random.Random(seed)
        self.anchor = anchor
        # The last day with recorded history: the demo may be built at 07:17, so nothing
        # recorded is dated today (a session "attended" at 16:00 today would be in the future).
        self.yesterday = anchor - dt.timedelta(days=1)
        self.team = team
        self.v = values
        self.heritage_weights = list(accumulate(h.weight for h in HERITAGES))
        self.district_weights = list(accumulate(w for _d, _t, w in DISTRICTS))
        self.agency_weights = list(accumulate(w for _n, _t, w in AGENCIES))
        self.age_values = [a for a, _w in AGES]
        self.age_weights = list(accumulate(w for _a, w in AGES))
        self.nhs_counter = self.rng.randrange(10**6)
        self.counts: Counter[str] = Counter()
        self.booked: dict[tuple[int, dt.date], set[str]] = {}  # each worker's hours taken
        self.shown: dict[str | int, str | int] = {}  # example -> person and back (_showcase)

    # each person: one call, all their rows --------------------------------------------------

    def person(self, batch: Batch, ids: Ids, plan: PersonPlan) -> None:
        """All of one young person's rows; the case reference is filled in when written."""
        rng = self.rng
        v = self.v
        pid = ids.next("young_person")
        heritage = plan.heritage
        first, last, gender = plan.first_name, plan.last_name, plan.gender
        summary = Summary()
        created = dt.datetime.combine(plan.episodes[0].received_on, dt.time(9, 30))
        manager = self.team.manager_id

        for episode in plan.episodes:
            self._episode(batch, ids, pid, plan, episode, summary)

        district, town, _w = plan.district
        postcode = (
            f"{district} {rng.randint(1, 9)}"
            f"{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        )
        address = f"{rng.randint(1, 180)} {rng.choice(STREETS)}, {town}"
        phone = f"07700 900{rng.randrange(1000):03d}" if rng.random() < 0.8 else None
        nhs = self._nhs_number() if rng.random() < 0.6 else None
        dob = plan.date_of_birth
        age = _age(dob, plan.episodes[-1].received_on)
        education = _education(rng, age, plan.episodes[-1].reasons)
        preferred = first.split()[0] if " " in first and rng.random() < 0.5 else None
        if first == "Muhammad" and rng.random() < 0.3:
            preferred = "Mo"
        stamp = v.moment(created)
        batch.rows["young_person"].append(
            (
                pid, None, first, last, preferred, sort_name_of(last, first), v.day(dob),
                gender.value, plan.ethnicity.value, address, postcode, phone, nhs,
                _school(rng, age) if education is not EducationStatus.NEET else None,
                education.value, rng.random() < 0.06,
                rng.random() < 0.08, rng.random() < 0.15, rng.random() < 0.12,
                rng.random() < 0.25,
                summary.status.value if summary.status else None,
                summary.worker_id,
                summary.risk.value if summary.risk else None,
                v.day(summary.next_review_on),
                v.day(summary.last_contact_on),
                summary.disengaged,
                stamp, manager, stamp, manager, 1,
            )
        )  # fmt: skip
        batch.current_referral.append((summary.referral_id, pid))
        batch.years.append(plan.episodes[0].received_on.year)
        batch.rows["name_token"].extend(
            (token[:100], pid) for token in sorted(name_tokens(first, last, preferred))
        )
        parent_first = rng.choice(CONTACT_FIRST)
        relationship = rng.choice(
            (ContactRelationship.MOTHER, ContactRelationship.MOTHER, ContactRelationship.FATHER,
             ContactRelationship.CARER, ContactRelationship.GRANDPARENT)
        )  # fmt: skip
        batch.rows["contact"].append(
            (
                ids.next("contact"), pid, f"{parent_first} {_family_name(last, heritage)}",
                relationship.value, f"07700 900{rng.randrange(1000):03d}", True,
                stamp, manager, stamp, manager, 1,
            )
        )  # fmt: skip
        self.counts["people"] += 1

    def _nhs_number(self) -> str:
        """Numbers from the NHS test range (999...), unique within a run, valid check digit."""
        while True:
            self.nhs_counter = (self.nhs_counter + 7919) % 10**6
            first_nine = f"999{self.nhs_counter:06d}"
            check = nhs_check_digit(first_nine)
            if check is not None:
                return f"{first_nine}{check}"

    def _episode(
        self,
        batch: Batch,
        ids: Ids,
        pid: int,
        plan: PersonPlan,
        episode: Episode,
        summary: Summary,
    ) -> None:
        rng = self.rng
        v = self.v
        rid = ids.next("referral")
        manager = self.team.manager_id
        agency_index = episode.agency_index
        agency_name = AGENCIES[agency_index][0]
        received = episode.received_on
        worker = episode.worker_id
        status = episode.status
        trans = batch.rows["referral_transition"]

        def transition(
            old: ReferralStatus | None,
            new: ReferralStatus,
            on: dt.date,
            by: int | None,
            reason: str | None,
            worker_id: int | None = None,
        ) -> None:
            at = v.moment(dt.datetime.combine(on, dt.time(10, 0)))
            trans.append(
                (
                    ids.next("referral_transition"), rid, old.value if old else None, new.value,
                    v.day(on), at, by, reason, worker_id,
                )
            )  # fmt: skip

        transition(None, ReferralStatus.RECEIVED, received, manager, f"Referred by {agency_name}")
        decided_on = decision_reason = None
        if episode.screened:
            transition(
                ReferralStatus.RECEIVED,
                ReferralStatus.SCREENING,
                episode.screened,
                manager,
                None,
            )
        previous = ReferralStatus.SCREENING if episode.screened else ReferralStatus.RECEIVED
        if episode.decided_on is not None:
            decided_on = episode.decided_on
            decision = episode.decision
            decision_reason = {
                ReferralStatus.ACCEPTED: "Meets criteria; risk of serious violence.",
                ReferralStatus.DECLINED: "Below threshold; no violence or exploitation concerns.",
                ReferralStatus.SIGNPOSTED: "Better met by Early Help; family agreed.",
            }[decision]
            transition(previous, decision, decided_on, manager, decision_reason)
        if episode.allocated_on is not None:
            transition(
                ReferralStatus.ACCEPTED,
                ReferralStatus.ALLOCATED,
                episode.allocated_on,
                manager,
                None,
                worker,
            )
        if episode.first_contact_on is not None:
            transition(
                ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE, episode.first_contact_on, worker,
                "First session attended",
            )  # fmt: skip
        if episode.closed_on is not None:
            assert episode.closure_reason is not None
            transition(
                ReferralStatus.ACTIVE, ReferralStatus.CLOSED, episode.closed_on, worker,
                episode.closure_reason.label,
            )  # fmt: skip

        under_16 = _age(plan.date_of_birth, received) < 16
        consent_parent = (
            (ConsentStatus.GIVEN if rng.random() < 0.85 else ConsentStatus.NOT_ASKED)
            if under_16
            else ConsentStatus.NOT_REQUIRED
        )
        narrative = " ".join(
            NARRATIVES[r].format(place=rng.choice(PLACES)) for r in sorted(episode.reasons)[:2]
        )
        stamp = v.moment(dt.datetime.combine(received, dt.time(9, 30)))
        changed = v.moment(
            dt.datetime.combine(episode.closed_on or episode.last_change, dt.time(17, 0))
        )
        batch.rows["referral"].append(
            (
                rid, pid, v.day(received), self.team.agency_ids[agency_index],
                rng.choice(REFERRERS), narrative,
                (ConsentStatus.GIVEN if rng.random() < 0.88 else ConsentStatus.NOT_ASKED).value,
                consent_parent.value,
                (SharingBasis.CONSENT if rng.random() < 0.7 else SharingBasis.SAFEGUARDING).value,
                episode.priority.value, status.value, decision_reason, v.day(decided_on),
                manager if decided_on else None, worker, v.day(episode.allocated_on),
                v.day(episode.first_contact_on), v.day(episode.closed_on),
                episode.closure_reason.value if episode.closure_reason else None,
                CLOSURE_SUMMARIES[episode.closure_reason] if episode.closure_reason else None,
                "manual", stamp, manager, changed, worker or manager, 1,
            )
        )  # fmt: skip
        batch.rows["referral_reason"].extend((rid, r.value) for r in sorted(episode.reasons))
        self.counts["referrals"] += 1

        summary.referral_id = rid
        summary.status = status
        summary.worker_id = worker
        if episode.first_contact_on is not None:
            assert worker is not None
            self._casework(batch, ids, pid, rid, plan, episode, summary)
        is_open = status.is_open_case
        summary.next_review_on = summary.latest_review if is_open else None
        recent = summary.attendance[-RECENT_ATTENDANCE_WINDOW:][::-1]
        summary.disengaged = is_open and is_disengaged(recent)

    def _casework(
        self,
        batch: Batch,
        ids: Ids,
        pid: int,
        rid: int,
        plan: PersonPlan,
        episode: Episode,
        summary: Summary,
    ) -> None:
        """Assessments, a plan, sessions, outcomes and notes for an episode with contact.

        The steps run in this order because each draws from the one random stream: reordering
        them would change every story told after them for the same seed.
        """
        worker = episode.worker_id
        assert worker is not None and episode.first_contact_on is not None
        end = episode.closed_on or self.yesterday
        work = Work(
            batch, ids, self.v, pid, rid, worker, episode.first_contact_on, end,
            closing=episode.closed_on is not None,
        )  # fmt: skip
        levels = self._assessments(work, episode, summary)
        achieved = self._plan(work, episode)
        self._sessions(work, episode, summary)
        self._outcomes(work, plan, episode, levels, achieved)
        self._notes(work)

    def _assessments(
        self, work: Work, episode: Episode, summary: Summary
    ) -> list[tuple[dt.date, RiskLevel]]:
        """Risk assessed at first contact, then whenever the review falls due; the levels by
        day, for the outcomes."""
        rng = self.rng
        v = work.values
        level = {
            Priority.URGENT: RiskLevel.VERY_HIGH,
            Priority.HIGH: RiskLevel.HIGH,
            Priority.MEDIUM: RiskLevel.MEDIUM,
            Priority.LOW: RiskLevel.MEDIUM,
        }[episode.priority]
        levels: list[tuple[dt.date, RiskLevel]] = []
        assessed = work.start
        end = work.end
        closing = work.closing
        late = not closing and (  # some reviews are overdue (by weeks), in every demo
            self._showcase("risk review overdue", work.pid, work.span > 90) or rng.random() < 0.08
        )
        while assessed <= end:
            review = next_review_date(assessed, level)
            # Reassessed every two to three months (sooner only when the level says so and
            # the worker keeps up); an open case's last review falls due after today unless
            # this is one of the cases left overdue on purpose.
            following = _weekday(max(review, assessed + dt.timedelta(days=rng.randint(56, 90))))
            if late and following > end - dt.timedelta(days=30):
                # the last one: its review fell due a few weeks ago and nobody has reassessed
                weeks_ago = end - dt.timedelta(days=rng.randint(1, 30))
                review = max(assessed + dt.timedelta(days=14), weeks_ago)
                following = end + dt.timedelta(days=1)
            elif not closing and following > end and review < end:
                following = review + dt.timedelta(days=rng.randint(0, 3))
            work.batch.rows["risk_assessment"].append(
                (
                    work.ids.next("risk_assessment"), work.pid, work.rid, v.day(assessed),
                    level.value, rng.choice(RISK_FACTORS), rng.choice(PROTECTIVE_FACTORS),
                    work.worker, v.day(review), *work.tracked(assessed),
                )
            )  # fmt: skip
            self.counts["assessments"] += 1
            levels.append((assessed, level))
            summary.risk = level
            summary.latest_review = review
            assessed = following
            roll = rng.random()
            if roll < 0.4 and level is not RiskLevel.LOW:
                level = list(RiskLevel)[level.rank - 1]
            elif roll > 0.92 and level is not RiskLevel.VERY_HIGH:
                level = list(RiskLevel)[level.rank + 1]
        return levels

    def _plan(self, work: Work, episode: Episode) -> int:
        """The plan: two to four goals with an action or two each; how many were achieved."""
        rng = self.rng
        v = work.values
        rows = work.batch.rows
        plan_start = min(work.start + dt.timedelta(days=rng.randint(0, 10)), work.end)
        plan_id = work.ids.next("intervention_plan")
        plans = rows["intervention_plan"]
        for index in range(len(plans) - 1, -1, -1):  # a new episode's plan replaces the last
            if plans[index][1] != work.pid:
                break
            plans[index] = (*plans[index][:7], False, *plans[index][8:])
        review = next_plan_review(plan_start)
        if not work.closing:
            # An open case's plan is reviewed when due; a few reviews are late, by weeks.
            late = (
                self._showcase("plan review late", work.pid, review <= work.end)
                or rng.random() < 0.1
            )
            if late:
                review = max(review, work.end - dt.timedelta(days=rng.randint(0, 35)))
            else:
                while review <= work.end:
                    review = next_plan_review(review)
        plans.append(
            (
                plan_id, work.pid, work.rid, episode.plan_version, v.day(plan_start),
                v.day(review),
                "Plan agreed with the young person and their family.", True,
                *work.tracked(plan_start),
            )
        )  # fmt: skip
        self.counts["plans"] += 1
        domains = rng.sample(list(GOALS), rng.randint(2, 4))
        achieved = 0
        for position, domain in enumerate(domains):
            goal_id = work.ids.next("plan_goal")
            status = self._goal_status(work.closing, episode)
            achieved += status is GoalStatus.ACHIEVED
            target = plan_start + dt.timedelta(weeks=rng.choice((8, 12, 16, 24)))
            if status in (GoalStatus.IN_PROGRESS, GoalStatus.NOT_STARTED) and target <= work.end:
                target = work.end + dt.timedelta(days=rng.randint(14, 84))  # moved at a review
            progress = rng.choice(GOAL_PROGRESS[status]) if GOAL_PROGRESS[status] else None
            rows["plan_goal"].append(
                (
                    goal_id, plan_id, position, domain.value, rng.choice(GOALS[domain]),
                    v.day(target), status.value, progress, *work.tracked(plan_start),
                )
            )  # fmt: skip
            # Each goal its own actions (no action twice in one plan), and their progress
            # agrees with the goal: nothing done on a goal not started, all done on one achieved.
            for description, owner in rng.sample(ACTIONS[domain], rng.randint(1, 2)):
                due = plan_start + dt.timedelta(days=rng.randint(7, 60))
                done = due - dt.timedelta(days=rng.randint(0, 5)) if due < work.end else None
                recent = (work.end - due).days < 42
                overdue = self._showcase(
                    "action overdue",
                    work.pid,
                    not work.closing and status is GoalStatus.IN_PROGRESS and done is not None,
                )
                if overdue:  # the demo's example of an overdue action: a couple of weeks late
                    weeks_ago = work.end - dt.timedelta(days=rng.randint(3, 20))
                    due, done = max(weeks_ago, plan_start), None
                if done is not None and recent and rng.random() < 0.15:
                    done = None  # an overdue action, weeks late at most
                if status is GoalStatus.NOT_STARTED:  # its actions lie ahead
                    done = None
                    due = max(due, work.end + dt.timedelta(days=rng.randint(7, 42)))
                elif status is GoalStatus.ACHIEVED and done is None:
                    done = min(due, work.end)
                if done is not None:
                    done = max(plan_start, min(done, work.end))
                rows["plan_action"].append(
                    (
                        work.ids.next("plan_action"), goal_id, description, owner, v.day(due),
                        v.day(done), *work.tracked(plan_start),
                    )
                )  # fmt: skip
        return achieved

    def _goal_status(self, closing: bool, episode: Episode) -> GoalStatus:
        rng = self.rng
        if closing:
            return (
                GoalStatus.ACHIEVED
                if episode.closure_reason is ClosureReason.GOALS_ACHIEVED or rng.random() < 0.3
                else rng.choice((GoalStatus.PARTLY_ACHIEVED, GoalStatus.NOT_ACHIEVED))
            )
        return rng.choice((GoalStatus.IN_PROGRESS, GoalStatus.IN_PROGRESS,
                           GoalStatus.NOT_STARTED, GoalStatus.ACHIEVED))  # fmt: skip

    def _sessions(self, work: Work, episode: Episode, summary: Summary) -> None:
        """About weekly from first contact to closure (or today), a few booked ahead."""
        rng = self.rng
        start = work.start
        span = work.span
        count = max(1, min(int(span / 7 * rng.uniform(0.8, 1.0)) + 1, episode.session_cap))
        # From first contact to the episode's last week (not a week short of it: the calendar
        # of the current week was nearly empty), evenly spaced.
        last = max(span - rng.randint(0, 4), 0)
        step = last / (count - 1) if count > 1 else 0.0
        disengaging = (
            episode.closure_reason is ClosureReason.DISENGAGED
            if work.closing
            else count >= 4
            and (self._showcase("disengaged", work.pid, True) or rng.random() < 0.07)
        )
        hour = rng.choice((15, 16, 16, 17, 18))
        location = rng.choice(LOCATIONS)  # where they usually meet
        sessions = work.batch.rows["mentoring_session"]
        attendance_log = summary.attendance
        last_attended: dt.date | None = None
        # The hot loop (two million rows at full size): plain strings and random() indexing,
        # no enum lookups, rng.choice calls or datetime objects per row.
        random_ = rng.random
        at = work.values.at
        timedelta = dt.timedelta
        clocks = (f"{hour:02d}:00", f"{hour:02d}:00", f"{hour:02d}:30")
        pid, rid, worker = work.pid, work.rid, work.worker
        session_id = work.ids["mentoring_session"]
        end = work.end
        for index in range(count):
            day = start + timedelta(days=int(index * step))
            weekday = day.weekday()
            if weekday == 6 or (weekday == 5 and random_() >= 0.08):
                # Sundays never, Saturdays rarely (a football tournament, a trip): the
                # Thursday or Friday before or the Monday or Tuesday after, within the episode.
                moved = day + timedelta(days=_WEEKEND_MOVES[weekday][int(random_() * 4)])
                day = moved if moved <= end else day - timedelta(days=weekday - 4)
            if index == 0:
                attendance = _ATTENDED
            elif disengaging and index >= count - 3:
                attendance = _DNA
            else:
                roll = random_()
                attendance = (
                    _ATTENDED if roll < 0.78
                    else _DNA if roll < 0.89
                    else _CANCELLED_BY_YP if roll < 0.94
                    else _CANCELLED_BY_SERVICE
                )  # fmt: skip
            attended = attendance is _ATTENDED
            if attended:
                last_attended = day
            attendance_log.append(_ATTENDANCE[attendance])
            stamp = at(day, self._free_clock(worker, day, clocks[int(random_() * 3)]))
            session_id += 1
            duration = _DURATIONS[int(random_() * 4)]
            kind = _HOME_VISIT if index == 0 else _SESSION_TYPES[int(random_() * 9)]
            sessions.append(
                (
                    session_id, pid, rid, stamp, duration, worker, kind,
                    _PLACE_OF_TYPE.get(kind, location), attendance,
                    _pick(_NOTES_OF_TYPE[kind], random_()) if attended else None,
                    TOPICS[int(random_() * len(TOPICS))] if attended else None,
                    False, stamp, worker, stamp, worker, 1,
                )
            )  # fmt: skip
        work.ids["mentoring_session"] = session_id
        if not work.closing:
            count += self._booked_ahead(work, day, hour, location)
        self.counts["sessions"] += count
        if last_attended is not None:
            summary.last_contact_on = last_attended

    def _booked_ahead(self, work: Work, last_day: dt.date, hour: int, location: str) -> int:
        """One or two sessions booked on the young person's usual weekday after today."""
        booked = last_day + dt.timedelta(days=7)
        while booked < self.anchor:  # today's own sessions are planned ones too
            booked += dt.timedelta(days=7)
        extras = self.rng.randint(1, 2)
        for extra in range(extras):
            day = _weekday(booked + dt.timedelta(days=7 * extra))
            if day < self.anchor:  # a Saturday moved back to yesterday: the next Friday
                day += dt.timedelta(days=7)
            work.batch.rows["mentoring_session"].append(
                (
                    work.ids.next("mentoring_session"), work.pid, work.rid,
                    work.values.at(day, self._free_clock(work.worker, day, f"{hour:02d}:00")),
                    60, work.worker,
                    SessionType.ONE_TO_ONE.value, location, Attendance.PLANNED.value,
                    None, None, False, *work.tracked(self.yesterday),
                )
            )  # fmt: skip
        return extras

    def _showcase(self, what: str, pid: int, eligible: bool) -> bool:
        """True for the first open case that can show ``what`` (an overdue review, a
        disengaged young person...), so even a small demo has something in every list; each
        example on a different young person."""
        if not eligible or what in self.shown or self.shown.get(pid, what) != what:
            return False
        self.shown[what] = pid
        self.shown[pid] = what
        return True

    def _free_clock(self, worker: int, day: dt.date, wanted: str) -> str:
        """``wanted``, or the nearest time in an hour the worker has free that day: no worker
        starts two sessions in one hour (until every hour of a day is taken, as only a huge
        demo would do)."""
        taken = self.booked.get((worker, day))
        if taken is None:
            self.booked[(worker, day)] = {wanted[:2]}
            return wanted
        if wanted[:2] in taken:
            for clock in _CLOCKS_NEAR[wanted]:
                if clock[:2] not in taken:
                    wanted = clock
                    break
        taken.add(wanted[:2])
        return wanted

    def _outcomes(
        self,
        work: Work,
        plan: PersonPlan,
        episode: Episode,
        levels: list[tuple[dt.date, RiskLevel]],
        achieved: int,
    ) -> None:
        """Outcomes at the start, every twelve weeks, and at closure."""
        rng = self.rng
        v = work.values
        start, end = work.start, work.end
        wellbeing = rng.randint(2, 6)
        arrests = rng.choice((0, 0, 1, 1, 2, 3))
        education = _education(rng, _age(plan.date_of_birth, start), episode.reasons)
        points = [(start, OutcomePoint.START)]
        review = start + dt.timedelta(weeks=12)
        while review < end:
            points.append((review, OutcomePoint.REVIEW))
            review += dt.timedelta(weeks=12)
        if work.closing:
            points.append((end, OutcomePoint.CLOSURE))
        for when, point in points:
            level_then = next((lv for d, lv in reversed(levels) if d <= when), levels[0][1])
            work.batch.rows["outcome"].append(
                (
                    work.ids.next("outcome"), work.pid, work.rid, v.day(when), point.value,
                    level_then.value, education.value, arrests,
                    min(arrests, rng.randint(0, 1)), wellbeing,
                    achieved if point is OutcomePoint.CLOSURE else None, *work.tracked(when),
                )
            )  # fmt: skip
            self.counts["outcomes"] += 1
            wellbeing = min(10, wellbeing + rng.choice((0, 1, 1, 2)))
            arrests = max(0, arrests - rng.choice((0, 1, 1)))
            if education in (EducationStatus.EXCLUDED, EducationStatus.NEET) and rng.random() < 0.4:
                education = (
                    EducationStatus.IN_EDUCATION
                    if _age(plan.date_of_birth, when) < 16
                    else EducationStatus.EET
                )

    def _notes(self, work: Work) -> None:
        """One to three case notes somewhere in the episode."""
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            subject, body = rng.choice(NOTE_SUBJECTS)
            when = work.start + dt.timedelta(days=rng.randint(0, work.span))
            when = min(_weekday(when), work.end)  # written at the office, by yesterday
            work.batch.rows["case_note"].append(
                (
                    work.ids.next("case_note"), work.pid, work.rid,
                    work.values.moment(dt.datetime.combine(when, dt.time(rng.randint(9, 17), 0))),
                    work.worker, subject, body, False, *work.tracked(when),
                )
            )  # fmt: skip
            self.counts["notes"] += 1


@dataclass(frozen=True)
class Work:
    """One episode's casework in hand: where its rows go and the span it covers."""

    batch: Batch
    ids: Ids
    values: Values
    pid: int
    rid: int
    worker: int
    start: dt.date
    end: dt.date  # closure, or the day before the anchor day for an open case
    closing: bool

    @property
    def span(self) -> int:
        return max((self.end - self.start).days, 1)

    def tracked(self, when: dt.date) -> tuple[Any, ...]:
        """The created/updated columns: the worker, at half past five that day."""
        stamp = self.values.at(when, "17:30")
        return (stamp, self.worker, stamp, self.worker, 1)


_SESSION_TYPES = tuple(
    t.value
    for t in (
        SessionType.ONE_TO_ONE, SessionType.ONE_TO_ONE, SessionType.ONE_TO_ONE,
        SessionType.GROUP, SessionType.DIVERSIONARY, SessionType.FAMILY,
        SessionType.SCHOOL_VISIT, SessionType.HOME_VISIT, SessionType.PHONE_ONLINE,
    )
)  # fmt: skip
_HOME_VISIT = SessionType.HOME_VISIT.value
# Where a session of these types happens, whatever the young person's usual meeting place.
_PLACE_OF_TYPE = {
    _HOME_VISIT: "Young person's home",
    SessionType.PHONE_ONLINE.value: "Phone",
    SessionType.SCHOOL_VISIT.value: "School (meeting room)",
    SessionType.FAMILY.value: "Young person's home",
}
# Days to move a weekend session by (Saturday, Sunday): to a Thursday, Friday, Monday or Tuesday.
_WEEKEND_MOVES = {5: (-2, -1, 2, 3), 6: (-3, -2, 1, 2)}
# Session start times a worker can offer, 10:00 to 18:30; for each, the others nearest first.
_SLOTS = tuple(f"{hour:02d}:{minute}" for hour in range(10, 19) for minute in ("00", "30"))
_CLOCKS_NEAR = {
    wanted: sorted(
        (c for c in _SLOTS if c != wanted),
        key=lambda c: (abs(_SLOTS.index(c) - _SLOTS.index(wanted)), c < wanted),
    )
    for wanted in _SLOTS
}
_DURATIONS = (45, 60, 60, 90)
_ATTENDED = Attendance.ATTENDED.value
_DNA = Attendance.DID_NOT_ATTEND.value
_CANCELLED_BY_YP = Attendance.CANCELLED_BY_YOUNG_PERSON.value
_CANCELLED_BY_SERVICE = Attendance.CANCELLED_BY_SERVICE.value
_ATTENDANCE = {a.value: a for a in Attendance}
_NOTES_OF_TYPE = {kind.value: notes for kind, notes in SESSION_NOTES.items()}


def _pick(choices: tuple[str, ...], roll: float) -> str:
    return choices[int(roll * len(choices))]


@dataclass
class Summary:
    """The case summary columns, as ``case_state.refresh`` would compute them."""

    referral_id: int | None = None
    status: ReferralStatus | None = None
    worker_id: int | None = None
    risk: RiskLevel | None = None
    latest_review: dt.date | None = None
    next_review_on: dt.date | None = None
    last_contact_on: dt.date | None = None
    disengaged: bool = False

    def __post_init__(self) -> None:
        self.attendance: list[Attendance] = []  # oldest first, non-planned only


@dataclass
class Episode:
    received_on: dt.date
    agency_index: int
    reasons: frozenset[ReferralReason]
    priority: Priority
    status: ReferralStatus
    screened: dt.date | None = None
    decision: ReferralStatus = ReferralStatus.ACCEPTED
    decided_on: dt.date | None = None
    allocated_on: dt.date | None = None
    worker_id: int | None = None
    first_contact_on: dt.date | None = None
    closed_on: dt.date | None = None
    closure_reason: ClosureReason | None = None
    plan_version: int = 1
    session_cap: int = 60

    @property
    def last_change(self) -> dt.date:
        return self.first_contact_on or self.allocated_on or self.decided_on or self.received_on


@dataclass
class PersonPlan:
    heritage: Heritage
    ethnicity: Ethnicity
    gender: Gender
    first_name: str
    last_name: str
    date_of_birth: dt.date
    district: tuple[str, str, float]
    episodes: list[Episode]


def _weekday(day: dt.date) -> dt.date:
    """``day``, or the nearest working day when it falls at a weekend (the Friday before a
    Saturday, the Monday after a Sunday): offices are shut."""
    weekday = day.weekday()
    return day + dt.timedelta(days=(-1, 1)[weekday - 5]) if weekday >= 5 else day


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _education(rng: random.Random, age: int, reasons: frozenset[ReferralReason]) -> EducationStatus:
    if ReferralReason.EXCLUSION_ABSENCE in reasons:
        return EducationStatus.EXCLUDED
    if age < 16:
        return EducationStatus.IN_EDUCATION if rng.random() < 0.85 else EducationStatus.EXCLUDED
    return rng.choice(
        (EducationStatus.IN_EDUCATION, EducationStatus.EET, EducationStatus.NEET,
         EducationStatus.NEET)
    )  # fmt: skip


def _school(rng: random.Random, age: int) -> str | None:
    if age < 16:
        return rng.choice(
            ("Wardown Park Academy", "Stopsley Community College", "Lewsey Farm High School",
             "Marsh Farm Pupil Referral Unit", "Bedford Riverside Academy",
             "Dunstable Priory School")
        )  # fmt: skip
    if age < 19:
        return rng.choice(("Luton Sixth Form College", "Barnfield College", "Bedford College"))
    return None


def _family_name(last: str, heritage: Heritage) -> str:
    if heritage.polish_surnames and last.endswith(("ska", "cka", "dzka")):
        return last[:-1] + "i"
    return last


def _feminine(surname: str) -> str:
    for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
        if surname.endswith(masculine):
            return surname[: -len(masculine)] + feminine
    return surname


class Ids(Counter[str]):
    """Next id per table, handed out here from each table's highest id when generation began
    (every batch checks nobody else has added rows since)."""

    def next(self, table: str) -> int:
        self[table] += 1
        return self[table]


def plan_person(gen: Generator) -> PersonPlan:
    """Who the young person is and what happened to each referral, before any row is made."""
    rng = gen.rng
    heritage = rng.choices(HERITAGES, cum_weights=gen.heritage_weights)[0]
    ethnicities, weights = zip(*heritage.ethnicities, strict=True)
    ethnicity = rng.choices(ethnicities, weights)[0]
    roll = rng.random()
    gender = (
        Gender.MALE if roll < 0.76
        else Gender.FEMALE if roll < 0.975
        else Gender.NON_BINARY if roll < 0.99
        else Gender.NOT_KNOWN
    )  # fmt: skip
    girl = gender is Gender.FEMALE or (gender is not Gender.MALE and rng.random() < 0.5)
    first = rng.choice(heritage.girls if girl else heritage.boys)
    last = rng.choice(heritage.surnames)
    if girl and heritage.polish_surnames:
        last = _feminine(last)
    district = rng.choices(DISTRICTS, cum_weights=gen.district_weights)[0]

    anchor = gen.anchor
    history = YEARS_OF_HISTORY * 365
    two_episodes = rng.random() < 0.10
    waiting = gen.counts["people"] < WAITING_IN_EVERY_DEMO
    if waiting:  # a demo always has referrals in the triage queue, however small
        two_episodes = False
        received = anchor - dt.timedelta(days=rng.randint(1, 6))
    elif two_episodes:
        received = anchor - dt.timedelta(days=rng.randint(420, history))
    elif rng.random() < 0.05:  # the triage queue is never empty: this fortnight's referrals
        received = anchor - dt.timedelta(days=rng.randint(1, 12))
    else:
        received = anchor - dt.timedelta(days=rng.randint(1, history))
    age = rng.choices(gen.age_values, cum_weights=gen.age_weights)[0]
    dob = received - dt.timedelta(days=age * 365 + age // 4 + rng.randint(0, 364))
    episodes = [
        _plan_episode(gen, received, last_episode=not two_episodes, age=age, waiting=waiting)
    ]
    if two_episodes:
        previous = episodes[0]
        after = (previous.closed_on or previous.received_on) + dt.timedelta(
            days=rng.randint(60, 300)
        )
        after = min(after, anchor - dt.timedelta(days=1))
        episode = _plan_episode(gen, after, last_episode=True, age=_age(dob, after))
        episode.plan_version = 2
        episodes.append(episode)
    return PersonPlan(heritage, ethnicity, gender, first, last, dob, district, episodes)


def _plan_episode(
    gen: Generator, received: dt.date, *, last_episode: bool, age: int, waiting: bool = False
) -> Episode:
    rng = gen.rng
    anchor = gen.anchor
    agency_index = rng.choices(range(len(AGENCIES)), cum_weights=gen.agency_weights)[0]
    agency_type = AGENCIES[agency_index][1]
    pool = REASONS_BY_AGENCY[agency_type]
    reasons = frozenset(
        rng.choices([r for r, _w in pool], [w for _r, w in pool], k=rng.choice((1, 1, 2, 2, 3)))
    )
    priority = rng.choices(
        (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.URGENT), (10, 45, 35, 10)
    )[0]
    age_days = (anchor - received).days
    episode = Episode(received, agency_index, reasons, priority, ReferralStatus.RECEIVED)
    episode.session_cap = rng.choice((16, 20, 24, 30, 36, 48))

    # triage: the last fortnight's referrals are still in the queue
    yesterday = anchor - dt.timedelta(days=1)
    # An urgent referral is decided within two days; others may wait up to a fortnight.
    queued = age_days <= (2 if priority is Priority.URGENT else 12)
    if waiting or (last_episode and queued and rng.random() < 0.75):
        if rng.random() < 0.4:
            episode.screened = min(received + dt.timedelta(days=1), yesterday)
            episode.status = ReferralStatus.SCREENING
        return episode
    if rng.random() < 0.35:
        episode.screened = received + dt.timedelta(days=rng.randint(0, 2))
    decision_day = received + dt.timedelta(days=rng.randint(2, 10))
    decision_day = min(_weekday(decision_day), yesterday)
    roll = rng.random()
    too_old = age > 25
    if last_episode and (roll < 0.06 or too_old):
        episode.decision = episode.status = ReferralStatus.DECLINED
    elif last_episode and roll < 0.14:
        episode.decision = episode.status = ReferralStatus.SIGNPOSTED
    else:
        episode.decision = episode.status = ReferralStatus.ACCEPTED
    if episode.screened and episode.screened > decision_day:
        episode.screened = decision_day
    episode.decided_on = decision_day
    if episode.status is not ReferralStatus.ACCEPTED:
        return episode
    allocated = min(_weekday(decision_day + dt.timedelta(days=rng.randint(0, 5))), yesterday)
    if allocated == yesterday and last_episode and rng.random() < 0.5:
        return episode  # accepted yesterday, not yet allocated
    episode.allocated_on = allocated
    episode.worker_id = rng.choice(gen.team.worker_ids)
    episode.status = ReferralStatus.ALLOCATED
    first_contact = _weekday(allocated + dt.timedelta(days=rng.randint(2, 14)))
    if first_contact >= anchor:
        return episode  # allocated, no contact yet
    episode.first_contact_on = first_contact
    episode.status = ReferralStatus.ACTIVE
    closing = _weekday(first_contact + dt.timedelta(days=rng.randint(90, 330)))
    if not last_episode or closing < anchor:
        if not last_episode:
            closing = min(closing, anchor - dt.timedelta(days=120))
            closing = max(closing, first_contact + dt.timedelta(days=30))
        episode.closed_on = closing
        reasons_, weights = zip(*CLOSURE_REASONS, strict=True)
        episode.closure_reason = rng.choices(reasons_, weights)[0]
        if not last_episode and episode.closure_reason is ClosureReason.AGED_OUT:
            episode.closure_reason = ClosureReason.MOVED_AWAY
        episode.status = ReferralStatus.CLOSED
    return episode
