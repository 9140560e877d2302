"""The caseworker's analysis of a case: what a panel reads first.

Structured fields the caseworker keeps up to date (the current position, what is going well,
the worries, what has changed since the last meeting, the young person's and the parent's or
carer's views, the recommendation to the panel). One record per case, versioned (a stale save
is refused, never overwrites), audited field by field. Where the unit requires it
(``settings.summaries_need_sign_off``) a manager signs it off; any later change clears the
sign-off, so a signature always covers the words printed beside it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import CaseAnalysis
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access, require_role
from veru_desk.services.base import Service, check_version, user_name, utc_to_local

MAX_FIELD_CHARS = 4000

#: Each field and its label, in the order the form and the summary show them.
ANALYSIS_FIELDS: tuple[tuple[str, str], ...] = (
    ("current_position", "Current position"),
    ("going_well", "What is going well"),
    ("worries", "What we are worried about"),
    ("what_changed", "What has changed since the last meeting"),
    ("young_person_view", "The young person's view"),
    ("parent_view", "The parent's or carer's view"),
    ("recommendation", "Recommendation to the panel"),
)


@dataclass(frozen=True)
class AnalysisInput:
    current_position: str | None = None
    going_well: str | None = None
    worries: str | None = None
    what_changed: str | None = None
    young_person_view: str | None = None
    parent_view: str | None = None
    recommendation: str | None = None


@dataclass(frozen=True)
class AnalysisView:
    person_id: int
    values: AnalysisInput
    version: int  # 0: nothing recorded yet
    updated_by: str | None
    updated_on: dt.date | None
    signed_off_by: str | None
    signed_off_on: dt.date | None

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self.values, name) for name, _label in ANALYSIS_FIELDS)

    def items(self) -> list[tuple[str, str | None]]:
        """(label, text) in the order they print."""
        return [(label, getattr(self.values, name)) for name, label in ANALYSIS_FIELDS]


def analysis_in(session: Session, person_id: int) -> AnalysisView:
    row = session.scalars(
        select(CaseAnalysis).where(CaseAnalysis.young_person_id == person_id)
    ).first()
    if row is None:
        return AnalysisView(person_id, AnalysisInput(), 0, None, None, None, None)

    def name(user_id: int | None) -> str | None:
        return user_name(session, user_id)

    return AnalysisView(
        person_id=person_id,
        values=AnalysisInput(**{f.name: getattr(row, f.name) for f in fields(AnalysisInput)}),
        version=row.version,
        updated_by=name(row.updated_by_id),
        updated_on=utc_to_local(row.updated_at).date() if row.updated_at else None,
        signed_off_by=name(row.signed_off_by_id),
        signed_off_on=utc_to_local(row.signed_off_at).date() if row.signed_off_at else None,
    )


class CaseAnalysisService(Service):
    def get(self, person_id: int) -> AnalysisView:
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read the case's analysis")
            return analysis_in(session, person_id)

    def save(
        self, person_id: int, values: AnalysisInput, expected_version: int | None
    ) -> AnalysisView:
        """Saves the analysis (``expected_version`` 0 for the first save); a change clears a
        manager's sign-off."""
        problems: dict[str, str] = {}
        cleaned: dict[str, str | None] = {}
        for name, label in ANALYSIS_FIELDS:
            text = (getattr(values, name) or "").strip()
            if len(text) > MAX_FIELD_CHARS:
                problems[name] = f"{label}: shorten it to {MAX_FIELD_CHARS} characters or fewer."
            cleaned[name] = stored_text(text) if text else None
        with self._write() as session:
            person = self._case_person(session, person_id, doing="change the case's analysis")
            if problems:
                raise ValidationError(problems)
            row = session.scalars(
                select(CaseAnalysis).where(CaseAnalysis.young_person_id == person_id)
            ).first()
            if row is None:
                if expected_version not in (None, 0):
                    raise ValidationError({"": "The analysis could not be found: open it again."})
                if not any(cleaned.values()):
                    return analysis_in(session, person_id)
                row = CaseAnalysis(young_person_id=person_id, **cleaned)
                self._create(
                    session,
                    row,
                    person_id=person_id,
                    summary=f"Caseworker's analysis of {person.case_ref} written",
                )
            else:
                check_version(session, row, expected_version)
                values_now = dict(cleaned)
                signed = row.signed_off_by_id is not None
                changes = self._updated(
                    session,
                    row,
                    values_now,
                    person_id=person_id,
                    summary=(
                        f"Caseworker's analysis of {person.case_ref} changed"
                        + ("; the manager's sign-off no longer applies" if signed else "")
                    ),
                )
                if changes and signed:
                    row.signed_off_by_id = None
                    row.signed_off_at = None
            session.flush()
            return analysis_in(session, person_id)

    def sign_off(self, person_id: int, expected_version: int) -> AnalysisView:
        """A manager signs off the analysis as it stands (the version they read)."""
        with self._write() as session:
            require_role(self.actor, Role.MANAGER, doing="sign off a caseworker's analysis")
            person = self._case_person(session, person_id, doing="sign off the case's analysis")
            row = session.scalars(
                select(CaseAnalysis).where(CaseAnalysis.young_person_id == person_id)
            ).first()
            if row is None:
                raise ValidationError(
                    {"": "There is no analysis to sign off yet: the caseworker writes it first."}
                )
            check_version(session, row, expected_version)
            row.signed_off_by_id = self.actor.user_id
            row.signed_off_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            # Not stamped as the manager's edit: the analysis stays the caseworker's words.
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=row,
                person_id=person_id,
                summary=f"Caseworker's analysis of {person.case_ref} signed off",
                changes={"signed_off_by": (None, self.actor.display_name)},
            )
            session.flush()
            return analysis_in(session, person_id)
