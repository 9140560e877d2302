"""Every screen of the desk on a small demo database, and checks that walk what each shows.

``catalogue()`` names each page, dialog and case tab with the role that sees it and how to
build it; ``visit()`` builds them one by one at a given size and hands each (shown, laid out)
to a callback; ``layout_faults()`` and ``accessibility_faults()`` walk every visible widget of a
window generically. Used by ``test_screens.py`` (screenshots, cut text, widgets outside their
window) and ``test_accessibility.py`` (accessible names, keyboard reach).

The 150% case is text scaling in this process for every screen: the application font's point
size times 1.5 (the stylesheet sizes text in pt and em, so text follows it as it follows the
system font size), at 1440x900. Qt's own ``QT_SCALE_FACTOR=1.5`` scales everything uniformly,
so its layout in logical pixels is the 1× layout at two thirds of the size (a 1920x1080 screen
is 1280x720 logical); ``shoot_with_qt_scaling`` runs a few screens that way in a process of its
own, to see them drawn at 1.5 device pixels per pixel and walked there too.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QAccessible, QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QTabBar,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)
from sqlalchemy import select

from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.migrate import upgrade
from veru_desk.db.models import User, YoungPerson
from veru_desk.demo import add_demo_team, generate_demo_data
from veru_desk.domain.enums import ReferralStatus
from veru_desk.services import Services
from veru_desk.services.users import actor_for

SIZES: dict[str, tuple[int, int]] = {"1440x900": (1440, 900), "1280x720": (1280, 720)}
SCALED = "1440x900@150%text"
TEXT_SCALE = 1.5


# --- the demo world -----------------------------------------------------------------------


@dataclass
class World:
    """The demo database and who is signed in; the case the screens open."""

    db: Database
    folder: Path
    users: dict[str, Services] = field(default_factory=dict)
    case_id: int = 0  # an active case with a plan, sessions and outcomes
    worker: str = ""  # its caseworker's username
    closed_id: int = 0  # a closed case (for the reopen dialog)

    def as_(self, username: str) -> Services:
        return self.users[username]


def make_world(folder: Path, people: int = 60) -> World:
    """A demo database of ``people`` young people (seed 15, dates around today)."""
    db = Database.open(resolve_database(str(folder / "demo.db")))
    upgrade(db.engine)
    add_demo_team(db)
    generate_demo_data(db, people, seed=15)
    return open_world(folder, db)


def open_world(folder: Path, db: Database | None = None) -> World:
    """The world of a demo database ``make_world`` made (in another process, say)."""
    db = db or Database.open(resolve_database(str(folder / "demo.db")))
    world = World(db, folder)
    with db.read() as session:
        for user in session.scalars(select(User)):
            world.users[user.username] = Services(db, actor_for(user))
        active = session.execute(
            select(YoungPerson.id, User.username)
            .join(User, User.id == YoungPerson.current_worker_id)
            .where(YoungPerson.current_status == ReferralStatus.ACTIVE)
            .order_by(YoungPerson.id)
        ).first()
        if active is not None:
            world.case_id, world.worker = active
        world.closed_id = (
            session.scalars(
                select(YoungPerson.id)
                .where(YoungPerson.current_status == ReferralStatus.CLOSED)
                .order_by(YoungPerson.id)
            ).first()
            or 0
        )
    assert world.case_id and world.closed_id, "the demo has no active or closed case"
    return world


def screens_folder(default: Path) -> Path:
    """Where the images go: ``$VERU_SCREENS_DIR`` if set (so a person can look), else tmp."""
    chosen = os.environ.get("VERU_SCREENS_DIR")
    folder = Path(chosen) if chosen else default
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def text_scaled(app: QApplication, factor: float) -> Iterator[None]:
    """The application font (and so all text the stylesheet does not size) times ``factor``."""
    before = QFont(app.font())
    if factor != 1.0:
        scaled = QFont(before)
        scaled.setPointSizeF(before.pointSizeF() * factor)
        app.setFont(scaled)
    try:
        yield
    finally:
        app.setFont(before)


@contextmanager
def no_modal_waits(opened: list[str]) -> Iterator[None]:
    """Any modal dialog or message a screen opens is noted in ``opened`` and answered at once
    (rejected, or the default button), so a screen never waits for a person; the user data
    folder is a new temporary one and no database or account comes from the environment."""
    import pytest
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    def exec_(dialog: QDialog) -> int:
        opened.append(f"{type(dialog).__name__} {dialog.windowTitle()!r}")
        return 0

    def message(kind: str) -> Callable[..., QMessageBox.StandardButton]:
        def answer(_parent: object, title: str, text: str, *_a: object, **_k: object):  # type: ignore[no-untyped-def]
            opened.append(f"QMessageBox.{kind} {title!r}: {text[:80]!r}")
            return QMessageBox.StandardButton.Cancel

        return answer

    with pytest.MonkeyPatch.context() as patch:
        # module-wide, so the per-test isolation of the user data folder does not reach it
        patch.setenv("VERU_DESK_DATA_DIR", tempfile.mkdtemp(prefix="veru-screens-"))
        for name in ("VERU_DESK_DATABASE", "VERU_DESK_USER", "VERU_DESK_PASSWORD"):
            patch.delenv(name, raising=False)
        patch.setattr(QDialog, "exec", exec_)
        patch.setattr(QMessageBox, "exec", exec_)
        for kind in ("information", "warning", "critical", "question"):
            patch.setattr(QMessageBox, kind, message(kind))
        for getter in ("getSaveFileName", "getOpenFileName", "getExistingDirectory"):
            patch.setattr(QFileDialog, getter, lambda *_a, **_k: ("", ""))
        yield


# --- the catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class Screen:
    """One screen: its name, who sees it, and how to build it (a page is shown in the main
    window, so ``build`` returns the window; a dialog returns itself)."""

    name: str
    role: str
    kind: str  # "page", "tab" or "dialog"
    build: Callable[[World], QWidget]


def _window(world: World, username: str) -> QWidget:
    from veru_desk.app import build_main_window

    settings = QSettings(str(world.folder / f"settings-{username}.ini"), QSettings.Format.IniFormat)
    return build_main_window(world.as_(username), settings=settings, database_label="demo.db")


def _page(key: str, username: str) -> Callable[[World], QWidget]:
    def build(world: World) -> QWidget:
        window = _window(world, username)
        window.show()
        shown = window.show_page(key)  # type: ignore[attr-defined]
        assert shown is not None, f"{username} has no {key} page"
        return window

    return build


def _people_search(world: World) -> QWidget:
    """The People page with results: a common surname, as a person would type it."""
    window = _page("people", "priya")(world)
    page = window.show_page("people")  # type: ignore[attr-defined]
    page.query.setText("a")
    page.search_now()
    return window


TABS = (
    "Overview", "Referral", "Risk", "Plan", "Sessions", "Outcomes", "Chronology", "Exports",
    "Contacts", "Safeguarding", "Network", "Incidents",
)  # fmt: skip


def _tab(index: int) -> Callable[[World], QWidget]:
    def build(world: World) -> QWidget:
        window = _window(world, world.worker)
        window.show()
        workspace = window.open_case(world.case_id)  # type: ignore[attr-defined]
        assert workspace is not None
        workspace.tabs.setCurrentIndex(index)
        return window

    return build


def _case_files(world: World) -> list[Path]:
    """Three files on the worker's case (added once), and their copies on disk to add again."""
    from tests.services.test_attachments import docx_bytes, pdf_bytes, png_bytes

    files = {
        "Consent to share - signed by mum.pdf": (pdf_bytes(), "Signed at the home visit"),
        "School attendance letter.docx": (docx_bytes(), "From Challney High School"),
        "Photo of timetable.png": (png_bytes(40, 30), ""),
    }
    paths = []
    for name, (data, _about) in files.items():
        paths.append(world.folder / name)
        paths[-1].write_bytes(data)
    service = world.as_(world.worker).attachments
    if not service.for_case(world.case_id):
        for path, (_data, about) in zip(paths, files.values(), strict=True):
            service.add(world.case_id, path, about)
    return paths


