"""The main window: navigation, the global search, open cases, and the status bar.

Pages are built the first time they are shown, so the window opens at once whatever the size
of the database, and a page the user's role cannot use is never built at all. Cases open as
workspaces listed under "Open cases"; several can be open together, each closable, and the
window asks before closing while any of them holds unsaved changes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from veru_desk.domain.enums import Role
from veru_desk.services import Services
from veru_desk.services.actor import Actor
from veru_desk.services.quick_start import FirstScreen
from veru_desk.services.refusals import AccountRefused, listen_for_refused_accounts
from veru_desk.ui.shell.help import install_help
from veru_desk.ui.widgets.feedback import confirm, show_error
from veru_desk.ui.widgets.search_box import SearchBox

log = logging.getLogger(__name__)

PERSON_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE_ROLE = Qt.ItemDataRole.UserRole + 2
OPEN_CASE_TITLE_ROLE = Qt.ItemDataRole.UserRole + 3
OPEN_CASE_LINES_ROLE = Qt.ItemDataRole.UserRole + 4
#: the sidebar's width in "M"s of the window's font (so it follows the system font size)
SIDEBAR_EMS = 20
#: the selected open case's text colour, as style.qss gives the selected item's text: the
#: close button sits on that dark selection and must read as well as the name beside it
SELECTED_TEXT = "#ffffff"
SETTINGS_GEOMETRY = "main_window/geometry"
SETTINGS_STATE = "main_window/state"
SETTINGS_LAST_PAGE = "main_window/last_page"


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    allowed: Callable[[Actor], bool]


def _case_role(actor: Actor) -> bool:
    return actor.has_case_role


PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", "Dashboard", _case_role),
    PageSpec("tasks", "Tasks", _case_role),
    PageSpec("referrals", "Referrals", _case_role),
    PageSpec("caseload", "Caseload", _case_role),
    PageSpec("people", "People", _case_role),
    PageSpec("sessions", "Sessions", _case_role),
    PageSpec("groups", "Groups", _case_role),
    PageSpec("directory", "Directory", _case_role),
    PageSpec("panels", "Panel meetings", _case_role),
    PageSpec("concerns", "People and places", _case_role),
    PageSpec("workload", "Workload", lambda a: a.is_manager),
    PageSpec("data_quality", "Data quality", lambda a: a.is_manager),
    PageSpec("reports", "Reports", lambda a: a.is_manager),
    PageSpec("retention", "Retention", lambda a: a.is_manager),
    PageSpec("admin", "Administration", lambda a: a.has(Role.ADMIN) or a.is_manager),
    PageSpec("audit", "Audit trail", lambda a: a.has(Role.ADMIN) or a.is_manager),
)


def role_words(actor: Actor) -> str:
    return ", ".join(r.label for r in Role if r in actor.roles) or "no role"


class MainWindow(QMainWindow):
    #: this window's user was refused because their account was disabled (the message)
    account_refused = Signal(str)

    def __init__(
        self,
        services: Services,
        *,
        settings: QSettings,
        database_label: str,
        parent: QWidget | None = None,
        first_screen: FirstScreen | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self._first_screen = first_screen  # the start-up read, for the caseload page
        self._settings = settings
        self._pages: dict[str, QWidget] = {}
        self._workspaces: dict[int, QWidget] = {}
        self._last_page: str | None = None
        self.specs = [spec for spec in PAGES if spec.allowed(services.actor)]
        self.setWindowTitle("VERU Desk")
        self.setMinimumSize(960, 600)

        self.search_box = SearchBox(services, self)
        self.search_box.person_chosen.connect(self.open_case)
        self._build_toolbar()
        self._build_menus()

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Main navigation")
        for spec in self.specs:
            item = QListWidgetItem(spec.label)
            item.setData(PAGE_ROLE, spec.key)
            self.navigation.addItem(item)
        self.navigation.currentItemChanged.connect(self._navigation_changed)
        # the page still current under an open case: a click (or Enter) must show it again
        self.navigation.itemClicked.connect(self._navigation_clicked)
        self.navigation.itemActivated.connect(self._navigation_clicked)

        self.open_cases = QListWidget()
        self.open_cases.setObjectName("openCases")
        self.open_cases.setAccessibleName("Open cases")
        self.open_cases.setAccessibleDescription(
            "The cases open in this window. Enter shows one; Delete or Ctrl+W closes it."
        )
        self.open_cases.currentItemChanged.connect(self._open_case_changed)
        # A click on the case already highlighted (after visiting a page) must show it too,
        # and so must Enter: currentItemChanged alone does not fire for either.
        self.open_cases.itemClicked.connect(self._show_open_case)
        self.open_cases.itemActivated.connect(self._show_open_case)
        self.open_cases.itemSelectionChanged.connect(self._colour_close_buttons)
        self.open_cases.installEventFilter(self)
        self.open_cases.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.open_cases.setTextElideMode(Qt.TextElideMode.ElideRight)

        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Current screen")
        self.stack.setAccessibleDescription("The page or case chosen in the sidebar")
        self.stack.currentChanged.connect(self._update_close_tab)
        self._build_central()
        self._set_tab_order()

        self.database_label = QLabel(f"Database: {database_label}")
        self.database_label.setAccessibleName("Database in use")
        self.user_label = QLabel(
            f"Signed in as {services.actor.display_name} ({role_words(services.actor)})"
        )
        self.user_label.setAccessibleName("Signed-in user")
        self.statusBar().addWidget(self.database_label, 1)
        self.statusBar().addPermanentWidget(self.user_label)

        # Queued: the refusal may come from a worker thread, and ending the session must not
        # run in the middle of the call that was refused.
        self.account_refused.connect(self._end_refused_session, Qt.ConnectionType.QueuedConnection)
        listen_for_refused_accounts(self._refused)

        self._restore()

    # --- building ---------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main toolbar")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_referral_action = QAction("New referral", self)
        self.new_referral_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_referral_action.setToolTip("Record a new referral (Ctrl+N)")
        self.new_referral_action.triggered.connect(self.new_referral)
        self.import_action = QAction("Import referrals…", self)
        self.import_action.setToolTip("Import a partner's referral spreadsheet")
        self.import_action.triggered.connect(self.import_referrals)
        toolbar.addAction(self.new_referral_action)
        toolbar.addAction(self.import_action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.search_box_action = toolbar.addWidget(self.search_box)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar
        # A toolbar's buttons take no focus by default: Tab must reach them too.
        for action in (self.new_referral_action, self.import_action):
            button = toolbar.widgetForAction(action)
            if button is not None:
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.new_referral_action)
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        self.lock_action = QAction("&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        password_action = QAction("Change my password…", self)
        password_action.triggered.connect(self.change_password)
        file_menu.addActions([self.lock_action, password_action])
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        go_menu = menu.addMenu("&Go")
        for number, spec in enumerate(self.specs, start=1):
            action = QAction(spec.label, self)
            if number <= 9:  # Ctrl+1 to Ctrl+9; a tenth page is in the menu only
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_page(key))
            go_menu.addAction(action)
        go_menu.addSeparator()
        self.find_action = QAction("Find a young person", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.setToolTip("Find a young person (Ctrl+F)")
        self.find_action.triggered.connect(self.focus_search)
        go_menu.addAction(self.find_action)
        # "Close case…" in a case's header ends the intervention; this only puts the case
        # away from the sidebar, so it says "tab".
        self.close_tab_action = QAction("Close tab", self)
        self.close_tab_action.setShortcut(QKeySequence("Ctrl+W"))
        self.close_tab_action.setToolTip(
            "Close the case on screen (Ctrl+W); the case itself stays as it is"
        )
        self.close_tab_action.setEnabled(False)
        self.close_tab_action.triggered.connect(self.close_current_case)
        go_menu.addAction(self.close_tab_action)
        self._fit_actions_to_role()
        # the guide (F1 on every screen, dialogs too), "A week at the unit", About
        install_help(self, menu.addMenu("&Help"))

    def _fit_actions_to_role(self) -> None:
        """Hides what the signed-in role cannot use (services.access is the rule: recording
        or importing a referral and finding a young person need a case role), rather than
        showing controls that look ready and do nothing."""
        case_role = self.services.actor.has_case_role  # record_a_referral, import, search
        for action in (
            self.new_referral_action,
            self.import_action,
            self.search_box_action,
            self.find_action,
        ):
            action.setEnabled(case_role)
            action.setVisible(case_role)
        self.search_box.setEnabled(case_role)
        # Nothing left on the toolbar for this role: no empty band across the window.
        self.toolbar.setVisible(case_role)

    def _build_central(self) -> None:
        sidebar = QFrame()
        sidebar.setObjectName("sidebar")
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 8, 0, 8)
        side.setSpacing(2)
        title = QLabel("VERU Desk")
        title.setObjectName("appTitle")
        side.addWidget(title)
        side.addWidget(self.navigation, 0)
        self.open_cases_heading = QLabel("Open cases")
        self.open_cases_heading.setObjectName("navHeading")
        self.open_cases_heading.setBuddy(self.open_cases)
        self.open_cases_hint = QLabel("Cases you open appear here.")
        self.open_cases_hint.setObjectName("hint")
        self.open_cases_hint.setWordWrap(True)
        self.open_cases_hint.setContentsMargins(12, 0, 8, 0)
        side.addWidget(self.open_cases_heading)
        side.addWidget(self.open_cases_hint)
        side.addWidget(self.open_cases, 1)
        side.addStretch(0)  # takes the height while the list is hidden
        self.navigation.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        # A short window (1280x720 at 150% text, a manager's eleven pages) scrolls the list
        # rather than running it under the open cases' hint.
        self.navigation.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.navigation.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        width = self.fontMetrics().horizontalAdvance("M") * SIDEBAR_EMS
        sidebar.setFixedWidth(width)
        self.sidebar = sidebar
        self._fit_navigation()
        self._update_open_cases_heading()

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(sidebar)
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(0)
        from veru_desk.ui.shell.reminder import OverdueReminder

        # After sign-in, "You have 3 overdue tasks" with a way to them: never a modal.
        self.overdue_reminder = OverdueReminder(self.services, self)
        self.overdue_reminder.show_tasks.connect(lambda: self.show_page("tasks"))
        content.addWidget(self.overdue_reminder)
        content.addWidget(self.stack, 1)
        layout.addLayout(content, 1)
        self.setCentralWidget(central)

    def after_sign_in(self) -> None:
        """What the window does once the sign-in is complete and audited, behind the painted
        window (``app.run_app``): the reminder of overdue tasks reads its count."""
        self.overdue_reminder.check()

    def _set_tab_order(self) -> None:
        """Tab goes New referral, Import, search, navigation, open cases, then into the page
        on screen (the toolbar's buttons are made focusable where they are built)."""
        self.navigation.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.open_cases.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        # The order they are made in is already this one: setTabOrder here would also move the
        # open cases' later row widgets out of the chain, and Tab would skip the page.

    def _update_open_cases_heading(self) -> None:
        """The "Open cases" heading only over open cases; a short hint instead for someone
        who can open cases, and nothing at all for a role that cannot (an administrator)."""
        has_cases = self.open_cases.count() > 0
        self.open_cases_heading.setVisible(has_cases)
        self.open_cases.setVisible(has_cases)
        self.open_cases_hint.setVisible(not has_cases and self.services.actor.has_case_role)

    def _update_close_tab(self, _index: int = -1) -> None:
        self.close_tab_action.setEnabled(self.stack.currentWidget() in self._workspaces.values())

    def _fit_navigation(self) -> None:
        rows = self.navigation.count()
        height = sum(self.navigation.sizeHintForRow(i) for i in range(rows)) + 4 * rows + 8
        # Whole when the window has room; never fewer than four pages on view when it has not.
        least = sum(self.navigation.sizeHintForRow(i) for i in range(min(rows, 4))) + 24
        self.navigation.setMaximumHeight(max(height, 1))
        self.navigation.setMinimumHeight(max(min(height, least), 1))

    # --- pages ------------------------------------------------------------------------------

    def page(self, key: str) -> QWidget:
        """The page for ``key``, built on first use."""
        page = self._pages.get(key)
        if page is None:
            page = self._make_page(key)
            self._pages[key] = page
            self.stack.addWidget(page)
        return page

    def _make_page(self, key: str) -> QWidget:
        services = self.services
        page: QWidget
        if key == "dashboard":
            from veru_desk.ui.pages.dashboard import DashboardPage

            page = DashboardPage(services, self)
            page.open_case.connect(self.open_case)
            page.open_referral.connect(self.open_referral)
            page.open_task.connect(lambda task: self.show_task(task.id))
            page.open_worker_tasks.connect(self.show_worker_tasks)
        elif key == "tasks":
            from veru_desk.ui.pages.tasks import TasksPage

            page = TasksPage(services, self)
            page.open_case.connect(self.open_case)
        elif key == "referrals":
            from veru_desk.ui.pages.triage import TriagePage

            page = TriagePage(services, self)
            page.open_case.connect(self.open_case)
            page.new_referral_requested.connect(self.new_referral)
            page.import_requested.connect(self.import_referrals)
        elif key == "caseload":
            from veru_desk.ui.pages.caseload import CaseloadPage

            page = CaseloadPage(services, self, first_screen=self._first_screen)
            self._first_screen = None  # shown once: later it would be out of date
            page.open_case.connect(self.open_case)
        elif key == "people":
            from veru_desk.ui.pages.people import PeoplePage

            page = PeoplePage(services, self)
            page.open_case.connect(self.open_case)
            page.new_referral_for.connect(self.new_referral_for)
        elif key == "sessions":
            from veru_desk.ui.pages.calendar import SessionsCalendarPage

            page = SessionsCalendarPage(services, self)
            page.open_case.connect(self.open_case)
        elif key == "reports":
            from veru_desk.ui.pages.reports import ReportsPage

            page = ReportsPage(services, self)
        elif key == "retention":
            from veru_desk.ui.pages.retention import RetentionPage

            page = RetentionPage(services, self)
        elif key == "workload":
            from veru_desk.ui.pages.workload import WorkloadPage

            page = WorkloadPage(services, self)
            page.open_case.connect(self.open_case)
        elif key == "data_quality":
            from veru_desk.ui.pages.data_quality import DataQualityPage

            page = DataQualityPage(services, self)
            page.open_case.connect(self.open_case)
        elif key == "directory":
            from veru_desk.ui.pages.directory import DirectoryPage

            page = DirectoryPage(services, self)
        elif key == "groups":
            from veru_desk.ui.pages.groups import GroupsPage

            page = GroupsPage(services, self)
        elif key == "panels":
            from veru_desk.ui.pages.panels import PanelsPage

            page = PanelsPage(services, self)
        elif key == "concerns":
            from veru_desk.ui.pages.concerns import ConcernsPage

            page = ConcernsPage(services, self)
            page.open_case.connect(self.open_case)
        elif key == "admin":
            from veru_desk.ui.pages.admin import AdminPage

            page = AdminPage(services, self)
        elif key == "audit":
            from veru_desk.ui.pages.audit import AuditPage

            page = AuditPage(services, self)
        else:
            raise KeyError(key)
        page.setObjectName(f"page_{key}")
        return page

    def show_page(self, key: str) -> QWidget | None:
        """Shows a navigation page (refreshed); None when the user's role has no such page."""
        keys = [spec.key for spec in self.specs]
        if key not in keys:
            return None
        row = keys.index(key)
        if self.navigation.currentRow() != row:
            self.navigation.setCurrentRow(row)  # _navigation_changed shows it
        else:  # still current under an open case: highlight it again
            item = self.navigation.item(row)
            item.setSelected(True)
            self._navigation_changed(item, None)
        return self._pages.get(key)

    def show_task(self, task_id: int) -> None:
        """The Tasks page with this task selected (from the dashboard's "My tasks")."""
        page = self.show_page("tasks")
        select = getattr(page, "select_task", None)
        if callable(select):
            select(task_id)

    def show_worker_tasks(self, worker_id: int) -> None:
        """The team's tasks, one worker's (from the dashboard's "Team's overdue tasks")."""
        page = self.show_page("tasks")
        show_team = getattr(page, "show_team", None)
        if callable(show_team):
            show_team(worker_id)

    def refresh_current_page(self) -> None:
        """Re-reads what the current page shows: after a start that painted from the
        start-up read, once the database layer has loaded and the sign-in is complete."""
        key = self.current_page_key()
        page = self._pages.get(key) if key else None
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    def current_page_key(self) -> str | None:
        item = self.navigation.currentItem()
        return item.data(PAGE_ROLE) if item is not None and item.isSelected() else None

    def _navigation_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is None:
            return
        # the open case stays current (unselected): a list with no current item makes the
        # first one current as Tab enters it, which would switch screens on a Tab
        self.open_cases.clearSelection()
        self._show_page_widget(current.data(PAGE_ROLE))

    def _navigation_clicked(self, item: QListWidgetItem) -> None:
        if self.stack.currentWidget() is not self._pages.get(item.data(PAGE_ROLE)):
            self._navigation_changed(item, None)

    def _show_page_widget(self, key: str) -> None:
        try:
            page = self.page(key)
        except Exception as error:  # a page that cannot be built must not take the app down
            show_error(self, error)
            return
        self.stack.setCurrentWidget(page)
        self._last_page = key
        self._settings.setValue(SETTINGS_LAST_PAGE, key)
        refresh = getattr(page, "refresh", None)
        if callable(refresh):
            refresh()

    # --- cases ------------------------------------------------------------------------------

    def open_case(self, person_id: int) -> QWidget | None:
        """Shows the case workspace for a young person, reusing one already open; a record
        merged into another opens the one its history now lives in, and says so."""
        workspace = self._workspaces.get(person_id)
        if workspace is None:
            try:
                kept, moved = self.services.merging.where_now(person_id)
            except Exception as error:
                show_error(self, error)
                return None
            if moved is not None:
                self.statusBar().showMessage(moved, 10000)
                return self.open_case(kept)
            from veru_desk.ui.case.workspace import CaseWorkspace

            try:
                workspace = CaseWorkspace(self.services, person_id, self)
            except Exception as error:
                show_error(self, error)
                return None
            workspace.setObjectName(f"case_{person_id}")
            workspace.closed.connect(lambda pid=person_id: self.close_case(pid))
            workspace.open_case.connect(self.open_case)
            self._workspaces[person_id] = workspace
            self.stack.addWidget(workspace)
            self._add_open_case_item(person_id, workspace)
        self._select_open_case(person_id)
        self.stack.setCurrentWidget(workspace)
        return workspace

    def _add_open_case_item(self, person_id: int, workspace: QWidget) -> None:
        title = str(getattr(workspace, "title", f"Case {person_id}"))
        reference, _sep, name = title.partition(" · ")
        item = QListWidgetItem()
        item.setData(PERSON_ROLE, person_id)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
        item.setData(OPEN_CASE_TITLE_ROLE, f"{name} ({reference})" if name else title)
        # Two short lines rather than one long one: the sidebar is narrow. The list draws
        # them itself, so the selected entry takes the selection's text colour.
        item.setData(OPEN_CASE_LINES_ROLE, [name, reference] if name else [title])
        item.setToolTip(title)
        self.open_cases.addItem(item)
        close = QToolButton()
        close.setObjectName("openCaseClose")
        close.setText("✕")
        close.setAutoRaise(True)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keyboard has Delete and Ctrl+W
        close.setToolTip(f"Close tab: {title}")
        close.setAccessibleName(f"Close tab {title}")
        close.clicked.connect(lambda _checked=False, pid=person_id: self.close_case(pid))
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignVCenter)
        self.open_cases.setItemWidget(item, holder)
        self._fit_open_case(item, close)
        self._update_open_cases_heading()

    def _fit_open_case(self, item: QListWidgetItem, close: QToolButton) -> None:
        """Sizes an entry from the font, not from the list's size at the time (which may not
        be laid out yet): two whole lines with the stylesheet's padding, so nothing is
        clipped at any text size; each line elided to the width beside the close button."""
        metrics = self.open_cases.fontMetrics()
        em = metrics.height()  # a Qt stylesheet's "em" is the font's height
        pad = math.ceil(0.8 * em)  # style.qss: 0.45em above and below, 0.8em at each side
        lines: list[str] = item.data(OPEN_CASE_LINES_ROLE)
        width = self.sidebar.width() - 12  # the items' side margins (style.qss)
        text_width = width - 2 * pad - close.sizeHint().width() - 6
        item.setText(
            "\n".join(
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, max(text_width, 4 * em))
                for line in lines
            )
        )
        # the lines, the padding, the margins and a little air; never less than the list's
        # own measure of the item (the stylesheet's padding included)
        height = len(lines) * metrics.lineSpacing() + math.ceil(0.9 * em) + 2 + 4
        item.setData(Qt.ItemDataRole.SizeHintRole, None)
        measured = self.open_cases.sizeHintForRow(self.open_cases.row(item))
        height = max(height, measured + 4, close.sizeHint().height() + 4)
        item.setSizeHint(QSize(width, height))

    def _colour_close_buttons(self) -> None:
        for row in range(self.open_cases.count()):
            item = self.open_cases.item(row)
            holder = self.open_cases.itemWidget(item)
            close = holder.findChild(QToolButton) if holder is not None else None
            if close is not None:
                close.setStyleSheet(
                    f"QToolButton {{ color: {SELECTED_TEXT}; }}" if item.isSelected() else ""
                )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete on the open cases list closes the highlighted case's tab."""
        if (
            watched is self.open_cases
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            item = self.open_cases.currentItem()
            if item is not None:
                self.close_case(item.data(PERSON_ROLE))
                return True
        return super().eventFilter(watched, event)

    def _item_for(self, person_id: int) -> QListWidgetItem | None:
        for row in range(self.open_cases.count()):
            item = self.open_cases.item(row)
            if item.data(PERSON_ROLE) == person_id:
                return item
        return None

    def _select_open_case(self, person_id: int) -> None:
        item = self._item_for(person_id)
        if item is None:
            return
        self.navigation.blockSignals(True)
        self.navigation.clearSelection()
        self.navigation.blockSignals(False)
        self.open_cases.setCurrentItem(item)

    def _open_case_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if current is not None:
            self._show_open_case(current)

    def _show_open_case(self, item: QListWidgetItem) -> None:
        workspace = self._workspaces.get(item.data(PERSON_ROLE))
        if workspace is None:
            return
        self.navigation.blockSignals(True)
        self.navigation.clearSelection()
        self.navigation.blockSignals(False)
        item.setSelected(True)
        self.stack.setCurrentWidget(workspace)

    def open_case_ids(self) -> list[int]:
        return list(self._workspaces)

    def workspace(self, person_id: int) -> QWidget | None:
        return self._workspaces.get(person_id)

    def close_case(self, person_id: int, *, ask: bool = True) -> bool:
        """Closes a case workspace; asks first when it holds unsaved changes."""
        workspace = self._workspaces.get(person_id)
        if workspace is None:
            return True
        if ask and _unsaved(workspace):
            title = getattr(workspace, "title", "this case")
            if not confirm(
                self,
                "Unsaved changes",
                f"{title} has changes that are not saved. Close it and lose them?",
                action="Close the case and lose the changes",
                keep="Keep the case open",
            ):
                return False
        was_current = self.stack.currentWidget() is workspace
        del self._workspaces[person_id]
        item = self._item_for(person_id)
        if item is not None:
            self.open_cases.takeItem(self.open_cases.row(item))
        self._update_open_cases_heading()
        self.stack.removeWidget(workspace)
        workspace.deleteLater()
        if was_current:
            self._return_to_page()
        return True

    def _return_to_page(self) -> None:
        """After closing the case on screen, go back to the page the user last had."""
        keys = [spec.key for spec in self.specs]
        if not keys:
            return
        key = self._last_page if self._last_page in keys else keys[0]
        self.navigation.setCurrentRow(keys.index(key))
        self.navigation.currentItem().setSelected(True)
        self._show_page_widget(key)

    def close_current_case(self) -> None:
        current = self.stack.currentWidget()
        for person_id, workspace in self._workspaces.items():
            if workspace is current:
                self.close_case(person_id)
                return

    # --- referrals --------------------------------------------------------------------------

    def new_referral(self) -> QWidget | None:
        """Opens the referral form (window-modal, so the window keeps painting behind it)."""
        return self.new_referral_for(None)

    def new_referral_for(self, person_id: int | None) -> QWidget | None:
        if not self.services.actor.has_case_role:
            return None
        from veru_desk.ui.dialogs.referral_form import ReferralForm

        form = ReferralForm(self.services, self, person_id=person_id)
        form.saved.connect(self._referral_saved)
        form.open()
        return form

    def _referral_saved(self, case_ref: str, person_id: int) -> None:
        self.statusBar().showMessage(f"Referral saved for {case_ref}.", 8000)

    def open_referral(self, referral_id: int) -> None:
        """Shows a referral waiting for triage on the Referrals page (managers)."""
        page = self.show_page("referrals")
        select = getattr(page, "select_referral", None)
        if callable(select):
            select(referral_id)

    def import_referrals(self) -> QWidget | None:
        if not self.services.actor.has_case_role:
            return None
        from veru_desk.ui.dialogs.import_wizard import ImportWizard

        wizard = ImportWizard(self.services, self)
        wizard.open()
        return wizard

    # --- search, settings, closing ----------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _restore(self) -> None:
        geometry = self._settings.value(SETTINGS_GEOMETRY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            # First start: most of the screen, but never larger than it (1280x720 laptops).
            available = self.screen().availableGeometry()
            self.resize(
                min(1440, int(available.width() * 0.92)), min(900, int(available.height() * 0.92))
            )
        state = self._settings.value(SETTINGS_STATE)
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        last = self._settings.value(SETTINGS_LAST_PAGE)
        keys = [spec.key for spec in self.specs]
        start = last if isinstance(last, str) and last in keys else (keys[0] if keys else None)
        if start is not None:
            self.show_page(start)

    def save_settings(self) -> None:
        self._settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        self._settings.setValue(SETTINGS_STATE, self.saveState())
        self._settings.sync()

    def unsaved_cases(self) -> list[str]:
        return [
            str(getattr(w, "title", f"Case {pid}"))
            for pid, w in self._workspaces.items()
            if _unsaved(w)
        ]

    def closeEvent(self, event: QCloseEvent) -> None:
        unsaved = self.unsaved_cases()
        if unsaved and not confirm(
            self,
            "Unsaved changes",
            "These cases have changes that are not saved:\n"
            + "\n".join(f"• {title}" for title in unsaved)
            + "\n\nClose VERU Desk and lose them?",
            action="Close VERU Desk and lose the changes",
            keep="Keep VERU Desk open",
        ):
            event.ignore()
            return
        self.save_settings()
        event.accept()

    def lock(self) -> None:
        """Hides everything behind the lock screen until a password is given (Ctrl+L)."""
        from veru_desk.ui.shell.lock_screen import lock_window

        lock_window(self)

    def _refused(self, refusal: AccountRefused) -> None:
        """Any thread: a service refused this window's user (account disabled)."""
        actor = self.services.actor
        if refusal.db is self.services.db and refusal.user_id == actor.user_id:
            self.account_refused.emit(str(refusal))

    def _end_refused_session(self, message: str) -> None:
        """Ends the session at once and shows the lock screen with the reason: the disabled
        account's work is closed unsaved, and someone else may sign in."""
        from veru_desk.ui.shell.lock_screen import end_refused_session

        end_refused_session(self, message)

    def change_password(self) -> QWidget:
        from veru_desk.ui.dialogs.password import PasswordDialog

        dialog = PasswordDialog(self.services, self)
        dialog.open()
        return dialog

    def successor(self, services: Services) -> MainWindow:
        """The same window for another user (who signed in at the lock screen)."""
        label = self.database_label.text().removeprefix("Database: ")
        return type(self)(services, settings=self._settings, database_label=label)


def _unsaved(workspace: QWidget) -> bool:
    check = getattr(workspace, "has_unsaved_changes", None)
    return bool(check()) if callable(check) else False
