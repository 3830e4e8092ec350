"""Vault backend benchmark (issue 10), against a real OpenBao dev server.

A tenant of 50 files whose values sit on two data-key versions, once on the vault
backend (transit key) and once on the file backend, side by side:

- `lcm get acme/production/f00 --reveal` (one file of the tenant),
- `lcm export acme/production --to json:-` (all 50 files resolved and revealed; the
  whole-env read until `lcm get TENANT/ENV` exists),

wall time (median) and transit requests per command, counted in the server's audit
log (target: 1 decrypt request per command, whatever the number of files).

Run: `.venv/bin/python benchmarks/bench_vault.py`
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _common import isolated_env, lcm_exe, median, ms, tempdir, wall  # noqa: E402
from vault.helpers import seal_on_two_data_keys  # noqa: E402
from vault.server import VaultServer, start_bao  # noqa: E402

FILES = 50
RUNS = 10


def build(root: Path, backend: str, options: dict[str, object]) -> None:
    """A repo with tenant acme: half its files sealed with data key v1, half with v2."""
    from lcm.api import Repo
    from lcm.ops.scaffold import add_tenant, init_repo

    init_repo(root)
    add_tenant(Repo.open(root), "acme", backend, options)
    seal_on_two_data_keys(root, FILES, "sk-bench-FAKE")


def transit_requests(server: VaultServer) -> int:
    return sum(1 for e in server.audited_requests()
               if e["request"].get("path", "").startswith("transit/"))


def main() -> None:
    tmp = tempdir("lcm-bench-vault-")
    server = start_bao(tmp / "bao")
    try:
        env = isolated_env(tmp)
        env.update(VAULT_ADDR=server.address, VAULT_TOKEN=server.token)
        os.environ.update(env)
        server.admin("POST", "sys/mounts/transit", {"type": "transit"})
        roots = {"vault": tmp / "vault-cfg", "file": tmp / "file-cfg"}
        build(roots["vault"], "vault", {"key": "lcm-bench"})
        build(roots["file"], "file", {})
        lcm = lcm_exe()
        commands = {
            "get acme/production/f00 --reveal": ["get", "acme/production/f00", "--reveal"],
            f"export acme/production --to json:-  ({FILES} files)":
                ["export", "acme/production", "--to", "json:-"],
        }
        print(f"[1] a {FILES}-file tenant, two data-key versions; median of {RUNS} runs;"
              " transit requests per command from the audit log (target 1)")
        print(f"    {'command':<52} {'vault':>10} {'requests':>9} {'file':>10}")
        for label, args in commands.items():
            before = transit_requests(server)
            vault_t = wall([lcm, "-C", str(roots["vault"]), *args], RUNS, env=env)
            per_run = (transit_requests(server) - before) / RUNS
            file_t = wall([lcm, "-C", str(roots["file"]), *args], RUNS, env=env)
            print(f"    {label:<52} {ms(median(vault_t)):>10} {per_run:>9.1f}"
                  f" {ms(median(file_t)):>10}")
        decrypts = [e for e in server.audited_requests()
                    if e["request"].get("path") == "transit/decrypt/lcm-bench"]
        sizes = {len(e["request"]["data"]["batch_input"]) for e in decrypts}
        print(f"    every transit decrypt carried {sorted(sizes)} wrapped data keys"
              " (both versions, one batch)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
