"""Merges, undos and new records in any order: every note is always where a model of the
merges says it should be, and undoing every merge gives back the records as they were."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from tests.conftest import make_team
from veru_desk.config import resolve_database
from veru_desk.db.engine import Database
from veru_desk.db.models import CaseNote, YoungPerson
from veru_desk.domain.errors import ValidationError
from veru_desk.services import Services
from veru_desk.services.notes import NoteInput
from veru_desk.services.people import PersonDetails

_NAMES = [
    ("Zoë", "Brontë"),
    ("Zoey", "Bronte"),
    ("Mohammed", "Al-Sayed"),
    ("Muhammad", "Al Sayed"),
    ("Chiamaka", "Okonkwo"),
]
_WHEN = dt.datetime.combine(dt.date.today() - dt.timedelta(days=2), dt.time(15, 0))


@dataclass
class _Merge:
    id: int
    keep: int
    other: int
    moved: set[int] = field(default_factory=set)
    undone: bool = False


class MergeMachine(RuleBasedStateMachine):
    template: Path  # set by the test: a migrated empty database to copy

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="veru-merges-"))
        shutil.copy(self.template, self.folder / "veru.db")
        self.db = Database.open(resolve_database(str(self.folder / "veru.db")))
        self.services = Services(self.db, make_team(self.db).manager)
        self.people: list[int] = []
        self.merged_into: dict[int, int] = {}
        self.owner: dict[int, int] = {}  # note id -> person it belongs to
        self.merges: list[_Merge] = []

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    @rule(name=st.sampled_from(_NAMES))
    def add_person(self, name: tuple[str, str]) -> None:
        pid = self.services.people.create(PersonDetails(name[0], name[1], dt.date(2010, 9, 14)))
        self.people.append(pid)

    @precondition(lambda self: bool(self.people))
    @rule(data=st.data())
    def add_note(self, data: st.DataObject) -> None:
        live = [p for p in self.people if p not in self.merged_into]
        pid = data.draw(st.sampled_from(live))
        note = self.services.notes.add(pid, NoteInput(_WHEN, "Phone call", "Checked in."))
        self.owner[note] = pid

    @precondition(lambda self: len(self.people) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        keep = data.draw(st.sampled_from(self.people))
        other = data.draw(st.sampled_from(self.people))
        versions = {}
        with self.db.read() as session:
            for pid in (keep, other):
                versions[pid] = session.get_one(YoungPerson, pid).version
        allowed = keep != other and keep not in self.merged_into and other not in self.merged_into
        try:
            merge_id = self.services.merging.merge(
                keep, other, {}, kept_version=versions[keep], other_version=versions[other]
            )
        except ValidationError:
            assert not allowed
            return
        assert allowed
        moved = {note for note, owner in self.owner.items() if owner == other}
        for note in moved:
            self.owner[note] = keep
        self.merged_into[other] = keep
        self.merges.append(_Merge(merge_id, keep, other, moved))

    @precondition(lambda self: any(not m.undone for m in self.merges))
    @rule(data=st.data())
    def undo(self, data: st.DataObject) -> None:
        merge = data.draw(st.sampled_from([m for m in self.merges if not m.undone]))
        blocked = any(
            later.id > merge.id and not later.undone and merge.keep in (later.keep, later.other)
            for later in self.merges
        )
        try:
            self.services.merging.undo(merge.id)
        except ValidationError:
            assert blocked
            return
        assert not blocked
        merge.undone = True
        for note in merge.moved:
            self.owner[note] = merge.other
        del self.merged_into[merge.other]

    @invariant()
    def every_note_is_where_the_merges_put_it(self) -> None:
        with self.db.read() as session:
            found = dict(session.execute(select(CaseNote.id, CaseNote.young_person_id)).all())
            pointers = dict(
                session.execute(
                    select(YoungPerson.id, YoungPerson.merged_into_id).where(
                        YoungPerson.merged_into_id.is_not(None)
                    )
                ).all()
            )
        assert found == self.owner
        assert pointers == self.merged_into

    @invariant()
    def search_never_lists_a_merged_away_record(self) -> None:
        if not self.merged_into:
            return
        listed = {hit.person_id for hit in self.services.people.search("14/09/2010")}
        assert not listed & set(self.merged_into)
        assert listed == set(self.people) - set(self.merged_into)


def test_any_order_of_merges_and_undos_keeps_every_record_where_it_belongs(
    template_db: Path,
) -> None:
    MergeMachine.template = template_db
    run_state_machine_as_test(
        MergeMachine,
        settings=settings(
            max_examples=int(os.environ.get("VERU_MACHINE_EXAMPLES", "15")),
            stateful_step_count=int(os.environ.get("VERU_MACHINE_STEPS", "12")),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
