"""Files kept on a case: accepted by content within the size limit, listed without their bytes,
opened through a private temporary file that is cleared away, saved out, removed by the right
people, every step audited; covered by anonymisation, erasure, subject access and the
chronology. Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.conftest import Team
from tests.services.test_merging import _merge as merge_records
from tests.services.test_merging import pair  # noqa: F401  # the fixture, used below
from tests.services.test_retention import closed_case
from veru_desk.db.engine import Database
from veru_desk.db.models import Attachment, AuditEvent
from veru_desk.db.opened_files import clear_own_opened_files, opened_root, sweep_opened_files
from veru_desk.domain.enums import AuditAction, ChronologyKind
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.reports.subject_access import export_subject_access
from veru_desk.services import Services

Trail = Callable[..., list[Any]]


def pdf_bytes(text: str = "Consent to share information") -> bytes:
    """A small but well-formed one-page PDF."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    out.seek(0, io.SEEK_END)
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (6, xref))
    return out.getvalue()


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def docx_bytes(text: str = "Letter from Challney High School") -> bytes:
    """A minimal Word document; the same bytes on every call (a test compares a file read
    back with a second call), so its parts carry a fixed date rather than the clock's: two
    calls either side of a second the zip format can tell apart once made different files."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "word/document.xml": (
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
            "</w:body></w:document>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 3, 2, 9, 0, 0)), body)
    return out.getvalue()


def count_attachments(db: Database) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Attachment)) or 0


def test_a_caseworker_adds_a_pdf_a_png_and_a_docx_and_the_list_has_no_bytes(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    service = as_dariusz.attachments
    pdf, png, docx = pdf_bytes(), png_bytes(), docx_bytes()
    first = service.add(allocated_case, pdf, "Signed consent form", file_name="Łukasz consent.pdf")
    second = service.add(allocated_case, png, file_name="school-report.PNG")
    third = service.add(allocated_case, docx, "Letter from school", file_name="letter.docx")
    listed = service.for_case(allocated_case)
    assert [a.id for a in listed] == [third, second, first]  # newest first
    by_id = {a.id: a for a in listed}
    assert (by_id[first].file_name, by_id[first].kind, by_id[first].size_bytes) == (
        "Łukasz consent.pdf",
        "PDF",
        len(pdf),
    )
    assert by_id[first].sha256 == hashlib.sha256(pdf).hexdigest()
    assert by_id[first].description == "Signed consent form"
    assert by_id[second].media_type == "image/png" and by_id[second].kind == "PNG image"
    assert by_id[third].kind == "Word document"
    assert {a.added_by for a in listed} == {"Dariusz Wójcik"}
    assert all(a.removable for a in listed)  # the adder, within the day
    assert not any(hasattr(a, "content") for a in listed)
    events = audit_trail("attachment")
    assert [(e.action, e.entity_id, e.person_id, e.username) for e in events] == [
        (AuditAction.CREATE, ident, allocated_case, "dariusz") for ident in (first, second, third)
    ]
    assert events[0].summary.startswith("File added: Łukasz consent.pdf (PDF, ")


def test_a_file_is_added_from_its_path_under_its_own_name(
    as_dariusz: Services, allocated_case: int, tmp_path: Path, db: Database
) -> None:
    path = tmp_path / "Referral form – Nguyễn Thị Hoa.pdf"
    path.write_bytes(pdf_bytes())
    ident = as_dariusz.attachments.add(allocated_case, path, "Referral form")
    [view] = as_dariusz.attachments.for_case(allocated_case)
    assert (view.id, view.file_name) == (ident, "Referral form – Nguyễn Thị Hoa.pdf")
    with db.read() as session:
        assert session.get_one(Attachment, ident).content == path.read_bytes()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.pdf", b"", "empty.pdf is empty (0 bytes)"),
        ("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "invoice.pdf is not a kind of file"),
        ("photo.pdf", png_bytes(), "photo.pdf ends in .pdf but holds a PNG image"),
        ("data.xlsx", b"PK\x03\x04" + b"\x00" * 60, "data.xlsx is not a kind of file"),
    ],
)
def test_empty_and_disallowed_files_are_refused_naming_the_file_and_what_is_allowed(
    as_dariusz: Services, allocated_case: int, db: Database, name: str, data: bytes, words: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        as_dariusz.attachments.add(allocated_case, data, file_name=name)
    assert words in refused.value.fields["file"]
    if "not a kind" in words:
        assert "PDF, PNG or JPEG images" in refused.value.fields["file"]
    assert count_attachments(db) == 0


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(
    as_manager: Services, as_dariusz: Services, allocated_case: int, db: Database, tmp_path: Path
) -> None:
    assert as_dariusz.settings.attachment_max_mb() == 20
    as_manager.settings.set_attachment_max_mb(1)
    big = pdf_bytes() + b"%" * (1024 * 1024)
    with pytest.raises(ValidationError) as refused:
        as_dariusz.attachments.add(allocated_case, big, file_name="scan.pdf")
    assert refused.value.fields["file"].startswith("scan.pdf is 1.0 MB, over the limit of 1.0 MB")
    path = tmp_path / "big scan.pdf"
    path.write_bytes(big + b"%" * (300 * 1024))
    with pytest.raises(ValidationError) as refused:
        as_dariusz.attachments.add(allocated_case, path)
    assert "big scan.pdf is 1.3 MB, over the limit of 1.0 MB" in refused.value.fields["file"]
    assert count_attachments(db) == 0
    as_manager.settings.set_attachment_max_mb(2)
    as_dariusz.attachments.add(allocated_case, big, file_name="scan.pdf")
    assert count_attachments(db) == 1


def test_only_managers_and_administrators_change_the_limit(
    as_manager: Services, as_dariusz: Services, team: Team, db: Database
) -> None:
    with pytest.raises(PermissionDenied):
        as_dariusz.settings.set_attachment_max_mb(50)
    with pytest.raises(ValidationError) as refused:
        as_manager.settings.set_attachment_max_mb(0)
    assert "between 1 and 200 MB" in refused.value.fields["attachment_max_mb"]
    Services(db, team.admin).settings.set_attachment_max_mb(50)
    assert as_dariusz.settings.attachment_max_mb() == 50
    with db.read() as session:
        summaries = list(
            session.scalars(select(AuditEvent.summary).where(AuditEvent.entity_type == "setting"))
        )
    assert "Attached file size limit changed from 20 MB to 50 MB" in summaries


def test_opening_writes_a_private_copy_that_is_audited_and_cleared_away(
    as_dariusz: Services, allocated_case: int, audit_trail: Trail
) -> None:
    data = png_bytes()
    ident = as_dariusz.attachments.add(allocated_case, data, file_name="bruise photo.png")
    path = as_dariusz.attachments.open(ident)
    assert path.name == "bruise photo.png"
    assert path.read_bytes() == data
    assert opened_root() in path.parents
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    [_added, opened] = audit_trail("attachment")
    assert (opened.action, opened.entity_id, opened.person_id) == (
        AuditAction.VIEW,
        ident,
        allocated_case,
    )
    assert opened.summary == "File opened: bruise photo.png"
    clear_own_opened_files()
    assert not path.exists()
    assert as_dariusz.attachments.open(ident).read_bytes() == data  # opens again afterwards
    clear_own_opened_files()


def test_the_next_start_sweeps_away_what_an_ended_app_left(tmp_path: Path) -> None:
    root = tmp_path / "opened-files"
    left = root / "999999999-abcd1234" / "12"
    left.mkdir(parents=True)
    (left / "consent.pdf").write_bytes(b"%PDF-1.4")
    running = root / f"{os.getppid()}-0000beef"
    running.mkdir()
    assert sweep_opened_files(root) == 1
    assert not left.exists() and running.exists()


def test_other_caseworkers_and_administrators_cannot_reach_a_case_s_files(
    as_dariusz: Services,
    as_aisha: Services,
    as_manager: Services,
    team: Team,
    db: Database,
    allocated_case: int,
    tmp_path: Path,
    audit_trail: Trail,
) -> None:
    ident = as_dariusz.attachments.add(allocated_case, pdf_bytes(), file_name="consent.pdf")
    admin = Services(db, team.admin)
    for outsider in (as_aisha, admin):
        service = outsider.attachments
        for attempt in (
            lambda s=service: s.for_case(allocated_case),
            lambda s=service: s.open(ident),
            lambda s=service: s.export(ident, tmp_path / "copy.pdf"),
            lambda s=service: s.add(allocated_case, pdf_bytes(), file_name="x.pdf"),
            lambda s=service: s.remove(ident, "wrong case"),
        ):
            with pytest.raises(PermissionDenied):
                attempt()
    assert not (tmp_path / "copy.pdf").exists()
    denials = [e for e in audit_trail() if e.action is AuditAction.DENIED]
    assert len(denials) == 10
    assert {e.username for e in denials} == {"aisha", "admin"}
    # The manager reaches every case.
    assert [a.id for a in as_manager.attachments.for_case(allocated_case)] == [ident]
    assert as_manager.attachments.open(ident).read_bytes() == pdf_bytes()
    clear_own_opened_files()


def test_a_copy_is_saved_where_chosen_and_audited(
    as_dariusz: Services, allocated_case: int, tmp_path: Path, audit_trail: Trail
) -> None:
    data = docx_bytes()
    ident = as_dariusz.attachments.add(allocated_case, data, file_name="letter.docx")
    target = tmp_path / "out" / "letter for YOS.docx"
    assert as_dariusz.attachments.export(ident, target) == target
    assert target.read_bytes() == data
    [_added, saved] = audit_trail("attachment")
    assert (saved.action, saved.entity_id, saved.person_id) == (
        AuditAction.EXPORT,
        ident,
        allocated_case,
    )
    assert saved.summary == f"Copy of file saved: letter.docx to {target}"


def test_the_adder_removes_within_a_day_then_only_a_manager_can(
    as_dariusz: Services,
    as_manager: Services,
    allocated_case: int,
    db: Database,
    audit_trail: Trail,
) -> None:
    service = as_dariusz.attachments
    wrong = service.add(allocated_case, pdf_bytes("Someone else"), file_name="wrong.pdf")
    kept = service.add(allocated_case, png_bytes(), file_name="photo.png")
    by_manager = as_manager.attachments.add(allocated_case, pdf_bytes(), file_name="minutes.pdf")
    with pytest.raises(ValidationError) as refused:
        service.remove(wrong, "   ")
    assert "Say why" in refused.value.fields["reason"]
    service.remove(wrong, "Added to the wrong case")
    assert {a.id for a in service.for_case(allocated_case)} == {kept, by_manager}
    # A file another person added is not the caseworker's to remove.
    [theirs] = [a for a in service.for_case(allocated_case) if a.id == by_manager]
    assert not theirs.removable
    with pytest.raises(PermissionDenied) as denied:
        service.remove(by_manager, "Not needed")
    assert "within a day of adding it" in str(denied.value)
    # A day later, the adder's own file is part of the record.
    with db.write() as session:
        row = session.get_one(Attachment, kept)
        session.execute(
            update(Attachment)
            .where(Attachment.id == kept)
            .values(created_at=row.created_at - dt.timedelta(days=1, minutes=1))
        )
    with pytest.raises(PermissionDenied):
        service.remove(kept, "Not needed")
    as_manager.attachments.remove(kept, "Duplicate of the school's copy")
    assert [a.id for a in service.for_case(allocated_case)] == [by_manager]
    removals = [e for e in audit_trail("attachment") if e.action is AuditAction.DELETE]
    assert [(e.entity_id, e.username) for e in removals] == [(wrong, "dariusz"), (kept, "priya")]
    digest = hashlib.sha256(pdf_bytes("Someone else")).hexdigest()
    assert "File removed: wrong.pdf (" in removals[0].summary
    assert f"SHA-256 {digest}): Added to the wrong case" in removals[0].summary


def test_the_chronology_shows_a_document_added(as_dariusz: Services, allocated_case: int) -> None:
    as_dariusz.attachments.add(
        allocated_case, pdf_bytes(), "Signed by his mother", file_name="consent.pdf"
    )
    [entry] = as_dariusz.chronology.for_person(allocated_case, frozenset({ChronologyKind.DOCUMENT}))
    assert (entry.title, entry.detail, entry.by) == (
        "Document added: consent.pdf",
        "Signed by his mother",
        "Dariusz Wójcik",
    )


def test_anonymising_removes_the_files_and_erasing_takes_them_with_the_case(
    as_manager: Services, team: Team, db: Database
) -> None:
    assert team.dariusz.user_id is not None
    first = closed_case(as_manager, team.dariusz.user_id)
    as_manager.attachments.add(first, pdf_bytes(), file_name="consent.pdf")
    as_manager.attachments.add(first, png_bytes(), file_name="photo.png")
    as_manager.retention.anonymise(first, "Retention period over")
    assert as_manager.attachments.for_case(first) == []
    with db.read() as session:
        summaries = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.young_person_id == first)
        ).all()
    assert not any("consent.pdf" in (s or "") for s in summaries)
    assert count_attachments(db) == 0
    second = closed_case(as_manager, team.dariusz.user_id, years_ago=8)
    as_manager.attachments.add(second, docx_bytes(), file_name="letter.docx")
    as_manager.retention.erase(second, "Entered in error")
    assert count_attachments(db) == 0


def test_subject_access_lists_the_files_and_puts_them_beside_the_pdf(
    as_manager: Services, team: Team, tmp_path: Path
) -> None:
    assert team.dariusz.user_id is not None
    zoe = closed_case(as_manager, team.dariusz.user_id, years_ago=1, age=19)
    pdf, png = pdf_bytes(), png_bytes()
    consent = as_manager.attachments.add(zoe, pdf, "Consent form", file_name="consent.pdf")
    photo = as_manager.attachments.add(zoe, png, file_name="photo.png")
    result = export_subject_access(
        as_manager,
        zoe,
        tmp_path / "sar.json",
        tmp_path / "sar.pdf",
        {f"attachment:{photo}": "Shows another young person"},
    )
    folder = tmp_path / "sar - attached files"
    assert result.attached_files == (folder / f"{consent} consent.pdf",)
    assert (folder / f"{consent} consent.pdf").read_bytes() == pdf
    assert not (folder / f"{photo} photo.png").exists()
    document = json.loads(result.json_path.read_text(encoding="utf-8"))
    listed, withheld = document["attachments"]
    assert listed["file_name"] == "consent.pdf" and listed["description"] == "Consent form"
    assert listed["saved_as"] == f"{consent} consent.pdf"
    assert listed["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert "content" not in listed
    assert withheld == {
        "key": f"attachment:{photo}",
        "withheld": True,
        "reason": "Shows another young person",
    }


def test_the_demo_s_files_pass_the_real_checks_and_open(tmp_path: Path) -> None:
    """The demo's consent forms and school letters: each is what its name and media type say
    (by content), within the limit, listed for its worker, and opens to the same bytes."""
    from sqlalchemy.orm import undefer

    from tests.services.test_demo import fresh_database
    from veru_desk.db.models import User
    from veru_desk.demo.database import generate_demo_data
    from veru_desk.domain.attachments import DEFAULT_MAX_MB, MB, file_problems
    from veru_desk.services.users import actor_for

    db = fresh_database(tmp_path / "demo.db")
    generate_demo_data(db, 120, seed=11)
    with db.read() as session:
        rows = session.scalars(select(Attachment).options(undefer(Attachment.content))).all()
        workers = {u.id: actor_for(u) for u in session.scalars(select(User))}
    assert len(rows) > 5
    assert {row.media_type for row in rows} >= {"application/pdf"}
    for row in rows:
        kind, problems = file_problems(row.file_name, row.content, DEFAULT_MAX_MB * MB)
        assert problems == {} and kind is not None and kind.media_type == row.media_type
        assert row.sha256 == hashlib.sha256(row.content).hexdigest()
    first = rows[0]
    assert first.created_by_id is not None
    worker = Services(db, workers[first.created_by_id])
    assert first.id in {a.id for a in worker.attachments.for_case(first.young_person_id)}
    assert worker.attachments.open(first.id).read_bytes() == first.content
    clear_own_opened_files()


def test_a_merge_moves_the_duplicate_s_files_and_its_undo_moves_them_back(
    as_manager: Services,
    db: Database,
    pair: tuple[int, int],  # noqa: F811  # the fixture imported above
) -> None:
    keep, other = pair
    letter = as_manager.attachments.add(other, docx_bytes(), file_name="letter.docx")
    merge_id = merge_records(as_manager, db, keep, other)
    assert [a.id for a in as_manager.attachments.for_case(keep)] == [letter]
    assert as_manager.attachments.for_case(other) == []
    as_manager.merging.undo(merge_id)
    assert [a.id for a in as_manager.attachments.for_case(other)] == [letter]
    assert as_manager.attachments.for_case(keep) == []
