"""Blocking library calls in worker threads, their results handed back on the UI thread.

A caller names what to do with the result; the worker's `StateChanged` message (handled
on the UI thread) runs it, so only message handlers ever touch widgets.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from textual import on
from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

from lcm.errors import LcmError

Done = Callable[[Any], object]  # a result, e.g. `dismiss`, is ignored
Failed = Callable[[str, BaseException], None]


def error_text(error: BaseException) -> str:
    """What the user is told about a failure: lcm's own message (never a secret, by
    contract), else only the exception's type (its text might quote a value)."""
    if isinstance(error, LcmError):
        return error.message
    return f"unexpected {type(error).__name__}; the repository was not changed by it"


class LibraryCalls(DOMNode):
    """Mixin for apps and screens: `self.call_library(fn, *args, done=...)`."""

    def call_library(self, fn: Callable[..., Any], *args: Any, done: Done | None = None,
                     failed: Failed | None = None, name: str = "", exclusive: bool = False,
                     group: str = "lcm") -> Worker[Any]:
        worker = self.run_worker(partial(fn, *args), name=name or fn.__name__, group=group,
                                 thread=True, exclusive=exclusive, exit_on_error=False)
        _callbacks[worker] = (done, failed)
        return worker

    @on(Worker.StateChanged)
    def _library_call_finished(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker not in _callbacks or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        done, failed = _callbacks.pop(worker)
        if event.state == WorkerState.SUCCESS:
            if done is not None:
                done(worker.result)
        elif event.state == WorkerState.ERROR and worker.error is not None:
            if failed is not None:
                failed(error_text(worker.error), worker.error)
            else:
                self.app.notify(error_text(worker.error), title="lcm", severity="error",
                                timeout=8)


_callbacks: dict[Worker[Any], tuple[Done | None, Failed | None]] = {}
