"""Documents gathered in one read transaction, so they print one moment.

A case summary or a subject access copy is read by a dozen queries. Read in separate
transactions (or, on a server, at READ COMMITTED) a session saved on another PC half-way
through could be in the chronology and the attendance figures but not among the recent
sessions. A service that gathers a document reads it all through ``_snapshot`` and hands the
open session to the ``*_in`` read variants of the services whose sections it borrows.

A document read across the whole database (the outcome report) can be read on two
connections that see the same moment (``_snapshot_pair``), half of it on a second thread
(``beside``): the statements run in parallel on a second core.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar, cast

from sqlalchemy.orm import Session

from veru_desk.heap import give_back_freed_memory
from veru_desk.services.base import Service

T = TypeVar("T")


class SnapshotService(Service):
    @contextmanager
    def _snapshot(self, *, wide: bool = False) -> Iterator[Session]:
        """Like ``_read``, but one moment on every engine (``Database.snapshot``); ``wide``
        for a document read across the whole database."""
        with self._translated_errors(), self.db.snapshot(wide=wide) as session:
            self._check_account(session)
            yield session
        if wide:
            give_back_freed_memory()

    @contextmanager
    def _snapshot_pair(self, *, wide: bool = False) -> Iterator[tuple[Session, Session | None]]:
        """Two sessions that see one moment (``Database.snapshot_pair``); the second is None
        when it could not be had at once, and everything is then read through the first."""
        with self._translated_errors(), self.db.snapshot_pair(wide=wide) as (first, second):
            self._check_account(first)
            if second is not None:
                self._check_account(second)
            yield first, second
        if wide:
            give_back_freed_memory()


class Beside(Generic[T]):
    """Work running on a second thread (``beside``), or waiting to run on the one that asks
    for its result."""

    def __init__(self, work: Callable[[], T], *, threaded: bool) -> None:
        self._work: Callable[[], T] | None = work
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="veru-beside", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        work, self._work = self._work, None
        if work is None:
            return
        try:
            self._value = work()
        except BaseException as error:  # handed to the waiting thread, raised there
            self._error = error

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
        else:
            self._run()

    def result(self) -> T:
        """Waits for the work (or does it); its value, or its error raised here."""
        self.wait()
        if self._error is not None:
            raise self._error
        return cast(T, self._value)  # set by the work, which did not fail


@contextmanager
def beside(work: Callable[[], T], stop: Callable[[], None] | None) -> Iterator[Beside[T]]:
    """Runs ``work`` on a second thread while the block runs on this one; or, when ``stop``
    is None (no second connection to run it on), on this thread when the block asks for
    its result.

    If the block fails, ``stop`` interrupts the work and the thread is waited for before the
    error goes on: its connection is never handed back to the pool, or closed, while a
    statement is still running on it. The work's own error is then dropped for the block's.
    """
    running = Beside(work, threaded=stop is not None)
    try:
        yield running
    except BaseException:
        if running._thread is not None and stop is not None:
            if running._thread.is_alive():
                stop()
            running._thread.join()
        raise
    running.result()  # waited for, and its error raised, even if the block never asked
