"""Benchmarks for the history part: `lcm history FILE --limit 20` on 500- and 5,000-commit
repos (must stay within ±20 % of each other) and `lcm show --masked` on a 500-key file.

Run directly: `.venv/bin/python benchmarks/bench_history.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import isolated_env  # noqa: E402
from history.gen import WATCHED, make_repo  # noqa: E402

LCM = [sys.executable, "-m", "lcm.cli.gitcmd"]


def history_once_ms(root: Path) -> float:
    """Open the repo and walk to 20 commits with a fresh libgit2 handle (cold object cache)."""
    import pygit2

    from lcm.history.log import walk

    start = time.perf_counter()
    entries = list(walk(pygit2.Repository(str(root)), WATCHED, 20))
    elapsed = (time.perf_counter() - start) * 1000
    assert len(entries) == 20
    return elapsed


def cli_once_ms(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Wall ms of the real CLI in a subprocess (includes interpreter start-up)."""
    start = time.perf_counter()
    subprocess.run(LCM + args, cwd=cwd, env=env, check=True, capture_output=True)
    return (time.perf_counter() - start) * 1000


def interleaved(measure: dict[int, Callable[[], float]], runs: int) -> dict[int, float]:
    """Median per key, measuring the keys in turn so machine load hits each alike."""
    samples: dict[int, list[float]] = {k: [] for k in measure}
    for _ in range(runs):
        for key, fn in measure.items():
            samples[key].append(fn())
    return {k: statistics.median(v) for k, v in samples.items()}


def make_500_key_file(work: Path) -> tuple[Path, dict[str, str]]:
    """A sealed config file with 500 keys (50 of them secrets) in a fresh lcm repo."""
    env = isolated_env(work)
    os.environ.update(env)
    from lcm.ops.changeset import ChangeSet
    from lcm.repository.repo import Repo
    from lcm.ops.scaffold import add_tenant, init_repo

    root = init_repo(work / "keys-repo")
    add_tenant(Repo.open(root), "acme", "file")
    repo = Repo.open(root)
    plain = {f"group{g}": {f"key{k}": f"value {g}-{k}" for k in range(45)} for g in range(10)}
    plain["credentials"] = {f"svc{i}_api_key": f"sk-{i:040d}" for i in range(50)}
    addr = repo.address("acme/production/big")
    changes = ChangeSet(repo, "set", "bench")
    changes.replace(addr, plain)
    changes.commit()
    return repo.path_of(addr), env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        roots = {}
        for commits in (500, 5000):
            start = time.perf_counter()
            roots[commits] = make_repo(work / f"h{commits}", commits)
            print(f"generated {commits} commits in {time.perf_counter() - start:.1f}s")
        args = ["history", WATCHED, "--limit", "20", "-o", "json"]
        inproc = interleaved(
            {n: (lambda r=r: history_once_ms(r)) for n, r in roots.items()}, opts.runs
        )
        cli = interleaved(
            {n: (lambda r=r: cli_once_ms(args, r)) for n, r in roots.items()},
            max(7, opts.runs // 3),
        )
        for n in roots:
            print(
                f"{n:>5} commits: history --limit 20  "
                f"in-process {inproc[n]:.2f} ms   CLI {cli[n]:.0f} ms"
            )
        ratio, cli_ratio = inproc[5000] / inproc[500], cli[5000] / cli[500]
        verdict = "OK" if 0.8 <= ratio <= 1.2 else "OUTSIDE ±20 %"
        print(f"ratio 5000/500: in-process {ratio:.2f}  CLI {cli_ratio:.2f}  -> {verdict}")

        big, env = make_500_key_file(work)
        from lcm.format.document import Document
        from lcm.format.views import masked_view

        text = big.read_text()

        def masked_once() -> float:
            start = time.perf_counter()
            masked_view(Document.parse(text, str(big)))
            return (time.perf_counter() - start) * 1000

        shown = interleaved({0: masked_once}, opts.runs)[0]
        shown_cli = interleaved(
            {0: lambda: cli_once_ms(["show", "--masked", str(big)], big.parent, env)},
            max(7, opts.runs // 3),
        )[0]
        print(
            f"show --masked, 500-key file ({len(text) // 1024} KiB): in-process {shown:.1f} ms   "
            f"CLI (the textconv Git runs) {shown_cli:.0f} ms"
        )


if __name__ == "__main__":
    main()
