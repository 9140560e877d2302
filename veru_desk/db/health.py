"""Is the database sound? SQLite's own integrity and foreign-key checks, the schema
compared with the one this release expects, and the audit trail: its append-only triggers
in place and switched on, and its hash chain whole up to the heads kept outside the database
(``db.audit_chain``).

Kept in ``db`` because it asks the engine directly; the service in ``services.health`` decides
who may run it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from veru_desk.db import audit_chain, migrate

# Enough lines of a failing check to find the problem without flooding a terminal.
MAX_DETAILS = 10


@dataclass(frozen=True)
class HealthReport:
    """``problems`` empty means healthy; ``passed`` says what was checked, for the log."""

    problems: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(engine: Engine, heads: Iterable[audit_chain.Head] = ()) -> HealthReport:
    """``heads``: where the audit chain ended when recorded outside the database (the key
    file, backups), so rows cut off the end are caught too."""
    problems: list[str] = []
    passed: list[str] = []
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            integrity = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            if integrity == ["ok"]:
                passed.append("SQLite integrity check: ok")
            else:
                problems.append(
                    "SQLite integrity check failed: "
                    + "; ".join(integrity[:MAX_DETAILS])
                    + ". Restore the latest backup."
                )
            orphans = list(connection.exec_driver_sql("PRAGMA foreign_key_check"))
            if orphans:
                counts: dict[tuple[str, str], int] = {}
                for table, _rowid, parent, _fk in orphans:
                    counts[(table, parent)] = counts.get((table, parent), 0) + 1
                problems.append(
                    "Foreign-key check failed: "
                    + "; ".join(
                        f"{n} row(s) in {table} point at missing rows in {parent}"
                        for (table, parent), n in list(counts.items())[:MAX_DETAILS]
                    )
                )
            else:
                passed.append("Foreign-key check: ok")
    current = migrate.current_revision(engine)
    head = migrate.head_revision()
    if current != head:
        problems.append(
            f"The schema is at migration {current or 'none'} but this release expects {head}: "
            "run `veru-desk init` to upgrade it."
        )
    else:
        differences = migrate.schema_differences(engine)
        lost = [d[1].name for d in differences if isinstance(d, tuple) and d[0] == "add_index"]
        others = [d for d in differences if not (isinstance(d, tuple) and d[0] == "add_index")]
        if lost:
            # Nothing is lost but speed: say so, and how to mend it, not "restore a backup".
            problems.append(
                f"{len(lost)} index(es) are missing ({', '.join(map(str, lost[:MAX_DETAILS]))}"
                f"{', …' if len(lost) > MAX_DETAILS else ''}): no record is affected, but "
                "searches are slow. Run `veru-desk init` to rebuild them."
            )
        if others:
            shown = "; ".join(str(d) for d in others[:MAX_DETAILS])
            problems.append(f"The schema differs from this release's models: {shown}")
        if not differences:
            passed.append(f"Migrations current ({head})")
        problems += audit_problems(engine, heads, passed)
    return HealthReport(problems, passed)


def audit_problems(
    engine: Engine, heads: Iterable[audit_chain.Head] = (), passed: list[str] | None = None
) -> list[str]:
    """The triggers, then the chain; each problem names the row and when (both engines)."""
    with engine.connect() as connection:
        problems = audit_chain.trigger_problems(connection)
        report = audit_chain.verify_chain(connection, heads)
    if report.problem is not None:
        problems.append(report.problem)
    elif passed is not None:
        passed.append(
            f"Audit trail: {report.rows} row(s), chain verified up to row {report.last_id or 0}"
            + (f" ({report.redacted} redacted for erasure)" if report.redacted else "")
        )
    if not problems and passed is not None:
        passed.append("Audit triggers: in place")
    return problems
