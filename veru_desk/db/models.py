"""The unit's records as SQLAlchemy 2.0 typed models.

Conventions that every table follows, so services can rely on them:
- ``*_at`` columns are naive UTC datetimes (when something was recorded); ``*_on`` columns are
  calendar dates; ``planned_start`` of a session is naive local wall-clock time, because a
  session at 16:00 stays at 16:00 across the clocks changing.
- Records people edit carry ``version`` (optimistic locking: a stale save raises, never
  overwrites), ``created_*`` and ``updated_*`` so a conflict can say who changed it and when.
- Enum columns store the enum's value as short text (``native_enum=False``), identical on
  SQLite and PostgreSQL, so codes stay stable across releases and engines.

Unlike the rest of the code, this module does not use ``from __future__ import annotations``:
with it, every ``Mapped[...]`` annotation is a string that SQLAlchemy evaluates again as it
maps each class, and mapping these models took a fifth longer (about 220 against 180 ms on
the benchmark machine, on the path of every start before the window answers input). A
relationship to a class defined further down names it in quotes (``Mapped[list["Goal"]]``).
"""

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Computed,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from veru_desk.domain.case_reference import reference_sort_key
from veru_desk.domain.enums import (
    AgencyType,
    Attendance,
    AuditAction,
    ClosureReason,
    ConsentStatus,
    ContactRelationship,
    EducationStatus,
    Ethnicity,
    Gender,
    GoalDomain,
    GoalStatus,
    OutcomePoint,
    Priority,
    ReferralReason,
    ReferralStatus,
    RiskLevel,
    Role,
    SessionType,
    SharingBasis,
)
from veru_desk.domain.network import (
    Certainty,
    ConcernLinkType,
    IncidentKind,
    IncidentRole,
    InfoSource,
    PersonLinkType,
    PlaceKind,
    PlaceLinkType,
)
from veru_desk.domain.panels import PanelType
from veru_desk.domain.safeguarding import FlagKind, GroundsDecision
from veru_desk.domain.tasks import TaskSource, TaskStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def enum_column(enum_type: type[Any], **kwargs: Any) -> Any:
    """An enum stored as its value in a VARCHAR, with no CHECK: new codes need no migration."""
    return Enum(
        enum_type,
        native_enum=False,
        create_constraint=False,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        **kwargs,
    )


def byte_ordered(length: int) -> Any:
    """Text compared byte by byte on every engine, so a prefix search written as a range
    (``>= 'luk' AND < 'luk\U0010ffff'``) can use an ordinary index. SQLite compares bytes
    already; PostgreSQL would otherwise use the server's locale, where that range is wrong.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tracked:
    """Who made and last changed a record, and its version for optimistic locking."""

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        """SQLAlchemy's version counter: an UPDATE that finds a newer version fails."""
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]  # declared with a version column


# --- people who use the app -------------------------------------------------------------------


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


# --- partners --------------------------------------------------------------------------------


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    agency_type: Mapped[AgencyType] = mapped_column(enum_column(AgencyType))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Professional(Tracked, Base):
    """A named professional in the unit's directory (a social worker, a youth justice
    officer...), entered once and linked to many cases as their contact."""

    __tablename__ = "professional"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    secure_email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    agency: Mapped[Agency | None] = relationship()


# --- young people ----------------------------------------------------------------------------


def _case_ref_sort_default(context: Any) -> str:
    return reference_sort_key(context.get_current_parameters()["case_ref"])


#: ``ReferralStatus.is_open_case`` as SQL, for ``YoungPerson.case_open`` (0016 wrote it so);
#: false, not unknown, for a young person with no referral.
OPEN_CASE_SQL = "COALESCE(current_status IN ({}), FALSE)".format(
    ", ".join(f"'{status.value}'" for status in ReferralStatus if status.is_open_case)
)


