"""Files kept on cases, on a shared office's server, each person signed in as their own login:
a caseworker's login adds, lists, opens and removes files on their own case and reaches none of
another caseworker's, through the app or plain SQL; the manager reaches every case's files."""

from __future__ import annotations

import psycopg
import pytest

from tests.db.test_server_roles import Office, office, scram_server  # noqa: F401  # fixtures
from tests.services.test_attachments import docx_bytes, pdf_bytes
from veru_desk.db.opened_files import clear_own_opened_files
from veru_desk.domain.errors import NotFound, PermissionDenied


def test_a_caseworkers_login_reaches_the_files_of_their_own_cases_only(
    office: Office,  # noqa: F811  # the fixture imported above
) -> None:
    aisha = office.as_user("aisha")
    try:
        theirs = aisha.attachments.add(
            office.aisha_case, pdf_bytes(), "Signed consent", file_name="consent.pdf"
        )
    finally:
        aisha.db.dispose()

    dariusz = office.as_user("dariusz")
    try:
        own = dariusz.attachments.add(office.dariusz_case, docx_bytes(), file_name="letter.docx")
        assert [a.id for a in dariusz.attachments.for_case(office.dariusz_case)] == [own]
        assert dariusz.attachments.open(own).read_bytes() == docx_bytes()
        with pytest.raises(PermissionDenied):
            dariusz.attachments.for_case(office.aisha_case)
        with pytest.raises((PermissionDenied, NotFound)):  # the server hides the row itself
            dariusz.attachments.open(theirs)
        dariusz.attachments.remove(own, "Added to the wrong case")
        assert dariusz.attachments.for_case(office.dariusz_case) == []
    finally:
        dariusz.db.dispose()
        clear_own_opened_files()

    with office.sql("dariusz") as sql:
        seen = sql.execute("SELECT count(*) FROM attachment").fetchone()
        assert seen is not None and seen[0] == 0  # Aisha's file is not there for him
        changed = sql.execute("DELETE FROM attachment WHERE id = %s", (theirs,))
        assert changed.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            sql.execute(
                "INSERT INTO attachment (young_person_id, file_name, media_type, size_bytes, "
                "sha256, content, created_at, updated_at, version) "
                "VALUES (%s, 'x.pdf', 'application/pdf', 1, '0', '\\x25'::bytea, now(), now(), 1)",
                (office.aisha_case,),
            )

    priya = office.as_user("priya")
    try:
        [kept] = priya.attachments.for_case(office.aisha_case)
        assert (kept.id, kept.description, kept.added_by) == (
            theirs,
            "Signed consent",
            "Aisha Mohamed",
        )
        assert priya.attachments.open(theirs).read_bytes() == pdf_bytes()
    finally:
        priya.db.dispose()
        clear_own_opened_files()
