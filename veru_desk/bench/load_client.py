"""One PC of the shared office the ``bench --server`` load runs (see ``bench.load``).

    python -m veru_desk.bench.load_client URL USERNAME PASSWORD SEED SECONDS THINK

Signs in as the caseworker USERNAME through the same path the app takes (their own login on
a server set up with ``server setup``), takes their own open cases, does each action once untimed (a
PC that has been in use has paid for its imports and statement caches), prints ``ready`` and
waits
for a line on standard input: the parent's starting gun, so every PC starts together. Then for
SECONDS it does a caseworker's mix on those cases through the app's services: search for a
young person, open a case (what the workspace loads: the record, its sessions and its
chronology), record a session that happened, add a case note; pausing THINK seconds between
actions, as a person reads what they asked for.

Every committed write is printed at once (``saved session ID`` / ``saved note ID``), flushed,
so the parent counts what this PC was told had been saved even if it dies; every failure is
printed as ``error OPERATION message``. It ends with one ``times`` line of JSON: the seconds
each operation took, every one of them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable

from veru_desk.bench.load import MIX
from veru_desk.config import resolve_database
from veru_desk.domain.enums import Attendance, SessionType
from veru_desk.services import Services
from veru_desk.services.caseload import CaseloadFilter, CaseloadSort


def _say(line: str) -> None:
    print(line, flush=True)


class Caseworker:
    """The actions of the mix, on this caseworker's own open cases."""

    def __init__(self, services: Services, cases: list[int], seed: int) -> None:
        self.services = services
        self.cases = cases
        self.rng = random.Random(seed)
        rows = services.caseload.rows(cases)
        self.surnames = [row.last_name for row in rows if row.last_name]
        self.births = {row.person_id: row.date_of_birth for row in rows}
        self.written = 0

    def search(self) -> None:
        surname = self.rng.choice(self.surnames)
        self.services.people.search(surname[: self.rng.choice((2, 3, 4))])

    def open_case(self) -> None:
        person_id = self.rng.choice(self.cases)
        self.services.people.get(person_id)
        self.services.sessions.for_person(person_id)
        self.services.chronology.for_person(person_id)

    def record_session(self) -> None:
        from veru_desk.services.mentoring import SessionInput

        person_id = self.rng.choice(self.cases)
        self.written += 1
        # Yesterday afternoon, a minute apart: a session that has happened, never in the future.
        yesterday = dt.datetime.now().replace(hour=14, minute=0, second=0, microsecond=0)
        when = yesterday - dt.timedelta(days=1, minutes=self.written)
        saved = self.services.sessions.book(
            person_id,
            SessionInput(
                planned_start=when,
                session_type=SessionType.ONE_TO_ONE,
                location="Youth centre",
                attendance=Attendance.ATTENDED,
                notes="Talked through the week at school and the plan for half term.",
            ),
        )
        _say(f"saved session {saved}")

    def add_note(self) -> None:
        from veru_desk.services.notes import NoteInput

        person_id = self.rng.choice(self.cases)
        occurred = dt.datetime.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
        born = self.births.get(person_id)
        if born is not None and occurred.date() <= born:
            occurred = dt.datetime.combine(born + dt.timedelta(days=1), dt.time(9))
        saved = self.services.notes.add(
            person_id,
            NoteInput(
                occurred_at=occurred,
                subject="Phone call with school",
                body="Head of year says attendance is up this week; next review in a fortnight.",
            ),
        )
        _say(f"saved note {saved}")


def own_cases(services: Services) -> list[int]:
    user_id = services.actor.user_id
    return services.caseload.ids(
        CaseloadFilter(worker_id=user_id, open_only=True), CaseloadSort.CASE_REF, limit=500
    )


def main(argv: list[str]) -> int:
    url, username, password, seed = argv[0], argv[1], argv[2], int(argv[3])
    seconds, think = float(argv[4]), float(argv[5])
    from veru_desk.bench.cache import open_signed_in

    db, actor = open_signed_in(resolve_database(url), username, password)
    services = Services(db, actor)
    cases = own_cases(services)
    if not cases:
        _say(f"error start {username} has no open cases of their own")
        return 1
    worker = Caseworker(services, cases, seed)
    actions: dict[str, Callable[[], None]] = {
        "search": worker.search,
        "open_case": worker.open_case,
        "record_session": worker.record_session,
        "add_note": worker.add_note,
    }
    names = [name for name, _weight in MIX]
    weights = [weight for _name, weight in MIX]
    times: dict[str, list[float]] = {name: [] for name in names}
    # Each action once, untimed: the first of each pays for imports and statement caches that
    # a caseworker's PC has long since paid, alone or in a busy office alike.
    for name in names:
        try:
            actions[name]()
        except Exception as error:
            _say(f"error {name} {type(error).__name__}: {' '.join(str(error).split())[:300]}")
    _say("ready")
    sys.stdin.readline()
    ends = time.perf_counter() + seconds
    try:
        while time.perf_counter() < ends:
            name = worker.rng.choices(names, weights)[0]
            began = time.perf_counter()
            try:
                actions[name]()
            except Exception as error:  # counted and shown: the parent's figure must be 0
                message = " ".join(str(error).split())[:300]
                _say(f"error {name} {type(error).__name__}: {message}")
            else:
                times[name].append(time.perf_counter() - began)
            if think:
                time.sleep(think)
    finally:
        _say("times " + json.dumps(times))
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
