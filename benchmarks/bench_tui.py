"""TUI benchmarks (issue 12).

1. `lcm tui` to the first full paint (the tree filled) on a repo of 10 tenants x 4 envs x
   25 files (1,000 files), in a pseudo-terminal, next to `python -c "import textual"`
   (target: <= 1 s).
2. Opening a 500-key file in the table, in process: from the request to the rows shown
   (target: <= 100 ms), and the UI-thread part of it.
3. The longest message handler on the UI thread while browsing that repo with the
   keyboard (target: <= 50 ms), measured by timing every message dispatch (a handler's
   time includes what it awaits), and the longest uninterrupted run of the event loop
   (one asyncio callback: how long the UI could not react).
4. Opening the edit dialog on a row of the 500-key file: the same two measures, for the
   first opening and later ones, and for closing it (the main screen repaints).
5. The tree's listing in process: one `config_names` per env (the TUI before
   `repo.listing()`) next to `repo.listing()` (one walk of config/).

Run: `.venv/bin/python benchmarks/bench_tui.py`
"""

from __future__ import annotations

import asyncio
import asyncio.events
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import isolated_env, lcm_exe, median, ms, pct, tempdir, wall  # noqa: E402
from tui.gen import BIG, make_repo  # noqa: E402

RUNS = 5


def compile_tui() -> None:
    """Byte-compile lcm_tui too (`_common` compiles lcm), as a wheel install would."""
    import compileall

    import lcm_tui

    compileall.compile_dir(str(Path(lcm_tui.__file__).parent), quiet=1)


