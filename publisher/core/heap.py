"""The server process's garbage collector, tuned once the app is built.

A request that reads thousands of rows makes hundreds of thousands of short-lived objects; with CPython's
defaults each burst of 700 allocations starts a collection, and the older generations are walked again and
again over everything the app holds. Measured on the calendar's month view with 5,000 events
(bench/activities.py): about a third of the request went to the collector. So, after start-up:
- what the app built (modules, templates, mappers) is moved out of the collector's sight (gc.freeze): it
  lives as long as the process anyway;
- the youngest generation is collected after GEN0 allocations instead of 700. Cycles are still collected,
  only in fewer, larger passes; memory grows by at most one pass's garbage.
"""

from __future__ import annotations

import gc

GEN0 = 10_000  # allocations between collections of the youngest generation (CPython's default: 700)


def settle_after_start() -> None:
    """Call once the app is built, before serving."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GEN0, gen1, gen2)
