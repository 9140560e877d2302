"""How every CSV file VERU Desk writes is encoded: UTF-8 with a byte-order mark.

Excel on Windows reads a CSV without one in the PC's code page, so "Ştefănescu" arrives as
"Åžtefănescu" on a manager's screen; with the mark it reads UTF-8. One place decides it, so an
export, the audit trail, the command line's ``--format csv`` and a report all open the same.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TextIO

CSV_ENCODING = "utf-8-sig"
BYTE_ORDER_MARK = "\ufeff"


def open_csv(path: Path) -> TextIO:
    """A new CSV file for ``csv.writer``: the mark first, and the writer's own line ends."""
    return path.open("w", encoding=CSV_ENCODING, newline="")


def start_csv_stream(stream: TextIO) -> None:
    """The mark at the head of a CSV written to standard output, when that output is a new
    file (``veru-desk cases --format csv > cases.csv``), for the same reason as above. A pipe,
    a terminal or an appended file gets none: a program reading the pipe would find it glued
    to the first heading, and a mark mid-file is a stray character."""
    try:
        details = os.fstat(stream.fileno())
        at_start = stream.tell() == 0
    except (OSError, ValueError, AttributeError):  # no file behind it (a test's capture)
        return
    if stat.S_ISREG(details.st_mode) and details.st_size == 0 and at_start:
        stream.write(BYTE_ORDER_MARK)
