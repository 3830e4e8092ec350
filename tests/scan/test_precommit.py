"""The real `pre-commit` framework running this project's hooks in a throwaway repository.

A copy of the project is committed to a temporary Git repo (nothing is committed
in the working copy yet), and a second repo's `.pre-commit-config.yaml` points at
it by path and commit. pre-commit builds its own virtualenv and pip-installs lcm
into it (needs PyPI), once per module: PRE_COMMIT_HOME is shared by every test here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .corpus import Keys

PROJECT = Path(__file__).resolve().parents[2]
COPIED = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "lcm",
    "schemas",
    "tui",
    ".pre-commit-hooks.yaml",
)
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
KEYS = Keys(53)
GEMINI = "AI" + "za" + KEYS.s(35)


def _env(home: Path, store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT", "LCM_"))}
    env.update(
        PRE_COMMIT_HOME=str(store),
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.invalid",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _run(
    args: list[str], cwd: Path, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


class HookRepo:
    """The committed copy of this project and the environment pre-commit runs with."""

    def __init__(self, path: Path, rev: str, env: dict[str, str]) -> None:
        self.path, self.rev, self.env = path, rev, env

    def config(self, *hook_ids: str) -> str:
        hooks = "".join(f"      - id: {h}\n" for h in hook_ids)
        return f"repos:\n  - repo: {self.path}\n    rev: {self.rev}\n    hooks:\n{hooks}"


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookRepo]:
    base = tmp_path_factory.mktemp("precommit")
    home, store, source = base / "home", base / "store", base / "lcm-src"
    home.mkdir()
    env = _env(home, store)
    source.mkdir()
    for name in COPIED:
        src = PROJECT / name
        if src.is_dir():
            shutil.copytree(
                src, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        elif src.is_file():
            shutil.copy2(src, source / name)
    _run(["git", "init", "-q", "-b", "main"], source, env)
    _run(["git", "add", "-A"], source, env)
    _run(["git", "commit", "-q", "-m", "lcm snapshot"], source, env)
    rev = _run(["git", "rev-parse", "HEAD"], source, env).stdout.strip()
    repo = HookRepo(source, rev, env)
    # Build the hook environment once (pip install of lcm and its dependencies).
    warm = base / "warm"
    warm.mkdir()
    _run(["git", "init", "-q", "-b", "main"], warm, env)
    (warm / ".pre-commit-config.yaml").write_text(repo.config("lcm-scan", "lcm-scan-staged"))
    _run([str(PRE_COMMIT), "install-hooks"], warm, env)
    yield repo


@pytest.fixture
def user_repo(hook_repo: HookRepo, tmp_path: Path) -> Path:
    """A fresh repository whose pre-commit hook runs `lcm-scan` and `lcm-scan-staged`."""
    root = tmp_path / "user"
    root.mkdir()
    _run(["git", "init", "-q", "-b", "main"], root, hook_repo.env)
    (root / ".pre-commit-config.yaml").write_text(hook_repo.config("lcm-scan", "lcm-scan-staged"))
    _run([str(PRE_COMMIT), "install"], root, hook_repo.env)
    _run(["git", "add", ".pre-commit-config.yaml"], root, hook_repo.env)
    _run(["git", "commit", "-q", "-m", "hooks"], root, hook_repo.env)
    return root


def _commit(root: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    return _run(["git", "commit", "-m", message], root, env, check=False)


def test_clean_commit_passes(hook_repo: HookRepo, user_repo: Path) -> None:
    (user_repo / "settings.yaml").write_text("model: gemini-2.5-pro\napi_key: ${GEMINI_API_KEY}\n")
    _run(["git", "add", "settings.yaml"], user_repo, hook_repo.env)
    proc = _commit(user_repo, hook_repo.env, "settings")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    output = proc.stdout + proc.stderr
    assert "lcm scan (secrets)" in output and "Passed" in output
    log = _run(["git", "log", "--oneline"], user_repo, hook_repo.env).stdout
    assert "settings" in log


def test_commit_adding_a_key_is_blocked(hook_repo: HookRepo, user_repo: Path) -> None:
    (user_repo / "settings.yaml").write_text(f"model: gemini-2.5-pro\napi_key: {GEMINI}\n")
    _run(["git", "add", "settings.yaml"], user_repo, hook_repo.env)
    head_before = _run(["git", "rev-parse", "HEAD"], user_repo, hook_repo.env).stdout
    proc = _commit(user_repo, hook_repo.env, "leak")
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "settings.yaml:2:10: google-api-key: AIza********" in output
    assert "Failed" in output
    assert GEMINI not in output
    assert _run(["git", "rev-parse", "HEAD"], user_repo, hook_repo.env).stdout == head_before


def test_staged_hook_reads_the_index(hook_repo: HookRepo, user_repo: Path) -> None:
    """Only the staged variant is configured; the key is staged, the work tree is fixed."""
    (user_repo / ".pre-commit-config.yaml").write_text(hook_repo.config("lcm-scan-staged"))
    _run(["git", "add", ".pre-commit-config.yaml"], user_repo, hook_repo.env)
    (user_repo / "app.env").write_text(f"GEMINI_API_KEY={GEMINI}\n")
    _run(["git", "add", "app.env"], user_repo, hook_repo.env)
    (user_repo / "app.env").write_text("GEMINI_API_KEY=\n")
    proc = _commit(user_repo, hook_repo.env, "leak via index")
    assert proc.returncode != 0
    assert "app.env:1:16: google-api-key: AIza********" in proc.stdout + proc.stderr
