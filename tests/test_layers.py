"""The layer contracts of pyproject.toml hold, and the checker really checks them.

`lint-imports` once stopped on a configuration error for a whole turn while nothing
noticed; so besides "all contracts kept", a deliberately false contract must be
reported broken, which proves the tool parsed the config and read lcm's imports.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _run(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), str(config), "--no-cache"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def _contract_names() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [c["name"] for c in data["tool"]["importlinter"]["contracts"]]


def test_every_layer_contract_is_kept() -> None:
    names = _contract_names()
    assert any(n.startswith("layers") for n in names)
    assert "the faces call the library through lcm.api" in names
    proc = _run(ROOT / "pyproject.toml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in names:
        assert f"{name} KEPT" in proc.stdout, proc.stdout


def test_a_false_contract_is_reported_broken(tmp_path: Path) -> None:
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config += (
        '\n[[tool.importlinter.contracts]]\n'
        'name = "canary: the format layer imports no lcm.errors"\n'
        'type = "forbidden"\n'
        'source_modules = ["lcm.format"]\n'
        'forbidden_modules = ["lcm.errors"]\n'
    )
    path = tmp_path / "pyproject.toml"
    path.write_text(config, encoding="utf-8")
    proc = _run(path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "canary: the format layer imports no lcm.errors BROKEN" in proc.stdout
    assert re.search(r"lcm\.format\.\w+ -> lcm\.errors", proc.stdout), proc.stdout
