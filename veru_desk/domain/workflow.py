"""The referral workflow: which status moves are allowed, which need a manager, and when a
young person has stopped engaging.

Every move is dated, attributed and audited by the services; this module only decides whether
it is allowed, so that the desktop app, the importer and the command line refuse the same
moves with the same words.

    received   -> screening | accepted | declined | signposted
    screening  -> accepted | declined | signposted
    accepted   -> allocated | closed
    allocated  -> active | closed
    active     -> closed
    closed     -> active            (reopening: managers only)
    declined, signposted            (final: a new referral is made instead)

Changing the caseworker of an accepted, allocated or active case is a re-allocation, not a
status move (see ``can_reallocate``).

A referral for a young person whose case is open (an episode received, in screening,
accepted, allocated or active) is a *further referral* of that episode. It is triaged like any
referral, but the manager's decision only records what happens to it: accepting it adds it to
the open case, and the case itself keeps its status and worker. A further referral is never
allocated, closed or reopened on its own (see ``check_further_referral_move``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from datetime import date
from types import MappingProxyType

from veru_desk.domain.enums import Attendance, Priority, ReferralStatus
from veru_desk.domain.errors import WorkflowError

_S = ReferralStatus

TRANSITIONS: Mapping[ReferralStatus, frozenset[ReferralStatus]] = MappingProxyType(
    {
        _S.RECEIVED: frozenset({_S.SCREENING, _S.ACCEPTED, _S.DECLINED, _S.SIGNPOSTED}),
        _S.SCREENING: frozenset({_S.ACCEPTED, _S.DECLINED, _S.SIGNPOSTED}),
        _S.ACCEPTED: frozenset({_S.ALLOCATED, _S.CLOSED}),
        _S.ALLOCATED: frozenset({_S.ACTIVE, _S.CLOSED}),
        _S.ACTIVE: frozenset({_S.CLOSED}),
        _S.CLOSED: frozenset({_S.ACTIVE}),
        _S.DECLINED: frozenset(),
        _S.SIGNPOSTED: frozenset(),
    }
)

FINAL_STATUSES: frozenset[ReferralStatus] = frozenset({_S.DECLINED, _S.SIGNPOSTED})

# Triage decisions, allocation and reopening are a manager's call: they commit the unit's
# capacity or undo a closure that partners have been told about.
MANAGER_ONLY: frozenset[tuple[ReferralStatus, ReferralStatus]] = frozenset(
    {
        (triage, decision)
        for triage in (_S.RECEIVED, _S.SCREENING)
        for decision in (_S.ACCEPTED, _S.DECLINED, _S.SIGNPOSTED)
    }
    | {(_S.ACCEPTED, _S.ALLOCATED), (_S.CLOSED, _S.ACTIVE)}
)

# Saying no, passing a young person elsewhere, ending the work and reopening it are the
# decisions a safeguarding review asks "why?" about.
_REASON_NEEDED: frozenset[ReferralStatus] = frozenset({_S.DECLINED, _S.SIGNPOSTED, _S.CLOSED})

_REALLOCATABLE: frozenset[ReferralStatus] = frozenset({_S.ACCEPTED, _S.ALLOCATED, _S.ACTIVE})

DISENGAGEMENT_THRESHOLD = 3

# A further referral moves only through triage; everything after is the episode's.
_FURTHER_REFERRAL_MOVES: Mapping[ReferralStatus, frozenset[ReferralStatus]] = MappingProxyType(
    {
        _S.RECEIVED: TRANSITIONS[_S.RECEIVED],
        _S.SCREENING: TRANSITIONS[_S.SCREENING],
    }
)

# An episode in one of these has ended: a new referral then opens a new episode.
ENDED_STATUSES: frozenset[ReferralStatus] = frozenset({_S.CLOSED, _S.DECLINED, _S.SIGNPOSTED})

_SUBJECT: Mapping[ReferralStatus, str] = MappingProxyType(
    {
        _S.RECEIVED: "A received referral",
        _S.SCREENING: "A referral in screening",
        _S.ACCEPTED: "An accepted referral",
        _S.DECLINED: "A declined referral",
        _S.SIGNPOSTED: "A signposted referral",
        _S.ALLOCATED: "An allocated referral",
        _S.ACTIVE: "An active referral",
        _S.CLOSED: "A closed referral",
    }
)
_VERB: Mapping[ReferralStatus, str] = MappingProxyType(
    {
        _S.RECEIVED: "moved back to received",
        _S.SCREENING: "moved to screening",
        _S.ACCEPTED: "accepted",
        _S.DECLINED: "declined",
        _S.SIGNPOSTED: "signposted",
        _S.ALLOCATED: "allocated",
        _S.ACTIVE: "made active",
        _S.CLOSED: "closed",
    }
)


def allowed_transitions(status: ReferralStatus) -> frozenset[ReferralStatus]:
    """The statuses a referral in ``status`` may move to next (by anyone; see MANAGER_ONLY)."""
    return TRANSITIONS[status]


def is_allowed(current: ReferralStatus, new: ReferralStatus) -> bool:
    """True when the move is in the workflow, whoever makes it."""
    return new in TRANSITIONS[current]


def requires_manager(current: ReferralStatus, new: ReferralStatus) -> bool:
    """True when only a manager may make this move (triage decisions, allocation, reopening)."""
    return (current, new) in MANAGER_ONLY


def is_reopening(current: ReferralStatus, new: ReferralStatus) -> bool:
    """True for the move that reopens a closed case."""
    return current is _S.CLOSED and new is _S.ACTIVE


def check_transition(current: ReferralStatus, new: ReferralStatus) -> None:
    """Refuses a move the workflow does not allow, saying what can be done instead.

    Raises:
        WorkflowError: e.g. "A declined referral cannot be allocated: make a new referral
            instead."
    """
    if is_allowed(current, new):
        return
    raise WorkflowError(transition_refusal(current, new))


def check_further_referral_move(current: ReferralStatus, new: ReferralStatus) -> None:
    """Refuses a move of a further referral that belongs to its case's episode instead.

    Raises:
        WorkflowError: e.g. "A further referral of an open case is not closed on its own:
            close the case instead."
    """
    check_transition(current, new)
    if new in _FURTHER_REFERRAL_MOVES.get(current, frozenset()):
        return
    subject = "A further referral of an open case"
    if new is _S.ALLOCATED:
        message = f"{subject} is not allocated on its own: allocate the case instead."
    elif new is _S.CLOSED:
        message = f"{subject} is not closed on its own: close the case instead."
    else:
        message = f"{subject} cannot be {_verb(current, new)}: its decision is recorded."
    raise WorkflowError(message)


def further_decision_word(status: ReferralStatus) -> str:
    """What a triage decision means for a further referral, in the chronology's words."""
    if status is _S.ACCEPTED:
        return "Re-referral noted and added to the open case"
    return f"Re-referral {_VERB[status]}"


