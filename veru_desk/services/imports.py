"""Referrals from partner spreadsheets: read, check every row, then import all or nothing.

Partners send whatever Excel saved: UTF-8 with or without a byte-order mark, or Windows-1252
from an older Excel on Windows, with CRLF line ends and headers typed by hand. A half-imported
file is worse than none (which rows got in? which are duplicates now?), so the whole file is
one transaction, and a file with any bad row imports nothing unless the person explicitly asks
to skip the bad rows. Every bad value is reported with the row number the partner sees in
their spreadsheet, so they can fix the lot in one pass.

The command line and the desktop import wizard both call ``ImportService``; neither parses.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from veru_desk.db.models import Agency, AuditEvent, Referral, User, YoungPerson
from veru_desk.domain.case_reference import reference_sort_key
from veru_desk.domain.dates import format_uk_date, parse_uk_date
from veru_desk.domain.enums import (
    AuditAction,
    ConsentStatus,
    Ethnicity,
    Gender,
    Role,
)
from veru_desk.domain.errors import ValidationError, VeruError
from veru_desk.domain.import_rules import (
    guess_agency_type,
    normalise_header,
    parse_consent,
    parse_ethnicity,
    parse_gender,
    parse_reasons,
)
from veru_desk.domain.safeguarding import FlagKind, parse_flag_kinds
from veru_desk.domain.text import check_names, clean_free_text
from veru_desk.services import audit, case_state
from veru_desk.services.access import own_cases, require_role
from veru_desk.services.base import Service
from veru_desk.services.people import (
    PersonDetails,
    add_people,
    hidden_by_server,
    record_lookup,
    server_records,
    sort_name_of,
)
from veru_desk.services.referrals import ReferralDetails, add_referrals
from veru_desk.services.safeguarding import add_flags_at_intake

COLUMNS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "postcode",
    "address",
    "phone",
    "nhs_number",
    "school",
    "referral_date",
    "referring_agency",
    "referrer_name",
    "referrer_contact",
    "reasons",
    "narrative",
    "consent_young_person",
    "consent_parent",
    # optional: the safeguarding flags the young person comes with ("CCE; looked after"),
    # each recorded from the referral date (``domain.safeguarding.parse_flag_kinds``)
    "safeguarding_flags",
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "first_name",
    "last_name",
    "date_of_birth",
    "referral_date",
    "referring_agency",
)
IMPORT_SOURCE = "import"
T = TypeVar("T")

# Where a field name used by PersonDetails / ReferralDetails differs from the column the
# partner filled in, errors are reported against the column they can see.
_COLUMN_OF_FIELD: Mapping[str, str] = {
    "received_on": "referral_date",
    "education_setting": "school",
}

# Lookups are chunked so a 10,000-row file never builds a query with more bound parameters
# than SQLite allows.
_CHUNK = 500

# Rows written between progress reports (and chances to cancel).
_PROGRESS_STEP = 500

_FLATTENED_NAME_COLUMNS: Mapping[str, str] = {
    "school": "School",
    "referring_agency": "Referring agency",
    "referrer_name": "Referrer's name",
    "referrer_contact": "Referrer's contact details",
}


@dataclass(frozen=True)
class RowError:
    """One bad value: ``line`` is the spreadsheet row (the header is row 1)."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class ImportRow:
    """A row that passed every check, ready to import."""

    line: int
    person: PersonDetails
    referral: ReferralDetails
    existing_person_id: int | None = None
    existing_case_ref: str | None = None
    # Who the record is allocated to: for someone else's case this, with the reference, is
    # all a caseworker's preview tells of it ("on record, allocated to ...").
    existing_worker: str | None = None
    existing_on_record_only: bool = False
    # The record's case is open (received, in screening, accepted, allocated or active): the
    # row joins it as a further referral for the manager to decide in triage; otherwise the
    # row starts a new episode on the record (``services.referrals.add_referrals``).
    existing_case_open: bool = False
    same_person_as_line: int | None = None  # an earlier row of this file is the same person
    # Already on record, so never added again: the same person's referral from the same
    # agency on the same date, imported before (or typed in), or an earlier row of this file.
    already_imported: bool = False
    same_referral_as_line: int | None = None
    flags: frozenset[FlagKind] = frozenset()  # the safeguarding flags listed on the row

    @property
    def is_repeat(self) -> bool:
        """True when importing this row would add a referral that is already there."""
        return self.already_imported or self.same_referral_as_line is not None


