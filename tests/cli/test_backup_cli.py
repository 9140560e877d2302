"""``veru-desk backup``, ``restore`` and ``subject-access`` end to end on a database file."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from pypdf import PdfReader

from tests.dates import today
from veru_desk import cli
from veru_desk.config import resolve_database
from veru_desk.db.backup import list_backups
from veru_desk.db.engine import Database
from veru_desk.db.migrate import APPLICATION_ID, head_revision
from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason, ReferralStatus, Role
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for, add_user

PASSWORD = "correct horse battery staple"


class FakeStdin(io.StringIO):
    def __init__(self, text: str, *, tty: bool) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture
def unit(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """An administrator, a manager, a caseworker, and Nguyễn Văn An's case with one note."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("veru_desk.cli.backup",))
    monkeypatch.setenv("VERU_DESK_DATABASE", str(db_path))
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    monkeypatch.setattr("sys.stdin", FakeStdin("", tty=False))
    db = Database.open(resolve_database(str(db_path)))
    try:
        with db.write() as session:
            add_user(session, "admin", "Sam Okonkwo", {Role.ADMIN}, password=PASSWORD)
            manager = actor_for(
                add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, password=PASSWORD)
            )
            worker_id = add_user(
                session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, password=PASSWORD
            ).id
        services = Services(db, manager)
        intake = services.referrals.create(
            ReferralDetails(
                received_on=today() - dt.timedelta(days=20),
                referring_agency="Luton Youth Justice Service",
                referring_agency_type=AgencyType.YOUTH_JUSTICE,
                reasons=frozenset({ReferralReason.COUNTY_LINES}),
                consent_young_person=ConsentStatus.GIVEN,
                consent_parent=ConsentStatus.GIVEN,
            ),
            person=PersonDetails(
                first_name="Nguyễn Văn",
                last_name="An",
                date_of_birth=today() - relativedelta(years=15, days=9),
            ),
        )
        services.referrals.decide(intake.referral_id, ReferralStatus.ACCEPTED, "Threshold met")
        services.referrals.allocate(intake.referral_id, worker_id)
        note_id = services.notes.add(
            intake.person_id,
            NoteInput(
                occurred_at=dt.datetime.now().replace(microsecond=0) - dt.timedelta(hours=2),
                subject="Call with his aunt",
                body="His aunt Trần Thị Mai worries about older boys at the bus station.",
                confidential=False,
            ),
        )
        return {"case_ref": intake.case_ref, "note_id": note_id, "db_path": db_path}
    finally:
        db.dispose()


