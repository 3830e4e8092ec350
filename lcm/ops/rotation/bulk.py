"""Helpers for operations over every file of a tenant."""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a whole tenant is parsed: the parsed files
    stay alive until the operation ends, and each full collection would walk all of
    their nodes again (a third of the work on 100 files). Parsing builds no garbage
    cycles, so nothing waits for the collector meanwhile.

    On the way out the objects made meanwhile go straight to the oldest generation
    (`gc.freeze` then `gc.unfreeze`), as if they had survived: re-enabled as they are,
    the first allocation would scan every one of them as young (~80 ms on 100 files).
    Left as it is when the program froze objects itself (unfreeze would undo that)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