def transition_refusal(current: ReferralStatus, new: ReferralStatus) -> str:
    """The message for a refused move, for callers that list options rather than raise."""
    if new is current:
        state = "in screening" if current is _S.SCREENING else current.label.lower()
        message = f"The referral is already {state}."
        if can_reallocate(current):
            message += " To change the caseworker, re-allocate it."
        return message
    subject = _SUBJECT[current]
    verb = _verb(current, new)
    if current in FINAL_STATUSES:
        return f"{subject} cannot be {verb}: make a new referral instead."
    if current.awaiting_triage and new is _S.CLOSED:
        return f"{subject} cannot be {verb}: decline or signpost it instead."
    first_step = _first_step_towards(current, new)
    if first_step is not None:
        reason = f"it must be {_verb(current, first_step)} first."
    else:
        options = sorted(TRANSITIONS[current], key=list(ReferralStatus).index)
        reason = f"next it can be {_join_or([_verb(current, s) for s in options])}."
    if new is _S.ALLOCATED and can_reallocate(current):
        reason += " To change the caseworker, re-allocate it."
    return f"{subject} cannot be {verb}: {reason}"


def decision_requires_reason(
    new_status: ReferralStatus, current: ReferralStatus | None = None
) -> bool:
    """True when the move must record a reason: declining, signposting, closing, reopening.

    Pass ``current`` so that reopening (closed to active) is recognised; without it only the
    destination is considered.
    """
    if current is not None and is_reopening(current, new_status):
        return True
    return new_status in _REASON_NEEDED


