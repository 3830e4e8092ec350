"""Concurrent writers lose nothing; a writer killed mid-write leaves old-or-new files."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import lcm

from .helpers import LCM_EXE, cfg, commits, trailers

ADDR = "acme/base/app"


def _start(repo: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(LCM_EXE), *args], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.slow
def test_two_writers_on_one_file_keep_both_changes(repo: Path) -> None:
    start = len(commits(repo))
    rounds = 4
    for i in range(rounds):
        # round 0 races on creating the file
        a = _start(repo, "set", ADDR, f"a.key{i}", f"value-a-{i}")
        b = _start(repo, "set", ADDR, f"b.api_key{i}", f"sk-test-FAKE-b-{i}")
        for proc in (a, b):
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    eff = lcm.Repo.open(repo).resolve("acme", "base", "app").to_dict(reveal=True)
    assert eff["a"] == {f"key{i}": f"value-a-{i}" for i in range(rounds)}
    assert eff["b"] == {f"api_key{i}": f"sk-test-FAKE-b-{i}" for i in range(rounds)}
    history = commits(repo)
    new = history[: len(history) - start]
    assert len(new) == 2 * rounds
    assert all(len(c.parents) == 1 for c in new)
    assert all(trailers(c.message)["Lcm-Op"] == "set" for c in new)
    summaries = sorted(c.message.splitlines()[0] for c in new)
    assert summaries == sorted(
        [f"lcm set {ADDR} a.key{i}" for i in range(rounds)]
        + [f"lcm set {ADDR} b.api_key{i}" for i in range(rounds)]
    )
    # HEAD holds exactly what is on disk
    head_blob = history[0].tree["config/acme/base/app.yaml"].data.decode()
    assert head_blob == cfg(repo, ADDR).read_text()
    git_status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
    ).stdout
    assert git_status.strip() == ""


@pytest.mark.slow
def test_two_writers_on_different_files_and_tenants(repo: Path, cli) -> None:
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    procs = [
        _start(repo, "set", "acme/base/one", "x", "1"),
        _start(repo, "set", "acme/production/two", "y_token", "tok-FAKE"),
        _start(repo, "set", "beta/base/one", "z", "3"),
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    r = lcm.Repo.open(repo)
    assert r.resolve("acme", "production", "two")["y_token"] == "tok-FAKE"
    assert r.resolve("beta", "base", "one")["z"] == 3
    assert len({c.id for c in commits(repo)[:3]}) == 3


WRITER = textwrap.dedent(
    r'''
    """Writes values in a loop through the library until killed."""
    import sys
    from pathlib import Path

    from lcm.repository.address import Address
    from lcm.ops.edits import set_value
    from lcm.repository.repo import Repo

    root = Path(sys.argv[1])
    repo = Repo.open(root)
    addrs = [Address("acme", "base", "app"), Address("acme", "staging", "app")]
    i = int(sys.argv[2])
    while True:
        addr = addrs[i % 2]
        set_value(repo, addr, ("llm", "api_key"), f"sk-test-FAKE-{i:06d}" * 40)
        set_value(repo, addr, ("plain", f"k{i % 7}"), "x" * (i % 300))
        print(i, flush=True)
        i += 1
    '''
)


def _check_file_and_head(root: Path) -> None:
    """Every file on disk and at HEAD parses, names its place and verifies."""
    import pygit2

    from lcm.format.document import Document
    from lcm.format.seal import decrypt_tree

    repo = lcm.Repo.open(root)
    keys = repo.keys("acme")
    git = pygit2.Repository(str(root))
    head_tree = git.head.peel(pygit2.Commit).tree
    for env in ("base", "staging"):
        rel = f"config/acme/{env}/app.yaml"
        texts = [(root / rel).read_text()] if (root / rel).exists() else []
        try:
            texts.append(head_tree[rel].data.decode())
        except KeyError:
            pass
        for text in texts:
            doc = Document.parse(text, rel)
            plain = decrypt_tree(doc, keys, ("acme", env, "app"))
            assert plain["llm"]["api_key"].startswith("sk-test-FAKE-")
            assert len(plain["llm"]["api_key"]) == len("sk-test-FAKE-000000") * 40


@pytest.mark.slow
def test_sigkill_during_writes_never_tears_a_file(repo: Path, cli, tmp_path: Path) -> None:
    writer = tmp_path / "writer.py"
    writer.write_text(WRITER)
    rng = random.Random(20261126)
    total = 0
    self_deaths = []
    for round_no in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(writer), str(repo), str(total)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.6 + rng.random() * 0.8)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=30)
        if proc.returncode != -signal.SIGKILL:
            self_deaths.append(err.strip().splitlines()[-1] if err.strip() else proc.returncode)
        # A kill inside libgit2's index or ref update leaves a stale `*.lock` that blocks
        # later writes (test_stale_git_lock_does_not_break_writes pins down how lcm
        # must react); clear them so every round still exercises torn-file safety.
        for stale in (repo / ".git").rglob("*.lock"):
            stale.unlink()
        done = out.split()
        total = int(done[-1]) + 1 if done else total + 1
        _check_file_and_head(repo)
        res = cli("get", "acme/staging/app", "--reveal")
        assert res.code == 0, (round_no, res)
    assert total > 3, "the writer never got going"
    assert self_deaths == [], "writers died on their own after an earlier SIGKILL (stale git locks)"
    # and lcm keeps working afterwards: a new write commits cleanly
    res = cli("set", "acme/base/app", "after", "crash")
    assert res.code == 0, res
    assert trailers(commits(repo)[0].message)["Lcm-Op"] == "set"
    res = cli("get", "acme/base/app", "after")
    assert res.stdout == "crash\n"
    stray = [
        p
        for p in (repo / "config").rglob("*")
        if p.is_file() and not p.name.endswith(".yaml") and p.name != ".keep"
    ]
    assert all(p.name.startswith(".") and p.name.endswith(".tmp") for p in stray), stray


@pytest.mark.slow
def test_sigkill_of_cli_set_loop(repo: Path, cli, tmp_path: Path) -> None:
    """The same with `lcm set` processes (a shell loop), killed at random moments."""
    script = tmp_path / "loop.sh"
    script.write_text(
        f'i=0; while true; do "{LCM_EXE}" set {ADDR} llm.api_key "sk-test-FAKE-$i-$i-$i-$i" '
        f'>/dev/null 2>&1; "{LCM_EXE}" set {ADDR} n "$i" >/dev/null 2>&1; i=$((i+1)); done\n'
    )
    rng = random.Random(7)
    for _ in range(4):
        proc = subprocess.Popen(["bash", str(script)], cwd=repo, start_new_session=True)
        time.sleep(0.8 + rng.random() * 1.2)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        res = cli("get", ADDR, "--reveal", "-o", "json")
        assert res.code == 0, res
        assert '"sk-test-FAKE-' in res.stdout
        # a kill inside libgit2 may leave a stale lock; lcm then refuses to write
        # with one clear line (like git itself) until it is removed
        stale = list((repo / ".git").rglob("*.lock"))
        if stale:
            res = cli("set", ADDR, "blocked", "x")
            assert res.exception is None, res.exception
            if res.code != 0:
                assert res.code == 3 and any(ln.name in res.stderr for ln in stale), res
            for lock in stale:
                lock.unlink()
    assert cli("set", ADDR, "final", "ok").code == 0


@pytest.mark.parametrize("lock_name", [".git/index.lock", ".git/refs/heads/main.lock"])
def test_stale_git_lock_does_not_break_writes(repo: Path, cli, tree_digest, lock_name) -> None:
    """A writer SIGKILLed inside pygit2's index write or ref update leaves a `*.lock`.

    lcm holds its own writer lock, so the next `lcm set` must either succeed or
    fail with one clear line and nothing changed -- never a traceback after it
    already wrote the file (and, for the index, moved HEAD)."""
    assert cli("set", ADDR, "a", "1").code == 0
    lock = repo / lock_name
    lock.write_text("")
    head_before = commits(repo)[0].id
    before = tree_digest(repo / "config")
    res = cli("set", ADDR, "a", "2")
    assert res.exception is None, f"traceback: {res.exception!r}"
    if res.code == 0:
        assert commits(repo)[0].id != head_before
        assert cli("get", ADDR, "a").stdout == "2\n"
    else:
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("lcm: error:") and lock.name in lines[0]
        assert tree_digest(repo / "config") == before
        assert commits(repo)[0].id == head_before


@pytest.mark.slow
def test_two_tenant_adds_at_once_keep_both(repo: Path) -> None:
    procs = [_start(repo, "tenant", "add", name, "--backend", "file") for name in ("beta", "gamma")]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    import yaml

    tenants = yaml.safe_load((repo / ".lcm.yaml").read_text())["tenants"]
    assert set(tenants) == {"acme", "beta", "gamma"}
    for name in ("beta", "gamma"):
        res = subprocess.run(
            [str(LCM_EXE), "set", f"{name}/base/app", "api_key", f"sk-FAKE-{name}"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert res.returncode == 0, res.stderr