@dataclass(frozen=True)
class RejectedRow:
    """A row with problems as the partner typed it, to send back with what to fix."""

    line: int
    cells: list[str]
    problem: str


@dataclass(frozen=True)
class ImportPreview:
    rows: list[ImportRow]
    errors: list[RowError]
    total_rows: int
    ignored_columns: list[str] = field(default_factory=list)
    # The file's own headings and its bad rows as typed (``rejected_rows_file``).
    header: list[str] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    @property
    def repeats(self) -> list[ImportRow]:
        """Rows that would add nothing: already imported, or repeated in this file."""
        return [r for r in self.rows if r.is_repeat]

    @property
    def new_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.is_repeat]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ImportResult:
    new_people: int
    new_referrals: int
    existing_people: int
    skipped: list[RowError]
    already_imported: list[int] = field(default_factory=list)  # lines not added again


class ImportRejected(ValidationError):
    """The file has bad rows and the caller did not ask to skip them: nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = sorted({e.line for e in errors})
        super().__init__(
            {"file": _rejection_message(lines)},
            _rejection_message(lines),
        )


class ImportCancelled(VeruError):
    """The person cancelled the import part-way: everything was rolled back."""


# --- reading the file -----------------------------------------------------------------------


# A well-formed multi-byte UTF-8 character (RFC 3629: no overlongs, no surrogates).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_UTF8_BOM = b"\xef\xbb\xbf"
# Enough bad bytes listed to find the pattern without flooding the wizard or a terminal.
_MAX_BAD_BYTES = 20


class UnreadableText(ValidationError):
    """The file's bytes cannot be read faithfully: ``errors`` says where, by row and column."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__({"file": errors[0].message}, errors[0].message)


