"""The user guide inside the app: a Help menu, F1 on every screen, and the guide's window.

The guide is written for caseworkers and managers, one Markdown file per screen or topic in
``resources/help/`` (shipped in the wheel and the bundle like every resource). The window
shows a contents list on the left, a search box that keeps the topics holding every word
typed, Back and Forward, and links between topics.

F1 opens the guide at the topic of the screen in use. Which screen declares which topic is
kept here, in one place (``WIDGET_TOPICS``, by class name) so the screens themselves need not
change; a widget may also say it for itself with a ``help_topic`` class attribute or a
dynamic property of that name, which wins. One event filter on the application catches F1 in
every window, dialogs included (they are separate windows, and most are application-modal),
and looks from the focused widget up through its parents for the nearest one with a topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QUrl
from PySide6.QtGui import (
    QAction,
    QKeyEvent,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from veru_desk import __version__
from veru_desk.resources import resource_path

#: the topic shown when nothing more precise is known
START_TOPIC = "getting-started"
WEEK_TOPIC = "week-at-the-unit"
TOPIC_ROLE = Qt.ItemDataRole.UserRole + 1
_APP_PROPERTY = "veruHelpKey"

#: The contents, in the order a new user reads them: (group, topic keys). Every file in
#: resources/help is listed here once (tests/ui/test_help.py checks both ways).
CONTENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Start here", ("getting-started", "signing-in", "week-at-the-unit")),
    (
        "Everyday work",
        (
            "dashboard",
            "tasks",
            "triage",
            "caseload",
            "people",
            "calendar",
            "referral-form",
            "importing-referrals",
            "group-sessions",
            "panel-meetings",
        ),
    ),
    (
        "A case",
        (
            "case",
            "case-overview",
            "case-referral",
            "case-risk",
            "case-plan",
            "case-sessions",
            "case-outcomes",
            "case-chronology",
            "case-exports",
            "case-safeguarding",
            "case-network",
            "case-incidents",
            "case-attachments",
            "people-and-places",
            "sessions-and-series",
            "notes",
            "closing-a-case",
            "case-summary",
        ),
    ),
    (
        "Managers",
        ("reports", "workload", "data-quality", "subject-access", "retention", "audit-trail"),
    ),
    ("Administration", ("administration", "backups")),
    ("When something goes wrong", ("messages",)),
)

#: Which screen is described by which topic, by the class name of the screen (a page, a case
#: tab, a dialog). Subclasses inherit their base class's topic unless listed themselves.
WIDGET_TOPICS: dict[str, str] = {
    # the shell
    "SignInDialog": "signing-in",
    "FirstStartDialog": "signing-in",
    "RecoveryKeyDialog": "signing-in",
    "LockDialog": "signing-in",
    "PasswordDialog": "signing-in",
    # pages
    "DashboardPage": "dashboard",
    "TasksPage": "tasks",
    "TaskDialog": "tasks",
    "CancelTaskDialog": "tasks",
    "ReassignDialog": "tasks",
    "TriagePage": "triage",
    "CaseloadPage": "caseload",
    "PeoplePage": "people",
    "SessionsCalendarPage": "calendar",
    "ReportsPage": "reports",
    "WorkloadPage": "workload",
    "GroupsPage": "group-sessions",
    "GroupRegisterDialog": "group-sessions",
    "GroupSessionDialog": "group-sessions",
    "PanelsPage": "panel-meetings",
    "ConcernsPage": "people-and-places",
    "PersonOfConcernDialog": "people-and-places",
    "PlaceOfConcernDialog": "people-and-places",
    "PanelMeetingDialog": "panel-meetings",
    "PanelPackDialog": "panel-meetings",
    "SharingDecisionDialog": "panel-meetings",
    "RetentionPage": "retention",
    "AdminPage": "administration",
    "LockSettingRow": "administration",
    "AttachmentLimitRow": "administration",
    "BackupsPanel": "backups",
    "AuditPage": "audit-trail",
    # the case workspace and its tabs
    "CaseWorkspace": "case",
    "OverviewTab": "case-overview",
    "ReferralsTab": "case-referral",
    "RiskTab": "case-risk",
    "PlanTab": "case-plan",
    "SessionsTab": "case-sessions",
    "OutcomesTab": "case-outcomes",
    "ChronologyTab": "case-chronology",
    "ExportsTab": "case-exports",
    "SafeguardingTab": "case-safeguarding",
    "NetworkTab": "case-network",
    "IncidentsTab": "case-incidents",
    "AttachmentsTab": "case-attachments",
    "CaseTab": "case",
    # dialogs
    "CaseDialog": "case",
    "PersonDialog": "case-overview",
    "CaseAnalysisDialog": "case-summary",
    "RiskDialog": "case-risk",
    "PlanDialog": "case-plan",
    "GoalDialog": "case-plan",
    "ActionDialog": "case-plan",
    "SessionDialog": "sessions-and-series",
    "MoveSessionDialog": "sessions-and-series",
    "SeriesDialog": "sessions-and-series",
    "SessionMenu": "sessions-and-series",
    "OutcomeDialog": "case-outcomes",
    "SafeguardingFlagDialog": "case-safeguarding",
    "EndFlagDialog": "case-safeguarding",
    "AddAttachmentDialog": "case-attachments",
    "RemoveAttachmentDialog": "case-attachments",
    "LinkDialog": "case-network",
    "EndLinkDialog": "case-network",
    "ConcernDialog": "case-network",
    "PlaceDialog": "case-network",
    "RecordDetailsDialog": "case-network",
    "IncidentDialog": "case-incidents",
    "PartyChooser": "case-incidents",
    "NoteDialog": "notes",
    "CloseCaseDialog": "closing-a-case",
    "ReopenCaseDialog": "closing-a-case",
    "ExportSummaryDialog": "case-summary",
    "SharingStep": "case-summary",
    "SubjectAccessDialog": "subject-access",
    "ReferralForm": "referral-form",
    "ImportWizard": "importing-referrals",
    "CaseChooser": "calendar",
    "ReallocateDialog": "workload",
    "DataQualityPage": "data-quality",
    "MergePeopleDialog": "data-quality",
    "UserDialog": "administration",
    "ResetPasswordDialog": "administration",
    "RolesDialog": "administration",
    "EndOfRecordDialog": "retention",
    "AuditEventDialog": "audit-trail",
    "ConflictDialog": "messages",
}


@dataclass(frozen=True)
class Topic:
    key: str
    title: str
    text: str

    @property
    def words(self) -> str:
        """The topic's text in lower case, without Markdown's marks, for the search."""
        plain = re.sub(r"\]\([^)]*\)", "]", self.text)  # link targets are not words
        return re.sub(r"[*_`#>\[\]]", " ", f"{self.title}\n{plain}").lower()


def help_dir() -> Path:
    return resource_path("help")


def topic_file(key: str) -> Path:
    return help_dir() / f"{key}.md"


@cache
def _read_topic(path: Path, _mtime: float) -> Topic:
    text = path.read_text(encoding="utf-8")
    first = text.lstrip().splitlines()[0] if text.strip() else ""
    title = first.lstrip("#").strip() or path.stem.replace("-", " ").capitalize()
    return Topic(path.stem, title, text)


def load_topic(key: str) -> Topic:
    path = topic_file(key)
    return _read_topic(path, path.stat().st_mtime)


def topic_keys() -> list[str]:
    return [key for _group, keys in CONTENTS for key in keys]


def matching_topics(query: str, topics: list[Topic]) -> list[Topic]:
    """The topics holding every word of ``query`` (case ignored); all of them for no words."""
    words = query.lower().split()
    return [topic for topic in topics if all(word in topic.words for word in words)]


# --- which topic for which widget -----------------------------------------------------------


def declared_topic(widget: QObject) -> str | None:
    """The topic a widget names for itself, or its class (or a base class) is given here."""
    own = widget.property("help_topic")
    if isinstance(own, str) and own:
        return own
    return class_topic(type(widget))


def class_topic(cls: type) -> str | None:
    """The topic of a kind of screen: its ``help_topic`` attribute, or the nearest class in
    its ancestry that ``WIDGET_TOPICS`` names."""
    attribute = getattr(cls, "help_topic", None)
    if isinstance(attribute, str) and attribute:
        return attribute
    for ancestor in cls.__mro__:
        topic = WIDGET_TOPICS.get(ancestor.__name__)
        if topic is not None:
            return topic
    return None


def _screen_on_show(window: QWidget) -> QWidget | None:
    """The page or case on screen in a main window (its ``stack``), and in a case the tab."""
    stack = getattr(window, "stack", None)
    if not isinstance(stack, QStackedWidget):
        return None
    current = stack.currentWidget()
    tabs = getattr(current, "tabs", None)
    if isinstance(tabs, QTabWidget) and tabs.currentWidget() is not None:
        return tabs.currentWidget()
    return current


def topic_for(widget: QWidget | None) -> str:
    """The topic of the nearest ancestor of ``widget`` (itself included) that has one.

    The walk goes on past a dialog to the window it belongs to. From the main window's own
    parts (the sidebar, the toolbar) it is the page or case on screen that counts.
    """
    current = widget
    while current is not None:
        topic = declared_topic(current)
        if topic is not None:
            return topic
        shown = _screen_on_show(current)
        while shown is not None and shown is not current:  # the screen, up to this window
            topic = declared_topic(shown)
            if topic is not None:
                return topic
            shown = shown.parentWidget()
        current = current.parentWidget()
    return START_TOPIC


# --- the guide's window ---------------------------------------------------------------------


class HelpWindow(QWidget):
    """The guide: contents and search on the left, the topic on the right. Not modal."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("helpWindow")
        self.setWindowTitle("VERU Desk guide")
        self.setAccessibleName("VERU Desk guide")
        self.topics = [load_topic(key) for key in topic_keys()]
        self._titles = {topic.key: topic.title for topic in self.topics}

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the guide")
        self.search.setAccessibleName("Search the guide")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter_topics)
        self.search.returnPressed.connect(self._open_first_match)

        self.contents = QTreeWidget()
        self.contents.setHeaderHidden(True)
        self.contents.setAccessibleName("Contents of the guide")
        self.contents.setRootIsDecorated(False)
        self._groups: list[tuple[QTreeWidgetItem, list[QTreeWidgetItem]]] = []
        for group, keys in CONTENTS:
            heading = QTreeWidgetItem([group])
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            self.contents.addTopLevelItem(heading)
            self._groups.append((heading, []))
            for key in keys:
                item = QTreeWidgetItem([self._titles[key]])
                item.setData(0, TOPIC_ROLE, key)
                item.setToolTip(0, self._titles[key])
                heading.addChild(item)
                self._groups[-1][1].append(item)
        self.contents.expandAll()
        self.contents.itemActivated.connect(self._item_chosen)
        self.contents.itemClicked.connect(self._item_chosen)
        self.no_match = QLabel("No topic holds all those words.")
        self.no_match.setObjectName("hint")
        self.no_match.setWordWrap(True)
        self.no_match.setVisible(False)

        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Guide topic")
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(help_dir())])
        self.browser.sourceChanged.connect(self._source_changed)
        # Lines no longer than a comfortable read, however wide the window (see eventFilter).
        self.browser.setLineWrapMode(QTextBrowser.LineWrapMode.FixedPixelWidth)
        self.browser.viewport().installEventFilter(self)

        self.back_button = QPushButton("◀ Back")
        self.back_button.setToolTip("The topic before (Alt+Left)")
        self.back_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Back))
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.browser.backward)
        self.forward_button = QPushButton("Forward ▶")
        self.forward_button.setToolTip("The topic after (Alt+Right)")
        self.forward_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Forward))
        self.forward_button.setEnabled(False)
        self.forward_button.clicked.connect(self.browser.forward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.browser.forwardAvailable.connect(self.forward_button.setEnabled)
        self.week_button = QPushButton("A week at the unit")
        self.week_button.clicked.connect(lambda: self.show_topic(WEEK_TOPIC))
        self.pdf_button = QPushButton("Save as PDF…")
        self.pdf_button.setToolTip("Save this topic as a PDF to print or share")
        self.pdf_button.clicked.connect(lambda: self.save_pdf())

        left = QWidget()
        side = QVBoxLayout(left)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.search)
        side.addWidget(self.no_match)
        side.addWidget(self.contents, 1)
        right = QWidget()
        main = QVBoxLayout(right)
        main.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.back_button)
        bar.addWidget(self.forward_button)
        bar.addStretch(1)
        bar.addWidget(self.week_button)
        bar.addWidget(self.pdf_button)
        main.addLayout(bar)
        main.addWidget(self.browser, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        em = self.fontMetrics().horizontalAdvance("M")
        splitter.setSizes([em * 23, em * 60])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        # Esc puts the guide away; Ctrl+F goes to its search box, as in the main window.
        close = QAction("Close the guide", self)
        close.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        close.triggered.connect(self.close)
        find = QAction("Search the guide", self)
        find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        find.triggered.connect(self._focus_search)
        self.addActions([close, find])
        self.resize(min(em * 90, 1200), min(em * 60, 820))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.browser.viewport() and event.type() == QEvent.Type.Resize:
            em = self.browser.fontMetrics().horizontalAdvance("M")
            self.browser.setLineWrapColumnOrWidth(min(self.browser.viewport().width(), em * 72))
        return super().eventFilter(watched, event)

    # --- topics -----------------------------------------------------------------------------

    def current_topic(self) -> str:
        return Path(self.browser.source().path()).stem

    def show_topic(self, key: str) -> None:
        if key not in self._titles:
            key = START_TOPIC
        if self.current_topic() != key:
            self.browser.setSource(QUrl(f"{key}.md"), QTextDocument.ResourceType.MarkdownResource)
        self._mark_current(key)

    def _source_changed(self, url: QUrl) -> None:
        self.browser.document().setDocumentMargin(18)
        key = Path(url.path()).stem
        self._mark_current(key)
        title = self._titles.get(key)
        self.setWindowTitle(f"{title} · VERU Desk guide" if title else "VERU Desk guide")
        words = self.search.text().split()
        if words:  # show where the first word searched for is
            self.browser.find(words[0])

    def _mark_current(self, key: str) -> None:
        item = self._item_for(key)
        if item is not None and self.contents.currentItem() is not item:
            self.contents.blockSignals(True)
            self.contents.setCurrentItem(item)
            self.contents.blockSignals(False)

    def _item_for(self, key: str) -> QTreeWidgetItem | None:
        for item in self.topic_items():
            if item.data(0, TOPIC_ROLE) == key:
                return item
        return None

    def topic_items(self) -> list[QTreeWidgetItem]:
        return [item for _heading, items in self._groups for item in items]

    def _item_chosen(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        key = item.data(0, TOPIC_ROLE)
        if isinstance(key, str):
            self.show_topic(key)

    # --- search -----------------------------------------------------------------------------

    def visible_topics(self) -> list[str]:
        return [str(i.data(0, TOPIC_ROLE)) for i in self.topic_items() if not i.isHidden()]

    def filter_topics(self, text: str) -> None:
        found = {topic.key for topic in matching_topics(text, self.topics)}
        for heading, items in self._groups:
            for item in items:
                item.setHidden(item.data(0, TOPIC_ROLE) not in found)
            heading.setHidden(all(item.isHidden() for item in items))
        self.no_match.setVisible(not found)

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _open_first_match(self) -> None:
        visible = self.visible_topics()
        if visible:
            self.show_topic(visible[0])

    # --- printing ---------------------------------------------------------------------------

    def save_pdf(self, path: str | None = None) -> Path | None:
        """Writes the topic on screen to a PDF (asks where unless given ``path``)."""
        if path is None:
            title = self._titles.get(self.current_topic(), "VERU Desk guide")
            path, _filter = QFileDialog.getSaveFileName(
                self, "Save the topic as", f"{title}.pdf", "PDF documents (*.pdf)"
            )
            if not path:
                return None
        # QPdfWriter is part of QtGui: the frozen bundle leaves QtPrintSupport out.
        writer = QPdfWriter(path)
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageOrientation(QPageLayout.Orientation.Portrait)
        writer.setTitle(self._titles.get(self.current_topic(), "VERU Desk guide"))
        writer.setCreator(f"VERU Desk {__version__}")
        self.browser.document().print_(writer)
        return Path(path)


# --- opening the guide ----------------------------------------------------------------------

_guide: HelpWindow | None = None


def _blocking_modal() -> QWidget | None:
    """An application-modal dialog on screen: any other window is closed to the mouse and
    keyboard while it is, so the guide must then open as a window of that dialog."""
    modal = QApplication.activeModalWidget()
    if modal is not None and modal.windowModality() == Qt.WindowModality.ApplicationModal:
        return modal
    return None


def open_help(topic: str = START_TOPIC) -> HelpWindow:
    """Shows the guide at ``topic``: one window for the app, raised if already open."""
    global _guide
    modal = _blocking_modal()
    if modal is not None:
        window = modal.findChild(HelpWindow, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if window is None:
            window = HelpWindow(modal)
    else:
        if _guide is None:
            _guide = HelpWindow()
            _guide.destroyed.connect(_forget_guide)
        window = _guide
    # Closed, the guide is gone (it is quick to build again); and an open guide never keeps
    # the app running once the main window has closed.
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
    window.show_topic(topic)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def _forget_guide() -> None:
    global _guide
    _guide = None


def discard_guide() -> None:
    """Deletes the guide's window now (the app is quitting): a parentless window left to
    Python's clean-up at exit would be deleted after Qt has gone."""
    global _guide
    window, _guide = _guide, None
    if window is not None and shiboken6.isValid(window):
        shiboken6.delete(window)


def help_for(widget: QWidget | None) -> HelpWindow:
    return open_help(topic_for(widget))


def help_for_focus(window: QWidget) -> HelpWindow:
    """The guide at the topic of the widget with the keyboard focus in ``window`` (the one
    that last had it, if the window is not active), or of the window itself."""
    return help_for(window.focusWidget() or window)


class HelpKey(QObject):
    """F1 anywhere in the app opens the guide at the topic of the screen in use."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_F1
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and isinstance(watched, QWidget)
            and not _inside_guide(watched)
        ):
            help_for(watched)
            return True
        return False


def _inside_guide(widget: QWidget) -> bool:
    window = widget.window()
    return isinstance(window, HelpWindow)


def install_help_key(app: QApplication) -> HelpKey:
    """The F1 filter on ``app``, once (a second call returns the same filter)."""
    existing = app.property(_APP_PROPERTY)
    if isinstance(existing, HelpKey):
        return existing
    key = HelpKey(app)
    app.installEventFilter(key)
    app.aboutToQuit.connect(discard_guide)
    app.setProperty(_APP_PROPERTY, key)
    return key


def install_help(window: QMainWindow, menu: QMenu) -> None:
    """Fills the main window's Help menu and makes F1 work in every window of the app."""
    guide = QAction("VERU Desk guide", window)
    guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    guide.setToolTip("Open the guide at this screen's topic (F1)")
    guide.triggered.connect(lambda: help_for_focus(window))
    week = QAction("A week at the unit", window)
    week.triggered.connect(lambda: open_help(WEEK_TOPIC))
    about = QAction("About VERU Desk", window)
    about.triggered.connect(lambda: show_about(window))
    menu.addActions([guide, week])
    menu.addSeparator()
    menu.addAction(about)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        install_help_key(app)


def about_text() -> str:
    return (
        f"<p><b>VERU Desk {__version__}</b></p>"
        "<p>Case management for a Violence and Exploitation Reduction Unit.</p>"
        "<p>Fonts shipped with VERU Desk, each with its licence in the <i>fonts</i> folder of "
        "its resources: DejaVu Sans (Bitstream Vera and DejaVu licence), the Noto fonts "
        "(SIL Open Font License 1.1) and Droid Sans Fallback (Apache License 2.0). "
        "The list of common passwords comes from Django (BSD licence).</p>"
        "<p>Press F1 on any screen for the guide to it.</p>"
    )


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About VERU Desk", about_text())
