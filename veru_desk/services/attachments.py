"""Files kept on a case: a signed consent form, a letter from school, a photo of a report.

The bytes live in the database (``Attachment.content``), never as loose files beside it: an
encrypted database encrypts them with everything else, a backup carries them, retention
removes them with the case. Only what the rules in ``domain.attachments`` accept is kept
(checked by content, not by name), up to the unit's size limit (a setting, 20 MB unless a
manager changed it).

Reading a file is a view of sensitive data, so every open and every saved copy is audited.
Opening writes the file into a private folder of this app's own (``opened-files`` in the
user data folder, 0700, one sub-folder per running app), because a viewer needs a path; that
folder is emptied when the app exits and, should it crash, at the next start
(``db.opened_files``).

Who removes a file: a manager at any time, and the person who added it within a day (a
wrong file, or the right file on the wrong case, is noticed at once; after that the file is
part of the record and its removal a manager's decision). Either way a reason is given and
the audit keeps the file's name, size and SHA-256, so what was removed can be identified
against a copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import Attachment, User, utcnow
from veru_desk.db.opened_files import own_folder
from veru_desk.db.private_files import make_private_folder, write_private_bytes
from veru_desk.domain.attachments import (
    MB,
    clean_file_name,
    file_problems,
    format_size,
    kind_label,
)
from veru_desk.domain.enums import AuditAction, Role
from veru_desk.domain.errors import FileError, PermissionDenied, ValidationError
from veru_desk.domain.text import stored_text
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, check_version, get_or_404, refuse_problems
from veru_desk.services.exports import write_then_record
from veru_desk.services.settings import attachment_max_mb

#: How long the person who added a file may remove it themselves.
ADDER_MAY_REMOVE_FOR = dt.timedelta(days=1)
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class AttachmentView:
    """A file on a case as the list shows it: everything but its bytes."""

    id: int
    version: int
    file_name: str
    media_type: str
    size_bytes: int
    sha256: str
    description: str
    added_by: str | None
    added_at: dt.datetime  # UTC, naive
    added_by_id: int | None
    removable: bool  # whether the reader may remove it now (see the module's docstring)

    @property
    def kind(self) -> str:
        return kind_label(self.media_type)

    @property
    def size(self) -> str:
        return format_size(self.size_bytes)


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            {"reason": "Say why the file is removed, for example 'added to the wrong case'."}
        )
    if len(reason) > MAX_REASON_CHARS:
        raise ValidationError({"reason": f"Keep the reason under {MAX_REASON_CHARS} characters."})
    return reason


class AttachmentService(Service):
    def max_bytes(self) -> int:
        with self._read() as session:
            return attachment_max_mb(session) * MB

    def add(
        self,
        person_id: int,
        source: Path | bytes,
        description: str = "",
        *,
        file_name: str | None = None,
    ) -> int:
        """Keeps a file on a case: a path to read, or bytes with their ``file_name``.
        Refuses (naming the file) an empty file, one over the size limit, and anything that
        is not an allowed kind by its content."""
        if isinstance(source, Path):
            name = clean_file_name(file_name or source.name)
        else:
            name = clean_file_name(file_name or "")
        description = stored_text(description or "") or ""
        doing = "add a file to a case"
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing=doing)
            limit = attachment_max_mb(session) * MB
        # Read and checked outside any transaction: a slow disk or a 20 MB hash holds no lock.
        data = self._read_source(source, name, limit)
        kind, problems = file_problems(name, data, limit, description)
        refuse_problems(problems)
        assert kind is not None  # no problems: the kind is known
        digest = hashlib.sha256(data).hexdigest()
        with self._write() as session:
            self._case_person(session, person_id, doing=doing)  # again, where it is written
            row = Attachment(
                young_person_id=person_id,
                file_name=name,
                media_type=kind.media_type,
                size_bytes=len(data),
                sha256=digest,
                description=description or None,
                content=data,
            )
            self._create(
                session,
                row,
                person_id=person_id,
                summary=f"File added: {name} ({kind.label}, {format_size(len(data))})",
            )
            session.flush()
            return row.id

    @staticmethod
    def _read_source(source: Path | bytes, name: str, limit: int) -> bytes:
        if not isinstance(source, Path):
            return bytes(source)
        try:
            size = source.stat().st_size
            if size > limit:
                # Refused before reading: a 4 GB video is not loaded to be told it is big.
                raise ValidationError(
                    {
                        "file": f"{name} is {format_size(size)}, over the limit of "
                        f"{format_size(limit)}. Scan it at a lower resolution or split it; "
                        "a manager can raise the limit in Settings."
                    }
                )
            return source.read_bytes()
        except OSError as error:
            raise ValidationError(
                {
                    "file": f"{name} could not be read ({error.strerror or error}): check it is "
                    "still there and not open in another program."
                }
            ) from error

    def for_case(self, person_id: int) -> list[AttachmentView]:
        """A case's files, newest first, without their bytes."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="list a case's files")
            rows = session.execute(
                select(
                    Attachment.id,
                    Attachment.version,
                    Attachment.file_name,
                    Attachment.media_type,
                    Attachment.size_bytes,
                    Attachment.sha256,
                    Attachment.description,
                    Attachment.created_at,
                    Attachment.created_by_id,
                    User.display_name,
                )
                .outerjoin(User, User.id == Attachment.created_by_id)
                .where(Attachment.young_person_id == person_id)
                .order_by(Attachment.created_at.desc(), Attachment.id.desc())
            ).all()
            now = utcnow()
            return [
                AttachmentView(
                    id=row.id,
                    version=row.version,
                    file_name=row.file_name,
                    media_type=row.media_type,
                    size_bytes=row.size_bytes,
                    sha256=row.sha256,
                    description=row.description or "",
                    added_by=row.display_name,
                    added_at=row.created_at,
                    added_by_id=row.created_by_id,
                    removable=self._may_remove(row.created_by_id, row.created_at, now),
                )
                for row in rows
            ]

    def _may_remove(self, added_by: int | None, added_at: dt.datetime, now: dt.datetime) -> bool:
        if Role.MANAGER in self.actor.roles:
            return True
        return (
            added_by is not None
            and added_by == self.actor.user_id
            and now - added_at <= ADDER_MAY_REMOVE_FOR
        )

    def _checked(self, session: Session, attachment_id: int, doing: str) -> Attachment:
        row = get_or_404(session, Attachment, attachment_id, "attached file")
        require_case_access(session, self.actor, row.young_person_id, doing=doing)
        return row

    def open(self, attachment_id: int) -> Path:
        """The file written to this app's private opened-files folder, under its own name,
        for a viewer to open; audited as a view. Removed when the app exits."""
        doing = "open a case's file"
        with self._read() as session:
            row = self._checked(session, attachment_id, doing)
            data, name = row.content, row.file_name
        folder = own_folder() / str(attachment_id)
        target = folder / (name or f"file-{attachment_id}")
        try:
            make_private_folder(folder)
            write_private_bytes(target, data)
        except OSError as error:
            raise FileError(
                f"{name} could not be written for opening ({error.strerror or error}). "
                "Nothing was opened."
            ) from error
        try:
            with self._write() as session:
                row = self._checked(session, attachment_id, doing)
                self._audit(
                    session,
                    AuditAction.VIEW,
                    entity=row,
                    person_id=row.young_person_id,
                    summary=f"File opened: {name}",
                )
        except BaseException:
            target.unlink(missing_ok=True)  # not audited, so not shown
            raise
        return target

    def export(self, attachment_id: int, to_path: Path) -> Path:
        """A copy saved where the person chose (a letter to post, a form to forward);
        audited as an export with where it went. The file is in place before the audit row
        is committed, and taken away again if that fails."""
        with self._read() as session:
            row = self._checked(session, attachment_id, "save a copy of a case's file")
            data, name, person_id = row.content, row.file_name, row.young_person_id

        def record() -> Path:
            with self._write() as session:
                again = self._checked(session, attachment_id, "save a copy of a case's file")
                self._audit(
                    session,
                    AuditAction.EXPORT,
                    entity=again,
                    person_id=person_id,
                    summary=f"Copy of file saved: {name} to {to_path}",
                )
            return to_path

        return write_then_record([(to_path, lambda tmp: tmp.write_bytes(data))], record)

    def remove(self, attachment_id: int, reason: str, expected_version: int | None = None) -> None:
        """Deletes a file from the case, bytes and all (see the module's docstring for who
        may); the audit keeps its name, size, SHA-256 and the reason."""
        reason = _reason(reason)
        with self._write() as session:
            row = self._checked(session, attachment_id, "remove a case's file")
            if not self._may_remove(row.created_by_id, row.created_at, utcnow()):
                raise PermissionDenied(
                    "Only a manager can remove this file: the person who added a file may "
                    "remove it themselves within a day of adding it.",
                    attempted=f"remove a case's file ({row.file_name})",
                    person_id=row.young_person_id,
                )
            check_version(session, row, expected_version)
            person_id = row.young_person_id
            self._audit(
                session,
                AuditAction.DELETE,
                entity=row,
                person_id=person_id,
                summary=(
                    f"File removed: {row.file_name} ({format_size(row.size_bytes)}, "
                    f"SHA-256 {row.sha256}): {reason}"
                ),
            )
            session.delete(row)
