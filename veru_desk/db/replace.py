"""Putting a finished file in place of an older one, on Windows as well as Linux.

Every file VERU Desk replaces (the key file, a backup, an export, a database put back) is
written under a temporary name and renamed over the old one, so a crash leaves one whole file
or the other. On Windows that rename is refused (``PermissionError``) while another program
has the file open: an antivirus scan or a search indexer for a moment after each write, a
sync client (OneDrive) for a few seconds, Excel or a PDF viewer until it is closed. So the
rename is tried again for about two seconds, and then the person is told which file it was
and what may be holding it, instead of a traceback or "Access is denied".
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

from veru_desk.domain.errors import StorageError

# Waits before each further try: ten tries over about two seconds, short ones first, since a
# scanner usually lets go within a few tenths of a second.
RETRY_WAITS: tuple[float, ...] = (0.05, 0.1, 0.15, 0.2, 0.25, 0.25, 0.3, 0.3, 0.4)


class FileHeld(StorageError):
    """A file could not be replaced because another program held it, even after waiting."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path.name} (in {path.parent}) could not be replaced: another program is holding "
            "it, such as an antivirus scan, a sync client (OneDrive, Dropbox) or Excel. Close "
            "the file in that program, or wait a moment, and try again."
        )


def replace_file(
    source: Path, target: Path, *, waits: Sequence[float] | None = None
) -> None:
    """``os.replace(source, target)``, tried again while another program holds either file
    (after each of ``waits``, by default ``RETRY_WAITS``); raises ``FileHeld`` naming
    ``target``, the file the person knows, when it still cannot."""
    for wait in (*(RETRY_WAITS if waits is None else waits), None):
        try:
            os.replace(source, target)
            return
        except PermissionError as error:
            if wait is None:
                raise FileHeld(Path(target)) from error
            time.sleep(wait)
