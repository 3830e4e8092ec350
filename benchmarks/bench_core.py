"""Core store benchmarks (issue 2).

1. Effective config of a 500-key tenant/env, in process, warm: p50 / p99
   (targets: p50 <= 1 ms, p99 <= 5 ms).
2. CLI cold start: `lcm --help` and `lcm get ADDR`, next to `python -c pass`.
3. Writing one value into a 500-key file: wall time, and the lines the diff shows.

Run: `.venv/bin/python benchmarks/bench_core.py`
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import in_process, isolated_env, lcm_exe, median, ms, pct, tempdir, wall  # noqa: E402


def build_repo(tmp: Path) -> Path:
    """A repo whose acme/production/app resolves to 500 keys over base+staging+production."""
    os.environ.update(isolated_env(tmp))
    from lcm.repository.repo import Repo
    from lcm.ops.scaffold import add_tenant, init_repo
    from lcm.ops.changeset import ChangeSet

    root = init_repo(tmp / "cfg")
    repo = Repo.open(root)
    add_tenant(repo, "acme", "file")
    repo = Repo.open(root)
    layers = {"base": range(0, 500), "staging": range(250, 420), "production": range(400, 500)}
    for env, ids in layers.items():
        plain: dict = {}
        for i in ids:
            group = plain.setdefault(f"group{i // 25}", {})
            group[f"api_key_{i}" if i % 10 == 0 else f"setting_{i}"] = (
                f"value-{i}" if i % 3 else i * 1.5)
        from lcm.repository.address import Address

        addr = Address("acme", env, "app")
        changes = ChangeSet(repo, "bench")
        changes.replace(addr, plain)
        changes.commit()
    return root


def main() -> None:
    tmp = tempdir("lcm-bench-core-")
    root = build_repo(tmp)
    from lcm.repository.repo import Repo

    repo = Repo.open(root)
    eff = repo.resolve("acme", "production", "app")
    keys = sum(1 for _ in __import__("lcm.format.paths", fromlist=["iter_leaves"]).iter_leaves(eff.to_dict()))

    def warm() -> object:
        return repo.resolve("acme", "production", "app").to_dict(reveal=True)

    warm()
    times = in_process(warm, 2000)
    print(f"[1] effective config, {keys} keys, warm (resolve + to_dict(reveal=True)), 2000 runs:")
    print(f"    p50 {ms(pct(times, 50))}   p99 {ms(pct(times, 99))}   (targets: p50 <= 1 ms, p99 <= 5 ms)")
    cold_repo = Repo.open(root)
    cold = in_process(lambda: cold_repo.resolve("acme", "production", "app").to_dict(reveal=True), 1)
    print(f"    first call in a fresh Repo (parse 3 files, unwrap key, verify 3 MACs, decrypt): {ms(cold[0])}")

    env = isolated_env(tmp)
    lcm = lcm_exe()
    base = wall([sys.executable, "-c", "pass"], 15)
    helpt = wall([lcm, "--help"], 15)
    gett = wall([lcm, "-C", str(root), "get", "acme/production/app"], 15, env=env)
    print("[2] CLI cold start, median of 15 runs:")
    print(f"    python -c pass          {ms(median(base))}")
    print(f"    lcm --help              {ms(median(helpt))}")
    print(f"    lcm get (500 keys)      {ms(median(gett))}")

    target = root / "config/acme/base/app.yaml"
    before = target.read_text().splitlines()
    setw = [wall([lcm, "-C", str(root), "set", "acme/base/app", "group3.setting_77", f"v{i}"], 1,
                 env=env)[0] for i in range(9)]
    after = target.read_text().splitlines()
    diff = subprocess.run(["git", "-C", str(root), "diff", "--stat", "HEAD~1", "--", str(target)],
                          capture_output=True, text=True).stdout.strip()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    data_lines = [c for c in changed if not c[0].startswith("  updated:") and not c[0].startswith("  mac:")]
    print("[3] lcm set one value in a 500-key file (base: 500 keys), incl. commit, median of 9:")
    print(f"    wall {ms(median(setw))}; lines changed: {len(changed)} "
          f"({len(data_lines)} config line + lcm metadata updated/mac); git: {diff}")

    stage, commit_t, one = change_set_timing(root)
    print("[4] change-set of 100 edits across 20 files (in process, median of 5):")
    print(f"    stage 100 edits {ms(stage)}   commit {ms(commit_t)}   "
          f"(one `lcm set` above: {ms(median(setw))}; commit / set = {commit_t / median(setw):.2f}, "
          "target <= 2)")
    print(f"    one-edit change-set in process (stage + commit): {ms(one)}")


def change_set_timing(root: Path) -> tuple[float, float, float]:
    """Median stage and commit time of 100 edits over 20 files, and of a one-edit set."""
    import time

    from lcm.api import Repo

    repo = Repo.open(root)
    addrs = [repo.address(f"acme/{'base' if i % 2 else 'staging'}/svc{i:02d}") for i in range(20)]
    seed = repo.changes(check_each=False)
    for addr in addrs:
        seed.set(addr, ("timeout_s",), 1)
    seed.commit("seed")
    stages, commits, ones = [], [], []
    for run in range(5):
        t0 = time.perf_counter()
        changes = repo.changes(check_each=False)
        for i in range(100):
            changes.set(addrs[i % 20], ("settings", f"k{i // 20}"), f"run{run}-{i}")
        t1 = time.perf_counter()
        changes.commit(f"bench {run}")
        t2 = time.perf_counter()
        stages.append(t1 - t0)
        commits.append(t2 - t1)
        t3 = time.perf_counter()
        single = repo.changes(check_each=False)
        single.set(addrs[0], ("settings", "one"), run)
        single.commit("one")
        ones.append(time.perf_counter() - t3)
    return median(stages), median(commits), median(ones)


if __name__ == "__main__":
    main()