def decode_csv_bytes(data: bytes) -> str:
    """The file's text, read faithfully or not at all.

    UTF-8 (with or without a byte-order mark) is read as UTF-8. A file that is not valid
    UTF-8 is read as Windows-1252 (an older Excel's "CSV (comma delimited)") only when it
    holds no well-formed multi-byte UTF-8 character at all: a file with "Zoë" correctly
    encoded and one stray byte elsewhere is a UTF-8 file with a damaged byte, and reading it
    as Windows-1252 would store every accented name wrongly ("ZoÃ«") and defeat duplicate
    matching. Such a file is refused with the row, line and column of each bad byte.

    Raises:
        UnreadableText: a bad byte in a UTF-8 file, or a byte Windows-1252 does not define.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        message = (
            "The file is UTF-16 text (Excel's Unicode Text), not a CSV file: in Excel use "
            "Save As, CSV UTF-8 (comma delimited)."
        )
        raise UnreadableText([RowError(1, "file", message)])
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if body is data and _UTF8_MULTIBYTE.search(body) is None:
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableText(_bad_bytes(body, "cp1252")) from None
    raise UnreadableText(_bad_bytes(body, "utf-8")) from None


def _bad_bytes(data: bytes, encoding: str) -> list[RowError]:
    """Where ``data`` stops being ``encoding``: one error per bad byte, by spreadsheet row."""
    errors: list[RowError] = []
    start = 0
    while len(errors) < _MAX_BAD_BYTES:
        try:
            data[start:].decode(encoding)
            break
        except UnicodeDecodeError as error:
            at = start + error.start
        errors.append(_bad_byte(data, at, encoding))
        start = at + 1
    return errors


def _bad_byte(data: bytes, at: int, encoding: str) -> RowError:
    line_start = data.rfind(b"\n", 0, at) + 1
    line = data.count(b"\n", 0, at) + 1
    before = data[line_start:at].decode(encoding, errors="replace")
    column = len(before) + 1
    prefix = data[:at].decode(encoding, errors="replace")
    heading = ""
    try:
        records = list(csv.reader(io.StringIO(prefix + "x", newline=""), strict=False))
        row = len(records)
        if row > 1 and len(records[-1]) <= len(records[0]):
            heading = f", in the {records[0][len(records[-1]) - 1].strip()} column"
    except csv.Error:
        row = line
    where = f"line {line}, column {column}" + (f" (spreadsheet row {row})" if row != line else "")
    where += heading
    after = before.rstrip("\r")[-20:]
    context = f", just after \u201c{after}\u201d" if after.strip() else ""
    if encoding == "utf-8":
        message = (
            f"The byte 0x{data[at]:02X} at {where}{context} is not UTF-8, but the rest of the "
            "file is: it cannot be read faithfully. Correct that character in the spreadsheet, "
            "then in Excel use Save As, CSV UTF-8 (comma delimited)."
        )
    else:
        message = (
            f"The byte 0x{data[at]:02X} at {where}{context} is neither UTF-8 nor "
            "Windows-1252 text: in Excel use Save As, CSV UTF-8 (comma delimited)."
        )
    return RowError(row, "file", message)


def parse_referral_file(data: bytes, *, today: dt.date | None = None) -> ImportPreview:
    """Reads and checks every row; never raises for anything a file can contain.

    Problems with the file as a whole (not text, no header, a required column missing) are
    reported as errors on line 1 with no rows, so callers have one shape to show.
    """
    today = today or dt.date.today()
    if is_xlsx(data):
        records = _xlsx_records(data)
    else:
        try:
            text = decode_csv_bytes(data)
        except UnreadableText as error:
            return ImportPreview([], error.errors, 0)
        records = _records(text)
    if isinstance(records, RowError):
        return ImportPreview([], [records], 0)
    if not records or not any(cell.strip() for cell in records[0]):
        message = "The file is empty: the first row must be the column headings."
        return ImportPreview([], [RowError(1, "file", message)], 0)

    header = [normalise_header(cell) for cell in records[0]]
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, name in enumerate(header):
        if name in COLUMNS:
            if name in positions:
                errors.append(RowError(1, name, f"The column {name} appears twice: keep one."))
            positions.setdefault(name, index)
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    for name in missing:
        errors.append(
            RowError(
                1,
                name,
                f"The required column {name} is missing: start from the template "
                "referrals-template.csv.",
            )
        )
    ignored = [
        records[0][i].strip() for i, name in enumerate(header) if name and name not in COLUMNS
    ]
    if errors:
        return ImportPreview([], errors, 0, ignored)

    rows: list[ImportRow] = []
    total = 0
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank rows Excel leaves at the end of a sheet
        total += 1
        values = {name: record[i] if i < len(record) else "" for name, i in positions.items()}
        row, row_errors = _check_row(line, values, today)
        if row is not None:
            rows.append(row)
        errors.extend(row_errors)
        if len(record) > len(header) and any(c.strip() for c in record[len(header) :]):
            errors.append(
                RowError(
                    line,
                    "file",
                    f"This row has {len(record)} cells but there are {len(header)} column "
                    "headings: check for a stray comma or an unquoted address.",
                )
            )
    bad = {e.line for e in errors}
    rows = _link_same_referrals(_link_same_people([r for r in rows if r.line not in bad]))
    problems: dict[int, list[str]] = {}
    for problem in errors:
        column = "" if problem.field == "file" else f"{problem.field}: "
        problems.setdefault(problem.line, []).append(column + problem.message)
    rejected = [
        RejectedRow(line, list(records[line - 1]), " | ".join(problems[line]))
        for line in sorted(bad)
        if 1 < line <= len(records)
    ]
    return ImportPreview(rows, errors, total, ignored, list(records[0]), rejected)


def counted(count: int, one: str, many: str | None = None) -> str:
    """``counted(1, "row")`` is "1 row", ``counted(3, "row")`` "3 rows"; ``many`` for words
    such as "young people" that do not add an s."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def what_happens(row: ImportRow, *, done: bool) -> str:
    """What importing a row of a young person already on record does, in words that are true
    (``services.referrals.add_referrals``): with an open case it joins that case as a further
    referral for a manager's decision in triage; otherwise it starts a new episode. Someone
    else's case is told only as "a new referral on that record"."""
    if row.existing_on_record_only:
        return "added as a new referral on that record" if done else "new referral on that record"
    if row.existing_case_open:
        verb = "added to its open case" if done else "joins its open case"
        return f"{verb} as a further referral, for a manager to decide in triage"
    verb = "added as" if done else "becomes"
    return f"{verb} a new referral on that record, starting a new episode (no case is open)"


_ZIP_MAGIC = b"PK\x03\x04"


