"""A throwaway PostgreSQL server for the tests that need one: initdb into a temporary
folder, loopback only, run as the ``postgres`` user when we are root, stopped afterwards.

Where PostgreSQL is not installed the tests that need it are skipped with a loud reason
(never silently passed).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def running_as_root() -> bool:
    """Root on Linux (a CI container): the server must then run as ``postgres``. Windows has
    no ``geteuid`` and no root to step down from."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _as_server_user(command: list[str]) -> list[str]:
    if running_as_root():
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def missing_reason() -> str | None:
    for tool in ("initdb", "pg_ctl"):
        if shutil.which(tool) is None:
            return f"PostgreSQL is not installed ({tool} not on PATH): install postgresql-15"
    if running_as_root():
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no 'postgres' user to run the server as"
    return None


@contextmanager
def running_server() -> Iterator[str]:
    """Yields the server URL for the superuser ``postgres`` on 127.0.0.1."""
    folder = Path(tempfile.mkdtemp(prefix="veru-pg-"))
    if running_as_root():
        shutil.chown(folder, "postgres")
    data = folder / "data"
    port = _free_port()
    log = folder / "server.log"
    subprocess.run(
        # --no-locale: initdb never fails on a CI machine whose LANG names a locale that is
        # not installed, and the server compares text as SQLite does.
        _as_server_user(
            [
                "initdb",
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        ),
        check=True,
        capture_output=True,
    )
    for attempt in range(3):
        # The free port is found before the server takes it, so a test run's other worker
        # (pytest-xdist) may take it first: then try another.
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        started = subprocess.run(
            _as_server_user(
                ["pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
            ),
            capture_output=True,
        )
        if started.returncode == 0:
            break
        if attempt == 2:
            started.check_returncode()
        port = _free_port()
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_server_user(["pg_ctl", "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)
