"""The rules of a safeguarding flag's dates, as the service and the editor apply them."""

from __future__ import annotations

import datetime as dt

from veru_desk.domain.safeguarding import (
    FlagInput,
    FlagKind,
    GroundsDecision,
    end_problems,
    is_active,
)

TODAY = dt.date(2026, 12, 5)
BORN = dt.date(2011, 3, 14)


def test_a_flag_is_active_from_its_start_until_the_day_it_ends() -> None:
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 20)
    assert not is_active(start, end, dt.date(2026, 10, 31))
    assert is_active(start, end, start)
    assert is_active(start, end, dt.date(2026, 11, 19))
    assert not is_active(start, end, end)
    assert is_active(start, None, TODAY)


def test_a_missing_episode_found_before_it_began_is_refused_in_its_own_words() -> None:
    problems = FlagInput(FlagKind.MISSING, dt.date(2026, 12, 3), dt.date(2026, 12, 1)).problems(
        BORN, TODAY
    )
    assert problems == {
        "ended_on": "The found date is before the missing from date (03/12/2026): check the dates."
    }


def test_nrm_decisions_need_their_dates_and_follow_the_referral_in_order() -> None:
    undated = FlagInput(
        FlagKind.NRM, dt.date(2026, 9, 1), reasonable_grounds=GroundsDecision.POSITIVE
    ).problems(BORN, TODAY)
    assert "Enter the date" in undated["reasonable_grounds_on"]
    out_of_order = FlagInput(
        FlagKind.NRM,
        dt.date(2026, 9, 1),
        reasonable_grounds=GroundsDecision.POSITIVE,
        reasonable_grounds_on=dt.date(2026, 11, 1),
        conclusive_grounds=GroundsDecision.NEGATIVE,
        conclusive_grounds_on=dt.date(2026, 10, 1),
    ).problems(BORN, TODAY)
    assert list(out_of_order) == ["conclusive_grounds_on"]
    conclusive_alone = FlagInput(
        FlagKind.NRM,
        dt.date(2026, 9, 1),
        conclusive_grounds=GroundsDecision.POSITIVE,
        conclusive_grounds_on=dt.date(2026, 10, 1),
    ).problems(BORN, TODAY)
    assert "record that first" in conclusive_alone["reasonable_grounds"]


def test_a_start_before_birth_or_in_the_future_is_refused() -> None:
    assert (
        "before the date of birth"
        in FlagInput(FlagKind.SEND, dt.date(2010, 1, 1)).problems(BORN, TODAY)["started_on"]
    )
    assert (
        "future"
        in FlagInput(FlagKind.CHILD_IN_NEED, dt.date(2026, 12, 6)).problems(BORN, TODAY)[
            "started_on"
        ]
    )


def test_ending_needs_a_date_on_or_after_the_start() -> None:
    start = dt.date(2026, 11, 1)
    assert end_problems(start, None, TODAY)
    assert end_problems(start, dt.date(2026, 10, 30), TODAY)
    assert end_problems(start, dt.date(2026, 12, 6), TODAY)
    assert end_problems(start, start, TODAY) == {}


def test_flags_are_read_as_partners_type_them_and_unknown_words_named() -> None:
    import pytest

    from veru_desk.domain.errors import ValidationError
    from veru_desk.domain.safeguarding import parse_flag_kinds

    assert parse_flag_kinds("CCE; looked after, County Lines") == {
        FlagKind.CCE,
        FlagKind.LOOKED_AFTER,
        FlagKind.COUNTY_LINES,
    }
    assert parse_flag_kinds("LAC and EHCP / CP plan") == {
        FlagKind.LOOKED_AFTER,
        FlagKind.SEND,
        FlagKind.CHILD_PROTECTION,
    }
    assert parse_flag_kinds("  ") == frozenset()
    with pytest.raises(ValidationError) as refused:
        parse_flag_kinds("CCE; gangs")
    assert refused.value.fields["safeguarding_flags"].startswith(
        "'gangs' is not a safeguarding flag we know"
    )
