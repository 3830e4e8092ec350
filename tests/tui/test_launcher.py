"""`lcm tui`: the installed executable in a pseudo-terminal, and the launcher's imports."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import LCM_EXE

from .conftest import seed

LAUNCHER = Path(__file__).resolve().parents[2] / "lcm" / "cli" / "tui.py"


def _spawn(args: list[str], cwd: Path) -> pexpect.spawn:
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="36")
    return pexpect.spawn(str(LCM_EXE), args, cwd=str(cwd), env=env, dimensions=(36, 120),
                         encoding="utf-8", timeout=30)


@pytest.mark.slow
def test_lcm_tui_starts_shows_the_tenants_and_quits_on_q(repo: Path) -> None:
    seed(repo)
    child = _spawn(["tui"], repo)
    child.expect("acme")
    child.expect("production")  # the tree is filled: envs shown under the tenant
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before


@pytest.mark.slow
def test_lcm_tui_open_option_opens_the_file(repo: Path) -> None:
    seed(repo)
    child = _spawn(["tui", str(repo), "--open", "acme/production/inference"], repo.parent)
    child.expect("llm.temperature")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_outside_a_repository_is_one_error_line(tmp_path: Path, lcm_exe) -> None:
    result = lcm_exe("tui", str(tmp_path))
    assert result.code == 3, result
    assert result.stderr.startswith("lcm: error: ") and len(result.stderr.splitlines()) == 1


def test_without_the_tui_extra_one_line_says_how_to_install(repo: Path) -> None:
    script = ("import sys\nsys.modules['textual'] = None\nsys.argv = ['lcm', 'tui']\n"
              "from lcm.cli.main import run\nrun()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=repo, timeout=60)
    assert proc.returncode == 2, proc
    assert proc.stderr.strip().splitlines() == [
        "lcm: error: the TUI needs the `tui` extra: pip install 'lcm[tui]'"]


def test_launcher_imports_textual_only_inside_the_command() -> None:
    tree = ast.parse(LAUNCHER.read_text(encoding="utf-8"))
    top_level = {alias.name for node in tree.body if isinstance(node, ast.Import)
                 for alias in node.names}
    top_level |= {node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert not {m for m in top_level if m.split(".")[0] in ("textual", "lcm_tui")}
