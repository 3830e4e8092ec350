"""Helpers for the hot-reload tests: a served repo, a callback recorder, waiting on
conditions with a deadline, and running lcm/Python in another process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pytest

LCM_EXE = Path(sys.executable).parent / "lcm"
DEADLINE = 15.0  # seconds; generous for a machine shared by many test runs


def wait_until(condition: Callable[[], Any], timeout: float = DEADLINE, what: str = "") -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    end = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


def holds(condition: Callable[[], bool], seconds: float) -> bool:
    """True when `condition` stays true for `seconds` (for "no second callback" checks)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not condition():
            return False
        time.sleep(0.02)
    return bool(condition())


class Recorder:
    """Thread-safe record of on_change / on_error calls."""

    def __init__(self) -> None:
        self.changes: list[tuple[Any, Any, list[tuple[Any, ...]]]] = []
        self.errors: list[Any] = []
        self._lock = threading.Lock()

    def on_change(self, old: Any, new: Any, paths: list[tuple[Any, ...]]) -> None:
        with self._lock:
            self.changes.append((old, new, paths))

    def on_error(self, err: Any) -> None:
        with self._lock:
            self.errors.append(err)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def lcm(root: Path, *args: str) -> str:
    """Run the installed `lcm` in another process (as a user in another shell would)."""
    proc = subprocess.run([str(LCM_EXE), *args], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc
    return proc.stdout


def python(root: Path, code: str) -> str:
    """Run Python code in another process with the repo as cwd (imports lcm and tests)."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc
    return proc.stdout


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc
    return proc.stdout


@pytest.fixture
def served(repo: Path) -> Path:
    """The `repo` fixture with acme's `app` config in base, staging and production."""
    python(repo, """
from lcm.ops.changeset import ChangeSet
from lcm.repository.address import Address
from lcm.repository.repo import Repo
changes = ChangeSet(Repo.open('.'), 'test')
changes.replace(Address('acme', 'base', 'app'),
                {'llm': {'provider': 'openai', 'model': 'gpt-4o-mini', 'api_key': 'sk-one'},
                 'limits': {'rpm': 100}})
changes.replace(Address('acme', 'staging', 'app'), {'llm': {'model': 'gpt-4o'}})
changes.replace(Address('acme', 'production', 'app'), {'limits': {'rpm': 500}})
changes.commit('served fixture')
""")
    return repo
