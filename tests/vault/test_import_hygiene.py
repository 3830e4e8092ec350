"""`lcm.vault` stays at the bottom of the layer stack and imports hvac/requests only on a request."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

VAULT_PACKAGE = Path(__file__).resolve().parents[2] / "lcm" / "vault"
LAZY = ("hvac", "requests", "urllib3")
NEVER = ("typer", "click", "rich", "textual", "lcm_tui")


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import lcm.vault.settings",
    "import lcm.keys.vault, lcm.vault.kv, lcm.vault.transit, lcm.vault.client",
    # Building a backend and resolving its settings makes no request, so still no hvac.
    "import os; os.environ['VAULT_ADDR'] = 'https://vault.example'\n"
    "from lcm.keys.vault import VaultTransitBackend\n"
    "class S: backend = 'vault'; options = {'key': 'k'}\n"
    "b = VaultTransitBackend('r', 'acme', S()); b.describe()\n"
    "from lcm.vault.settings import resolve; resolve('acme', {})",
])
def test_no_hvac_until_a_request(code: str) -> None:
    loaded = _modules_after(code)
    heavy = sorted(m for m in loaded if m.split(".")[0] in LAZY + NEVER)
    assert heavy == []


def _top_level_imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _all_imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_lcm_vault_imports_only_lcm_errors_from_lcm() -> None:
    files = sorted(VAULT_PACKAGE.glob("*.py"))
    assert len(files) >= 8
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        every = _all_imports(tree)
        lcm_imports = {n for n in every if n == "lcm" or n.startswith("lcm.")}
        bad = {n for n in lcm_imports if n != "lcm.errors" and not n.startswith("lcm.vault")}
        assert bad == set(), f"{path.name} imports {bad}"
        assert not {n for n in every if n.split(".")[0] in NEVER}, path.name
        eager = {n for n in _top_level_imports(tree) if n.split(".")[0] in LAZY}
        assert eager == set(), f"{path.name} imports {eager} at module level"


def test_the_ast_check_would_catch_an_eager_import() -> None:
    tree = ast.parse("import hvac\nfrom lcm.repo import Repo\n")
    assert "hvac" in _top_level_imports(tree) and "lcm.repo" in _all_imports(tree)
