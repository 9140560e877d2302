"""The self-test: does this installation (a virtual environment or the packaged bundle) work?

IT runs ``veru-desk self-test`` on a PC after deploying the bundle, and the packaging test
runs it on every build, so each check goes through the same code the app uses: the shipped
files, the SQLCipher, argon2 and OpenSSL (libcrypto) native parts (by creating an encrypted
database and signing in to it), the Alembic migrations (read from files, so a bundle without the
migration scripts fails here), a case written and read back through the services, a case
summary PDF from reportlab with the shipped fonts, the PostgreSQL driver's libpq, and the
main window built offscreen.

Everything happens in a temporary folder, including the backup taken on first sign-in, so
the self-test never touches the real database, its backups or the user's window settings.
Qt is imported only by the main-window check.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import secrets
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veru_desk import __version__

SHIPPED_FILES: tuple[tuple[str, ...], ...] = (
    ("style.qss",),
    ("icons", "veru-desk.svg"),
    ("icons", "veru-desk-256.png"),
    ("fonts", "DejaVuSans.ttf"),
    ("fonts", "DejaVuSans-Bold.ttf"),
    ("fonts", "NotoNaskhArabic-Regular.ttf"),
    ("images", "veru-logo.png"),
    ("referrals-template.csv",),
    ("help", "triage.md"),
)
ADMIN = "selftest-admin"
MANAGER = "selftest-manager"
# A name that needs every layer to keep Unicode intact: accents folded for search, stored
# and read back exactly, printed in the PDF with the shipped DejaVu fonts.
FIRST_NAME = "Siobhán"
LAST_NAME = "Nic Giolla Phádraig"


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float
    trace: str = ""  # the traceback of an unexpected error, for the log file


@dataclass(frozen=True)
class SelfTestReport:
    results: list[CheckResult]
    seconds: float

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(result.ok for result in self.results)

    @property
    def failure(self) -> CheckResult | None:
        return next((result for result in self.results if not result.ok), None)

    def result(self, name: str) -> CheckResult:
        return next(result for result in self.results if result.name == name)

    def one_line(self) -> str:
        """What the command prints: every check passed, or the one that failed and why."""
        failure = self.failure
        if failure is not None:
            return f"VERU Desk {__version__} self-test FAILED at '{failure.name}': {failure.detail}"
        passed = "; ".join(f"{r.name}: {r.detail}" for r in self.results)
        return f"VERU Desk {__version__} self-test passed in {self.seconds:.1f} s ({passed})"


class CheckFailed(Exception):
    """A check found the installation wrong; the message says what and what to do."""


@dataclass
class SelfTestState:
    """What one check leaves for the next (the database, the case), in the temporary folder."""

    folder: Path
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    services: Any = None  # veru_desk.services.Services once signed in
    person_id: int | None = None


Check = Callable[[SelfTestState], str]


def check_shipped_files(state: SelfTestState) -> str:
    from veru_desk.resources import resource_path, resources_dir

    missing = []
    for parts in SHIPPED_FILES:
        try:
            resource_path(*parts)
        except FileNotFoundError:
            missing.append("/".join(parts))
    if missing:
        raise CheckFailed(
            f"missing from {resources_dir()}: {', '.join(missing)}. Reinstall VERU Desk "
            "(replace the whole folder)."
        )
    return f"{len(SHIPPED_FILES)} found"


def check_postgresql_driver(state: SelfTestState) -> str:
    """A shared office connects with psycopg; its libpq is a native part of the bundle."""
    import psycopg
    from sqlalchemy import create_engine

    implementation = psycopg.pq.__impl__
    libpq = psycopg.pq.version()
    # Building an engine loads SQLAlchemy's dialect and the driver without connecting.
    create_engine("postgresql+psycopg://self-test@localhost/self-test").dispose()
    major, minor = divmod(libpq, 10000)
    return f"psycopg {psycopg.__version__}, {implementation} libpq {major}.{minor}"


def check_encrypted_database(state: SelfTestState) -> str:
    """Creating an encrypted database uses argon2 (key wrapping and the password hash),
    OpenSSL's libcrypto (X25519, AES-GCM), SQLCipher, and runs every migration from its file."""
    from veru_desk.config import resolve_database
    from veru_desk.db.driver import SQLITE_HEADER
    from veru_desk.db.health import check_database
    from veru_desk.db.migrate import current_revision, head_revision
    from veru_desk.domain.enums import Role
    from veru_desk.services.vault import create_database

    location = resolve_database(str(state.folder / "self-test.db"))
    created = create_database(
        location,
        ADMIN,
        "Self-test administrator",
        state.password,
        encrypted=True,
        extra_users=[(MANAGER, "Self-test manager", frozenset({Role.MANAGER}), state.password)],
    )
    try:
        revision = current_revision(created.db.engine)
        if revision != head_revision():
            raise CheckFailed(f"migrated to {revision}, expected {head_revision()}")
        health = check_database(created.db.engine)
        if not health.ok:
            raise CheckFailed("; ".join(health.problems))
    finally:
        created.db.dispose()
    assert location.path is not None
    with location.path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER:
            raise CheckFailed("the new database file is not encrypted (SQLCipher did not load)")
    return f"SQLCipher, schema {revision}"


