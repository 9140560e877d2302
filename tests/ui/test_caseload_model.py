"""The caseload model: passes Qt's model checks, loads rows lazily, sorts and filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot
from shell_helpers import refer

from veru_desk.domain.enums import ReferralStatus
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter, CaseloadRow, CaseloadSort
from veru_desk.ui.pages import caseload_model
from veru_desk.ui.pages.caseload import CaseloadPage
from veru_desk.ui.pages.caseload_model import COLUMNS, CaseloadModel

NAMES = [
    ("Łukasz", "Wiśniewski"),
    ("Zoë", "Ó Súilleabháin"),
    ("Ştefan", "Popescu"),
    ("Nguyễn Văn", "An"),
    ("Abdirahman", "Warsame"),
    ("Siobhán", "Nic Giolla Phádraig"),
    ("Ayşe", "Yılmaz"),
]


@pytest.fixture
def seven_cases(as_manager: Services) -> list[int]:
    return [
        refer(as_manager, first, last, years=11 + i).person_id
        for i, (first, last) in enumerate(NAMES)
    ]


def test_caseload_model_passes_qt_model_checks(
    qtmodeltester: object, as_manager: Services, seven_cases: list[int]
) -> None:
    model = CaseloadModel(lambda: as_manager.caseload)
    model.set_filter(CaseloadFilter())
    assert model.rowCount() == 7
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    # ``index`` is the model's own (one Python call where Qt's made two): the same answers.
    assert model.index(6, len(COLUMNS) - 1).isValid()
    for row, column in ((7, 0), (-1, 0), (0, len(COLUMNS)), (0, -1)):
        assert not model.index(row, column).isValid()
    assert not model.index(0, 0, model.index(0, 0)).isValid()


def test_rows_are_fetched_a_page_at_a_time_only_when_shown(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_manager: Services, seven_cases: list[int]
) -> None:
    monkeypatch.setattr(caseload_model, "PAGE_SIZE", 3)
    model = CaseloadModel(lambda: as_manager.caseload)
    model.set_filter(CaseloadFilter())
    qtbot.waitUntil(lambda: model.rowCount() == 7)  # the other ids, read when idle
    # the first page's rows came with the query itself: showing them reads nothing more
    assert model.page_fetches == 0 and model.cached_row_count() == 3
    assert model.index(0, 1).data() == "An, Nguyễn Văn"
    model.index(1, 0).data()
    model.index(2, 4).data()
    assert model.page_fetches == 0
    model.index(3, 1).data()
    assert (model.page_fetches, model.cached_row_count()) == (1, 6)
    model.index(6, 1).data()
    assert (model.page_fetches, model.cached_row_count()) == (2, 7)


class HundredThousand:
    """A caseload service of 100,000 people that counts what the model asks for."""

    def __init__(self) -> None:
        self.rows_asked: list[int] = []

    def ids(self, flt: CaseloadFilter, sort: CaseloadSort, descending: bool) -> list[int]:
        return list(range(1, 100_001))

    def first_rows(
        self, flt: CaseloadFilter, sort: CaseloadSort, descending: bool, *, limit: int
    ) -> tuple[list[CaseloadRow], int]:
        return self.rows(range(1, limit + 1)), 100_000

    def rows(self, ids: Sequence[int]) -> list[CaseloadRow]:
        self.rows_asked.extend(ids)
        return [
            CaseloadRow(
                person_id=i,
                case_ref=f"VERU-2025-{i:05d}",
                first_name="Ayşe",
                last_name=f"Yılmaz {i}",
                preferred_name=None,
                date_of_birth=dt.date(2010, 1, 1),
                age=15,
                status=ReferralStatus.ACTIVE,
                risk_level=None,
                worker="Dariusz Wójcik",
                next_review_on=None,
                last_contact_on=None,
                disengaged=False,
            )
            for i in ids
        ]


def test_a_hundred_thousand_cases_load_only_the_rows_on_screen(qtbot: QtBot) -> None:
    service = HundredThousand()
    model = CaseloadModel(lambda: service)  # type: ignore[arg-type,return-value]
    model.requery()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    assert model.rowCount() == 100_000
    qtbot.waitUntil(lambda: bool(service.rows_asked))
    assert len(service.rows_asked) <= caseload_model.PAGE_SIZE
    view.scrollToBottom()
    qtbot.waitUntil(lambda: 100_000 in service.rows_asked)
    assert len(service.rows_asked) <= 2 * caseload_model.PAGE_SIZE


def test_sorting_by_age_descending_puts_the_oldest_first(
    as_manager: Services, seven_cases: list[int]
) -> None:
    model = CaseloadModel(lambda: as_manager.caseload)
    model.set_filter(CaseloadFilter())
    model.sort(COLUMNS.index(CaseloadSort.AGE), Qt.SortOrder.DescendingOrder)
    ages = [int(model.index(row, COLUMNS.index(CaseloadSort.AGE)).data()) for row in range(7)]
    assert ages == sorted(ages, reverse=True)
    assert ages[0] == 17


def test_header_click_sorts_and_text_filter_finds_accented_names_typed_plainly(
    qtbot: QtBot, as_manager: Services, seven_cases: list[int]
) -> None:
    page = CaseloadPage(as_manager)
    qtbot.addWidget(page)
    page.show()
    page.status_filter.setCurrentIndex(page.status_filter.findText("All cases"))
    page.refresh()
    assert page.model.rowCount() == 7
    assert page.total_label.text() == "7 cases"
    page.table.horizontalHeader().setSortIndicator(
        COLUMNS.index(CaseloadSort.CASE_REF), Qt.SortOrder.DescendingOrder
    )
    refs = [page.model.index(r, 0).data() for r in range(7)]
    assert refs == sorted(refs, reverse=True)

    qtbot.keyClicks(page.text_filter, "zoe o suil")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.index(0, 1).data() == "Ó Súilleabháin, Zoë"
    assert page.total_label.text() == "1 case"


def test_allocated_with_no_contact_yet_filter_shows_only_the_new_case(
    qtbot: QtBot, as_manager: Services, seven_cases: list[int], team: object
) -> None:
    view = as_manager.referrals.for_person(seven_cases[0])[0]
    as_manager.referrals.decide(view.id, ReferralStatus.ACCEPTED, "Meets criteria")
    as_manager.referrals.allocate(view.id, team.dariusz.user_id)  # type: ignore[attr-defined]
    page = CaseloadPage(as_manager)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    page.status_filter.setCurrentIndex(page.status_filter.findText("Allocated"))
    page.no_contact.setChecked(True)
    assert page.model.rowCount() == 1
    assert page.model.index(0, COLUMNS.index(CaseloadSort.WORKER)).data() == "Dariusz Wójcik"
    with qtbot.waitSignal(page.open_case) as opened:
        page.table.selectRow(0)
        page.open_selected()
    assert opened.args == [seven_cases[0]]


def test_overdue_filter_says_in_its_column_what_is_overdue(
    qtbot: QtBot, as_manager: Services, seven_cases: list[int], team: object
) -> None:
    from tests.dates import today
    from veru_desk.domain.enums import GoalDomain, RiskLevel
    from veru_desk.services.plans import GoalInput
    from veru_desk.services.risk import RiskInput

    late_plan, on_time = seven_cases[0], seven_cases[1]
    for person in (late_plan, on_time):
        view = as_manager.referrals.for_person(person)[0]
        as_manager.referrals.decide(view.id, ReferralStatus.ACCEPTED, "Meets criteria")
        as_manager.referrals.allocate(view.id, team.dariusz.user_id)  # type: ignore[attr-defined]
        as_manager.risk.record(person, RiskInput(assessed_on=today(), level=RiskLevel.LOW))
    plan = as_manager.plans.start_plan(
        late_plan,
        started_on=today() - dt.timedelta(days=90),
        review_on=today() - dt.timedelta(days=2),
    )
    as_manager.plans.add_goal(plan, GoalInput(GoalDomain.EET, "Back into college"))

    page = CaseloadPage(as_manager)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    page.status_filter.setCurrentIndex(page.status_filter.findText("Allocated"))
    assert page.model.rowCount() == 2
    page.overdue.setChecked(True)
    assert page.model.rowCount() == 1
    assert page.total_label.text() == "1 case"
    column = COLUMNS.index(CaseloadSort.OVERDUE)
    assert page.model.headerData(column, Qt.Orientation.Horizontal) == "Overdue"
    due = (today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    assert page.model.index(0, 1).data() == "Wiśniewski, Łukasz"
    assert page.model.index(0, column).data() == f"Plan review due {due}"
    review = page.model.index(0, COLUMNS.index(CaseloadSort.NEXT_REVIEW)).data()
    assert dt.datetime.strptime(review, "%d/%m/%Y").date() > today()
    assert page.overdue.accessibleName() == "Show only overdue cases"


def test_rows_seeded_at_start_up_get_their_overdue_column_filled_in(
    as_manager: Services, seven_cases: list[int]
) -> None:
    import dataclasses

    model = CaseloadModel(lambda: as_manager.caseload)
    flt = CaseloadFilter()
    ids = as_manager.caseload.ids(flt)
    # the start-up read has no overdue column: its rows come without it
    seeded = [dataclasses.replace(r, overdue=None) for r in as_manager.caseload.rows(ids)]
    model.seed(ids, seeded)
    column = COLUMNS.index(CaseloadSort.OVERDUE)
    assert model.index(0, column).data() == "…"
    model.fill_seeded()
    assert model.index(0, column).data() == ""  # read now: nothing is overdue
    assert model.index(0, 1).data() == "An, Nguyễn Văn"


def test_a_new_query_reads_the_first_page_and_the_other_ids_when_idle(
    qtbot: QtBot,
    qtmodeltester: object,
    monkeypatch: pytest.MonkeyPatch,
    as_manager: Services,
    seven_cases: list[int],
) -> None:
    monkeypatch.setattr(caseload_model, "PAGE_SIZE", 3)
    real = as_manager.caseload
    whole_lists: list[int] = []

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def ids(self, *args: object, **kw: object) -> list[int]:
            found = real.ids(*args, **kw)  # type: ignore[arg-type]
            whole_lists.append(len(found))
            return found

    model = CaseloadModel(lambda: Counting())  # type: ignore[arg-type,return-value]
    totals: list[int] = []
    model.total_changed.connect(totals.append)
    model.set_filter(CaseloadFilter())
    # the first page alone, not counted: its length is not the number of cases
    assert model.rowCount() == 3 and totals == [-1]
    assert model.index(0, 1).data() == "An, Nguyễn Văn"
    assert model.page_fetches == 0 and whole_lists == []
    # once idle, the others are read, follow the first page, and are counted
    with qtbot.waitSignal(model.rowsInserted):
        qtbot.waitUntil(lambda: whole_lists == [7])
    assert model.rowCount() == 7 and model.total() == 7 and totals == [-1, 7]
    names = [model.index(r, 1).data() for r in range(7)]
    assert names == sorted(names, key=lambda n: n.casefold().replace("ó", "o"))
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_the_rest_follow_the_first_page_in_the_order_of_the_whole_list(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_manager: Services, seven_cases: list[int]
) -> None:
    monkeypatch.setattr(caseload_model, "PAGE_SIZE", 3)
    model = CaseloadModel(lambda: as_manager.caseload)
    model.set_filter(CaseloadFilter())
    ids = as_manager.caseload.ids(CaseloadFilter())
    qtbot.waitUntil(lambda: model.rowCount() == 7)
    assert model.index(6, 1).data() == "Yılmaz, Ayşe"
    assert [model.person_id_at(r) for r in range(7)] == ids
    assert model.index(5, 0).data(caseload_model.PERSON_ID_ROLE) == ids[5]


def test_a_case_referred_between_the_first_page_and_the_rest_shows_the_list_afresh(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_manager: Services, seven_cases: list[int]
) -> None:
    monkeypatch.setattr(caseload_model, "PAGE_SIZE", 3)
    model = CaseloadModel(lambda: as_manager.caseload)
    model.set_filter(CaseloadFilter())
    assert model.rowCount() == 3
    # lands between the two reads, and among the first page's names
    refer(as_manager, "Chidinma", "Abara", years=15)
    with qtbot.waitSignal(model.modelReset):
        qtbot.waitUntil(lambda: model.rowCount() == 8)
    names = [model.index(r, 1).data() for r in range(8)]
    assert names[0] == "Abara, Chidinma" and "…" not in names


def test_a_case_referred_between_the_reads_after_the_first_page_follows_it(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_manager: Services, seven_cases: list[int]
) -> None:
    monkeypatch.setattr(caseload_model, "PAGE_SIZE", 3)
    model = CaseloadModel(lambda: as_manager.caseload)
    model.set_filter(CaseloadFilter())
    refer(as_manager, "Chidinma", "Okonkwo", years=15)  # after the first page's names
    with qtbot.waitSignal(model.rowsInserted):
        qtbot.waitUntil(lambda: model.rowCount() == 8)
    names = [model.index(r, 1).data() for r in range(8)]
    assert "Okonkwo, Chidinma" in names and "…" not in names


def test_sorting_before_the_rest_is_read_keeps_the_selected_case_selected(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_manager: Services, seven_cases: list[int]
) -> None:
    monkeypatch.setattr(caseload_model, "PAGE_SIZE", 3)
    model = CaseloadModel(lambda: as_manager.caseload)
    model.set_filter(CaseloadFilter())
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectRow(1)
    chosen = model.person_id_at(1)
    model.sort(COLUMNS.index(CaseloadSort.AGE), Qt.SortOrder.DescendingOrder)
    (selected,) = view.selectionModel().selectedRows()
    assert model.person_id_at(selected.row()) == chosen
    assert model.rowCount() == 7


def test_the_page_says_it_is_counting_until_the_whole_list_is_read(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, as_manager: Services, seven_cases: list[int]
) -> None:
    """A page's length is not the number of cases: the label never shows 3 for 7."""
    monkeypatch.setattr(caseload_model, "PAGE_SIZE", 3)
    page = CaseloadPage(as_manager)
    qtbot.addWidget(page)
    page.show()
    shown: list[str] = []
    page.model.total_changed.connect(lambda _total: shown.append(page.total_label.text()))
    page.status_filter.setCurrentIndex(page.status_filter.findText("All cases"))
    page.refresh()
    qtbot.waitUntil(lambda: page.total_label.text() == "7 cases")
    assert "Counting cases…" in shown
    assert not any(text.startswith("3 ") for text in shown)
