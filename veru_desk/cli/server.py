"""``veru-desk server setup URL``: a PostgreSQL database that enforces the rules itself.

Run once by an administrator, with the URL of the database *owner* (the one role that owns the
tables; its password is typed here or read from the PostgreSQL password file, and kept on no
office PC), and again after each upgrade. Every PC then uses the URL without a user name, and
each person signs in to the server as their own login, with their VERU Desk password
(``db.server_roles`` says what the server then refuses).
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from veru_desk.cli import CommandError, Context


def register(subparsers: Any) -> None:
    server = subparsers.add_parser(
        "server",
        help="set up a PostgreSQL server that enforces who may see what",
        description="Commands for a shared office's PostgreSQL server.",
    )
    commands = server.add_subparsers(title="commands", dest="server_command", metavar="COMMAND")
    setup = commands.add_parser(
        "setup",
        help="create or upgrade the schema, the server's roles, grants and row-level security",
        description="Run as the database owner (the URL names the owner; its password comes "
        "from the PostgreSQL password file or PGPASSWORD). Creates or upgrades the schema, "
        "the group roles veru_caseworker, veru_manager and veru_admin, their grants and "
        "policies, and a login for every user. The administrator named by --admin (made now "
        "on a new database) gets their password on the server; other existing users can "
        "sign in once an administrator has reset their password. Run it again after every "
        "upgrade.",
    )
    setup.add_argument("url", metavar="URL", help="the database URL, naming its owner")
    setup.add_argument("--admin", metavar="USERNAME", required=True, help="the administrator")
    setup.add_argument(
        "--display-name", metavar="TEXT", help="the administrator's full name (new databases)"
    )
    setup.set_defaults(func=run_setup)


def run_setup(args: argparse.Namespace, ctx: Context) -> int:
    from veru_desk.config import resolve_database
    from veru_desk.db.driver import server_login_wanted
    from veru_desk.services.server_accounts import set_up_server

    location = resolve_database(args.url)
    if location.path is not None:
        raise CommandError("server setup needs a PostgreSQL URL (postgresql+psycopg://...).")
    if server_login_wanted(location):
        raise CommandError(
            "Name the database owner in the URL (postgresql+psycopg://OWNER@SERVER/DATABASE): "
            "setup creates tables and logins, which only the owner may."
        )
    password = ctx.password(f"VERU Desk password for {args.admin}: ", confirm=True)
    done = set_up_server(location, args.admin, args.display_name or args.admin, password)
    if done.created_admin:
        ctx.print(f"Administrator {done.admin} created.")
    ctx.print(
        f"Server set up at {location.display}: {len(done.logins)} login(s); "
        f"{done.admin} signs in with their VERU Desk password."
    )
    if done.awaiting_password:
        ctx.print(
            "Before they can sign in, an administrator resets the password of: "
            + ", ".join(done.awaiting_password)
            + " (Administration > Users, or `veru-desk users reset-password NAME`)."
        )
    parts = urlsplit(location.url)
    office = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    ctx.print(f"Office PCs use the URL without the owner: {office}")
    return 0
