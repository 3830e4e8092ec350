"""SIGKILL during `lcm rotate key` and `lcm rotate master` at 30+ random points each:
afterwards the repository verifies (every file at HEAD and on disk opens, MAC included,
to the same plaintext) and running the command again completes."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pygit2
import pytest

import lcm
from core.helpers import LCM_EXE
from lcm.format.document import Document
from lcm.format.seal import decrypt_tree
from lcm.keys import cache

from .conftest import stored_versions

KILLS = 30
MAX_ROUNDS = 80


def _big_tenant(root: Path, files: int = 30, secrets: int = 40) -> None:
    """acme with `files` files over four envs, `secrets` secrets each, nested and listed."""
    repo = lcm.Repo.open(root)
    changes = repo.changes(op="fixture", check_each=False)
    envs = ("base", "development", "staging", "production")
    for n in range(files):
        plain = {"svc": {"name": f"svc{n}", "port": 8000 + n, "hosts": ["a", "b"]},
                 "creds": {f"g{g}": {f"k{i}_api_key": f"sk-test-FAKE-{n}-{g}-{i}"
                                     for i in range(secrets // 4)} for g in range(4)},
                 "tokens": [f"tok-test-FAKE-{n}-{i}" for i in range(2)]}
        changes.replace(repo.address(f"acme/{envs[n % 4]}/svc{n:02d}"), plain,
                        extra_secret=[("tokens", 0), ("tokens", 1)])
    changes.commit("fixture: a bigger tenant")
    repo = lcm.Repo.open(root)
    repo.rotate_secret(repo.address("acme/base/svc00"), ("creds", "g0", "k0_api_key"),
                       "sk-test-FAKE-rotated")


def _expected(root: Path) -> dict[str, Any]:
    cache.forget()
    repo = lcm.Repo.open(root)
    return {a.relpath: repo.decrypt(a) for a in repo.files()}


def _check(root: Path, expected: dict[str, Any]) -> None:
    """A fresh reader (as a new process would be) finds every file, on disk and at HEAD,
    verifying and decrypting to the expected plaintext, values only under live keys."""
    cache.forget()
    repo = lcm.Repo.open(root)  # finishes a write the kill interrupted
    git = pygit2.Repository(str(root))
    head = git.head.peel(pygit2.Commit).tree
    assert head[".lcm/keys/acme.yaml"].data == (root / ".lcm/keys/acme.yaml").read_bytes()
    live = {r.version for r in repo.keys("acme").records if r.state != "destroyed"}
    for rel, plain in expected.items():
        disk = (root / rel).read_text()
        assert head[rel].data.decode() == disk, rel
        addr = repo.address(rel)
        keys = repo.keys(addr.tenant)
        assert decrypt_tree(Document.parse(disk, rel), keys, addr.place) == plain, rel
        assert set(stored_versions(disk)) <= live, rel
    previous = repo.previous(repo.address("acme/base/svc00"), ("creds", "g0", "k0_api_key"),
                             reveal=True)
    assert previous.value == "sk-test-FAKE-0-0-0"


def _clear_stale_git_locks(root: Path) -> None:
    # A kill inside libgit2's ref or index update leaves a `*.lock`; lcm then refuses to
    # write with one clear line until it is removed (tests/core/test_concurrency.py pins
    # that down), so each round clears them to keep exercising the rotation itself.
    for stale in (root / ".git").rglob("*.lock"):
        stale.unlink()


def _run_to_completion(root: Path, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(LCM_EXE), *args], cwd=root, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - start


def _kill_at_random_points(root: Path, args: tuple[str, ...], expected: dict[str, Any],
                           seed: int, after_each: Callable[[], None] = lambda: None) -> int:
    duration = _run_to_completion(root, *args)
    rng = random.Random(seed)
    kills = rounds = 0
    outcomes = []
    while kills < KILLS and rounds < MAX_ROUNDS:
        rounds += 1
        before = (root / ".lcm/keys/acme.yaml").read_bytes()
        proc = subprocess.Popen([str(LCM_EXE), *args], cwd=root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(rng.uniform(0.02, duration))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        _, err = proc.communicate(timeout=60)
        assert proc.returncode in (0, -signal.SIGKILL), err
        _clear_stale_git_locks(root)
        _check(root, expected)
        if proc.returncode:
            outcomes.append((root / ".lcm/keys/acme.yaml").read_bytes() != before)
        after_each()
    # The kills fell on both sides of the commit: before it (the old state stands) and
    # after it (the journal or the next reader finished the write).
    assert True in outcomes and False in outcomes, outcomes
    return kills


@pytest.mark.slow
def test_sigkill_during_rotate_key(repo: Path, cli) -> None:
    _big_tenant(repo)
    expected = _expected(repo)
    kills = _kill_at_random_points(repo, ("rotate", "key", "acme"), expected, seed=9)
    assert kills >= KILLS
    _run_to_completion(repo, "rotate", "key", "acme")  # and it completes afterwards
    _check(repo, expected)
    repo_api = lcm.Repo.open(repo)
    newest = repo_api.keys("acme").active_version
    for rel in expected:
        assert set(stored_versions((repo / rel).read_text())) == {newest}, rel
    assert cli("validate").code == 0


@pytest.mark.slow
def test_sigkill_during_rotate_master(repo: Path, isolated_env: Path) -> None:
    _big_tenant(repo, files=8, secrets=8)
    expected = _expected(repo)
    key_dir = next((isolated_env / ".local/share/lcm/keys").iterdir())

    def no_stale_promotion() -> None:
        # after a reader ran, the backend's key is the one the key file names
        from lcm.keys.backends import fingerprint

        import base64
        import yaml

        named = yaml.safe_load((repo / ".lcm/keys/acme.yaml").read_text())["master"]
        current = base64.b64decode((key_dir / "acme.key").read_text())
        assert named["fingerprint"] == fingerprint(current)

    kills = _kill_at_random_points(repo, ("rotate", "master", "acme"), expected, seed=11,
                                   after_each=no_stale_promotion)
    assert kills >= KILLS
    _run_to_completion(repo, "rotate", "master", "acme")
    _check(repo, expected)
    no_stale_promotion()
    assert not (key_dir / "acme.key.next").exists()
