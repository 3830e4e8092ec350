"""`examples/demo.sh` (the `make demo` script) shows every command it runs, its commits
carry the demo's identity even where Git has another one, and it does the whole job
(defect 9)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import VENV_BIN

from .helpers import PROJECT, git

DEMO = PROJECT / "examples/demo.sh"

pytestmark = pytest.mark.slow


def test_no_lcm_or_git_command_runs_unprinted() -> None:
    """After the set-up lines, every command goes through `step`/`answer`, which print it."""
    body = DEMO.read_text().split('cd "$work"\n', 1)[1]
    for line in body.splitlines():
        code = line.split("#", 1)[0].strip()
        if not code or code.startswith(("step ", "answer ", "echo")):
            continue
        pytest.fail(f"demo line runs without being shown: {line!r}")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    home = tmp_path_factory.mktemp("demo-home")
    (home / ".gitconfig").write_text("[user]\n\tname = Machine Owner\n\temail = owner@example.invalid\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "LCM_"))}
    env.update(HOME=str(home), TMPDIR=str(home), PATH=f"{VENV_BIN}:{os.environ['PATH']}",
               GIT_CONFIG_GLOBAL=str(home / ".gitconfig"))
    proc = subprocess.run(["bash", str(DEMO)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert "Traceback" not in proc.stdout and "lcm: error" not in proc.stdout
    (work,) = home.glob("lcm-demo.*")
    return proc.stdout, work / "cfg"


def test_demo_commits_carry_the_demo_identity(demo_run: tuple[str, Path]) -> None:
    _, repo = demo_run
    authors = set(git(repo, "log", "--format=%an <%ae>|%cn <%ce>").stdout.splitlines())
    assert authors == {"lcm demo <demo@lcm.invalid>|lcm demo <demo@lcm.invalid>"}


def test_demo_does_the_whole_job(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    shown = "\n".join(line for line in output.splitlines() if line.startswith("$ "))
    for command in ("get", "set", "edit", "diff", "history", "rollback", "validate", "scan",
                    "audit log"):
        assert re.search(rf"^\$ .*\blcm {command}\b", shown, re.M), command
    assert "lcm: no secrets found in" in output
    assert "ok: " in output  # validate
    assert "(exit 1: they differ)" in output
    assert not re.search(r"\x1b\[", output)  # not a terminal: no colour
    assert git(repo, "status", "--porcelain").stdout == ""


def test_every_commit_comes_from_a_printed_command(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    messages = git(repo, "log", "--format=%s").stdout.splitlines()
    writes = re.findall(r"^\$ .*\blcm (?:set|edit|rollback)\b", output, re.M)
    assert len(messages) == len(writes) + 1, messages  # + the "example repo" commit
