"""Folders named as people name them on a shared drive: "100%41 Club", "Who? What?", "Case #4".

A path written into a URL string and parsed back is read as a URL: "%41" becomes "A", a "?"
starts a query and the rest of the path is lost. The database must be the file in the folder
the person chose, and no other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.migrate import upgrade
from veru_desk.domain.enums import Role
from veru_desk.services.users import add_user

PASSWORD = "correct horse battery staple"
FOLDERS = ("100%41 Club", "Who? What", "Case #4 Ó Briain", "Zoë's 50% share")


@pytest.mark.parametrize("folder", FOLDERS)
def test_a_database_in_an_awkwardly_named_folder_is_that_folder_s_file(
    tmp_path: Path, folder: str
) -> None:
    chosen = tmp_path / folder
    chosen.mkdir()
    elsewhere = tmp_path / "100A Club"
    elsewhere.mkdir()
    db = Database.open(resolve_database(str(chosen / "veru.db")))
    upgrade(db.engine)
    with db.write() as session:
        add_user(session, "zoe", "Zoë Ó Briain", {Role.MANAGER}, PASSWORD)
    db.dispose()
    assert (chosen / "veru.db").stat().st_size > 0
    assert not (elsewhere / "veru.db").exists()
    made = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert all(name.startswith("veru.db") for name in made), made
    assert not any(p.name == "Who" for p in tmp_path.iterdir())


def test_init_backup_and_check_in_a_percent_folder_use_the_one_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole road an administrator takes: ``init`` makes the file there, a backup copies
    that file (it finds the live file from the engine's URL) and ``check`` opens it again."""
    chosen = tmp_path / "100%41 Club"
    decoy = tmp_path / "100A Club"
    chosen.mkdir()
    decoy.mkdir()
    path = chosen / "veru.db"
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    monkeypatch.setenv("VERU_DESK_BACKUP_DIR", str(chosen / "backups"))
    assert cli.main(["init", "--database", str(path), "--admin", "dariusz"]) == 0
    assert cli.main(["backup", "--database", str(path), "--user", "dariusz"]) == 0
    assert cli.main(["check", "--database", str(path), "--user", "dariusz"]) == 0
    out, err = capsys.readouterr()
    assert "no problems found" in out, err
    assert path.exists() and path.with_name("veru.db.keys").exists()
    assert list((chosen / "backups").iterdir())
    assert list(decoy.iterdir()) == []
