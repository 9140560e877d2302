"""Importing partner spreadsheets: every bad value found, all or nothing, known people matched."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.dates import today
from tests.statements import statements
from veru_desk.db.engine import Database
from veru_desk.db.models import AuditEvent, Referral, YoungPerson
from veru_desk.domain.enums import (
    AgencyType,
    AuditAction,
    ConsentStatus,
    Ethnicity,
    Gender,
    ReferralReason,
)
from veru_desk.domain.errors import PermissionDenied
from veru_desk.resources import resource_path
from veru_desk.services import Services
from veru_desk.services.imports import (
    COLUMNS,
    ImportCancelled,
    ImportPreview,
    ImportRejected,
    match_existing,
    parse_referral_file,
)
from veru_desk.services.people import PersonDetails, match_person_ids
from veru_desk.services.referrals import ReferralDetails

TEMPLATE = resource_path("referrals-template.csv")
RECEIVED = (today() - dt.timedelta(days=10)).strftime("%d/%m/%Y")
EARLIER = (today() - dt.timedelta(days=40)).strftime("%d/%m/%Y")


def row(**values: str) -> dict[str, str]:
    base = {
        "first_name": "Abdirahman",
        "last_name": "Warsame",
        "date_of_birth": "14/03/2011",
        "gender": "M",
        "ethnicity": "Black African",
        "postcode": "LU4 9AB",
        "referral_date": RECEIVED,
        "referring_agency": "Luton Youth Justice Service",
        "reasons": "knife; gang",
        "consent_young_person": "yes",
        "consent_parent": "yes",
    }
    base.update(values)
    return base


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    encoding: str = "utf-8",
    newline: str = "\n",
    headers: list[str] | None = None,
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(headers or list(COLUMNS))
    for values in rows:
        writer.writerow([values.get(name, "") for name in COLUMNS])
    return out.getvalue().encode(encoding)


def people_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(YoungPerson)) or 0


def referral_count(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Referral)) or 0


def forty_referrals() -> list[dict[str, str]]:
    """Scenario 6: a youth justice service's spreadsheet of 40 referrals."""
    firsts = ["Łukasz", "Zoë", "Ştefan", "Ayşe", "Siobhán", "Abdirahman", "Nguyễn Văn", "Kacper"]
    lasts = ["Wiśniewski", "Ó Súilleabháin", "Popescu", "Yılmaz", "Byrne", "Farah", "An", "Nowak"]
    return [
        row(
            first_name=firsts[i % 8],
            last_name=f"{lasts[i % 8]}",
            date_of_birth=f"{(i % 27) + 1:02d}/{(i % 12) + 1:02d}/{2008 + i % 6}",
            nhs_number="",
        )
        for i in range(40)
    ]


# --- reading the file ------------------------------------------------------------------------


def test_the_shipped_template_imports_cleanly(as_dariusz: Services) -> None:
    data = TEMPLATE.read_bytes()
    preview = as_dariusz.imports.preview(data)
    assert preview.errors == []
    assert [r.person.first_name for r in preview.rows] == ["Abdirahman", "Zoë"]
    result = as_dariusz.imports.run(data, file_name=TEMPLATE.name)
    assert (result.new_people, result.new_referrals, result.existing_people) == (2, 2, 0)
    hits = as_dariusz.people.search("zoe o suil")
    assert [h.last_name for h in hits] == ["Ó Súilleabháin"]


def test_values_are_read_the_way_spreadsheets_spell_them() -> None:
    preview = parse_referral_file(
        csv_bytes(
            [
                row(
                    gender="F",
                    ethnicity="APKN",
                    reasons="County lines;CSE; victim of violence",
                    consent_young_person="Y",
                    consent_parent="n",
                    nhs_number="943 476 5919",
                    postcode="lu15ab",
                )
            ]
        )
    )
    assert preview.errors == []
    person, referral = preview.rows[0].person, preview.rows[0].referral
    assert person.gender is Gender.FEMALE
    assert person.ethnicity is Ethnicity.ASIAN_PAKISTANI
    assert person.nhs_number == "9434765919"
    assert person.postcode == "LU1 5AB"
    assert referral.reasons == {
        ReferralReason.COUNTY_LINES,
        ReferralReason.SEXUAL_EXPLOITATION,
        ReferralReason.VICTIM_OF_VIOLENCE,
    }
    assert referral.consent_young_person is ConsentStatus.GIVEN
    assert referral.consent_parent is ConsentStatus.REFUSED
    assert referral.referring_agency_type is AgencyType.YOUTH_JUSTICE


