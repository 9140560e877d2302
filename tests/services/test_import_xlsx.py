"""Partners send Excel workbooks: the first sheet is read like the CSV template, row numbers are
Excel's, a bad row imports nothing, and the rejected rows go back as a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from veru_desk.db.engine import Database
from veru_desk.db.models import Referral, YoungPerson
from veru_desk.domain.enums import Gender
from veru_desk.services import Services
from veru_desk.services.imports import (
    ImportRejected,
    parse_referral_file,
    rejected_rows_file,
    what_happens,
)

HEADINGS = [
    "First name",
    "Last name",
    "Date of birth",
    "Gender",
    "NHS number",
    "Referral date",
    "Referring agency",
    "Reasons",
]
RECEIVED = dt.date.today() - dt.timedelta(days=10)


def workbook_bytes(*rows: list[object], gap_before_last: bool = False) -> bytes:
    """A workbook whose first sheet has the headings and ``rows``; a second sheet that must
    be ignored; optionally a blank row before the last row (Excel then leaves it out)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Referrals"
    sheet.append(HEADINGS)
    for index, values in enumerate(rows):
        if gap_before_last and index == len(rows) - 1:
            sheet.append([])
        sheet.append(values)
    other = book.create_sheet("Notes")
    other.append(["not", "a", "referral"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(db: Database) -> tuple[int, int]:
    with db.read() as session:
        people = session.scalar(select(func.count()).select_from(YoungPerson)) or 0
        referrals = session.scalar(select(func.count()).select_from(Referral)) or 0
    return people, referrals


def test_a_workbook_reads_date_cells_text_dates_and_number_cells(
    as_dariusz: Services, db: Database
) -> None:
    data = workbook_bytes(
        # A date cell, an NHS number typed as a number, a referral date as a date cell.
        ["Zoë", "Çelik", dt.date(2011, 4, 3), "F", 9434765919, RECEIVED, "Luton YJS", "knife"],
        # Dates typed as dd/mm/yyyy text.
        [
            "Oluwaseun",
            "Adeyemi",
            "14/03/2010",
            "boy",
            None,
            RECEIVED.strftime("%d/%m/%Y"),
            "Luton YJS",
            "gang; county lines",
        ],
    )
    preview = as_dariusz.imports.preview(data)
    assert preview.errors == []
    assert [r.line for r in preview.rows] == [2, 3]
    zoe, oluwaseun = preview.rows
    assert (zoe.person.first_name, zoe.person.last_name) == ("Zoë", "Çelik")
    assert zoe.person.date_of_birth == dt.date(2011, 4, 3)
    assert zoe.person.nhs_number == "9434765919"
    assert zoe.referral.received_on == RECEIVED
    assert oluwaseun.person.date_of_birth == dt.date(2010, 3, 14)
    assert oluwaseun.person.gender is Gender.MALE

    result = as_dariusz.imports.run(data, file_name="partner.xlsx")
    assert (result.new_people, result.new_referrals) == (2, 2)
    assert counts(db) == (2, 2)
    assert len(as_dariusz.people.search("Çelik")) == 1


def test_a_bad_row_in_a_workbook_is_listed_by_its_excel_row_and_nothing_is_imported(
    as_dariusz: Services, db: Database
) -> None:
    good = ["Aoife", "Ní Bhriain", dt.date(2011, 1, 5), "F", None, RECEIVED, "Luton YJS", "knife"]
    bad = ["Łukasz", "Wiśniewski", "31/02/2011", "M", None, RECEIVED, "Luton YJS", "knife"]
    # Excel row 1 headings, 2 good, 3 blank (left out of the file), 4 the bad row.
    data = workbook_bytes(good, bad, gap_before_last=True)
    before = counts(db)

    preview = as_dariusz.imports.preview(data)
    assert [(e.line, e.field) for e in preview.errors] == [(4, "date_of_birth")]
    assert [r.line for r in preview.rows] == [2]
    assert preview.total_rows == 2
    with pytest.raises(ImportRejected) as rejected:
        as_dariusz.imports.run(data)
    assert "row 4" in str(rejected.value)
    assert counts(db) == before


def test_the_rejected_rows_go_back_as_a_workbook_with_a_problem_column() -> None:
    good = ["Aoife", "Ní Bhriain", dt.date(2011, 1, 5), "F", None, RECEIVED, "Luton YJS", "knife"]
    bad = ["Łukasz", "Wiśniewski", "31/02/2011", "M", None, RECEIVED, "Luton YJS", "knives!"]
    preview = parse_referral_file(workbook_bytes(good, bad))
    assert [r.line for r in preview.rejected] == [3]

    book = load_workbook(io.BytesIO(rejected_rows_file(preview)), read_only=True)
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    assert rows[0] == ["Row", *HEADINGS, "Problem"]
    assert len(rows) == 2
    sent_back = rows[1]
    assert sent_back[0] == 3
    assert sent_back[1:4] == ["Łukasz", "Wiśniewski", "31/02/2011"]
    assert sent_back[6] == RECEIVED.strftime("%d/%m/%Y")
    problem = str(sent_back[-1])
    assert "date_of_birth:" in problem and "reasons:" in problem and "knives!" in problem


def test_the_rejected_rows_of_a_csv_file_can_go_back_as_csv() -> None:
    received = RECEIVED.strftime("%d/%m/%Y")
    data = (
        "first_name,last_name,date_of_birth,referral_date,referring_agency\r\n"
        f"Zoë,Çelik,03/04/2011,{received},Luton YJS\r\n"
        f"Oluwaseun,Adeyemi,,{received},Luton YJS\r\n"
    ).encode()
    preview = parse_referral_file(data)
    text = rejected_rows_file(preview, as_csv=True).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Row",
        "first_name",
        "last_name",
        "date_of_birth",
        "referral_date",
        "referring_agency",
        "Problem",
    ]
    assert rows[1][:3] == ["3", "Oluwaseun", "Adeyemi"]
    assert "Date of birth is required" in rows[1][-1]
    assert len(rows) == 2


def test_a_damaged_workbook_is_a_problem_on_row_one_not_a_crash() -> None:
    data = workbook_bytes(["Zoë"])[:600]
    preview = parse_referral_file(data)
    assert preview.rows == []
    assert [e.line for e in preview.errors] == [1]
    assert "Excel" in preview.errors[0].message


def test_a_known_person_with_an_open_case_gets_a_further_referral_on_that_case(
    as_dariusz: Services, as_manager: Services, allocated_case: int, db: Database
) -> None:
    person = as_manager.people.get(allocated_case)
    born = person.details.date_of_birth
    data = workbook_bytes(["Łukasz", "Wiśniewski", born, "M", None, RECEIVED, "Luton YJS", "gang"])
    preview = as_dariusz.imports.preview(data)
    (row,) = preview.rows
    assert row.existing_person_id == allocated_case and row.existing_case_open
    assert "joins its open case as a further referral" in what_happens(row, done=False)

    as_dariusz.imports.run(data)
    with db.read() as session:
        joined = session.execute(
            select(Referral.id, Referral.open_case_referral_id)
            .where(Referral.young_person_id == allocated_case)
            .order_by(Referral.id)
        ).all()
    (episode, _none), (_further, joins) = joined
    assert joins == episode  # the further referral joined the open case, no new episode
