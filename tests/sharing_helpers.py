"""A sharing decision recorded the way a caseworker fills in the sharing step, for tests that
export the multi-agency profile."""

from __future__ import annotations

import datetime as dt

from veru_desk.domain.sharing import LawfulBasis, ShareSection, SharingDraft
from veru_desk.services import Services

MEETING = "Luton complex-case panel"
AGENCIES = ("Bedfordshire Police", "Challney High School", "Luton Children's Social Care")


def meeting_day() -> dt.date:
    return dt.date.today() + dt.timedelta(days=7)


def draft(
    basis: LawfulBasis = LawfulBasis.CONSENT,
    *,
    shared: frozenset[ShareSection] = frozenset(),
    meeting_on: dt.date | None = None,
    consent_given_by: str | None = "The young person and her mother (Ayşe Yılmaz), 01/12/2026",
    reason: str | None = None,
) -> SharingDraft:
    return SharingDraft(
        basis=basis,
        meeting=MEETING,
        meeting_on=meeting_on or meeting_day(),
        agencies=AGENCIES,
        shared=shared,
        consent_given_by=consent_given_by if basis is LawfulBasis.CONSENT else None,
        reason=reason
        if reason is not None or basis is LawfulBasis.CONSENT
        else "Knife carrying and threats from an older group: the panel needs the whole picture "
        "to keep her safe.",
    )


def decide(
    services: Services,
    person_id: int,
    basis: LawfulBasis = LawfulBasis.CONSENT,
    *,
    shared: frozenset[ShareSection] = frozenset(),
) -> int:
    """Records a decision (by default: consent, nothing special category shared); its id."""
    return services.sharing.record(person_id, draft(basis, shared=shared)).id
