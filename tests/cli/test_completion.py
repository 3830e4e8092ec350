"""Shell completion: scripts and installation for bash, zsh and fish; commands, options,
tenants, environments and addresses completed from the repository (or `-C DIR`); the
completers print nothing and never fail."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LCM_EXE, VENV_BIN


def _complete(shell: str, words: str, cwd: Path) -> list[str]:
    """What lcm answers the `shell` completion script for the command line `words`."""
    env = dict(os.environ, _LCM_COMPLETE=f"complete_{shell}")
    if shell == "bash":
        parts = words.split(" ")
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    proc = subprocess.run([str(LCM_EXE)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0 and proc.stderr == "", proc
    return proc.stdout.split()


@pytest.fixture
def filled(repo: Path, cli) -> Path:
    assert cli("set", "acme/base/app", "x", "1").code == 0  # inherited by every env
    return repo


def test_addresses_complete_from_the_repository(filled: Path) -> None:
    assert _complete("bash", "lcm set acme/prod", filled) == ["acme/production/app"]
    assert _complete("bash", "lcm get acme/st", filled) == ["acme/staging", "acme/staging/app"]
    assert _complete("bash", "lcm history ac", filled)[:2] == ["acme", "acme/base"]
    assert _complete("bash", "lcm key export ", filled) == ["acme"]
    assert _complete("bash", "lcm get acme/base/app -o ", filled) == ["yaml", "json", "env"]
    assert "tenant" in _complete("bash", "lcm t", filled)
    assert _complete("bash", "lcm tenant add x --backend f", filled) == ["file"]


def test_zsh_and_fish_get_the_same_candidates(filled: Path) -> None:
    zsh = " ".join(_complete("zsh", "lcm set acme/prod", filled))
    assert "acme/production/app" in zsh
    assert _complete("fish", "lcm set acme/prod", filled) == ["acme/production/app"]


def test_dash_c_names_the_repository_and_no_repository_completes_nothing(
    filled: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _complete("bash", f"lcm -C {filled} set acme/prod", elsewhere) == [
        "acme/production/app"
    ]
    assert _complete("bash", "lcm set acme/prod", elsewhere) == []
    (filled / ".lcm.yaml").write_text("version: [broken\n")
    assert _complete("bash", "lcm set acme/prod", filled) == []


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_each_shells_script(shell: str, cli) -> None:
    result = cli("--show-completion", shell)
    assert result.code == 0
    assert "_LCM_COMPLETE=complete_" + shell in result.stdout.replace(" ", "")


def test_the_bash_script_completes_in_a_real_bash(filled: Path) -> None:
    script = ("source <(lcm --show-completion bash); COMP_WORDS=(lcm get acme/prod); "
              "COMP_CWORD=2; _lcm_completion lcm; printf '%s\\n' \"${COMPREPLY[@]}\"")
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ['PATH']}")
    proc = subprocess.run(["bash", "-c", script], cwd=filled, env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.stdout.split() == ["acme/production", "acme/production/app"], proc.stderr


def test_install_completion_writes_the_users_shell_files(isolated_env: Path) -> None:
    env = dict(os.environ, PATH=f"{VENV_BIN}:{os.environ['PATH']}")
    # Two commands, so bash forks lcm instead of exec'ing it: lcm's parent is the bash it
    # must detect, whatever shell runs the test suite (make runs it from sh).
    detected = subprocess.run(["bash", "-c", "lcm --install-completion; exit $?"], env=env,
                              capture_output=True, text=True, timeout=60)
    assert detected.returncode == 0, detected.stderr
    assert "source" in (isolated_env / ".bashrc").read_text()
    assert "_LCM_COMPLETE" in (isolated_env / ".bash_completions/lcm.sh").read_text()
    zsh = subprocess.run([str(LCM_EXE), "--install-completion", "zsh"], env=env,
                         capture_output=True, text=True, timeout=60)
    assert zsh.returncode == 0 and (isolated_env / ".zfunc/_lcm").exists()


def test_a_bad_shell_name_is_a_usage_error(cli) -> None:
    result = cli("--show-completion", "tcsh")
    assert result.code == 2
    assert result.stderr.startswith("lcm: error: invalid value for '--show-completion'")