def _documents_tab(world: World) -> QWidget:
    """The Documents tab with three files (found by its widget: tabs are added before it)."""
    _case_files(world)
    window = _window(world, world.worker)
    window.show()
    workspace = window.open_case(world.case_id)  # type: ignore[attr-defined]
    assert workspace is not None
    workspace.tabs.setCurrentWidget(workspace.attachments_tab)
    return window


def _add_files(world: World) -> QWidget:
    from veru_desk.ui.dialogs.attachment import AddAttachmentDialog

    return AddAttachmentDialog(world.as_(world.worker), world.case_id, _case_files(world)[:2])


def _no_files(world: World) -> QWidget:
    from veru_desk.ui.dialogs.attachment import AddAttachmentDialog

    return AddAttachmentDialog(world.as_(world.worker), world.case_id)


def _dialog(make: Callable[[World], QWidget]) -> Callable[[World], QWidget]:
    return make


def _dialogs() -> list[Screen]:
    from veru_desk.ui.dialogs.audit_event import AuditEventDialog
    from veru_desk.ui.dialogs.close_case import CloseCaseDialog, ReopenCaseDialog
    from veru_desk.ui.dialogs.export_summary import ExportSummaryDialog
    from veru_desk.ui.dialogs.goal import ActionDialog, GoalDialog
    from veru_desk.ui.dialogs.import_wizard import ImportWizard
    from veru_desk.ui.dialogs.mentoring_session import MoveSessionDialog, SessionDialog
    from veru_desk.ui.dialogs.note import NoteDialog
    from veru_desk.ui.dialogs.outcome import OutcomeDialog
    from veru_desk.ui.dialogs.password import PasswordDialog
    from veru_desk.ui.dialogs.person import PersonDialog
    from veru_desk.ui.dialogs.plan import PlanDialog
    from veru_desk.ui.dialogs.referral_form import ReferralForm
    from veru_desk.ui.dialogs.risk import RiskDialog
    from veru_desk.ui.dialogs.roles import RolesDialog
    from veru_desk.ui.dialogs.series import SeriesDialog
    from veru_desk.ui.dialogs.subject_access import SubjectAccessDialog
    from veru_desk.ui.shell.lock_screen import LockDialog
    from veru_desk.ui.shell.sign_in import FirstStartDialog, RecoveryKeyDialog, SignInDialog

    def dz(world: World) -> Services:
        return world.as_(world.worker)  # the case's own caseworker

    def plan_of(world: World):  # type: ignore[no-untyped-def]
        plan = dz(world).plans.current(world.case_id)
        assert plan is not None and plan.goals, "the demo case has no plan with goals"
        return plan

    def a_session(world: World):  # type: ignore[no-untyped-def]
        """A session still planned (one a person would move), else the latest."""
        from veru_desk.domain.enums import Attendance

        sessions = dz(world).sessions.for_person(world.case_id)
        planned = [s for s in sessions if s.attendance is Attendance.PLANNED]
        return (planned or sessions)[-1]

    def referral_of(world: World, pid: int, who: str = "") -> int:
        person = world.as_(who or world.worker).people.open_case(pid)
        assert person.current_referral_id is not None
        return person.current_referral_id

    def audit_row(world: World):  # type: ignore[no-untyped-def]
        return world.as_("priya").audit_log.query(limit=5)[0]

    def never(_u: str, _p: str):  # type: ignore[no-untyped-def]
        raise AssertionError("nobody signs in here")

    made: list[tuple[str, str, Callable[[World], QWidget]]] = [
        ("referral form", "priya", lambda w: ReferralForm(w.as_("priya"))),
        ("session", "caseworker", lambda w: SessionDialog(dz(w), w.case_id)),
        ("session (edit)", "caseworker", lambda w: SessionDialog(dz(w), w.case_id, a_session(w))),
        ("move session", "caseworker", lambda w: MoveSessionDialog(dz(w), a_session(w))),
        ("series", "caseworker", lambda w: SeriesDialog(dz(w), w.case_id)),
        ("note", "caseworker", lambda w: NoteDialog(dz(w), w.case_id)),
        ("goal", "caseworker", lambda w: GoalDialog(dz(w), w.case_id, plan_id=plan_of(w).id)),
        (
            "goal (edit)",
            "caseworker",
            lambda w: GoalDialog(dz(w), w.case_id, goal=plan_of(w).goals[0]),
        ),
        (
            "action",
            "caseworker",
            lambda w: ActionDialog(dz(w), w.case_id, goal_id=plan_of(w).goals[0].id),
        ),
        ("plan", "caseworker", lambda w: PlanDialog(dz(w), w.case_id, previous=plan_of(w))),
        ("task", "caseworker", _task_dialog),
        ("task (blank save)", "caseworker", _saved_blank(_task_dialog)),
        ("outcome", "caseworker", lambda w: OutcomeDialog(dz(w), w.case_id)),
        ("risk", "caseworker", lambda w: RiskDialog(dz(w), w.case_id)),
        (
            "close case",
            "caseworker",
            lambda w: CloseCaseDialog(
                dz(w), w.case_id, referral_of(w, w.case_id), has_closing_outcome=False
            ),
        ),
        (
            "reopen case",
            "priya",
            lambda w: ReopenCaseDialog(
                w.as_("priya"), w.closed_id, referral_of(w, w.closed_id, "priya")
            ),
        ),
        ("person", "caseworker", lambda w: PersonDialog(dz(w), dz(w).people.get(w.case_id))),
        ("export summary", "caseworker", lambda w: ExportSummaryDialog(dz(w), w.case_id)),
        ("subject access", "priya", lambda w: SubjectAccessDialog(w.as_("priya"), w.case_id)),
        ("import wizard", "priya", lambda w: ImportWizard(w.as_("priya"))),
        ("import wizard preview", "priya", _import_preview),
        ("password", "caseworker", lambda w: PasswordDialog(dz(w))),
        (
            "roles",
            "admin",
            lambda w: RolesDialog(w.as_("admin"), w.as_("admin").users.by_username("grace")),
        ),
        ("audit event", "priya", lambda w: AuditEventDialog(audit_row(w))),
        ("sign in", "-", lambda w: SignInDialog(never, "demo.db", username="priya")),
        (
            "first start",
            "-",
            lambda w: FirstStartDialog(resolve_database(str(w.folder / "new.db"))),
        ),
        (
            "recovery key",
            "-",
            lambda w: RecoveryKeyDialog("K7QX-2M9D-WR4T-8HNB-C3LZ-P6FV-YJ5S-A1EG", "demo.db"),
        ),
        (
            "lock",
            "caseworker",
            lambda w: LockDialog(dz(w).actor, ["VERU-2026-00042 · Łukasz Wiśniewski"]),
        ),
    ]
    made += [
        (
            "referral form (blank save)",
            "priya",
            _saved_blank(lambda w: ReferralForm(w.as_("priya"))),
        ),
        ("note (blank save)", "caseworker", _saved_blank(lambda w: NoteDialog(dz(w), w.case_id))),
        (
            "session (blank save)",
            "caseworker",
            _saved_blank(lambda w: _blanked(SessionDialog(dz(w), w.case_id))),
        ),
        ("risk (blank save)", "caseworker", _saved_blank(lambda w: RiskDialog(dz(w), w.case_id))),
        (
            "outcome (blank save)",
            "caseworker",
            _saved_blank(lambda w: OutcomeDialog(dz(w), w.case_id)),
        ),
        (
            "close case (blank save)",
            "caseworker",
            _saved_blank(
                lambda w: CloseCaseDialog(
                    dz(w), w.case_id, referral_of(w, w.case_id), has_closing_outcome=False
                )
            ),
        ),
        ("reallocate", "priya", _reallocate_dialog),
        ("compare and merge", "priya", _merge_dialog),
        ("panel meeting", "priya", _panel_meeting),
        ("panel pack", "priya", _panel_pack),
        ("group register (manager)", "priya", _group_register("priya")),
        ("group register (caseworker)", "caseworker", _group_register("")),
        ("new group (blank save)", "caseworker", _saved_blank(_new_group)),
        ("reallocate (blank save)", "priya", _saved_blank(_reallocate_dialog)),
        ("password (blank save)", "caseworker", _saved_blank(lambda w: PasswordDialog(dz(w)))),
        ("add user (blank save)", "admin", _saved_blank(_user_dialog)),
        ("sign in (refused)", "-", _refused_sign_in),
        ("conflict", "caseworker", _conflict),
        ("first start (blank submit)", "-", _blank_first_start),
        ("link to a place", "caseworker", _link_dialog),
        ("link (blank save)", "caseworker", _saved_blank(_link_dialog)),
        ("person of concern (blank save)", "priya", _saved_blank(_concern_dialog)),
        ("place of concern (blank save)", "priya", _saved_blank(_place_dialog)),
        ("incident", "caseworker", _incident_dialog),
        ("incident (blank save)", "caseworker", _saved_blank(_incident_dialog)),
        ("add files", "caseworker", _add_files),
        (
            "add files (blank save)",
            "caseworker",
            _saved_blank(_no_files),
        ),
    ]
    return [Screen(name, role, "dialog", make) for name, role, make in made]


