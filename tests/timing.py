"""Timing one piece of work inside a long test run.

By the time a timing test runs, the suite has left hundreds of thousands of objects on the
heap (Qt wrappers, ORM rows, fixtures' databases), and Python's cyclic collector walks them
all each time the work being timed allocates enough to trigger a full collection: the figure
then grows with the number of tests that ran before, not with the work. ``own_heap`` collects
once and freezes what is there, so the timed work pays only for its own objects, as it would
in the app.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def own_heap() -> Iterator[None]:
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
