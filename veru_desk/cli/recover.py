"""``veru-desk recover USERNAME``: the break-glass way back in to an encrypted database.

When every administrator has forgotten their password, the recovery key shown at set-up
opens the database and gives one account a new password. The key is read from
``VERU_DESK_RECOVERY_KEY`` or a prompt (never an argument), the new password the same way
as for ``users reset-password``.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from veru_desk.cli import CommandError, Context
from veru_desk.cli.users import new_password

RECOVERY_KEY_ENV = "VERU_DESK_RECOVERY_KEY"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "recover",
        help="give an account a new password using the recovery key (encrypted databases)",
        description="Opens an encrypted database with the recovery key shown when it was "
        f"created (from ${RECOVERY_KEY_ENV} or a prompt) and sets a new password for USERNAME, "
        "unlocking and enabling the account. The use is recorded in the audit trail.",
    )
    parser.add_argument("username", metavar="USERNAME")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.services.vault import recover_account

    key = os.environ.get(RECOVERY_KEY_ENV)
    if key is None:
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(
                f"The recovery key is needed: set {RECOVERY_KEY_ENV} or run the command in a "
                "terminal to be asked for it."
            )
        key = getpass.getpass("Recovery key: ")
    recover_account(ctx.location, key, args.username, new_password(ctx, args.username))
    ctx.print(f"{args.username} has a new password and can sign in.")
    return 0