class YoungPerson(Tracked, Base):
    """One record per young person: the case file. Each accepted referral is an episode.

    The ``current_*`` columns summarise the latest episode for the caseload and dashboard.
    They are derived data, kept by exactly one function (``services.case_state.refresh``),
    because computing them per row over 100,000 people on every scroll is too slow.
    """

    __tablename__ = "young_person"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_ref: Mapped[str] = mapped_column(byte_ordered(20), unique=True)
    # The reference's order as text (``domain.case_reference.reference_sort_key``): sorting by
    # ``case_ref`` itself would put VERU-2026-100000 between 10000 and 10001.
    case_ref_sort: Mapped[str | None] = mapped_column(
        byte_ordered(24), index=True, default=_case_ref_sort_default
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    sort_name: Mapped[str] = mapped_column(byte_ordered(210), index=True)  # same order everywhere
    date_of_birth: Mapped[dt.date] = mapped_column(Date, index=True)
    gender: Mapped[Gender] = mapped_column(enum_column(Gender), default=Gender.NOT_KNOWN)
    gender_detail: Mapped[str | None] = mapped_column(String(100))
    ethnicity: Mapped[Ethnicity] = mapped_column(
        enum_column(Ethnicity), default=Ethnicity.NOT_STATED
    )
    address: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    nhs_number: Mapped[str | None] = mapped_column(String(10), index=True)
    education_setting: Mapped[str | None] = mapped_column(String(200))
    education_status: Mapped[EducationStatus] = mapped_column(
        enum_column(EducationStatus), default=EducationStatus.NOT_KNOWN
    )
    looked_after: Mapped[bool] = mapped_column(Boolean, default=False)
    child_protection_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    child_in_need: Mapped[bool] = mapped_column(Boolean, default=False)
    send: Mapped[bool] = mapped_column(Boolean, default=False)
    known_to_youth_justice: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # A duplicate merged into another record (``PersonMerge``): kept as a tombstone, hidden
    # from lists, search and duplicate checks; erased with the record it points at.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("young_person.id"))

    # No foreign key: referral already points here, and a cycle of constraints would need
    # ALTER TABLE, which SQLite lacks. case_state.refresh keeps it right.
    current_referral_id: Mapped[int | None] = mapped_column(Integer)
    current_status: Mapped[ReferralStatus | None] = mapped_column(
        enum_column(ReferralStatus), index=True
    )
    current_worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    current_risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel))
    next_review_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    last_contact_on: Mapped[dt.date | None] = mapped_column(Date)
    disengaged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Worked out by the database from the status (migration 0016), never written: the
    # caseload's default list, open cases by name, is then one range of one index read in
    # order. Filtered on the three open statuses, SQLite sorted all of them on every query.
    case_open: Mapped[bool] = mapped_column(Boolean, Computed(OPEN_CASE_SQL))

    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="young_person", cascade="all, delete-orphan", order_by="Contact.id"
    )
    referrals: Mapped[list["Referral"]] = relationship(
        back_populates="young_person",
        foreign_keys="Referral.young_person_id",
        order_by="Referral.received_on",
    )
    current_worker: Mapped[User | None] = relationship(foreign_keys=[current_worker_id])

    __table_args__ = (
        Index("ix_young_person_names_dob", "last_name", "first_name", "date_of_birth"),
        Index("ix_young_person_worker_status", "current_worker_id", "current_status"),
        # A status's cases by name, read from the index alone (no row lookups).
        Index("ix_young_person_status_sort", "current_status", "sort_name"),
        # The caseload's default: open cases by name, in index order; one worker's the same.
        Index("ix_young_person_open_by_name", "case_open", "sort_name", "id"),
        Index(
            "ix_young_person_worker_open_by_name",
            "current_worker_id",
            "case_open",
            "sort_name",
            "id",
        ),
        # The referrals a caseworker entered that await triage (their own cases while
        # unallocated), without walking every unallocated person: every closed case is one.
        Index("ix_young_person_created_unallocated", "created_by_id", "current_worker_id"),
        # The few records merged into another, and only them: with every young person in it,
        # SQLite read a search's "not merged away" from it, not the search's own index.
        # Migration 0019 makes it partial on both engines. Only SQLite's predicate is named
        # here, for ``migrate.rebuild_missing_indexes`` (SQLite's repair): naming PostgreSQL's
        # too would load SQLAlchemy's PostgreSQL dialect, to check the keyword, on every start
        # on a file (30-50 ms and 2 MiB), and Alembic does not compare predicates.
        Index(
            "ix_young_person_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
        ),
    )