def is_xlsx(data: bytes) -> bool:
    """True for an Excel workbook (.xlsx is a zip file); anything else is read as CSV text."""
    return data.startswith(_ZIP_MAGIC)


def _xlsx_cell(value: object) -> str:
    """A cell as the partner sees it: a date cell as dd/mm/yyyy, 42.0 as 42, none as blank."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _xlsx_records(data: bytes) -> list[list[str]] | RowError:
    """The first sheet's rows, one list of cell texts per spreadsheet row (row 1 first).

    Rows Excel leaves out of the file (blank rows) are given back as empty rows, so each
    record's position is its row number in Excel, as with CSV files.
    """
    from openpyxl import load_workbook  # a second or so to import: only for .xlsx files

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # any bytes in a .zip: a message, never a crash
        return RowError(
            1,
            "file",
            f"The file is not an Excel workbook we can read ({error}): in Excel use Save As, "
            "Excel Workbook (.xlsx), or CSV UTF-8 (comma delimited).",
        )
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        records: list[list[str]] = []
        for row in sheet.iter_rows():
            numbers = [n for cell in row if isinstance(n := getattr(cell, "row", None), int)]
            number = numbers[0] if numbers else len(records) + 1
            while len(records) < number - 1:
                records.append([])
            values = [_xlsx_cell(cell.value) for cell in row]
            while values and not values[-1]:
                values.pop()
            records.append(values)
        return records
    except Exception as error:  # a damaged sheet: a message, never a crash
        return RowError(
            1,
            "file",
            f"The workbook's first sheet cannot be read ({error}): in Excel use Save As, "
            "Excel Workbook (.xlsx), or CSV UTF-8 (comma delimited).",
        )
    finally:
        workbook.close()


def rejected_rows_file(preview: ImportPreview, *, as_csv: bool = False) -> bytes:
    """The rows with problems, with the file's headings and a last column "Problem" saying
    what to fix, as an Excel workbook (or CSV UTF-8 with a byte-order mark, which Excel
    opens with accents intact) to send back to the partner. Row numbers refer to the file
    the partner sent, so a "Row" column comes first."""
    header = ["Row", *preview.header, "Problem"]
    width = len(preview.header)
    body = [
        [str(r.line), *(r.cells + [""] * (width - len(r.cells))), r.problem]
        for r in preview.rejected
    ]
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(body)
        return _UTF8_BOM + out.getvalue().encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Rows with problems"
    sheet.append(header)
    for cells in body:
        # Text cells, as typed: a partner's "03/04/2011" stays text, never a guessed date.
        sheet.append([int(cells[0]), *cells[1:]])
    sheet.freeze_panes = "A2"
    out_bytes = io.BytesIO()
    workbook.save(out_bytes)
    return out_bytes.getvalue()


def _records(text: str) -> list[list[str]] | RowError:
    """The CSV records; a record spanning lines (a quoted address) is one spreadsheet row."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=False))
    except csv.Error as error:
        return RowError(
            1,
            "file",
            f"The file is not a CSV file we can read ({error}): in Excel use Save As, "
            "CSV UTF-8 (comma delimited).",
        )


