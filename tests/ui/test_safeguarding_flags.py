"""Safeguarding flags driven as Dariusz uses them: the case's Flags tab, the flag editor with
the rows each kind needs, ending a missing episode, and the banner of active flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_drivers import DialogDriver, shown, type_into

from tests.dates import today
from tests.statements import statements
from veru_desk.domain.dates import format_uk_date
from veru_desk.domain.safeguarding import FlagInput, FlagKind, GroundsDecision
from veru_desk.services import Services
from veru_desk.ui.case.safeguarding import FlagBanner, SafeguardingTab
from veru_desk.ui.dialogs.safeguarding_flag import SafeguardingFlagDialog


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


def choose(combo: Any, label: str) -> None:
    index = combo.findText(label)
    assert index >= 0, label
    combo.setCurrentIndex(index)


def cells(table: Any, column: int) -> list[str]:
    model = table.model()
    return [model.index(row, column).data() for row in range(model.rowCount())]


def click(qtbot: QtBot, button: Any) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tab_for(qtbot: QtBot, services: Services, person_id: int) -> SafeguardingTab:
    tab = shown(qtbot, SafeguardingTab(services, person_id))
    tab.refresh()
    return tab


def test_a_missing_episode_added_from_the_tab_is_listed_and_saved(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    tab = tab_for(qtbot, as_dariusz, lukasz_case)
    assert tab.summary.text().startswith("No safeguarding flags recorded")

    def fill(dialog: Any) -> None:
        choose(dialog.kind, "Missing episode")
        assert dialog.form.labelForField(dialog.started_on).text() == "Missing from*"
        assert dialog.form.labelForField(dialog.ended_on).text() == "Found"
        assert dialog.interview.isVisible() and not dialog.reasonable.isVisible()
        dialog.started_on.clear()
        type_into(qtbot, dialog.started_on, format_uk_date(days_ago(2)))
        type_into(qtbot, dialog.note, "Reported missing by mum at 22:00")
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, tab.add_button)
    tab.refresh()  # the workspace re-reads its tabs on a change (tested there)

    [saved] = as_dariusz.safeguarding.for_case(lukasz_case)
    assert (saved.kind, saved.started_on, saved.ended_on) == (FlagKind.MISSING, days_ago(2), None)
    assert saved.note == "Reported missing by mum at 22:00"
    assert cells(tab.table, 0) == ["Missing episode"]
    assert cells(tab.table, 3) == ["Still missing"]
    assert cells(tab.table, 5) == ["Dariusz Wójcik"]
    assert tab.summary.text() == "1 active flag."
    assert tab.end_button.isEnabled()


def test_ending_a_missing_episode_from_the_tab_records_the_day_found(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    as_dariusz.safeguarding.add(lukasz_case, FlagInput(FlagKind.MISSING, days_ago(3)))
    tab = tab_for(qtbot, as_dariusz, lukasz_case)

    def end(dialog: Any) -> None:
        dialog.ended_on.clear()
        type_into(qtbot, dialog.ended_on, format_uk_date(days_ago(1)))
        click(qtbot, dialog.save_button)

    dialogs.then(end)
    click(qtbot, tab.end_button)
    tab.refresh()

    [flag] = as_dariusz.safeguarding.for_case(lukasz_case)
    assert flag.ended_on == days_ago(1) and flag.ended_by == "Dariusz Wójcik"
    assert cells(tab.table, 2) == [format_uk_date(days_ago(1))]
    assert cells(tab.table, 3) == ["Ended"]
    assert not tab.end_button.isEnabled()


def test_the_editor_shows_nrm_decisions_and_puts_date_errors_beside_their_fields(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    dialog = shown(qtbot, SafeguardingFlagDialog(as_dariusz, lukasz_case))
    choose(dialog.kind, "National Referral Mechanism referral")
    assert dialog.reasonable.isVisible() and dialog.conclusive_on.isVisible()
    assert not dialog.interview.isVisible()
    assert dialog.form.labelForField(dialog.started_on).text() == "Referred*"
    dialog.started_on.clear()
    type_into(qtbot, dialog.started_on, format_uk_date(days_ago(10)))
    choose(dialog.reasonable, "Positive")
    type_into(qtbot, dialog.reasonable_on, format_uk_date(days_ago(20)))
    click(qtbot, dialog.save_button)

    message = dialog.errors.message("reasonable_grounds_on")
    assert "before the referral" in message
    assert dialog.isVisible()
    assert as_dariusz.safeguarding.for_case(lukasz_case) == []

    dialog.reasonable_on.clear()
    type_into(qtbot, dialog.reasonable_on, format_uk_date(days_ago(5)))
    click(qtbot, dialog.save_button)
    [flag] = as_dariusz.safeguarding.for_case(lukasz_case)
    assert (flag.reasonable_grounds, flag.reasonable_grounds_on) == (
        GroundsDecision.POSITIVE,
        days_ago(5),
    )


def test_changing_a_flag_keeps_who_recorded_it(
    qtbot: QtBot,
    as_dariusz: Services,
    as_manager: Services,
    lukasz_case: int,
    dialogs: DialogDriver,
) -> None:
    as_dariusz.safeguarding.add(lukasz_case, FlagInput(FlagKind.CCE, days_ago(30)))
    tab = tab_for(qtbot, as_manager, lukasz_case)

    def change(dialog: Any) -> None:
        assert dialog.recorded.text() == "Recorded by Dariusz Wójcik."
        choose(dialog.kind, "County lines")
        click(qtbot, dialog.save_button)

    dialogs.then(change)
    click(qtbot, tab.change_button)
    tab.refresh()
    [flag] = as_dariusz.safeguarding.for_case(lukasz_case)
    assert flag.kind is FlagKind.COUNTY_LINES and flag.recorded_by == "Dariusz Wójcik"
    assert cells(tab.table, 0) == ["County lines"]


def test_the_banner_shows_active_flags_only_and_hides_when_none_remain(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    service = as_dariusz.safeguarding
    banner = shown(qtbot, FlagBanner(as_dariusz, lukasz_case))
    banner.refresh()
    assert not banner.isVisible()
    missing = service.add(lukasz_case, FlagInput(FlagKind.MISSING, days_ago(1)))
    service.add(lukasz_case, FlagInput(FlagKind.CCE, days_ago(40)))
    service.add(lukasz_case, FlagInput(FlagKind.SEND, days_ago(900), days_ago(400)))
    banner.refresh()
    assert banner.isVisible()
    text = banner.text().replace("\u00a0", " ")
    assert text == (
        f"Safeguarding: MISSING since {format_uk_date(days_ago(1))}  ·  "
        f"Child criminal exploitation concern since {format_uk_date(days_ago(40))}"
    )
    service.end(missing, today(), 1)
    banner.refresh()
    assert "MISSING" not in banner.text()


def test_the_caseload_shows_active_flags_in_a_column_and_filters_by_flag(
    qtbot: QtBot, as_manager: Services, lukasz_case: int, team: Any
) -> None:
    from ui_drivers import open_case_for

    from veru_desk.services.caseload_view import CaseloadSort
    from veru_desk.ui.pages.caseload import CaseloadPage
    from veru_desk.ui.pages.caseload_model import COLUMNS

    aoife = open_case_for(
        as_manager, team.aisha.user_id, first_name="Aoife", last_name="Ní Bhriain"
    )
    service = as_manager.safeguarding
    service.add(lukasz_case, FlagInput(FlagKind.CCE, days_ago(20)))
    service.add(lukasz_case, FlagInput(FlagKind.MISSING, days_ago(1)))
    service.add(aoife, FlagInput(FlagKind.LOOKED_AFTER, days_ago(300), days_ago(100)))

    page = shown(qtbot, CaseloadPage(as_manager))
    page.refresh()
    column = COLUMNS.index(CaseloadSort.FLAGS)
    assert page.model.headerData(column, Qt.Orientation.Horizontal) == "Flags"
    shown_flags = {
        page.model.index(row, 1).data(): page.model.index(row, column).data()
        for row in range(page.model.rowCount())
    }
    lukasz = "Wiśniewski, Łukasz (Łuki)"
    assert shown_flags == {lukasz: "CCE, Missing", "Ní Bhriain, Aoife": ""}
    row = list(shown_flags).index(lukasz)
    assert page.model.index(row, column).data(Qt.ItemDataRole.ToolTipRole) == (
        "Child criminal exploitation concern\nMissing episode"
    )

    page.flag_filter.setCurrentIndex(page.flag_filter.findText("Any active flag"))
    assert page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == lukasz
    page.flag_filter.setCurrentIndex(page.flag_filter.findText("Looked after"))
    assert page.model.rowCount() == 0  # Aoife's ended in the past
    assert page.total_label.text().startswith("No case matches these filters")
    assert page.flag_filter.accessibleName() == "Filter by safeguarding flag"


def test_the_workspace_shows_the_banner_and_a_flag_added_from_its_tab_appears_in_both(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int, dialogs: DialogDriver
) -> None:
    from veru_desk.ui.case.workspace import CaseWorkspace

    as_dariusz.safeguarding.add(lukasz_case, FlagInput(FlagKind.CHILD_IN_NEED, days_ago(200)))
    ws = shown(qtbot, CaseWorkspace(as_dariusz, lukasz_case))
    assert ws.flag_banner.isVisible()
    assert ws.flag_banner.text().replace("\u00a0", " ") == (
        f"Safeguarding: Child in need since {format_uk_date(days_ago(200))}"
    )
    ws.tabs.setCurrentWidget(ws.safeguarding_tab)
    assert ws.tabs.tabText(ws.tabs.currentIndex()) == "Safe&guarding"

    def fill(dialog: Any) -> None:
        choose(dialog.kind, "County lines")
        click(qtbot, dialog.save_button)

    dialogs.then(fill)
    click(qtbot, ws.safeguarding_tab.add_button)

    assert cells(ws.safeguarding_tab.table, 0) == ["County lines", "Child in need"]
    assert "County lines since" in ws.flag_banner.text().replace("\u00a0", " ")


def test_opening_a_case_reads_its_flags_once_for_the_banner_and_the_overview(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    """The banner shows the flags the overview read (a second read was a round trip more
    on a server, for every case opened); both show the active flag."""
    from veru_desk.ui.case.workspace import CaseWorkspace

    as_dariusz.safeguarding.add(lukasz_case, FlagInput(FlagKind.MISSING, days_ago(3)))
    with statements(as_dariusz.db.engine) as sent:
        ws = shown(qtbot, CaseWorkspace(as_dariusz, lukasz_case))
        qtbot.waitUntil(lambda: ws.overview_tab.loaded)
    assert sum("FROM safeguarding_flag" in sql for sql in sent) == 1
    assert ws.flag_banner.isVisible()
    assert "MISSING since" in ws.flag_banner.text().replace("\u00a0", " ")


def test_a_workspace_without_active_flags_shows_no_banner(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    from veru_desk.ui.case.workspace import CaseWorkspace

    as_dariusz.safeguarding.add(lukasz_case, FlagInput(FlagKind.SEND, days_ago(90), days_ago(9)))
    ws = shown(qtbot, CaseWorkspace(as_dariusz, lukasz_case))
    assert not ws.flag_banner.isVisible()


def test_the_overview_names_the_active_flags_the_banner_shows(
    qtbot: QtBot, as_dariusz: Services, lukasz_case: int
) -> None:
    """The overview no longer says 'None recorded' under a banner of active flags."""
    from veru_desk.ui.case.overview import OverviewTab

    overview = shown(qtbot, OverviewTab(as_dariusz, lukasz_case))
    overview.refresh()
    qtbot.waitUntil(lambda: "No active flag" in overview.text("flags"))
    as_dariusz.safeguarding.add(lukasz_case, FlagInput(FlagKind.CCE, days_ago(30)))
    overview.refresh()
    qtbot.waitUntil(lambda: FlagKind.CCE.label in overview.text("flags"))
    assert "No active flag" not in overview.text("flags")
