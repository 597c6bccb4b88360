"""The server's collector settings (publisher.core.heap): applied once the app is built."""

from __future__ import annotations

import gc

from publisher.core import heap


def test_after_start_what_was_built_is_frozen_and_collections_are_fewer():
    before = gc.get_threshold()
    try:
        heap.settle_after_start()
        assert gc.get_threshold() == (heap.GEN0, before[1], before[2])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