def _task_dialog(world: World) -> QWidget:
    from veru_desk.ui.dialogs.task import TaskDialog, load_choices

    services = world.as_("dariusz")
    return TaskDialog(services, load_choices(services))


def _concern_dialog(world: World) -> QWidget:
    from veru_desk.ui.dialogs.concern import PersonOfConcernDialog

    return PersonOfConcernDialog(world.as_("priya"))


def _place_dialog(world: World) -> QWidget:
    from veru_desk.ui.dialogs.place import PlaceOfConcernDialog

    return PlaceOfConcernDialog(world.as_("priya"))


def _incident_dialog(world: World) -> QWidget:
    """Record an incident from the worker's case: this young person preset, the places."""
    from veru_desk.ui.dialogs.incident import IncidentDialog

    return IncidentDialog(world.as_(world.worker), world.case_id)


def _link_dialog(world: World) -> QWidget:
    """Add a link, to a place: the list of places the caseworker may see, and New place…."""
    from veru_desk.domain.network import LinkKind
    from veru_desk.ui.dialogs.link import LinkDialog

    return LinkDialog(world.as_(world.worker), world.case_id, kind=LinkKind.PLACE)


def _conflict(world: World) -> QWidget:
    """Two people changed one case note: the subject only by Priya, the body by both."""
    from veru_desk.domain.errors import ConflictError
    from veru_desk.domain.merge import three_way
    from veru_desk.ui.dialogs.conflict import ConflictDialog, MergeRow

    base = {"subject": "After-school meeting", "body": "First draft.", "confidential": False}
    theirs = {
        **base,
        "subject": "After-school meeting with mum",
        "body": "Mother called: Łukasz was home by nine all week. Priya added the school's view.",
    }
    mine = {
        **base,
        "body": "Met Łukasz after school; he named the older boys who wait at the bus station.",
        "confidential": True,
    }
    labels = {"subject": "Subject", "body": "Note", "confidential": "Confidential"}
    limits = {"subject": 200, "body": 0, "confidential": None}

    def text(value: object) -> str:
        return ("Yes" if value else "No") if isinstance(value, bool) else str(value)

    rows = [
        MergeRow(key, labels[key], text(mine[key]), text(theirs[key]), limits[key]) for key in base
    ]
    conflict = ConflictError(
        "Priya Raghunathan saved this note while you were editing it.",
        changed_by="Priya Raghunathan",
        changed_at="14:32",
    )
    return ConflictDialog(conflict, three_way(base, theirs, mine), rows)