class NameToken(Base):
    """Folded name words (``Łukasz`` -> ``lukasz``) for accent-free prefix search.

    A range scan on this table's primary key answers a prefix search on any engine with an
    ordinary index, which ``LIKE`` with case folding cannot do on SQLite.
    """

    __tablename__ = "name_token"

    token: Mapped[str] = mapped_column(byte_ordered(100), primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Contact(Tracked, Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_person: Mapped[ContactRelationship] = mapped_column(
        enum_column(ContactRelationship)
    )
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(Text)
    parental_responsibility: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    # Involvement: from when, until when and why it ended (none: involved now).
    involved_from: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # The directory's entry this contact was chosen from (its details are copied here).
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("professional.id"), index=True)

    young_person: Mapped[YoungPerson] = relationship(back_populates="contacts")
    agency: Mapped[Agency | None] = relationship()
    professional: Mapped[Professional | None] = relationship()


# --- referrals: the episodes of a case -------------------------------------------------------


class Referral(Tracked, Base):
    __tablename__ = "referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    referring_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    referrer_name: Mapped[str | None] = mapped_column(String(200))
    referrer_contact: Mapped[str | None] = mapped_column(String(254))
    narrative: Mapped[str | None] = mapped_column(Text)
    consent_young_person: Mapped[ConsentStatus] = mapped_column(
        enum_column(ConsentStatus), default=ConsentStatus.NOT_ASKED
    )
    consent_parent: Mapped[ConsentStatus] = mapped_column(
        enum_column(ConsentStatus), default=ConsentStatus.NOT_ASKED
    )
    sharing_basis: Mapped[SharingBasis | None] = mapped_column(enum_column(SharingBasis))
    priority: Mapped[Priority] = mapped_column(enum_column(Priority), default=Priority.MEDIUM)
    status: Mapped[ReferralStatus] = mapped_column(
        enum_column(ReferralStatus), default=ReferralStatus.RECEIVED, index=True
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    allocated_worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    allocated_on: Mapped[dt.date | None] = mapped_column(Date)
    first_contact_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    closure_reason: Mapped[ClosureReason | None] = mapped_column(enum_column(ClosureReason))
    outcome_summary: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    # A further referral of a case that was open when it arrived (a partner re-referring an
    # allocated young person): it points at that episode's referral and never becomes the
    # case's current episode, so the case keeps its status, worker and review dates. Always a
    # lower id than this row's, so copying the table in id order satisfies the key.
    open_case_referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id"), index=True)

    young_person: Mapped[YoungPerson] = relationship(
        back_populates="referrals", foreign_keys=[young_person_id]
    )
    referring_agency: Mapped[Agency] = relationship()
    allocated_worker: Mapped[User | None] = relationship(foreign_keys=[allocated_worker_id])
    reasons: Mapped[list["ReferralReasonRow"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    transitions: Mapped[list["ReferralTransition"]] = relationship(
        cascade="all, delete-orphan", order_by="ReferralTransition.id"
    )

    @property
    def reason_set(self) -> frozenset[ReferralReason]:
        return frozenset(r.reason for r in self.reasons)

    # Covering indexes for the outcome report's counts (the columns its queries read), so a
    # year over the whole database reads indexes, not tables: on an encrypted file each page
    # read from disk is decrypted and its HMAC checked, which doubled the report's time.
    __table_args__ = (
        Index(
            "ix_referral_received_cover",
            "received_on",
            "status",
            "referring_agency_id",
            "allocated_worker_id",
            "decided_on",
            "first_contact_on",
            # The report's funnel and its referrals' facts (migration 0017).
            "closure_reason",
            "young_person_id",
        ),
        Index(
            "ix_referral_status_cover",
            "status",
            "closed_on",
            "decided_on",
            "allocated_on",
            "received_on",
            "young_person_id",
            "allocated_worker_id",
            "closure_reason",
            # The report's episodes, and a referring agency filter (migration 0017).
            "open_case_referral_id",
            "referring_agency_id",
        ),
    )


class ReferralReasonRow(Base):
    __tablename__ = "referral_reason"

    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[ReferralReason] = mapped_column(enum_column(ReferralReason), primary_key=True)

    __table_args__ = (Index("ix_referral_reason_reason", "reason"),)


class ReferralTransition(Base):
    """One dated, attributed move of a referral through the workflow (append-only)."""

    __tablename__ = "referral_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referral.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ReferralStatus | None] = mapped_column(enum_column(ReferralStatus))
    to_status: Mapped[ReferralStatus] = mapped_column(enum_column(ReferralStatus))
    on_date: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    by_user: Mapped[User | None] = relationship(foreign_keys=[by_user_id])
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])


# --- risk ------------------------------------------------------------------------------------


class RiskAssessment(Tracked, Base):
    __tablename__ = "risk_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel))
    risk_factors: Mapped[str | None] = mapped_column(Text)
    protective_factors: Mapped[str | None] = mapped_column(Text)
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    next_review_on: Mapped[dt.date] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)

    assessor: Mapped[User | None] = relationship(foreign_keys=[assessor_id])

    __table_args__ = (
        Index("ix_risk_assessment_person_date", "young_person_id", "assessed_on"),
        # The latest level per person, for the outcome report (see Referral's indexes).
        Index(
            "ix_risk_assessment_person_date_level", "young_person_id", "assessed_on", "id", "level"
        ),
    )


# --- plans -----------------------------------------------------------------------------------


class InterventionPlan(Tracked, Base):
    """A version of the plan. A new version copies the goals forward; old ones stay readable."""

    __tablename__ = "intervention_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    plan_version: Mapped[int] = mapped_column(Integer)
    started_on: Mapped[dt.date] = mapped_column(Date)
    review_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    summary: Mapped[str | None] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)

    goals: Mapped[list["PlanGoal"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanGoal.position"
    )

    __table_args__ = (
        UniqueConstraint("young_person_id", "plan_version", name="uq_plan_person_version"),
        Index("ix_intervention_plan_person_current", "young_person_id", "is_current"),
    )


class PlanGoal(Tracked, Base):
    __tablename__ = "plan_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("intervention_plan.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    domain: Mapped[GoalDomain] = mapped_column(enum_column(GoalDomain))
    description: Mapped[str] = mapped_column(Text)
    target_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[GoalStatus] = mapped_column(
        enum_column(GoalStatus), default=GoalStatus.NOT_STARTED
    )
    progress: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[InterventionPlan] = relationship(back_populates="goals")
    actions: Mapped[list["PlanAction"]] = relationship(
        back_populates="goal", cascade="all, delete-orphan", order_by="PlanAction.id"
    )

    __table_args__ = (Index("ix_plan_goal_plan_status", "plan_id", "status"),)


class PlanAction(Tracked, Base):
    __tablename__ = "plan_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goal.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date)

    goal: Mapped[PlanGoal] = relationship(back_populates="actions")


# --- sessions --------------------------------------------------------------------------------


class SessionSeries(Tracked, Base):
    """A recurring booking: an RFC 5545 rule (dateutil.rrule) and the dates taken out of it.

    Occurrences are materialised as ``MentoringSession`` rows so attendance can be recorded on
    each; an occurrence moved to another time keeps its ``original_start``.
    """

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    rule: Mapped[str] = mapped_column(Text)
    first_start: Mapped[dt.datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    session_type: Mapped[SessionType] = mapped_column(enum_column(SessionType))
    location: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))

    exceptions: Mapped[list["SeriesException"]] = relationship(
        cascade="all, delete-orphan", order_by="SeriesException.occurrence_start"
    )


