"""The caseload: every case as a sortable, filterable table that stays smooth at 100,000
people.

The table model reads the first page's rows first (``first_rows``), then the ids of the whole
query (one light query returning integers only), which also count the cases, and fetches
further rows a page at a time as the view scrolls, so no list ever loads ORM objects in bulk
(see STYLE.md, Anki). Every column comes from the summary kept on ``young_person`` by
``case_state.refresh``, so a row costs one index lookup and nothing is aggregated per row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, or_, select
from sqlalchemy.orm import Session

from veru_desk.db.models import Referral, SafeguardingFlagRecord, User, YoungPerson
from veru_desk.domain.enums import AuditAction, ReferralStatus, RiskLevel, Role
from veru_desk.services.access import require_role
from veru_desk.services.actor import Actor
from veru_desk.services.base import Service
from veru_desk.services.caseload_view import (
    OPEN_STATUSES,
    CaseloadFilter,
    CaseloadRow,
    CaseloadSort,
    caseload_row,
    driver_date,
)
from veru_desk.services.overdue import (
    OverdueDetail,
    actions_overdue_count,
    anything_overdue,
    open_case,
    open_case_by_name,
    plan_review_due,
)
from veru_desk.services.people import common_name_prefixes, search_query
from veru_desk.services.safeguarding import active_kinds_column, kinds_from

__all__ = ["CaseloadFilter", "CaseloadRow", "CaseloadService", "CaseloadSort"]

_ROWS_PER_QUERY = 500


def _scope(actor: Actor) -> ColumnElement[bool]:
    """Managers supervise every caseload; a caseworker's caseload is their own cases. A record
    merged into another is nobody's case: the few tombstones are looked up once per query
    (their index), so the covering indexes the lists walk still answer without the rows."""
    merged_away = select(YoungPerson.id).where(YoungPerson.merged_into_id.is_not(None))
    if actor.is_manager:
        return YoungPerson.id.not_in(merged_away)
    return YoungPerson.current_worker_id == actor.user_id


def _conditions(
    flt: CaseloadFilter, today: dt.date, *, postgresql: bool
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.statuses:
        conditions.append(YoungPerson.current_status.in_(sorted(flt.statuses)))
    if flt.open_only:
        # Open cases alone (a worker's, or everyone's) come in name order from their own
        # index; with any other filter, that filter's index or the status index leads, and
        # SQLite would otherwise walk every open case in name order to find a few.
        alone = flt == CaseloadFilter(open_only=True, worker_id=flt.worker_id)
        conditions.append(open_case_by_name() if alone else open_case())
    if flt.worker_id is not None:
        conditions.append(YoungPerson.current_worker_id == flt.worker_id)
    if flt.risk_levels:
        conditions.append(YoungPerson.current_risk_level.in_(sorted(flt.risk_levels)))
    if flt.disengaged_only:
        conditions.append(YoungPerson.disengaged.is_(True))
    if flt.no_contact_yet:
        conditions.append(
            exists().where(
                Referral.id == YoungPerson.current_referral_id,
                Referral.first_contact_on.is_(None),
            )
        )
    if flt.overdue_only:
        conditions.append(anything_overdue(today))
    if flt.flag_kinds:
        conditions.append(
            exists().where(
                SafeguardingFlagRecord.young_person_id == YoungPerson.id,
                SafeguardingFlagRecord.kind.in_(sorted(flt.flag_kinds)),
                *_flag_active(today),
            )
        )
    if flt.text.strip():
        found = search_query(flt.text, postgresql=postgresql).order_by(None)
        conditions.append(YoungPerson.id.in_(found))
    return conditions


def _flag_active(today: dt.date) -> list[ColumnElement[bool]]:
    """A safeguarding flag holding today (``domain.safeguarding.is_active``)."""
    return [
        SafeguardingFlagRecord.started_on <= today,
        or_(SafeguardingFlagRecord.ended_on.is_(None), SafeguardingFlagRecord.ended_on > today),
    ]


def _active_flag_count(today: dt.date) -> ColumnElement[int]:
    return (
        select(func.count(SafeguardingFlagRecord.id))
        .where(SafeguardingFlagRecord.young_person_id == YoungPerson.id, *_flag_active(today))
        .scalar_subquery()
    )


def _ranked(column: Any, members: Sequence[Any]) -> ColumnElement[int]:
    """Orders an enum column by meaning (workflow order, risk rank), not alphabetically."""
    return case({m: i for i, m in enumerate(members)}, value=column, else_=None)


def _order(sort: CaseloadSort, descending: bool, today: dt.date) -> list[Any]:
    """The sort column, blanks last either way (as a spreadsheet does), then name and id so
    that equal values keep a stable order between fetches."""
    if sort is CaseloadSort.OVERDUE:
        # overdue cases first (ascending), then by the risk review's date
        flag = case((anything_overdue(today), 0), else_=1)
        review = YoungPerson.next_review_on
        return [
            flag.desc() if descending else flag,
            (review.desc() if descending else review.asc()).nulls_last(),
            YoungPerson.sort_name,
            YoungPerson.id,
        ]
    if sort is CaseloadSort.FLAGS:
        # the most active flags first (ascending), as the overdue column puts overdue first
        count = _active_flag_count(today)
        return [count.asc() if descending else count.desc(), YoungPerson.sort_name, YoungPerson.id]
    if sort is CaseloadSort.NAME:
        if descending:
            return [YoungPerson.sort_name.desc(), YoungPerson.id.desc()]
        return [YoungPerson.sort_name, YoungPerson.id]
    if sort is CaseloadSort.CASE_REF:
        # The order references were given: VERU-2026-99999 before VERU-2026-100000.
        return [YoungPerson.case_ref_sort.desc() if descending else YoungPerson.case_ref_sort]
    if sort is CaseloadSort.AGE:
        # Youngest first means the latest date of birth first.
        key: Any = YoungPerson.date_of_birth
        return [key if descending else key.desc(), YoungPerson.sort_name, YoungPerson.id]
    key = {
        CaseloadSort.STATUS: _ranked(YoungPerson.current_status, list(ReferralStatus)),
        CaseloadSort.RISK: _ranked(YoungPerson.current_risk_level, list(RiskLevel)),
        CaseloadSort.WORKER: (
            select(User.display_name)
            .where(User.id == YoungPerson.current_worker_id)
            .scalar_subquery()
        ),
        CaseloadSort.NEXT_REVIEW: YoungPerson.next_review_on,
        CaseloadSort.LAST_CONTACT: YoungPerson.last_contact_on,
    }[sort]
    ordered = key.desc() if descending else key.asc()
    return [ordered.nulls_last(), YoungPerson.sort_name, YoungPerson.id]


def _fetch_ints(session: Session, query: Select[Any]) -> list[int]:
    """Reads one integer column straight from the driver's cursor.

    SQLAlchemy still compiles the query and converts its parameters; skipping its per-row
    result processing (which integers do not need) makes 100,000 ids several times faster
    to read, the difference between a caseload that opens at once and one that stutters.
    """
    result = session.connection().execute(query)
    try:
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


def _fetch_rows(session: Session, query: Select[*tuple[Any, ...]]) -> Sequence[Any]:
    """``_fetch_ints`` for rows: the driver's own values (SQLite gives dates as ISO text,
    which ``caseload_row`` reads)."""
    result = session.connection().execute(query)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def _overdue_text(values: Sequence[Any], today: dt.date) -> str:
    """The "Overdue" column (``overdue.OverdueDetail``) of a row of ``CaseloadService.rows``:
    only an open case has anything overdue; the risk review's date is the row's own."""
    if values[6] not in _OPEN_VALUES:
        return ""
    plan_review_on, actions = values[12], values[13]
    if plan_review_on is None and not actions and values[9] is None:
        return ""
    return OverdueDetail(driver_date(values[9]), driver_date(plan_review_on), actions or 0).text(
        today
    )


#: The open statuses as the driver gives them.
_OPEN_VALUES = frozenset(status.value for status in OPEN_STATUSES)


@functools.lru_cache(maxsize=2)  # today's (and yesterday's, just after midnight)
def _row_query(today: dt.date) -> Select[*tuple[Any, ...]]:
    """The caseload row's columns (``_row``), each case's caseworker joined: what is overdue
    and the active flags are correlated columns (an index look-up each per row).

    Built once a day: its correlated columns took a millisecond to build, on every page and
    every first screen of the caseload. A statement is never changed in place (``where``,
    ``order_by`` and ``limit`` make new ones), so one can serve every call and thread."""
    return select(
        YoungPerson.id,
        YoungPerson.case_ref,
        YoungPerson.first_name,
        YoungPerson.last_name,
        YoungPerson.preferred_name,
        YoungPerson.date_of_birth,
        YoungPerson.current_status,
        YoungPerson.current_risk_level,
        User.display_name,
        YoungPerson.next_review_on,
        YoungPerson.last_contact_on,
        YoungPerson.disengaged,
        plan_review_due(today),
        actions_overdue_count(today),
        active_kinds_column(today),
    ).outerjoin(User, User.id == YoungPerson.current_worker_id)


def _row(values: Sequence[Any], today: dt.date) -> CaseloadRow:
    """A row of ``_row_query`` as the driver gives it."""
    return caseload_row(values[:12], today, _overdue_text(values, today), kinds_from(values[14]))


class CaseloadService(Service):
    def ids(
        self,
        flt: CaseloadFilter,
        sort: CaseloadSort = CaseloadSort.NAME,
        descending: bool = False,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[int]:
        """The ids of the matching cases in display order: integers only, one query.

        ``limit`` lets the table show its first screen at once (with ``count`` for the scroll
        bar) and fetch the full list afterwards, off the GUI thread.
        """
        with self._read() as session:
            query = self._query(session, select(YoungPerson.id), flt).order_by(
                *_order(sort, descending, dt.date.today())
            )
            if limit is not None or offset:
                query = query.limit(limit).offset(offset)
            return _fetch_ints(session, query)

    def first_rows(
        self,
        flt: CaseloadFilter,
        sort: CaseloadSort = CaseloadSort.NAME,
        descending: bool = False,
        *,
        limit: int,
    ) -> tuple[list[CaseloadRow], int | None]:
        """The first ``limit`` rows in display order, and how many match in all when they are
        fewer than ``limit`` (None when there may be more: counting them is as long as the
        list, 8 ms for 54,759 open cases at 300,000 people, and the table reads the whole
        list of ids next anyway, ``ids``). The rows come with the order, not by id
        afterwards: one statement, where the ids and then their rows took two and 200
        look-ups more."""
        today = dt.date.today()
        with self._read() as session:
            query = self._query(session, _row_query(today), flt).order_by(
                *_order(sort, descending, today)
            )
            rows = [_row(values, today) for values in _fetch_rows(session, query.limit(limit))]
        return rows, (len(rows) if len(rows) < limit else None)

    def count(self, flt: CaseloadFilter) -> int:
        with self._read() as session:
            query = self._query(session, select(func.count(YoungPerson.id)), flt)
            return session.scalar(query) or 0

    def rows(self, ids: Sequence[int]) -> list[CaseloadRow]:
        """The rows for ``ids`` (a page of the table), in the order given.

        Ids the user may not see, or of records erased since ``ids`` ran, are left out, so
        the model should key its cache by ``person_id`` rather than by position.
        """
        if not ids:
            return []
        today = dt.date.today()
        found: dict[int, CaseloadRow] = {}
        # One statement a page: what is overdue and the active flags are columns of it (each
        # an index look-up per row), and its rows are read from the driver as they come. As
        # five statements through the ORM, a page took 9 ms at 100,000 people, 1.6 of them SQL.
        with self._read() as session:
            self._require_case_role()
            for start in range(0, len(ids), _ROWS_PER_QUERY):
                chunk = list(ids[start : start + _ROWS_PER_QUERY])
                query = _row_query(today).where(YoungPerson.id.in_(chunk), _scope(self.actor))
                for values in _fetch_rows(session, query):
                    found[values[0]] = _row(values, today)
        return [found[i] for i in ids if i in found]

    def record_export(self, count: int, what: str) -> None:
        """Leaves a trace of a caseload that leaves the app as a file (``veru-desk cases
        --format csv``): who took how many young people's details, as every export does."""
        with self._write() as session:
            self._require_case_role()
            self._audit(
                session,
                AuditAction.EXPORT,
                entity_type="caseload",
                summary=f"Caseload exported ({what}): {count} {'case' if count == 1 else 'cases'}",
            )

    def _query(self, session: Session, query: Select[Any], flt: CaseloadFilter) -> Select[Any]:
        self._require_case_role()
        postgresql = self._server_wording(session, flt.text)
        return query.select_from(YoungPerson).where(
            _scope(self.actor), *_conditions(flt, dt.date.today(), postgresql=postgresql)
        )

    def _server_wording(self, session: Session, text: str) -> bool:
        """Whether a name filter is worded for PostgreSQL (``people._name_matches``): for a
        manager's whole caseload when the name is not a common prefix. On a server at 130,000
        people, "Q" went from 14.0 to 3.9 ms and "Ma K" from 21.1 to 7.3. A common prefix
        ("M": a fifth of everyone) is read best by the join it had (33.8 ms against 53.7),
        and a caseworker's list is narrowed to their own cases first ("Z" 7.9 against 9.3)."""
        if self.db.is_sqlite or not self.actor.is_manager or not text.strip():
            return False
        return not common_name_prefixes(session, text)

    def _require_case_role(self) -> None:
        require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="see the caseload")
