"""Export and exec benchmarks (issue 11).

1. `lcm exec acme/production -- true` next to `lcm get acme/production/inference` and a
   bare `true`, same run (median wall time).
2. Vault KV v2 export of a 500-key env across 10 files, against a real OpenBao dev
   server: requests made (audit log) and wall time, for a first export (a fresh path
   each run) and for a no-change re-export.

Run: `.venv/bin/python benchmarks/bench_export.py`
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _common import isolated_env, lcm_exe, median, ms, tempdir, wall  # noqa: E402
from vault.server import VaultServer, start_bao  # noqa: E402

RUNS = 10
KEYS_PER_FILE = 55  # 9 files of 55 keys + inference's 5 = 500
INFERENCE = {"llm": {"provider": "openai", "model": "gpt-4o", "api_key": "sk-bench-FAKE-1",
                     "temperature": 0.2, "max_tokens": 512}}


def build(root: Path) -> int:
    """acme/production: inference plus 9 files of 55 keys, a fifth of them overridden in
    production; returns the number of keys of the effective env."""
    from lcm.api import Repo
    from lcm.format.paths import iter_leaves
    from lcm.ops.scaffold import add_tenant, init_repo

    init_repo(root)
    add_tenant(Repo.open(root), "acme", "file")
    repo = Repo.open(root)
    changes = repo.changes("bench", op="set", check_each=False)
    for path, value in iter_leaves(INFERENCE):
        changes.set(repo.address("acme/base/inference"), path, value)
    for f in range(9):
        for k in range(KEYS_PER_FILE):
            env = "production" if k % 5 == 0 else "base"
            key = f"api_key_{k}" if k % 10 == 0 else f"setting_{k}"
            changes.set(repo.address(f"acme/{env}/svc{f}"), (f"group{k // 10}", key),
                        f"value-{f}-{k}" if k % 3 else k * 1.5)
    changes.commit()
    eff = repo.resolve("acme", "production")
    return sum(1 for _ in iter_leaves(eff.to_dict()))


def kv_requests(server: VaultServer) -> int:
    return sum(1 for e in server.audited_requests()
               if e["request"].get("path", "").startswith(("secret/", "sys/internal/ui/mounts")))


def main() -> None:
    tmp = tempdir("lcm-bench-export-")
    env = isolated_env(tmp)
    os.environ.update(env)
    root = tmp / "cfg"
    keys = build(root)
    lcm = lcm_exe()
    true = shutil.which("true") or "/bin/true"
    exec_t = wall([lcm, "-C", str(root), "exec", "acme/production", "--", true], RUNS, env=env)
    get_t = wall([lcm, "-C", str(root), "get", "acme/production/inference"], RUNS, env=env)
    true_t = wall([true], RUNS, env=env)
    print(f"[1] median of {RUNS} runs, same run ({keys} keys in 10 files):")
    print(f"    true                                        {ms(median(true_t))}")
    print(f"    lcm get acme/production/inference           {ms(median(get_t))}")
    print(f"    lcm exec acme/production -- true            {ms(median(exec_t))}")

    server = start_bao(tmp / "bao")
    try:
        env.update(VAULT_ADDR=server.address, VAULT_TOKEN=server.token)
        print(f"[2] vault export of {keys} keys in 10 files (KV v2, OpenBao dev server),"
              f" median of {RUNS} runs:")
        before = kv_requests(server)
        first = [wall([lcm, "-C", str(root), "export", "acme/production", "--to",
                       f"vault://secret/bench/run{i}"], 1, env=env)[0] for i in range(RUNS)]
        first_requests = (kv_requests(server) - before) / RUNS
        before = kv_requests(server)
        again = wall([lcm, "-C", str(root), "export", "acme/production", "--to",
                      "vault://secret/bench/run0"], RUNS, env=env)
        again_requests = (kv_requests(server) - before) / RUNS
        versions = server.admin("GET", "secret/metadata/bench/run0/svc0")["data"]["current_version"]
        print(f"    first export        {ms(median(first)):>10}   {first_requests:.0f} requests"
              " (mount check + per file: read, write, metadata)")
        print(f"    no-change re-export {ms(median(again)):>10}   {again_requests:.0f} requests"
              f" (mount check + one read per file); svc0 still at version {versions}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
