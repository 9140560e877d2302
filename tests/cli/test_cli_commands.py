"""The command line in-process: init, cases, import-referrals, check, demo-data, errors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import sys
import types
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from tests.dates import today
from veru_desk import __version__, cli
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason, ReferralStatus, Role
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.services.people import PersonDetails
from veru_desk.services.referrals import ReferralDetails
from veru_desk.services.users import actor_for, add_user

PASSWORD = "correct horse battery staple"
TEMPLATE = resource_path("referrals-template.csv")


@pytest.fixture
def unit(database_target: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A plain database (a file, or a server's) with Priya (manager), Dariusz (caseworker) and
    an administrator, and two cases: Ştefan's, active with Dariusz, and Zoë's, still waiting
    for triage."""
    monkeypatch.setenv("VERU_DESK_DATABASE", database_target)
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    db = Database.open(resolve_database(database_target))
    try:
        with db.write() as session:
            manager = actor_for(
                add_user(session, "priya", "Priya Raghunathan", {Role.MANAGER}, PASSWORD)
            )
            worker = actor_for(
                add_user(session, "dariusz", "Dariusz Wójcik", {Role.CASEWORKER}, PASSWORD)
            )
            add_user(session, "admin", "Sam Okonkwo", {Role.ADMIN}, PASSWORD)
        services = Services(db, manager)
        referral = ReferralDetails(
            received_on=today() - dt.timedelta(days=20),
            referring_agency="Luton Youth Justice Service",
            referring_agency_type=AgencyType.YOUTH_JUSTICE,
            reasons=frozenset({ReferralReason.COUNTY_LINES}),
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        )
        stefan = services.referrals.create(
            referral,
            person=PersonDetails(
                first_name="Ştefan",
                last_name="Popescu",
                date_of_birth=dt.date(2011, 4, 3),
            ),
        )
        services.referrals.decide(stefan.referral_id, ReferralStatus.ACCEPTED, "Meets criteria")
        assert worker.user_id is not None
        services.referrals.allocate(stefan.referral_id, worker.user_id)
        services.referrals.create(
            referral,
            person=PersonDetails(
                first_name="Zoë",
                last_name="Ó Súilleabháin",
                date_of_birth=today() - relativedelta(years=15, days=3),
            ),
        )
    finally:
        db.dispose()
    return database_target


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- global behaviour ---------------------------------------------------------------------------


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"veru-desk {__version__}"


def test_no_command_starts_the_desktop_app_lazily(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[str | None] = []
    fake = types.ModuleType("veru_desk.app")
    fake.run_app = lambda database=None, early=None: calls.append(database) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "veru_desk.app", fake)
    monkeypatch.delenv("VERU_DESK_USER", raising=False)
    assert cli.main(["--database", str(tmp_path / "x.db")]) == 0
    assert cli.main([f"--database={tmp_path / 'y.db'}"]) == 0
    assert calls == [str(tmp_path / "x.db"), str(tmp_path / "y.db")]
    # Anything more is a command (or a usage error), never the app.
    assert cli.main(["--database", str(tmp_path / "x.db"), "nonsense"]) == 2
    assert len(calls) == 2


def test_usage_errors_exit_with_status_two(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "cases", "--format", "yaml")
    assert code == 2
    assert "invalid choice" in err
    code, _out, err = run(capsys, "demo-data", "--people", "0")
    assert code == 2
    assert "must be 1 or more" in err


def test_adding_a_command_module_is_one_entry_in_the_registry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = types.ModuleType("veru_desk_test_hello")

    def register(subparsers: object) -> None:
        parser = subparsers.add_parser("hello")  # type: ignore[attr-defined]
        parser.set_defaults(func=lambda args, ctx: ctx.print(f"hello {args.database}") or 0)

    extra.register = register  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "veru_desk_test_hello", extra)
    monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "veru_desk_test_hello"))
    assert run(capsys, "hello", "--database", "x.db")[1] == "hello x.db\n"
    assert run(capsys, "--database", "y.db", "hello")[1] == "hello y.db\n"


def test_a_command_needing_a_user_says_how_to_give_one(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "cases")
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert "--user NAME" in err and "VERU_DESK_USER" in err


