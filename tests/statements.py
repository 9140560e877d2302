"""Measuring a piece of work inside a test without timing it.

Tests check behaviour, not timings: the suite runs on a shared machine where a busy neighbour
doubles any figure (CI once failed a 10,000-row import at 17.3 s against a 15 s budget that the
bench meets in 6.5 s), and ``veru-desk bench`` is where speed is proven. What a test can check
without a clock is the shape of the work: ``statements`` counts the SQL a call sends, so a loop
that reads once per row (the usual way a screen or an import gets slow as data grows) fails the
same way on any machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent on ``engine`` inside the block (an executemany counts once)."""
    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", capture)
