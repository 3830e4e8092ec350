"""Fixture `lcm_repo`: a real config repository (real Git, real file-backend keys) in a tmp dir.

Isolation (private HOME/XDG, Git identity, no inherited LCM_*/GIT_*) comes from
the suite's autouse `isolated_env` in tests/conftest.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

VENV_BIN = str(Path(sys.executable).parent)


@dataclass
class Result:
    code: int
    out: str
    err: str


class LcmRepo:
    """A config repository plus helpers to drive lcm in-process and git as a subprocess."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def lcm(self, *args: str, input: str | None = None) -> Result:
        """Run the lcm CLI in-process with the repo as cwd."""
        from lcm.cli.main import app

        old = os.getcwd()
        os.chdir(self.root)
        try:
            res = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
        finally:
            os.chdir(old)
        return Result(res.exit_code, res.stdout, res.stderr)

    def set(
        self, addr: str, key: str, value: Any, secret: bool = False, msg: str | None = None
    ) -> None:
        from lcm.ops.edits import set_value
        from lcm.format.paths import parse_path
        from lcm.repository.repo import Repo

        repo = Repo.open(self.root)
        set_value(repo, repo.address(addr), parse_path(key), value, secret=secret, message=msg)

    def unset(self, addr: str, key: str) -> None:
        from lcm.ops.edits import unset_value
        from lcm.format.paths import parse_path
        from lcm.repository.repo import Repo

        repo = Repo.open(self.root)
        unset_value(repo, repo.address(addr), parse_path(key))

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the real git CLI (PATH includes the venv so drivers resolve)."""
        env = dict(os.environ, PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""))
        return subprocess.run(
            ["git", *args], cwd=self.root, env=env, text=True, capture_output=True, check=check
        )

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def path(self, addr: str) -> Path:
        tenant, env, name = addr.split("/", 2)
        return self.root / "config" / tenant / env / f"{name}.yaml"

    def tree_bytes(self) -> dict[str, bytes]:
        """Every file under the worktree (not .git), for 'nothing changed' checks."""
        return {
            p.relative_to(self.root).as_posix(): p.read_bytes()
            for p in self.root.rglob("*")
            if p.is_file() and ".git" not in p.parts
        }


@pytest.fixture
def lcm_repo(tmp_path: Path, make_repo: Callable[..., Path]) -> LcmRepo:
    """An initialised repo with tenant `acme` (file backend) and no config files yet."""
    return LcmRepo(make_repo(tmp_path / "repo"))


@pytest.fixture
def hide_keys() -> Callable[[], Any]:
    """`with hide_keys(): ...` makes every file-backend master key unavailable inside the block."""
    from contextlib import contextmanager

    @contextmanager
    def _hidden() -> Iterator[None]:
        keys = Path(os.environ["XDG_DATA_HOME"]) / "lcm"
        away = keys.with_name("lcm-hidden")
        keys.rename(away)
        try:
            yield
        finally:
            away.rename(keys)

    return _hidden