class SeriesException(Base):
    """An occurrence skipped from a series (half-term, a bank holiday)."""

    __tablename__ = "series_exception"

    series_id: Mapped[int] = mapped_column(
        ForeignKey("session_series.id", ondelete="CASCADE"), primary_key=True
    )
    occurrence_start: Mapped[dt.datetime] = mapped_column(DateTime, primary_key=True)
    reason: Mapped[str | None] = mapped_column(String(200))


class MentoringSession(Tracked, Base):
    __tablename__ = "mentoring_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("session_series.id", ondelete="SET NULL"), index=True
    )
    # The group session this is one young person's place at (#19, migration 0011).
    group_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_session.id"), index=True
    )
    original_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    planned_start: Mapped[dt.datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    session_type: Mapped[SessionType] = mapped_column(enum_column(SessionType))
    location: Mapped[str | None] = mapped_column(String(200))
    attendance: Mapped[Attendance] = mapped_column(
        enum_column(Attendance), default=Attendance.PLANNED
    )
    notes: Mapped[str | None] = mapped_column(Text)
    topics: Mapped[str | None] = mapped_column(String(500))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)

    mentor: Mapped[User | None] = relationship(foreign_keys=[mentor_id])

    __table_args__ = (
        Index("ix_mentoring_session_person_start", "young_person_id", "planned_start"),
        Index("ix_mentoring_session_mentor_start", "mentor_id", "planned_start"),
        # Covering for the outcome report's count of a year's sessions by type and attendance.
        Index("ix_mentoring_session_start", "planned_start", "session_type", "attendance"),
        # An episode's first attended session (its first contact), worked out on every save.
        Index("ix_mentoring_session_referral", "referral_id", "attendance", "planned_start"),
    )