def _reallocate_dialog(world: World) -> QWidget:
    """Moving all of the case's caseworker's open cases (someone leaving)."""
    from veru_desk.services.workload import WorkloadService
    from veru_desk.ui.dialogs.reallocate import ReallocateDialog

    manager = world.as_("priya")
    workload = WorkloadService(manager.db, manager.actor)
    workers = workload.workers()
    worker = next(w for w in workers if w.user_id == world.as_(world.worker).actor.user_id)
    others = [w for w in workers if w.user_id != worker.user_id]
    cases = workload.cases_of(worker.user_id)
    return ReallocateDialog(workload, cases, others, from_worker=worker.display_name)


def _merge_dialog(world: World) -> QWidget:
    """The active case beside the closed one, as a manager compares two records."""
    from veru_desk.ui.dialogs.merge_people import MergePeopleDialog

    merging = world.as_("priya").merging
    return MergePeopleDialog(merging, merging.preview(world.case_id, world.closed_id))


def _panel_meeting(world: World) -> QWidget:
    """The demo's latest panel held, opened on its first case (decision and actions)."""
    from veru_desk.ui.dialogs.panel_meeting import PanelMeetingDialog

    manager = world.as_("priya")
    held = manager.panels.meetings(upcoming=False)[0]
    return PanelMeetingDialog(manager, held.id)