def test_headers_match_whatever_the_case_spaces_hyphens_or_bom() -> None:
    headers = [
        " First Name",
        "LAST-NAME",
        "preferred name",
        "Date_of_Birth",
        *[name.replace("_", " ").title() for name in COLUMNS[4:]],
    ]
    data = b"\xef\xbb\xbf" + csv_bytes([row(first_name="Zoë")], headers=headers)
    preview = parse_referral_file(data)
    assert preview.errors == []
    assert preview.rows[0].person.first_name == "Zoë"


def test_windows_1252_file_with_crlf_keeps_accents() -> None:
    data = csv_bytes(
        [row(first_name="José", last_name="Muñoz"), row(first_name="Renée", last_name="Ó Dálaigh")],
        encoding="cp1252",
        newline="\r\n",
    )
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    preview = parse_referral_file(data)
    assert preview.errors == []
    assert [(r.person.first_name, r.person.last_name) for r in preview.rows] == [
        ("José", "Muñoz"),
        ("Renée", "Ó Dálaigh"),
    ]
    assert [r.line for r in preview.rows] == [2, 3]


def test_every_bad_value_in_a_row_is_reported_with_its_line() -> None:
    data = csv_bytes(
        [
            row(),
            row(date_of_birth="31/02/2011", nhs_number="943 476 5918", gender="Q", reasons="x"),
            row(first_name="", referring_agency="", referral_date=""),
            row(postcode="not a postcode", phone="0770"),
        ]
    )
    preview = parse_referral_file(data)
    found = {(e.line, e.field) for e in preview.errors}
    assert found == {
        (3, "date_of_birth"),
        (3, "nhs_number"),
        (3, "gender"),
        (3, "reasons"),
        (4, "first_name"),
        (4, "referral_date"),
        (4, "referring_agency"),
        (5, "postcode"),
        (5, "phone"),
    }
    messages = {(e.line, e.field): e.message for e in preview.errors}
    assert "February 2011 has 28 days" in messages[(3, "date_of_birth")]
    assert "check digit" in messages[(3, "nhs_number")]
    assert [r.line for r in preview.rows] == [2]
    assert preview.total_rows == 4


def test_a_quoted_field_with_line_breaks_is_one_spreadsheet_row() -> None:
    data = csv_bytes(
        [
            row(address="Flat 2\r\n14 Biscot Road\r\nLuton", narrative="Line one\nline two"),
            row(date_of_birth="not a date"),
        ],
        newline="\r\n",
    )
    preview = parse_referral_file(data)
    assert [(e.line, e.field) for e in preview.errors] == [(3, "date_of_birth")]
    assert preview.rows[0].person.address == "Flat 2\n14 Biscot Road\nLuton"


def test_blank_rows_count_as_rows_but_are_not_imported() -> None:
    data = (
        csv_bytes([row()])
        + b",,,,\n\n"
        + csv_bytes([row(gender="?")])[len(",".join(COLUMNS)) + 1 :]
    )
    preview = parse_referral_file(data)
    assert [e.line for e in preview.errors] == [5]
    assert preview.total_rows == 2


def test_missing_required_column_is_reported_on_the_header_line() -> None:
    preview = parse_referral_file(b"first_name,last_name\nZo\xc3\xab,Kowalczyk\n")
    assert {e.field for e in preview.errors} == {
        "date_of_birth",
        "referral_date",
        "referring_agency",
    }
    assert {e.line for e in preview.errors} == {1}
    assert preview.rows == []


