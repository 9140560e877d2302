"""The shell as a new user meets it (#15): open cases that read whole on and off the
selection, one meaning per "Close", controls a role cannot use kept out of sight, dialogs that
grow with their messages, a first start the keyboard can finish, and a tab order and
accessible names a screen reader can follow."""

from __future__ import annotations

import math
import re

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAccessible, QColor, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QStyle,
    QStyleOptionFrame,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shell_helpers import make_window, refer

from veru_desk.config import resolve_database
from veru_desk.domain.errors import ConflictError
from veru_desk.domain.merge import three_way
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.services.passwords import SignInError
from veru_desk.ui.dialogs.conflict import ConflictDialog, MergeRow
from veru_desk.ui.dialogs.password import PasswordDialog
from veru_desk.ui.shell.lock_screen import LockDialog
from veru_desk.ui.shell.main_window import MainWindow
from veru_desk.ui.shell.sign_in import FirstStartDialog, RecoveryKeyDialog, SignInDialog


def sidebar_rules() -> str:
    """The stylesheet's sidebar rules, as the app applies them (the rest is not needed)."""
    sheet = re.sub(r"/\*.*?\*/", "", resource_path("style.qss").read_text(), flags=re.S)
    rules = re.findall(r"[^{}]+\{[^{}]*\}", sheet)
    return "\n".join(
        rule for rule in rules if re.search(r"#(openCases|navigation|sidebar)\b", rule)
    )


def settle(qtbot: QtBot) -> None:
    QApplication.processEvents()
    qtbot.wait(10)


def open_two(window: MainWindow, services: Services) -> tuple[int, int]:
    first = refer(services, "Oluwaseun", "Adeyemi").person_id
    second = refer(services, "Zoë", "Çelik").person_id
    window.open_case(first)
    window.open_case(second)
    return first, second


def bright_pixels(window: MainWindow, row: int, half: int) -> int:
    """How many near-white pixels the open case's entry has left of its close button, in its
    top (0) or bottom (1) half: the name's line and the reference's."""
    view = window.open_cases
    rect = view.visualRect(view.model().index(row, 0))
    image = view.viewport().grab().toImage()
    close = view.itemWidget(view.item(row)).findChild(QToolButton)
    right = rect.left() + rect.width() - close.width() - 8
    middle = rect.top() + rect.height() // 2
    rows = range(rect.top(), middle) if half == 0 else range(middle, rect.bottom())
    count = 0
    for x in range(rect.left(), right):
        for y in rows:
            if QColor(image.pixel(x, y)).lightness() > 215:
                count += 1
    return count


# --- the "Open cases" sidebar -----------------------------------------------------------------


def test_open_cases_show_two_whole_lines_sized_from_the_font(
    qtbot: QtBot, manager_window: MainWindow, as_manager: Services
) -> None:
    manager_window.setStyleSheet(sidebar_rules())
    first, _second = open_two(manager_window, as_manager)
    settle(qtbot)
    view = manager_window.open_cases
    item = view.item(0)
    name, reference = item.text().split("\n")
    assert name == "Oluwaseun Adeyemi"  # whole, not elided
    assert reference.startswith("VERU-") and "…" not in reference
    metrics = view.fontMetrics()
    rect = view.visualRect(view.model().index(0, 0))
    # style.qss pads items 0.45em above and below (a stylesheet's em is the font's height)
    # and gives each a 1px margin: what is left must hold both lines
    padding = 2 * (math.ceil(0.45 * metrics.height()) + 1)
    assert rect.height() - padding >= 2 * metrics.lineSpacing()
    assert item.sizeHint().height() == rect.height()
    # nothing of the entry is a label of its own that would keep a dark colour when selected
    assert view.itemWidget(item).findChildren(QLabel) == []
    assert item.toolTip().endswith("Oluwaseun Adeyemi")
    assert first in manager_window.open_case_ids()


def test_the_selected_open_case_reads_light_on_the_dark_selection(
    qtbot: QtBot, manager_window: MainWindow, as_manager: Services
) -> None:
    manager_window.setStyleSheet(sidebar_rules())
    open_two(manager_window, as_manager)
    settle(qtbot)
    view = manager_window.open_cases
    assert view.item(1).isSelected() and not view.item(0).isSelected()
    # light text on the selection, both lines drawn (not one line cut off with "…")
    assert bright_pixels(manager_window, 1, 0) > 30
    assert bright_pixels(manager_window, 1, 1) > 30
    close = view.itemWidget(view.item(1)).findChild(QToolButton)
    assert "#ffffff" in close.styleSheet()
    assert view.itemWidget(view.item(0)).findChild(QToolButton).styleSheet() == ""