def _names(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as connection:
        return [row[0] for row in connection.execute("SELECT first_name FROM young_person")]


def test_backup_writes_a_verified_copy_and_prints_its_path_and_size(
    unit: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(["backup", "--user", "admin"])
    out = capsys.readouterr()
    assert status == 0, out.err
    db_path = unit["db_path"]
    assert isinstance(db_path, Path)
    [made] = list_backups(db_path.parent / "backups")
    assert made.kind == "manual"
    assert str(made.path) in out.out
    assert " MB)" in out.out
    assert _names(made.path) == ["Nguyễn Văn"]


def test_backup_to_a_chosen_file(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere" / "veru-copy.db"
    assert cli.main(["backup", "-o", str(target), "--user", "admin"]) == 0
    assert str(target) in capsys.readouterr().out
    assert _names(target) == ["Nguyễn Văn"]


def test_backup_is_refused_to_a_caseworker(
    unit: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["backup", "--user", "dariusz"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "backup" in err.lower()


def _backup_then_change(unit: dict[str, object], tmp_path: Path) -> Path:
    """A backup holding An's case, then the case erased from the live database."""
    target = tmp_path / "before.db"
    assert cli.main(["backup", "-o", str(target), "--user", "admin"]) == 0
    db_path = unit["db_path"]
    assert isinstance(db_path, Path)
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("DELETE FROM young_person")
    assert _names(db_path) == []
    return target


def test_restore_without_a_terminal_needs_yes(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup_then_change(unit, tmp_path)
    capsys.readouterr()
    assert cli.main(["restore", str(backup), "--user", "admin"]) == 1
    err = capsys.readouterr().err
    assert "--yes" in err and err.count("\n") == 1
    assert _names(unit["db_path"]) == []  # type: ignore[arg-type]


def test_restore_with_yes_brings_the_backup_back_and_keeps_the_database_as_it_was(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup_then_change(unit, tmp_path)
    capsys.readouterr()
    assert cli.main(["restore", str(backup), "--yes", "--user", "admin"]) == 0
    out = capsys.readouterr().out
    db_path = unit["db_path"]
    assert isinstance(db_path, Path)
    assert _names(db_path) == ["Nguyễn Văn"]
    [safety] = [b for b in list_backups(db_path.parent / "backups") if b.kind == "before-restore"]
    assert str(safety.path) in out
    assert _names(safety.path) == []  # the database as it was just before the restore


def test_restore_on_a_terminal_asks_and_no_keeps_the_database(
    unit: dict[str, object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = _backup_then_change(unit, tmp_path)
    monkeypatch.setattr("sys.stdin", FakeStdin("n\n", tty=True))
    capsys.readouterr()
    assert cli.main(["restore", str(backup), "--user", "admin"]) == 1
    out = capsys.readouterr().out
    assert f"Restore {backup.name} over " in out
    assert "The current database is backed up first. [y/N]" in out
    assert "Nothing was restored." in out
    assert _names(unit["db_path"]) == []  # type: ignore[arg-type]


def test_restore_on_a_terminal_answered_yes_restores(
    unit: dict[str, object],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = _backup_then_change(unit, tmp_path)
    monkeypatch.setattr("sys.stdin", FakeStdin("y\n", tty=True))
    assert cli.main(["restore", str(backup), "--user", "admin"]) == 0
    assert _names(unit["db_path"]) == ["Nguyễn Văn"]  # type: ignore[arg-type]


def test_restore_refuses_a_file_from_a_newer_release(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = _backup_then_change(unit, tmp_path)
    with sqlite3.connect(backup) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    capsys.readouterr()
    assert cli.main(["restore", str(backup), "--yes", "--user", "admin"]) == 1
    assert "newer version" in capsys.readouterr().err
    assert _names(unit["db_path"]) == []  # type: ignore[arg-type]


def test_restore_refuses_a_damaged_file(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x5a" * 8192)
    assert cli.main(["restore", str(broken), "--yes", "--user", "admin"]) == 1
    assert "broken.db" in capsys.readouterr().err
    assert _names(unit["db_path"]) == ["Nguyễn Văn"]  # type: ignore[arg-type]


def test_subject_access_writes_json_and_pdf_with_the_withheld_note_marked(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path, pdf_path = tmp_path / "sar.json", tmp_path / "sar.pdf"
    key = f"note:{unit['note_id']}"
    status = cli.main(
        ["subject-access", str(unit["case_ref"]), "--json", str(json_path), "--pdf",
         str(pdf_path), "--withhold", f"{key}=Names a third party", "--user", "priya"]
    )  # fmt: skip
    out = capsys.readouterr()
    assert status == 0, out.err
    assert "1 withheld" in out.out
    document = json.loads(json_path.read_text(encoding="utf-8"))
    assert document["person"]["first_name"] == "Nguyễn Văn"
    assert document["withheld"] == [{"key": key, "reason": "Names a third party"}]
    assert "Trần Thị Mai" not in json_path.read_text(encoding="utf-8")
    text = " ".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    assert "Names a third party" in text
    assert "Trần Thị Mai" not in text


def test_subject_access_refuses_a_malformed_withhold_and_writes_nothing(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path, pdf_path = tmp_path / "sar.json", tmp_path / "sar.pdf"
    status = cli.main(
        ["subject-access", str(unit["case_ref"]), "--json", str(json_path), "--pdf",
         str(pdf_path), "--withhold", "note-12", "--user", "priya"]
    )  # fmt: skip
    assert status == 1
    assert "KEY=REASON" in capsys.readouterr().err
    assert not json_path.exists() and not pdf_path.exists()


def test_subject_access_is_for_managers(
    unit: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(
        ["subject-access", str(unit["case_ref"]), "--json", str(tmp_path / "a.json"),
         "--pdf", str(tmp_path / "a.pdf"), "--user", "dariusz"]
    )  # fmt: skip
    assert status == 1
    assert not (tmp_path / "a.pdf").exists()


# --- backups belong to one database (issue #13, finding 4), through the real command ----------


def _veru(tmp_path: Path, *args: str, password: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERU_DESK_")}
    env.update(VERU_DESK_DATA_DIR=str(tmp_path / "userdata"), VERU_DESK_PASSWORD=password)
    return subprocess.run(
        [sys.executable, "-m", "veru_desk", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def _init(tmp_path: Path, db: Path, admin: str, *extra: str) -> str:
    made = _veru(tmp_path, "--database", str(db), "init", "--admin", admin, *extra)
    assert made.returncode == 0, made.stderr
    return made.stdout


def test_backup_to_a_file_never_overwrites_another_databases_key_file_without_force(
    tmp_path: Path,
) -> None:
    """`backup -o DIR/NAME.db` once wrote the live key file into DIR under the live
    database's name, replacing another database's key file (and with it its recovery key)."""
    office, training = tmp_path / "office", tmp_path / "training"
    office.mkdir()
    training.mkdir()
    _init(tmp_path, office / "cases.db", "zoe")
    _init(tmp_path, training / "cases.db", "siobhan")
    their_keys = (training / "cases.db.keys").read_bytes()

    refused = _veru(
        tmp_path, "--database", str(office / "cases.db"), "backup", "-o",
        str(training / "cases.db"), "--user", "zoe",
    )  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert str(training / "cases.db") in refused.stderr and "--force" in refused.stderr
    assert (training / "cases.db.keys").read_bytes() == their_keys

    aside = _veru(
        tmp_path, "--database", str(office / "cases.db"), "backup", "-o",
        str(training / "office-copy.db"), "--user", "zoe",
    )  # fmt: skip
    assert aside.returncode == 0, aside.stderr
    assert (training / "cases.db.keys").read_bytes() == their_keys
    assert (training / "office-copy.db.keys").is_file()  # its own key, under its own name
    # Both open with their own passwords: the training database and the backup of the office.
    own = ((training / "cases.db", "siobhan"), (training / "office-copy.db", "zoe"))
    for database, user in own:
        checked = _veru(tmp_path, "--database", str(database), "check", "--user", user)
        assert checked.returncode == 0, checked.stderr

    again = _veru(
        tmp_path, "--database", str(office / "cases.db"), "backup", "-o",
        str(training / "office-copy.db"), "--user", "zoe",
    )  # fmt: skip
    assert again.returncode == 1 and "--force" in again.stderr
    forced = _veru(
        tmp_path, "--database", str(office / "cases.db"), "backup", "-o",
        str(training / "office-copy.db"), "--force", "--user", "zoe",
    )  # fmt: skip
    assert forced.returncode == 0, forced.stderr


def test_two_databases_in_one_folder_keep_their_own_daily_backups(tmp_path: Path) -> None:
    first, second = tmp_path / "luton.db", tmp_path / "dunstable.db"
    _init(tmp_path, first, "ngozi", "--no-encryption")
    _init(tmp_path, second, "dariusz", "--no-encryption")
    for database, user in ((first, "ngozi"), (second, "dariusz")):
        made = _veru(tmp_path, "--database", str(database), "backup", "--user", user)
        assert made.returncode == 0, made.stderr
    folder = tmp_path / "backups"
    assert [b.path.name.split("-manual-")[0] for b in list_backups(folder, first)] == ["luton"]
    assert [b.path.name.split("-manual-")[0] for b in list_backups(folder, second)] == [
        "dunstable"
    ]


def test_restore_refuses_an_unrelated_sqlite_file_with_our_revision_and_keeps_the_database(
    tmp_path: Path,
) -> None:
    """An unrelated SQLite file carrying the same Alembic revision was once accepted, and
    replaced the live database: every command failed until the safety copy was put back."""
    live = tmp_path / "cases.db"
    _init(tmp_path, live, "tomasz", "--no-encryption")
    stranger = tmp_path / "stock-take.db"
    with sqlite3.connect(stranger) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
        connection.execute("CREATE TABLE shelf (id INTEGER PRIMARY KEY, label TEXT)")

    refused = _veru(
        tmp_path, "--database", str(live), "restore", str(stranger), "--yes", "--user", "tomasz"
    )
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1
    assert "stock-take.db is not a VERU Desk backup" in refused.stderr
    checked = _veru(tmp_path, "--database", str(live), "check", "--user", "tomasz")
    assert checked.returncode == 0, checked.stderr
    assert not list((tmp_path / "backups").glob("*before-restore*"))  # untouched: no need


def test_restore_refuses_another_programs_database(tmp_path: Path) -> None:
    live = tmp_path / "cases.db"
    _init(tmp_path, live, "tomasz", "--no-encryption")
    copy = tmp_path / "copy.db"
    assert _veru(tmp_path, "--database", str(live), "backup", "-o", str(copy), "--user",
                 "tomasz").returncode == 0  # fmt: skip
    with sqlite3.connect(copy) as connection:
        connection.execute("PRAGMA application_id = 1179403647")  # another program's mark
    refused = _veru(
        tmp_path, "--database", str(live), "restore", str(copy), "--yes", "--user", "tomasz"
    )
    assert refused.returncode == 1 and "another program" in refused.stderr


def test_restore_refuses_a_backup_of_another_encrypted_database(tmp_path: Path) -> None:
    office, training = tmp_path / "office.db", tmp_path / "training.db"
    _init(tmp_path, office, "zoe")
    _init(tmp_path, training, "zoe")
    theirs = tmp_path / "training-copy.db"
    assert _veru(tmp_path, "--database", str(training), "backup", "-o", str(theirs),
                 "--user", "zoe").returncode == 0  # fmt: skip
    refused = _veru(
        tmp_path, "--database", str(office), "restore", str(theirs), "--yes", "--user", "zoe"
    )
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1  # one line: no SQLCipher log
    assert "backup of another database" in refused.stderr
    checked = _veru(tmp_path, "--database", str(office), "check", "--user", "zoe")
    assert checked.returncode == 0, checked.stderr


def test_every_new_database_carries_the_veru_desk_mark(tmp_path: Path) -> None:
    plain = tmp_path / "plain.db"
    _init(tmp_path, plain, "ngozi", "--no-encryption")
    with sqlite3.connect(plain) as connection:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        connection.execute("PRAGMA application_id = 0")  # as made by an earlier release
    checked = _veru(tmp_path, "--database", str(plain), "check", "--user", "ngozi")
    assert checked.returncode == 0, checked.stderr
    with sqlite3.connect(plain) as connection:  # marked at its next open
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_a_damaged_encrypted_backup_is_called_damaged_not_another_databases(
    tmp_path: Path,
) -> None:
    office = tmp_path / "office.db"
    _init(tmp_path, office, "zoe")
    copy = tmp_path / "office-copy.db"
    assert _veru(tmp_path, "--database", str(office), "backup", "-o", str(copy),
                 "--user", "zoe").returncode == 0  # fmt: skip
    with copy.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x5a" * 200)  # the first page, which SQLCipher checks first
    refused = _veru(
        tmp_path, "--database", str(office), "restore", str(copy), "--yes", "--user", "zoe"
    )
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "office-copy.db is damaged" in refused.stderr
    assert "another database" not in refused.stderr


def test_a_database_path_pointing_at_another_programs_file_leaves_it_untouched(
    tmp_path: Path,
) -> None:
    stock = tmp_path / "stock-take.db"
    with sqlite3.connect(stock) as connection:
        connection.execute("CREATE TABLE shelf (id INTEGER PRIMARY KEY, label TEXT)")
        connection.execute("INSERT INTO shelf (label) VALUES ('Łukasz''s box')")
    refused = _veru(tmp_path, "--database", str(stock), "init", "--no-encryption")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "not a VERU Desk database" in refused.stderr and "shelf" in refused.stderr
    with sqlite3.connect(stock) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert [row[0] for row in tables] == ["shelf"]  # none of ours added to it
    assert not (tmp_path / "backups").exists()