def test_under_sixteen_needs_parental_consent_not_marked_not_required() -> None:
    preview = parse_referral_file(csv_bytes([row(consent_parent="not required")]))
    assert [(e.line, e.field) for e in preview.errors] == [(2, "consent_parent")]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_any_bytes_give_a_preview_never_an_exception(data: bytes) -> None:
    preview = parse_referral_file(data)
    assert isinstance(preview, ImportPreview)
    assert all(e.line >= 1 for e in preview.errors)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.lists(st.text(max_size=20), min_size=0, max_size=len(COLUMNS) + 2),
        max_size=6,
    )
)
def test_any_csv_cells_give_a_preview_never_an_exception(cells: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(cells)
    preview = parse_referral_file(out.getvalue().encode("utf-8", "surrogatepass"))
    assert len({r.line for r in preview.rows} & {e.line for e in preview.errors}) == 0


# --- importing ---------------------------------------------------------------------------------


def test_scenario_6_two_bad_rows_import_nothing_until_fixed(
    as_dariusz: Services, db: Database
) -> None:
    known = as_dariusz.referrals.create(
        ReferralDetails(
            received_on=today() - dt.timedelta(days=400),
            referring_agency="Bedfordshire Police",
            reasons=frozenset({ReferralReason.KNIFE_CARRYING}),
            consent_parent=ConsentStatus.GIVEN,
        ),
        person=PersonDetails(
            first_name="Ayşe",
            last_name="Yılmaz",
            date_of_birth=dt.date(2011, 7, 9),
            nhs_number="943 476 5919",
        ),
    )
    rows = forty_referrals()
    rows[6] = row(first_name="Kacper", last_name="Nowak", date_of_birth="31/02/2011")
    rows[20] = row(first_name="Nguyễn Văn", last_name="An", nhs_number="943 476 5918")
    rows[33] = row(first_name="Ayse", last_name="Yilmaz", date_of_birth="09/07/2011")
    data = csv_bytes(rows, encoding="utf-8", newline="\r\n")
    people_before, referrals_before = people_count(db), referral_count(db)

    preview = as_dariusz.imports.preview(data)
    assert [(e.line, e.field) for e in preview.errors] == [
        (8, "date_of_birth"),
        (22, "nhs_number"),
    ]
    with pytest.raises(ImportRejected) as rejected:
        as_dariusz.imports.run(data)
    assert "rows 8, 22" in str(rejected.value)
    assert (people_count(db), referral_count(db)) == (people_before, referrals_before)

    rows[6] = row(first_name="Kacper", last_name="Nowak", date_of_birth="28/02/2011")
    rows[20] = row(first_name="Nguyễn Văn", last_name="An", nhs_number="")
    fixed = csv_bytes(rows, newline="\r\n")
    preview = as_dariusz.imports.preview(fixed)
    matched = [r for r in preview.rows if r.existing_person_id is not None]
    assert [(r.line, r.existing_case_ref) for r in matched] == [(35, known.case_ref)]
    result = as_dariusz.imports.run(fixed, file_name="yjs-referrals.csv")
    assert result.existing_people == 1
    assert result.new_referrals == 40
    assert people_count(db) == people_before + result.new_people
    episodes = as_dariusz.referrals.for_person(known.person_id)
    assert len(episodes) == 2
    assert episodes[0].agency == "Luton Youth Justice Service"


def test_import_audits_each_referral_and_the_file(as_dariusz: Services, db: Database) -> None:
    as_dariusz.imports.run(csv_bytes([row(), row(first_name="Zoë")]), file_name="two.csv")
    with db.read() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.summary)
        ).all()
    per_referral = [e for e in events if e.action is AuditAction.CREATE]
    per_file = [e for e in events if e.action is AuditAction.IMPORT]
    assert len(per_referral) == 2
    assert all("two.csv" in e.summary for e in per_referral)
    assert len(per_file) == 1
    assert "Imported 2 referrals from file two.csv" in per_file[0].summary