def test_clicking_the_highlighted_open_case_after_another_page_shows_it(
    qtbot: QtBot, manager_window: MainWindow, as_manager: Services
) -> None:
    _first, second = open_two(manager_window, as_manager)
    manager_window.show_page("caseload")
    settle(qtbot)
    assert manager_window.stack.currentWidget() is manager_window.page("caseload")
    assert manager_window.current_page_key() == "caseload"
    view = manager_window.open_cases
    rect = view.visualRect(view.model().index(1, 0))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 20, rect.center().y())
    )
    assert manager_window.stack.currentWidget() is manager_window.workspace(second)
    assert manager_window.current_page_key() is None  # the page no longer looks chosen
    # and back: the page still current in the navigation shows again on a click
    nav = manager_window.navigation
    [row] = [r for r in range(nav.count()) if nav.item(r).text() == "Caseload"]
    caseload = nav.visualRect(nav.model().index(row, 0))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=caseload.center())
    assert manager_window.stack.currentWidget() is manager_window.page("caseload")
    assert not view.selectedItems()


def test_enter_on_an_open_case_shows_it_and_delete_closes_its_tab(
    qtbot: QtBot, manager_window: MainWindow, as_manager: Services
) -> None:
    first, second = open_two(manager_window, as_manager)
    manager_window.show_page("people")
    view = manager_window.open_cases
    view.setCurrentRow(0)  # already current: shows it too
    assert manager_window.stack.currentWidget() is manager_window.workspace(first)
    manager_window.show_page("people")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert manager_window.stack.currentWidget() is manager_window.workspace(first)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert manager_window.open_case_ids() == [second]


def test_no_empty_open_cases_heading(
    qtbot: QtBot,
    manager_window: MainWindow,
    as_manager: Services,
    db: object,
    team: object,
    settings: QSettings,
) -> None:
    window = manager_window
    assert not window.open_cases_heading.isVisible() and not window.open_cases.isVisible()
    assert window.open_cases_hint.isVisible()
    assert window.open_cases_hint.text() == "Cases you open appear here."
    person = refer(as_manager, "Aoife", "Ní Bhriain").person_id
    window.open_case(person)
    assert window.open_cases_heading.isVisible() and window.open_cases.isVisible()
    assert not window.open_cases_hint.isVisible()
    window.close_case(person)
    assert not window.open_cases_heading.isVisible() and window.open_cases_hint.isVisible()
    admin = make_window(qtbot, Services(db, team.admin), settings)  # type: ignore[arg-type,attr-defined]
    assert not admin.open_cases_heading.isVisible()
    assert not admin.open_cases_hint.isVisible()


# --- one meaning per "Close"; shortcuts in the menu -------------------------------------------


def menu_items(window: MainWindow, title: str) -> dict[str, str]:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            return {
                a.text(): a.shortcut().toString(QKeySequence.SequenceFormat.PortableText)
                for a in action.menu().actions()
                if not a.isSeparator() and a.isVisible()
            }
    raise AssertionError(f"no menu {title}")


