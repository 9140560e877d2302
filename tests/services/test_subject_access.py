"""Subject access (scenario 8): everything held about a young person as JSON and a readable
PDF, withheld items marked with their reason, managers only, the export recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Team
from tests.services.test_retention import NOTE_PHRASE, closed_case
from tests.services.test_summary import book_an_attended_session, saved_elsewhere_mid_read
from veru_desk.db.engine import Database
from veru_desk.domain.enums import AuditAction
from veru_desk.domain.errors import PermissionDenied, ValidationError
from veru_desk.reports.subject_access import export_subject_access
from veru_desk.services import Services
from veru_desk.services.subject_access import SubjectAccessData


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def zoe(as_manager: Services, as_dariusz: Services) -> int:
    assert as_dariusz.actor.user_id is not None
    return closed_case(as_manager, as_dariusz.actor.user_id, years_ago=1, age=19)


def test_export_holds_every_kind_of_record_in_both_files(
    as_manager: Services, zoe: int, tmp_path: Path, audit_trail: object
) -> None:
    result = export_subject_access(as_manager, zoe, tmp_path / "sar.json", tmp_path / "sar.pdf")
    document = json.loads(result.json_path.read_text(encoding="utf-8"))
    assert document["format"] == "veru-desk-subject-access/1"
    person = document["person"]
    assert (person["first_name"], person["nhs_number"]) == ("Zoë", "9434765919")
    assert person["address"] == "14 Crawley Green Road, Luton"
    assert [c["name"] for c in document["contacts"]] == ["Máire Ní Bhriain"]
    [referral] = document["referrals"]
    assert referral["referring_agency"] == "Luton Sixth Form College"
    assert referral["reasons"] == ["criminal_exploitation"]
    assert [t["to_status"] for t in referral["transitions"]] == [
        "received",
        "accepted",
        "allocated",
        "active",
        "closed",
    ]
    assert document["risk_assessments"][0]["risk_factors"].startswith("Older boys")
    [plan] = document["plans"]
    assert plan["goals"][0]["actions"][0]["description"] == "Walk the route"
    assert document["sessions"][0]["topics"] == "football at Wardown"
    assert document["outcomes"][0]["wellbeing"] == 4
    assert document["notes"][0]["body"] == NOTE_PHRASE
    assert document["notes"][0]["author"] == "Priya Raghunathan"
    actions = {e["action"] for e in document["audit_events"]}
    assert {"create", "update"} <= actions
    changed = [e for e in document["audit_events"] if e["changes"]]
    assert changed and isinstance(changed[0]["changes"], dict)

    pages, words = _pdf_text(result.pdf_path)
    assert result.pages == pages >= 2
    for expected in ("Zoë", "Ó Súilleabháin", "9434765919", "Máire Ní Bhriain", "Walk the route"):
        assert expected in words
    assert f"Page 1 of {pages}" in words and "OFFICIAL-SENSITIVE" in words
    assert result.items > 10 and result.withheld == 0

    [export] = as_manager.exports.for_person(zoe)
    assert (export.kind, export.filename, export.pages) == ("subject_access", "sar.pdf", pages)
    last = audit_trail()[-1]  # type: ignore[operator]
    assert last.action is AuditAction.EXPORT and last.person_id == zoe
    assert last.summary.startswith("Subject access export of VERU-")


def test_withheld_items_are_replaced_by_the_reason_in_both_files(
    as_manager: Services, zoe: int, tmp_path: Path
) -> None:
    note_key = as_manager.subject_access.gather(zoe).document["notes"][0]["key"]
    contact_key = as_manager.subject_access.gather(zoe).document["contacts"][0]["key"]
    withheld = {
        note_key: "Third-party information about the mother (DPA 2018 Sch. 2 para 16)",
        contact_key: "Release could put the contact at risk",
    }
    result = export_subject_access(
        as_manager, zoe, tmp_path / "sar.json", tmp_path / "sar.pdf", withheld
    )
    document = json.loads(result.json_path.read_text(encoding="utf-8"))
    assert document["notes"][0] == {"key": note_key, "withheld": True, "reason": withheld[note_key]}
    assert document["contacts"][0]["withheld"] is True
    assert {w["key"] for w in document["withheld"]} == set(withheld)
    saved = result.json_path.read_text(encoding="utf-8")
    assert f'"body": "{NOTE_PHRASE}"' not in saved and "Máire Ní Bhriain" not in saved
    _pages, words = _pdf_text(result.pdf_path)
    assert "Máire Ní Bhriain" not in words and "Call with Máire" not in words
    assert "Release could put the contact at risk" in words
    assert result.withheld == 2


def test_unknown_withheld_keys_and_missing_reasons_are_refused(
    as_manager: Services, zoe: int, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError, match="note:999999"):
        export_subject_access(
            as_manager, zoe, tmp_path / "a.json", tmp_path / "a.pdf", {"note:999999": "x"}
        )
    with pytest.raises(ValidationError) as error:
        as_manager.subject_access.gather(zoe, {"person:1": "  "})
    assert "Give the reason" in next(iter(error.value.fields.values()))
    assert not (tmp_path / "a.json").exists() and not (tmp_path / "a.pdf").exists()


def test_only_a_manager_can_make_a_subject_access_export(
    as_dariusz: Services, zoe: int, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied):
        export_subject_access(as_dariusz, zoe, tmp_path / "a.json", tmp_path / "a.pdf")
    assert not (tmp_path / "a.json").exists()


def _sessions_held(data: SubjectAccessData) -> tuple[int, object]:
    """The sessions listed, and the person's last contact (which an attended session moves)."""
    return len(data.document["sessions"]), data.document["person"]["last_contact_on"]


def test_a_session_saved_by_another_pc_mid_export_is_wholly_in_it_or_wholly_out(
    db: Database, database_target: str, team: Team, as_manager: Services, allocated_case: int
) -> None:
    """The person's row is read first and the sessions later: read at READ COMMITTED on a
    server, a session saved in between was listed while the last contact said otherwise."""
    before = _sessions_held(as_manager.subject_access.gather(allocated_case))
    save = book_an_attended_session(allocated_case)
    with saved_elsewhere_mid_read(db, database_target, team, "young_person", save) as (
        fired,
        checkouts,
        begins,
    ):
        during = _sessions_held(as_manager.subject_access.gather(allocated_case))
    assert fired, "the other PC never saved: the hook found no read of young_person"
    assert during == before, f"the copy mixes two moments: {before} → {during}"
    assert (len(checkouts), len(begins)) == (1, 1)
    after = _sessions_held(as_manager.subject_access.gather(allocated_case))
    assert after[0] == before[0] + 1 and after[1] != before[1]
