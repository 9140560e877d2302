"""The audit trail said in the app's words, not the database's."""

from __future__ import annotations

from veru_desk.domain.audit_words import (
    action_words,
    change_words,
    changes_words,
    field_words,
    record_kind,
    record_words,
    value_words,
)
from veru_desk.domain.enums import AuditAction


def test_actions_are_said_as_the_app_says_them() -> None:
    assert action_words(AuditAction.LOGIN) == "Signed in"
    assert action_words(AuditAction.LOGOUT) == "Signed out"
    assert action_words(AuditAction.FAILED_LOGIN) == "Sign-in refused"
    assert action_words(AuditAction.EXPORT) == "Exported"
    assert all("_" not in action_words(action) for action in AuditAction)


def test_records_are_named_by_kind_and_a_young_person_by_case_and_name() -> None:
    assert record_kind("mentoring_session") == "Mentoring session"
    assert record_kind("some_new_table") == "Some new table"
    assert record_words("mentoring_session", 57) == "Mentoring session #57"
    assert (
        record_words("young_person", 12, case_ref="VERU-2026-00012", person_name="Zoë Çelik")
        == "Young person VERU-2026-00012, Zoë Çelik"
    )
    assert record_words("young_person", 1234) == "Young person #1234"
    assert record_words(None, None) == ""


def test_fields_and_values_read_as_words() -> None:
    assert field_words("next_review_on") == "Next review on"
    assert field_words("nhs_number") == "NHS number"
    assert value_words("2026-03-12") == "12/03/2026"
    assert value_words("2026-03-12T17:30:00") == "12/03/2026 17:30"
    assert value_words("very_high") == "Very high"
    assert value_words(True) == "Yes"
    assert value_words(None) == "(empty)"
    assert value_words(["knife_carrying", "county_lines"]).count(",") == 1
    assert value_words("Łuki") == "Łuki"


def test_a_change_whose_value_the_trail_does_not_keep_does_not_pretend() -> None:
    said = change_words("notes", "(changed)", "(changed)")
    assert said == "Notes changed (the trail does not keep what they say)"
    assert "→" not in said
    assert change_words("preferred_name", None, "Łuki") == "Preferred name: (empty) → Łuki"
    assert change_words("preferred_name", None, None, withheld=True) == "Preferred name changed"
    assert changes_words(
        [("risk_level", "medium", "high"), ("notes", "(changed)", "(changed)")]
    ).startswith("Risk level: Medium → High; Notes changed")
