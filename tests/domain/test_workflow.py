"""The referral workflow: allowed moves, managers' decisions, reasons and disengagement."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

import pytest

from veru_desk.domain.enums import Attendance, ReferralStatus
from veru_desk.domain.errors import ValidationError, WorkflowError
from veru_desk.domain.workflow import (
    FINAL_STATUSES,
    MANAGER_ONLY,
    TRANSITIONS,
    allowed_transitions,
    can_reallocate,
    check_transition,
    decision_requires_reason,
    is_allowed,
    is_disengaged,
    is_reopening,
    requires_manager,
    transition_refusal,
)

S = ReferralStatus
A = Attendance

ALLOWED = {
    (S.RECEIVED, S.SCREENING),
    (S.RECEIVED, S.ACCEPTED),
    (S.RECEIVED, S.DECLINED),
    (S.RECEIVED, S.SIGNPOSTED),
    (S.SCREENING, S.ACCEPTED),
    (S.SCREENING, S.DECLINED),
    (S.SCREENING, S.SIGNPOSTED),
    (S.ACCEPTED, S.ALLOCATED),
    (S.ACCEPTED, S.CLOSED),
    (S.ALLOCATED, S.ACTIVE),
    (S.ALLOCATED, S.CLOSED),
    (S.ACTIVE, S.CLOSED),
    (S.CLOSED, S.ACTIVE),
}


def test_every_status_has_its_transitions_listed() -> None:
    assert set(TRANSITIONS) == set(ReferralStatus)


@pytest.mark.parametrize(("current", "new"), sorted(ALLOWED))
def test_the_workflow_moves_are_allowed(current: S, new: S) -> None:
    assert is_allowed(current, new)
    assert new in allowed_transitions(current)
    check_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"), sorted(set(product(ReferralStatus, repeat=2)) - ALLOWED)
)
def test_every_other_move_is_refused_with_a_workflow_error(current: S, new: S) -> None:
    assert not is_allowed(current, new)
    with pytest.raises(WorkflowError) as caught:
        check_transition(current, new)
    message = str(caught.value)
    assert message.endswith(".")
    assert caught.value.fields == {"status": message}


def test_a_workflow_error_is_a_validation_error_for_the_status_field() -> None:
    with pytest.raises(ValidationError) as caught:
        check_transition(S.DECLINED, S.ALLOCATED)
    assert set(caught.value.fields) == {"status"}


def test_declined_referral_cannot_be_allocated() -> None:
    with pytest.raises(WorkflowError) as caught:
        check_transition(S.DECLINED, S.ALLOCATED)
    assert str(caught.value) == (
        "A declined referral cannot be allocated: make a new referral instead."
    )


@pytest.mark.parametrize("final", sorted(FINAL_STATUSES))
def test_declined_and_signposted_are_final(final: S) -> None:
    assert allowed_transitions(final) == frozenset()
    assert "make a new referral instead" in transition_refusal(final, S.ACCEPTED)


def test_a_received_referral_must_be_accepted_before_allocation() -> None:
    assert transition_refusal(S.RECEIVED, S.ALLOCATED) == (
        "A received referral cannot be allocated: it must be accepted first."
    )
    assert transition_refusal(S.SCREENING, S.ACTIVE) == (
        "A referral in screening cannot be made active: it must be accepted first."
    )


def test_a_referral_awaiting_triage_is_declined_or_signposted_not_closed() -> None:
    assert transition_refusal(S.RECEIVED, S.CLOSED) == (
        "A received referral cannot be closed: decline or signpost it instead."
    )


def test_going_backwards_lists_what_can_happen_next() -> None:
    assert transition_refusal(S.ACCEPTED, S.SCREENING) == (
        "An accepted referral cannot be moved to screening: next it can be allocated or closed."
    )
    assert transition_refusal(S.CLOSED, S.ALLOCATED) == (
        "A closed referral cannot be allocated: next it can be reopened."
    )


def test_allocating_an_active_case_points_to_reallocation() -> None:
    message = transition_refusal(S.ACTIVE, S.ALLOCATED)
    assert message.startswith("An active referral cannot be allocated: next it can be closed.")
    assert "re-allocate" in message


def test_moving_to_the_same_status_says_so() -> None:
    assert transition_refusal(S.SCREENING, S.SCREENING) == "The referral is already in screening."
    assert transition_refusal(S.CLOSED, S.CLOSED) == "The referral is already closed."
    assert "re-allocate" in transition_refusal(S.ALLOCATED, S.ALLOCATED)


@pytest.mark.parametrize("status", [S.ACCEPTED, S.ALLOCATED, S.ACTIVE])
def test_open_cases_can_be_reallocated(status: S) -> None:
    assert can_reallocate(status)


@pytest.mark.parametrize("status", [S.RECEIVED, S.SCREENING, S.DECLINED, S.SIGNPOSTED, S.CLOSED])
def test_other_referrals_cannot_be_reallocated(status: S) -> None:
    assert not can_reallocate(status)


def test_reallocatable_statuses_are_the_open_cases() -> None:
    assert {s for s in S if can_reallocate(s)} == {s for s in S if s.is_open_case}


def test_triage_decisions_allocation_and_reopening_need_a_manager() -> None:
    assert {
        (S.RECEIVED, S.ACCEPTED),
        (S.RECEIVED, S.DECLINED),
        (S.RECEIVED, S.SIGNPOSTED),
        (S.SCREENING, S.ACCEPTED),
        (S.SCREENING, S.DECLINED),
        (S.SCREENING, S.SIGNPOSTED),
        (S.ACCEPTED, S.ALLOCATED),
        (S.CLOSED, S.ACTIVE),
    } == MANAGER_ONLY
    assert MANAGER_ONLY <= ALLOWED


@pytest.mark.parametrize(
    ("current", "new"),
    [(S.RECEIVED, S.SCREENING), (S.ALLOCATED, S.ACTIVE), (S.ACTIVE, S.CLOSED)],
)
def test_a_caseworker_may_start_screening_start_work_and_close(current: S, new: S) -> None:
    assert not requires_manager(current, new)


def test_reopening_is_closed_to_active_and_needs_a_manager() -> None:
    assert is_reopening(S.CLOSED, S.ACTIVE)
    assert not is_reopening(S.ALLOCATED, S.ACTIVE)
    assert requires_manager(S.CLOSED, S.ACTIVE)


@pytest.mark.parametrize("new", [S.DECLINED, S.SIGNPOSTED, S.CLOSED])
def test_declining_signposting_and_closing_need_a_reason(new: S) -> None:
    assert decision_requires_reason(new)


def test_reopening_needs_a_reason_but_starting_work_does_not() -> None:
    assert decision_requires_reason(S.ACTIVE, S.CLOSED)
    assert not decision_requires_reason(S.ACTIVE, S.ALLOCATED)
    assert not decision_requires_reason(S.ACTIVE)


@pytest.mark.parametrize("new", [S.SCREENING, S.ACCEPTED, S.ALLOCATED])
def test_moving_forward_needs_no_reason(new: S) -> None:
    assert not decision_requires_reason(new, S.RECEIVED)


def test_three_missed_sessions_in_a_row_is_disengagement() -> None:
    assert is_disengaged([A.DID_NOT_ATTEND, A.DID_NOT_ATTEND, A.DID_NOT_ATTEND, A.ATTENDED])


def test_cancelling_counts_as_missing() -> None:
    assert is_disengaged(
        [A.CANCELLED_BY_YOUNG_PERSON, A.DID_NOT_ATTEND, A.CANCELLED_BY_YOUNG_PERSON]
    )


def test_an_attended_session_among_the_last_three_breaks_the_run() -> None:
    assert not is_disengaged([A.DID_NOT_ATTEND, A.ATTENDED, A.DID_NOT_ATTEND, A.DID_NOT_ATTEND])
    assert not is_disengaged([A.ATTENDED, A.DID_NOT_ATTEND, A.DID_NOT_ATTEND, A.DID_NOT_ATTEND])


def test_planned_and_service_cancelled_sessions_are_skipped() -> None:
    history = [
        A.PLANNED,
        A.DID_NOT_ATTEND,
        A.CANCELLED_BY_SERVICE,
        A.DID_NOT_ATTEND,
        A.PLANNED,
        A.CANCELLED_BY_SERVICE,
        A.DID_NOT_ATTEND,
        A.ATTENDED,
    ]
    assert is_disengaged(history)


def test_fewer_offered_sessions_than_the_threshold_is_not_disengagement() -> None:
    assert not is_disengaged([])
    assert not is_disengaged([A.DID_NOT_ATTEND, A.DID_NOT_ATTEND])
    assert not is_disengaged([A.DID_NOT_ATTEND, A.CANCELLED_BY_SERVICE, A.DID_NOT_ATTEND])
    assert not is_disengaged([A.PLANNED] * 5)


def test_the_threshold_can_be_set() -> None:
    two_missed = [A.DID_NOT_ATTEND, A.DID_NOT_ATTEND, A.ATTENDED]
    assert is_disengaged(two_missed, threshold=2)
    assert not is_disengaged(two_missed, threshold=3)
    assert is_disengaged([A.DID_NOT_ATTEND], threshold=1)


def test_disengagement_reads_only_as_far_as_it_needs() -> None:
    def history() -> Iterator[Attendance]:  # a long history read lazily, newest first
        yield A.DID_NOT_ATTEND
        yield A.DID_NOT_ATTEND
        yield A.DID_NOT_ATTEND
        raise AssertionError("read past the third offered session")

    assert is_disengaged(history())


def test_a_threshold_below_one_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        is_disengaged([A.DID_NOT_ATTEND], threshold=0)
