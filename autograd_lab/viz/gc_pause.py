"""Build big graphs without Python's cycle collector scanning the heap again and again.

Capturing, splitting and rendering a graph of 100,000s of nodes allocates as many small
containers (nodes, dicts, tuples, lists). Each few hundred allocations start a collection of
the young objects, and often enough a collection of the whole heap: drawing a 30,000-node
graph took twice as long with the collector running. None of these objects form cycles, so
the collector has nothing to find; it is paused while they are built and resumed after.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def gc_paused():
    """Pause Python's cycle collector for the block (resumed after, also on error)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
