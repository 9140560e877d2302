"""Reallocations in any order keep every open case on exactly one caseload (#19): whatever
batches a manager moves between whichever caseworkers, each case is with the worker it was
last sent to, the workload figures match the caseloads, and a case sent to the worker who
already has it writes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Team
from veru_desk.db.engine import Database
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter
from veru_desk.services.workload import WorkloadService

NAMES = (("Zoë", "Çelik"), ("Kai", "Henderson"), ("Aoife", "Ní Bhriain"), ("Seun", "Adeyemi"))


@pytest.fixture
def cases(team: Team, case_factory: Callable[..., int]) -> list[int]:
    """Four open cases, all with Dariusz to begin with."""
    return [case_factory(first, last, worker_id=team.dariusz.user_id) for first, last in NAMES]


moves = st.lists(
    st.tuples(
        st.sets(st.integers(0, len(NAMES) - 1), min_size=1),  # which cases
        st.sampled_from(["dariusz", "aisha", "ciaran"]),  # to whom
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(batches=moves)
def test_every_open_case_is_on_exactly_one_caseload_after_any_reallocations(
    db: Database, team: Team, cases: list[int], batches: list[tuple[set[int], str]]
) -> None:
    manager = WorkloadService(db, team.manager)
    people = {name: getattr(team, name) for name in ("dariusz", "aisha", "ciaran")}
    ids = {name: actor.user_id for name, actor in people.items()}
    # The database carries on from earlier examples: start the model from what it holds.
    holder = {
        person: name
        for name, actor in people.items()
        for person in Services(db, actor).caseload.ids(CaseloadFilter(worker_id=actor.user_id))
    }
    assert sorted(holder) == sorted(cases)
    for chosen, to in batches:
        moving = [cases[i] for i in sorted(chosen)]
        done = manager.reallocate(moving, ids[to], "Leave cover")
        assert sorted(m.person_id for m in done.moved) == sorted(
            p for p in moving if holder[p] != to
        )
        assert sorted(m.person_id for m in done.unchanged) == sorted(
            p for p in moving if holder[p] == to
        )
        holder.update({person: to for person in moving})
        figures = {f.user_id: f.open_cases for f in manager.workers()}
        for name, actor in people.items():
            mine = Services(db, actor).caseload.ids(CaseloadFilter(worker_id=actor.user_id))
            assert sorted(mine) == sorted(p for p, h in holder.items() if h == name)
            assert figures[actor.user_id] == len(mine)