def test_skip_invalid_imports_the_good_rows_and_lists_the_rest(
    as_dariusz: Services, db: Database
) -> None:
    data = csv_bytes(
        [row(), row(first_name="Zoë", date_of_birth="32/01/2010"), row(last_name="Farah")]
    )
    result = as_dariusz.imports.run(data, skip_invalid=True)
    assert result.new_referrals == 2
    assert [(e.line, e.field) for e in result.skipped] == [(3, "date_of_birth")]
    assert people_count(db) == 2


def test_rows_of_one_file_about_the_same_person_become_one_record(
    as_dariusz: Services, db: Database
) -> None:
    data = csv_bytes(
        [
            row(nhs_number="943 476 5919"),
            row(first_name="Abdi", nhs_number="9434765919", referring_agency="Luton Sixth Form"),
            row(first_name="ABDIRAHMAN", last_name="warsame", referral_date=EARLIER),
        ]
    )
    preview = as_dariusz.imports.preview(data)
    assert [r.same_person_as_line for r in preview.rows] == [None, 2, 2]
    result = as_dariusz.imports.run(data)
    assert (result.new_people, result.new_referrals) == (1, 3)
    assert (people_count(db), referral_count(db)) == (1, 3)


def test_cancelling_part_way_rolls_everything_back(as_dariusz: Services, db: Database) -> None:
    data = csv_bytes(
        [row(first_name=f"Łukasz{'a' * (i % 30)}", last_name=f"W{i}") for i in range(1200)]
    )
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 1000

    with pytest.raises(ImportCancelled):
        as_dariusz.imports.run(data, progress=progress)
    assert calls[0] == (500, 1200)
    assert (people_count(db), referral_count(db)) == (0, 0)


def test_an_administrator_without_a_case_role_cannot_import(db: Database, team: object) -> None:
    admin = Services(db, team.admin)  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        admin.imports.run(csv_bytes([row()]))
    assert people_count(db) == 0


def test_bulk_matching_agrees_with_the_intake_duplicate_check(
    as_dariusz: Services, db: Database
) -> None:
    as_dariusz.imports.run(
        csv_bytes([row(), row(first_name="Siobhán", last_name="Nic Giolla Phádraig")])
    )
    preview = parse_referral_file(
        csv_bytes(
            [
                row(first_name="ABDIRAHMAN"),
                row(first_name="Siobhan", last_name="Nic Giolla Phadraig"),
                row(first_name="Łukasz", last_name="Wiśniewski"),
            ]
        )
    )
    with db.read() as session:
        bulk = match_existing(session, preview.rows)
        single = {
            r.line: match_person_ids(
                session,
                r.person.first_name,
                r.person.last_name,
                r.person.date_of_birth,
                r.person.nhs_number,
            )
            for r in preview.rows
        }
    assert {line: known.person_id for line, known in bulk.items()} == {
        line: ids[0] for line, ids in single.items() if ids
    }
    assert set(bulk) == {2, 3}


@pytest.mark.slow
def test_ten_thousand_rows_import_without_a_read_per_row(
    as_dariusz: Services, db: Database
) -> None:
    """The 15-second budget is the bench's (``import_10k``); here, that the work does not read
    once per row, which is what would make a large spreadsheet slow on any machine."""
    rows = [
        row(
            first_name=("Łukasz", "Zoë", "Ştefan", "Abdirahman")[i % 4],
            last_name=f"Wiśniewski-{i}",
            referring_agency=f"Partner {i % 25}",
        )
        for i in range(10_000)
    ]
    with statements(db.engine) as sent:
        result = as_dariusz.imports.run(csv_bytes(rows))
    assert result.new_referrals == 10_000
    # Reads are batched (a few hundred in all, measured: 399 on PostgreSQL); one per row
    # would be over 10,000.
    reads = [s for s in sent if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) < 1_000, f"{len(reads)} reads for 10,000 rows"
    # People and referrals go in a statement per batch of 500 rows, not one per row, which
    # SQLAlchemy sends SQLite when asked for ids in parameter order (its RETURNING has no
    # order); the audit trail's rows still go one by one there (an ORM flush).
    inserts = Counter(s.split()[2] for s in sent if s.lstrip().upper().startswith("INSERT INTO"))
    assert inserts["young_person"] <= 20, inserts
    assert inserts["referral"] <= 20, inserts
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 10_000
        assert (
            session.scalar(
                select(func.count()).select_from(YoungPerson).where(YoungPerson.first_name == "Zoë")
            )
            == 2_500
        )


