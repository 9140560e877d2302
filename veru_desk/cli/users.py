"""``veru-desk users``: adding, listing, disabling and enabling accounts, resetting passwords
and changing roles, for administrators working over SSH or from a script.

Accounts are never deleted (the audit trail names them). A new password is never an
argument (arguments show up in ``ps`` and in shell history): it comes from
``VERU_DESK_NEW_PASSWORD`` for scripts, or a prompt that asks twice. The signed-in user's own
password comes, as for every command, from ``VERU_DESK_PASSWORD`` or a prompt. On an encrypted
database the new password also gets its own slot in the key file (``UserService`` does it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from typing import Any

from veru_desk.cli import CommandError, Context
from veru_desk.domain.dates import format_uk_datetime
from veru_desk.domain.enums import Role
from veru_desk.services.base import utc_to_local
from veru_desk.services.users import UserView

NEW_PASSWORD_ENV = "VERU_DESK_NEW_PASSWORD"


def register(subparsers: Any) -> None:
    users = subparsers.add_parser(
        "users",
        help="manage user accounts (administrators)",
        description="Adds, lists, disables and enables users, resets passwords and changes "
        "roles. Accounts are never deleted: the audit trail names them.",
    )
    commands = users.add_subparsers(title="user commands", dest="users_command", metavar="ACTION")

    add = commands.add_parser(
        "add",
        help="add a user",
        description=f"The first password comes from ${NEW_PASSWORD_ENV} or a prompt (twice).",
    )
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--display-name", required=True, metavar="TEXT", help="their full name")
    _role_option(add)
    add.add_argument("--email", metavar="ADDRESS")
    add.set_defaults(func=run_add)

    listing = commands.add_parser("list", help="list every account, disabled ones too")
    listing.set_defaults(func=run_list)

    for name, helptext, handler in (
        ("disable", "stop a user signing in (their records and trail are kept)", run_disable),
        ("enable", "let a disabled user sign in again", run_enable),
        (
            "reset-password",
            f"set a new password (from ${NEW_PASSWORD_ENV} or a prompt); the user must change "
            "it at next sign-in",
            run_reset_password,
        ),
    ):
        command = commands.add_parser(name, help=helptext, description=helptext)
        command.add_argument("username", metavar="USERNAME")
        command.set_defaults(func=handler)

    roles = commands.add_parser("set-roles", help="replace a user's roles")
    roles.add_argument("username", metavar="USERNAME")
    _role_option(roles)
    roles.set_defaults(func=run_set_roles)


def _role_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        dest="roles",
        action="append",
        required=True,
        type=_role,
        metavar="ROLE",
        help="caseworker, manager or admin (repeat for several)",
    )


def _role(text: str) -> Role:
    try:
        return Role(Role.from_text(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a role: use caseworker, manager or admin"
        ) from None


def new_password(ctx: Context, username: str) -> str:
    """The new password from the environment (scripts) or typed twice at a prompt."""
    from_env = os.environ.get(NEW_PASSWORD_ENV)
    if from_env is not None:
        return from_env
    if not sys.stdin or not sys.stdin.isatty():
        raise CommandError(
            f"A new password is needed for {username}: set {NEW_PASSWORD_ENV} or run the "
            "command in a terminal to be asked for it."
        )
    first = getpass.getpass(f"New password for {username}: ")
    if getpass.getpass("Type it again: ") != first:
        raise CommandError("The two passwords were not the same: nothing was changed.")
    return first


def account_state(user: UserView, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if not user.active:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now:
        return f"locked until {format_uk_datetime(utc_to_local(user.locked_until))}"
    return "active"


def run_add(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    username = args.username.strip().lower()
    password = new_password(ctx, username)
    services.users.create(username, args.display_name, set(args.roles), password, args.email)
    ctx.print(f"User {username} added ({_roles(args.roles)}).")
    return 0


def run_list(args: argparse.Namespace, ctx: Context) -> int:
    users = ctx.services().users.list()
    headings = ["Username", "Full name", "Roles", "Account", "Last signed in"]
    cells = [
        [
            u.username,
            u.display_name,
            _roles(u.roles),
            account_state(u),
            format_uk_datetime(utc_to_local(u.last_login_at)) if u.last_login_at else "never",
        ]
        for u in sorted(users, key=lambda u: u.username)
    ]
    widths = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(headings)]
    for values in [headings, ["-" * w for w in widths], *cells]:
        ctx.print("  ".join(v.ljust(widths[i]) for i, v in enumerate(values)).rstrip())
    ctx.print(f"{len(users)} user{'s' if len(users) != 1 else ''}")
    return 0


def _set_active(ctx: Context, username: str, active: bool) -> int:
    services = ctx.services()
    user = services.users.by_username(username)
    change = services.users.set_active(user.id, active)
    ctx.print(f"User {user.username} {'enabled' if active else 'disabled'}.")
    if change is not None and change.message:  # what happened to an encrypted file's key
        ctx.print(change.message)
    return 0


def run_disable(args: argparse.Namespace, ctx: Context) -> int:
    return _set_active(ctx, args.username, False)


def run_enable(args: argparse.Namespace, ctx: Context) -> int:
    return _set_active(ctx, args.username, True)


def run_reset_password(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    user = services.users.by_username(args.username)
    services.users.reset_password(user.id, new_password(ctx, user.username))
    ctx.print(
        f"Password of {user.username} reset; the account is unlocked and they must choose a "
        "new password when they next sign in."
    )
    return 0


def run_set_roles(args: argparse.Namespace, ctx: Context) -> int:
    services = ctx.services()
    user = services.users.by_username(args.username)
    services.users.set_roles(user.id, set(args.roles))
    ctx.print(f"Roles of {user.username} are now: {_roles(args.roles)}.")
    return 0


def _roles(roles: Any) -> str:
    return ", ".join(r.value for r in Role if r in set(roles))
