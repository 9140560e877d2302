"""Who may do what. Checked in the services, so hiding a button is never the only guard.

Caseworkers see and edit the cases allocated to them and create referrals; managers see all
cases, triage, allocate, reopen and run reports; administrators manage users, settings and
backups and see no case data unless they also hold a case role.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from veru_desk.db.models import Referral, YoungPerson
from veru_desk.domain.enums import Role
from veru_desk.domain.errors import PermissionDenied
from veru_desk.services.actor import Actor


def require_role(actor: Actor, *roles: Role, doing: str) -> None:
    """Raises unless the actor holds one of ``roles`` (the service runner audits it)."""
    if actor.roles & set(roles):
        return
    names = " or ".join(r.label.lower() for r in roles)
    article = "an" if names[:1] in ("a", "e", "i", "o", "u") else "a"
    raise PermissionDenied(
        f"Only {article} {names} can {doing}.", attempted=f"{doing}: needs {names}"
    )


def can_see_case(session: Session, actor: Actor, person_id: int) -> bool:
    if actor.is_manager:
        return True
    if Role.CASEWORKER not in actor.roles or actor.user_id is None:
        return False
    allocated = exists().where(
        Referral.young_person_id == person_id, Referral.allocated_worker_id == actor.user_id
    )
    mine = exists().where(
        YoungPerson.id == person_id,
        (YoungPerson.current_worker_id == actor.user_id)
        | (YoungPerson.created_by_id == actor.user_id),
    )
    return bool(session.scalar(select(allocated | mine)))


def require_case_access(session: Session, actor: Actor, person_id: int, *, doing: str) -> None:
    if not can_see_case(session, actor, person_id):
        raise PermissionDenied(
            "This case is not allocated to you. Ask a manager if you need to work on it.",
            attempted=doing,
            person_id=person_id,
        )
