"""``veru-desk backup``, ``veru-desk restore`` and ``veru-desk subject-access``.

Restoring replaces everyone's data with the backup's, so on a terminal it asks first, and
from a script (no terminal to ask on) it needs ``--yes``: a cron job must never restore by
accident. The database as it was is kept first either way, and its path is printed, so a
mistaken restore can itself be undone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from veru_desk.cli import CommandError, Context

MEGABYTE = 1024 * 1024


def register(subparsers: Any) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="back up the database now (administrators)",
        description="Writes a verified copy of the database to the backup folder (or to "
        "FILE), taken with SQLite's backup API so it is consistent even while people work.",
    )
    backup.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write it (default: the backup folder beside the database); its key "
        "file, if encrypted, goes beside it as FILE.keys",
    )
    backup.add_argument(
        "--force",
        action="store_true",
        help="replace FILE (and FILE.keys) if they exist; without it an existing database or "
        "key file is never overwritten",
    )
    backup.set_defaults(func=run_backup)

    restore = subparsers.add_parser(
        "restore",
        help="restore a backup over the database (administrators)",
        description="Checks the file completely first (a VERU Desk database, this database's "
        "key, its schema version, its integrity), backs up the current database, refuses a "
        "file from a newer release and upgrades an older one. If the restore fails part-way, "
        "the database is put back as it was. Everyone must close VERU Desk first.",
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    restore.add_argument(
        "--yes", action="store_true", help="do not ask for confirmation (needed without a terminal)"
    )
    restore.set_defaults(func=run_restore)

    access = subparsers.add_parser(
        "subject-access",
        help="export everything held about a young person (managers)",
        description="Writes a readable PDF and a machine-readable JSON file of every record "
        "about the young person, with withheld items marked and the reason given.",
    )
    access.add_argument("case_ref", metavar="CASE_REF", help="e.g. VERU-2026-00012")
    access.add_argument("--json", dest="json_path", required=True, type=Path, metavar="FILE")
    access.add_argument("--pdf", dest="pdf_path", required=True, type=Path, metavar="FILE")
    access.add_argument(
        "--withhold",
        action="append",
        default=[],
        metavar="KEY=REASON",
        help="withhold one item (its key as the export lists it, e.g. note:12) and say why; "
        "repeat for more",
    )
    access.set_defaults(func=run_subject_access)


def size_text(size_bytes: int) -> str:
    return f"{size_bytes / MEGABYTE:.1f} MB"


def run_backup(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    path = services.backups.backup_now(
        args.output.resolve() if args.output else None, force=args.force
    )
    ctx.print(f"Backup written to {path} ({size_text(path.stat().st_size)}).")
    return 0


def run_restore(args: argparse.Namespace, ctx: Context) -> int:
    backup: Path = args.file.resolve()
    if not backup.is_file():
        raise CommandError(f"There is no backup file at {backup}.")
    interactive = bool(sys.stdin) and sys.stdin.isatty()
    if not args.yes and not interactive:
        raise CommandError(
            "Restoring replaces the database: add --yes to confirm when there is no terminal "
            "to ask on."
        )
    services = ctx.services()
    if not args.yes:
        answer = input(
            f"Restore {backup.name} over {ctx.location.display}? The current database is "
            "backed up first. [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            ctx.print("Nothing was restored.")
            return 1
    safety = services.backups.restore(backup)
    ctx.print(f"Restored {backup.name} over {ctx.location.display}.")
    ctx.print(f"The database as it was before is kept in {safety}.")
    return 0


def withheld_items(pairs: list[str]) -> dict[str, str]:
    """``KEY=REASON`` arguments as the service's mapping; a malformed one stops the export,
    since an item meant to be withheld must never go out by mistake."""
    withheld: dict[str, str] = {}
    for pair in pairs:
        key, sep, reason = pair.partition("=")
        if not sep or not key.strip():
            raise CommandError(
                f"--withhold {pair!r}: write KEY=REASON, e.g. --withhold "
                "'note:12=About a third party'."
            )
        withheld[key.strip()] = reason
    return withheld


def run_subject_access(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.reports.subject_access import export_subject_access

    if args.json_path.suffix.lower() != ".json" or args.pdf_path.suffix.lower() != ".pdf":
        raise CommandError("Name the files .json and .pdf (--json FILE.json --pdf FILE.pdf).")
    withheld = withheld_items(args.withhold)
    services = ctx.services()
    wanted = args.case_ref.strip().upper()
    hits = [h for h in services.people.search(wanted) if h.case_ref == wanted]
    if not hits:
        raise CommandError(f"There is no case {wanted}: check the case reference.")
    result = export_subject_access(
        services, hits[0].person_id, args.json_path, args.pdf_path, withheld
    )
    ctx.print(
        f"Wrote {result.pdf_path} ({result.pages} pages) and {result.json_path}: "
        f"{result.items} items, {result.withheld} withheld."
        + (
            f" The case's {len(result.attached_files)} attached files are in "
            f"{result.attached_files[0].parent}."
            if result.attached_files
            else ""
        )
    )
    return 0
