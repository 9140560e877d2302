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

- *The funnel, offending and wellbeing*: defined in ``services.outcome_cohort`` (referred,
  accepted, first contact, engaged = 3 or more sessions attended, closed positively).
- *Previous period*: the same length just before (the same months for whole months).

Filters narrow every table to the episodes (and their young people) matching all of them: a
caseworker (allocated worker), a referring agency, a referral reason.

``figure_tables`` turns the figures into the tables the PDF, the spreadsheets and the Reports
page print, with small numbers suppressed by ``domain.suppression`` ("<5", and "*" for a
number withheld so a "<5" cannot be worked out), consistently across tables that print the
same number; "n/a", with the reason in the table's note, where a figure cannot be computed.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
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
from veru_desk.domain.suppression import NOTE as SUPPRESSION_NOTE
from veru_desk.domain.suppression import (
    SMALL,
    WITHHELD,
    Relation,
    Suppression,
    is_small,
    suppress,
    table_relations,
)
from veru_desk.services.access import require_role
from veru_desk.services.case_state import EPISODE
from veru_desk.services.outcome_cohort import (
    ENGAGED_SESSIONS,
    STAGES,
    Funnel,
    OffendingFigures,
    ReferralFacts,
    Spread,
    Stages,
    WellbeingFigures,
    cohort_funnel,
    offending,
    referral_facts,
    wellbeing,
)
from veru_desk.services.snapshot import SnapshotService, beside

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

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> ReportPeriod:
        """The period of the same length that ends the day before this one starts; a whole
        number of months (a quarter, a year) gives the same months before."""
        after_end = self.end + dt.timedelta(days=1)
        months = (after_end.year - self.start.year) * 12 + after_end.month - self.start.month
        if self.start.day == 1 and after_end.day == 1 and months > 0:
            return ReportPeriod(
                self.start - relativedelta(months=months), self.start - dt.timedelta(days=1)
            )
        return ReportPeriod(
            self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1)
        )


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
    # Those who could improve: for education, not in education, employment or training at
    # their first record (None: everyone counted could).
    eligible: int | None = None

    @property
    def people(self) -> int:
        return self.improved + self.same + self.worsened


@dataclass(frozen=True)
class Breakdown:
    """The funnel for each group of one characteristic (age band, gender...)."""

    key: str
    title: str
    column: str
    rows: list[tuple[str, Funnel]]


@dataclass(frozen=True)
class QuarterFigures:
    """The funnel of the referrals received in one quarter (clipped to the period)."""

    label: str
    period: ReportPeriod
    funnel: Funnel


@dataclass(frozen=True)
class PeriodComparison:
    """The headline measures of one period, to set beside another of the same length."""

    period: ReportPeriod
    funnel: Funnel
    median_days_to_decision: float | None
    decided: int
    median_days_to_first_contact: float | None
    contacted: int
    risk_reduced: int
    risk_assessed_twice: int
    into_eet: int
    not_in_eet_at_start: int


@dataclass(frozen=True)
class _SideFigures:
    """The figures ``OutcomeReportService.figures`` reads on its second connection."""

    risk: ChangeFigures
    education: ChangeFigures
    wellbeing: WellbeingFigures
    goals: dict[GoalStatus, int]
    previous: PeriodComparison


