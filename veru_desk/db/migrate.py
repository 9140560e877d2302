"""Creating and upgrading the schema with the Alembic migrations shipped in the package.

Alembic itself is imported only when there is migrating (or comparing) to do: every start
asks "is this database current?", and answering that from the file names and one SELECT
keeps Alembic's ~0.2 s import off the path to the main window.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from veru_desk.domain.errors import StorageError

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"
# Revision ids are the four-digit prefix of each file (0001_initial_schema.py): one line of
# history, each migration revising the one before. tests/db/test_migrations.py holds
# Alembic to that, so the shortcut below answers as Alembic would.
_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")
# SQLite's header field for "which program's file is this" (``PRAGMA application_id``): "VERU"
# in ASCII. Set when a database is created or upgraded, and at every open of one made before
# it was (``mark_as_ours``); a restore refuses a file carrying another program's id.
APPLICATION_ID = 0x56455255


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def known_revisions() -> set[str]:
    found = {
        match[1]
        for path in VERSIONS_DIR.iterdir()
        if (match := _REVISION_FILE.match(path.name)) is not None
    }
    if not found:
        raise StorageError("This installation ships no database migrations: reinstall it.")
    return found


def head_revision() -> str:
    return max(known_revisions())


def alembic_head_and_history() -> tuple[str | None, list[str]]:
    """Alembic's own view (for the test that keeps the shortcut honest)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    return scripts.get_current_head(), [s.revision for s in scripts.walk_revisions()]


def current_revision(engine: Engine) -> str | None:
    """Asked the one way the bare start-up reader asks it too (``driver.Connection``)."""
    from veru_desk.db.driver import Connection

    raw = engine.raw_connection()
    try:
        return Connection(
            raw.driver_connection, server=engine.dialect.name != "sqlite"
        ).current_revision()
    finally:
        raw.close()


def needs_upgrade(engine: Engine) -> bool:
    return current_revision(engine) != head_revision()


def refuse_if_newer(engine: Engine) -> None:
    """A database written by a newer release may hold data this one would damage."""
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise StorageError(
            f"This database was made by a newer version of VERU Desk (schema {current}). "
            "Install the latest version to open it."
        )


def refuse_if_not_ours(engine: Engine) -> None:
    """A SQLite file with tables of its own and no VERU Desk schema is another program's
    (a `--database` pointing at the wrong file): adding our tables to it would damage it."""
    if engine.dialect.name != "sqlite" or current_revision(engine) is not None:
        return
    from sqlalchemy import inspect

    theirs = sorted(t for t in inspect(engine).get_table_names() if not t.startswith("sqlite_"))
    if theirs:
        shown = ", ".join(theirs[:5]) + (", …" if len(theirs) > 5 else "")
        raise StorageError(
            f"This file is not a VERU Desk database: it holds other tables ({shown}) and no "
            "VERU Desk schema, so it was left as it is. Check the --database path."
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    refuse_if_newer(engine)
    refuse_if_not_ours(engine)
    cfg = _config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def application_id(engine: Engine) -> int | None:
    """The file's application id (0: never set); None for a server database."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA application_id").scalar() or 0)


def mark_as_ours(engine: Engine) -> None:
    """Marks a VERU Desk file made before databases carried the mark (a write only the first
    time). Refuses another program's SQLite file rather than adding our tables to it."""
    found = application_id(engine)
    if found is None or found == APPLICATION_ID:
        return
    if found != 0:
        raise StorageError(
            f"This file belongs to another program (SQLite application id {found:#x}), not to "
            "VERU Desk: choose a VERU Desk database."
        )
    with engine.begin() as connection:
        connection.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")


def schema_differences(engine: Engine) -> list[object]:
    """What the models have that the migrated database lacks (empty when they agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from veru_desk.db.models import Base

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def rebuild_missing_indexes(engine: Engine) -> list[str]:
    """Creates the indexes of this release's models that a current database lacks; returns
    their names. An earlier release's demo loader dropped 11 for its load, and a kill during
    it left them so: every query slowed and ``check`` complained until they were rebuilt."""
    from sqlalchemy import inspect

    from veru_desk.db.models import Base

    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    missing = [
        index
        for table in Base.metadata.sorted_tables
        if table.name in tables
        for index in table.indexes
        if index.name not in {found["name"] for found in inspector.get_indexes(table.name)}
    ]
    if missing:
        with engine.begin() as connection:
            for index in missing:
                index.create(connection, checkfirst=True)
    return sorted(str(index.name) for index in missing)
