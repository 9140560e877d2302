"""The sharing decision behind a multi-agency summary: recorded, approved where consent was
refused, and used by exactly one export.

The rules (which bases, which checks against the referral's consent, which sections are
withheld by default) are in ``domain.sharing``; this module stores the decision, audits it
and refuses an export whose decision is not ready.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import Referral, SharingDecision, YoungPerson
from veru_desk.domain.dates import age_on, format_uk_date
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ConflictError, PermissionDenied, ValidationError
from veru_desk.domain.sharing import (
    WITHHELD_BY_DEFAULT,
    LawfulBasis,
    ReferralConsent,
    ShareSection,
    SharingDraft,
    decision_problems,
    handling_instruction,
    needs_manager_approval,
)
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access, require_role
from veru_desk.services.base import Service, get_or_404, user_name, utc_to_local


@dataclass(frozen=True)
class SharingDecisionView:
    id: int
    person_id: int
    export_id: int | None
    decided_on: dt.date
    decided_by: str | None
    basis: LawfulBasis
    consent_given_by: str | None
    reason: str | None
    consent_on_referral: str | None
    meeting: str
    meeting_on: dt.date
    agencies: tuple[str, ...]
    shared: frozenset[ShareSection]
    destroy_after: dt.date
    needs_approval: bool
    approved_by: str | None
    approved_on: dt.date | None

    @property
    def withheld(self) -> frozenset[ShareSection]:
        return WITHHELD_BY_DEFAULT - self.shared

    @property
    def ready(self) -> bool:
        """May be used for an export: approved where approval is needed."""
        return not self.needs_approval or self.approved_by is not None

    @property
    def handling(self) -> str:
        return handling_instruction(self.destroy_after)

    @property
    def basis_text(self) -> str:
        """The basis as the cover prints it."""
        if self.basis is LawfulBasis.CONSENT:
            return f"Consent, given by {self.consent_given_by or 'not recorded'}"
        return f"{self.basis.label}: {self.reason or 'no reason recorded'}"

    @property
    def approval_text(self) -> str:
        if not self.needs_approval:
            return "Not needed (consent was not refused)"
        if self.approved_by is None:
            return "Awaiting a manager's approval (consent was refused on the referral)"
        return f"Approved by {self.approved_by} on {format_uk_date(self.approved_on)}"

    @property
    def meeting_text(self) -> str:
        return f"{self.meeting}, {format_uk_date(self.meeting_on)}"


def _sections(codes: str) -> frozenset[ShareSection]:
    return frozenset(ShareSection(code) for code in codes.split(",") if code)


def view_of(session: Session, row: SharingDecision) -> SharingDecisionView:
    def name(user_id: int | None) -> str | None:
        return user_name(session, user_id)

    return SharingDecisionView(
        id=row.id,
        person_id=row.young_person_id,
        export_id=row.document_export_id,
        decided_on=row.decided_on,
        decided_by=name(row.decided_by_id),
        basis=LawfulBasis(row.basis),
        consent_given_by=row.consent_given_by,
        reason=row.reason,
        consent_on_referral=row.consent_on_referral,
        meeting=row.meeting,
        meeting_on=row.meeting_on,
        agencies=tuple(line for line in row.agencies.splitlines() if line),
        shared=_sections(row.shared_sections),
        destroy_after=row.destroy_after,
        needs_approval=row.needs_approval,
        approved_by=name(row.approved_by_id),
        approved_on=utc_to_local(row.approved_at).date() if row.approved_at else None,
    )


def referral_consent(session: Session, person: YoungPerson, on: dt.date) -> ReferralConsent | None:
    """The consent recorded on the case's current episode, or None when it has no referral."""
    referral = (
        session.get(Referral, person.current_referral_id) if person.current_referral_id else None
    )
    if referral is None:
        return None
    return ReferralConsent(
        young_person=referral.consent_young_person,
        parent=referral.consent_parent,
        young_person_under_16=age_on(person.date_of_birth, max(on, person.date_of_birth)) < 16,
    )


def ready_decision_in(
    session: Session, actor_name: str, person_id: int, decision_id: int | None
) -> SharingDecision:
    """The decision an export of the multi-agency profile uses, checked: it is this case's,
    not used by another export, and approved where approval is needed. ``decision_id`` None
    takes the case's latest unused decision."""
    if decision_id is None:
        row = session.scalars(
            select(SharingDecision)
            .where(
                SharingDecision.young_person_id == person_id,
                SharingDecision.document_export_id.is_(None),
            )
            .order_by(SharingDecision.id.desc())
            .limit(1)
        ).first()
        if row is None:
            raise ValidationError(
                {
                    "sharing": "Record a sharing decision first (lawful basis, meeting, "
                    "agencies and what is shared): a multi-agency summary cannot be exported "
                    "without one."
                }
            )
    else:
        row = get_or_404(session, SharingDecision, decision_id, "sharing decision")
        if row.young_person_id != person_id:
            raise ValidationError({"sharing": "That sharing decision is for another case."})
        if row.document_export_id is not None:
            raise ConflictError(
                "That sharing decision was used for an earlier export: record a new decision "
                "for this one."
            )
    if row.needs_approval and row.approved_by_id is None:
        raise PermissionDenied(
            "A manager must approve the sharing decision before this summary can be shared: "
            "consent was refused on the referral. Ask a manager to approve it, then export "
            "again. Nothing was exported.",
            attempted=(
                f"{actor_name} tried to export a multi-agency summary without a manager's "
                "approval of sharing against refused consent"
            ),
            person_id=person_id,
        )
    return row


