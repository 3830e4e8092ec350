"""`lcm exec TENANT/ENV [NAME…] -- CMD…`: variables, exit codes, signals, a silent lcm."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import OTHER_SECRET, SECRET

LCM_EXE = Path(sys.executable).parent / "lcm"
CHILD = r"""
import json, os, signal, sys, time
out = sys.argv[1]
mode = sys.argv[2] if len(sys.argv) > 2 else "dump"
seen = []

def note(signum, _frame):
    seen.append(signal.Signals(signum).name)

if mode == "dump":
    env = {k: v for k, v in os.environ.items() if k.startswith(("INFERENCE_", "APP_", "ODD"))}
    open(out, "w").write(json.dumps(env))
    sys.exit(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
if mode == "wait":
    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGUSR1"):
        signal.signal(getattr(signal, name), note)
    open(out + ".ready", "w").write(str(os.getpid()))
    deadline = time.monotonic() + 20
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # a second delivery of the same signal would arrive now
    open(out, "w").write(json.dumps(seen))
    sys.exit(42)
if mode == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def child(tmp_path: Path) -> Path:
    path = tmp_path / "child.py"
    path.write_text(CHILD)
    return path


def test_the_child_sees_the_variables_and_lcm_prints_nothing(seeded: Path, run_lcm, child: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "env.json"
    res = run_lcm("exec", "acme/production", "--", sys.executable, str(child), str(out))
    assert (res.code, res.stdout, res.stderr) == (0, "", "")
    env = json.loads(out.read_text())
    assert env["INFERENCE_LLM_API_KEY"] == SECRET
    assert env["INFERENCE_LLM_TEMPERATURE"] == "0.1"  # the effective config (production)
    assert env["INFERENCE_LLM_STOP_0"] == "###" and env["APP_FEATURE_BETA"] == "true"
    assert env["APP_DB_PASSWORD"] == OTHER_SECRET and env["APP_EMPTY"] == ""


def test_only_named_files_and_a_prefix(seeded: Path, run_lcm, child: Path, tmp_path: Path) -> None:
    out = tmp_path / "env.json"
    res = run_lcm("exec", "acme/production", "app", "--prefix", "APP_", "--",
                  sys.executable, str(child), str(out))
    assert res.code == 0, res
    assert set(json.loads(out.read_text())) == {"APP_APP_FEATURE_BETA", "APP_APP_FEATURE_NAME",
                                                "APP_APP_EMPTY", "APP_APP_DB_PASSWORD"}


@pytest.mark.parametrize("code", [0, 3, 130])
def test_exit_code_passthrough(seeded: Path, run_lcm, child: Path, tmp_path: Path,
                               code: int) -> None:
    res = run_lcm("exec", "acme/production", "--", sys.executable, str(child),
                  str(tmp_path / "o"), "dump", str(code))
    assert (res.code, res.stdout, res.stderr) == (code, "", "")


def test_a_child_killed_by_a_signal_gives_128_plus_n(seeded: Path, run_lcm, child: Path,
                                                     tmp_path: Path) -> None:
    res = run_lcm("exec", "acme/production", "--", sys.executable, str(child),
                  str(tmp_path / "o"), "kill")
    assert res.code == 128 + signal.SIGKILL


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1])
def test_a_signal_to_lcm_reaches_the_child_once(seeded: Path, child: Path, tmp_path: Path,
                                                 signum: int) -> None:
    out = tmp_path / "signals.json"
    proc = subprocess.Popen([str(LCM_EXE), "exec", "acme/production", "--", sys.executable,
                             str(child), str(out), "wait"], cwd=seeded,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not Path(str(out) + ".ready").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.02)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert json.loads(out.read_text()) == [signal.Signals(signum).name]
    assert (proc.returncode, stdout, stderr) == (42, "", "")


def test_precedence_is_documented_and_switchable(seeded: Path, run_lcm, child: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "env.json"
    shell = {"INFERENCE_LLM_MODEL": "from-the-shell", "APP_OTHER": "kept"}
    res = run_lcm("exec", "acme/production", "--", sys.executable, str(child), str(out), env=shell)
    assert res.code == 0 and json.loads(out.read_text())["INFERENCE_LLM_MODEL"] == "gpt-4o"
    assert res.stderr == "lcm: config replaces INFERENCE_LLM_MODEL (already set)\n"
    res = run_lcm("exec", "acme/production", "--no-override", "--", sys.executable, str(child),
                  str(out), env=shell)
    env = json.loads(out.read_text())
    assert env["INFERENCE_LLM_MODEL"] == "from-the-shell" and env["APP_OTHER"] == "kept"
    assert env["INFERENCE_LLM_API_KEY"] == SECRET
    assert res.stderr == "lcm: the environment keeps INFERENCE_LLM_MODEL (already set)\n"
    assert "from-the-shell" not in res.stderr


def test_usage_errors(seeded: Path, run_lcm, tmp_path: Path) -> None:
    res = run_lcm("exec", "acme/production", "true")
    assert res.code == 2 and "needs -- before the command" in res.stderr
    res = run_lcm("exec", "acme/production", "--")
    assert res.code == 2 and "no command after --" in res.stderr
    res = run_lcm("exec", "acme/production", "nope", "--", "true")
    assert res.code == 3 and "acme/production/nope: no such config file" in res.stderr
    res = run_lcm("exec", "acme/production", "--", "lcm-no-such-command")
    assert (res.code, res.stderr) == (127, "lcm: error: lcm-no-such-command: command not found\n")
    script = tmp_path / "not-executable.sh"
    script.write_text("#!/bin/sh\n")
    res = run_lcm("exec", "acme/production", "--", str(script))
    assert res.code == 126 and "permission denied" in res.stderr
    # lcm's own options stop at --: the command's flags are the command's.
    res = run_lcm("exec", "acme/production", "--", sys.executable, "-c", "import sys; sys.exit(5)",
                  "--help")
    assert res.code == 5 and res.stdout == ""


def test_exec_is_audited_by_name_never_by_value(seeded: Path, run_lcm, child: Path,
                                                tmp_path: Path) -> None:
    res = run_lcm("exec", "acme/production", "app", "--", sys.executable, str(child),
                  str(tmp_path / "o"), "dump", "0", "--token", "sk-test-FAKE-argv")
    assert res.code == 0, res
    log = (seeded / ".lcm/audit/log.jsonl").read_text()
    entry = json.loads(log.splitlines()[-1])
    assert entry["op"] == "exec" and entry["tenant"] == "acme"
    assert entry["address"] == "acme/production"
    assert sorted(entry["keys"]) == ["APP_DB_PASSWORD", "APP_EMPTY", "APP_FEATURE_BETA",
                                     "APP_FEATURE_NAME"]
    assert entry["detail"]["target"] == f"exec:{Path(sys.executable).name}"
    assert entry["detail"]["commit"] == _head(seeded) and entry["detail"]["files"] == "app"
    for secret in (SECRET, OTHER_SECRET, "sk-test-FAKE-argv"):
        assert secret not in log
    assert run_lcm("audit", "verify").code == 0


def _head(root: Path) -> str:
    import pygit2

    return str(pygit2.Repository(str(root)).head.target)
