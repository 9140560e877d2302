"""Organisation-wide settings the documents print: the unit's name, its logo and the
protective marking.

They live in the database (the ``setting`` table, JSON values) rather than on one laptop, so
every copy of the app prints the same marking and name on what leaves the unit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import Setting
from veru_desk.domain.attachments import DEFAULT_MAX_MB, MAX_MB_RANGE
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import ValidationError
from veru_desk.domain.text import name_problem
from veru_desk.services.access import require_role
from veru_desk.services.base import Service

DEFAULT_ORG_NAME = "Violence and Exploitation Reduction Unit"
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
MAX_NAME_CHARS = 200
MAX_MARKING_CHARS = 60
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")

_NAME_KEY = "organisation.name"
_LOGO_KEY = "organisation.logo_path"
_MARKING_KEY = "documents.protective_marking"
_LOCK_KEY = "security.lock_after_minutes"
_SIGN_OFF_KEY = "documents.summary_sign_off"
_ATTACHMENT_KEY = "attachments.max_mb"
DEFAULT_LOCK_MINUTES = 10
LOCK_MINUTES_RANGE = (1, 120)


@dataclass(frozen=True)
class OrgSettings:
    name: str
    logo_path: str | None  # None: documents use the logo shipped with the app
    marking: str


def read_org(session: Session) -> OrgSettings:
    """The settings inside a caller's transaction, defaults filled in for anything unset."""
    rows = dict(
        session.execute(
            select(Setting.key, Setting.value).where(
                Setting.key.in_([_NAME_KEY, _LOGO_KEY, _MARKING_KEY])
            )
        ).all()
    )
    values = {key: json.loads(text) for key, text in rows.items()}
    return OrgSettings(
        name=values.get(_NAME_KEY) or DEFAULT_ORG_NAME,
        logo_path=values.get(_LOGO_KEY) or None,
        marking=values.get(_MARKING_KEY) or DEFAULT_MARKING,
    )


def summaries_need_sign_off(session: Session) -> bool:
    """Whether the unit requires a manager's sign-off of the caseworker's analysis before a
    case summary goes to a panel (off unless a manager or administrator turns it on)."""
    row = session.get(Setting, _SIGN_OFF_KEY)
    return bool(json.loads(row.value)) if row else False


def attachment_max_mb(session: Session) -> int:
    """The largest file a case may keep, in MB (``domain.attachments``: 20 unless a manager
    or an administrator changed it)."""
    row = session.get(Setting, _ATTACHMENT_KEY)
    value = json.loads(row.value) if row else None
    low, high = MAX_MB_RANGE
    return value if isinstance(value, int) and low <= value <= high else DEFAULT_MAX_MB


