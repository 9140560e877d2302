"""A case opens at once: the workspace reads the header and the tab on show, each other tab
when it is first shown, and a tab again only after a change of the kinds of record it shows
(at once if it is on show, else when next shown). Long lists are given to the view a page at
a time, with how many are shown of how many and a button for more."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot
from test_case_workspace import cells, click, show_tab, workspace

from tests.dates import today
from veru_desk.services import Services
from veru_desk.services.mentoring import SeriesInput, SessionInput
from veru_desk.services.notes import NoteInput
from veru_desk.ui.case import mentoring
from veru_desk.ui.case.workspace import CaseWorkspace
from veru_desk.ui.widgets.record_table import Column, RecordTableModel, ShowMore

#: What each tab other than the overview reads, and nothing on the overview reads.
OTHER_TABS_READS = (
    ("sessions", "for_person"),
    ("chronology", "for_person"),
    ("risk", "history"),
    ("plans", "versions"),
    ("outcomes", "for_person"),
    ("exports", "for_person"),
    ("network", "links_of"),
)


def spy_on_reads(monkeypatch: pytest.MonkeyPatch, services: Services) -> Counter[str]:
    """Counts the calls of each tab's read, still reading the database."""
    calls: Counter[str] = Counter()
    for service_name, method_name in OTHER_TABS_READS:
        service = getattr(services, service_name)
        real: Callable[..., Any] = getattr(service, method_name)

        def spy(*args: Any, _name: str = f"{service_name}.{method_name}", _real: Any = real,
                **kwargs: Any) -> Any:  # fmt: skip
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(service, method_name, spy)
    return calls


def past(days: int, hour: int = 16) -> dt.datetime:
    return dt.datetime.combine(today() - dt.timedelta(days=days), dt.time(hour, 0))


def test_opening_a_case_reads_only_the_tab_on_show(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_dariusz: Services, lukasz_case: int
) -> None:
    calls = spy_on_reads(monkeypatch, as_dariusz)
    ws = workspace(qtbot, as_dariusz, lukasz_case)

    assert ws.tabs.currentWidget() is ws.overview_tab
    assert ws.overview_tab.text("name") == "Łukasz Wiśniewski"
    assert calls == Counter()  # no other tab's records were read
    assert not ws.sessions_tab.loaded and not ws.chronology_tab.loaded


def test_a_tab_reads_its_records_once_when_first_shown(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_dariusz: Services, lukasz_case: int
) -> None:
    as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(2), location="Library"))
    calls = spy_on_reads(monkeypatch, as_dariusz)
    ws = workspace(qtbot, as_dariusz, lukasz_case)

    show_tab(ws, ws.sessions_tab)
    assert calls == Counter({"sessions.for_person": 1})
    assert cells(ws.sessions_tab.table, 3) == ["Library"]

    show_tab(ws, ws.overview_tab)
    show_tab(ws, ws.sessions_tab)  # nothing changed meanwhile: shown as read
    show_tab(ws, ws.risk_tab)
    show_tab(ws, ws.sessions_tab)
    assert calls == Counter({"sessions.for_person": 1, "risk.history": 1})


def test_a_change_to_a_hidden_tabs_records_marks_it_stale_and_it_reads_again_when_shown(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_dariusz: Services, lukasz_case: int
) -> None:
    calls = spy_on_reads(monkeypatch, as_dariusz)
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)
    show_tab(ws, ws.chronology_tab)
    show_tab(ws, ws.overview_tab)
    assert calls == Counter({"sessions.for_person": 1, "chronology.for_person": 1})
    assert ws.sessions_tab.model.rowCount() == 0

    # A session booked elsewhere (the calendar, a colleague): the sessions tab and the
    # chronology are stale, but neither is read while hidden.
    as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(1), location="Youth hub"))
    assert ws.sessions_tab in ws.stale_tabs() and ws.chronology_tab in ws.stale_tabs()
    assert ws.risk_tab in ws.stale_tabs()  # never read yet: read when first shown
    assert ws.outcomes_tab in ws.stale_tabs()
    assert calls == Counter({"sessions.for_person": 1, "chronology.for_person": 1})
    assert ws.sessions_tab.model.rowCount() == 0

    show_tab(ws, ws.sessions_tab)
    assert calls["sessions.for_person"] == 2
    assert cells(ws.sessions_tab.table, 3) == ["Youth hub"]
    assert ws.sessions_tab not in ws.stale_tabs()

    # A case note is not a session: the sessions tab is not read again for it, the
    # chronology (hidden) is, when shown.
    show_tab(ws, ws.overview_tab)
    as_dariusz.notes.add(
        lukasz_case,
        NoteInput(occurred_at=past(1, hour=9), subject="Call with Aoife Ní Bhriain", body="Ok."),
    )
    assert ws.sessions_tab not in ws.stale_tabs()
    assert ws.chronology_tab in ws.stale_tabs()
    show_tab(ws, ws.sessions_tab)
    assert calls["sessions.for_person"] == 2
    show_tab(ws, ws.chronology_tab)
    assert calls["chronology.for_person"] == 2
    assert "Call with Aoife Ní Bhriain" in cells(ws.chronology_tab.table, 2)


def test_the_tab_on_show_reads_a_change_of_its_kind_at_once_and_ignores_others(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_dariusz: Services, lukasz_case: int
) -> None:
    calls = spy_on_reads(monkeypatch, as_dariusz)
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)
    as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(3), location="School"))
    assert calls["sessions.for_person"] == 2
    assert cells(ws.sessions_tab.table, 3) == ["School"]

    as_dariusz.notes.add(
        lukasz_case, NoteInput(occurred_at=past(1, hour=9), subject="Text from school", body=".")
    )
    assert calls["sessions.for_person"] == 2  # a note: the sessions on show stay as read


