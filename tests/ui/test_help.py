"""The guide inside the app: its pages, the window, and F1 on every screen and dialog."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QWidget, QWizard
from pytestqt.qtbot import QtBot
from shell_helpers import make_window

from veru_desk.services import Services
from veru_desk.ui.case.tab import CaseTab
from veru_desk.ui.shell import help as guide_module
from veru_desk.ui.shell.help import (
    CONTENTS,
    HelpWindow,
    class_topic,
    help_dir,
    install_help_key,
    load_topic,
    open_help,
    topic_for,
    topic_keys,
)
from veru_desk.ui.shell.main_window import MainWindow

UI = Path(__file__).resolve().parents[2] / "veru_desk" / "ui"
LINK = re.compile(r"\]\(([^)#]+)(?:#[^)]*)?\)")


@pytest.fixture(autouse=True)
def _no_guide_left_open() -> Iterator[None]:
    yield
    guide_module.discard_guide()


def open_guide(qtbot: QtBot) -> HelpWindow:
    window = open_help()
    qtbot.waitExposed(window)
    return window


# --- the pages of the guide -------------------------------------------------------------------


def test_every_topic_in_the_contents_has_its_page_and_every_page_is_in_the_contents() -> None:
    keys = topic_keys()
    assert len(keys) == len(set(keys)), "a topic is listed twice"
    files = {path.stem for path in help_dir().glob("*.md")}
    assert set(keys) == files
    assert not [p.name for p in help_dir().iterdir() if p.suffix != ".md"]
    for key in keys:
        topic = load_topic(key)
        assert topic.text.startswith("# "), f"{key}.md must start with its title"
        assert len(topic.text.split()) > 80, f"{key}.md says too little to help"


def test_every_link_between_topics_leads_to_a_page_of_the_guide() -> None:
    linked: set[str] = set()
    for key in topic_keys():
        for target in LINK.findall(load_topic(key).text):
            assert not target.startswith(("/", "..")), f"{key}.md: {target}"
            if target.startswith(("http://", "https://")):
                continue
            assert (help_dir() / target).is_file(), f"{key}.md links to a missing {target}"
            linked.add(target.removesuffix(".md"))
    assert "triage" in linked and "case-summary" in linked


def test_the_guide_uses_the_screens_own_words() -> None:
    """The names of buttons quoted in the guide are the ones on screen."""
    text = {key: load_topic(key).text for key in topic_keys()}
    source = "\n".join(p.read_text(encoding="utf-8") for p in UI.rglob("*.py"))
    buttons = {name for key in text for name in re.findall(r"\*\*([^*\n]+…)\*\*", text[key])}
    assert len(buttons) > 30
    unknown = sorted(name for name in buttons if f'"{name}"' not in source)
    assert not unknown, f"the guide names buttons the screens do not have: {unknown}"
    assert "**Close tab** (Ctrl+W" in text["case"]
    assert "**Close case…**" in text["case"]
    assert "**Record decision**" in text["triage"]
    assert "**Save rejected rows…**" in text["importing-referrals"]
    assert "**Export and open**" in text["case-summary"]
    assert "**Write PDF and\n   JSON**" in text["subject-access"]
    # one section per scenario of the unit's week, in the week's order
    week = [line for line in text["week-at-the-unit"].splitlines() if line.startswith("## ")]
    assert week[0] == "## 1. Monday triage (manager)"
    assert any("Closing well" in line for line in week)
    assert len(week) >= 8


# --- every screen has a topic ------------------------------------------------------------------


def _screen_classes() -> list[type]:
    """Every page, case tab and dialog of the app, found by walking its modules."""
    found: dict[str, type] = {}
    for package in ("veru_desk.ui.pages", "veru_desk.ui.case", "veru_desk.ui.dialogs"):
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__):
            loaded = importlib.import_module(f"{package}.{info.name}")
            for name, cls in inspect.getmembers(loaded, inspect.isclass):
                if cls.__module__ != loaded.__name__ or not issubclass(cls, QWidget):
                    continue
                page = package.endswith("pages") and name.endswith("Page")
                if page or issubclass(cls, QDialog | QWizard | CaseTab) or name == "CaseWorkspace":
                    found[f"{cls.__module__}.{name}"] = cls
    return list(found.values())


def test_every_page_case_tab_and_dialog_has_a_topic_with_a_page() -> None:
    classes = _screen_classes()
    names = {cls.__name__ for cls in classes}
    assert {"TriagePage", "CaseWorkspace", "PlanTab", "ReferralForm", "ImportWizard"} <= names
    missing = sorted(cls.__name__ for cls in classes if class_topic(cls) is None)
    assert not missing, f"give these a topic in ui/shell/help.py WIDGET_TOPICS: {missing}"
    for cls in classes:
        topic = class_topic(cls)
        assert topic in topic_keys(), f"{cls.__name__} names {topic}, which has no page"
    assert class_topic(next(c for c in classes if c.__name__ == "TriagePage")) == "triage"


def test_a_widget_may_name_its_own_topic(qtbot: QtBot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    child = QWidget(widget)
    assert topic_for(child) == "getting-started"  # nothing more precise is known
    widget.setProperty("help_topic", "backups")
    assert topic_for(child) == "backups"


# --- the window -------------------------------------------------------------------------------


def test_the_contents_list_every_topic_under_its_group(qtbot: QtBot) -> None:
    window = open_guide(qtbot)
    groups = [window.contents.topLevelItem(i).text(0) for i in range(len(CONTENTS))]
    assert groups[0] == "Start here"
    assert window.visible_topics() == topic_keys()
    assert window.current_topic() == "getting-started"
    assert "Getting started" in window.browser.toPlainText()


def test_searching_for_signpost_finds_the_triage_topic(qtbot: QtBot) -> None:
    window = open_guide(qtbot)
    qtbot.keyClicks(window.search, "signpost")
    shown = window.visible_topics()
    assert "triage" in shown
    assert "backups" not in shown and "case-plan" not in shown
    assert not window.no_match.isVisible()
    window.search.clear()
    qtbot.keyClicks(window.search, "signpost adult service")  # every word, anywhere in it
    assert "triage" in window.visible_topics()
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.current_topic() == window.visible_topics()[0]
    assert window.browser.textCursor().selectedText().lower() == "signpost"
    window.search.clear()
    qtbot.keyClicks(window.search, "zzqx")
    assert window.visible_topics() == []
    assert window.no_match.isVisible()


def _click_link(qtbot: QtBot, window: HelpWindow, target: str) -> None:
    document = window.browser.document()
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == target:
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + 1)
                point = window.browser.cursorRect(cursor).center()
                window.browser.ensureCursorVisible()
                window.browser.setTextCursor(cursor)
                window.browser.ensureCursorVisible()
                point = window.browser.cursorRect(cursor).center()
                qtbot.mouseClick(
                    window.browser.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point)
                )
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {target}")


def test_ctrl_f_goes_to_the_search_and_esc_closes_the_guide(qtbot: QtBot) -> None:
    window = open_guide(qtbot)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.browser.setFocus()
    qtbot.keyClick(window.browser, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()
    assert not window.testAttribute(Qt.WidgetAttribute.WA_QuitOnClose)  # never keeps the app open
    qtbot.keyClick(window.search, Qt.Key.Key_Escape)
    assert not window.isVisible()
    qtbot.waitUntil(lambda: guide_module._guide is None)  # closed, it is gone; F1 builds anew


def test_a_link_opens_its_topic_and_back_and_forward_return(qtbot: QtBot) -> None:
    window = open_guide(qtbot)
    window.show_topic("triage")
    assert not window.forward_button.isEnabled()
    _click_link(qtbot, window, "referral-form.md")
    qtbot.waitUntil(lambda: window.current_topic() == "referral-form")
    assert "The referral form and intake" in window.browser.toPlainText()
    assert window.contents.currentItem().text(0) == "The referral form and intake"
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    assert window.current_topic() == "triage"
    assert window.forward_button.isEnabled()
    qtbot.mouseClick(window.forward_button, Qt.MouseButton.LeftButton)
    assert window.current_topic() == "referral-form"


def test_choosing_a_topic_in_the_contents_shows_it(qtbot: QtBot) -> None:
    window = open_guide(qtbot)
    item = next(i for i in window.topic_items() if i.text(0) == "Backups and restoring")
    window.contents.scrollToItem(item)  # the contents outgrow the window as topics are added
    rect = window.contents.visualItemRect(item)
    qtbot.mouseClick(window.contents.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_topic() == "backups"
    assert window.windowTitle() == "Backups and restoring · VERU Desk guide"


def test_save_as_pdf_writes_the_topic_on_screen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_guide(qtbot)
    window.show_topic("week-at-the-unit")
    target = tmp_path / "week.pdf"
    asked: list[str] = []

    def choose(_parent: QWidget, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    qtbot.mouseClick(window.pdf_button, Qt.MouseButton.LeftButton)
    assert asked == ["A week at the unit.pdf"]
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000


# --- F1 and the Help menu ---------------------------------------------------------------------


def test_f1_on_the_referrals_page_opens_the_guide_at_triage(
    qtbot: QtBot, manager_window: MainWindow
) -> None:
    page = manager_window.show_page("referrals")
    assert page is not None
    table = page.table  # type: ignore[attr-defined]
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F1)
    window = guide_module._guide
    assert window is not None and window.isVisible()
    assert window.current_topic() == "triage"
    assert "Referrals: triage and allocation" in window.browser.toPlainText()

    manager_window.show_page("caseload")
    manager_window.focus_search()  # the toolbar has no topic of its own: the page on screen
    qtbot.keyClick(manager_window.search_box, Qt.Key.Key_F1)
    assert window.current_topic() == "caseload"
    assert guide_module._guide is window  # one guide, brought to the front


def test_f1_in_a_case_opens_the_topic_of_the_tab_on_screen(
    qtbot: QtBot, as_manager: Services, settings: QSettings, lukasz_case: int
) -> None:
    window = make_window(qtbot, as_manager, settings)  # with the real case workspace
    workspace = window.open_case(lukasz_case)
    assert workspace is not None
    tabs = workspace.tabs  # type: ignore[attr-defined]
    tabs.setCurrentWidget(workspace.risk_tab)  # type: ignore[attr-defined]
    workspace.risk_tab.record_button.setFocus()  # type: ignore[attr-defined]
    qtbot.keyClick(workspace.risk_tab.record_button, Qt.Key.Key_F1)  # type: ignore[attr-defined]
    assert guide_module._guide is not None
    assert guide_module._guide.current_topic() == "case-risk"
    assert topic_for(workspace.header) == "case"  # type: ignore[attr-defined]


def test_f1_in_a_dialog_opens_its_topic(qtbot: QtBot, manager_window: MainWindow) -> None:
    form = manager_window.new_referral()
    assert form is not None
    qtbot.waitExposed(form)
    first_name = form.first_name  # type: ignore[attr-defined]
    first_name.setFocus()
    qtbot.keyClick(first_name, Qt.Key.Key_F1)
    assert guide_module._guide is not None
    assert guide_module._guide.current_topic() == "referral-form"
    assert form.isVisible()  # the form stays open, with what was typed
    form.reject()  # type: ignore[attr-defined]


def test_f1_in_an_application_modal_dialog_opens_a_guide_that_can_be_used(
    qtbot: QtBot, qapp: QApplication, as_manager: Services, lukasz_case: int
) -> None:
    """Most case forms run with exec(), which closes every other window to the keyboard and
    mouse: the guide then opens as a window of the dialog itself."""
    from veru_desk.ui.dialogs.note import NoteDialog

    install_help_key(qapp)  # as the main window does when it is built
    dialog = NoteDialog(as_manager, lukasz_case)
    qtbot.addWidget(dialog)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.subject.setFocus()  # type: ignore[attr-defined]
    qtbot.keyClick(dialog.subject, Qt.Key.Key_F1)  # type: ignore[attr-defined]
    window = dialog.findChild(HelpWindow)
    assert window is not None and window.isVisible()
    assert window.current_topic() == "notes"
    assert guide_module._guide is None
    dialog.reject()


def test_the_help_menu_offers_the_guide_the_week_and_about(
    qtbot: QtBot, manager_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    menu = next(
        a.menu() for a in manager_window.menuBar().actions() if a.text().replace("&", "") == "Help"
    )
    actions = {a.text(): a for a in menu.actions() if not a.isSeparator()}
    assert list(actions) == ["VERU Desk guide", "A week at the unit", "About VERU Desk"]
    assert actions["VERU Desk guide"].shortcut().toString() == "F1"
    actions["A week at the unit"].trigger()
    assert guide_module._guide is not None
    assert guide_module._guide.current_topic() == "week-at-the-unit"
    manager_window.show_page("reports")
    actions["VERU Desk guide"].trigger()
    assert guide_module._guide.current_topic() == "reports"
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: shown.append(text))
    actions["About VERU Desk"].trigger()
    assert "VERU Desk" in shown[0] and "SIL Open Font License" in shown[0]