# --- outcomes --------------------------------------------------------------------------------


class Outcome(Tracked, Base):
    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    recorded_on: Mapped[dt.date] = mapped_column(Date, index=True)
    point: Mapped[OutcomePoint] = mapped_column(enum_column(OutcomePoint))
    risk_level: Mapped[RiskLevel | None] = mapped_column(enum_column(RiskLevel))
    education_status: Mapped[EducationStatus | None] = mapped_column(enum_column(EducationStatus))
    arrests: Mapped[int | None] = mapped_column(Integer)
    charges: Mapped[int | None] = mapped_column(Integer)
    wellbeing: Mapped[int | None] = mapped_column(Integer)
    goals_achieved: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)

    values: Mapped[list["OutcomeValue"]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_outcome_person_date", "young_person_id", "recorded_on"),
        # The first and latest education status and wellbeing score per person, and the
        # arrests and charges, for the outcome report (migration 0017).
        Index(
            "ix_outcome_person_date_cover",
            "young_person_id",
            "recorded_on",
            "id",
            "education_status",
            "wellbeing",
            "arrests",
            "charges",
        ),
    )


class OutcomeMeasure(Base):
    """An organisation-defined measure (e.g. 'Attending youth club'), scored 0 to 10."""

    __tablename__ = "outcome_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OutcomeValue(Base):
    __tablename__ = "outcome_value"

    outcome_id: Mapped[int] = mapped_column(
        ForeignKey("outcome.id", ondelete="CASCADE"), primary_key=True
    )
    measure_id: Mapped[int] = mapped_column(ForeignKey("outcome_measure.id"), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)

    measure: Mapped[OutcomeMeasure] = relationship()


# --- notes, exports, audit -------------------------------------------------------------------


class CaseNote(Tracked, Base):
    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    __table_args__ = (Index("ix_case_note_person_time", "young_person_id", "occurred_at"),)


class DocumentExport(Base):
    """A document made from a case (summary PDF, subject access): the case's Exports tab."""

    __tablename__ = "document_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str | None] = mapped_column(String(40))
    prepared_for: Mapped[str | None] = mapped_column(String(300))
    filename: Mapped[str | None] = mapped_column(String(500))
    pages: Mapped[int | None] = mapped_column(Integer)

    by_user: Mapped[User | None] = relationship()


