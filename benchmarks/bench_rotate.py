"""Rotation benchmarks (issue 9).

1. `rotate key` on a tenant of 10,000 secrets in 100 files (4 envs, nested maps, lists,
   one previous value per file), next to PyYAML's C loader parsing the same files
   (`yaml.load(text, Loader=yaml.CSafeLoader)`), in one run. Target: the whole
   `rotate_key` call, crash-safe commit included (Git objects, journal, ref, 100 fsynced
   working-tree files), <= 3x the parse; the re-encryption alone (read, verify, decrypt,
   encrypt, splice, MAC) is shown too, and this disk's cost of fsyncing 100 files of
   that size.
2. `rotate status` on that repo (keyless): in process and as a CLI command.

Run: `.venv/bin/python benchmarks/bench_rotate.py`
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import isolated_env, lcm_exe, ms, tempdir, wall  # noqa: E402

FILES, GROUPS, PER_GROUP = 100, 10, 10  # 100 secrets per file
ENVS = ("base", "development", "staging", "production")


def file_plain(n: int) -> dict:
    plain: dict = {"service": {"name": f"svc-{n}", "region": "eu-west-1", "timeout_s": 30,
                               "ratio": 0.25, "enabled": True, "tags": ["llm", f"team-{n % 7}"]}}
    for g in range(GROUPS):
        plain[f"provider{g}"] = {
            "endpoint": f"https://llm-{g}.example.invalid/v1",
            "credentials": {f"k{i}_api_key": f"sk-test-FAKE-{n:03d}-{g}-{i}-" + "x" * 24
                            for i in range(PER_GROUP)},
        }
    return plain


def build_repo(tmp: Path) -> Path:
    os.environ.update(isolated_env(tmp))
    from lcm.clock import format_time, now
    from lcm.ops.changeset import ChangeSet
    from lcm.ops.scaffold import add_tenant, init_repo
    from lcm.repository.address import Address
    from lcm.repository.repo import Repo

    root = init_repo(tmp / "cfg")
    add_tenant(Repo.open(root), "acme", "file")
    repo = Repo.open(root)
    addrs = [Address("acme", ENVS[n % len(ENVS)], f"svc{n:03d}") for n in range(FILES)]
    changes = ChangeSet(repo, "bench")
    for n, addr in enumerate(addrs):
        changes.replace(addr, file_plain(n))
    changes.commit("bench: 100 files")
    repo = Repo.open(root)
    changes = ChangeSet(repo, "bench")
    import datetime as dt

    until = format_time(now() + dt.timedelta(days=7))
    for n, addr in enumerate(addrs):  # one rotated secret with a previous value per file
        changes.set(addr, ("provider0", "credentials", "k0_api_key"), f"sk-test-FAKE-new-{n}",
                    previous_until=until)
    changes.commit("bench: previous values")
    return root


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fsync_floor(tmp: Path, sizes: list[int]) -> float:
    """What writing and fsyncing files of these sizes costs on this disk (atomic_write)."""
    from lcm.fsutil import atomic_write

    folder = tmp / "fsync-probe"
    start = time.perf_counter()
    for i, size in enumerate(sizes):
        atomic_write(folder / f"f{i}.yaml", "x" * size, tmp_dir=folder / "tmp")
    return time.perf_counter() - start


def main() -> None:
    import shutil

    tmp = tempdir("lcm-bench-rotate-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(tmp: Path) -> None:
    import yaml

    root = build_repo(tmp)
    paths = sorted((root / "config").rglob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    secrets = sum(t.count("ENC[") for t in texts)
    size = sum(len(t) for t in texts)
    print(f"repo: {len(paths)} files, {secrets} encrypted values (previous values included), "
          f"{size / 1e6:.1f} MB")

    import lcm
    from lcm.keys import cache

    def parse_all() -> None:
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)

    parse_all()
    rounds = []
    for _ in range(3):
        parse = best(parse_all, 5)
        cache.forget()  # as in a new process: the data key is unwrapped once
        repo = lcm.Repo.open(root)
        marks: list[float] = []
        start = time.perf_counter()
        repo.rotate_key("acme", progress=lambda d, t: marks.append(time.perf_counter()))
        total = time.perf_counter() - start
        rounds.append((parse, marks[-1] - start, total))
    parse, reencrypt, total = min(rounds, key=lambda r: r[2] / r[0])
    print("[1] rotate key acme (in process, best of 3 rounds; peer: best of 5 parses)")
    print(f"    PyYAML CSafeLoader, parse {len(paths)} files   {ms(parse)}")
    print(f"    re-encryption (read, verify, decrypt, encrypt, splice, MAC)   {ms(reencrypt)}"
          f"   = {reencrypt / parse:.2f}x the parse")
    print(f"    whole command incl. crash-safe commit   {ms(total)}"
          f"   = {total / parse:.2f}x   (target <= 3x; commit {ms(total - reencrypt)})")
    floor = fsync_floor(tmp, [len(t) for t in texts])
    print(f"    this disk: writing + fsyncing {len(paths)} files of that size takes {ms(floor)}")
    env = isolated_env(tmp)
    cli = wall([lcm_exe(), "-C", str(root), "rotate", "key", "acme"], 1, env=env)[0]
    print(f"    `lcm rotate key acme` as a command (wall, incl. start-up)   {ms(cli)}")

    repo = lcm.Repo.open(root)
    in_proc = [best(lambda: lcm.Repo.open(root).rotation_status(), 1) for _ in range(5)]
    cmd = wall([lcm_exe(), "-C", str(root), "rotate", "status", "--check"], 5, env=env)
    print("[2] rotate status (keyless) on that repo")
    print(f"    in process, fresh Repo: median {ms(statistics.median(in_proc))}")
    print(f"    `lcm rotate status --check`: median {ms(statistics.median(cmd))}")


if __name__ == "__main__":
    main()