class SharingService(Service):
    def consent_for(self, person_id: int, on: dt.date | None = None) -> ReferralConsent | None:
        """What the sharing step checks the basis against (the current referral's consent)."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read a case's consent")
            person = get_or_404(session, YoungPerson, person_id, "young person")
            return referral_consent(session, person, on or dt.date.today())

    def record(
        self, person_id: int, draft: SharingDraft, *, today: dt.date | None = None
    ) -> SharingDecisionView:
        """Records the decision (validated against the referral's consent, audited). Where
        consent was refused a manager's own decision is approved by them; a caseworker's
        waits for a manager's approval."""
        today = today or dt.date.today()
        with self._write() as session:
            person = self._case_person(session, person_id, doing="record a sharing decision")
            consent = referral_consent(session, person, today)
            problems = decision_problems(draft, consent, today)
            if problems:
                raise ValidationError(problems)
            assert draft.meeting_on is not None  # checked above
            approval = needs_manager_approval(draft, consent)
            approved_here = approval and self.actor.is_manager
            is_consent = draft.basis is LawfulBasis.CONSENT
            agencies = [a for a in (" ".join(a.split()) for a in draft.agencies) if a]
            row = SharingDecision(
                young_person_id=person_id,
                referral_id=person.current_referral_id,
                decided_on=today,
                decided_by_id=self.actor.user_id,
                basis=draft.basis.value,
                consent_given_by=(
                    stored_text(" ".join((draft.consent_given_by or "").split()))
                    if is_consent
                    else None
                ),
                reason=None if is_consent else stored_text(" ".join((draft.reason or "").split())),
                consent_on_referral=consent.text if consent else "No referral recorded",
                meeting=stored_text(" ".join(draft.meeting.split())) or "",
                meeting_on=draft.meeting_on,
                agencies="\n".join(stored_text(a) or "" for a in agencies),
                shared_sections=",".join(s.value for s in ShareSection if s in draft.shared),
                destroy_after=draft.destroy_after or draft.meeting_on,
                needs_approval=approval,
                approved_by_id=self.actor.user_id if approved_here else None,
                approved_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) if approved_here else None,
            )
            session.add(row)
            session.flush()
            view = view_of(session, row)
            waits = " Awaiting a manager's approval." if approval and not approved_here else ""
            approved = " Approved by the manager recording it." if approved_here else ""
            self._audit(
                session,
                AuditAction.CREATE,
                entity=row,
                person_id=person_id,
                summary=(
                    f"Sharing decision for {person.case_ref} recorded: {view.basis.label}; "
                    f"{view.meeting_text}; agencies: {', '.join(view.agencies)}; shared: "
                    f"{_names(view.shared)}; withheld: {_names(view.withheld)}."
                    f"{approved}{waits}"
                ),
            )
            return view

    def approve(self, decision_id: int) -> SharingDecisionView:
        """A manager approves sharing against refused consent (audited with their name)."""
        with self._write() as session:
            row = get_or_404(session, SharingDecision, decision_id, "sharing decision")
            require_role(self.actor, Role.MANAGER, doing="approve a sharing decision")
            person = self._case_person(
                session, row.young_person_id, doing="approve a sharing decision"
            )
            if row.document_export_id is not None:
                raise ConflictError("That sharing decision has been used for an export already.")
            if not row.needs_approval or row.approved_by_id is not None:
                return view_of(session, row)
            row.approved_by_id = self.actor.user_id
            row.approved_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            session.flush()
            view = view_of(session, row)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity=row,
                person_id=row.young_person_id,
                summary=(
                    f"Sharing decision for {person.case_ref} ({view.meeting_text}) approved "
                    f"by {self.actor.display_name}: sharing although consent was refused "
                    f"({view.consent_on_referral}), under {view.basis.label}."
                ),
                changes={"approved_by": (None, self.actor.display_name)},
            )
            return view

    def get(self, decision_id: int) -> SharingDecisionView:
        with self._read() as session:
            row = get_or_404(session, SharingDecision, decision_id, "sharing decision")
            require_case_access(
                session, self.actor, row.young_person_id, doing="read a sharing decision"
            )
            return view_of(session, row)

    def for_export(self, export_id: int) -> SharingDecisionView | None:
        """The decision a multi-agency summary was shared under (None for other exports)."""
        with self._read() as session:
            row = session.scalars(
                select(SharingDecision).where(SharingDecision.document_export_id == export_id)
            ).first()
            if row is None:
                return None
            require_case_access(
                session, self.actor, row.young_person_id, doing="read a sharing decision"
            )
            return view_of(session, row)

    def pending(self, person_id: int) -> list[SharingDecisionView]:
        """The case's decisions not yet used by an export, newest first."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read sharing decisions")
            rows = session.scalars(
                select(SharingDecision)
                .where(
                    SharingDecision.young_person_id == person_id,
                    SharingDecision.document_export_id.is_(None),
                )
                .order_by(SharingDecision.id.desc())
            ).all()
            return [view_of(session, row) for row in rows]


def _names(sections: frozenset[ShareSection]) -> str:
    ordered = [s.label.lower() for s in ShareSection if s in sections]
    return ", ".join(ordered) if ordered else "none"
