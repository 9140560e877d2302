from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from veru_desk.config import resolve_database
from veru_desk.db import migrate
from veru_desk.db.engine import Database
from veru_desk.db.opening import open_database
from veru_desk.domain.errors import StorageError


def test_models_and_migrations_agree(db: Database) -> None:
    assert migrate.schema_differences(db.engine) == []
    assert migrate.current_revision(db.engine) == migrate.head_revision()


def test_upgrade_from_an_empty_file_creates_every_table(tmp_path: Path) -> None:
    db = open_database(resolve_database(str(tmp_path / "new.db")))
    with db.read() as session:
        tables = set(
            session.scalars(text("SELECT name FROM sqlite_master WHERE type='table'")).all()
        )
    db.dispose()
    assert {"young_person", "referral", "mentoring_session", "audit_event"} <= tables


def test_a_database_from_a_newer_release_is_refused(db: Database) -> None:
    with db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StorageError, match="newer version"):
        migrate.upgrade(db.engine)


def test_audit_rows_cannot_be_changed_or_deleted(db: Database) -> None:
    with db.write() as session:
        session.execute(text("INSERT INTO audit_event (at, action) VALUES ('2026-01-01', 'login')"))
    for statement in ("UPDATE audit_event SET action = 'view'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"), db.write() as session:
            session.execute(text(statement))
    with db.read() as session:
        assert session.scalar(text("SELECT action FROM audit_event")) == "login"


@pytest.mark.sqlite_only
def test_sqlite_connections_enforce_foreign_keys_and_use_wal(db: Database) -> None:
    with db.read() as session:
        assert session.scalar(text("PRAGMA foreign_keys")) == 1
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert session.scalar(text("PRAGMA busy_timeout")) >= 5000


def test_the_quick_revision_check_agrees_with_alembic() -> None:
    head, history = migrate.alembic_head_and_history()
    assert migrate.head_revision() == head
    assert migrate.known_revisions() == set(history)


def test_checking_a_current_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    open_database(resolve_database(str(tmp_path / "current.db"))).dispose()
    probe = (
        "import sys; from veru_desk.config import resolve_database; "
        "from veru_desk.db.opening import open_database; "
        f"open_database(resolve_database({str(tmp_path / 'current.db')!r})).dispose(); "
        "print('alembic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_the_apps_services_and_documents_do_not_import_alembic() -> None:
    """Alembic, with Mako and Pygments, is 17 MiB of resident memory: only a migration needs it.
    The audit trail once read a constant from the migrations' guards module, which loaded it in
    every start."""
    import subprocess
    import sys

    probe = (
        "import sys; import veru_desk.services.container, veru_desk.services.audit, "
        "veru_desk.services.retention, veru_desk.reports.case_summary, "
        "veru_desk.ui.shell.main_window; "
        "print(sorted({'alembic', 'mako', 'pygments'} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.stdout.strip() == "[]"


def test_the_open_case_column_is_worked_out_as_the_model_says() -> None:
    """0016 wrote ``ReferralStatus.is_open_case`` into the schema; if the statuses that count as
    open ever change, a new migration must change the column too."""
    import importlib

    from veru_desk.db.models import OPEN_CASE_SQL

    migration = importlib.import_module("veru_desk.db.migrations.versions.0016_open_cases_by_name")
    assert migration._OPEN == OPEN_CASE_SQL
