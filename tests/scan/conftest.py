"""Fixtures for the scan tests: the generated corpus, a subprocess runner, Git repos."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .corpus import write_corpus


class Run:
    """One finished `python -m lcm.scan` process."""

    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code, self.stdout, self.stderr = proc.returncode, proc.stdout, proc.stderr

    def __repr__(self) -> str:
        return f"Run(code={self.code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def scan_process(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Run:
    """Run the hook entry point (`python -m lcm.scan ARGS`) as a real process."""
    full = dict(os.environ, **(env or {}))
    proc = subprocess.run(
        [sys.executable, "-m", "lcm.scan", *map(str, args)],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )
    return Run(proc)


@pytest.fixture
def scan() -> Callable[..., Run]:
    """`scan(ARGS..., cwd=...)` runs `python -m lcm.scan` in a subprocess."""
    return scan_process


@pytest.fixture(scope="session")
def corpus(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, set[tuple[int, str]]]]:
    """The generated corpus folder and its expected findings {relpath: {(line, rule)}}."""
    root = tmp_path_factory.mktemp("corpus")
    return root, write_corpus(root)


def git(cwd: Path, *args: str) -> str:
    """Run the git CLI (tests only; lcm itself uses pygit2) and return stdout."""
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Git repository with one commit; the cwd is its work tree."""
    root = tmp_path / "work"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("# demo\n")
    git(root, "add", "README.md")
    git(root, "commit", "-q", "-m", "init")
    monkeypatch.chdir(root)
    return root
