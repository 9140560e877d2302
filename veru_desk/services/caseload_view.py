"""What the caseload is made of: its rows, filters and sort orders.

Apart from the query service (``services.caseload``) so the caseload's table model and the
start-up reader (``services.quick_start``) can use them without importing SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from veru_desk.domain.dates import age_on
from veru_desk.domain.enums import ReferralStatus, RiskLevel
from veru_desk.domain.safeguarding import FlagKind

#: the statuses of an open case, in workflow order: the caseload's default view
OPEN_STATUSES: tuple[ReferralStatus, ...] = tuple(s for s in ReferralStatus if s.is_open_case)

# A stored value's member by a dictionary look-up: calling the enum costs a microsecond,
# three times a row on every page of the caseload.
_STATUS_OF = {status.value: status for status in ReferralStatus}
_RISK_OF = {level.value: level for level in RiskLevel}


class CaseloadSort(StrEnum):
    CASE_REF = "case_ref"
    NAME = "name"
    AGE = "age"
    STATUS = "status"
    RISK = "risk"
    WORKER = "worker"
    NEXT_REVIEW = "next_review"
    LAST_CONTACT = "last_contact"
    OVERDUE = "overdue"
    FLAGS = "flags"

    @property
    def label(self) -> str:
        """The column heading."""
        return _SORT_LABELS[self]


_SORT_LABELS = {
    CaseloadSort.CASE_REF: "Case reference",
    CaseloadSort.NAME: "Name",
    CaseloadSort.AGE: "Age",
    CaseloadSort.STATUS: "Status",
    CaseloadSort.RISK: "Risk",
    CaseloadSort.WORKER: "Caseworker",
    CaseloadSort.NEXT_REVIEW: "Next review",
    CaseloadSort.LAST_CONTACT: "Last contact",
    CaseloadSort.OVERDUE: "Overdue",
    CaseloadSort.FLAGS: "Flags",
}


@dataclass(frozen=True)
class CaseloadFilter:
    statuses: frozenset[ReferralStatus] = frozenset()
    worker_id: int | None = None
    risk_levels: frozenset[RiskLevel] = frozenset()
    overdue_only: bool = False  # a risk review, plan review or plan action is overdue
    # (``services.overdue``: due before today, on an open case)
    no_contact_yet: bool = False  # the current episode has no first contact recorded
    disengaged_only: bool = False
    text: str = ""  # matched exactly as the global search matches it
    open_only: bool = False
    #: cases with an active safeguarding flag of any of these kinds (empty: no filter)
    flag_kinds: frozenset[FlagKind] = frozenset()


@dataclass(frozen=True)
class CaseloadRow:
    person_id: int
    case_ref: str
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: dt.date
    age: int
    status: ReferralStatus | None
    risk_level: RiskLevel | None
    worker: str | None
    next_review_on: dt.date | None
    last_contact_on: dt.date | None
    disengaged: bool
    #: what is overdue, in words (``services.overdue``): empty when nothing is, None when
    #: not read yet (the start-up read leaves it to the first page fetched afterwards)
    overdue: str | None = None
    #: the kinds of safeguarding flag active today, in the domain's order; None when not
    #: read yet (as ``overdue``)
    flags: tuple[FlagKind, ...] | None = None


def driver_date(value: dt.date | str | None) -> dt.date | None:
    """A date column as either driver returns it: SQLite's bare driver gives ISO text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def caseload_row(
    values: Sequence[Any],
    today: dt.date,
    overdue: str | None = None,
    flags: tuple[FlagKind, ...] | None = None,
) -> CaseloadRow:
    """One row from the caseload's row query, columns in this order: id, case reference,
    first name, last name, preferred name, date of birth, status, risk level, caseworker's
    name, next review, last contact, disengaged. Through SQLAlchemy or a bare driver alike,
    so the service and the start-up reader make identical rows."""
    (pid, ref, first, last, preferred, born, status, risk, worker, review, contact, gone) = values
    date_of_birth = driver_date(born)
    assert date_of_birth is not None
    return CaseloadRow(
        person_id=pid,
        case_ref=ref,
        first_name=first,
        last_name=last,
        preferred_name=preferred,
        date_of_birth=date_of_birth,
        age=age_on(date_of_birth, today),
        status=None if status is None else _STATUS_OF[status],
        risk_level=None if risk is None else _RISK_OF[risk],
        worker=worker,
        next_review_on=driver_date(review),
        last_contact_on=driver_date(contact),
        disengaged=bool(gone),
        overdue=overdue,
        flags=flags,
    )