def _check_row(
    line: int, values: Mapping[str, str], today: dt.date
) -> tuple[ImportRow | None, list[RowError]]:
    # Columns read through ``text`` (which would turn a line break into a space) are checked
    # as typed: a control character in a name is refused, never quietly changed.
    problems: dict[str, str] = check_names(values, _FLATTENED_NAME_COLUMNS)

    def text(name: str) -> str | None:
        return " ".join(values.get(name, "").split()) or None

    def typed(name: str, reader: Callable[[str], object], default: object) -> object:
        raw = text(name)
        if raw is None:
            return default
        try:
            return reader(raw)
        except ValidationError as error:
            problems[name] = next(iter(error.fields.values()))
            return default

    dob = typed("date_of_birth", lambda v: parse_uk_date(v, "date_of_birth", today=today), None)
    received = typed(
        "referral_date", lambda v: parse_uk_date(v, "referral_date", today=today), None
    )
    for name, label in (
        ("date_of_birth", "Date of birth"),
        ("referral_date", "Referral date"),
        ("referring_agency", "Referring agency"),
    ):
        if text(name) is None:
            problems[name] = f"{label} is required."
    gender = typed("gender", parse_gender, Gender.NOT_KNOWN)
    ethnicity = typed("ethnicity", parse_ethnicity, Ethnicity.NOT_STATED)
    reasons = typed("reasons", parse_reasons, frozenset())
    consent_yp = typed("consent_young_person", parse_consent, ConsentStatus.NOT_ASKED)
    consent_parent = typed("consent_parent", parse_consent, ConsentStatus.NOT_ASKED)
    flags = typed("safeguarding_flags", parse_flag_kinds, frozenset())

    raw_person = PersonDetails(
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        preferred_name=values.get("preferred_name"),
        date_of_birth=dob,  # type: ignore[arg-type]  # None: problems() names it
        gender=gender,  # type: ignore[arg-type]  # None: problems() names it
        ethnicity=ethnicity,  # type: ignore[arg-type]  # None: problems() names it
        address=_multiline(values.get("address")),
        postcode=values.get("postcode"),
        phone=values.get("phone"),
        nhs_number=values.get("nhs_number"),
        education_setting=text("school"),
    )
    person: PersonDetails | None = None
    try:
        person = raw_person.validated(today)
    except ValidationError as error:
        for name, message in error.fields.items():
            column = _COLUMN_OF_FIELD.get(name, name)
            if column == "date_of_birth" and column in problems:
                continue  # the unreadable date already has a clearer message
            problems.setdefault(column, message)

    agency = text("referring_agency") or ""
    referral = ReferralDetails(
        received_on=received,  # type: ignore[arg-type]  # None: problems() names it
        referring_agency=agency,
        referring_agency_type=guess_agency_type(agency),
        reasons=reasons,  # type: ignore[arg-type]  # unknown: problems() names it
        referrer_name=text("referrer_name"),
        referrer_contact=text("referrer_contact"),
        narrative=_multiline(values.get("narrative")),
        consent_young_person=consent_yp,  # type: ignore[arg-type]  # None: problems() names it
        consent_parent=consent_parent,  # type: ignore[arg-type]  # None: problems() names it
    )
    if received is not None and "date_of_birth" not in problems:
        try:
            referral_problems = referral.problems(dob, today)  # type: ignore[arg-type]  # only when dob was read
        except ValidationError as error:
            referral_problems = dict(error.fields)
        for name, message in referral_problems.items():
            problems.setdefault(_COLUMN_OF_FIELD.get(name, name), message)

    if problems:
        ordered = sorted(problems.items(), key=lambda kv: _column_rank(kv[0]))
        return None, [RowError(line, name, message) for name, message in ordered]
    assert person is not None
    return ImportRow(line, person, referral, flags=flags), []  # type: ignore[arg-type]  # read by parse_flag_kinds


def _column_rank(name: str) -> int:
    return COLUMNS.index(name) if name in COLUMNS else len(COLUMNS)


def _multiline(value: str | None) -> str | None:
    """Keeps the line breaks of an address or narrative but trims each line; control
    characters other than line breaks and tabs are removed (``domain.text``)."""
    value = clean_free_text(value)
    if value is None:
        return None
    lines = [" ".join(part.split()) for part in value.split("\n")]
    joined = "\n".join(part for part in lines if part)
    return joined or None


def _link_same_referrals(rows: list[ImportRow]) -> list[ImportRow]:
    """Marks later rows that repeat an earlier row's referral: the same young person, referral
    date and referring agency (a row pasted twice, or two sheets of one partner joined)."""
    first_of: dict[tuple[int, dt.date, str], int] = {}
    linked: list[ImportRow] = []
    for row in rows:
        key = (row.same_person_as_line or row.line, row.referral.received_on, _agency(row))
        first = first_of.setdefault(key, row.line)
        linked.append(row if first == row.line else replace(row, same_referral_as_line=first))
    return linked


def _agency(row: ImportRow) -> str:
    return _agency_key(row.referral.referring_agency)


def _agency_key(name: str) -> str:
    """An agency's name as referrals are matched to agencies (``services.referrals``)."""
    return " ".join(name.split()).casefold()


