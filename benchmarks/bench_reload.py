"""Hot reload benchmarks (issue 13).

1. `LiveConfig.refresh()` when nothing changed, on the 500-key env of 3 files that
   bench_core.py builds (target: p50 <= 100 us), next to the warm read bench_core
   measures (resolve + to_dict(reveal=True)) and a live read (`live.get(KEY)`).
2. Change-to-callback latency with the watcher: 20 changes made by `lcm set` in another
   process; from the moment the changed file landed on disk (its mtime) to `on_change`
   (target: <= 1 s, p50 and max), and from the start of the `lcm set` process.
3. `lcm exec --watch` change-to-restart latency: 10 changes by `lcm set`; from the file
   landing to the restarted child's first line (the live handle's poll and debounce, the
   supervisor's 0.5 s debounce, re-flattening, ending the old child, starting the new),
   next to [2].

Run: `.venv/bin/python benchmarks/bench_reload.py`
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import in_process, isolated_env, lcm_exe, median, pct, tempdir  # noqa: E402
from bench_core import build_repo  # noqa: E402


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} us"


def main() -> None:
    tmp = tempdir("lcm-bench-reload-")
    root = build_repo(tmp)
    import lcm

    repo = lcm.Repo.open(root)
    live = repo.live("acme", "production", "app")
    keys = sum(1 for _ in __import__("lcm.format.paths", fromlist=["x"]).iter_leaves(
        live.to_dict()))

    def warm() -> object:
        return repo.resolve("acme", "production", "app").to_dict(reveal=True)

    warm()
    runs = 20000
    refresh = in_process(live.refresh, runs)
    read = in_process(lambda: live.get("group3.setting_77"), runs)
    warm_read = in_process(warm, 2000)
    print(f"[1] {keys}-key env of 3 files, nothing changed, {runs} runs:")
    print(f"    live.refresh()            p50 {us(pct(refresh, 50))}   p99 {us(pct(refresh, 99))}"
          "   (target: p50 <= 100 us)")
    print(f"    live.get(KEY) (refresh + lookup) p50 {us(pct(read, 50))}   "
          f"p99 {us(pct(read, 99))}")
    print(f"    warm read (bench_core: resolve + to_dict(reveal=True)) p50 "
          f"{us(pct(warm_read, 50))}   p99 {us(pct(warm_read, 99))}")

    landed: list[float] = []
    called: list[float] = []
    done = threading.Event()

    def on_change(_old: object, _new: object, _paths: object) -> None:
        called.append(time.time())
        done.set()

    env = isolated_env(tmp)
    target = root / "config/acme/production/app.yaml"
    from_start: list[float] = []
    with repo.live("acme", "production", "app", on_change=on_change):
        for i in range(20):
            done.clear()
            start = time.time()
            subprocess.run([lcm_exe(), "-C", str(root), "set", "acme/production/app",
                            "group19.setting_499", f"changed-{i}"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            landed.append(os.stat(target).st_mtime_ns / 1e9)
            if not done.wait(10):
                raise SystemExit(f"no callback for change {i} within 10 s")
            from_start.append(called[-1] - start)
    latency = [c - m for c, m in zip(called, landed)]
    print("[2] change-to-callback latency, watcher (interval 0.1 s, debounce 0.2 s), "
          "20 x `lcm set` in another process:")
    print(f"    from the file landing on disk: p50 {median(latency) * 1000:.0f} ms   "
          f"max {max(latency) * 1000:.0f} ms   (target: <= 1 s)")
    print(f"    from the start of `lcm set`:   p50 {median(from_start) * 1000:.0f} ms   "
          f"max {max(from_start) * 1000:.0f} ms")
    exec_watch(root, env)


CHILD = """
import os, sys, time
with open(sys.argv[1], "a") as f:
    f.write(f"{time.time()} {os.environ['APP_GROUP19_SETTING_499']}\\n")
time.sleep(3600)
"""


def exec_watch(root: Path, env: dict[str, str], changes: int = 10) -> None:
    log = root.parent / "exec-watch.log"
    script = root.parent / "exec-watch-child.py"
    script.write_text(CHILD)
    target = root / "config/acme/production/app.yaml"
    proc = subprocess.Popen([lcm_exe(), "-C", str(root), "exec", "--watch", "acme/production",
                             "app", "--", sys.executable, str(script), str(log)], env=env)

    def lines() -> list[str]:
        return log.read_text().splitlines() if log.exists() else []

    def wait_for(count: int) -> None:
        end = time.monotonic() + 20
        while len(lines()) < count:
            if time.monotonic() > end:
                raise SystemExit(f"exec --watch: no start #{count} within 20 s")
            time.sleep(0.01)

    latency = []
    try:
        wait_for(1)
        for i in range(changes):
            subprocess.run([lcm_exe(), "-C", str(root), "set", "acme/production/app",
                            "group19.setting_499", f"restart-{i}"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            landed = os.stat(target).st_mtime_ns / 1e9
            wait_for(i + 2)
            stamp, value = lines()[-1].split(" ", 1)
            assert value == f"restart-{i}", value
            latency.append(float(stamp) - landed)
    finally:
        proc.terminate()
        proc.wait(30)
    print(f"[3] `lcm exec --watch` change-to-restart, {changes} x `lcm set` in another process"
          " (supervisor debounce 0.5 s):")
    print(f"    from the file landing to the new child's first line: p50 "
          f"{median(latency) * 1000:.0f} ms   max {max(latency) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