class SharingDecision(Base):
    """Why, with whom and what of one multi-agency summary may be shared (``domain.sharing``).

    Recorded before the export and linked to it once made (``document_export_id``): one
    decision per export. A decision overriding refused consent waits for a manager's approval
    (``approved_by_id``/``approved_at``) before any summary can be made with it.
    """

    __tablename__ = "sharing_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referral.id", ondelete="SET NULL"))
    document_export_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_export.id", ondelete="SET NULL"), unique=True
    )
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    basis: Mapped[str] = mapped_column(String(40))
    consent_given_by: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    consent_on_referral: Mapped[str | None] = mapped_column(String(200))
    meeting: Mapped[str] = mapped_column(String(200))
    meeting_on: Mapped[dt.date] = mapped_column(Date)
    agencies: Mapped[str] = mapped_column(Text)  # one agency a line
    shared_sections: Mapped[str] = mapped_column(String(300), default="")  # codes, commas
    destroy_after: Mapped[dt.date] = mapped_column(Date)
    needs_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class CaseAnalysis(Tracked, Base):
    """The caseworker's analysis a panel reads first: kept up to date on the case, one row
    per young person, versioned like every record people edit."""

    __tablename__ = "case_analysis"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), unique=True
    )
    current_position: Mapped[str | None] = mapped_column(Text)
    going_well: Mapped[str | None] = mapped_column(Text)
    worries: Mapped[str | None] = mapped_column(Text)
    what_changed: Mapped[str | None] = mapped_column(Text)
    young_person_view: Mapped[str | None] = mapped_column(Text)
    parent_view: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(Text)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class SafeguardingFlagRecord(Tracked, Base):
    """A safeguarding flag with its dates (``domain.safeguarding``): active from ``started_on``
    until ``ended_on`` (none: still active). NRM decisions and the missing episode's return
    home interview are columns of their own kinds; others leave them empty."""

    __tablename__ = "safeguarding_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(ForeignKey("young_person.id", ondelete="CASCADE"))
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind))
    started_on: Mapped[dt.date] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    reasonable_grounds: Mapped[GroundsDecision | None] = mapped_column(enum_column(GroundsDecision))
    reasonable_grounds_on: Mapped[dt.date | None] = mapped_column(Date)
    conclusive_grounds: Mapped[GroundsDecision | None] = mapped_column(enum_column(GroundsDecision))
    conclusive_grounds_on: Mapped[dt.date | None] = mapped_column(Date)
    return_interview_done: Mapped[bool | None] = mapped_column(Boolean)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    __table_args__ = (
        Index("ix_safeguarding_flag_person_end", "young_person_id", "ended_on", "kind"),
        # The dashboard's flags added lately.
        Index("ix_safeguarding_flag_created", "created_at"),
    )


# --- who and where: links, persons of concern, places, incidents (#18, migration 0009) -----


class PersonOfConcern(Tracked, Base):
    """An adult (or older young person not on record) suspected of exploitation or violence:
    not a client. Known by a name, a street name or both; visible to those whose cases link to
    them and to managers (``services.network``)."""

    __tablename__ = "person_of_concern"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    street_name: Mapped[str | None] = mapped_column(String(100))
    approximate_age: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Place(Tracked, Base):
    """A place of concern (a park, a station, an address, a takeaway, an estate)."""

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PlaceKind] = mapped_column(enum_column(PlaceKind))
    postcode: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class _LinkFacts:
    """What every link records: when it held, where the information came from, how sure."""

    since_on: Mapped[dt.date | None] = mapped_column(Date)
    until_on: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[InfoSource] = mapped_column(enum_column(InfoSource))
    certainty: Mapped[Certainty] = mapped_column(enum_column(Certainty))
    note: Mapped[str | None] = mapped_column(Text)


class PersonLink(_LinkFacts, Tracked, Base):
    """A link between two young people on record, stored once and read from both ends
    (``PersonLinkType.reverse_label``)."""

    __tablename__ = "person_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    other_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[PersonLinkType] = mapped_column(enum_column(PersonLinkType))


class ConcernLink(_LinkFacts, Tracked, Base):
    """A young person linked to a person of concern."""

    __tablename__ = "concern_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    person_of_concern_id: Mapped[int] = mapped_column(
        ForeignKey("person_of_concern.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[ConcernLinkType] = mapped_column(enum_column(ConcernLinkType))


class PlaceLink(_LinkFacts, Tracked, Base):
    """A young person or a person of concern (exactly one of the two) linked to a place."""

    __tablename__ = "place_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id", ondelete="CASCADE"), index=True)
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    person_of_concern_id: Mapped[int | None] = mapped_column(
        ForeignKey("person_of_concern.id", ondelete="CASCADE"), index=True
    )
    link_type: Mapped[PlaceLinkType] = mapped_column(enum_column(PlaceLinkType))


