"""Subject access (UK GDPR Art. 15): everything the unit holds about a young person, as a
machine-readable JSON file and a readable PDF, with items the manager withholds (for example
information about a third party, or whose release would put someone at risk) marked as
withheld with the reason, never silently left out.

Every column of every record is exported, read straight from the tables rather than through
the case screens, so a field added later is in the next export without anyone remembering to
add it. The PDF is drawn by ``reports.subject_access`` from the same data; the service takes
the renderer as an argument so this layer never imports the reports layer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from veru_desk.db.models import (
    Agency,
    Attachment,
    AuditEvent,
    Base,
    CaseNote,
    Contact,
    DocumentExport,
    GroupSession,
    InterventionPlan,
    MentoringSession,
    Outcome,
    OutcomeMeasure,
    OutcomeValue,
    PanelAction,
    PanelItem,
    PanelMeeting,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralReasonRow,
    ReferralTransition,
    RiskAssessment,
    SafeguardingFlagRecord,
    SeriesException,
    SessionSeries,
    Task,
    User,
    YoungPerson,
)
from veru_desk.domain.dates import format_uk_date, format_uk_datetime
from veru_desk.domain.enums import AuditAction, LabelledEnum, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.groups import group_label
from veru_desk.domain.panels import meeting_label
from veru_desk.services.access import require_role
from veru_desk.services.base import get_or_404, utc_to_local
from veru_desk.services.exports import write_then_record
from veru_desk.services.settings import OrgSettings, read_org
from veru_desk.services.snapshot import SnapshotService

SUBJECT_ACCESS_KIND = "subject_access"
FORMAT = "veru-desk-subject-access/1"
MAX_WITHHELD_REASON = 500

# Internal bookkeeping that says nothing about the person.
_SKIPPED_COLUMNS = frozenset(
    {"version", "sort_name", "case_ref_sort", "case_open", "current_referral_id", "content"}
)
_USER_COLUMNS = {
    "created_by_id": "created_by",
    "updated_by_id": "updated_by",
    "assessor_id": "assessor",
    "mentor_id": "mentor",
    "author_id": "author",
    "allocated_worker_id": "allocated_worker",
    "decided_by_id": "decided_by",
    "worker_id": "worker",
    "by_user_id": "by",
    "current_worker_id": "current_worker",
    "user_id": "user",
    "ended_by_id": "ended_by",
    "owner_user_id": "owner_user",
    "assignee_id": "assignee",
    "completed_by_id": "completed_by",
}
_AGENCY_COLUMNS = {
    "referring_agency_id": "referring_agency",
    "agency_id": "agency",
    "owner_agency_id": "owner_agency",
}
_LABELS = {
    "nhs_number": "NHS number",
    "send": "SEND",
    "dob": "Date of birth",
    "current_status": "Current status",
    "young_person_id": "Young person (record number)",
    "size_bytes": "Size (bytes)",  # an attached file's
    "sha256": "SHA-256 fingerprint",
    "media_type": "Kind of file",
    "id": "Record number",
}

_KIND_NAMES = {
    "person": "The young person's details",
    "contact": "Contact",
    "referral": "Referral",
    "transition": "Decision or status change",
    "assessment": "Risk assessment",
    "flag": "Safeguarding flag",
    "plan": "Intervention plan",
    "goal": "Goal",
    "action": "Action",
    "series": "Recurring sessions",
    "session": "Session",
    "outcome": "Outcome",
    "note": "Case note",
    "export": "Document",
    "panel": "Discussed at a panel meeting",
    "panel_action": "Panel action",
    "incident": "Incident",
    "link": "Link to another young person",
    "concern_link": "Link to a person of concern",
    "place_link": "Link to a place",
    "attachment": "Attached file",
    "task": "Task",
    "audit": "Audit event",
}

_TABLE_KINDS = {
    "young_person": "person",
    "contact": "contact",
    "referral": "referral",
    "risk_assessment": "assessment",
    "safeguarding_flag": "flag",
    "intervention_plan": "plan",
    "plan_goal": "goal",
    "plan_action": "action",
    "session_series": "series",
    "mentoring_session": "session",
    "outcome": "outcome",
    "case_note": "note",
    "document_export": "export",
    "panel_item": "panel",
    "panel_action": "panel_action",
    "incident": "incident",
    "person_link": "link",
    "concern_link": "concern_link",
    "place_link": "place_link",
    "attachment": "attachment",
    "task": "task",
}

PdfRenderer = Callable[["SubjectAccessData", Path], int]


@dataclass(frozen=True)
class Item:
    """One record as the PDF shows it: labelled values, children, or the withholding."""

    key: str
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    children: list[tuple[str, list[Item]]] = field(default_factory=list)
    withheld_reason: str | None = None


@dataclass(frozen=True)
class SubjectAccessData:
    person_id: int
    case_ref: str
    generated_at: dt.datetime  # local wall-clock time
    generated_by: str
    org: OrgSettings
    document: dict[str, Any]  # exactly what the JSON file holds
    sections: list[tuple[str, list[Item]]]  # the same content, in words, for the PDF
    withheld: dict[str, str]

    @property
    def item_count(self) -> int:
        def count(items: Iterable[Item]) -> int:
            return sum(1 + sum(count(c) for _t, c in item.children) for item in items)

        return sum(count(items) for _title, items in self.sections)


@dataclass(frozen=True)
class SubjectAccessResult:
    export_id: int
    json_path: Path
    pdf_path: Path
    pages: int
    items: int
    withheld: int
    attached_files: tuple[Path, ...] = ()  # the case's files, in a folder beside the PDF


def attached_files_folder(pdf_path: Path) -> Path:
    """Where a subject access export puts the case's attached files: a folder beside the PDF
    named after it, each file as "<item number> <its name>" (the JSON's ``saved_as``)."""
    return pdf_path.with_name(f"{pdf_path.stem} - attached files")


def _saved_as(row: Attachment) -> str:
    return f"{row.id} {row.file_name}"


# What each kind of record is called when listed on its own (the dialog's "What it is").
_ITEM_NAMES = {**_KIND_NAMES, "person": "Young person record"}
# The labels of the fields that say when a record is from and who wrote it, best first.
_WHEN_LABELS = (
    "Occurred at",
    "Planned start",
    "Assessed",
    "Received",
    "On date",
    "Achieved",
    "Recorded",
    "At",
    "Created at",
)
_WHO_LABELS = ("Author", "Assessor", "Mentor", "Decided by", "By", "Worker", "Created by")


def describe_item(item: Item) -> str:
    """An item in words, as a manager reads the list: "Case note 12/03/2026 by Priya Shah",
    "Young person record", "Risk assessment 02/02/2026 by Dariusz Wójcik". A withheld item
    is named by its kind only (its fields may be what is withheld)."""
    prefix = item.key.partition(":")[0]
    what = _ITEM_NAMES.get(prefix, prefix.replace("_", " ").capitalize())
    if prefix == "person":
        return what
    values = dict(item.fields)
    when = next((values[label] for label in _WHEN_LABELS if values.get(label)), "")
    who = next((values[label] for label in _WHO_LABELS if values.get(label)), "")
    return what + (f" {when.split(' ')[0]}" if when else "") + (f" by {who}" if who else "")


def _label(column: str) -> str:
    return _LABELS.get(column) or column.removesuffix("_on").replace("_", " ").capitalize()


# Times kept as typed, the wall-clock time something happened (as session times are), though
# their names end in "_at" like the moments the app stamps in UTC.
_WALL_CLOCK = frozenset({("incident", "occurred_at"), ("panel_meeting", "held_at")})


def _in_utc(table: str, column: str) -> bool:
    """Whether a time column holds UTC (``*_at``, stamped by the app, or a case note's time,
    which the notes service keeps in UTC) rather than a wall-clock time, which is shown as it
    is: converting those put an incident or a panel an hour late in summer time."""
    return (column == "at" or column.endswith("_at")) and (table, column) not in _WALL_CLOCK


def _json_value(table: str, column: str, value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat() + ("Z" if _in_utc(table, column) else "")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _shown_value(table: str, column: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return format_uk_datetime(utc_to_local(value) if _in_utc(table, column) else value)
    if isinstance(value, dt.date):
        return format_uk_date(value)
    return str(value)


class _Collector:
    """Builds the JSON tree and the PDF items side by side from the same rows."""

    def __init__(self, session: Session, withheld: Mapping[str, str]) -> None:
        self.session = session
        self.withheld = withheld
        self.seen: set[str] = set()
        self.users = dict(session.execute(select(User.id, User.display_name)).all())
        self.agencies = dict(session.execute(select(Agency.id, Agency.name)).all())

    def record(
        self,
        prefix: str,
        row: Base,
        title: str,
        *,
        extra: Mapping[str, tuple[Any, str]] | None = None,
        children: Iterable[tuple[str, str, list[tuple[dict[str, Any], Item]]]] = (),
    ) -> tuple[dict[str, Any], Item]:
        """``extra``: more fields as (JSON value, shown text); ``children``: (JSON name,
        PDF heading, records) nested under this one."""
        key = f"{prefix}:{row.id}"  # type: ignore[attr-defined]  # every record has an id
        self.seen.add(key)
        children = list(children)
        if key in self.withheld:
            reason = self.withheld[key]
            # The title may itself be the withheld content (a contact's name, a note's subject).
            return {"key": key, "withheld": True, "reason": reason}, Item(
                key, _KIND_NAMES.get(prefix, prefix.capitalize()), withheld_reason=reason
            )
        data: dict[str, Any] = {"key": key}
        shown: list[tuple[str, str]] = []
        table = str(row.__tablename__)
        for column in row.__table__.columns:
            name = column.key
            if name in _SKIPPED_COLUMNS:
                continue
            value = getattr(row, name)
            data[name] = _json_value(table, name, value)
            if name in _USER_COLUMNS:
                who = self.users.get(value) if value is not None else None
                data[_USER_COLUMNS[name]] = who
                if who:
                    shown.append((_label(_USER_COLUMNS[name]), who))
            elif name in _AGENCY_COLUMNS:
                agency = self.agencies.get(value) if value is not None else None
                data[_AGENCY_COLUMNS[name]] = agency
                if agency:
                    shown.append((_label(_AGENCY_COLUMNS[name]), agency))
            elif name != "young_person_id" and (text := _shown_value(table, name, value)):
                shown.append((_label(name), text))
        for name, (value, text) in (extra or {}).items():
            data[name] = value
            if text:
                shown.append((_label(name), text))
        item_children = []
        for json_name, heading, records in children:
            data[json_name] = [d for d, _i in records]
            if records:
                item_children.append((heading, [i for _d, i in records]))
        return data, Item(key, title, shown, item_children)


class SubjectAccessService(SnapshotService):
    def gather(
        self, person_id: int, withheld: Mapping[str, str] | None = None
    ) -> SubjectAccessData:
        """Everything held about the person, with ``withheld`` items (``"note:12"`` ->
        reason) replaced by the reason. Unknown keys are refused, so a typo cannot leave an
        item in that the manager meant to withhold.

        Read in one transaction (``_snapshot``): a save made on another PC meanwhile is in
        every section it touches or in none."""
        withheld = {k.strip(): " ".join((v or "").split()) for k, v in (withheld or {}).items()}
        errors = {
            f"withheld.{key}": "Give the reason this item is withheld."
            for key, reason in withheld.items()
            if not reason
        }
        errors.update(
            {
                f"withheld.{key}": f"Keep the reason under {MAX_WITHHELD_REASON} characters."
                for key, reason in withheld.items()
                if len(reason) > MAX_WITHHELD_REASON
            }
        )
        if errors:
            raise ValidationError(errors)
        with self._snapshot() as session:
            require_role(self.actor, Role.MANAGER, doing="make a subject access export")
            person = get_or_404(session, YoungPerson, person_id, "young person")
            collect = _Collector(session, withheld)
            sections = _gather(session, collect, person)
            unknown = sorted(set(withheld) - collect.seen)
            if unknown:
                raise ValidationError(
                    {
                        "withheld": (
                            f"No item {', '.join(unknown)} in this case: check the item "
                            "keys (for example note:12) against the export's list."
                        )
                    }
                )
            generated_at = dt.datetime.now().replace(microsecond=0)
            document: dict[str, Any] = {
                "format": FORMAT,
                "case_ref": person.case_ref,
                "generated_at": generated_at.isoformat(),
                "generated_by": self.actor.display_name,
                "organisation": read_org(session).name,
                "about_times": (
                    "Times ending in Z are UTC (when a record was saved); other times are UK "
                    "local time (when a session or event took place)."
                ),
                "withheld": [{"key": k, "reason": r} for k, r in sorted(withheld.items())],
            }
            for name, _title, pairs in sections:
                document[name] = pairs[0][0] if name == "person" else [d for d, _i in pairs]
            return SubjectAccessData(
                person_id=person_id,
                case_ref=person.case_ref,
                generated_at=generated_at,
                generated_by=self.actor.display_name,
                org=read_org(session),
                document=document,
                sections=[(title, [i for _d, i in pairs]) for _n, title, pairs in sections],
                withheld=dict(withheld),
            )

    def export(
        self,
        person_id: int,
        json_path: Path,
        pdf_path: Path,
        withheld: dict[str, str] | None = None,
        *,
        render_pdf: PdfRenderer,
    ) -> SubjectAccessResult:
        """Writes both files, then records the export and its audit event together.

        Both files or neither: the record is made only once both are in their place, and
        they are taken away again if it fails (``services.exports.write_then_record``).
        ``reports.subject_access.export_subject_access`` passes the PDF renderer."""
        if json_path.resolve() == pdf_path.resolve():
            raise ValidationError({"pdf_path": "Give the PDF and the JSON file different names."})
        data = self.gather(person_id, withheld)
        pages = 0
        folder = attached_files_folder(pdf_path)
        attached = [
            (entry["id"], folder / entry["saved_as"])
            for entry in data.document.get("attachments", [])
            if not entry.get("withheld")
        ]

        def copy_of(attachment_id: int) -> Callable[[Path], None]:
            def write(tmp: Path) -> None:
                # One file's bytes in memory at a time, read as the export writes it.
                with self._read() as session:
                    content = session.scalar(
                        select(Attachment.content).where(Attachment.id == attachment_id)
                    )
                tmp.write_bytes(content or b"")

            return write

        def write_json(tmp: Path) -> None:
            tmp.write_text(
                json.dumps(data.document, ensure_ascii=False, indent=2), encoding="utf-8"
            )

        def draw(tmp: Path) -> None:
            nonlocal pages
            pages = render_pdf(data, tmp)

        def record() -> SubjectAccessResult:
            with self._write() as session:
                require_role(self.actor, Role.MANAGER, doing="make a subject access export")
                export = DocumentExport(
                    young_person_id=person_id,
                    by_user_id=self.actor.user_id,
                    kind=SUBJECT_ACCESS_KIND,
                    prepared_for="The young person (subject access request)",
                    filename=pdf_path.name[:500],
                    pages=pages,
                )
                session.add(export)
                self._audit(
                    session,
                    AuditAction.EXPORT,
                    entity=export,
                    person_id=person_id,
                    summary=(
                        f"Subject access export of {data.case_ref}: {data.item_count} items, "
                        f"{len(data.withheld)} withheld, {pages} pages"
                    ),
                )
                session.flush()
                export_id = export.id
            return SubjectAccessResult(
                export_id,
                json_path,
                pdf_path,
                pages,
                data.item_count,
                len(data.withheld),
                tuple(path for _id, path in attached),
            )

        files: list[tuple[Path, Callable[[Path], object]]] = [
            (json_path, write_json),
            (pdf_path, draw),
        ]
        files.extend((path, copy_of(ident)) for ident, path in attached)
        return write_then_record(files, record)


_Pairs = list[tuple[dict[str, Any], Item]]


#: What a subject access export says of the other people in an incident.
OTHERS_WITHHELD = "withheld: other people's details are not part of this record"


def _incidents(session: Session, collect: _Collector, pid: int) -> _Pairs:
    """The incidents the young person was involved in: what happened, where, their own role,
    and how many others were involved; who those others are is withheld by default (third
    parties: young people on other cases, persons of concern)."""
    from sqlalchemy import func

    from veru_desk.db.models import Incident, IncidentParty, Place

    found = session.execute(
        select(Incident, IncidentParty.role)
        .join(IncidentParty, IncidentParty.incident_id == Incident.id)
        .where(IncidentParty.young_person_id == pid)
        .order_by(Incident.occurred_at, Incident.id)
    ).all()
    counts = dict(
        session.execute(
            select(IncidentParty.incident_id, func.count())
            .where(IncidentParty.incident_id.in_([i.id for i, _r in found]))
            .group_by(IncidentParty.incident_id)
        ).all()
    )
    items = []
    for incident, role in found:
        place = session.get(Place, incident.place_id) if incident.place_id else None
        where = None
        if place is not None:
            where = f"{place.name} ({place.postcode})" if place.postcode else place.name
        others = counts.get(incident.id, 1) - 1
        people = "1 other person" if others == 1 else f"{others} other people"
        items.append(
            collect.record(
                "incident",
                incident,
                f"{incident.kind.label}, {format_uk_datetime(incident.occurred_at)}",
                extra={
                    "place": (where, where or ""),
                    "role": (role.value, role.label),
                    "others_involved": (
                        others,
                        f"{people} ({OTHERS_WITHHELD})" if others else "",
                    ),
                },
            )
        )
    return items


def _gather(
    session: Session, collect: _Collector, person: YoungPerson
) -> list[tuple[str, str, _Pairs]]:
    pid = person.id

    def rows(model: type[Base], *where: Any, order: Any) -> list[Any]:
        return list(session.scalars(select(model).where(*where).order_by(*order)))

    sections: list[tuple[str, str, _Pairs]] = [
        ("person", "The young person", [collect.record("person", person, person.case_ref)])
    ]
    # Records of the same young person merged into this one (#19), as they were kept.
    sections.append(
        (
            "merged_records",
            "Other records of the young person, merged into this one",
            [
                collect.record("person", m, m.case_ref)
                for m in rows(
                    YoungPerson, YoungPerson.merged_into_id == pid, order=[YoungPerson.id]
                )
            ],
        )
    )
    sections.append(
        (
            "contacts",
            "Contacts",
            [
                collect.record("contact", c, c.name)
                for c in rows(Contact, Contact.young_person_id == pid, order=[Contact.id])
            ],
        )
    )
    referrals = []
    for r in rows(
        Referral, Referral.young_person_id == pid, order=[Referral.received_on, Referral.id]
    ):
        reasons = sorted(
            session.scalars(
                select(ReferralReasonRow.reason).where(ReferralReasonRow.referral_id == r.id)
            ),
            key=lambda reason: reason.label,
        )
        transitions = [
            collect.record("transition", t, f"{t.to_status.label} on {format_uk_date(t.on_date)}")
            for t in rows(
                ReferralTransition,
                ReferralTransition.referral_id == r.id,
                order=[ReferralTransition.id],
            )
        ]
        referrals.append(
            collect.record(
                "referral",
                r,
                f"Referral received {format_uk_date(r.received_on)}",
                extra={
                    "reasons": (
                        [x.value for x in reasons],
                        ", ".join(x.label for x in reasons),
                    )
                },
                children=[("transitions", "Decisions and status changes", transitions)],
            )
        )
    sections.append(("referrals", "Referrals", referrals))
    sections.append(
        (
            "risk_assessments",
            "Risk assessments",
            [
                collect.record("assessment", a, f"Assessment of {format_uk_date(a.assessed_on)}")
                for a in rows(
                    RiskAssessment,
                    RiskAssessment.young_person_id == pid,
                    order=[RiskAssessment.assessed_on, RiskAssessment.id],
                )
            ],
        )
    )
    sections.append(
        (
            "safeguarding_flags",
            "Safeguarding flags",
            [
                collect.record("flag", f, f"{f.kind.label} from {format_uk_date(f.started_on)}")
                for f in rows(
                    SafeguardingFlagRecord,
                    SafeguardingFlagRecord.young_person_id == pid,
                    order=[SafeguardingFlagRecord.started_on, SafeguardingFlagRecord.id],
                )
            ],
        )
    )
    sections.append(("incidents", "Incidents", _incidents(session, collect, pid)))
    plans = []
    for plan in rows(
        InterventionPlan,
        InterventionPlan.young_person_id == pid,
        order=[InterventionPlan.plan_version],
    ):
        goals = []
        for goal in rows(PlanGoal, PlanGoal.plan_id == plan.id, order=[PlanGoal.position]):
            actions = [
                collect.record("action", a, "Action")
                for a in rows(PlanAction, PlanAction.goal_id == goal.id, order=[PlanAction.id])
            ]
            goals.append(
                collect.record(
                    "goal",
                    goal,
                    f"Goal: {goal.domain.label}",
                    children=[("actions", "Actions", actions)],
                )
            )
        plans.append(
            collect.record(
                "plan",
                plan,
                f"Plan version {plan.plan_version}",
                children=[("goals", "Goals", goals)],
            )
        )
    sections.append(("plans", "Intervention plans", plans))
    series = []
    for s in rows(SessionSeries, SessionSeries.young_person_id == pid, order=[SessionSeries.id]):
        skipped = list(
            session.scalars(
                select(SeriesException)
                .where(SeriesException.series_id == s.id)
                .order_by(SeriesException.occurrence_start)
            )
        )
        series.append(
            collect.record(
                "series",
                s,
                "Recurring sessions",
                extra={
                    "skipped": (
                        [
                            {"date": e.occurrence_start.isoformat(), "reason": e.reason}
                            for e in skipped
                        ],
                        ", ".join(format_uk_datetime(e.occurrence_start) for e in skipped),
                    )
                },
            )
        )
    sections.append(("session_series", "Recurring session bookings", series))
    # A group session is named by its group; the others on its register are theirs, not here.
    groups = dict(
        session.execute(
            select(MentoringSession.id, GroupSession.title)
            .join(GroupSession, GroupSession.id == MentoringSession.group_session_id)
            .where(MentoringSession.young_person_id == pid)
        ).all()
    )
    sections.append(
        (
            "sessions",
            "Sessions",
            [
                collect.record(
                    "session",
                    s,
                    f"Session {format_uk_datetime(s.planned_start)}",
                    extra=(
                        {"group": (groups[s.id], group_label(groups[s.id]))}
                        if s.id in groups
                        else None
                    ),
                )
                for s in rows(
                    MentoringSession,
                    MentoringSession.young_person_id == pid,
                    order=[MentoringSession.planned_start, MentoringSession.id],
                )
            ],
        )
    )
    outcomes = []
    for o in rows(Outcome, Outcome.young_person_id == pid, order=[Outcome.recorded_on, Outcome.id]):
        scores = session.execute(
            select(OutcomeMeasure.name, OutcomeValue.value)
            .join(OutcomeMeasure, OutcomeMeasure.id == OutcomeValue.measure_id)
            .where(OutcomeValue.outcome_id == o.id)
            .order_by(OutcomeMeasure.name)
        ).all()
        outcomes.append(
            collect.record(
                "outcome",
                o,
                f"{o.point.label} outcome, {format_uk_date(o.recorded_on)}",
                extra={
                    "measures": (
                        [{"measure": n, "value": v} for n, v in scores],
                        "; ".join(f"{n}: {v} of 10" for n, v in scores),
                    )
                },
            )
        )
    sections.append(("outcomes", "Outcomes", outcomes))
    sections.append(
        (
            "notes",
            "Case notes",
            [
                collect.record("note", n, f"{n.subject}, {format_uk_datetime(n.occurred_at)}")
                for n in rows(
                    CaseNote,
                    CaseNote.young_person_id == pid,
                    order=[CaseNote.occurred_at, CaseNote.id],
                )
            ],
        )
    )
    # Tasks on the case, whoever they were for: what the unit set out to do for them.
    sections.append(
        (
            "tasks",
            "Tasks",
            [
                collect.record("task", t, f"{t.title}, due {format_uk_date(t.due_on)}")
                for t in rows(Task, Task.young_person_id == pid, order=[Task.due_on, Task.id])
            ],
        )
    )
    # The case's own discussions only: no other case on the agenda, no attendee list.
    panels = []
    for discussed, meeting in session.execute(
        select(PanelItem, PanelMeeting)
        .join(PanelMeeting, PanelMeeting.id == PanelItem.meeting_id)
        .where(PanelItem.young_person_id == pid)
        .order_by(PanelMeeting.held_at, PanelItem.id)
    ).all():
        label = meeting_label(meeting.panel_type, meeting.title, meeting.held_at.date())
        actions = [
            collect.record("panel_action", a, "Action")
            for a in rows(
                PanelAction, PanelAction.item_id == discussed.id, order=[PanelAction.id]
            )
        ]
        panels.append(
            collect.record(
                "panel",
                discussed,
                label,
                extra={
                    "meeting": (
                        {
                            "title": meeting.title,
                            "kind": meeting.panel_type.label,
                            "held_at": meeting.held_at.isoformat(timespec="minutes"),
                        },
                        f"{meeting.panel_type.label}: {label} "
                        f"({format_uk_datetime(meeting.held_at)})",
                    )
                },
                children=[("actions", "Actions agreed", actions)],
            )
        )
    sections.append(("panel_discussions", "Panel meetings that discussed the case", panels))
    sections.append(("network_links", "People and places linked", _network_links(collect, pid)))
    sections.append(
        (
            "attachments",
            "Files kept on the case",
            [
                collect.record(
                    "attachment",
                    a,
                    a.file_name,
                    extra={
                        "saved_as": (
                            _saved_as(a),
                            f"Beside this PDF, in its folder of attached files, as {_saved_as(a)}",
                        )
                    },
                )
                for a in rows(
                    Attachment,
                    Attachment.young_person_id == pid,
                    order=[Attachment.created_at, Attachment.id],
                )
            ],
        )
    )
    sections.append(
        (
            "exports",
            "Documents made from the case",
            [
                collect.record("export", e, e.kind.replace("_", " ").capitalize())
                for e in rows(
                    DocumentExport,
                    DocumentExport.young_person_id == pid,
                    order=[DocumentExport.at, DocumentExport.id],
                )
            ],
        )
    )
    events = []
    for e in rows(
        AuditEvent,
        or_(
            AuditEvent.young_person_id == pid,
            (AuditEvent.entity_type == "young_person") & (AuditEvent.entity_id == pid),
        ),
        order=[AuditEvent.at, AuditEvent.id],
    ):
        about = _TABLE_KINDS.get(e.entity_type or "")
        hidden = collect.withheld.get(f"{about}:{e.entity_id}") if about else None
        if hidden is None and about in _NETWORK_KINDS:
            hidden = THIRD_PARTY_WITHHELD  # its summary names the other person
        if hidden is not None:
            # What the event says about a withheld record is withheld with it.
            data, item = collect.record("audit", e, e.action.label)
            data["summary"] = data["changes"] = None
            data["withheld_detail"] = f"Describes a withheld {about}: {hidden}"
            item = Item(
                item.key,
                item.title,
                [
                    *[(k, v) for k, v in item.fields if k not in ("Summary", "Changes")],
                    ("Withheld", data["withheld_detail"]),
                ],
            )
            events.append((data, item))
            continue
        changes = json.loads(e.changes) if e.changes else None
        shown_changes = (
            "; ".join(f"{_label(k)}: {old} → {new}" for k, (old, new) in changes.items())
            if isinstance(changes, dict)
            else ""
        )
        data, item = collect.record("audit", e, e.action.label)
        if "changes" in data:
            data["changes"] = changes
            item = Item(
                item.key,
                item.title,
                [
                    (label, shown_changes if label == "Changes" else text)
                    for label, text in item.fields
                ],
            )
        events.append((data, item))
    sections.append(("audit_events", "Who looked at or changed the record (audit trail)", events))
    return sections


# --- who and where (#18) ----------------------------------------------------------------------

#: Withheld by default: the other young person's identity and a person of concern's details
#: are third parties' data (UK GDPR Art. 15(4)); the link itself is the young person's.
THIRD_PARTY_WITHHELD = "Third party's details withheld (another person's personal data)"
_NETWORK_KINDS = ("link", "concern_link", "place_link")
_THIRD_PARTY_COLUMNS = ("other_person_id", "person_of_concern_id", "place_id")


def _network_links(collect: _Collector, pid: int) -> _Pairs:
    """The young person's links, each with what kind of link it is, since when, on whose
    information and how sure; the other young person as "a young person on record (identity
    withheld)", a person of concern as "a person of concern (details withheld)", a place by
    its name (a place is not a person)."""
    from veru_desk.db.models import ConcernLink, PersonLink, Place, PlaceLink

    session = collect.session
    pairs: _Pairs = []

    def add(prefix: str, row: Any, title: str, other: str) -> None:
        data, item = collect.record(prefix, row, title, extra={"linked_to": (other, other)})
        for column in _THIRD_PARTY_COLUMNS:
            data.pop(column, None)
        if data.get("young_person_id") != pid:  # recorded from the other young person's side
            data["young_person_id"] = pid
        hidden = {_label(c) for c in _THIRD_PARTY_COLUMNS}
        item = Item(item.key, item.title, [f for f in item.fields if f[0] not in hidden],
                    item.children, item.withheld_reason)  # fmt: skip
        pairs.append((data, item))

    for lk in session.scalars(
        select(PersonLink)
        .where(or_(PersonLink.young_person_id == pid, PersonLink.other_person_id == pid))
        .order_by(PersonLink.id)
    ):
        words = lk.link_type.label if lk.young_person_id == pid else lk.link_type.reverse_label
        add("link", lk, words, "A young person on record (identity withheld)")
    for cl in session.scalars(
        select(ConcernLink).where(ConcernLink.young_person_id == pid).order_by(ConcernLink.id)
    ):
        add("concern_link", cl, cl.link_type.label, "A person of concern (details withheld)")
    for pl, place in session.execute(
        select(PlaceLink, Place)
        .join(Place, Place.id == PlaceLink.place_id)
        .where(PlaceLink.young_person_id == pid)
        .order_by(PlaceLink.id)
    ).all():
        add("place_link", pl, pl.link_type.label, f"{place.name} ({place.kind.label})")
    return pairs
