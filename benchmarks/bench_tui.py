"""TUI benchmarks (issue 12).

1. `lcm tui` to the first full paint (the tree filled) on a repo of 10 tenants x 4 envs x
   25 files (1,000 files), in a pseudo-terminal, next to `python -c "import textual"`
   (target: <= 1 s).
2. Opening a 500-key file in the table, in process: from the request to the rows shown
   (target: <= 100 ms), and the UI-thread part of it.
3. The longest message handler on the UI thread while browsing that repo with the
   keyboard (target: <= 50 ms), measured by timing every message dispatch.

Run: `.venv/bin/python benchmarks/bench_tui.py`
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

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


async def in_process(root: Path) -> dict[str, object]:
    """Open the 500-key file (timed) and browse the tree, timing every UI-thread handler."""
    from textual.message_pump import MessagePump

    import lcm.api as api
    from lcm_tui import LcmApp
    from lcm_tui.widgets.config_table import ConfigTable

    slowest: list[tuple[float, str]] = []
    recording = False
    original = MessagePump._dispatch_message

    async def timed(self: MessagePump, message: object) -> None:
        start = time.perf_counter()
        try:
            await original(self, message)  # type: ignore[arg-type]
        finally:
            if recording:
                slowest.append((time.perf_counter() - start,
                                f"{type(self).__name__}<-{type(message).__name__}"))

    MessagePump._dispatch_message = timed  # type: ignore[method-assign]
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
        # browse: walk down the tree through tenants, envs and files with the keyboard
        app.query_one("#tree").focus()
        await pilot.press("home")
        recording = True
        for key in ["down"] * 40 + ["space", "down", "down"] * 10 + ["up"] * 40:
            await pilot.press(key)
            await app.workers.wait_for_complete()
        await pilot.pause()
        recording = False
    MessagePump._dispatch_message = original  # type: ignore[method-assign]
    LcmApp._show_view = original_show  # type: ignore[method-assign]
    slowest.sort(reverse=True)
    return {"filled": filled, "settled": settled, "big_shows": big_shows, "handlers": slowest}


def main() -> None:
    tmp = tempdir("lcm-bench-tui-")
    env = isolated_env(tmp)
    os.environ.update(env)
    compile_tui()
    start = time.perf_counter()
    root = make_repo(tmp / "cfg")
    files = sum(1 for _ in (root / "config").rglob("*.yaml"))
    print(f"generated {files} files in {time.perf_counter() - start:.1f} s ({root})")

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
    shows, handlers = result["big_shows"], result["handlers"]
    assert isinstance(filled, list) and isinstance(settled, list)
    assert isinstance(shows, list) and isinstance(handlers, list)
    print("\n2. Opening the 500-key file in the table (in process, warm)")
    print(f"   request -> 500 rows in the table            median {ms(median(filled))}"
          f"   p90 {ms(pct(filled, 90))}   (target <= 100 ms)")
    print(f"   request -> painted and idle (upper bound)   median {ms(median(settled))}"
          f"   p90 {ms(pct(settled, 90))}")
    print(f"   of which on the UI thread (table fill)      median {ms(median(shows))}"
          f"   max {ms(max(shows))}")
    print("\n3. UI-thread message handlers while browsing with the keyboard")
    times = [t for t, _ in handlers]
    print(f"   {len(times)} handlers: median {ms(median(times))}, p99 {ms(pct(times, 99))},"
          f" max {ms(times[0])}  (target <= 50 ms)")
    for seconds, what in handlers[:5]:
        print(f"     {ms(seconds):>10}  {what}")


if __name__ == "__main__":
    main()