class Incident(Tracked, Base):
    """Something that happened (a knife incident, a missing episode, an arrest), where, and
    on whose information; the people involved are its parties."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    kind: Mapped[IncidentKind] = mapped_column(enum_column(IncidentKind))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    location: Mapped[str | None] = mapped_column(String(200))  # where, when not a known place
    summary: Mapped[str] = mapped_column(Text)
    source: Mapped[InfoSource] = mapped_column(enum_column(InfoSource))
    reference: Mapped[str | None] = mapped_column(String(60))  # e.g. a police log number

    place: Mapped[Place | None] = relationship()
    parties: Mapped[list["IncidentParty"]] = relationship(
        back_populates="incident", cascade="all, delete-orphan"
    )


class IncidentParty(Base):
    """A young person or a person of concern (exactly one) involved in an incident, and how."""

    __tablename__ = "incident_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    person_of_concern_id: Mapped[int | None] = mapped_column(
        ForeignKey("person_of_concern.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[IncidentRole] = mapped_column(enum_column(IncidentRole))

    incident: Mapped[Incident] = relationship(back_populates="parties")


# === tasks (#19, migration 0010) ===


class Task(Tracked, Base):
    """A piece of work for one worker of the unit (``services.tasks``), on a young person's
    case or for the unit as a whole. ``source_kind``/``source_id`` name the plan or panel
    action it came from (``domain.tasks.TaskSource``; both None: typed by hand); the action
    keeps its own record, the task is the reminder. ``completed_*`` say who closed it and
    when, for done and cancelled alike."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    young_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    assignee_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[TaskStatus] = mapped_column(enum_column(TaskStatus), default=TaskStatus.OPEN)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    source_kind: Mapped[TaskSource | None] = mapped_column(enum_column(TaskSource))
    source_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # My open tasks by due date, and everyone's overdue ones: both read this index.
        Index("ix_task_status_assignee_due", "status", "assignee_id", "due_on"),
        Index("ix_task_source", "source_kind", "source_id"),
    )


# === group sessions (#19, migration 0011) ===


class GroupSeries(Tracked, Base):
    """A recurring group (``services.groups``): its weekly rule, as an individual
    ``SessionSeries`` keeps one; each occurrence is a ``GroupSession``. No young person is
    named here: who comes is in their own ``MentoringSession`` rows."""

    __tablename__ = "group_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    session_type: Mapped[SessionType] = mapped_column(enum_column(SessionType))
    rule: Mapped[str] = mapped_column(Text)
    first_start: Mapped[dt.datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(200))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class GroupSession(Tracked, Base):
    """One meeting of a group: an activity, a workshop, football. Each young person on its
    register has their own ``MentoringSession`` (``group_session_id``), so attendance, the
    disengagement check and the chronology count it as any session; ``notes`` are about the
    activity, never about one young person. ``planned_start`` is local wall-clock time."""

    __tablename__ = "group_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("group_series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    session_type: Mapped[SessionType] = mapped_column(enum_column(SessionType))
    planned_start: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str | None] = mapped_column(String(200))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    notes: Mapped[str | None] = mapped_column(Text)


# === panel meetings (#19, migration 0012) ===


class PanelMeeting(Tracked, Base):
    """A multi-agency panel (``services.panels``). ``held_at`` is local wall-clock time, like
    a session's ``planned_start``: a panel at 10:00 stays at 10:00."""

    __tablename__ = "panel_meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    panel_type: Mapped[PanelType] = mapped_column(enum_column(PanelType))
    title: Mapped[str] = mapped_column(String(200))
    chair: Mapped[str | None] = mapped_column(String(120))
    next_meeting_on: Mapped[dt.date | None] = mapped_column(Date)

    attendees: Mapped[list["PanelAttendee"]] = relationship(
        cascade="all, delete-orphan", order_by="PanelAttendee.position"
    )


class PanelAttendee(Base):
    """Who came, from which agency, in what role: names as typed, not accounts."""

    __tablename__ = "panel_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("panel_meeting.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str | None] = mapped_column(String(160))
    role: Mapped[str | None] = mapped_column(String(120))


class PanelItem(Tracked, Base):
    """One case on a meeting's agenda: what was said about it and what was decided."""

    __tablename__ = "panel_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("panel_meeting.id", ondelete="CASCADE"), index=True
    )
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(Text)

    actions: Mapped[list["PanelAction"]] = relationship(
        cascade="all, delete-orphan", order_by="PanelAction.id"
    )

    __table_args__ = (UniqueConstraint("meeting_id", "young_person_id"),)