# --- text read faithfully (issue #13, finding 7) ------------------------------------------------


def test_a_stray_byte_in_a_utf8_file_is_refused_with_its_line_and_column(
    as_dariusz: Services, db: Database
) -> None:
    good = csv_bytes([row(first_name="Zoë", last_name="Ó Briain"), row(last_name="Farah")])
    data = good.replace(b"Farah", b"Far\xffah")
    preview = as_dariusz.imports.preview(data)
    assert [(e.line, e.field) for e in preview.errors] == [(3, "file")]
    assert "line 3, column 15, in the last_name column" in preview.errors[0].message
    assert "0xFF" in preview.errors[0].message
    with pytest.raises(ImportRejected):
        as_dariusz.imports.run(data)
    with pytest.raises(ImportRejected):
        as_dariusz.imports.run(data, skip_invalid=True)
    assert (people_count(db), referral_count(db)) == (0, 0)


def test_a_wholly_windows_1252_file_imports_zoe_as_typed(
    as_dariusz: Services, db: Database
) -> None:
    data = csv_bytes([row(first_name="Zoë", last_name="Ó Briain")], encoding="cp1252")
    as_dariusz.imports.run(data)
    with db.read() as session:
        assert session.execute(select(YoungPerson.first_name, YoungPerson.last_name)).one() == (
            "Zoë",
            "Ó Briain",
        )


def test_a_utf16_file_is_refused_with_what_to_do_not_read_as_windows_1252() -> None:
    data = csv_bytes([row(first_name="Zoë")], encoding="utf-16")
    preview = parse_referral_file(data)
    assert preview.rows == []
    assert [(e.line, e.field) for e in preview.errors] == [(1, "file")]
    assert "UTF-16" in preview.errors[0].message


def test_a_utf8_file_with_a_byte_order_mark_imports() -> None:
    data = b"\xef\xbb\xbf" + csv_bytes([row(first_name="Zoë")])
    preview = parse_referral_file(data)
    assert preview.errors == []
    assert preview.rows[0].person.first_name == "Zoë"


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("first_name", "Zoë\u202e"),
        ("last_name", "Nic Giolla\x00"),
        ("preferred_name", "Siobh\u2066án"),
        ("last_name", "Okonkwo\nAdeyemi"),
        ("referring_agency", "Luton\x00 Police"),
        ("referrer_name", "PC Dariusz\u202eWójcik"),
        ("school", "Stopsley\x07 High"),
        ("postcode", "LU2\x00 7AB"),
    ],
)
def test_control_and_bidi_characters_in_names_are_refused_naming_the_column(
    as_dariusz: Services, db: Database, column: str, value: str
) -> None:
    data = csv_bytes([row(), row(**{"first_name": "Ngozi", column: value})])
    preview = as_dariusz.imports.preview(data)
    assert [(e.line, e.field) for e in preview.errors] == [(3, column)]
    assert "contains" in preview.errors[0].message
    with pytest.raises(ImportRejected):
        as_dariusz.imports.run(data)
    assert referral_count(db) == 0


