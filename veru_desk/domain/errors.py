"""The typed errors every layer raises and the UI and CLI know how to show.

They live in the domain so that value rules, services and the UI share one vocabulary; a
caller never has to parse a message to know what went wrong.
"""

from __future__ import annotations

from collections.abc import Mapping


class VeruError(Exception):
    """Base of every error meant for a person to read (never shown as a traceback)."""


class ValidationError(VeruError):
    """One or more fields hold values we cannot accept.

    ``fields`` maps a field name (as the form and the import know it) to a message that names
    the problem and the fix, so the UI can show each message beside its field.
    """

    def __init__(self, fields: Mapping[str, str] | str, message: str | None = None) -> None:
        if isinstance(fields, str):
            fields = {"": fields}
        self.fields: dict[str, str] = dict(fields)
        if message is None:
            message = "; ".join(
                f"{name.replace('_', ' ')}: {text}" if name else text
                for name, text in self.fields.items()
            )
        super().__init__(message)

    def merged(self, other: ValidationError) -> ValidationError:
        return ValidationError({**self.fields, **other.fields})


class PermissionDenied(VeruError):
    """The signed-in user's roles do not allow this.

    ``attempted`` and ``person_id`` let the service layer audit the refusal after the
    refused transaction has rolled back.
    """

    def __init__(
        self, message: str, *, attempted: str | None = None, person_id: int | None = None
    ) -> None:
        super().__init__(message)
        self.attempted = attempted or message
        self.person_id = person_id


class NotFound(VeruError):
    """The record asked for does not exist (or is not visible to this user)."""


class ConflictError(VeruError):
    """Someone else changed the record since it was read, or a unique value is taken.

    ``changed_by`` and ``changed_at`` say who and when, where known, so the UI can tell the
    user whose edit they collided with.
    """

    def __init__(
        self, message: str, *, changed_by: str | None = None, changed_at: str | None = None
    ) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class StorageError(VeruError):
    """The environment failed us (disk full, database locked, file unreadable), not the code.

    Kept apart from bugs so the user is told it is something they or IT can fix.
    """


class FileError(StorageError):
    """A file the user chose could not be written or replaced (open in another program, a
    folder without room or permission): about that file, never the database."""


class WorkflowError(ValidationError):
    """A referral status move the workflow does not allow."""

    def __init__(self, message: str) -> None:
        super().__init__({"status": message}, message)