def test_the_go_menu_says_close_tab_and_shows_ctrl_w_and_ctrl_f(
    qtbot: QtBot, manager_window: MainWindow, as_manager: Services
) -> None:
    go = menu_items(manager_window, "Go")
    assert go["Close tab"] == "Ctrl+W"
    assert go["Find a young person"] == "Ctrl+F"
    assert go["Dashboard"] == "Ctrl+1"
    every = [text for title in ("File", "Go", "Help") for text in menu_items(manager_window, title)]
    assert not any("Close case" in text for text in every)
    assert not manager_window.close_tab_action.isEnabled()  # no case on screen

    first, second = open_two(manager_window, as_manager)
    assert manager_window.close_tab_action.isEnabled()
    close = manager_window.open_cases.itemWidget(manager_window.open_cases.item(1))
    button = close.findChild(QToolButton)
    assert button.toolTip().startswith("Close tab: ")
    assert button.accessibleName().startswith("Close tab ")
    manager_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is manager_window)
    qtbot.keyClick(manager_window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert manager_window.open_case_ids() == [first]
    qtbot.keyClick(manager_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert manager_window.search_box.hasFocus()
    assert second not in manager_window.open_case_ids()


# --- what a role cannot use is not offered ----------------------------------------------------


def test_an_administrator_is_not_offered_referrals_import_or_search(
    qtbot: QtBot, db: object, team: object, settings: QSettings
) -> None:
    admin = make_window(qtbot, Services(db, team.admin), settings)  # type: ignore[arg-type,attr-defined]
    for action in (admin.new_referral_action, admin.import_action, admin.find_action):
        assert not action.isVisible() and not action.isEnabled()
    assert not admin.search_box.isVisible() and not admin.search_box.isEnabled()
    assert not admin.toolbar.isVisible()
    assert "New referral" not in menu_items(admin, "File")
    assert "Find a young person" not in menu_items(admin, "Go")
    assert admin.new_referral() is None and admin.import_referrals() is None
    caseworker = make_window(qtbot, Services(db, team.dariusz), settings)  # type: ignore[arg-type,attr-defined]
    assert caseworker.toolbar.isVisible() and caseworker.search_box.isVisible()
    assert caseworker.new_referral_action.isEnabled() and caseworker.import_action.isEnabled()


# --- keyboard and accessibility ---------------------------------------------------------------


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


def test_the_shell_has_accessible_names_and_a_sensible_tab_order(
    qtbot: QtBot, manager_window: MainWindow, as_manager: Services
) -> None:
    window = manager_window
    open_two(window, as_manager)
    window.show_page("caseload")
    assert accessible_name(window.navigation) == "Main navigation"
    assert accessible_name(window.open_cases) == "Open cases"
    assert accessible_name(window.search_box) == "Find a young person"
    assert accessible_name(window.stack) == "Current screen"
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    new_referral = window.toolbar.widgetForAction(window.new_referral_action)
    import_button = window.toolbar.widgetForAction(window.import_action)
    assert accessible_name(new_referral) == "New referral"
    new_referral.setFocus()
    order = [QApplication.focusWidget()]
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order[:5] == [
        new_referral,
        import_button,
        window.search_box,
        window.navigation,
        window.open_cases,
    ]
    # then into the page on screen, without the Tab into the open cases switching screens
    # (each case's cross is the mouse's twin of Delete on the list and of Ctrl+W)
    assert window.page("caseload").isAncestorOf(order[5])
    assert window.stack.currentWidget() is window.page("caseload")


# --- dialogs grow with their messages ---------------------------------------------------------


def shown(qtbot: QtBot, dialog: QWidget) -> QWidget:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def not_squashed(*fields: QLineEdit) -> bool:
    return all(field.height() >= field.sizeHint().height() for field in fields)


def test_a_sign_in_error_makes_the_dialog_taller_and_keeps_the_username_whole(
    qtbot: QtBot,
) -> None:
    def refuse(_username: str, _password: str) -> object:
        raise SignInError("The username or password is not right.")

    dialog = shown(qtbot, SignInDialog(refuse, "veru.db", username="priya"))  # type: ignore[arg-type]
    assert isinstance(dialog, SignInDialog)
    before = dialog.height()
    dialog.password.setText("wrong horse battery")
    dialog.try_sign_in()
    settle(qtbot)
    assert dialog.message.isVisible()
    assert dialog.message.text() == "The username or password is not right."
    assert dialog.height() > before
    assert dialog.message.height() >= dialog.message.heightForWidth(dialog.message.width())
    assert not_squashed(dialog.username, dialog.password)
    assert dialog.username.text() == "priya"
    # as wide as it was asked to be: the message on one line, not a narrow column
    assert dialog.width() >= dialog.fontMetrics().horizontalAdvance("M") * 28


def test_the_lock_screen_grows_with_its_message(qtbot: QtBot, team: object) -> None:
    dialog = shown(qtbot, LockDialog(team.dariusz, ["VERU-2026-00012 · Łukasz Wiśniewski"]))  # type: ignore[attr-defined]
    assert isinstance(dialog, LockDialog)
    before = dialog.height()
    dialog.problem("The username or password is not right.")
    settle(qtbot)
    assert dialog.height() > before
    assert not_squashed(dialog.username, dialog.password)


def test_the_password_dialog_grows_with_its_message(qtbot: QtBot, as_dariusz: Services) -> None:
    dialog = shown(qtbot, PasswordDialog(as_dariusz))
    assert isinstance(dialog, PasswordDialog)
    before = dialog.height()
    dialog.current.setText("the old passphrase")
    dialog.new.setText("a brand new passphrase")
    dialog.confirm.setText("a brand new passphrasf")
    dialog.save()
    settle(qtbot)
    assert dialog.errors.message("confirm_password").startswith("The two new passwords")
    assert dialog.height() > before
    assert not_squashed(dialog.current, dialog.new, dialog.confirm)


# --- first start -------------------------------------------------------------------------------


@pytest.fixture
def first_start(qtbot: QtBot, tmp_path: object) -> FirstStartDialog:
    dialog = FirstStartDialog(resolve_database(str(tmp_path / "new.db")))  # type: ignore[operator]
    shown(qtbot, dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_enter_opens_the_administrator_form_and_a_blank_submit_flags_every_field(
    qtbot: QtBot, first_start: FirstStartDialog
) -> None:
    dialog = first_start
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.stack.currentIndex() == 1
    assert dialog.display_name.hasFocus()
    before = dialog.height()
    qtbot.keyClick(dialog.display_name, Qt.Key.Key_Return)  # Enter submits the form
    settle(qtbot)
    messages = {
        field: dialog.errors.message(field)
        for field in ("display_name", "username", "password", "confirm_password")
    }
    assert messages == {
        "display_name": "Enter the administrator's full name.",
        "username": "Choose a username to sign in with.",
        "password": "Choose a password of at least 12 characters.",
        "confirm_password": "Type the password again.",
    }
    assert dialog.created is None and dialog.isVisible()
    assert dialog.height() > before
    assert not_squashed(
        dialog.display_name, dialog.new_username, dialog.new_password, dialog.confirm_password
    )
    # filling one field clears only its message on the next try
    dialog.display_name.setText("Oluwaseun Adeyemi")
    qtbot.keyClick(dialog.new_username, Qt.Key.Key_Return)
    assert dialog.errors.message("display_name") == ""
    assert dialog.errors.message("username") == "Choose a username to sign in with."
    assert dialog.new_username.hasFocus()


def test_enter_on_a_filled_form_creates_the_administrator(
    qtbot: QtBot, first_start: FirstStartDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = first_start
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda _self: 1)
    dialog.show_admin_form()
    dialog.display_name.setText("Oluwaseun Adeyemi")
    dialog.new_username.setText("oadeyemi")
    dialog.new_password.setText("a long enough passphrase")
    dialog.confirm_password.setText("a long enough passphrase")
    qtbot.keyClick(dialog.confirm_password, Qt.Key.Key_Return)
    assert dialog.created is not None
    assert dialog.actor is not None and dialog.actor.display_name == "Oluwaseun Adeyemi"
    dialog.created.db.dispose()


def test_the_recovery_keys_continue_looks_disabled_until_the_box_is_ticked(
    qtbot: QtBot,
) -> None:
    dialog = shown(qtbot, RecoveryKeyDialog("G32CR-4YEBA-3VJX8-LYXAN", "veru.db"))
    assert isinstance(dialog, RecoveryKeyDialog)
    button = dialog.continue_button
    assert not button.isEnabled()
    assert not button.isDefault()  # a default button is painted filled, as if ready
    assert button.objectName() == "recoveryContinue"
    dialog.confirmed.setChecked(True)
    assert button.isEnabled() and button.isDefault()


# --- the conflict dialog ------------------------------------------------------------------------


def test_the_conflict_dialog_shows_every_heading_and_row_whole(qtbot: QtBot) -> None:
    merge = three_way(
        {"duration": 60, "location": "Marsh Farm youth centre"},
        {"duration": 90, "location": "Marsh Farm youth centre"},
        {"duration": 60, "location": "Bedford library"},
    )
    rows = [
        MergeRow("duration", "Duration", "60", "90"),
        MergeRow("location", "Location", "Bedford library", "Marsh Farm youth centre", 120),
    ]
    conflict = ConflictError("changed", changed_by="Zoë Çelik", changed_at="05/12/2026 14:02")
    dialog = shown(qtbot, ConflictDialog(conflict, merge, rows))
    assert isinstance(dialog, ConflictDialog)
    header = dialog.table.horizontalHeader()
    for column in range(4):
        assert header.sectionSize(column) >= header.sectionSizeHint(column), column
    assert dialog.table.verticalScrollBar().maximum() == 0  # every row in view
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    assert dialog.focusWidget() is dialog.save_button
    assert dialog.layout().contentsMargins().left() == 24


def hint_fits(edit: QLineEdit) -> bool:
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    room = edit.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, edit)
    return edit.fontMetrics().horizontalAdvance(edit.placeholderText()) <= room.width() - 4


def test_the_new_password_hint_is_never_cut(
    qtbot: QtBot, as_dariusz: Services, first_start: FirstStartDialog
) -> None:
    dialog = shown(qtbot, PasswordDialog(as_dariusz))
    assert isinstance(dialog, PasswordDialog)
    assert dialog.new.placeholderText().startswith("At least 12 characters")
    assert hint_fits(dialog.new)
    dialog.save()  # a blank save: the messages must not take the room either
    settle(qtbot)
    assert hint_fits(dialog.new)
    first_start.show_admin_form()
    settle(qtbot)
    assert hint_fits(first_start.new_password)