def _group_register(who: str) -> Callable[[World], QWidget]:
    """The register of the demo's latest group session held (the case's caseworker: their
    own young people by name, the others as case references)."""

    def build(world: World) -> QWidget:
        from veru_desk.ui.dialogs.group_register import GroupRegisterDialog

        services = world.as_(who or world.worker)
        held = [g for g in services.groups.recent(days=21) if g.registered]
        assert held, "the demo has no group session held"
        return GroupRegisterDialog(services, held[0].id)

    return build


def _new_group(world: World) -> QWidget:
    from veru_desk.ui.dialogs.group_session import GroupSessionDialog

    return GroupSessionDialog(world.as_(world.worker))


def _panel_pack(world: World) -> QWidget:
    """The pack of the demo's next panel: its cases, their sharing and last time's actions."""
    from veru_desk.ui.dialogs.panel_pack import PanelPackDialog

    manager = world.as_("priya")
    return PanelPackDialog(manager, manager.panels.meetings(upcoming=True)[0].id)


def _saved_blank(make: Callable[[World], QWidget]) -> Callable[[World], QWidget]:
    """The dialog after Save with what it starts with: its messages beside the fields."""

    def build(world: World) -> QWidget:
        dialog = make(world)
        dialog.show()
        dialog.save()  # type: ignore[attr-defined]
        return dialog

    return build


def _blanked(dialog: QWidget) -> QWidget:
    for edit in dialog.findChildren(QLineEdit):
        if not isinstance(edit.parentWidget(), (QComboBox, QAbstractSpinBox)):
            edit.clear()
    return dialog


def _user_dialog(world: World) -> QWidget:
    from veru_desk.ui.pages.admin import UserDialog

    return UserDialog(world.as_("admin"))


def _refused_sign_in(world: World) -> QWidget:
    from veru_desk.services.passwords import SignInError
    from veru_desk.ui.shell.sign_in import SignInDialog

    def refuse(_username: str, _password: str) -> object:
        raise SignInError("That username and password do not match. Check Caps Lock.")

    dialog = SignInDialog(refuse, "demo.db", username="priya")  # type: ignore[arg-type]
    dialog.show()
    dialog.password.setText("not the password")
    dialog.try_sign_in()
    return dialog


def _blank_first_start(world: World) -> QWidget:
    from veru_desk.ui.shell.sign_in import FirstStartDialog

    dialog = FirstStartDialog(resolve_database(str(world.folder / "first.db")))
    dialog.show()
    dialog.show_admin_form()
    dialog.create_administrator()
    return dialog


IMPORT_ROWS = (
    "first_name,last_name,date_of_birth,nhs_number,referral_date,referring_agency,reasons",
    "Aoife,Ní Bhriain,03/04/2011,,{received},Youth Justice Service,knife",
    "Łukasz,Wiśniewski,31/02/2011,,{received},Youth Justice Service,knife",
    "Oluwaseun,Adeyemi,12/09/2010,999 123 4567,{received},Bedfordshire Police,gang;county lines",
    "Zoë,Çelik,,,{received},Luton Sixth Form College,exclusion and persistent absence from "
    "school since the spring half-term",
)


def _import_preview(world: World) -> QWidget:
    """The wizard's second page, with a row that imports and rows with problems."""
    from veru_desk.ui.dialogs.import_wizard import ImportWizard

    received = (dt.date.today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    path = world.folder / "partner-referrals.csv"
    text = "\r\n".join(IMPORT_ROWS).format(received=received) + "\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    wizard = ImportWizard(world.as_("priya"))
    wizard.show()
    wizard.choose_page.path.setText(str(path))
    wizard.next()
    return wizard


def catalogue() -> list[Screen]:
    """Every page (as the role that uses it), every case tab and every dialog."""
    pages = [
        ("dashboard", "priya"),
        ("tasks", "priya"),
        ("referrals", "priya"),
        ("caseload", "priya"),
        ("people", "priya"),
        ("sessions", "priya"),
        ("workload", "priya"),
        ("data_quality", "priya"),
        ("directory", "priya"),
        ("panels", "priya"),
        ("groups", "priya"),
        ("concerns", "priya"),
        ("reports", "priya"),
        ("retention", "priya"),
        ("admin", "priya"),
        ("audit", "priya"),
        ("dashboard", "dariusz"),
        ("tasks", "dariusz"),
        ("caseload", "dariusz"),
        ("groups", "dariusz"),
        ("concerns", "dariusz"),
        ("admin", "admin"),
        ("audit", "admin"),
    ]
    screens = [Screen(f"page {key} ({who})", who, "page", _page(key, who)) for key, who in pages]
    screens.append(Screen("page people, a search (priya)", "priya", "page", _people_search))
    screens += [
        Screen(f"case tab {label}", "caseworker", "tab", _tab(i)) for i, label in enumerate(TABS)
    ]
    screens.append(Screen("case tab Documents", "caseworker", "tab", _documents_tab))
    return screens + _dialogs()


# --- visiting ----------------------------------------------------------------------------


def settle(app: QApplication, rounds: int = 3) -> None:
    for _ in range(rounds):
        app.processEvents()


def show_at(widget: QWidget, size: tuple[int, int] | None, app: QApplication) -> None:
    """A window at ``size``; a dialog at its own size (never larger than ``size``)."""
    widget.show()
    settle(app)
    if isinstance(widget, QDialog) or size is None:
        if size is not None and (widget.width() > size[0] or widget.height() > size[1]):
            widget.resize(min(widget.width(), size[0]), min(widget.height(), size[1]))
    else:
        widget.resize(*size)
    settle(app)


def dispose(widget: QWidget, app: QApplication) -> None:
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()
    settle(app, 1)


def file_name(screen: Screen, size: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{screen.name} {size}".lower()).strip("-") + ".png"


# --- what the walkers find ---------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    screen: str
    size: str
    kind: str
    widget: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.size}] {self.screen}: {self.kind}: {self.widget} ({self.detail})"


