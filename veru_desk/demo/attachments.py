"""Demo files on cases: the signed consent form a worker scans after the first home visit, and
now and then a letter from school, so the Documents tab, the chronology's "Document added"
and subject access's folder of files show something on first start.

A pass of its own after the people are written, with its own random numbers, so adding it
changed nothing of the story's other records (``tests/services/test_demo.py``'s digest). The
files are small and made here (a one-page PDF drawn by reportlab, a Word document written as
its zip of XML), so the demo needs nothing shipped and every file passes the real checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from veru_desk.db.models import Attachment, Referral, YoungPerson
from veru_desk.domain.attachments import DOCX, PDF
from veru_desk.domain.enums import ReferralStatus

#: At most this many cases get files: the demo shows the tab, it does not fill the database.
MAX_CASES = 40
_WORKED = (ReferralStatus.ALLOCATED, ReferralStatus.ACTIVE, ReferralStatus.CLOSED)


def consent_form_pdf(first_name: str, last_name: str, signed_on: dt.date) -> bytes:
    """A one-page consent to share information, as a scan of the signed form would read."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setTitle("Consent to share information")
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 770, "Consent to share information")
    page.setFont("Helvetica", 11)
    lines = [
        f"Young person: {first_name} {last_name}",
        "I agree that the Violence and Exploitation Reduction Unit may share information",
        "about me with the partners working with me, to keep me and others safe.",
        "",
        f"Signed on {signed_on:%d/%m/%Y} at the home visit.",
    ]
    for number, line in enumerate(lines):
        page.drawString(72, 730 - 18 * number, line)
    page.showPage()
    page.save()
    return out.getvalue()


def school_letter_docx(first_name: str, sent_on: dt.date) -> bytes:
    """A short Word letter from school (the smallest valid .docx: its XML parts in a zip)."""
    text = escape(
        f"{sent_on:%d/%m/%Y}. Dear colleagues, {first_name}'s attendance this half term has "
        "improved; we would welcome a review meeting with the unit."
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="application'
            '/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http'
            '://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            f"{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def _row(
    person: int, worker: int | None, name: str, media_type: str, data: bytes, about: str,
    at: dt.datetime,
) -> dict[str, Any]:  # fmt: skip
    return {
        "young_person_id": person,
        "file_name": name,
        "media_type": media_type,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "description": about,
        "content": data,
        "created_at": at,
        "created_by_id": worker,
        "updated_at": at,
        "updated_by_id": worker,
        "version": 1,
    }


def add_demo_attachments(session: Session, seed: int, anchor: dt.date, after_person_id: int) -> int:
    """Files on some worked cases of the young people with ids above ``after_person_id``;
    returns how many were added."""
    rng = random.Random(f"{seed}-attachments")
    cases = session.execute(
        select(
            YoungPerson.id,
            YoungPerson.first_name,
            YoungPerson.last_name,
            YoungPerson.current_worker_id,
            Referral.received_on,
        )
        .join(Referral, Referral.id == YoungPerson.current_referral_id)
        .where(YoungPerson.id > after_person_id, YoungPerson.current_status.in_(_WORKED))
        .order_by(YoungPerson.id)
    ).all()
    chosen = [case for case in cases if rng.random() < 0.35][:MAX_CASES]
    rows: list[dict[str, Any]] = []
    for person, first, last, worker, received in chosen:
        signed = min(received + dt.timedelta(days=rng.randint(3, 15)), anchor)
        at = dt.datetime.combine(signed, dt.time(rng.randint(9, 16), rng.randint(0, 59)))
        rows.append(
            _row(
                person,
                worker,
                f"Consent to share - {first} {last}.pdf",
                PDF.media_type,
                consent_form_pdf(first, last, signed),
                "Signed at the first home visit",
                at,
            )
        )
        if rng.random() < 0.3:
            sent = min(signed + dt.timedelta(days=rng.randint(14, 60)), anchor)
            rows.append(
                _row(
                    person,
                    worker,
                    "Letter from school.docx",
                    DOCX.media_type,
                    school_letter_docx(first, sent),
                    "Attendance update from the head of year",
                    dt.datetime.combine(sent, dt.time(rng.randint(9, 16), rng.randint(0, 59))),
                )
            )
    if rows:
        session.execute(insert(Attachment), rows)
    return len(rows)
