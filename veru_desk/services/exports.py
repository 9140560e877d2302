"""The documents made from a case (the case workspace's Exports tab), and how any export
reaches its file.

A summary that left the unit must be traceable (who made it, when, for which meeting, with
which sharing profile), so every export is listed here from its ``document_export`` row.

And the record must tell the truth: ``write_then_record`` is the one way every export (case
summary, subject access, outcome report, audit trail) writes its files and records itself.
The Exports tab and the audit trail say "exported" only for a file that is in its place, and a
failed export leaves neither a file nor a record behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select

from veru_desk.db.models import DocumentExport, User
from veru_desk.db.replace import RETRY_WAITS, FileHeld, replace_file
from veru_desk.domain.errors import FileError
from veru_desk.services.access import require_case_access
from veru_desk.services.base import Service, utc_to_local


@dataclass(frozen=True)
class ExportView:
    id: int
    at: dt.datetime  # local wall-clock time
    by: str | None
    kind: str
    profile: str | None
    prepared_for: str | None
    filename: str | None
    pages: int | None

    @property
    def kind_label(self) -> str:
        return self.kind.replace("_", " ").capitalize()


class ExportService(Service):
    def for_person(self, person_id: int) -> list[ExportView]:
        """Every document exported from the case, newest first."""
        with self._read() as session:
            require_case_access(session, self.actor, person_id, doing="read the case's exports")
            rows = session.execute(
                select(DocumentExport, User.display_name)
                .outerjoin(User, User.id == DocumentExport.by_user_id)
                .where(DocumentExport.young_person_id == person_id)
                .order_by(DocumentExport.at.desc(), DocumentExport.id.desc())
            ).all()
            return [
                ExportView(
                    id=row.id,
                    at=utc_to_local(row.at),
                    by=name,
                    kind=row.kind,
                    profile=row.profile,
                    prepared_for=row.prepared_for,
                    filename=row.filename,
                    pages=row.pages,
                )
                for row, name in rows
            ]


T = TypeVar("T")

# Waits before each further attempt to put a file in place (``db.replace``): a virus scanner
# or a search indexer holds a new file for a moment; a viewer holding it does not let go, and
# then the person is asked to close it.
REPLACE_RETRY_SECONDS: tuple[float, ...] = RETRY_WAITS


def write_then_record(
    files: Sequence[tuple[Path, Callable[[Path], object]]], record: Callable[[], T]
) -> T:
    """Writes each file, puts them all in place, then calls ``record``; returns what it returns.

    ``files`` pairs each target path with a function that writes the document to the path it
    is given (a temporary file in the target's folder, so the move into place is a rename on
    one disk). Each is flushed to disk, then all are moved into place: both or neither, so a
    subject access JSON never stands without its PDF. Only then is the export recorded, and if
    recording fails (permission withdrawn, database locked) the new files are taken away again
    and any earlier copies put back, so the files and the record always agree.

    A file that cannot be replaced because another program holds it (a PDF viewer on Windows)
    raises ``FileError`` asking the person to close it and try again; nothing is recorded.
    Other errors of the disk (while writing too) raise ``FileError`` naming the file; other
    errors of the writing functions, and those of ``record``, propagate unchanged, after the
    clean-up.
    """
    targets = [path.resolve() for path, _write in files]
    for target in targets:
        if target.is_dir():
            raise FileError(
                f"{target.name} is a folder: give the export a file name inside it instead."
            )
    temps: list[Path] = []
    try:
        for target, (_path, write) in zip(targets, files, strict=True):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                handle, name = tempfile.mkstemp(
                    dir=target.parent, prefix=f".{target.name[:40]}.", suffix=".partial"
                )
                os.close(handle)
            except OSError as error:
                raise _disk_error(target, error) from error
            temps.append(Path(name))
            try:
                write(temps[-1])
                _flush_to_disk(temps[-1])
            except OSError as error:  # a full disk, a folder gone away, a network share lost
                raise _disk_error(target, error) from error
        placed = _place(list(zip(temps, targets, strict=True)))
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    try:
        result = record()
    except BaseException:
        placed.undo()
        raise
    placed.forget_earlier_copies()
    return result


def file_in_use_message(path: Path) -> str:
    kind = {".pdf": "PDF", ".csv": "CSV file", ".xlsx": "spreadsheet", ".json": "JSON file"}
    what = kind.get(path.suffix.lower(), "file")
    return (
        f"{path.name} could not be replaced. Close the {what} (it may be open in another "
        "program) and try again. Nothing was exported."
    )


@dataclass
class _Placed:
    """The files put in place by one export, and the copies they replaced (moved aside)."""

    new: list[Path]
    earlier: list[tuple[Path, Path]]  # (moved aside as, original name)

    def undo(self) -> None:
        for path in self.new:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        for aside, original in self.earlier:
            # If this fails the earlier copy stays under its hidden name rather than be lost.
            with contextlib.suppress(OSError):
                _replace(aside, original)

    def forget_earlier_copies(self) -> None:
        for aside, _original in self.earlier:
            # Held open by a viewer: a hidden stale copy is left, harmless.
            with contextlib.suppress(OSError):
                aside.unlink(missing_ok=True)


def _place(moves: list[tuple[Path, Path]]) -> _Placed:
    """Moves each finished temporary file onto its target, all or none.

    An existing target is first moved aside under a hidden name; on Windows that fails while
    a viewer holds the file, before any new file has been put in place, so nothing needs
    undoing but the moves already made.
    """
    placed = _Placed([], [])
    target = moves[0][1]
    try:
        for temp, target in moves:
            if target.exists():
                hidden = f".{target.name[:40]}.{os.getpid()}-{time.time_ns()}.earlier"
                aside = target.with_name(hidden)
                _replace(target, aside)
                placed.earlier.append((aside, target))
            _replace(temp, target)
            placed.new.append(target)
    except (FileHeld, PermissionError) as error:
        placed.undo()
        raise FileError(file_in_use_message(target)) from error
    except OSError as error:
        placed.undo()
        raise _disk_error(target, error) from error
    return placed


def _replace(source: Path, target: Path) -> None:
    """Put in place patiently (``db.replace``), with the waits the tests can shorten."""
    replace_file(source, target, waits=REPLACE_RETRY_SECONDS)


def _flush_to_disk(path: Path) -> None:
    """So a power cut after the export is recorded cannot leave an empty file behind it."""
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _disk_error(path: Path, error: OSError) -> FileError:
    reason = error.strerror or str(error)
    return FileError(
        f"Could not save {path.name} in {path.parent}: {reason}. Choose another folder (one "
        "you can write to, with free space) and try again. Nothing was exported."
    )