def can_reallocate(status: ReferralStatus) -> bool:
    """True when the case may be given to another caseworker (accepted, allocated, active).

    Re-allocation keeps the status; like allocation it is a manager's decision.
    """
    return status in _REALLOCATABLE


def is_disengaged(
    attendances_newest_first: Iterable[Attendance], threshold: int = DISENGAGEMENT_THRESHOLD
) -> bool:
    """True when the young person missed each of the last ``threshold`` sessions offered.

    "Three missed sessions in a row" counts sessions the young person could have come to:
    did-not-attend and cancelled-by-young-person both count as missed (a young person who
    cancels every week has disengaged as surely as one who does not turn up); planned sessions
    (not happened yet) and those the service cancelled are skipped, so they neither break nor
    extend a run. Fewer than ``threshold`` offered sessions is never disengagement.

    Args:
        attendances_newest_first: attendance of the case's sessions, most recent first.
        threshold: how many missed sessions in a row raise the alert.

    Raises:
        ValueError: for a threshold below 1 (a programming error).
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    run = 0
    for attendance in attendances_newest_first:
        if not attendance.counts_as_offered:
            continue
        if not attendance.counts_as_missed:
            return False
        run += 1
        if run >= threshold:
            return True
    return False


def _verb(current: ReferralStatus, new: ReferralStatus) -> str:
    return "reopened" if is_reopening(current, new) else _VERB[new]


def _first_step_towards(current: ReferralStatus, target: ReferralStatus) -> ReferralStatus | None:
    """The first move on the shortest path to ``target``, or None when it cannot be reached."""
    queue: deque[tuple[ReferralStatus, ReferralStatus]] = deque(
        (step, step) for step in sorted(TRANSITIONS[current], key=list(ReferralStatus).index)
    )
    seen = {current}
    while queue:
        status, first = queue.popleft()
        if status is target:
            return first
        if status in seen:
            continue
        seen.add(status)
        queue.extend(
            (step, first) for step in sorted(TRANSITIONS[status], key=list(ReferralStatus).index)
        )
    return None


def _join_or(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


# --- the triage queue and signposting -------------------------------------------------------

#: how the triage queue says it is ordered (``triage_order``)
TRIAGE_ORDER_TEXT = "urgent first, then oldest first"

SIGNPOST_PREFIX = "Signposted to "


def triage_order(priority: Priority, received_on: date, referral_id: int) -> tuple[int, date, int]:
    """The sort key of the triage queue: urgent referrals first, then the oldest first (a new
    urgent referral must never sit at the bottom of a long queue)."""
    return (0 if priority is Priority.URGENT else 1, received_on, referral_id)


def signpost_problems(service: str) -> dict[str, str]:
    """Signposting needs the service the young person is passed to, in words a partner would
    recognise: the chronology and the case's referrals say where they went."""
    if not " ".join(service.split()):
        return {"signposted_to": "Name the service they are signposted to, e.g. Early Help."}
    if len(service) > 200:
        return {"signposted_to": "Keep the service's name under 200 characters."}
    return {}


def signpost_reason(service: str, reason: str) -> str:
    """The decision reason recorded for a signposting, where the referral's history, the
    chronology and the case's referrals tab show it: ``Signposted to Early Help: family
    agreed``. A reason that already starts with the same words is not repeated."""
    service = " ".join(service.split())
    reason = " ".join(reason.split())
    lead = f"{SIGNPOST_PREFIX}{service}"
    if reason.lower().startswith(lead.lower()):
        return reason
    return f"{lead}: {reason}" if reason else lead


def signposted_to(decision_reason: str | None) -> str | None:
    """The service named by ``signpost_reason`` (None for a reason it did not write)."""
    if not decision_reason or not decision_reason.startswith(SIGNPOST_PREFIX):
        return None
    return decision_reason[len(SIGNPOST_PREFIX) :].split(": ", 1)[0] or None