class SettingsService(Service):
    def attachment_max_mb(self) -> int:
        with self._read() as session:
            return attachment_max_mb(session)

    def set_attachment_max_mb(self, megabytes: int) -> None:
        """The size limit of attached files: a manager's or an administrator's choice (every
        file is stored inside the database, so it weighs on backups too); audited."""
        with self._write() as session:
            require_role(
                self.actor, Role.MANAGER, Role.ADMIN, doing="change the attached file size limit"
            )
            low, high = MAX_MB_RANGE
            if not low <= megabytes <= high:
                raise ValidationError(
                    {"attachment_max_mb": f"Choose a limit between {low} and {high} MB."}
                )
            old = attachment_max_mb(session)
            if old == megabytes:
                return
            row = session.get(Setting, _ATTACHMENT_KEY)
            if row is None:
                session.add(Setting(key=_ATTACHMENT_KEY, value=json.dumps(megabytes)))
            else:
                row.value = json.dumps(megabytes)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity_type="setting",
                summary=f"Attached file size limit changed from {old} MB to {megabytes} MB",
                changes={"attachment_max_mb": (old, megabytes)},
            )

    def summary_sign_off_required(self) -> bool:
        with self._read() as session:
            return summaries_need_sign_off(session)

    def set_summary_sign_off_required(self, required: bool) -> None:
        """Turns the manager's sign-off of summaries on or off (a manager or an
        administrator; audited)."""
        with self._write() as session:
            require_role(
                self.actor,
                Role.MANAGER,
                Role.ADMIN,
                doing="change whether case summaries need a manager's sign-off",
            )
            old = summaries_need_sign_off(session)
            if old == required:
                return
            row = session.get(Setting, _SIGN_OFF_KEY)
            if row is None:
                session.add(Setting(key=_SIGN_OFF_KEY, value=json.dumps(required)))
            else:
                row.value = json.dumps(required)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity_type="setting",
                summary=(
                    "Case summaries now need a manager's sign-off"
                    if required
                    else "Case summaries no longer need a manager's sign-off"
                ),
                changes={_SIGN_OFF_KEY: (old, required)},
            )

    def get_org(self) -> OrgSettings:
        with self._read() as session:
            return read_org(session)

    def lock_after_minutes(self) -> int:
        """Minutes without input before the app locks itself (any signed-in user reads it)."""
        with self._read() as session:
            row = session.get(Setting, _LOCK_KEY)
            value = json.loads(row.value) if row else None
            low, high = LOCK_MINUTES_RANGE
            if isinstance(value, int) and low <= value <= high:
                return value
            return DEFAULT_LOCK_MINUTES

    def set_lock_after_minutes(self, minutes: int) -> None:
        """How soon an unattended app locks; only an administrator may change it (audited)."""
        with self._write() as session:
            require_role(self.actor, Role.ADMIN, doing="change when the app locks itself")
            low, high = LOCK_MINUTES_RANGE
            if not low <= minutes <= high:
                raise ValidationError(
                    {"lock_after_minutes": f"Choose between {low} and {high} minutes."}
                )
            row = session.get(Setting, _LOCK_KEY)
            old = json.loads(row.value) if row else DEFAULT_LOCK_MINUTES
            if old == minutes:
                return
            if row is None:
                session.add(Setting(key=_LOCK_KEY, value=json.dumps(minutes)))
            else:
                row.value = json.dumps(minutes)
            self._audit(
                session,
                AuditAction.UPDATE,
                entity_type="setting",
                summary="Automatic lock changed",
                changes={_LOCK_KEY: (old, minutes)},
            )

    def update(
        self,
        *,
        name: str | None = None,
        logo_path: str | None = None,
        clear_logo: bool = False,
        marking: str | None = None,
    ) -> OrgSettings:
        """Changes what every document prints; only an administrator may, and it is audited.

        Arguments left as ``None`` keep their current value; ``clear_logo`` goes back to the
        shipped logo.
        """
        errors: dict[str, str] = {}
        wanted: dict[str, str | None] = {}
        if name is not None:
            problem = name_problem(name, "The organisation's name")
            name = " ".join(name.split())
            if problem:
                errors["name"] = problem
            elif not name:
                errors["name"] = "Enter the organisation's name as it should print on documents."
            elif len(name) > MAX_NAME_CHARS:
                errors["name"] = f"Shorten the name to {MAX_NAME_CHARS} characters or fewer."
            wanted[_NAME_KEY] = name
        if marking is not None:
            problem = name_problem(marking, "The protective marking")
            marking = " ".join(marking.split())
            if problem:
                errors["marking"] = problem
            elif not marking:
                errors["marking"] = (
                    "Enter a protective marking (for example OFFICIAL-SENSITIVE): every page "
                    "of a case summary must carry one."
                )
            elif len(marking) > MAX_MARKING_CHARS:
                errors["marking"] = f"Shorten the marking to {MAX_MARKING_CHARS} characters."
            wanted[_MARKING_KEY] = marking
        if clear_logo:
            wanted[_LOGO_KEY] = None
        elif logo_path is not None:
            path = Path(logo_path.strip())
            if problem := name_problem(logo_path, "The logo's file name"):
                errors["logo_path"] = problem
            elif path.suffix.lower() not in LOGO_SUFFIXES:
                errors["logo_path"] = "Choose a PNG, JPEG or GIF image for the logo."
            elif not path.is_file():
                errors["logo_path"] = f"There is no image at {path}: choose the file again."
            if "logo_path" not in errors:
                wanted[_LOGO_KEY] = str(path.resolve())
        with self._write() as session:
            require_role(self.actor, Role.ADMIN, doing="change the organisation's settings")
            if errors:
                raise ValidationError(errors)
            before = read_org(session)
            changes: dict[str, tuple[object, object]] = {}
            for key, value in wanted.items():
                row = session.get(Setting, key)
                old = json.loads(row.value) if row else None
                if old == value:
                    continue
                if row is None:
                    session.add(Setting(key=key, value=json.dumps(value)))
                else:
                    row.value = json.dumps(value)
                changes[key] = (old, value)
            if changes:
                self._audit(
                    session,
                    AuditAction.UPDATE,
                    entity_type="setting",
                    summary="Organisation settings changed",
                    changes=changes,
                )
                session.flush()
                return read_org(session)
            return before