def test_nul_and_controls_are_stripped_from_the_narrative_keeping_line_breaks(
    as_dariusz: Services, db: Database
) -> None:
    narrative = "Seen with older males\x00 near the station.\nKnife found\u202e in bag.\tPC"
    as_dariusz.imports.run(csv_bytes([row(narrative=narrative, address="1 High St\x00\nLuton")]))
    with db.read() as session:
        stored = session.scalar(select(Referral.narrative))
        address = session.scalar(select(YoungPerson.address))
    assert stored == "Seen with older males near the station.\nKnife found in bag. PC"
    assert address == "1 High St\nLuton"


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    as_dariusz: Services, db: Database, audit_trail: object
) -> None:
    data = csv_bytes(
        [
            row(first_name="Zoë", last_name="Ó Briain"),
            row(first_name="Dariusz", last_name="Wójcik", date_of_birth="02/05/2010"),
        ]
    )
    first = as_dariusz.imports.run(data)
    assert first.new_referrals == 2
    counts = (people_count(db), referral_count(db))

    preview = as_dariusz.imports.preview(data)
    assert preview.errors == []
    assert [(r.line, r.already_imported) for r in preview.rows] == [(2, True), (3, True)]
    second = as_dariusz.imports.run(data)
    assert (second.new_people, second.new_referrals) == (0, 0)
    assert second.already_imported == [2, 3]
    assert (people_count(db), referral_count(db)) == counts

    # A genuinely new referral for the same person (another agency) is still added.
    again = csv_bytes([row(first_name="Zoe", last_name="O Briain", referring_agency="Luton PRU")])
    assert as_dariusz.imports.run(again).new_referrals == 1


def test_a_referral_repeated_within_one_file_is_added_once(
    as_dariusz: Services, db: Database
) -> None:
    data = csv_bytes([row(), row(referring_agency=" luton youth  justice service "), row()])
    preview = parse_referral_file(data)
    assert [r.same_referral_as_line for r in preview.rows] == [None, 2, 2]
    result = as_dariusz.imports.run(data)
    assert (result.new_referrals, result.already_imported) == (1, [3, 4])
    assert referral_count(db) == 1


def test_a_value_longer_than_its_column_is_a_bad_row_not_a_database_error(
    as_dariusz: Services, db: Database
) -> None:
    """PostgreSQL refuses a value longer than its column (SQLite keeps it): the row is refused
    with its line and column on every engine, and nothing is imported."""
    data = csv_bytes(
        [
            row(),
            row(first_name="Tomasz", referrer_name="Łukasiewicz " * 20),
            row(first_name="Dariusz", school="Academy " * 30),
        ]
    )
    preview = as_dariusz.imports.preview(data)
    assert [(e.line, e.field) for e in preview.errors] == [(3, "referrer_name"), (4, "school")]
    assert "too long" in preview.errors[0].message
    with pytest.raises(ImportRejected):
        as_dariusz.imports.run(data)
    assert referral_count(db) == 0


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80),
    st.integers(min_value=0),
)
def test_utf8_text_reads_back_exactly_and_one_stray_byte_is_never_read_as_windows_1252(
    text: str, where: int
) -> None:
    from veru_desk.services.imports import UnreadableText, decode_csv_bytes

    data = text.encode("utf-8")
    assert decode_csv_bytes(data) == text
    at = where % (len(data) + 1)
    damaged = data[:at] + b"\xff" + data[at:]
    # One stray byte can split at most one character; any other accented character is proof
    # that the file is UTF-8. (With none left, the bytes are as good Windows-1252 as any.)
    if sum(ord(ch) > 0x7F for ch in text) >= 2:
        with pytest.raises(UnreadableText) as raised:
            decode_csv_bytes(damaged)
        assert "is not UTF-8, but the rest of the file is" in raised.value.errors[0].message
    elif all(ord(ch) <= 0x7F for ch in text):
        assert decode_csv_bytes(damaged) == damaged.decode("cp1252")


def test_an_import_links_every_row_into_the_audit_chain_in_order(
    as_dariusz: Services, db: Database
) -> None:
    """An import audits its rows in batches (one flush per batch, not per row): each row is
    still linked to the one before, ids follow the chain, and the trail verifies after it."""
    from veru_desk.db.audit_chain import verify_chain

    rows = [
        row(first_name=("Ngozi", "Tomasz", "Siobhán")[i % 3], last_name=f"Okonkwo-{i}")
        for i in range(1_203)  # more than one import batch
    ]
    result = as_dariusz.imports.run(csv_bytes(rows))
    assert result.new_referrals == 1_203
    with db.read() as session:
        ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        imported = session.scalar(
            select(func.count()).where(AuditEvent.summary.like("%imported from%"))
        )
    assert imported == 1_203
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    with db.engine.connect() as connection:
        report = verify_chain(connection)
    assert report.ok, report.problem
    assert report.rows == len(ids)