def first_paint(root: Path, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawning `lcm tui` until the tree shows envs, and until it exited on q."""
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(lcm_exe(), ["tui", str(root)], env=env, dimensions=(36, 120),
                          encoding="utf-8", timeout=60)
    child.expect("tenant00")
    child.expect("production")
    painted = time.perf_counter() - start
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.exitstatus
    return painted, time.perf_counter() - start


class UiTimer:
    """Times, while `recording`, every message dispatch (handler) and every event-loop
    callback (an uninterrupted run of the UI thread)."""

    def __init__(self) -> None:
        from textual.message_pump import MessagePump

        self.recording = False
        self.handlers: list[tuple[float, str]] = []
        self.steps: list[float] = []
        self._dispatch = MessagePump._dispatch_message
        self._run = asyncio.events.Handle._run
        timer = self

        async def timed(pump: Any, message: object) -> None:
            start = time.perf_counter()
            try:
                await timer._dispatch(pump, message)
            finally:
                if timer.recording:
                    timer.handlers.append((time.perf_counter() - start,
                                           f"{type(pump).__name__}<-{type(message).__name__}"))

        def run(handle: asyncio.events.Handle) -> None:
            start = time.perf_counter()
            try:
                timer._run(handle)
            finally:
                if timer.recording:
                    timer.steps.append(time.perf_counter() - start)

        MessagePump._dispatch_message = timed  # type: ignore[method-assign]
        asyncio.events.Handle._run = run  # type: ignore[method-assign]

    def start(self) -> None:
        self.handlers.clear()
        self.steps.clear()
        self.recording = True

    def stop(self) -> tuple[float, str, float]:
        """(longest handler, its name, longest loop step) since `start`."""
        self.recording = False
        handler, name = max(self.handlers, default=(0.0, "-"))
        return handler, name, max(self.steps, default=0.0)

    def restore(self) -> None:
        from textual.message_pump import MessagePump

        MessagePump._dispatch_message = self._dispatch  # type: ignore[method-assign]
        asyncio.events.Handle._run = self._run  # type: ignore[method-assign]


async def in_process(root: Path) -> dict[str, Any]:
    """Open the 500-key file (timed), browse the tree timing every UI-thread handler, and
    open the edit dialog on a row of the big file."""
    import lcm.api as api
    from lcm_tui import LcmApp
    from lcm_tui.screens.edit import EditScreen
    from lcm_tui.widgets.config_table import ConfigTable

    ui = UiTimer()
    app = LcmApp(root)
    filled_at: list[float] = []
    show_times: list[float] = []
    original_show = LcmApp._show_view

    def timed_show(self: LcmApp, view: api.ConfigView) -> None:
        start = time.perf_counter()
        original_show(self, view)
        filled_at.append(time.perf_counter())
        show_times.append(filled_at[-1] - start)

    LcmApp._show_view = timed_show  # type: ignore[method-assign]
    big = api.Address(*BIG)
    filled: list[float] = []
    settled: list[float] = []
    big_shows: list[float] = []
    dialogs: list[tuple[float, str, float]] = []
    closings: list[tuple[float, str, float]] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(RUNS * 2):
            for target in (api.Address("tenant01", "base", "svc00"), big):
                filled_at.clear()
                show_times.clear()
                start = time.perf_counter()
                app.open_file(target)
                await app.workers.wait_for_complete()
                await pilot.pause()  # the rows painted and the app idle again
                if target == big:
                    filled.append(filled_at[-1] - start)
                    settled.append(time.perf_counter() - start)
                    big_shows.append(show_times[-1])
        table = app.query_one(ConfigTable)
        assert table.row_count == 500, table.row_count
        # the edit dialog on a row of the big file: first opening, then later ones
        table.focus()
        await pilot.pause()
        for _ in range(RUNS + 1):
            ui.start()
            await pilot.press("e")
            await pilot.pause()
            await pilot.pause()
            dialogs.append(ui.stop())
            assert isinstance(app.screen, EditScreen), app.screen
            ui.start()
            await pilot.press("escape")
            await pilot.pause()
            await pilot.pause()
            closings.append(ui.stop())
            await pilot.pause(0.1)  # the main screen repainted: the next opening starts idle
        # browse: walk down the tree through tenants, envs and files with the keyboard
        app.query_one("#tree").focus()
        await pilot.press("home")
        ui.start()
        for key in ["down"] * 40 + ["space", "down", "down"] * 10 + ["up"] * 40:
            await pilot.press(key)
            await app.workers.wait_for_complete()
        await pilot.pause()
        ui.recording = False
    ui.restore()
    LcmApp._show_view = original_show  # type: ignore[method-assign]
    return {"filled": filled, "settled": settled, "big_shows": big_shows,
            "handlers": sorted(ui.handlers, reverse=True), "steps": sorted(ui.steps),
            "dialogs": dialogs, "closings": closings}


def listing_times(root: Path) -> tuple[list[float], list[float]]:
    """The tree's listing, in a fresh `Repo` each time: per-env `config_names` (how the TUI
    listed before) and `repo.listing()`."""
    import lcm.api as api

    def per_env() -> None:
        repo = api.Repo.open(root)
        tenants, envs = repo.tenants(), repo.environments()
        list(repo.files())
        for tenant in tenants:
            for env in envs:
                repo.config_names(tenant.name, env.name)

    def one_walk() -> None:
        api.Repo.open(root).listing()

    before = [_timed(per_env) for _ in range(RUNS * 2)]
    after = [_timed(one_walk) for _ in range(RUNS * 2)]
    return before, after


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    tmp = tempdir("lcm-bench-tui-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path) -> None:
    env = isolated_env(tmp)
    os.environ.update(env)
    compile_tui()
    start = time.perf_counter()
    root = make_repo(tmp / "cfg")
    files = sum(1 for _ in (root / "config").rglob("*.yaml"))
    print(f"generated {files} files in {time.perf_counter() - start:.1f} s")

    textual_import = wall([sys.executable, "-c", "import textual"], RUNS)
    textual_app = wall([sys.executable, "-c", "import textual.app, textual.widgets"], RUNS)
    paints, totals = zip(*(first_paint(root, {**env, "TERM": "xterm-256color"})
                           for _ in range(RUNS)))
    print("\n1. `lcm tui` to the first full paint (tree filled), 1,000 files, pty 120x36")
    print(f"   python -c 'import textual'                  median {ms(median(textual_import))}")
    print(f"   python -c 'import textual.app, .widgets'    median {ms(median(textual_app))}")
    print(f"   lcm tui: first paint with the tree filled   median {ms(median(paints))}"
          f"   max {ms(max(paints))}   (target <= 1000 ms)")
    print(f"   lcm tui: start, paint, q, exit              median {ms(median(totals))}")

    result = asyncio.run(in_process(root))
    filled, settled = result["filled"], result["settled"]
    shows, handlers, steps = result["big_shows"], result["handlers"], result["steps"]
    print("\n2. Opening the 500-key file in the table (in process, warm)")
    print(f"   request -> 500 rows in the table            median {ms(median(filled))}"
          f"   p90 {ms(pct(filled, 90))}   (target <= 100 ms)")
    print(f"   request -> painted and idle (upper bound)   median {ms(median(settled))}"
          f"   p90 {ms(pct(settled, 90))}")
    print(f"   of which on the UI thread (table fill)      median {ms(median(shows))}"
          f"   max {ms(max(shows))}")
    print("\n3. The UI thread while browsing with the keyboard")
    times = [t for t, _ in handlers]
    print(f"   {len(times)} handlers: median {ms(median(times))}, p99 {ms(pct(times, 99))},"
          f" max {ms(times[0])}  (target <= 50 ms)")
    for seconds, what in handlers[:5]:
        print(f"     {ms(seconds):>10}  {what}")
    print(f"   {len(steps)} event-loop runs: median {ms(median(steps))},"
          f" p99 {ms(pct(steps, 99))}, max {ms(steps[-1])}")
    first, *later = result["dialogs"]
    print("\n4. Opening the edit dialog on a row of the 500-key file")
    print(f"   first opening: longest handler {ms(first[0])} ({first[1]}),"
          f" longest event-loop run {ms(first[2])}   (target <= 50 ms)")
    for name, runs in ((f"later openings ({len(later)})", later),
                       (f"closings ({len(result['closings'])})", result["closings"])):
        print(f"   {name}: longest handler median {ms(median([d[0] for d in runs]))}"
              f" max {ms(max(d[0] for d in runs))}, longest event-loop run median"
              f" {ms(median([d[2] for d in runs]))} max {ms(max(d[2] for d in runs))}")
    before, after = listing_times(root)
    print("\n5. The tree's listing (fresh Repo each time, in process)")
    print(f"   config_names per tenant/env (before)        median {ms(median(before))}"
          f"   max {ms(max(before))}")
    print(f"   repo.listing(), one walk of config/         median {ms(median(after))}"
          f"   max {ms(max(after))}")


if __name__ == "__main__":
    main()
