from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from tests.conftest import Team
from veru_desk.db.backup import list_backups
from veru_desk.db.engine import Database
from veru_desk.db.models import Agency, AuditEvent
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import PermissionDenied, StorageError
from veru_desk.services import Services
from veru_desk.services.backups import BackupService


def _agency(db: Database, name: str) -> None:
    with db.write() as session:
        session.add(Agency(name=name, agency_type="school"))


@pytest.mark.sqlite_only
def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(
    db: Database, team: Team, db_path: Path
) -> None:
    service = BackupService(db, team.admin)
    _agency(db, "Challney High School for Boys")
    backup = service.backup_now()
    _agency(db, "Mistake Academy")
    safety = service.restore(backup)
    with db.read() as session:
        names = session.scalars(select(Agency.name)).all()
        actions = session.scalars(select(AuditEvent.action)).all()
    assert names == ["Challney High School for Boys"]
    assert AuditAction.RESTORE in actions
    assert safety.parent == db_path.parent / "backups"
    assert {b.kind for b in list_backups(safety.parent)} >= {"manual", "before-restore"}


@pytest.mark.sqlite_only
def test_a_backup_from_a_newer_release_is_refused(db: Database, team: Team) -> None:
    service = BackupService(db, team.admin)
    backup = service.backup_now()
    future = Database.open(db.location.__class__(url=f"sqlite:///{backup}", path=backup))
    with future.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    future.dispose()
    with pytest.raises(StorageError, match="newer version"):
        service.restore(backup)


def test_only_administrators_back_up_and_restore(as_manager: Services) -> None:
    with pytest.raises(PermissionDenied):
        BackupService(as_manager.db, as_manager.actor).backup_now()
