"""Shared helpers for the benchmarks: temp repos, timing, report lines."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

BIN = Path(sys.executable).parent


def ensure_bytecode() -> None:
    """Compile lcm's sources once, as an installed wheel would be, so CLI timings do
    not include byte-compiling (this machine sets PYTHONDONTWRITEBYTECODE=1; the
    peers' site-packages were compiled by pip at install time)."""
    import compileall

    import lcm

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(Path(lcm.__file__).parent), quiet=1)


ensure_bytecode()


def lcm_exe() -> str:
    found = BIN / "lcm"
    return str(found) if found.exists() else shutil.which("lcm") or "lcm"


def isolated_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "LCM_")) and k != "PYTHONDONTWRITEBYTECODE"}
    env.update(XDG_DATA_HOME=str(tmp / "xdg"), HOME=str(tmp / "home"),
               LCM_AUTHOR="bench <bench@lcm.invalid>")
    (tmp / "home").mkdir(exist_ok=True)
    return env


def wall(cmd: list[str], runs: int, **kw) -> list[float]:
    """Wall times (seconds) of `runs` runs of a command (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kw)
        times.append(time.perf_counter() - start)
    return times


def in_process(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def median(values: list[float]) -> float:
    return statistics.median(values)


def tempdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))
