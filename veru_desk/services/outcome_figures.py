"""The outcome report's figures for managers, the board and funders.

Every figure is counted by the database (GROUP BY, COUNT, window functions) and only the
small grouped results come back, so a year over 100,000 young people takes seconds; the two
medians fetch just the pairs of dates they need. The definitions below are the ones printed
under each table, so a funder reading the report and a manager checking it agree on what was
counted:

- *Referrals received*: referrals whose date received falls in the period.
- *Supported in the period*: young people with an accepted episode (accepted, allocated,
  active or closed) decided on or before the period's end and not closed before its start.
- *Open caseload*: accepted episodes open at the end of the period, by allocated caseworker.
- *Sessions*: sessions planned to start in the period; *offered* means the young person could
  have come (attended, did not attend, cancelled by them); the rate is attended / offered.
- *Risk and education change*: for young people supported in the period with two or more
  assessments (outcome records with an education status) up to the period's end, the first
  against the latest.

Filters narrow every table to the episodes (and their young people) matching all of them: a
caseworker (allocated worker), a referring agency, a referral reason.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from veru_desk.db.models import (
    Agency,
    InterventionPlan,
    MentoringSession,
    Outcome,
    PlanGoal,
    Referral,
    ReferralReasonRow,
    RiskAssessment,
    User,
    UserRole,
    YoungPerson,
)
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    AuditAction,
    ClosureReason,
    EducationStatus,
    Ethnicity,
    Gender,
    GoalStatus,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    Role,
    SessionType,
)
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.services.access import require_role
from veru_desk.services.snapshot import SnapshotService

ACCEPTED_PATH = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.ALLOCATED,
    ReferralStatus.ACTIVE,
    ReferralStatus.CLOSED,
)
AWAITING = "Awaiting decision"
NOT_ALLOCATED = "Not allocated"
# (label, youngest age, oldest age) on the period's last day.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("Under 10", 0, 9),
    ("10 to 13", 10, 13),
    ("14 to 15", 14, 15),
    ("16 to 17", 16, 17),
    ("18 to 21", 18, 21),
    ("22 to 25", 22, 25),
    ("26 and over", 26, 200),
)
_STEPS = 10


class ReportCancelled(VeruError):
    """The person running the report pressed Cancel."""


@dataclass(frozen=True)
class ReportPeriod:
    start: dt.date
    end: dt.date  # inclusive

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValidationError(
                {
                    "end": f"The period ends ({format_uk_date(self.end)}) before it starts "
                    f"({format_uk_date(self.start)}): swap the dates."
                }
            )

    @property
    def text(self) -> str:
        return f"{format_uk_date(self.start)} to {format_uk_date(self.end)}"


def quick_periods(today: dt.date) -> dict[str, ReportPeriod]:
    """The periods managers report on, as of ``today``: quarters and the financial year
    (1 April to 31 March), each the last complete one or the one so far."""
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_start = quarter_start - relativedelta(months=3)
    fy_start = dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    return {
        "Last quarter": ReportPeriod(last_quarter_start, quarter_start - dt.timedelta(days=1)),
        "This quarter so far": ReportPeriod(quarter_start, today),
        "This financial year so far": ReportPeriod(fy_start, today),
        "Last financial year": ReportPeriod(
            fy_start - relativedelta(years=1), fy_start - dt.timedelta(days=1)
        ),
        "Last 12 months": ReportPeriod(
            today - relativedelta(years=1) + dt.timedelta(days=1), today
        ),
    }


@dataclass(frozen=True)
class SessionFigures:
    offered: int
    attended: int
    missed: int
    cancelled_by_service: int
    planned: int

    @property
    def rate(self) -> float | None:
        return self.attended / self.offered if self.offered else None


@dataclass(frozen=True)
class ChangeFigures:
    """First against latest, for people with two or more records: the count per pair."""

    pairs: dict[tuple[str, str], int]
    improved: int
    same: int
    worsened: int

    @property
    def people(self) -> int:
        return self.improved + self.same + self.worsened


@dataclass(frozen=True)
class OutcomeFigures:
    period: ReportPeriod
    filters: list[str]
    referrals_received: int
    referrals_by_source: dict[AgencyType, int]
    referrals_by_reason: dict[ReferralReason, int]
    decisions: dict[str, int]
    median_days_to_decision: float | None
    decided: int
    median_days_to_first_contact: float | None
    contacted: int
    caseload_by_worker: list[tuple[str, int]]
    sessions: SessionFigures
    sessions_by_type: dict[SessionType, SessionFigures]
    risk_change: ChangeFigures
    education_change: ChangeFigures
    goals_by_status: dict[GoalStatus, int]
    closures_by_reason: dict[ClosureReason, int]
    supported: int
    age_bands: dict[str, int]
    genders: dict[Gender, int]
    ethnicities: dict[Ethnicity, int]

    @property
    def goals_achieved(self) -> int:
        return self.goals_by_status.get(GoalStatus.ACHIEVED, 0)


@dataclass(frozen=True)
class FigureTable:
    """One table of the report, as the PDF, the spreadsheets and the preview show it."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    note: str = ""
    total: bool = False  # the last row is a total


