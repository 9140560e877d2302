"""Arrests and charges during and after an episode (``outcome_cohort.offending``) against the
definition counted by hand in Python from the rows, with each of the report's filters, and
the shape of the work: one statement whatever the filter (a reason filter once made the
database walk the filter's referrals for every outcome record: 80 s at 10,000 people)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.services.test_reports import PERIOD, Unit, d
from tests.services.test_reports_commissioner import engaged, unit  # noqa: F401
from tests.statements import statements
from veru_desk.db.models import Outcome
from veru_desk.domain.enums import OutcomePoint, ReferralReason
from veru_desk.services.outcome_cohort import OffendingFigures, offending
from veru_desk.services.outcome_figures import _Queries
from veru_desk.services.outcomes import OutcomeInput


def _by_hand(
    episodes: list[tuple[int, dt.date, dt.date | None]],
    records: list[tuple[int, dt.date, int | None, int | None]],
) -> OffendingFigures:
    during: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    for person, on, arrests, charges in records:
        if arrests is None and charges is None:
            continue
        mine = [(s, c) for p, s, c in episodes if p == person]
        if any(s <= on and (c is None or on <= c) for s, c in mine):
            into = during
        elif any(c is not None and on > c for _s, c in mine):
            into = after
        else:
            continue
        sums = into.setdefault(person, [0, 0])
        sums[0] += arrests or 0
        sums[1] += charges or 0

    def five(group: dict[int, list[int]]) -> list[int]:
        values = list(group.values())
        return [
            len(values),
            sum(1 for a, _ in values if a),
            sum(a for a, _ in values),
            sum(1 for _, c in values if c),
            sum(c for _, c in values),
        ]

    return OffendingFigures(*five(during), *five(after))


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"worker": True},
        {"reason": ReferralReason.KNIFE_CARRYING},
        {"reason": ReferralReason.COUNTY_LINES},
    ],
)
def test_offending_matches_the_definition_counted_by_hand_in_one_statement(
    engaged: Unit,  # noqa: F811
    filters: dict[str, object],
) -> None:
    manager = engaged.manager
    # One more record after Łukasz's episode closed (01/07), one on Zoë's open episode, and
    # one with neither arrests nor charges (not counted anywhere).
    manager.outcomes.record(
        engaged.lukasz, OutcomeInput(d(1, 9), OutcomePoint.REVIEW, arrests=1, charges=0)
    )
    manager.outcomes.record(
        engaged.zoe, OutcomeInput(d(3, 5), OutcomePoint.REVIEW, arrests=0, charges=2)
    )
    manager.outcomes.record(engaged.an, OutcomeInput(d(4, 5), OutcomePoint.REVIEW, wellbeing=5))
    worker = engaged.dariusz.actor.user_id if filters.get("worker") else None
    reason = filters.get("reason")
    assert reason is None or isinstance(reason, ReferralReason)
    db = manager.db
    with db.read() as session:
        q = _Queries(session, PERIOD, worker, None, reason)
        episodes = [(p, s, c) for p, s, c in session.execute(q.supported_episodes()).all()]
        records = [
            (p, on, a, c)
            for p, on, a, c in session.execute(
                select(
                    Outcome.young_person_id, Outcome.recorded_on, Outcome.arrests, Outcome.charges
                ).where(Outcome.recorded_on <= PERIOD.end)
            ).all()
        ]
        with statements(db.engine) as sent:
            figures = offending(session, q.supported_episodes(), PERIOD.end)
    assert len(sent) == 1
    assert figures == _by_hand(episodes, records)
    if not filters:
        assert (figures.people_during, figures.people_after) == (2, 1)
