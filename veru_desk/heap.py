"""The desktop process's garbage collection, shared by the app, its lock screen and
``veru-desk bench`` (which runs the same work in its own process, as the app's is once signed
in). Standard library only: every layer may use it."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
from collections.abc import Callable, Iterator


def settle_heap() -> None:
    """Once signed in: what the start made (modules, classes, SQLAlchemy's mappers, Qt's
    wrappers, some 200,000 objects) lives as long as the process, so it is moved out of the
    cyclic garbage collector's sight (``gc.freeze``). Otherwise every full collection walks
    all of it again: 100-115 ms each, landing in every other case summary at 300,000 people
    (285 ms exports took 375-400 ms), and in any long report or import. Later objects are
    collected as before; a cycle already garbage at this moment is kept, once."""
    gc.freeze()


def unsettle_heap() -> None:
    """The frozen objects back in the collector's sight: when the signed-in session they were
    made for is thrown away (another user takes over at the lock screen), its database,
    services and window must be collectable, reference cycles and all, not kept for good."""
    gc.unfreeze()


@contextlib.contextmanager
def settled_heap() -> Iterator[None]:
    """``settle_heap`` for a block of work in a process that goes on after it (the bench, run
    in-process by its tests): the frozen objects are handed back to the collector after."""
    settle_heap()
    try:
        yield
    finally:
        unsettle_heap()


def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    return trim


def give_back_freed_memory() -> None:
    """After a document read across the whole database: the memory it freed goes back to the
    system, not only to the allocator.

    glibc keeps what a process frees for its next allocations, in every thread's arena. After
    an outcome report at 100,000 people (two threads reading a year of the database) the app
    stayed at 217-233 MiB although SQLite had given back its caches and the report's rows
    were gone; ``malloc_trim`` brought it to 89 MiB in 6 ms. Other allocators (Windows, macOS,
    musl) have no such call, and this does nothing there."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