@dataclass(frozen=True)
class ReportChoices:
    workers: list[tuple[int, str]] = field(default_factory=list)
    agencies: list[tuple[int, str]] = field(default_factory=list)


Progress = Callable[[int, int], bool]


@dataclass(frozen=True)
class MonthFigures:
    """One calendar month of the trend: referrals received in it and cases closed in it."""

    month: dt.date  # its first day
    referrals: int
    closed: int

    @property
    def label(self) -> str:
        """``"Mar 2026"``: short enough to sit under a bar."""
        return f"{_MONTHS[self.month.month - 1]} {self.month.year}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TREND_MONTHS = 12


def trend_months(end: dt.date, months: int = TREND_MONTHS) -> list[tuple[dt.date, dt.date]]:
    """The ``months`` calendar months up to and including the one ``end`` falls in, oldest
    first, each as (first day, last day)."""
    last_start = end.replace(day=1)
    spans = []
    for back in range(months - 1, -1, -1):
        start = last_start - relativedelta(months=back)
        spans.append((start, start + relativedelta(months=1) - dt.timedelta(days=1)))
    return spans


class OutcomeReportService(SnapshotService):
    def choices(self) -> ReportChoices:
        """Caseworkers and agencies for the report's filters."""
        with self._read() as session:
            require_role(self.actor, Role.MANAGER, doing="run the outcome report")
            workers = session.execute(
                select(User.id, User.display_name)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == Role.CASEWORKER)
                .order_by(User.display_name)
            ).all()
            agencies = session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
            return ReportChoices([(i, n) for i, n in workers], [(i, n) for i, n in agencies])

    def figures(
        self,
        period: ReportPeriod,
        worker_id: int | None = None,
        agency_id: int | None = None,
        reason: ReferralReason | None = None,
        *,
        progress: Progress | None = None,
    ) -> OutcomeFigures:
        def step(done: int) -> None:
            if progress is not None and not progress(done, _STEPS):
                raise ReportCancelled("The report was cancelled.")

        # One snapshot: a dozen queries that must all count the same referrals.
        with self._snapshot() as session:
            require_role(self.actor, Role.MANAGER, doing="run the outcome report")
            q = _Queries(session, period, worker_id, agency_id, reason)
            step(0)
            filters = q.filter_labels()
            by_source = q.referrals_by_source()
            by_reason = q.referrals_by_reason()
            step(1)
            decisions = q.decisions()
            (to_decision, decided), (to_contact, contacted) = q.median_days()
            step(2)
            caseload = q.caseload_by_worker()
            step(3)
            sessions, by_type = q.sessions()
            step(4)
            risk = q.risk_change()
            step(5)
            education = q.education_change()
            step(6)
            goals = q.goals_by_status()
            closures = q.closures_by_reason()
            step(7)
            supported, ages, genders, ethnicities = q.demographics()
            step(8)
            step(9)
        figures = OutcomeFigures(
            period=period,
            filters=filters,
            referrals_received=sum(by_source.values()),
            referrals_by_source=by_source,
            referrals_by_reason=by_reason,
            decisions=decisions,
            median_days_to_decision=to_decision,
            decided=decided,
            median_days_to_first_contact=to_contact,
            contacted=contacted,
            caseload_by_worker=caseload,
            sessions=sessions,
            sessions_by_type=by_type,
            risk_change=risk,
            education_change=education,
            goals_by_status=goals,
            closures_by_reason=closures,
            supported=supported,
            age_bands=ages,
            genders=genders,
            ethnicities=ethnicities,
        )
        step(_STEPS)
        return figures

    def record_export(self, period: ReportPeriod, filters: Sequence[str], filename: str) -> None:
        """Leaves a trace of every copy of the report that leaves the app."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="export the outcome report")
            narrowed = f" ({'; '.join(filters)})" if filters else ""
            self._audit(
                session,
                AuditAction.EXPORT,
                entity_type="outcome_report",
                summary=f"Outcome report for {period.text}{narrowed} exported to {filename}",
            )

    def trend(
        self,
        end: dt.date,
        worker_id: int | None = None,
        agency_id: int | None = None,
        reason: ReferralReason | None = None,
        *,
        months: int = TREND_MONTHS,
    ) -> list[MonthFigures]:
        """Referrals received and cases closed in each of the ``months`` calendar months up to
        the one ``end`` falls in, with the report's filters: the same definitions as *Referrals
        received* and *Closures* in the report, so each month adds up as a one-month report would.
        Counted by the database in one query per measure (a sum per month), whatever the size."""
        spans = trend_months(end, months)
        with self._snapshot() as session:
            require_role(self.actor, Role.MANAGER, doing="run the outcome report")
            q = _Queries(
                session, ReportPeriod(spans[0][0], spans[-1][1]), worker_id, agency_id, reason
            )
            received = session.execute(
                select(
                    *(
                        func.coalesce(
                            func.sum(case((Referral.received_on.between(a, b), 1), else_=0)), 0
                        )
                        for a, b in spans
                    )
                ).where(*q._received())
            ).one()
            closed = session.execute(
                select(
                    *(
                        func.coalesce(
                            func.sum(case((Referral.closed_on.between(a, b), 1), else_=0)), 0
                        )
                        for a, b in spans
                    )
                ).where(
                    Referral.status == ReferralStatus.CLOSED,
                    Referral.closed_on >= spans[0][0],
                    Referral.closed_on <= spans[-1][1],
                    *q._referral_filters(),
                )
            ).one()
        return [
            MonthFigures(start, int(r), int(c))
            for (start, _end), r, c in zip(spans, received, closed, strict=True)
        ]


class _Queries:
    """The report's queries for one period and set of filters."""

    def __init__(
        self,
        session: Session,
        period: ReportPeriod,
        worker_id: int | None,
        agency_id: int | None,
        reason: ReferralReason | None,
    ) -> None:
        self.session = session
        self.period = period
        self.worker_id = worker_id
        self.agency_id = agency_id
        self.reason = reason

    # --- filters ---------------------------------------------------------------------------

    def filter_labels(self) -> list[str]:
        labels = []
        if self.worker_id is not None:
            name = self.session.scalar(select(User.display_name).where(User.id == self.worker_id))
            labels.append(f"Caseworker: {name or 'unknown'}")
        if self.agency_id is not None:
            name = self.session.scalar(select(Agency.name).where(Agency.id == self.agency_id))
            labels.append(f"Referring agency: {name or 'unknown'}")
        if self.reason is not None:
            labels.append(f"Referral reason: {self.reason.label}")
        return labels

    @property
    def filtered(self) -> bool:
        return self.worker_id is not None or self.agency_id is not None or self.reason is not None

    def _referral_filters(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.worker_id is not None:
            conditions.append(Referral.allocated_worker_id == self.worker_id)
        if self.agency_id is not None:
            conditions.append(Referral.referring_agency_id == self.agency_id)
        if self.reason is not None:
            conditions.append(
                Referral.id.in_(
                    select(ReferralReasonRow.referral_id).where(
                        ReferralReasonRow.reason == self.reason
                    )
                )
            )
        return conditions

    def _received(self) -> list[ColumnElement[bool]]:
        return [
            Referral.received_on >= self.period.start,
            Referral.received_on <= self.period.end,
            *self._referral_filters(),
        ]

    def _decided_on(self) -> ColumnElement[dt.date]:
        return func.coalesce(Referral.decided_on, Referral.allocated_on, Referral.received_on)

    def _supported_people(self) -> Select[int]:
        """Young people with an accepted episode running at some point in the period."""
        return select(Referral.young_person_id).where(
            Referral.status.in_(ACCEPTED_PATH),
            Referral.open_case_referral_id.is_(None),  # a re-referral noted on an open case
            self._decided_on() <= self.period.end,
            or_(Referral.closed_on.is_(None), Referral.closed_on >= self.period.start),
            *self._referral_filters(),
        )

    def _cohort(self) -> Select[int] | None:
        """Young people the filters select (any of their episodes), or None when unfiltered."""
        if not self.filtered:
            return None
        return select(Referral.young_person_id).where(*self._referral_filters())

    # --- referrals -------------------------------------------------------------------------

    def referrals_by_source(self) -> dict[AgencyType, int]:
        rows = self.session.execute(
            select(Agency.agency_type, func.count(Referral.id))
            .join(Agency, Agency.id == Referral.referring_agency_id)
            .where(*self._received())
            .group_by(Agency.agency_type)
        ).all()
        return _ordered(dict(rows), list(AgencyType))

    def referrals_by_reason(self) -> dict[ReferralReason, int]:
        rows = self.session.execute(
            select(ReferralReasonRow.reason, func.count())
            .join(Referral, Referral.id == ReferralReasonRow.referral_id)
            .where(*self._received())
            .group_by(ReferralReasonRow.reason)
        ).all()
        return _ordered(dict(rows), list(ReferralReason))

    def decisions(self) -> dict[str, int]:
        outcome = case(
            (Referral.status.in_([ReferralStatus.RECEIVED, ReferralStatus.SCREENING]), AWAITING),
            (Referral.status == ReferralStatus.DECLINED, ReferralStatus.DECLINED.label),
            (Referral.status == ReferralStatus.SIGNPOSTED, ReferralStatus.SIGNPOSTED.label),
            else_=ReferralStatus.ACCEPTED.label,
        )
        rows: dict[str, int] = dict(
            self.session.execute(
                select(outcome, func.count()).where(*self._received()).group_by(outcome)
            ).all()
        )
        order = [
            ReferralStatus.ACCEPTED.label,
            ReferralStatus.DECLINED.label,
            ReferralStatus.SIGNPOSTED.label,
            AWAITING,
        ]
        return {label: rows[label] for label in order if rows.get(label)}

    def median_days(self) -> tuple[tuple[float | None, int], tuple[float | None, int]]:
        """Median whole days from receipt to decision and to first contact, over referrals
        received in the period that reached the step, from one fetch of three date columns."""
        rows = self.session.execute(
            select(Referral.received_on, Referral.decided_on, Referral.first_contact_on).where(
                *self._received(),
                or_(Referral.decided_on.is_not(None), Referral.first_contact_on.is_not(None)),
            )
        ).all()
        to_decision = [(d - r).days for r, d, _ in rows if d is not None]
        to_contact = [(c - r).days for r, _, c in rows if c is not None]
        return _median(to_decision), _median(to_contact)

    def caseload_by_worker(self) -> list[tuple[str, int]]:
        end = self.period.end
        worker = func.coalesce(User.display_name, literal(NOT_ALLOCATED))
        count = func.count(Referral.id)
        rows = self.session.execute(
            select(worker, count)
            .outerjoin(User, User.id == Referral.allocated_worker_id)
            .where(
                Referral.status.in_(ACCEPTED_PATH),
                Referral.open_case_referral_id.is_(None),  # counted with its case's episode
                self._decided_on() <= end,
                or_(Referral.closed_on.is_(None), Referral.closed_on > end),
                *self._referral_filters(),
            )
            .group_by(worker)
            .order_by(count.desc(), worker)
        ).all()
        return [(name, n) for name, n in rows]

    # --- sessions --------------------------------------------------------------------------

    def sessions(self) -> tuple[SessionFigures, dict[SessionType, SessionFigures]]:
        start = dt.datetime.combine(self.period.start, dt.time.min)
        end = dt.datetime.combine(self.period.end + dt.timedelta(days=1), dt.time.min)
        query = select(
            MentoringSession.session_type, MentoringSession.attendance, func.count()
        ).where(MentoringSession.planned_start >= start, MentoringSession.planned_start < end)
        cohort = self._cohort()
        if cohort is not None:
            query = query.where(MentoringSession.young_person_id.in_(cohort))
        rows = self.session.execute(
            query.group_by(MentoringSession.session_type, MentoringSession.attendance)
        ).all()
        per_type: dict[SessionType, dict[Attendance, int]] = {}
        totals: dict[Attendance, int] = {}
        for kind, attendance, n in rows:
            per_type.setdefault(kind, {})[attendance] = n
            totals[attendance] = totals.get(attendance, 0) + n
        by_type = {
            kind: _session_figures(per_type[kind]) for kind in SessionType if kind in per_type
        }
        return _session_figures(totals), by_type

    # --- change between first and latest ---------------------------------------------------

    def risk_change(self) -> ChangeFigures:
        pairs = self._first_and_latest(
            RiskAssessment,
            RiskAssessment.level,
            RiskAssessment.assessed_on,
            RiskAssessment.assessed_on <= self.period.end,
        )
        ranked = {(RiskLevel(first), RiskLevel(latest)): n for (first, latest), n in pairs.items()}
        improved = sum(n for (a, b), n in ranked.items() if b.rank < a.rank)
        worsened = sum(n for (a, b), n in ranked.items() if b.rank > a.rank)
        same = sum(n for (a, b), n in ranked.items() if a == b)
        order = list(RiskLevel)
        labelled = {
            (a.label, b.label): ranked[(a, b)] for a in order for b in order if (a, b) in ranked
        }
        return ChangeFigures(labelled, improved, same, worsened)

    def education_change(self) -> ChangeFigures:
        pairs = self._first_and_latest(
            Outcome,
            Outcome.education_status,
            Outcome.recorded_on,
            and_(Outcome.recorded_on <= self.period.end, Outcome.education_status.is_not(None)),
        )
        typed = {
            (EducationStatus(first), EducationStatus(latest)): n
            for (first, latest), n in pairs.items()
        }
        engaged = {EducationStatus.IN_EDUCATION, EducationStatus.EET}
        improved = sum(n for (a, b), n in typed.items() if a not in engaged and b in engaged)
        worsened = sum(n for (a, b), n in typed.items() if a in engaged and b not in engaged)
        same = sum(typed.values()) - improved - worsened
        order = list(EducationStatus)
        labelled = {
            (a.label, b.label): typed[(a, b)] for a in order for b in order if (a, b) in typed
        }
        return ChangeFigures(labelled, improved, same, worsened)

    def _first_and_latest(
        self,
        model: type[RiskAssessment] | type[Outcome],
        value: ColumnElement[Any] | InstrumentedAttribute[Any],
        on: ColumnElement[dt.date] | InstrumentedAttribute[dt.date],
        condition: ColumnElement[bool],
    ) -> dict[tuple[str, str], int]:
        """Counts (first value, latest value) pairs over people with two or more records.

        Each supported person's first and latest record are found through the (person,
        date) index, a few index steps each, rather than by ranking every record.
        """
        people = self._supported_people().distinct().subquery()
        person = people.c.young_person_id

        def pick(*order: ColumnElement[Any] | InstrumentedAttribute[Any]) -> ColumnElement[Any]:
            return (
                select(value)
                .where(model.young_person_id == person, condition)
                .order_by(*order)
                .limit(1)
                .scalar_subquery()
            )

        second = (
            select(model.id)
            .where(model.young_person_id == person, condition)
            .offset(1)
            .limit(1)
            .scalar_subquery()
        )
        per_person = (
            select(
                pick(on, model.id).label("first"),
                pick(on.desc(), model.id.desc()).label("latest"),
            )
            .select_from(people)
            .where(second.is_not(None))
            .subquery()
        )
        rows = self.session.execute(
            select(per_person.c.first, per_person.c.latest, func.count()).group_by(
                per_person.c.first, per_person.c.latest
            )
        ).all()
        return {(a, b): n for a, b, n in rows}

    # --- plans and closures ----------------------------------------------------------------

    def goals_by_status(self) -> dict[GoalStatus, int]:
        rows = self.session.execute(
            select(PlanGoal.status, func.count())
            .join(InterventionPlan, InterventionPlan.id == PlanGoal.plan_id)
            .where(
                InterventionPlan.is_current.is_(True),
                InterventionPlan.young_person_id.in_(self._supported_people()),
            )
            .group_by(PlanGoal.status)
        ).all()
        return _ordered(dict(rows), list(GoalStatus))

    def closures_by_reason(self) -> dict[ClosureReason, int]:
        rows = self.session.execute(
            select(Referral.closure_reason, func.count())
            .where(
                Referral.status == ReferralStatus.CLOSED,
                Referral.closed_on >= self.period.start,
                Referral.closed_on <= self.period.end,
                *self._referral_filters(),
            )
            .group_by(Referral.closure_reason)
        ).all()
        counts = {reason or ClosureReason.OTHER: 0 for reason, _ in rows}
        for reason, n in rows:
            counts[reason or ClosureReason.OTHER] += n
        return _ordered(counts, list(ClosureReason))

    # --- who the unit reached --------------------------------------------------------------

    def demographics(
        self,
    ) -> tuple[int, dict[str, int], dict[Gender, int], dict[Ethnicity, int]]:
        """Who the unit reached: one GROUP BY over (age band, gender, ethnicity), whose few
        hundred groups are then summed three ways."""
        end = self.period.end
        whens = []
        for label, youngest, oldest in AGE_BANDS:
            born_after = end - relativedelta(years=oldest + 1)
            born_by = end - relativedelta(years=youngest)
            whens.append(
                (
                    and_(
                        YoungPerson.date_of_birth > born_after,
                        YoungPerson.date_of_birth <= born_by,
                    ),
                    label,
                )
            )
        band = case(*whens, else_="Not known")
        rows = self.session.execute(
            select(band, YoungPerson.gender, YoungPerson.ethnicity, func.count())
            .where(YoungPerson.id.in_(self._supported_people()))
            .group_by(band, YoungPerson.gender, YoungPerson.ethnicity)
        ).all()
        ages: dict[str, int] = {}
        genders: dict[Gender, int] = {}
        ethnicities: dict[Ethnicity, int] = {}
        for age, gender, ethnicity, n in rows:
            ages[age] = ages.get(age, 0) + n
            genders[gender] = genders.get(gender, 0) + n
            ethnicities[ethnicity] = ethnicities.get(ethnicity, 0) + n
        labels = [label for label, _, _ in AGE_BANDS] + ["Not known"]
        return (
            sum(ages.values()),
            {label: ages[label] for label in labels if ages.get(label)},
            _ordered(genders, list(Gender)),
            _ordered(ethnicities, list(Ethnicity)),
        )


def _median(days: list[int]) -> tuple[float | None, int]:
    return (float(statistics.median(days)) if days else None), len(days)


def _ordered(counts: dict, order: Sequence[object]) -> dict:
    """Non-zero counts in the vocabulary's own order (as caseworkers expect to read them)."""
    return {key: counts[key] for key in order if counts.get(key)}


def _session_figures(counts: dict[Attendance, int]) -> SessionFigures:
    return SessionFigures(
        offered=sum(n for a, n in counts.items() if a.counts_as_offered),
        attended=counts.get(Attendance.ATTENDED, 0),
        missed=sum(n for a, n in counts.items() if a.counts_as_missed),
        cancelled_by_service=counts.get(Attendance.CANCELLED_BY_SERVICE, 0),
        planned=counts.get(Attendance.PLANNED, 0),
    )


# --- the figures as tables (PDF, spreadsheets, preview) ------------------------------------


def _percent(value: float | None) -> object:
    return "" if value is None else round(value * 100, 1)


def _days(value: float | None) -> object:
    return "" if value is None else value


def _counted(title: str, key: str, column: str, counts: dict, note: str = "") -> FigureTable:
    rows: list[list[object]] = [[getattr(k, "label", k), n] for k, n in counts.items()]
    if rows:
        rows.append(["Total", sum(counts.values())])
    return FigureTable(key, title, [column, "Number"], rows, note, total=True)


def figure_tables(figures: OutcomeFigures) -> list[FigureTable]:
    """Every table of the report in reading order; shared by the PDF, CSV, Excel and preview."""
    f = figures
    tables: list[FigureTable] = [
        FigureTable(
            "headlines",
            "Headline figures",
            ["Measure", "Value"],
            [
                ["Referrals received", f.referrals_received],
                ["Young people supported", f.supported],
                ["Median days from referral to decision", _days(f.median_days_to_decision)],
                [
                    "Median days from referral to first contact",
                    _days(f.median_days_to_first_contact),
                ],
                ["Sessions offered", f.sessions.offered],
                ["Sessions attended", f.sessions.attended],
                ["Attendance rate (%)", _percent(f.sessions.rate)],
                ["Risk reduced (first to latest assessment)", f.risk_change.improved],
                ["Moved into education, employment or training", f.education_change.improved],
                ["Plan goals achieved", f.goals_achieved],
                ["Cases closed", sum(f.closures_by_reason.values())],
            ],
        ),
        _counted(
            "Referrals received by source",
            "referrals_by_source",
            "Referring agency type",
            f.referrals_by_source,
        ),
        _counted(
            "Referrals received by reason",
            "referrals_by_reason",
            "Reason",
            f.referrals_by_reason,
            "A referral may give several reasons, so reasons add up to more than referrals.",
        ),
        _counted("Decisions on referrals received", "decisions", "Decision", f.decisions),
        FigureTable(
            "timeliness",
            "Time from referral",
            ["Measure", "Median days", "Referrals counted"],
            [
                ["Referral to decision", _days(f.median_days_to_decision), f.decided],
                ["Referral to first contact", _days(f.median_days_to_first_contact), f.contacted],
            ],
            "Referrals received in the period that had reached the step.",
        ),
        _counted(
            "Open caseload at the end of the period",
            "caseload",
            "Caseworker",
            dict(f.caseload_by_worker),
        ),
        FigureTable(
            "sessions",
            "Sessions in the period",
            [
                "Session type",
                "Offered",
                "Attended",
                "Missed",
                "Cancelled by service",
                "Attendance rate (%)",
            ],
            [
                [
                    kind.label,
                    s.offered,
                    s.attended,
                    s.missed,
                    s.cancelled_by_service,
                    _percent(s.rate),
                ]
                for kind, s in f.sessions_by_type.items()
            ]
            + [
                [
                    "Total",
                    f.sessions.offered,
                    f.sessions.attended,
                    f.sessions.missed,
                    f.sessions.cancelled_by_service,
                    _percent(f.sessions.rate),
                ]
            ],
            "Offered: attended, did not attend or cancelled by the young person. "
            "Rate: attended / offered.",
            total=True,
        ),
        _change_table(
            "risk_change",
            "Risk level: first assessment against latest",
            f.risk_change,
            ("Reduced", "Unchanged", "Increased"),
            "Young people supported in the period with two or more assessments.",
        ),
        _change_table(
            "education_change",
            "Education status: first record against latest",
            f.education_change,
            (
                "Moved into education, employment or training",
                "No change in engagement",
                "Left education, employment or training",
            ),
            "Young people supported in the period with two or more outcome records "
            "giving an education status.",
        ),
        _counted(
            "Plan goals by status",
            "goals",
            "Status",
            f.goals_by_status,
            "Goals in the current plans of young people supported in the period.",
        ),
        _counted("Cases closed by reason", "closures", "Closure reason", f.closures_by_reason),
        _counted(
            "Young people supported: age on the last day of the period",
            "age_bands",
            "Age band",
            f.age_bands,
        ),
        _counted("Young people supported: gender", "gender", "Gender", f.genders),
        _counted("Young people supported: ethnicity", "ethnicity", "Ethnicity", f.ethnicities),
    ]
    return tables


def _change_table(
    key: str, title: str, change: ChangeFigures, words: tuple[str, str, str], note: str
) -> FigureTable:
    rows: list[list[object]] = [[a, b, n] for (a, b), n in change.pairs.items()]
    rows += [
        [f"In total: {word.lower()}", "", n]
        for word, n in zip(words, (change.improved, change.same, change.worsened), strict=True)
    ]
    return FigureTable(key, title, ["First", "Latest", "Young people"], rows, note)