def describe(widget: QWidget) -> str:
    name = type(widget).__name__
    if widget.objectName() and not widget.objectName().startswith("qt_"):
        name += f"#{widget.objectName()}"
    text = ""
    if isinstance(widget, (QLabel, QAbstractButton)):
        text = widget.text()
    elif isinstance(widget, QLineEdit):
        text = widget.accessibleName() or widget.placeholderText()
    elif isinstance(widget, QWidget) and widget.accessibleName():
        text = widget.accessibleName()
    text = re.sub(r"<[^>]+>", "", text).replace("\n", " ").strip()
    return f'{name} "{text[:48]}"' if text else name


def visible_children(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget) if w.isVisible() and w.window() is window]


def in_scrolled_content(widget: QWidget, window: QWidget) -> bool:
    """Inside a scroll area's viewport (its content may lie beyond the window by design)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        owner = parent.parentWidget()
        if isinstance(owner, QAbstractScrollArea) and owner.viewport() is parent:
            return True
        parent = owner
    return False


def rect_in(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def label_cut(label: QLabel) -> str | None:
    """Why the label's text cannot all be seen, or None."""
    if not label.text().strip() or not label.pixmap().isNull():
        return None
    if label.wordWrap():
        need = label.heightForWidth(label.width())
        if need > label.height() + 1:
            return f"needs {need}px high at {label.width()}px wide, has {label.height()}px"
        return None
    hint = label.sizeHint()
    if hint.width() > label.width() + 1:
        return f"needs {hint.width()}px wide, has {label.width()}px"
    if hint.height() > label.height() + 1:
        return f"needs {hint.height()}px high, has {label.height()}px"
    return None


def button_cut(button: QPushButton) -> str | None:
    text = plain(button.text())
    if not text:
        return None
    need = button.fontMetrics().horizontalAdvance(text)
    if not button.icon().isNull():
        need += button.iconSize().width() + 4
    option = QStyleOptionButton()
    button.initStyleOption(option)
    room = button.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, button)
    if need > room.width() + 1:
        return f"text needs {need}px, has {room.width()}px"
    return None


def rows_cut(view: QListView) -> list[str]:
    """The rows of a list whose text needs more room than the row has (the open cases' two
    lines clipped top and bottom, issue #15; a name elided to "Mizanur Chowdhury...")."""
    model = view.model()
    found = []
    if model is None:
        return found
    for row in range(min(model.rowCount(), 50)):
        index = model.index(row, view.modelColumn())
        rect = view.visualRect(index)
        if rect.isEmpty() or view.isRowHidden(row):
            continue
        need = view.sizeHintForIndex(index).height()
        widget = view.indexWidget(index)
        if widget is not None:
            need = max(need, widget.sizeHint().height())
        text = str(index.data() or "").replace("\n", " ")[:40]
        if need > rect.height() + 1:
            found.append(f'row "{text}" needs {need}px high, has {rect.height()}px')
        wide = view.sizeHintForIndex(index).width()
        room = view.viewport().width() - rect.x()
        if widget is None and not view.wordWrap() and wide > min(rect.width(), room) + 1:
            found.append(f'row "{text}" needs {wide}px wide, has {min(rect.width(), room)}px')
    return found


def headings_cut(header: QHeaderView) -> list[str]:
    """Column headings narrower than their text (the people search's "ase referenc")."""
    found = []
    if header.orientation() is not Qt.Orientation.Horizontal or header.model() is None:
        return found
    for logical in range(header.count()):
        if header.isSectionHidden(logical) or header.sectionSize(logical) <= 0:
            continue
        if header.sectionViewportPosition(logical) >= header.viewport().width():
            continue  # scrolled out of sight: the scroll bar says there is more
        need = _heading_need(header, logical)
        has = header.sectionSize(logical)
        if need > has + 1:
            text = header.model().headerData(logical, Qt.Orientation.Horizontal)
            found.append(f'heading "{text}" needs {need}px, has {has}px')
    return found


