"""The start's objects are frozen out of the cyclic collector's full collections
(``heap.settle_heap``): a full collection walked some 200,000 of them each time, 100 ms in
every other case summary at 300,000 people."""

from __future__ import annotations

import gc

from veru_desk.heap import settled_heap


def test_the_objects_made_so_far_are_frozen_and_handed_back_after_the_block() -> None:
    gc.unfreeze()  # whatever an earlier test left, so the counts below are this test's
    made_before = len(gc.get_objects())
    with settled_heap():
        assert gc.get_freeze_count() >= made_before * 0.9
        assert len(gc.get_objects()) < made_before * 0.1  # a full collection's walk now
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle made after: still the collector's
        del garbage
        assert gc.collect() >= 1
    assert gc.get_freeze_count() == 0
    assert len(gc.get_objects()) >= made_before * 0.9
