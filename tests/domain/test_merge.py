"""The three-way merge of a record two people edited: one-sided changes are taken, both-sided
changes wait for a person's choice, and nothing either side wrote is dropped silently."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veru_desk.domain.merge import (
    Side,
    UnresolvedClash,
    merged_record,
    three_way,
    three_way_records,
)

BASE = {"notes": "", "attendance": "planned", "location": "Marsh Farm youth centre"}


def test_a_field_only_the_colleague_changed_keeps_the_colleagues_value() -> None:
    theirs = {**BASE, "notes": "Siobhán added: he asked about boxing at the leisure centre."}
    mine = {**BASE, "attendance": "attended"}
    merge = three_way(BASE, theirs, mine)

    assert merge.clashes == []
    assert merge.resolve() == {
        "notes": "Siobhán added: he asked about boxing at the leisure centre.",
        "attendance": "attended",
        "location": "Marsh Farm youth centre",
    }
    assert merge.field("notes").side is Side.THEIRS
    assert merge.field("attendance").side is Side.MINE
    assert merge.field("location").side is Side.UNCHANGED


def test_both_changing_the_same_text_is_a_clash_that_refuses_to_merge_without_a_choice() -> None:
    theirs = {**BASE, "notes": "Ngozi: mother worried about the older boys."}
    mine = {**BASE, "notes": "Tomasz: talked about football trials."}
    merge = three_way(BASE, theirs, mine)

    [clash] = merge.clashes
    assert (clash.key, clash.base, clash.theirs, clash.mine) == (
        "notes",
        "",
        "Ngozi: mother worried about the older boys.",
        "Tomasz: talked about football trials.",
    )
    with pytest.raises(UnresolvedClash) as refused:
        merge.resolve()
    assert refused.value.keys == ["notes"]
    with pytest.raises(UnresolvedClash):
        _ = clash.value
    both = "Ngozi: mother worried about the older boys.\n\nTomasz: talked about football trials."
    assert merge.resolve({"notes": both})["notes"] == both


def test_both_making_the_same_change_is_no_clash() -> None:
    same = {**BASE, "attendance": "did_not_attend"}
    merge = three_way(BASE, same, dict(same))
    assert merge.field("attendance").side is Side.SAME
    assert merge.resolve()["attendance"] == "did_not_attend"


def test_a_field_only_one_version_has_is_kept_not_dropped() -> None:
    merge = three_way({}, {"mentor": "Aisha Bello"}, {})
    assert merge.resolve() == {"mentor": "Aisha Bello"}


@dataclass(frozen=True)
class _Note:
    subject: str
    body: str
    confidential: bool


def test_records_merge_field_by_field_into_a_record_of_the_same_kind() -> None:
    base = _Note("After-school meeting", "First draft.", False)
    theirs = _Note("After-school meeting", "Zoë Ó Briain rang: all well at home.", False)
    mine = _Note("Meeting at school", "First draft.", True)
    merge = three_way_records(base, theirs, mine)
    assert merged_record(merge, mine) == _Note(
        "Meeting at school", "Zoë Ó Briain rang: all well at home.", True
    )


texts = st.text(max_size=5)


@given(base=texts, theirs=texts, mine=texts)
def test_the_merged_value_is_never_one_that_silently_drops_a_change(
    base: str, theirs: str, mine: str
) -> None:
    field = three_way({"f": base}, {"f": theirs}, {"f": mine}).field("f")
    if field.clash:
        assert theirs != base and mine != base and theirs != mine
        return
    # Whatever is taken, any side that changed the field is what survives.
    if theirs != base:
        assert field.value == theirs
    if mine != base:
        assert field.value == mine