def _heading_need(header: QHeaderView, logical: int) -> int:
    """The width a heading's text needs (room for the sort arrow only where it is shown)."""
    if header.isSortIndicatorShown() and header.sortIndicatorSection() != logical:
        header.setSortIndicatorShown(False)
        try:
            return header.sectionSizeFromContents(logical).width()
        finally:
            header.setSortIndicatorShown(True)
    return header.sectionSizeFromContents(logical).width()


def placeholder_cut(edit: QLineEdit) -> str | None:
    """An empty field whose hint is cut ("Filter by name, case reference or date of b...")."""
    hint = edit.placeholderText()
    if edit.text() or not hint:
        return None
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    margins = edit.textMargins()
    width = room.width() - margins.left() - margins.right() - 4
    for button in edit.findChildren(QToolButton):
        if button.isVisible():
            width -= button.width()
    need = edit.fontMetrics().horizontalAdvance(hint)
    if need > width + 2:
        return f"hint needs {need}px, has {width}px"
    return None


def combo_cut(combo: QComboBox) -> str | None:
    """A drop-down whose chosen item is cut ("Any casewo" for "Any caseworker")."""
    text = combo.currentText()
    if not text or combo.isEditable():
        return None
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    room = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox,
        option,
        QStyle.SubControl.SC_ComboBoxEditField,
        combo,
    )
    need = combo.fontMetrics().horizontalAdvance(text)
    if not combo.itemIcon(combo.currentIndex()).isNull():
        need += combo.iconSize().width() + 4
    if need > room.width() + 2:
        return f'"{text}" needs {need}px, has {room.width()}px'
    return None


def layout_faults(screen: str, size: str, window: QWidget) -> list[Fault]:
    """(a) labels whose text is cut, (b) widgets beyond the window, (c) button text cut."""
    faults: list[Fault] = []
    bounds = window.rect()
    for widget in visible_children(window):
        scrolled = in_scrolled_content(widget, window)
        if not scrolled and not bounds.contains(rect_in(widget, window)):
            where = rect_in(widget, window)
            faults.append(
                Fault(
                    screen,
                    size,
                    "outside its window",
                    describe(widget),
                    f"{where.x()},{where.y()} {where.width()}x{where.height()} in "
                    f"{bounds.width()}x{bounds.height()}",
                )
            )
        if isinstance(widget, QListView):
            for why in rows_cut(widget):
                faults.append(Fault(screen, size, "list row cut", describe(widget), why))
        if isinstance(widget, QHeaderView):
            for why in headings_cut(widget):
                faults.append(Fault(screen, size, "column heading cut", describe(widget), why))
        if isinstance(widget, QLineEdit) and not isinstance(widget.parentWidget(), QComboBox):
            why = placeholder_cut(widget)
            if why:
                faults.append(Fault(screen, size, "field hint cut", describe(widget), why))
        if isinstance(widget, QComboBox):
            why = combo_cut(widget)
            if why:
                faults.append(Fault(screen, size, "drop-down text cut", describe(widget), why))
        if isinstance(widget, QLabel):
            why = label_cut(widget)
            if why:
                faults.append(Fault(screen, size, "label text cut", describe(widget), why))
        elif isinstance(widget, QPushButton):
            why = button_cut(widget)
            if why:
                faults.append(Fault(screen, size, "button text cut", describe(widget), why))
        elif isinstance(widget, (QCheckBox, QRadioButton)):
            hint = widget.sizeHint()
            if plain(widget.text()) and hint.width() > widget.width() + 1:
                faults.append(
                    Fault(
                        screen,
                        size,
                        "check box text cut",
                        describe(widget),
                        f"needs {hint.width()}px, has {widget.width()}px",
                    )
                )
    return faults


INPUTS = (
    QLineEdit,
    QComboBox,
    QSpinBox,
    QAbstractSpinBox,
    QDateEdit,
    QTextEdit,
    QPlainTextEdit,
    QCheckBox,
)


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader announces (Qt takes a buddy label's text when there is one)."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    buddies = [
        plain(label.text()).strip()
        for label in widget.window().findChildren(QLabel)
        if label.buddy() is widget and label.text().strip()
    ]
    if buddies:
        return buddies[0]
    if isinstance(widget, (QComboBox, QAbstractSpinBox)):
        return ""  # Qt names these by their current value: that says nothing of what it is
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is None:
        return ""
    return (interface.text(QAccessible.Text.Name) or "").strip()


def _is_part_of_another(widget: QWidget) -> bool:
    """Parts of a control rather than controls: the line edit inside a combo or spin box, a
    table's headers and corner button, a line edit's action buttons (the date field's
    calendar opens with Alt+Down), the scroll arrows of a tab bar."""
    parent = widget.parentWidget()
    if isinstance(widget, QHeaderView):
        return True
    if isinstance(parent, (QComboBox, QAbstractSpinBox, QAbstractItemView, QLineEdit, QTabBar)):
        return True
    return parent is not None and parent.objectName().startswith("qt_")