def check_sign_in(state: SelfTestState) -> str:
    """Unwrapping the key with the password and checking its hash: how every user gets in."""
    from veru_desk.config import resolve_database
    from veru_desk.services import Services
    from veru_desk.services.vault import open_for_user

    db, actor = open_for_user(
        resolve_database(str(state.folder / "self-test.db")), MANAGER, state.password
    )
    state.services = Services(db, actor)
    return f"as {actor.username}"


def check_case(state: SelfTestState) -> str:
    from veru_desk.domain.enums import AgencyType, ConsentStatus, ReferralReason
    from veru_desk.services.people import PersonDetails
    from veru_desk.services.referrals import ReferralDetails

    services = _services(state)
    today = dt.date.today()
    intake = services.referrals.create(
        ReferralDetails(
            received_on=today,
            referring_agency="Self-test Academy",
            referring_agency_type=AgencyType.SCHOOL,
            reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
            referrer_name="Self-test",
            consent_young_person=ConsentStatus.GIVEN,
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name=FIRST_NAME,
            last_name=LAST_NAME,
            date_of_birth=today.replace(year=today.year - 15, day=1),
            postcode="LU1 5AB",
        ),
    )
    state.person_id = intake.person_id
    person = services.people.get(intake.person_id)
    stored = (person.details.first_name, person.details.last_name)
    if stored != (FIRST_NAME, LAST_NAME):
        raise CheckFailed(f"wrote {FIRST_NAME} {LAST_NAME} but read back {' '.join(stored)}")
    found = [hit.person_id for hit in services.people.search("siobhan nic giolla")]
    if intake.person_id not in found:
        raise CheckFailed("the new case is not found by an accent-free name search")
    return f"{intake.case_ref} written, read and found"


def check_case_summary(state: SelfTestState) -> str:
    from veru_desk.reports.case_summary import render_case_summary
    from veru_desk.services.summary import SharingProfile

    services = _services(state)
    if state.person_id is None:
        raise CheckFailed("no case to summarise")
    data = services.summary.gather(state.person_id, SharingProfile.MULTI_AGENCY)
    buffer = io.BytesIO()
    pages = render_case_summary(data, buffer)
    pdf = buffer.getvalue()
    if not pdf.startswith(b"%PDF") or pages < 1:
        raise CheckFailed("reportlab did not produce a PDF")
    return f"{pages} page{'s' if pages != 1 else ''}, {len(pdf) // 1024} KB"


def check_main_window(state: SelfTestState) -> str:
    """Built and shown offscreen unless a display platform was chosen; the time it takes
    (Qt's import included) is most of the app's cold start."""
    started = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, QThreadPool
    from PySide6.QtWidgets import QApplication

    from veru_desk.app import build_main_window, create_application

    services = _services(state)
    app: QApplication = create_application([__name__])
    settings = QSettings(str(state.folder / "window.ini"), QSettings.Format.IniFormat)
    window = build_main_window(services, settings=settings)
    try:
        window.show()
        app.processEvents()
        shown = time.perf_counter() - started
        if not window.isVisible():
            raise CheckFailed("the main window did not show")
        pages = window.navigation.count()
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(10_000)
    return f"{pages} pages, shown in {shown:.2f} s ({app.platformName()})"


CHECKS: tuple[tuple[str, Check], ...] = (
    ("shipped files", check_shipped_files),
    ("PostgreSQL driver", check_postgresql_driver),
    ("encrypted database", check_encrypted_database),
    ("sign-in", check_sign_in),
    ("case", check_case),
    ("case summary PDF", check_case_summary),
    ("main window", check_main_window),
)


def run_self_test(*, include_window: bool = True) -> SelfTestReport:
    """Runs every check in a throwaway folder; stops at the first failure, which it names."""
    checks = [c for c in CHECKS if include_window or c[1] is not check_main_window]
    with (
        tempfile.TemporaryDirectory(
            prefix="veru-desk-self-test-", ignore_cleanup_errors=True
        ) as folder,
        _backups_into(Path(folder) / "backups"),
    ):
        state = SelfTestState(Path(folder))
        try:
            return run_checks(checks, state)
        finally:
            if state.services is not None:
                state.services.db.dispose()


def run_checks(checks: Sequence[tuple[str, Check]], state: SelfTestState) -> SelfTestReport:
    started = time.perf_counter()
    results: list[CheckResult] = []
    for name, check in checks:
        check_started = time.perf_counter()
        trace = ""
        try:
            detail = check(state)
            ok = True
        except CheckFailed as failure:
            detail, ok = str(failure), False
        except Exception as error:  # the self-test exists to report these, not to crash
            detail, ok = f"{type(error).__name__}: {' '.join(str(error).split())}", False
            trace = "".join(traceback.format_exception(error))
        seconds = time.perf_counter() - check_started
        results.append(CheckResult(name, ok, detail, seconds, trace))
        if not ok:
            break
    return SelfTestReport(results, time.perf_counter() - started)


def _services(state: SelfTestState) -> Any:
    if state.services is None:
        raise CheckFailed("not signed in to the self-test database")
    return state.services


@contextmanager
def _backups_into(folder: Path) -> Iterator[None]:
    """Signing in takes the day's first backup, into VERU_DESK_BACKUP_DIR when an
    administrator set one: point it at the temporary folder so no self-test copy lands
    among the real backups."""
    from veru_desk.config import BACKUP_DIR_ENV

    previous = os.environ.get(BACKUP_DIR_ENV)
    os.environ[BACKUP_DIR_ENV] = str(folder)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(BACKUP_DIR_ENV, None)
        else:
            os.environ[BACKUP_DIR_ENV] = previous
