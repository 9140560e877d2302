"""Where things live: the user data folder, the default database, the database location.

Nothing here opens a database; it only says where one is. Kept free of Qt so the command
line can use it on a server.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from platformdirs import user_data_path, user_log_path

APP_NAME = "VERU Desk"
APP_AUTHOR = "VERU"
DATABASE_ENV = "VERU_DESK_DATABASE"
DATA_DIR_ENV = "VERU_DESK_DATA_DIR"
BACKUP_DIR_ENV = "VERU_DESK_BACKUP_DIR"
USER_ENV = "VERU_DESK_USER"
PASSWORD_ENV = "VERU_DESK_PASSWORD"
DEFAULT_DATABASE_NAME = "veru-desk.db"


def data_dir() -> Path:
    """The user data folder (overridable for tests and portable installs)."""
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else user_data_path(APP_NAME, APP_AUTHOR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) / "logs" if override else user_log_path(APP_NAME, APP_AUTHOR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class DatabaseLocation:
    """A database as the user named it: a SQLite file path or any SQLAlchemy URL."""

    # For a file, a label only: the engine builds its URL from ``path`` (``db.engine.engine_url``)
    # because a path written into a URL string is read back wrongly ("%41", "?", "#").
    url: str
    path: Path | None  # set for SQLite files, None for server databases

    @property
    def is_sqlite_file(self) -> bool:
        return self.path is not None

    @property
    def display(self) -> str:
        """For the status bar and messages: never shows a password."""
        if self.path is not None:
            return str(self.path)
        return hide_password(self.url)


def hide_password(url: str) -> str:
    """``postgresql+psycopg://veru:***@dbserver/veru``: the URL without its password, as
    SQLAlchemy renders one, without importing SQLAlchemy (the status bar shows it at start)."""
    parts = urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def resolve_database(value: str | None = None) -> DatabaseLocation:
    """``--database`` beats ``VERU_DESK_DATABASE`` beats the default file in the data folder."""
    value = value or os.environ.get(DATABASE_ENV) or str(data_dir() / DEFAULT_DATABASE_NAME)
    if "://" in value:
        if value.startswith("sqlite:///") and len(value) > len("sqlite:///"):
            path = Path(value.removeprefix("sqlite:///")).expanduser().resolve()
            return DatabaseLocation(url=f"sqlite:///{path}", path=path)
        return DatabaseLocation(url=value, path=None)
    path = Path(value).expanduser().resolve()
    return DatabaseLocation(url=f"sqlite:///{path}", path=path)


def environment_credentials() -> tuple[str, str] | None:
    """VERU_DESK_USER and VERU_DESK_PASSWORD, when both are set: unattended runs of the app
    (screenshots, the benchmark) and of commands. The password is checked all the same."""
    username = os.environ.get(USER_ENV)
    password = os.environ.get(PASSWORD_ENV)
    return (username, password) if username and password else None


def backup_dir_for(location: DatabaseLocation) -> Path:
    """Beside the database by default (``backups/``), or where the administrator points."""
    override = os.environ.get(BACKUP_DIR_ENV)
    if override:
        return Path(override)
    if location.path is None:
        from veru_desk.domain.errors import StorageError

        raise StorageError(
            "Backups of a server database are made on the server (pg_dump); "
            "see the README's shared-office section."
        )
    return location.path.parent / "backups"