def _keyboard_elsewhere(widget: QWidget) -> bool:
    """A toolbar button whose action has a shortcut or sits in a menu: the keyboard's way in.
    Or a button of an exclusive group (radio buttons): Qt keeps only the checked one in the Tab
    chain and the arrow keys move to the others, as every platform's radio buttons do."""
    if isinstance(widget, QAbstractButton) and (group := widget.group()) is not None:
        return group.exclusive() and any(
            bool(b.focusPolicy() & Qt.FocusPolicy.TabFocus) for b in group.buttons()
        )
    if not isinstance(widget, QToolButton) or not isinstance(widget.parentWidget(), QToolBar):
        return False
    action = widget.defaultAction()
    if action is None:
        return False
    in_menu = any(isinstance(o, QMenu) for o in action.associatedObjects())
    return in_menu or not action.shortcut().isEmpty()


def accessibility_faults(screen: str, window: QWidget) -> list[Fault]:
    """Inputs, tables and lists without an accessible name; controls keyboard cannot reach."""
    faults: list[Fault] = []
    for widget in visible_children(window):
        if _is_part_of_another(widget):
            continue
        is_input = isinstance(widget, INPUTS)
        is_view = isinstance(widget, QAbstractItemView)
        if (is_input or is_view) and not accessible_name(widget):
            faults.append(Fault(screen, "", "no accessible name", describe(widget), ""))
        control = is_input or is_view or isinstance(widget, QAbstractButton)
        reachable = bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        if control and widget.isEnabled() and not reachable and not _keyboard_elsewhere(widget):
            faults.append(
                Fault(
                    screen,
                    "",
                    "not reachable by Tab",
                    describe(widget),
                    f"focus policy {widget.focusPolicy().name}",
                )
            )
    return faults


def tab_chain(window: QWidget) -> list[QWidget]:
    """The controls Tab visits, in order, from the window's first one round to it again."""

    def takes_tab(widget: QWidget) -> bool:
        return (
            widget.isVisible()
            and widget.isEnabled()
            and widget.window() is window
            and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
            and not _is_part_of_another(widget)
        )

    chain: list[QWidget] = []
    widget = window.nextInFocusChain()
    seen = 0
    while widget is not window and seen < 2000:
        if takes_tab(widget) and widget not in chain:
            chain.append(widget)
        widget = widget.nextInFocusChain()
        seen += 1
    return chain


def tab_order_faults(screen: str, window: QWidget, *, slack: int = 0) -> list[Fault]:
    """Tab going back up the window (a field below visited before one above it, in the same
    column), the order a person reading down the form would not expect."""
    faults: list[Fault] = []
    chain = tab_chain(window)
    if not chain:
        return faults
    # The chain is a ring: read it from the control a person meets first (top left).
    first = min(chain, key=lambda w: (rect_in(w, window).top(), rect_in(w, window).left()))
    start = chain.index(first)
    chain = chain[start:] + chain[:start]
    for before, after in itertools.pairwise(chain):
        if in_scrolled_content(before, window) != in_scrolled_content(after, window):
            continue  # one of them may be scrolled out of view: positions do not compare
        a, b = rect_in(before, window), rect_in(after, window)
        same_column = a.left() < b.right() and b.left() < a.right()
        if same_column and b.bottom() < a.top() - slack:
            faults.append(
                Fault(
                    screen,
                    "",
                    "Tab goes back up",
                    describe(after),
                    f"after {describe(before)}",
                )
            )
    return faults


def today_text() -> str:
    return dt.date.today().strftime("%d/%m/%Y")


# --- Qt's own 150% scaling, in a process of its own ----------------------------------------

SCALED_SCREENS = ("page dashboard (priya)", "case tab Plan", "referral form", "session")

SCALED_RUN = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication
app = QApplication([])
import screens
from veru_desk.ui.shell import tasks
from veru_desk.ui.widgets.kit import app_stylesheet
app.setStyleSheet(app_stylesheet())
tasks.run_synchronously(True)
world = screens.open_world(Path(sys.argv[2]))
out = Path(sys.argv[3])
found = []
opened = []
with screens.no_modal_waits(opened):
    for screen in screens.catalogue():
        if screen.name not in screens.SCALED_SCREENS:
            continue
        widget = screen.build(world)
        screens.show_at(widget, (1280, 720), app)
        image = widget.grab()
        image.save(str(out / screens.file_name(screen, "1280x720@qt-scale-1.5")))
        found += [str(f) for f in screens.layout_faults(screen.name, "qt-scale-1.5", widget)]
        found.append(f"ratio {image.devicePixelRatio()}")
        screens.dispose(widget, app)
print(json.dumps(found))
"""


def shoot_with_qt_scaling(world_folder: Path, out: Path) -> list[str]:
    """A few screens under ``QT_SCALE_FACTOR=1.5`` (a 1920x1080 screen at 150% is 1280x720
    in Qt's logical pixels): the images at 1.5 device pixels per pixel, and what the walker
    finds there."""
    import json
    import subprocess
    import sys

    env = {**os.environ, "QT_SCALE_FACTOR": "1.5", "QT_QPA_PLATFORM": "offscreen"}
    env["VERU_DESK_DATA_DIR"] = tempfile.mkdtemp(prefix="veru-screens-")
    done = subprocess.run(
        [sys.executable, "-c", SCALED_RUN, str(Path(__file__).parent), str(world_folder), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"the scaled run failed:\n{done.stderr[-3000:]}")
    return list(json.loads(done.stdout.strip().splitlines()[-1]))
