"""Search results say how many were found, not how many fit the list (issue #13, finding 10's
class: "200 people found" for a name 212 people share)."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot
from ui_drivers import shown

from veru_desk.services import Services
from veru_desk.ui.pages.people import RESULT_LIMIT, PeoplePage
from veru_desk.ui.widgets import search_box
from veru_desk.ui.widgets.search_box import SearchBox


def import_namesakes(services: Services, count: int) -> None:
    """``count`` young people called Kwame Mensah, told apart by their dates of birth."""
    received = (dt.date.today() - dt.timedelta(days=2)).strftime("%d/%m/%Y")
    rows = ["first_name,last_name,date_of_birth,referral_date,referring_agency,reasons"]
    for number in range(count):
        born = dt.date(2008, 6, 1) + dt.timedelta(days=number)
        rows.append(f"Kwame,Mensah,{born:%d/%m/%Y},{received},Luton Youth Service,knife")
    services.imports.run("\n".join(rows).encode())


def test_the_people_page_counts_every_match_beyond_its_list(
    qtbot: QtBot, as_manager: Services
) -> None:
    import_namesakes(as_manager, RESULT_LIMIT + 12)
    page = shown(qtbot, PeoplePage(as_manager))
    with qtbot.waitSignal(page.searched) as searched:
        page.query.setText("kwame mensah")
        page.search_now()
    assert searched.args == [212]
    assert page.model.rowCount() == RESULT_LIMIT
    assert page.result_label.text() == "212 people found (showing the first 200)."


def test_the_global_search_says_when_there_are_more_than_it_lists(
    qtbot: QtBot, as_manager: Services
) -> None:
    import_namesakes(as_manager, search_box.RESULT_LIMIT + 5)
    box = shown(qtbot, SearchBox(as_manager))
    with qtbot.waitSignal(box.searched):
        box.setText("mensah")
        box.search_now()
    texts = box.result_texts()
    assert len(box.results()) == search_box.RESULT_LIMIT
    assert texts[-1] == "Showing 25 of 30 found: type more of the name to narrow it."
