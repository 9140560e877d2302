"""Who may do what. Checked in the services, so hiding a button is never the only guard.

Caseworkers see and edit their own cases and create referrals; managers see all cases,
triage, allocate, reopen and run reports; administrators manage users, settings and backups
and see no case data unless they also hold a case role.

A caseworker's *own* cases are the ones allocated to them now, and the records they entered
themselves whose referral is still awaiting triage (so the person who typed a referral in can
still read and correct it until a manager decides). Entering a further referral for someone
else's record does not make it theirs: that would let anyone read a colleague's case by
typing a referral. Everyone else is at most "on record" to them (``services.people``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from veru_desk.db.models import Referral, YoungPerson
from veru_desk.domain.enums import ReferralStatus, Role
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services.actor import Actor

AWAITING_TRIAGE = (ReferralStatus.RECEIVED, ReferralStatus.SCREENING)


def require_role(actor: Actor, *roles: Role, doing: str) -> None:
    """Raises unless the actor holds one of ``roles`` (the service runner audits it)."""
    if actor.roles & set(roles):
        return
    names = " or ".join(r.label.lower() for r in roles)
    article = "an" if names[:1] in ("a", "e", "i", "o", "u") else "a"
    raise PermissionDenied(
        f"Only {article} {names} can {doing}.", attempted=f"{doing}: needs {names}"
    )


def own_cases(actor: Actor) -> ColumnElement[bool]:
    """A condition on ``YoungPerson``: the cases ``actor`` may read in full (see above)."""
    if actor.is_manager:
        return true()
    if Role.CASEWORKER not in actor.roles or actor.user_id is None:
        return false()
    entered = exists().where(
        Referral.id == YoungPerson.current_referral_id,
        Referral.created_by_id == actor.user_id,
        Referral.status.in_(AWAITING_TRIAGE),
    )
    return or_(
        YoungPerson.current_worker_id == actor.user_id,
        and_(
            YoungPerson.current_worker_id.is_(None),
            YoungPerson.created_by_id == actor.user_id,
            entered,
        ),
    )


def own_case_ids(actor: Actor) -> Select[int]:
    """The ids of a caseworker's own cases, driven from indexed columns (their allocation,
    the referrals awaiting triage): a handful of rows however large the database, so a
    search can be narrowed to them before it looks at any name. Managers: use ``own_cases``.
    """
    if Role.CASEWORKER not in actor.roles or actor.user_id is None:
        return select(YoungPerson.id).where(false())
    allocated = select(YoungPerson.id).where(YoungPerson.current_worker_id == actor.user_id)
    entered = (
        select(YoungPerson.id)
        .join(Referral, Referral.id == YoungPerson.current_referral_id)
        .where(
            Referral.status.in_(AWAITING_TRIAGE),
            Referral.created_by_id == actor.user_id,
            YoungPerson.created_by_id == actor.user_id,
            YoungPerson.current_worker_id.is_(None),
        )
    )
    return allocated.union(entered)  # type: ignore[return-value]  # a UNION of ids; callers only in_() it


def can_see_case(session: Session, actor: Actor, person_id: int) -> bool:
    if actor.is_manager:
        return True
    if Role.CASEWORKER not in actor.roles or actor.user_id is None:
        return False
    mine = exists().where(YoungPerson.id == person_id, own_cases(actor))
    return bool(session.scalar(select(mine)))


def require_referral_access(
    session: Session, actor: Actor, referral: Referral, *, doing: str
) -> None:
    """A referral is readable by managers, by whoever may open its case, and by the caseworker
    who entered it while it awaits triage (a further referral of a colleague's open case
    included: they may read and correct what they typed, not the case)."""
    entered_it = (
        Role.CASEWORKER in actor.roles
        and actor.user_id is not None
        and referral.created_by_id == actor.user_id
        and referral.status.awaiting_triage
    )
    if not (actor.is_manager or entered_it):
        require_case_access(session, actor, referral.young_person_id, doing=doing)


def require_case_access(session: Session, actor: Actor, person_id: int, *, doing: str) -> None:
    if not can_see_case(session, actor, person_id):
        raise PermissionDenied(
            "This case is not allocated to you. Ask a manager if you need to work on it.",
            attempted=doing,
            person_id=person_id,
        )
