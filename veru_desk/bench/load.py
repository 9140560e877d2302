"""A shared office under load: N PCs on one PostgreSQL server doing a caseworker's mix at once.

Each PC is its own process (``bench.load_client``), signed in as a caseworker of the demo team
on their own cases, as offices run it: one PC each. The demo team has five caseworkers, so
with more PCs than that some caseworkers sit at two PCs (the report says how many people the
PCs were). The same mix is first run by one PC alone, for the single-user figures the loaded
ones are judged against (as long as the loaded run, so one PC's p95 rests on as many actions
as each loaded PC's): per operation, the p95 under load at most twice the p95 alone.

Lost writes: every session and note a PC was told had been saved (its ``saved`` lines, printed
the moment the service returned) is looked up in the database afterwards; a PC that was told
"saved" for a record the database does not hold lost a write. Errors are every exception an
action raised, conflicts included: a caseworker's own cases are theirs alone, so none is
expected.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from veru_desk.bench.stats import median, percentile

#: The mix (``bench.load_client``), by how often a caseworker does each: mostly finding and
#: reading, some writing.
MIX: tuple[tuple[str, int], ...] = (
    ("search", 4),
    ("open_case", 3),
    ("record_session", 2),
    ("add_note", 2),
)
OPERATION_NAMES = tuple(name for name, _weight in MIX)
DEFAULT_CLIENTS = 8
DEFAULT_SECONDS = 60.0
DEFAULT_THINK = 0.5  # seconds a caseworker spends reading between actions
LOAD_RATIO = 2.0  # p95 under load at most this times the single-user p95
START_TIMEOUT_S = 120

Say = Callable[[str], None]


@dataclass
class OperationLoad:
    name: str
    loaded: list[float] = field(default_factory=list)
    single: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if not self.loaded or not self.single:
            return None
        return percentile(self.loaded, 0.95) / percentile(self.single, 0.95)

    @property
    def within_budget(self) -> bool:
        ratio = self.ratio
        return ratio is not None and ratio <= LOAD_RATIO

    def as_json(self) -> dict[str, object]:
        def p(samples: list[float], fraction: float | None) -> float | None:
            if not samples:
                return None
            value = median(samples) if fraction is None else percentile(samples, fraction)
            return round(value, 6)

        return {
            "name": self.name,
            "count": len(self.loaded),
            "p50_s": p(self.loaded, None),
            "p95_s": p(self.loaded, 0.95),
            "single_count": len(self.single),
            "single_p50_s": p(self.single, None),
            "single_p95_s": p(self.single, 0.95),
            "ratio_p95": None if self.ratio is None else round(self.ratio, 3),
            "budget": f"p95 ≤ {LOAD_RATIO:g} × single-user p95",
            "within_budget": self.within_budget,
        }


@dataclass
class LoadReport:
    clients: int
    caseworkers: int
    seconds: float
    think: float
    operations: list[OperationLoad]
    errors: list[str]
    saved_sessions: int
    saved_notes: int
    lost_writes: int
    load_average: tuple[float, float, float] | None = None

    @property
    def within_budget(self) -> bool:
        return (
            not self.errors
            and self.lost_writes == 0
            and all(op.within_budget for op in self.operations)
        )

    def as_json(self) -> dict[str, object]:
        return {
            "clients": self.clients,
            "caseworkers": self.caseworkers,
            "seconds": self.seconds,
            "think_s": self.think,
            "operations": [op.as_json() for op in self.operations],
            "errors": len(self.errors),
            "error_lines": self.errors[:20],
            "saved_sessions": self.saved_sessions,
            "saved_notes": self.saved_notes,
            "lost_writes": self.lost_writes,
            "load_average": self.load_average,
            "within_budget": self.within_budget,
        }


@dataclass
class _Outcome:
    times: dict[str, list[float]] = field(default_factory=dict)
    sessions: list[int] = field(default_factory=list)
    notes: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def caseworkers_of(url: str) -> list[str]:
    """The active caseworkers of the database, by username: the people the PCs sign in as."""
    from sqlalchemy import select

    from veru_desk.config import resolve_database
    from veru_desk.db.engine import Database
    from veru_desk.db.models import User
    from veru_desk.domain.enums import Role

    db = Database.open(resolve_database(url))
    try:
        with db.read() as session:
            users = session.scalars(select(User).order_by(User.username)).all()
            return [u.username for u in users if u.active and Role.CASEWORKER in u.role_set]
    finally:
        db.dispose()


def _start(
    url: str, username: str, password: str, seed: int, seconds: float, think: float
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "veru_desk.bench.load_client", url, username, password]
    command += [str(seed), str(seconds), str(think)]
    return subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def _read(lines: list[str], who: str, outcome: _Outcome) -> None:
    for line in lines:
        kind, _space, rest = line.partition(" ")
        if kind == "saved":
            what, _space, number = rest.partition(" ")
            (outcome.sessions if what == "session" else outcome.notes).append(int(number))
        elif kind == "error":
            outcome.errors.append(f"{who}: {rest}")
        elif kind == "times":
            for name, samples in json.loads(rest).items():
                outcome.times.setdefault(name, []).extend(samples)


def run_clients(
    url: str, usernames: list[str], password: str, seconds: float, think: float, seed: int
) -> _Outcome:
    """Starts one PC per username, fires them together, and gathers what each said."""
    outcome = _Outcome()
    children = [
        _start(url, name, password, seed * 1000 + n, seconds, think)
        for n, name in enumerate(usernames)
    ]
    try:
        for child, name in zip(children, usernames, strict=True):
            assert child.stdout is not None
            first = child.stdout.readline()
            while first and first != "ready\n":  # the warm-up's writes and errors count too
                _read([first.rstrip("\n")], name, outcome)
                first = child.stdout.readline()
            if first != "ready\n":
                child.kill()
                _out, err = child.communicate()
                last = (err.strip().splitlines() or [first.strip() or "no message"])[-1]
                outcome.errors.append(f"{name}: did not start: {first.strip()} {last}")
        ready = [c for c in children if c.poll() is None]
        for child in ready:  # the starting gun, as close together as a loop allows
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        for child, name in zip(children, usernames, strict=True):
            if child not in ready:
                continue
            out, err = child.communicate(timeout=seconds + START_TIMEOUT_S)
            _read([line for line in out.split("\n") if line], name, outcome)
            if child.returncode:
                last = (err.strip().splitlines() or ["no message"])[-1]
                outcome.errors.append(f"{name}: ended with status {child.returncode}: {last}")
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    return outcome


def count_missing(url: str, sessions: list[int], notes: list[int]) -> int:
    """How many of the writes the PCs were told were saved the database does not hold."""
    from sqlalchemy import select

    from veru_desk.config import resolve_database
    from veru_desk.db.engine import Database
    from veru_desk.db.models import CaseNote, MentoringSession

    db = Database.open(resolve_database(url))
    try:
        with db.read() as session:
            missing = 0
            for model, ids in ((MentoringSession, sessions), (CaseNote, notes)):
                wanted = set(ids)
                found: set[int] = set()
                chunk = sorted(wanted)
                for start in range(0, len(chunk), 1000):
                    part = chunk[start : start + 1000]
                    found.update(session.scalars(select(model.id).where(model.id.in_(part))))
                missing += len(wanted - found)
            return missing
    finally:
        db.dispose()


def _load_average() -> tuple[float, float, float] | None:
    try:
        import os

        one, five, fifteen = os.getloadavg()
    except (AttributeError, OSError):
        return None
    return (round(one, 2), round(five, 2), round(fifteen, 2))


def shared_office(
    url: str,
    password: str,
    say: Say,
    *,
    clients: int = DEFAULT_CLIENTS,
    seconds: float = DEFAULT_SECONDS,
    think: float = DEFAULT_THINK,
    seed: int = 1,
) -> LoadReport:
    """The single-user run, then ``clients`` PCs at once for ``seconds`` (see module doc)."""
    workers = caseworkers_of(url)
    if not workers:
        raise RuntimeError(
            "The database has no caseworkers for the PCs to sign in as: load demo data first."
        )
    single_seconds = seconds  # as long as the loaded run: a p95 of as many actions a PC
    say(f"  one PC alone for {single_seconds:g} s (the single-user figures)")
    alone = run_clients(url, workers[:1], password, single_seconds, think, seed)
    usernames = [workers[n % len(workers)] for n in range(clients)]
    people = len(set(usernames))
    say(f"  {clients} PCs ({people} caseworkers) at once for {seconds:g} s")
    together = run_clients(url, usernames, password, seconds, think, seed + 1)
    load_average = _load_average()
    sessions = alone.sessions + together.sessions
    notes = alone.notes + together.notes
    operations = [
        OperationLoad(name, together.times.get(name, []), alone.times.get(name, []))
        for name in OPERATION_NAMES
    ]
    return LoadReport(
        clients=clients,
        caseworkers=people,
        seconds=seconds,
        think=think,
        operations=operations,
        errors=alone.errors + together.errors,
        saved_sessions=len(sessions),
        saved_notes=len(notes),
        lost_writes=count_missing(url, sessions, notes),
        load_average=load_average,
    )


def load_table(report: LoadReport) -> str:
    def ms(samples: list[float], fraction: float | None) -> str:
        if not samples:
            return "—"
        value = median(samples) if fraction is None else percentile(samples, fraction)
        return f"{value * 1000:.1f} ms"

    head = ("operation", "count", "p50", "p95", "alone p95", "ratio", "budget", "within")
    rows = [head]
    for op in report.operations:
        rows.append(
            (
                op.name,
                str(len(op.loaded)),
                ms(op.loaded, None),
                ms(op.loaded, 0.95),
                ms(op.single, 0.95),
                "—" if op.ratio is None else f"{op.ratio:.2f}",
                f"ratio ≤ {LOAD_RATIO:g}",
                "yes" if op.within_budget else "NO",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(
        f"{report.clients} PCs as {report.caseworkers} caseworkers, {report.seconds:g} s, "
        f"{report.think:g} s between actions; errors {len(report.errors)}; saved "
        f"{report.saved_sessions} sessions and {report.saved_notes} notes, lost "
        f"{report.lost_writes}"
        + (
            f"; load average {report.load_average[0]:.2f}"
            if report.load_average is not None
            else ""
        )
    )
    lines += [f"  {line}" for line in report.errors[:10]]
    return "\n".join(lines)