class PanelAction(Tracked, Base):
    """An action a panel agreed for one case. ``owner_user_id`` set: owned by a worker of the
    unit, and ``task_id`` is the task it became; otherwise owned by ``owner_name`` at
    ``agency``. ``young_person_id`` is the item's, kept here so retention and the change set
    find the case without a join."""

    __tablename__ = "panel_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("panel_item.id", ondelete="CASCADE"), index=True
    )
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner_name: Mapped[str | None] = mapped_column(String(120))
    agency: Mapped[str | None] = mapped_column(String(160))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))


# === attachments (#19, migration 0013) ===


class Attachment(Tracked, Base):
    """A file kept on a case (a signed consent form, a letter, a photo of a school report):
    its bytes live in ``content``, inside the database, so SQLCipher encrypts them with
    everything else and a backup holds them; never a loose file beside the database.
    ``content`` is deferred: listing a case's files never reads the blobs. ``created_*`` say
    who added it and when."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    young_person_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    file_name: Mapped[str] = mapped_column(String(255))  # as given, for the copy saved out
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    # Last of the columns (sort_order): SQLite keeps a big value in a chain of overflow pages
    # and reaches a later column only by walking that chain, so a list reading who and when
    # would read every file's bytes off the disk (31 files of 19 MB: 0.5 s).
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, sort_order=1000)



# === merging duplicates (#19, migration 0014) ===


class PersonMerge(Base):
    """Two records of one young person made one (``services.merging``): the kept record
    (``kept_id``) took the other's rows; the other (``merged_id``) stays as a tombstone
    pointing at it (``YoungPerson.merged_into_id``). ``choices`` is JSON ``{field: "kept" or
    "merged"}`` for each field that differed; ``kept_before`` is JSON of the kept record's
    values that the other's replaced, so an undo can put them back. Never deleted: an undone
    merge keeps its row, stamped ``undone_*``, so the history of both records reads whole."""

    __tablename__ = "person_merge"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    merged_id: Mapped[int] = mapped_column(
        ForeignKey("young_person.id", ondelete="CASCADE"), index=True
    )
    kept_case_ref: Mapped[str] = mapped_column(String(20))
    merged_case_ref: Mapped[str] = mapped_column(String(20))
    merged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[str] = mapped_column(Text, default="{}")
    kept_before: Mapped[str] = mapped_column(Text, default="{}")
    undone_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    rows: Mapped[list["PersonMergeRow"]] = relationship(
        cascade="all, delete-orphan", order_by="PersonMergeRow.id"
    )


class PersonMergeRow(Base):
    """One column of one row a merge changed (a session moved to the kept record, a further
    referral joined its open case): what it held before and after, so an undo moves exactly
    these rows back. ``row_key`` is the row's primary key as JSON (a list)."""

    __tablename__ = "person_merge_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(
        ForeignKey("person_merge.id", ondelete="CASCADE"), index=True
    )
    table_name: Mapped[str] = mapped_column(String(63))
    column_name: Mapped[str] = mapped_column(String(63))
    row_key: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[int | None] = mapped_column(Integer)
    new_value: Mapped[int | None] = mapped_column(Integer)


class AuditEvent(Base):
    """Append-only: database triggers refuse UPDATE and DELETE on this table.

    ``username`` is copied so the trail still reads after a user is renamed; ``changes`` is
    JSON ``{field: [old, new]}``.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    username: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    young_person_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[str | None] = mapped_column(Text)
    # The hash chain (``db.audit_chain``): SHA-256 of summary and changes (kept apart so a
    # redaction leaves the chain whole), and of this row's fields with the previous row's hash.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_event_person_at", "young_person_id", "at"),
        Index("ix_audit_event_user_at", "user_id", "at"),
    )


class AuditChainHead(Base):
    """The one row saying where the audit chain ends. Writers lock it (``FOR UPDATE`` on a
    server; SQLite's write lock is the whole file) so two transactions never fork the chain.
    ``failure_queue`` is JSON: the key of the failed sign-in queue kept in the key file."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    failure_queue: Mapped[str | None] = mapped_column(Text)


class CaseRefCounter(Base):
    """The last case number issued per year; bumped in the same transaction as its use."""

    __tablename__ = "case_ref_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class Setting(Base):
    """Organisation-wide settings (name, logo, protective marking, retention): JSON values."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
