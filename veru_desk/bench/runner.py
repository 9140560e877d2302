"""One benchmark run: the database, the operations, the table and the JSON file.

The run works on an encrypted (SQLCipher) copy of the cached database (see ``cache``), as
every new database is encrypted, unless ``--database`` names one. With ``plain`` it runs the
same operations again on a plain copy, to show what encryption costs; the budgets are judged
on the encrypted file, the one users run.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from veru_desk.bench.cache import (
    BENCH_USER,
    LARGE_CASE_SESSIONS,
    bench_dir,
    encrypted_cache,
    ensure_cache,
    largest_case,
    open_signed_in,
    remove_database_files,
    working_copy,
)
from veru_desk.bench.operations import OPERATIONS, Bench, Say
from veru_desk.bench.stats import Result
from veru_desk.config import resolve_database
from veru_desk.domain.errors import VeruError
from veru_desk.heap import settled_heap
from veru_desk.services import Services

if TYPE_CHECKING:
    from veru_desk.bench.load import LoadReport

LOAD_NAME = "shared_office"  # ``--only`` may name it: the load run of ``--server``
DEFAULT_PEOPLE = 100_000
DEFAULT_REPEAT = 5


@dataclass(frozen=True)
class BenchOptions:
    people: int = DEFAULT_PEOPLE
    seed: int = 1
    only: tuple[str, ...] = ()
    database: str | None = None  # an existing database: no build, no copy
    plain: bool = False  # also a plain (unencrypted) copy, for the comparison
    repeat: int = DEFAULT_REPEAT
    username: str = BENCH_USER
    password: str = ""
    server: str | None = None  # a PostgreSQL URL: filled to ``people`` and put under load
    clients: int = 8
    load_seconds: float = 60.0
    think: float = 0.5


@dataclass
class BenchReport:
    people: int
    database: str
    results: list[Result]  # on the encrypted file (or --database as it is)
    plain_results: list[Result]
    seconds: float
    build_seconds: float | None
    encrypted: bool | None = True  # None: --database or --server, run as it is
    load: LoadReport | None = None

    @property
    def all_within_budget(self) -> bool:
        return all(r.within_budget for r in self.results) and (
            self.load is None or self.load.within_budget
        )

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "people": self.people,
            "database": self.database,
            "total_s": round(self.seconds, 1),
            "build_s": None if self.build_seconds is None else round(self.build_seconds, 1),
            "encrypted": self.encrypted,
            "operations": [r.as_json() for r in self.results],
        }
        if self.plain_results:
            data["plain"] = {
                "operations": [r.as_json() for r in self.plain_results],
                "cost": encryption_cost(self.plain_results, self.results),
            }
        if self.load is not None:
            data[LOAD_NAME] = self.load.as_json()
        return data


def selected(only: Sequence[str]) -> list[str]:
    return [name for name in OPERATIONS if not only or name in only]


def run_bench(options: BenchOptions, say: Say) -> BenchReport:
    started = time.perf_counter()
    names = selected(options.only)
    build_seconds = None
    cached_path = None
    encrypted: bool | None = True
    plain: list[Result] = []
    if options.server:
        return _run_on_server(options, names, say, started)
    if options.database:
        location = resolve_database(options.database)
        say(f"Running on {location.display}: its data is used as it is, and written to.")
        if options.plain:
            say("--plain compares copies of the demo database; with --database it is ignored.")
        results, people = _run_on(location.url, None, names, options, say, label="")
        encrypted = None
    else:
        from veru_desk.demo import DEMO_PASSWORD

        cached = ensure_cache(options.people, options.seed, say)
        build_seconds = cached.build_seconds
        password = options.password or DEMO_PASSWORD
        cached_path = encrypted_cache(cached.path, options.username, password, say)
        work = working_copy(cached_path, "encrypted")
        try:
            results, people = _run_on(
                str(work), cached.large_case_id, names, options, say, label=""
            )
        finally:
            remove_database_files(work)
        if options.plain:
            work = working_copy(cached.path, "plain")
            try:
                plain, _people = _run_on(
                    str(work), cached.large_case_id, names, options, say, label="plain "
                )
            finally:
                remove_database_files(work)
    return BenchReport(
        people=people,
        database=str(cached_path) if cached_path else resolve_database(options.database).display,
        results=results,
        plain_results=plain,
        seconds=time.perf_counter() - started,
        build_seconds=build_seconds,
        encrypted=encrypted,
    )


def _run_on_server(
    options: BenchOptions, names: list[str], say: Say, started: float
) -> BenchReport:
    """The operations on a PostgreSQL server, then the shared office under load there."""
    from veru_desk.bench.load import shared_office
    from veru_desk.demo import DEMO_PASSWORD

    assert options.server is not None
    location = resolve_database(options.server)
    if location.path is not None:
        raise VeruError("--server takes a PostgreSQL URL (postgresql://...); a file is --database.")
    say(
        f"Running on the server {location.display}: it is filled to {options.people:,} people "
        "with demo data if it holds fewer, and written to."
    )
    build_seconds, large_case_id = fill_server(location.url, options.people, options.seed, say)
    results: list[Result] = []
    people = 0
    if names:
        results, people = _run_on(location.url, large_case_id, names, options, say, label="")
    load = None
    if not options.only or LOAD_NAME in options.only:
        say(f"Timing {LOAD_NAME}: {options.clients} PCs doing a caseworker's mix at once")
        load = shared_office(
            location.url,
            DEMO_PASSWORD,
            say,
            clients=options.clients,
            seconds=options.load_seconds,
            think=options.think,
            seed=options.seed,
        )
    return BenchReport(
        people=people,
        database=location.display,
        results=results,
        plain_results=[],
        seconds=time.perf_counter() - started,
        build_seconds=build_seconds,
        encrypted=None,
        load=load,
    )


def fill_server(url: str, people: int, seed: int, say: Say) -> tuple[float | None, int]:
    """The demo team, ``people`` young people and the large case on the server, adding only
    what is missing, so a second run starts at once; returns the seconds it took (None when
    nothing was added) and the large case."""
    from sqlalchemy import func, select

    from veru_desk.bench.cache import add_large_case, largest_case
    from veru_desk.db.models import MentoringSession, User, YoungPerson
    from veru_desk.db.opening import open_database
    from veru_desk.demo import DEMO_PASSWORD, add_demo_team, generate_demo_data
    from veru_desk.services.actor import SYSTEM
    from veru_desk.services.users import sign_in

    began = time.perf_counter()
    built = False
    # Through the one opening every entry point uses: a database set aside for the bench is
    # often new, and is given the schema (or brought up to date) as the app's first start would.
    db = open_database(resolve_database(url))
    try:
        with db.read() as session:
            users = session.scalar(select(func.count()).select_from(User)) or 0
            have = session.scalar(select(func.count()).select_from(YoungPerson)) or 0
        if not users:
            add_demo_team(db)
        if have < people:
            built = True
            say(f"Adding {people - have:,} young people to the server's {have:,}")
            last = [0.0]

            def progress(done: int, total: int) -> bool:
                now = time.perf_counter()
                if now - last[0] > 15 or done == total:
                    last[0] = now
                    say(f"  {done:,} of {total:,} young people ({now - began:.0f} s)")
                return True

            generate_demo_data(db, people - have, seed, progress, actor=SYSTEM)
        services = Services(db, sign_in(db, BENCH_USER, DEMO_PASSWORD))
        large = largest_case(services)
        with db.read() as session:
            sessions = session.scalar(
                select(func.count())
                .select_from(MentoringSession)
                .where(MentoringSession.young_person_id == large)
            )
        if (sessions or 0) < LARGE_CASE_SESSIONS:
            built = True
            large = add_large_case(services, seed, say)
    finally:
        db.dispose()
    return (time.perf_counter() - began if built else None), large


def _run_on(
    database: str,
    large_case_id: int | None,
    names: list[str],
    options: BenchOptions,
    say: Say,
    *,
    label: str,
) -> tuple[list[Result], int]:
    """The operations on one database; also says how many young people it holds."""
    from veru_desk.demo import DEMO_PASSWORD
    from veru_desk.services.caseload import CaseloadFilter

    password = options.password or DEMO_PASSWORD
    location = resolve_database(database)
    db, actor = open_signed_in(location, options.username, password)
    if Services(db, actor).users.must_change_password():
        # The app would ask for a new password in a dialog nobody can answer here, and the
        # start-up timing would wait for it until its watchdog gave up.
        db.dispose()
        raise VeruError(
            f"{options.username} must choose a new password (an administrator reset it) "
            "before the bench can start VERU Desk as them: sign in once in VERU Desk, choose "
            "one, then run the bench again with it."
        )
    workdir = bench_dir() / "work" / f"run-{time.time_ns()}"
    workdir.mkdir(parents=True)
    try:
        services = Services(db, actor)
        people = services.caseload.count(CaseloadFilter())  # before the import adds more
        bench = Bench(
            db=db,
            services=services,
            location=location,
            large_case_id=large_case_id or largest_case(services),
            username=options.username,
            password=password,
            repeat=options.repeat,
            workdir=workdir,
            say=say,
            seed=options.seed,
        )
        # The process as the app's is once signed in (app.run_app): the start's objects out
        # of the collector's sight, so an operation's full collections do not walk them.
        results = []
        with settled_heap():
            for name in names:
                operation = OPERATIONS[name]
                say(f"Timing {label}{name}: {operation.what}")
                began = time.perf_counter()
                try:
                    result = operation.run(bench)
                except Exception as error:  # one broken operation must not hide the others
                    result = Result(
                        name, operation.budget, error=f"{type(error).__name__}: {error}"
                    )
                say(f"  {_line(result)} ({time.perf_counter() - began:.0f} s)")
                results.append(result)
        return results, people
    finally:
        db.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


def encryption_cost(plain: list[Result], encrypted: list[Result]) -> list[dict[str, object]]:
    """Per operation: the encrypted median over the plain one (peak memory for ``memory``)."""
    by_name = {r.name: r for r in plain}
    cost: list[dict[str, object]] = []
    for secret in encrypted:
        mine = by_name.get(secret.name)
        if secret.peak_rss_mib is not None:  # memory: compare the memory, not the time
            ours = mine.peak_rss_mib if mine else None
            theirs: float | None = secret.peak_rss_mib
        else:
            ours = mine.median_s if mine else None
            theirs = secret.median_s
        cost.append(
            {
                "name": secret.name,
                "plain": None if ours is None else round(ours, 6),
                "encrypted": None if theirs is None else round(theirs, 6),
                "factor": None if not ours or theirs is None else round(theirs / ours, 3),
            }
        )
    return cost


# --- showing -------------------------------------------------------------------------------


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def _line(result: Result) -> str:
    if result.error:
        return f"failed: {result.error}"
    text = f"median {_seconds(result.median_s)}, p95 {_seconds(result.p95_s)}"
    if result.floor_s is not None:
        text += f", floor {_seconds(result.floor_s)}"
    if result.peak_rss_mib is not None:
        text += f", peak {result.peak_rss_mib:.0f} MiB"
    return text


def table(results: list[Result]) -> str:
    head = ("operation", "median", "p95", "floor", "ratio", "budget", "within")
    rows = [head]
    for r in results:
        median = f"{r.peak_rss_mib:.0f} MiB" if r.peak_rss_mib is not None else _seconds(r.median_s)
        rows.append(
            (
                r.name,
                median,
                "—" if r.peak_rss_mib is not None else _seconds(r.p95_s),
                _seconds(r.floor_s),
                "—" if r.ratio is None else f"{r.ratio:.2f}",
                r.budget.text,
                "yes" if r.within_budget else ("FAILED" if r.error else "NO"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.detail}" for r in results if r.detail]
    notes += [f"  {r.name} failed: {r.error}" for r in results if r.error]
    return "\n".join(lines + (["", *notes] if notes else []))


def print_report(report: BenchReport, out: TextIO) -> None:
    print(f"VERU Desk benchmark: {report.database}", file=out)
    facts = [f"{report.people:,} young people"] if report.people else []
    if report.encrypted is not None:
        facts.append("encrypted (SQLCipher)" if report.encrypted else "plain")
    if facts:
        print(", ".join(facts), file=out)
    print(file=out)
    if report.results:
        print(table(report.results), file=out)
    if report.load is not None:
        from veru_desk.bench.load import load_table

        print(file=out)
        print("A shared office under load (each PC a caseworker on their own cases):", file=out)
        print(load_table(report.load), file=out)
    if report.plain_results:
        print(file=out)
        print("The same on a plain (unencrypted) copy, for comparison:", file=out)
        print(table(report.plain_results), file=out)
        print(file=out)
        print("What encryption costs (encrypted median / plain median):", file=out)
        for item in encryption_cost(report.plain_results, report.results):
            factor = item["factor"]
            shown = "—" if factor is None else f"× {factor:.2f}"
            print(f"  {item['name']:<20} {shown}", file=out)
    print(file=out)
    build = (
        f", of which {report.build_seconds:.0f} s building the database"
        if (report.build_seconds)
        else ""
    )
    print(f"Total {report.seconds:.0f} s{build}.", file=out)


def write_json(report: BenchReport, path: Path) -> None:
    path.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n", "utf-8")