def _link_same_people(rows: list[ImportRow]) -> list[ImportRow]:
    """Marks later rows that are the same young person as an earlier row of the file."""
    by_nhs: dict[str, int] = {}
    by_name: dict[tuple[str, dt.date], int] = {}
    linked: list[ImportRow] = []
    for row in rows:
        person = row.person
        name_key = (_name_key(person.last_name, person.first_name), person.date_of_birth)
        first = by_nhs.get(person.nhs_number or "") or by_name.get(name_key)
        if first is None:
            first = row.line
        else:
            row = replace(row, same_person_as_line=first)
        if person.nhs_number:
            by_nhs.setdefault(person.nhs_number, first)
        by_name.setdefault(name_key, first)
        linked.append(row)
    return linked


def _rejection_message(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:20]) + (" …" if len(lines) > 20 else "")
    rows = "row" if len(lines) == 1 else "rows"
    return (
        f"Nothing was imported: {len(lines)} {rows} of the file have problems ({rows} {shown}). "
        "Fix them and import again, or skip the bad rows."
    )


# --- matching and importing ------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    person_id: int
    case_ref: str
    worker: str | None = None  # told by the enforced server (its policies hide the row)


def match_existing(
    session: Session, rows: Iterable[ImportRow], *, ask_server: bool = False
) -> dict[int, _Known]:
    """``{line: known person}`` for rows that are a young person already on record.

    The same rule as ``services.people.match_person_ids`` (same NHS number, or the same
    folded names and date of birth), asked in a few batched queries instead of one per row.
    NHS number wins over names: it identifies a person even when a surname was changed.
    ``ask_server``: a caseworker on a server set up with ``server setup`` reads only their own
    cases, so the rows still unmatched are asked of its exact-match look-up, one by one; a
    file of someone else's young people must not make them anew.
    """
    rows = list(rows)
    nhs_numbers = sorted({r.person.nhs_number for r in rows if r.person.nhs_number})
    # Each name with its date of birth: a name alone matched 96,000 of 100,000 people for a
    # 10,000-row file (first and last names repeat), all read to find the few hundred whose
    # birth date was also in the file. Half a chunk of pairs keeps the parameters in bounds.
    names_born = sorted(
        {(_name_key(r.person.last_name, r.person.first_name), r.person.date_of_birth) for r in rows}
    )
    by_nhs: dict[str | None, _Known] = {}
    for chunk in _chunks(nhs_numbers):
        for pid, ref, nhs in session.execute(
            select(YoungPerson.id, YoungPerson.case_ref, YoungPerson.nhs_number)
            .where(YoungPerson.nhs_number.in_(chunk))
            .order_by(YoungPerson.id)
        ):
            by_nhs.setdefault(nhs, _Known(pid, ref))
    by_name: dict[tuple[str, dt.date], _Known] = {}
    for pairs in _chunks(names_born, _CHUNK // 2):
        for pid, ref, sort_name, dob in session.execute(
            select(
                YoungPerson.id,
                YoungPerson.case_ref,
                YoungPerson.sort_name,
                YoungPerson.date_of_birth,
            )
            .where(
                YoungPerson.sort_name.in_(sorted({name for name, _born in pairs})),
                YoungPerson.date_of_birth.in_(sorted({born for _name, born in pairs})),
            )
            .order_by(YoungPerson.id)
        ):
            by_name.setdefault((sort_name, dob), _Known(pid, ref))
    found: dict[int, _Known] = {}
    for row in rows:
        person = row.person
        known = by_nhs.get(person.nhs_number or "") or by_name.get(
            (_name_key(person.last_name, person.first_name), person.date_of_birth)
        )
        if known is None and ask_server:
            known = _on_server_record(session, person)
        if known is not None:
            found[row.line] = known
    return found


def _on_server_record(session: Session, person: PersonDetails) -> _Known | None:
    """The enforced server's exact match of one row (``people.server_records``): its NHS
    number first, then its names with the date of birth."""
    records = {}
    if person.nhs_number:
        records = server_records(session, nhs_number=person.nhs_number)
    if not records:
        records = server_records(
            session,
            date_of_birth=person.date_of_birth,
            sort_names=[_name_key(person.last_name, person.first_name)],
        )
    if not records:
        return None
    pid, (ref, worker) = min(records.items())
    return _Known(pid, ref, worker)


def match_imported(
    session: Session, rows: Iterable[ImportRow], known: Mapping[int, _Known]
) -> set[int]:
    """The lines whose referral is already on record for the known person: the same referral
    date and referring agency (compared as ``services.referrals`` matches agencies, ignoring
    case and spacing). Importing a file twice then adds nothing the second time."""
    rows = list(rows)
    person_of = {
        r.line: known[r.same_person_as_line or r.line].person_id
        for r in rows
        if (r.same_person_as_line or r.line) in known
    }
    on_record: set[tuple[int, dt.date, str]] = set()
    for chunk in _chunks(sorted(set(person_of.values()))):
        for pid, received_on, agency in session.execute(
            select(Referral.young_person_id, Referral.received_on, Agency.name)
            .join(Agency, Agency.id == Referral.referring_agency_id)
            .where(Referral.young_person_id.in_(chunk))
        ):
            on_record.add((pid, received_on, _agency_key(agency)))
    return {
        r.line
        for r in rows
        if r.line in person_of
        and (person_of[r.line], r.referral.received_on, _agency(r)) in on_record
    }


@functools.lru_cache(maxsize=65_536)
def _name_key(last_name: str, first_name: str) -> str:
    """``sort_name_of``, remembered: a row's key is needed when linking rows of the file and
    again when matching the database, and folding names is the slowest step of a big file."""
    return sort_name_of(last_name, first_name)


def _chunks(values: Sequence[T], size: int = _CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class ImportService(Service):
    def _asks_server(self, session: Session) -> bool:
        """A caseworker on an enforced server, whose matches of others' cases come from its
        exact-match look-up (managers read every row)."""
        return not self.actor.is_manager and hidden_by_server(session)

    def preview(self, data: bytes) -> ImportPreview:
        """Checks the file and says which rows are young people already on record.

        A row matching someone else's case (not one of a caseworker's own) says only its
        reference and worker, and each such record found is audited as a look-up, as in a
        search: a file of guessed names and birth dates is no way round the search's rule.
        """
        preview = parse_referral_file(data)
        with self._read() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="import referrals")
            known = match_existing(session, preview.rows, ask_server=self._asks_server(session))
            imported = match_imported(session, preview.rows, known)
            ids = sorted({match.person_id for match in known.values()})
            own: set[int] = set(ids)
            workers: dict[int, str | None] = {}
            for chunk in _chunks(ids):
                if not self.actor.is_manager:
                    mine = select(YoungPerson.id).where(
                        YoungPerson.id.in_(chunk), own_cases(self.actor)
                    )
                    own -= set(chunk) - set(session.scalars(mine))
                for pid, worker in session.execute(
                    select(YoungPerson.id, User.display_name)
                    .outerjoin(User, User.id == YoungPerson.current_worker_id)
                    .where(YoungPerson.id.in_(chunk))
                ):
                    workers[pid] = worker
            for told in known.values():  # the server told these, as it hides their rows
                workers.setdefault(told.person_id, told.worker)
            others = set(ids) - own
            open_cases = set(case_state.open_episodes(session, sorted(own)))
        if others:
            with self._write() as session:
                for k in sorted(
                    {k for k in known.values() if k.person_id in others},
                    key=lambda k: reference_sort_key(k.case_ref),
                ):
                    record_lookup(
                        session,
                        self.actor,
                        k.person_id,
                        k.case_ref,
                        workers.get(k.person_id),
                        "an import preview",
                    )
        rows = [
            replace(
                r,
                existing_person_id=found.person_id,
                existing_case_ref=found.case_ref,
                existing_worker=workers.get(found.person_id),
                existing_on_record_only=found.person_id in others,
                existing_case_open=found.person_id in open_cases,
            )
            if (found := known.get(r.line))
            else r
            for r in preview.rows
        ]
        rows = [replace(r, already_imported=True) if r.line in imported else r for r in rows]
        return replace(preview, rows=rows)

    def _intake_flags(
        self, session: Session, pairs: Sequence[tuple[int, ImportRow]], what: str
    ) -> list[AuditEvent]:
        """The rows' safeguarding flags, each from its referral date, with an audit event
        each (a kind already active on the record is not added again)."""
        wanted = [
            (pid, kind, row.referral.received_on, row.line)
            for pid, row in pairs
            for kind in sorted(row.flags, key=list(FlagKind).index)
        ]
        if not wanted:
            return []
        added = add_flags_at_intake(
            session, [(pid, kind, on) for pid, kind, on, _line in wanted], self.actor.user_id
        )
        line_of = {(pid, kind): line for pid, kind, _on, line in wanted}
        return [
            audit.new_event(
                self.actor,
                AuditAction.CREATE,
                entity_type="safeguarding_flag",
                entity_id=flag.id,
                person_id=flag.young_person_id,
                summary=f"Safeguarding flag added from {what}, "
                f"row {line_of[(flag.young_person_id, flag.kind)]}: "
                f"{flag.kind.label} from {format_uk_date(flag.started_on)}",
            )
            for flag in added
        ]

    def run(
        self,
        data: bytes,
        *,
        skip_invalid: bool = False,
        progress: Callable[[int, int], bool] | None = None,
        file_name: str | None = None,
    ) -> ImportResult:
        """Imports the file in one transaction: every good row, or (by default) nothing at all.

        Rows go through ``add_people`` / ``add_referrals``, of which manual intake's
        ``add_person`` / ``add_referral`` are the one-row case, so an imported referral is
        written exactly like a typed one except for its ``source``; a batch of rows at a time
        keeps 10,000 rows to seconds. ``progress(done, total)`` returning False cancels and
        rolls everything back.

        Raises:
            ImportRejected: the file has bad rows and ``skip_invalid`` is False.
            ImportCancelled: ``progress`` asked to stop.
        """
        preview = parse_referral_file(data)
        if preview.errors and (not skip_invalid or preview.total_rows == 0):
            raise ImportRejected(preview.errors)
        what = f"file {file_name}" if file_name else "a file"
        with self._write() as session:
            require_role(self.actor, Role.CASEWORKER, Role.MANAGER, doing="import referrals")
            known = match_existing(session, preview.rows, ask_server=self._asks_server(session))
            imported = match_imported(session, preview.rows, known)
            repeats = sorted(r.line for r in preview.rows if r.line in imported or r.is_repeat)
            rows = [r for r in preview.rows if r.line not in imported and not r.is_repeat]
            total = len(rows)
            person_of_line: dict[int, int] = {}
            existing: set[int] = set()
            new_people = 0
            user_id = self.actor.user_id
            for start in range(0, total, _PROGRESS_STEP):
                batch = rows[start : start + _PROGRESS_STEP]
                for row in batch:
                    first_line = row.same_person_as_line or row.line
                    if first_line in known and first_line not in person_of_line:
                        person_of_line[first_line] = known[first_line].person_id
                        existing.add(known[first_line].person_id)
                fresh = [r for r in batch if r.same_person_as_line is None and r.line not in known]
                ids = add_people(session, [r.person for r in fresh], user_id)
                person_of_line.update((r.line, pid) for r, pid in zip(fresh, ids, strict=True))
                new_people += len(fresh)
                pairs = [(person_of_line[r.same_person_as_line or r.line], r) for r in batch]
                referral_ids = add_referrals(
                    session, [(pid, r.referral) for pid, r in pairs], user_id, IMPORT_SOURCE
                )
                created = {r.line for r in fresh}
                events = []
                for (pid, row), referral_id in zip(pairs, referral_ids, strict=True):
                    summary = (
                        "Young person added and referral imported"
                        if row.line in created
                        else "Referral imported for a young person already on record"
                    )
                    events.append(
                        audit.new_event(
                            self.actor,
                            AuditAction.CREATE,
                            entity_type="referral",
                            entity_id=referral_id,
                            person_id=pid,
                            summary=f"{summary} from {what}, row {row.line} "
                            f"(referred by {row.referral.referring_agency})",
                        )
                    )
                events.extend(self._intake_flags(session, pairs, what))
                audit.record_many(session, events)
                done = start + len(batch)
                if progress is not None and not progress(done, total):
                    raise ImportCancelled("Import cancelled: nothing was imported.")
            skipped = preview.errors
            self._audit(
                session,
                AuditAction.IMPORT,
                entity_type="referral",
                summary=f"Imported {counted(total, 'referral')} from {what}: "
                f"{counted(new_people, 'new young person', 'new young people')}, "
                f"{len(existing)} already on record"
                + (f", {counted(len({e.line for e in skipped}), 'row')} skipped" if skipped else "")
                + (f", {counted(len(repeats), 'row')} already imported" if repeats else ""),
            )
        return ImportResult(new_people, total, len(existing), skipped, repeats)
