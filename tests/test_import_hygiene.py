"""Importing lcm and `lcm --help` stay light; the core never imports Textual."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

LCM_PACKAGE = Path(__file__).resolve().parents[1] / "lcm"
HEAVY = ("textual", "hvac", "jsonschema", "pygit2", "keyring")

PROBES = {
    "import lcm": "import lcm",
    "import lcm.cli.main": "import lcm.cli.main",
    "lcm --help": (
        "import runpy, sys\n"
        "sys.argv = ['lcm', '--help']\n"
        "try:\n"
        "    from lcm.cli.main import run\n"
        "    run()\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
    ),
    "lcm get --help": (
        "import sys\n"
        "sys.argv = ['lcm', 'get', '--help']\n"
        "try:\n"
        "    from lcm.cli.main import run\n"
        "    run()\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
    ),
}


def _loaded_after(code: str) -> set[str]:
    script = (
        code
        + "\nimport json, sys\n"
        + "sys.__stdout__.write('\\n@@' + json.dumps(sorted(sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.rsplit("@@", 1)[1]))


@pytest.mark.parametrize("name", list(PROBES))
def test_no_heavy_imports(name: str) -> None:
    loaded = _loaded_after(PROBES[name])
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == [], f"{name} imported {heavy}"


def test_lcm_help_lists_commands_through_the_probe() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBES["lcm --help"]], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "set" in proc.stdout and "get" in proc.stdout


def _imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(
            node.func, "attr", getattr(node.func, "id", "")
        ) in ("import_module", "__import__"):
            if (
                node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def test_core_never_imports_textual() -> None:
    files = sorted(LCM_PACKAGE.rglob("*.py"))
    assert len(files) > 20
    offenders = []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        if any(
            n == "textual" or n.startswith("textual.") or n == "lcm_tui" or n.startswith("lcm_tui.")
            for n in _imported_names(tree)
        ):
            offenders.append(str(path.relative_to(LCM_PACKAGE.parent)))
    assert offenders == []


def test_ast_scan_would_catch_an_import() -> None:
    tree = ast.parse("def f():\n    from textual.app import App\n")
    assert "textual.app" in _imported_names(tree)