def test_a_case_behind_another_reads_nothing_until_it_is_shown_again(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_dariusz: Services, lukasz_case: int
) -> None:
    calls = spy_on_reads(monkeypatch, as_dariusz)
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    show_tab(ws, ws.sessions_tab)
    header: list[int] = []
    real_get = as_dariusz.people.get

    def get(person_id: int) -> Any:
        header.append(person_id)
        return real_get(person_id)

    monkeypatch.setattr(as_dariusz.people, "get", get)
    ws.hide()  # another open case in front of it
    as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(1), location="Gym"))
    as_dariusz.sessions.book(lukasz_case, SessionInput(planned_start=past(2), location="Park"))
    assert calls["sessions.for_person"] == 1
    assert cells(ws.sessions_tab.table, 3) == []

    assert header == []  # the header waits too

    ws.show()
    assert calls["sessions.for_person"] == 2  # once for both saves
    assert cells(ws.sessions_tab.table, 3) == ["Gym", "Park"]
    assert header == [lukasz_case]


def test_a_long_list_of_sessions_is_given_a_page_at_a_time(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_dariusz: Services, lukasz_case: int
) -> None:
    monkeypatch.setattr(mentoring, "PAGE_ROWS", 25)
    as_dariusz.sessions.book_series(
        lukasz_case, SeriesInput(first_start=past(7 * 70), count=60, location="Youth hub")
    )
    ws = CaseWorkspace(as_dariusz, lukasz_case)
    ws.resize(1100, 650)
    qtbot.addWidget(ws)
    ws.show()
    show_tab(ws, ws.sessions_tab)
    tab = ws.sessions_tab
    qtbot.wait(10)  # the view's own check for room to fill runs after a turn of the loop

    assert tab.model.rowCount() == 25
    assert tab.model.total_rows() == 60
    assert tab.more.isVisible()
    assert tab.more.label.text() == (
        "Showing the first 25 of 60 sessions: scroll to the end of the list for more."
    )
    click(qtbot, tab.more.button)
    assert tab.model.rowCount() == 50
    assert tab.more.button.text() == "Show 10 more"

    # Scrolling to the end of the list brings the rest.
    bar = tab.table.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: tab.model.rowCount() == 60)
    assert not tab.more.isVisible()
    assert len(set(cells(tab.table, 0))) == 60  # each session once, none twice


def test_selecting_a_session_beyond_the_page_pages_it_in() -> None:
    model = RecordTableModel([Column("Name", str)], page_rows=2)
    model.set_rows(["Zoë Çelik", "Oluwaseun Adeyemi", "Aoife Ní Bhriain", "Łukasz Wiśniewski"])
    assert model.rowCount() == 2 and model.canFetchMore(QModelIndex())
    assert model.row_at(2) is None  # not yet in the view
    model.show_through(3)
    assert model.rowCount() == 4 and not model.canFetchMore(QModelIndex())
    assert model.index(3, 0).data(Qt.ItemDataRole.DisplayRole) == "Łukasz Wiśniewski"


def test_the_paged_model_passes_qts_checks(qtmodeltester: Any) -> None:
    model = RecordTableModel([Column("Name", str), Column("Age", str)], page_rows=3)
    model.set_rows([f"Young person {n}" for n in range(8)])
    assert model.rowCount() == 3
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 8 and model.rows_not_shown() == 0
    model.set_rows([f"Young person {n}" for n in range(8)])
    qtmodeltester.check(model)  # the checker pages in as a view would
    assert model.rowCount() == 8


def test_a_short_list_shows_no_paging_bar(qtbot: QtBot) -> None:
    model = RecordTableModel([Column("Name", str)], page_rows=10)
    bar = ShowMore(model, "entries")
    qtbot.addWidget(bar)
    bar.show()
    model.set_rows(["Zoë Çelik"])
    assert not bar.isVisible()
    model.set_rows([f"entry {n}" for n in range(12)])
    assert bar.isVisible()
    assert bar.label.text() == (
        "Showing the first 10 of 12 entries: scroll to the end of the list for more."
    )


def test_only_the_overview_is_built_on_opening_and_each_other_tab_when_first_shown(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_dariusz: Services, lukasz_case: int
) -> None:
    from veru_desk.ui.case.tab import CaseTab

    calls = spy_on_reads(monkeypatch, as_dariusz)
    ws = workspace(qtbot, as_dariusz, lukasz_case)
    built = [i for i in range(ws.tabs.count()) if isinstance(ws.tabs.widget(i), CaseTab)]
    assert built == [0]
    labels = [ws.tabs.tabText(i) for i in range(ws.tabs.count())]
    assert labels[:5] == ["&Overview", "Re&ferral", "&Risk", "&Plan", "&Sessions"]

    # Shown by its mnemonic's index: built in its place, read, and the same widget after.
    ws.tabs.setCurrentIndex(labels.index("&Sessions"))
    sessions = ws.tabs.currentWidget()
    assert isinstance(sessions, CaseTab) and sessions is ws.sessions_tab
    assert calls == Counter({"sessions.for_person": 1})
    assert [ws.tabs.tabText(i) for i in range(ws.tabs.count())] == labels

    # Asked for by name while another is on show: built, not shown, not read.
    risk = ws.risk_tab
    assert ws.tabs.currentWidget() is sessions
    assert ws.tabs.widget(labels.index("&Risk")) is risk
    assert calls == Counter({"sessions.for_person": 1})
    show_tab(ws, ws.overview_tab)
    show_tab(ws, sessions)
    assert ws.sessions_tab is sessions
    assert calls == Counter({"sessions.for_person": 1})