def test_a_wrong_password_is_one_line_and_no_traceback(
    unit: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERU_DESK_PASSWORD", "not the right password")
    code, _out, err = run(capsys, "cases", "--user", "priya")
    assert code == 1
    assert err == "veru-desk: The username or password is not right.\n"


def test_no_password_and_no_terminal_is_a_clear_error(
    unit: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VERU_DESK_PASSWORD")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, _out, err = run(capsys, "cases", "--user", "priya")
    assert code == 1
    assert "VERU_DESK_PASSWORD" in err


# --- cases ---------------------------------------------------------------------------------------


def test_cases_table_is_aligned_with_uk_dates(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "cases", "--user", "priya")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Case ref")
    assert "Popescu" in out and "03/04/2011" in out and "Dariusz Wójcik" in out
    assert lines[-1] == "2 cases"
    header, rule = lines[0], lines[1]
    assert header.index("Last name") == rule.index("-", header.index("Last name"))
    assert len({line.index("Ó Súilleabháin") for line in lines if "Súilleabháin" in line}) == 1


def test_cases_csv_and_json_use_iso_dates_and_codes(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "--user", "priya", "cases", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    stefan = next(r for r in rows if r["last_name"] == "Popescu")
    assert stefan["date_of_birth"] == "2011-04-03"
    assert stefan["status"] == "allocated"
    assert stefan["worker"] == "Dariusz Wójcik"
    code, out, _err = run(capsys, "cases", "--user", "priya", "--format", "json")
    data = json.loads(out)
    assert {d["first_name"] for d in data} == {"Ştefan", "Zoë"}
    assert {"case_ref", "first_name", "last_name", "date_of_birth", "status", "worker",
            "risk_level"} <= set(data[0])  # fmt: skip


def test_cases_status_filter_and_caseworker_scope(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _err = run(capsys, "cases", "--user", "priya", "--status", "received")
    assert code == 0 and "Súilleabháin" in out and "Popescu" not in out
    code, out, _err = run(capsys, "cases", "--user", "priya", "--status", "open", "--format", "csv")
    assert [r["last_name"] for r in csv.DictReader(io.StringIO(out))] == ["Popescu"]
    code, out, _err = run(capsys, "cases", "--user", "dariusz", "--format", "csv")
    assert [r["last_name"] for r in csv.DictReader(io.StringIO(out))] == ["Popescu"]
    code, _out, err = run(capsys, "cases", "--user", "priya", "--status", "sleeping")
    assert code == 2 and "not a status" in err


# --- import-referrals ------------------------------------------------------------------------


def test_import_the_template_then_the_same_people_again_match_existing_records(
    unit: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "import-referrals", str(TEMPLATE), "--user", "dariusz")
    assert (code, err) == (0, "")
    assert "Imported 2 referrals" in out and "2 new young people" in out
    # The same file again adds nothing: those referrals are already imported.
    code, out, _err = run(capsys, "import-referrals", str(TEMPLATE), "--user", "dariusz")
    assert code == 0
    assert out.count("already imported: line") == 2
    assert "Imported 0 referrals" in out
    # New referrals of the same people (a month later) join their existing records.
    later = tmp_path / "later.csv"
    text = TEMPLATE.read_text(encoding="utf-8")
    later.write_text(text.replace("/02/2026,", "/03/2026,"), encoding="utf-8")
    code, out, _err = run(capsys, "import-referrals", str(later), "--user", "dariusz")
    assert code == 0
    assert out.count("already on record as VERU-") == 2


def test_a_bad_file_lists_every_bad_row_and_imports_nothing(
    unit: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = TEMPLATE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "partner.csv"
    rows = [
        lines[0],
        lines[1].replace("14/03/2011", "31/02/2011"),
        lines[2],
        lines[1].replace("943 476 5919", "943 476 5918").replace("Abdirahman", "Liban"),
    ]
    bad.write_bytes("\r\n".join(rows).encode("cp1252", "replace"))
    code, out, err = run(capsys, "import-referrals", str(bad), "--user", "dariusz")
    assert code == 1
    assert "Row 2 (date_of_birth): 31/02/2011 is not a real date" in err
    assert "Row 4 (nhs_number): NHS number 943 476 5918 has a wrong check digit" in err
    assert "nothing was imported" in err
    assert out == ""
    code, out, _err = run(capsys, "cases", "--user", "priya", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2

    code, out, err = run(
        capsys, "import-referrals", str(bad), "--user", "dariusz", "--dry-run", "--skip-invalid"
    )
    assert code == 0 and "Dry run" in out and "Nothing was written" in out
    code, out, _err = run(capsys, "cases", "--user", "priya", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2

    code, out, err = run(
        capsys, "import-referrals", str(bad), "--user", "dariusz", "--skip-invalid"
    )
    assert code == 0
    assert "Imported 1 referral " in out and "Skipped 2 rows" in out
    assert "Row 2" in err and "Row 4" in err


def test_a_missing_file_is_one_line(unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "import-referrals", "no-such.csv", "--user", "dariusz")
    assert code == 1
    assert err.startswith("veru-desk: No such file or directory") and err.count("\n") == 1


# --- init and check ------------------------------------------------------------------------


def test_init_creates_an_encrypted_database_with_its_first_administrator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.db"
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    code, out, _err = run(capsys, "init", "--database", str(path))
    assert code == 1
    code, out, err = run(
        capsys, "init", "--database", str(path), "--admin", "sam", "--display-name", "Sam Okonkwo"
    )
    assert (code, err) == (0, "")
    assert "Recovery key:" in out
    assert path.with_name("new.db.keys").exists()
    assert not path.read_bytes().startswith(b"SQLite format 3")
    code, _out, err = run(capsys, "init", "--database", str(path), "--admin", "again")
    assert code == 1 and "already has users" in err
    code, out, _err = run(capsys, "check", "--database", str(path), "--user", "sam")
    assert code == 0 and "no problems found" in out


def test_init_refuses_a_short_administrator_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERU_DESK_PASSWORD", "short")
    code, _out, err = run(
        capsys, "init", "--database", str(tmp_path / "x.db"), "--admin", "sam", "--no-encryption"
    )
    assert code == 1
    assert "at least 12 characters" in err


def test_plain_init_then_first_admin_then_upgrade_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "plain.db")
    monkeypatch.setenv("VERU_DESK_PASSWORD", PASSWORD)
    assert run(capsys, "init", "--database", path, "--no-encryption")[0] == 0
    assert Path(path).read_bytes().startswith(b"SQLite format 3")
    code, out, _err = run(capsys, "init", "--database", path, "--admin", "Łukasz.W")
    assert code == 0 and "Administrator łukasz.w created" in out
    code, out, _err = run(capsys, "init", "--database", path)
    assert code == 0 and "schema up to date" in out


def test_check_needs_a_manager_and_passes_a_sound_database(
    unit: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "check", "--user", "dariusz")
    assert code == 1 and "manager" in err
    code, out, _err = run(capsys, "check", "--user", "priya")
    assert code == 0 and "no problems found" in out


@pytest.mark.sqlite_only  # a server enforces its foreign keys itself
def test_check_finds_a_broken_foreign_key(unit: str, capsys: pytest.CaptureFixture[str]) -> None:
    raw = sqlite3.connect(unit)
    raw.execute("PRAGMA foreign_keys = OFF")
    raw.execute("INSERT INTO referral_reason (referral_id, reason) VALUES (9999, 'knife_carrying')")
    raw.commit()
    raw.close()
    code, _out, err = run(capsys, "check", "--user", "admin")
    assert code == 1
    assert "referral_reason point at missing rows in referral" in err


# --- demo-data -------------------------------------------------------------------------------


def test_demo_data_on_a_new_database_creates_the_team_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "demo.db")
    code, out, err = run(
        capsys, "demo-data", "--people", "30", "--seed", "4", "--as-of", "31/03/2026",
        "--database", path, "--no-encryption",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "Demo data: 30 young people" in out
    assert out.count("demo-password-1") == 1
    assert "WARNING" in out and "demonstration only" in out
    assert "priya" in out and "Dariusz Wójcik" in out

    code, _out, err = run(capsys, "demo-data", "--people", "5", "--database", path)
    assert code == 1 and "--user" in err
    monkeypatch.setenv("VERU_DESK_PASSWORD", "demo-password-1")
    code, _out, err = run(
        capsys, "demo-data", "--people", "5", "--database", path, "--user", "dariusz"
    )
    assert code == 1 and "manager" in err
    code, out, _err = run(
        capsys, "demo-data", "--people", "5", "--as-of", "2026-03-31", "--database", path,
        "--user", "priya",
    )  # fmt: skip
    assert code == 0 and "demo-password-1" not in out
    code, out, _err = run(capsys, "cases", "--database", path, "--user", "priya", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 35
    assert run(capsys, "check", "--database", path, "--user", "admin")[0] == 0


def test_demo_data_dates_accept_iso_and_refuse_nonsense(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(
        capsys, "demo-data", "--people", "3", "--as-of", "31/02/2026",
        "--database", str(tmp_path / "x.db"),
    )  # fmt: skip
    assert code == 2
    assert "February 2026 has 28 days" in err
    assert not (tmp_path / "x.db").exists()