@dataclass(frozen=True)
class Targets:
    """Days within which a decision and a first contact should follow a referral (if set)."""

    decision_days: int | None = None
    contact_days: int | None = None


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
    funnel: Funnel = field(default_factory=Funnel)
    breakdowns: list[Breakdown] = field(default_factory=list)
    offending: OffendingFigures = field(default_factory=OffendingFigures)
    wellbeing: WellbeingFigures = field(default_factory=WellbeingFigures)
    quarters: list[QuarterFigures] = field(default_factory=list)
    previous: PeriodComparison | None = None
    targets: Targets = field(default_factory=Targets)
    within_decision_target: int = 0
    within_contact_target: int = 0

    @property
    def current(self) -> PeriodComparison:
        return PeriodComparison(
            self.period,
            self.funnel,
            self.median_days_to_decision,
            self.decided,
            self.median_days_to_first_contact,
            self.contacted,
            self.risk_change.improved,
            self.risk_change.people,
            self.education_change.improved,
            self.education_change.eligible or 0,
        )

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
    sheet: str = ""  # its Excel sheet's name (31 characters at most); the title if empty


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
        targets: Targets | None = None,
    ) -> OutcomeFigures:
        """Every figure of the report for ``period``, with the report's filters; ``targets``
        (days to a decision and to a first contact) add the share within each."""
        targets = targets or Targets()

        def step(done: int) -> None:
            if progress is not None and not progress(done, _STEPS):
                raise ReportCancelled("The report was cancelled.")

        # One moment: a dozen queries that must all count the same referrals. Read on two
        # connections that see it, half on a second thread (a second core at work): the
        # side's share is the previous period and the per-person first and latest records.
        with self._snapshot_pair(wide=True) as (session, other):  # a year of the database
            require_role(self.actor, Role.MANAGER, doing="run the outcome report")
            q = _Queries(session, period, worker_id, agency_id, reason)
            side = q if other is None else _Queries(other, period, worker_id, agency_id, reason)
            previous = _Queries(side.session, period.previous(), worker_id, agency_id, reason)

            def side_figures() -> _SideFigures:
                return _SideFigures(
                    risk=side.risk_change(),
                    education=side.education_change(),
                    wellbeing=wellbeing(side.wellbeing_pairs()),
                    goals=side.goals_by_status(),
                    previous=previous.comparison(),
                )

            stop = None if other is None else self.db.interrupter(other)
            with beside(side_figures, stop) as later:
                step(0)
                filters = q.filter_labels()
                by_source = q.referrals_by_source()
                by_reason = q.referrals_by_reason()
                step(1)
                decisions = q.decisions()
                step(2)
                caseload = q.caseload_by_worker()
                step(3)
                sessions, by_type = q.sessions()
                step(4)
                closures = q.closures_by_reason()
                supported, ages, genders, ethnicities = q.demographics()
                step(5)
                facts = q.facts()
                step(6)
                offending_figures = offending(session, q.supported_episodes(), period.end)
                step(7)
                # Over the referrals received in the period that reached the step.
                to_decision, decided = _median(
                    [f.days_to_decision for f in facts if f.days_to_decision is not None]
                )
                to_contact, contacted = _median(
                    [f.days_to_contact for f in facts if f.days_to_contact is not None]
                )
                step(8)
                aside = later.result()
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
            risk_change=aside.risk,
            education_change=aside.education,
            goals_by_status=aside.goals,
            closures_by_reason=closures,
            supported=supported,
            age_bands=ages,
            genders=genders,
            ethnicities=ethnicities,
            funnel=Funnel.of(facts),
            breakdowns=breakdowns(facts),
            offending=offending_figures,
            wellbeing=aside.wellbeing,
            quarters=quarters(period, facts),
            previous=aside.previous,
            targets=targets,
            within_decision_target=_within(
                [f.days_to_decision for f in facts], targets.decision_days
            ),
            within_contact_target=_within([f.days_to_contact for f in facts], targets.contact_days),
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
        with self._snapshot(wide=True) as session:  # a year of the whole database
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
            EPISODE,  # not a re-referral noted on an open case
            self._decided_on() <= self.period.end,
            or_(Referral.closed_on.is_(None), Referral.closed_on >= self.period.start),
            *self._referral_filters(),
        )

    def _cohort(self) -> Select[int] | None:
        """Young people the filters select (any of their episodes), or None when unfiltered."""
        if not self.filtered:
            return None
        return select(Referral.young_person_id).where(*self._referral_filters())

    def supported_episodes(self) -> Select[int, dt.date, dt.date | None]:
        """(young person, episode start, closed on) of the episodes supported in the period."""
        return select(Referral.young_person_id, self._decided_on(), Referral.closed_on).where(
            Referral.status.in_(ACCEPTED_PATH),
            EPISODE,
            self._decided_on() <= self.period.end,
            or_(Referral.closed_on.is_(None), Referral.closed_on >= self.period.start),
            *self._referral_filters(),
        )

    def facts(self) -> list[ReferralFacts]:
        """The period's referrals (the funnel's cohort) and the stages each reached."""
        return referral_facts(self.session, self._received(), self.period.start)

    def comparison(self) -> PeriodComparison:
        """This period's headline measures, to set beside another period's."""
        funnel, to_decision, to_contact = cohort_funnel(
            self.session, self._received(), self.period.start
        )
        risk = self.risk_change()
        education = self.education_change()
        (decision, decided), (contact, contacted) = _median(to_decision), _median(to_contact)
        return PeriodComparison(
            self.period,
            funnel,
            decision,
            decided,
            contact,
            contacted,
            risk.improved,
            risk.people,
            education.improved,
            education.eligible or 0,
        )

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

    def caseload_by_worker(self) -> list[tuple[str, int]]:
        end = self.period.end
        worker = func.coalesce(User.display_name, literal(NOT_ALLOCATED))
        count = func.count(Referral.id)
        rows = self.session.execute(
            select(worker, count)
            .outerjoin(User, User.id == Referral.allocated_worker_id)
            .where(
                Referral.status.in_(ACCEPTED_PATH),
                EPISODE,  # a re-referral is counted with its case's episode
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
        # Counted per start time first, the order of ix_mentoring_session_start, so SQLite
        # groups the year's sessions as it reads them and sorts only those few counts (62,000
        # of 704,000 sessions at 100,000 people): grouped by type and attendance at once, it
        # sorted every session (0.7 s against 0.25 s).
        query = select(
            MentoringSession.session_type.label("kind"),
            MentoringSession.attendance.label("attendance"),
            func.count().label("n"),
        ).where(MentoringSession.planned_start >= start, MentoringSession.planned_start < end)
        cohort = self._cohort()
        if cohort is not None:
            query = query.where(MentoringSession.young_person_id.in_(cohort))
        per_start = query.group_by(
            MentoringSession.planned_start,
            MentoringSession.session_type,
            MentoringSession.attendance,
        ).subquery()
        rows = self.session.execute(
            select(per_start.c.kind, per_start.c.attendance, func.sum(per_start.c.n)).group_by(
                per_start.c.kind, per_start.c.attendance
            )
        ).all()
        per_type: dict[SessionType, dict[Attendance, int]] = {}
        totals: dict[Attendance, int] = {}
        for kind, attendance, summed in rows:
            n = int(summed)  # PostgreSQL sums counts as numeric
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

    def wellbeing_pairs(self) -> dict[tuple[str, str], int]:
        """(first score, latest score) to the period's end: how many young people each."""
        return self._first_and_latest(
            Outcome,
            Outcome.wellbeing,
            Outcome.recorded_on,
            and_(Outcome.recorded_on <= self.period.end, Outcome.wellbeing.is_not(None)),
        )

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
        eligible = sum(n for (a, _b), n in typed.items() if a not in engaged)
        order = list(EducationStatus)
        labelled = {
            (a.label, b.label): typed[(a, b)] for a in order for b in order if (a, b) in typed
        }
        return ChangeFigures(labelled, improved, same, worsened, eligible)

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


def _within(days: Sequence[int | None], target: int | None) -> int:
    if target is None:
        return 0
    return sum(1 for d in days if d is not None and d <= target)


def age_band(age: int) -> str:
    for label, youngest, oldest in AGE_BANDS:
        if youngest <= age <= oldest:
            return label
    return "Not known"


def breakdowns(facts: Sequence[ReferralFacts]) -> list[Breakdown]:
    """The funnel by age band at referral, gender, ethnicity and named referring agency: for
    everyone referred, not only those supported. Each is tallied by the facts' own value (an
    age, a gender, an agency...) and stages reached, and only the few distinct values are
    labelled and grouped."""
    stages = [f.stages for f in facts]

    def grouped(
        key: str,
        title: str,
        column: str,
        values: Iterable[Hashable],
        label: Callable[[Any], str],
        order: list[str] | None,
    ) -> Breakdown:
        groups: dict[str, Counter[Stages]] = {}
        for (value, reached), n in Counter(zip(values, stages, strict=True)).items():
            groups.setdefault(label(value), Counter())[reached] += n
        if order is None:
            order = sorted(groups, key=str.casefold)
        ordered = [g for g in order if g in groups] + sorted(set(groups) - set(order))
        return Breakdown(key, title, column, [(g, Funnel.counted(groups[g])) for g in ordered])

    bands = [label for label, _, _ in AGE_BANDS] + ["Not known"]
    return [
        grouped(
            "by_age",
            "Referrals and outcomes by age at referral",
            "Age band",
            (f.age for f in facts),
            age_band,
            bands,
        ),
        grouped(
            "by_gender",
            "Referrals and outcomes by gender",
            "Gender",
            (f.gender for f in facts),
            _label,
            [g.label for g in Gender],
        ),
        grouped(
            "by_ethnicity",
            "Referrals and outcomes by ethnicity",
            "Ethnicity",
            (f.ethnicity for f in facts),
            _label,
            [e.label for e in Ethnicity],
        ),
        grouped(
            "by_agency",
            "Referrals and outcomes by referring agency",
            "Referring agency",
            ((f.agency, f.agency_type) for f in facts),
            _agency_label,
            None,
        ),
    ]


def _label(value: Gender | Ethnicity) -> str:
    return value.label


def _agency_label(agency: tuple[str, AgencyType]) -> str:
    name, agency_type = agency
    return f"{name} \u2013 {agency_type.label}"


def quarter_spans(period: ReportPeriod) -> list[ReportPeriod]:
    """The calendar quarters the period touches, each cut to the period."""
    spans = []
    start = dt.date(period.start.year, 3 * ((period.start.month - 1) // 3) + 1, 1)
    while start <= period.end:
        end = start + relativedelta(months=3) - dt.timedelta(days=1)
        spans.append(ReportPeriod(max(start, period.start), min(end, period.end)))
        start += relativedelta(months=3)
    return spans


def quarter_label(span: ReportPeriod) -> str:
    """``"Jan to Mar 2026"``; a quarter the period cuts says which days it holds:
    ``"Dec 2025 (01/12/2025 to 31/12/2025 of Oct to Dec 2025)"``."""
    start = dt.date(span.start.year, 3 * ((span.start.month - 1) // 3) + 1, 1)
    end = start + relativedelta(months=3) - dt.timedelta(days=1)
    whole = f"{_MONTHS[start.month - 1]} to {_MONTHS[end.month - 1]} {end.year}"
    if (span.start, span.end) == (start, end):
        return whole
    return f"{span.text} (part of {whole})"


def quarters(period: ReportPeriod, facts: Sequence[ReferralFacts]) -> list[QuarterFigures]:
    by_day = Counter((f.received_on, f.stages) for f in facts)
    figures = []
    for span in quarter_spans(period):
        reached: Counter[Stages] = Counter()
        for (day, stages), n in by_day.items():
            if span.start <= day <= span.end:
                reached[stages] += n
        figures.append(QuarterFigures(quarter_label(span), span, Funnel.counted(reached)))
    return figures


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

NA = "n/a"
MIN_FOR_STATISTIC = 5  # a median over fewer young people than this is withheld
FUNNEL_NOTE = (
    "Referred: referrals received in the period. Each later stage counts those same "
    "referrals as recorded when the report was run (a referral from the period's last weeks "
    "has had less time). Accepted: accepted for support. First contact: accepted and a first "
    f"contact recorded. Engaged: first contact and {ENGAGED_SESSIONS} or more sessions "
    "attended in the episode. Closed positively: engaged, and closed with the reason "
    "'Goals achieved'."
)


def _percent(value: float | None) -> object:
    return NA if value is None else round(value * 100, 1)


def _days(value: float | None) -> object:
    return NA if value is None else value


def _rate(number: int, out_of: int, hidden: bool = False) -> object:
    """A percentage to one place; withheld when either count is hidden; n/a without a
    denominator."""
    if hidden:
        return WITHHELD
    if not out_of:
        return NA
    return round(100 * number / out_of, 1)


def _count(value: int) -> object:
    return SMALL if is_small(value) else value


def _part_of(part: int, whole: int) -> tuple[object, object, object]:
    """``part`` of ``whole`` young people and its rate, as printed: when the rest (whole -
    part, those without the outcome) is 1 to 4, the part and the rate are withheld, or the
    subtraction would give the small number away."""
    rest_small = is_small(whole - part)
    shown_part = _count(part) if not rest_small or is_small(part) else WITHHELD
    hidden = is_small(part) or is_small(whole) or rest_small
    return shown_part, _count(whole), _rate(part, whole, hidden)


def _statistic(value: float | None, n: int) -> object:
    """A median (or quartile) over ``n`` young people: n/a over none, withheld under 5."""
    if n == 0 or value is None:
        return NA
    if n < MIN_FOR_STATISTIC:
        return WITHHELD
    return round(value, 1)


def _with_note(note: str, suppression: Suppression | None) -> str:
    # The explanation of "<5" and "*" is added to every table that shows one, at the end.
    return note


NA_NOTE = (
    "n/a: cannot be computed, as there is nothing to count it over (the number it is out "
    "of, or the referrals a median is taken over, is 0)."
)


def _explained(table: FigureTable) -> FigureTable:
    """The table with the notes on suppressed numbers and on "n/a" added when it shows one
    (an "n/a" with its own reason in the note keeps that reason)."""
    cells = [cell for row in table.rows for cell in row]
    note = table.note
    if NA in cells and "n/a:" not in note:
        note = f"{note} {NA_NOTE}".strip()
    if any(cell in (SMALL, WITHHELD) for cell in cells) and SUPPRESSION_NOTE not in note:
        note = f"{note} {SUPPRESSION_NOTE}".strip()
    return table if note == table.note else replace(table, note=note)


def _counted(
    title: str,
    key: str,
    column: str,
    counts: dict,
    note: str = "",
    *,
    sheet: str = "",
    suppressed: bool = True,
    sup: Suppression | None = None,
) -> FigureTable:
    """One column of counts and their total; small counts suppressed (unless they are not
    counts of young people or referrals, like sessions or a worker's caseload). ``sup`` is
    the suppression already worked out with the tables that print the same numbers."""
    labels = [str(getattr(k, "label", k)) for k in counts]
    values = [int(n) for n in counts.values()]
    if not values:
        return FigureTable(key, title, [column, "Number"], [], note, total=True, sheet=sheet)
    values.append(sum(values))
    labels.append("Total")
    if suppressed and sup is None:
        sup = suppress(values, [Relation(tuple(range(len(values) - 1)), len(values) - 1)])
    if not suppressed:
        sup = None
    rows: list[list[object]] = [
        [label, sup.shown(i, v) if sup else v]
        for i, (label, v) in enumerate(zip(labels, values, strict=True))
    ]
    return FigureTable(
        key, title, [column, "Number"], rows, _with_note(note, sup), total=True, sheet=sheet
    )


@dataclass(frozen=True)
class _Grid:
    """A table of funnels (one per row) whose last row is their total."""

    labels: list[str]
    funnels: list[Funnel]  # the last is the total

    def values(self) -> list[int]:
        return [n for f in self.funnels for n in f.counts]

    def relations(self) -> list[Relation]:
        if len(self.funnels) < 2:
            return []  # a total with no rows above it (figures made without breakdowns)
        return table_relations(len(self.funnels), len(STAGES), column_totals=True, row_totals=False)

    def total_positions(self) -> list[int]:
        last = (len(self.funnels) - 1) * len(STAGES)
        return [last + c for c in range(len(STAGES))]


@dataclass(frozen=True)
class _Linked:
    """One table's counts for suppression: its relations, and which of its numbers are also
    printed elsewhere in the report (``links``: shared name -> position), so that a number
    withheld in one table is withheld wherever it is printed."""

    values: list[int]
    relations: list[Relation]
    links: dict[str, int]


def _grid_item(grid: _Grid) -> _Linked:
    keys = ("referred", "accepted", "first_contact", "engaged", "closed_positively")
    return _Linked(
        grid.values(), grid.relations(), dict(zip(keys, grid.total_positions(), strict=True))
    )


def _counted_item(
    counts: dict,
    shared: dict[str, int],
    total: str | None,
    parts: dict[str, str] | None = None,
    sums: dict[str, Sequence[str]] | None = None,
) -> _Linked:
    """The counts and their total as ``_counted`` prints them; the total (and any part
    named in ``parts``, label -> shared name) linked when it is the same number. ``sums``
    names a sum of some parts that another table prints (shared name -> the parts' labels):
    it joins the relations, so those parts are suppressed knowing that sum is shown."""
    labels = [str(getattr(k, "label", k)) for k in counts]
    values = [int(n) for n in counts.values()]
    if not values:
        return _Linked([], [], {})
    values.append(sum(values))
    relations = [Relation(tuple(range(len(values) - 1)), len(values) - 1)]
    links: dict[str, int] = {}
    if total is not None and shared.get(total) == values[-1]:
        links[total] = len(values) - 1
    for label, name in (parts or {}).items():
        if label in labels and shared.get(name) == values[labels.index(label)]:
            links[name] = labels.index(label)
    for name, summed in (sums or {}).items():
        positions = tuple(labels.index(label) for label in summed if label in labels)
        if shared.get(name) == sum(values[p] for p in positions):
            values.append(sum(values[p] for p in positions))
            relations.append(Relation(positions, len(values) - 1))
            links[name] = len(values) - 1
    return _Linked(values, relations, links)


def _suppress_linked(items: Sequence[_Linked]) -> list[Suppression]:
    """Suppresses each table, then withholds a shared number everywhere it is printed once
    any table had to withhold it, and again, until nothing more changes."""
    hidden: set[str] = set()
    while True:
        sups = [
            suppress(
                item.values, item.relations, [item.links[k] for k in hidden if k in item.links]
            )
            for item in items
        ]
        found = {
            name
            for item, sup in zip(items, sups, strict=True)
            for name, position in item.links.items()
            if position in sup.hidden
        }
        if found <= hidden:
            return sups
        hidden |= found


def _grid_table(
    key: str,
    title: str,
    column: str,
    grid: _Grid,
    sup: Suppression,
    note: str,
    sheet: str,
) -> FigureTable:
    width = len(STAGES)
    rows: list[list[object]] = []
    for r, (label, funnel) in enumerate(zip(grid.labels, grid.funnels, strict=True)):
        cells = [sup.shown(r * width + c, n) for c, n in enumerate(funnel.counts)]
        engaged_rate = _rate(
            funnel.engaged,
            funnel.accepted,
            sup.hidden.isdisjoint({r * width + 1, r * width + 3}) is False,
        )
        rows.append([label, *cells, engaged_rate])
    return FigureTable(
        key,
        title,
        [column, *STAGES, "Engaged (% of accepted)"],
        rows,
        _with_note(note, sup),
        total=True,
        sheet=sheet,
    )


def _change_table(
    key: str,
    title: str,
    change: ChangeFigures,
    order: Sequence[str],
    direction: Callable[[str, str], int],
    words: tuple[str, str, str, str],
    note: str,
    sheet: str,
    eligible: tuple[str, Callable[[str], bool]] | None = None,
) -> tuple[FigureTable, dict[str, object]]:
    """First against latest with the totals that add them up, suppressed together; returns
    the table and the shown totals (``improved``, ``people``, ``eligible``) for reuse."""
    pairs = [(a, b, n) for (a, b), n in change.pairs.items()]
    values = [n for _, _, n in pairs]
    base = len(values)
    improved, same, worsened, people = base, base + 1, base + 2, base + 3
    values += [change.improved, change.same, change.worsened, change.people]
    relations = [
        Relation(tuple(i for i, (a, b, _) in enumerate(pairs) if direction(a, b) < 0), improved),
        Relation(tuple(i for i, (a, b, _) in enumerate(pairs) if direction(a, b) == 0), same),
        Relation(tuple(i for i, (a, b, _) in enumerate(pairs) if direction(a, b) > 0), worsened),
        Relation((improved, same, worsened), people),
    ]
    rows: list[list[object]] = []
    eligible_at = None
    if eligible is not None:
        eligible_at = len(values)
        values.append(change.eligible or 0)
        relations.append(
            Relation(tuple(i for i, (a, _b, _) in enumerate(pairs) if eligible[1](a)), eligible_at)
        )
    sup = suppress(values, relations)
    rows = [[a, b, sup.shown(i, n)] for i, (a, b, n) in enumerate(pairs)]
    for word, at in zip(words, (improved, same, worsened, people), strict=True):
        rows.append([f"In total: {word}", "", sup.shown(at, values[at])])
    if eligible is not None and eligible_at is not None:
        rows.append([f"In total: {eligible[0]}", "", sup.shown(eligible_at, values[eligible_at])])
    shown = {
        "improved": sup.shown(improved, change.improved),
        "people": sup.shown(people, change.people),
        "eligible": sup.shown(eligible_at, values[eligible_at]) if eligible_at else None,
        "improved_hidden": improved in sup.hidden,
        "people_hidden": people in sup.hidden,
        "eligible_hidden": eligible_at in sup.hidden if eligible_at else True,
    }
    table = FigureTable(
        key,
        title,
        ["First", "Latest", "Young people"],
        rows,
        _with_note(note, sup),
        sheet=sheet,
    )
    return table, shown


def _risk_direction(first: str, latest: str) -> int:
    ranks = {level.label: level.rank for level in RiskLevel}
    return (ranks[latest] > ranks[first]) - (ranks[latest] < ranks[first])


_IN_EET = {EducationStatus.IN_EDUCATION.label, EducationStatus.EET.label}


def _education_direction(first: str, latest: str) -> int:
    # Moving into education, employment or training counts as the improvement.
    if first not in _IN_EET and latest in _IN_EET:
        return -1
    if first in _IN_EET and latest not in _IN_EET:
        return 1
    return 0


def figure_tables(figures: OutcomeFigures) -> list[FigureTable]:
    """Every table of the report in reading order; shared by the PDF, CSV, Excel and preview.

    Counts of young people and referrals from 1 to 4 print as "<5", with the numbers that
    would reveal them withheld ("*"), by ``domain.suppression``; rates and medians resting on
    a hidden number are withheld too; a figure that cannot be computed prints "n/a"."""
    f = figures
    tables: list[FigureTable] = []

    # Every table that prints the same number (the funnel's stages as totals, referrals
    # received, young people supported, cases closed) suppressed together.
    groups = list(f.breakdowns)
    grids = [
        _Grid([label for label, _ in b.rows] + ["Total"], [fn for _, fn in b.rows] + [f.funnel])
        for b in groups
    ]
    quarter_grid = _Grid(
        [q.label for q in f.quarters] + ["Total"], [q.funnel for q in f.quarters] + [f.funnel]
    )
    closures = sum(f.closures_by_reason.values())
    shared = {
        "referred": f.funnel.referred,
        "accepted": f.funnel.accepted,
        "supported": f.supported,
        "closed": closures,
        "decided": f.decided,
    }
    items = [
        _Linked(
            list(f.funnel.counts),
            [],
            {
                k: i
                for i, k in enumerate(
                    ("referred", "accepted", "first_contact", "engaged", "closed_positively")
                )
            },
        ),
        _Linked([f.supported], [], {"supported": 0}),
        _Linked([closures], [], {"closed": 0}),
        *[_grid_item(g) for g in [*grids, quarter_grid]],
        _counted_item(f.referrals_by_source, shared, "referred"),
        _counted_item(
            f.decisions,
            shared,
            "referred",
            {ReferralStatus.ACCEPTED.label: "accepted"},
            {"decided": [label for label in f.decisions if label != AWAITING]},
        ),
        _Linked([f.decided], [], {"decided": 0}),
        _Linked(
            [f.contacted],
            [],
            {"first_contact": 0} if f.contacted == f.funnel.first_contact else {},
        ),
        _counted_item(f.closures_by_reason, shared, "closed"),
        _counted_item(f.age_bands, shared, "supported"),
        _counted_item(f.genders, shared, "supported"),
        _counted_item(f.ethnicities, shared, "supported"),
    ]
    (
        funnel_sup,
        supported_sup,
        closed_sup,
        *sups,
        source_sup,
        decisions_sup,
        decided_sup,
        contacted_sup,
        closures_sup,
        ages_sup,
        genders_sup,
        ethnicities_sup,
    ) = _suppress_linked(items)
    stage = [funnel_sup.shown(i, n) for i, n in enumerate(f.funnel.counts)]

    def stage_hidden(*indexes: int) -> bool:
        return any(i in funnel_sup.hidden for i in indexes)

    risk_table, risk = _change_table(
        "risk_change",
        "Risk level: first assessment against latest",
        f.risk_change,
        [r.label for r in RiskLevel],
        _risk_direction,
        ("reduced", "unchanged", "increased", "assessed twice or more"),
        "Young people supported in the period with two or more assessments.",
        "Risk first vs latest",
    )
    education_table, education = _change_table(
        "education_change",
        "Education status: first record against latest",
        f.education_change,
        [e.label for e in EducationStatus],
        _education_direction,
        (
            "moved into education, employment or training",
            "no change in engagement",
            "left education, employment or training",
            "with two or more records",
        ),
        "Young people supported in the period with two or more outcome records "
        "giving an education status.",
        "Education first vs latest",
        eligible=("not in education, employment or training at first", lambda a: a not in _IN_EET),
    )
    wb = f.wellbeing
    headline_rows: list[list[object]] = [
        ["Referrals received", stage[0], "", ""],
        [
            "Accepted (of referred)",
            stage[1],
            stage[0],
            _rate(f.funnel.accepted, f.funnel.referred, stage_hidden(0, 1)),
        ],
        [
            f"Engaged: {ENGAGED_SESSIONS}+ sessions attended (of accepted)",
            stage[3],
            stage[1],
            _rate(f.funnel.engaged, f.funnel.accepted, stage_hidden(1, 3)),
        ],
        [
            "Closed positively (of engaged)",
            stage[4],
            stage[3],
            _rate(f.funnel.closed_positively, f.funnel.engaged, stage_hidden(3, 4)),
        ],
        [
            "Risk reduced (of those assessed twice or more)",
            risk["improved"],
            risk["people"],
            _rate(
                f.risk_change.improved,
                f.risk_change.people,
                bool(risk["improved_hidden"] or risk["people_hidden"]),
            ),
        ],
        [
            "Into education, employment or training (of those not in it at first)",
            education["improved"],
            education["eligible"],
            _rate(
                f.education_change.improved,
                f.education_change.eligible or 0,
                bool(education["improved_hidden"] or education["eligible_hidden"]),
            ),
        ],
        [
            "Wellbeing score rose (of those with two or more scores)",
            *_part_of(wb.improved, wb.people),
        ],
        [
            "Sessions attended (of offered)",
            f.sessions.attended,
            f.sessions.offered,
            _percent(f.sessions.rate),
        ],
        ["Young people supported", supported_sup.shown(0, f.supported), "", ""],
        ["Cases closed", closed_sup.shown(0, closures), "", ""],
    ]
    tables.append(
        FigureTable(
            "headlines",
            "Headline figures",
            ["Measure", "Number", "Out of", "Rate (%)"],
            headline_rows,
            "Each rate is the number out of the figure beside it.",
            sheet="Headline figures",
        )
    )
    funnel_rows: list[list[object]] = []
    for i, (label, n) in enumerate(zip(STAGES, f.funnel.counts, strict=True)):
        if i == 0:
            funnel_rows.append([label, stage[0], "", _rate(n, n, stage_hidden(0))])
            continue
        before = f.funnel.counts[i - 1]
        funnel_rows.append(
            [
                label,
                stage[i],
                _rate(n, before, stage_hidden(i, i - 1)),
                _rate(n, f.funnel.referred, stage_hidden(i, 0)),
            ]
        )
    tables.append(
        FigureTable(
            "funnel",
            "From referral to outcome: the referral funnel",
            ["Stage", "Referrals", "% of the stage before", "% of referred"],
            funnel_rows,
            _with_note(FUNNEL_NOTE, funnel_sup),
            sheet="Funnel",
        )
    )
    tables.append(
        FigureTable(
            "outcomes",
            "Outcomes with their denominators",
            ["Outcome", "Young people", "Out of", "Rate (%)"],
            headline_rows[4:7],
            "Risk: young people supported in the period with two or more risk assessments, "
            "first against latest. Education: of those with two or more outcome records giving "
            "an education status who were not in education, employment or training at the "
            "first, how many were at the latest. Wellbeing: self-rated 0 to 10, of those with "
            "two or more scores.",
            sheet="Outcomes with denominators",
        )
    )
    tables.append(_offending_table(f.offending))
    tables.append(_wellbeing_table(wb))
    if f.previous is not None:
        tables.append(_comparison_table(f.current, f.previous, stage))
    tables.append(
        _grid_table(
            "quarters",
            "Quarter by quarter",
            "Quarter received",
            quarter_grid,
            sups[-1],
            "The funnel of the referrals received in each quarter (stages as for the funnel "
            "above); the total row is the period's funnel.",
            "Quarterly trend",
        )
    )
    tables.append(
        _timeliness_table(f, decided_sup.shown(0, f.decided), contacted_sup.shown(0, f.contacted))
    )
    sheets = {
        "by_age": "Funnel by age band",
        "by_gender": "Funnel by gender",
        "by_ethnicity": "Funnel by ethnicity",
        "by_agency": "Funnel by referring agency",
    }
    notes = {
        "by_age": "Age on the day the referral was received. Everyone referred, not only those "
        "supported.",
        "by_gender": "Gender as recorded. Everyone referred, not only those supported.",
        "by_ethnicity": "ONS 2021 census groups as recorded. Everyone referred, not only those "
        "supported.",
        "by_agency": "The agency named on each referral, with its type. Everyone referred.",
    }
    for breakdown, grid, sup in zip(groups, grids, sups, strict=False):
        tables.append(
            _grid_table(
                breakdown.key,
                breakdown.title,
                breakdown.column,
                grid,
                sup,
                notes.get(breakdown.key, ""),
                sheets.get(breakdown.key, ""),
            )
        )
    tables += [
        _counted(
            "Referrals received by source",
            "referrals_by_source",
            "Referring agency type",
            f.referrals_by_source,
            sheet="Referrals by agency type",
            sup=source_sup,
        ),
        _counted(
            "Referrals received by reason",
            "referrals_by_reason",
            "Reason",
            f.referrals_by_reason,
            "A referral may give several reasons, so reasons add up to more than referrals.",
            sheet="Referrals by reason",
        ),
        _counted(
            "Decisions on referrals received",
            "decisions",
            "Decision",
            f.decisions,
            sheet="Decisions",
            sup=decisions_sup,
        ),
        _counted(
            "Open caseload at the end of the period",
            "caseload",
            "Caseworker",
            dict(f.caseload_by_worker),
            "Open episodes allocated to each caseworker (not suppressed: a workload figure).",
            sheet="Open caseload by caseworker",
            suppressed=False,
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
            "Rate: attended / offered. Counts of sessions, not of young people.",
            total=True,
            sheet="Sessions",
        ),
        risk_table,
        education_table,
        _counted(
            "Plan goals by status",
            "goals",
            "Status",
            f.goals_by_status,
            "Goals in the current plans of young people supported in the period "
            "(counts of goals, not of young people).",
            sheet="Plan goals by status",
            suppressed=False,
        ),
        _counted(
            "Cases closed by reason",
            "closures",
            "Closure reason",
            f.closures_by_reason,
            "Episodes closed in the period, whenever they were referred (the funnel's 'Closed "
            "positively' counts only the period's own referrals, engaged and closed with goals "
            "achieved).",
            sheet="Closures by reason",
            sup=closures_sup,
        ),
        _counted(
            "Young people supported: age on the last day of the period",
            "age_bands",
            "Age band",
            f.age_bands,
            sheet="Supported by age band",
            sup=ages_sup,
        ),
        _counted(
            "Young people supported: gender",
            "gender",
            "Gender",
            f.genders,
            sheet="Supported by gender",
            sup=genders_sup,
        ),
        _counted(
            "Young people supported: ethnicity",
            "ethnicity",
            "Ethnicity",
            f.ethnicities,
            sheet="Supported by ethnicity",
            sup=ethnicities_sup,
        ),
    ]
    return [_explained(t) for t in tables]


def _offending_table(o: OffendingFigures) -> FigureTable:
    def row(
        label: str, people: int, arrested: int, arrests: int, charged: int, charges: int
    ) -> list[object]:
        shown_arrested, shown_people, arrested_rate = _part_of(arrested, people)
        shown_charged, _people, charged_rate = _part_of(charged, people)
        return [
            label,
            shown_people,
            shown_arrested,
            arrested_rate,
            _count(arrests),
            shown_charged,
            charged_rate,
            _count(charges),
        ]

    rows = [
        row(
            "During an episode",
            o.people_during,
            o.arrested_during,
            o.arrests_during,
            o.charged_during,
            o.charges_during,
        ),
        row(
            "After the episode closed",
            o.people_after,
            o.arrested_after,
            o.arrests_after,
            o.charged_after,
            o.charges_after,
        ),
    ]
    why = []
    if not o.people_during:
        why.append("no outcome record gave arrests or charges during an episode")
    if not o.people_after:
        why.append("no outcome record gave arrests or charges after an episode closed")
    na = f" n/a: {'; '.join(why)}." if why else ""
    return FigureTable(
        "offending",
        "Arrests and charges during and after intervention",
        [
            "When",
            "Young people with a record",
            "Arrested",
            "Arrested (%)",
            "Arrests",
            "Charged",
            "Charged (%)",
            "Charges",
        ],
        rows,
        "Young people supported in the period whose outcome records give arrests or charges: "
        "during an episode (from its decision to its closure, or the period's end), and after "
        "it closed (up to the period's end). Arrested and Charged count young people; Arrests "
        f"and Charges count events.{na}",
        sheet="Arrests and charges",
    )


def _wellbeing_table(wb: WellbeingFigures) -> FigureTable:
    def row(label: str, spread: Spread) -> list[object]:
        return [
            label,
            _count(spread.n),
            _statistic(spread.median, spread.n),
            _statistic(spread.q1, spread.n),
            _statistic(spread.q3, spread.n),
        ]

    na = (
        " n/a: no young person supported in the period had two or more wellbeing scores."
        if wb.people == 0
        else ""
    )
    return FigureTable(
        "wellbeing",
        "Wellbeing: first score against latest",
        ["Score", "Young people", "Median", "Lower quartile", "Upper quartile"],
        [
            row("First score", wb.first),
            row("Latest score", wb.latest),
            row("Change (latest minus first)", wb.change),
        ],
        "Self-rated wellbeing, 0 to 10, of young people supported in the period with two or "
        "more scores up to the period's end. The quartiles bound the middle half of the young "
        f"people. A median over fewer than {MIN_FOR_STATISTIC} young people is withheld (*).{na}",
        sheet="Wellbeing",
    )


def _comparison_table(
    now: PeriodComparison, before: PeriodComparison, stage: Sequence[object]
) -> FigureTable:
    """``stage``: this period's funnel as the funnel table prints it (suppressed with it)."""

    def counts(label: str, a: int, b: int, index: int) -> list[object]:
        a_shown = stage[index]  # a, as the funnel prints it
        hidden = not isinstance(a_shown, int) or is_small(b)
        return [label, a_shown, _count(b), WITHHELD if hidden else a - b]

    def hidden_stage(*indexes: int) -> bool:
        return any(not isinstance(stage[i], int) for i in indexes)

    def rates(
        label: str, a: tuple[int, int], b: tuple[int, int], stages: tuple[int, ...] = ()
    ) -> list[object]:
        ra = _rate(*a, hidden=is_small(a[0]) or is_small(a[1]) or hidden_stage(*stages))
        rb = _rate(*b, hidden=is_small(b[0]) or is_small(b[1]))
        change: object = NA
        if isinstance(ra, float) and isinstance(rb, float):
            change = round(ra - rb, 1)
        elif WITHHELD in (ra, rb):
            change = WITHHELD
        return [label, ra, rb, change]

    def medians(
        label: str, a: tuple[float | None, int], b: tuple[float | None, int]
    ) -> list[object]:
        ma, mb = _statistic(*a), _statistic(*b)
        change: object = NA
        if isinstance(ma, float) and isinstance(mb, float):
            change = round(ma - mb, 1)
        elif WITHHELD in (ma, mb):
            change = WITHHELD
        return [label, ma, mb, change]

    fa, fb = now.funnel, before.funnel
    return FigureTable(
        "comparison",
        f"Compared with the previous period ({before.period.text})",
        ["Measure", "This period", "Previous period", "Change"],
        [
            counts("Referrals received", fa.referred, fb.referred, 0),
            counts("Accepted", fa.accepted, fb.accepted, 1),
            counts("Engaged", fa.engaged, fb.engaged, 3),
            counts("Closed positively", fa.closed_positively, fb.closed_positively, 4),
            rates(
                "Accepted (% of referred)",
                (fa.accepted, fa.referred),
                (fb.accepted, fb.referred),
                (0, 1),
            ),
            rates(
                "Engaged (% of accepted)",
                (fa.engaged, fa.accepted),
                (fb.engaged, fb.accepted),
                (1, 3),
            ),
            rates(
                "Risk reduced (% of assessed twice)",
                (now.risk_reduced, now.risk_assessed_twice),
                (before.risk_reduced, before.risk_assessed_twice),
            ),
            rates(
                "Into EET (% of not in it at first)",
                (now.into_eet, now.not_in_eet_at_start),
                (before.into_eet, before.not_in_eet_at_start),
            ),
            medians(
                "Median days to decision",
                (now.median_days_to_decision, now.decided),
                (before.median_days_to_decision, before.decided),
            ),
            medians(
                "Median days to first contact",
                (now.median_days_to_first_contact, now.contacted),
                (before.median_days_to_first_contact, before.contacted),
            ),
        ],
        f"The previous period is the {before.period.days} days before this one "
        f"({before.period.text}), counted the same way, with the same filters. Change: this "
        "period minus the previous (percentage points for rates).",
        sheet="Previous period comparison",
    )


def _timeliness_table(f: OutcomeFigures, decided: object, contacted: object) -> FigureTable:
    """``decided`` and ``contacted``: the counts as suppressed with the tables that print
    the same numbers (the decisions, the funnel)."""

    def row(
        label: str, median: float | None, n: int, target: int | None, within: int, shown: object
    ) -> list[object]:
        share: object = NA
        withheld = not isinstance(shown, int)
        if target is not None:
            share = _rate(
                within, n, withheld or is_small(within) or is_small(n) or is_small(n - within)
            )
        return [
            label,
            _statistic(median, n),
            shown,
            target if target is not None else "none set",
            share,
        ]

    t = f.targets
    no_target = (
        " No target is set for a step: its share within target is n/a."
        if t.decision_days is None or t.contact_days is None
        else ""
    )
    return FigureTable(
        "timeliness",
        "Time from referral",
        ["Measure", "Median days", "Referrals counted", "Target (days)", "Within target (%)"],
        [
            row(
                "Referral to decision",
                f.median_days_to_decision,
                f.decided,
                t.decision_days,
                f.within_decision_target,
                decided,
            ),
            row(
                "Referral to first contact",
                f.median_days_to_first_contact,
                f.contacted,
                t.contact_days,
                f.within_contact_target,
                contacted,
            ),
        ],
        "Referrals received in the period that had reached the step. A median over fewer "
        f"than {MIN_FOR_STATISTIC} referrals is withheld (*).{no_target}",
        sheet="Time from referral",
    )
