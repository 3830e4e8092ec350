"""hvac (and requests) load only when a command touches a vault tenant: `lcm --help`,
`lcm scan`, keyless `lcm validate` and commands on other tenants stay as light as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .server import VaultServer

LAZY = ("hvac", "requests", "urllib3")
PROBE = """
import json, sys
sys.argv = ["lcm", *json.loads(sys.argv[1])]
try:
    from lcm.cli.entry import run
    run()
except SystemExit as exit:
    code = exit.code
else:
    code = 0
open({out!r}, "w").write(json.dumps([code, sorted(sys.modules)]))
"""


@pytest.fixture
def mixed_repo(vault_env: VaultServer, transit_mount: str, tmp_path: Path, make_repo,
               lcm_exe) -> Path:
    """acme on Vault transit, globex on the file backend, a secret in each."""
    root = make_repo(tmp_path / "cfg", tenants=())
    assert lcm_exe("tenant", "add", "acme", "--backend", "vault", "--mount", transit_mount,
                   cwd=root).code == 0
    assert lcm_exe("tenant", "add", "globex", "--backend", "file", cwd=root).code == 0
    for tenant in ("acme", "globex"):
        assert lcm_exe("set", f"{tenant}/base/app", "db.password", "sk-test-FAKE-h",
                       cwd=root).code == 0
    return root


def modules_after(root: Path, tmp_path: Path, *args: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    proc = subprocess.run([sys.executable, "-c", PROBE.format(out=str(out)), json.dumps(args)],
                          cwd=root, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ))
    assert out.exists(), proc.stderr
    code, modules = json.loads(out.read_text())
    return code, {m.split(".")[0] for m in modules}


@pytest.mark.parametrize("args", [
    ("--help",),
    ("scan", "config/acme/base/app.yaml", "config/globex/base/app.yaml"),
    ("validate", "--keyless"),
    ("get", "globex/base/app", "--reveal"),
    ("export", "globex/production", "--to", "json:-"),
    ("history", "acme/base/app"),
])
def test_no_hvac_unless_a_vault_tenant_is_touched(mixed_repo: Path, tmp_path: Path,
                                                  args: tuple[str, ...]) -> None:
    code, loaded = modules_after(mixed_repo, tmp_path, *args)
    assert code in (0, None), (args, code)
    assert not loaded & set(LAZY), args


def test_touching_the_vault_tenant_loads_it(mixed_repo: Path, tmp_path: Path) -> None:
    code, loaded = modules_after(mixed_repo, tmp_path, "get", "acme/base/app", "--reveal")
    assert code in (0, None)
    assert "hvac" in loaded  # the probe would see it: the checks above can fail
