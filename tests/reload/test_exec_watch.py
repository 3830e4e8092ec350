"""`lcm exec --watch TENANT/ENV [--signal SIG] -- CMD…` as a user runs it: the installed
`lcm` in its own process, a real child that logs what it sees, changes made by other
processes; every wait is on a condition with a deadline."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.reload.conftest import DEADLINE, LCM_EXE, git, holds, lcm, python, wait_until

CHILD = r"""
import json, os, signal, sys, time
log = sys.argv[1]
def note(what):
    env = {k: v for k, v in os.environ.items() if k.startswith(("APP_", "EXTRA_"))}
    with open(log, "a") as f:
        f.write(f"{what} {os.getpid()} {json.dumps(env, sort_keys=True)}\n")
for name in ("SIGHUP", "SIGUSR1", "SIGINT"):
    signal.signal(getattr(signal, name), lambda num, _f: note(signal.Signals(num).name))
def term(*_):
    note("SIGTERM")
    sys.exit(42)
signal.signal(signal.SIGTERM, term)
note("start")
exit_with = os.environ.get("APP_LIMITS_EXIT")
if exit_with is not None:
    sys.exit(int(exit_with))
while True:
    time.sleep(0.05)
"""
QUIET = 1.5  # seconds with no second restart: several times poll + debounce of lcm's side
SECRET = "sk-one"  # the served fixture's api_key


class Watch:
    """One `lcm exec --watch … -- python child.py LOG` process and its child's log."""

    def __init__(self, root: Path, folder: Path, *options: str, stdin: Any = None) -> None:
        self.root = root
        self.log = folder / "child.log"
        self.stderr = folder / "lcm.stderr"
        script = folder / "child.py"
        script.write_text(CHILD)
        self.argv = [str(LCM_EXE), "exec", "--watch", *options, "--",
                     sys.executable, str(script), str(self.log)]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Watch":
        with open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(self.argv, cwd=self.root, stdout=subprocess.PIPE,
                                         stderr=err, stdin=subprocess.DEVNULL)
        return self

    def events(self, what: str | None = None) -> list[tuple[str, int, dict[str, str]]]:
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text().splitlines():
            kind, pid, env = line.split(" ", 2)
            if what is None or kind == what:
                out.append((kind, int(pid), json.loads(env)))
        return out

    def starts(self) -> list[tuple[str, int, dict[str, str]]]:
        return self.events("start")

    def wait_starts(self, count: int) -> list[tuple[str, int, dict[str, str]]]:
        wait_until(lambda: len(self.starts()) >= count, what=f"start #{count}")
        assert holds(lambda: len(self.starts()) == count, QUIET), self.events()
        return self.starts()

    def finish(self, sig: int = signal.SIGTERM) -> tuple[int, bytes]:
        """Send lcm `sig`; its exit status and stdout once it has exited."""
        assert self.proc is not None
        self.proc.send_signal(sig)
        stdout, _ = self.proc.communicate(timeout=DEADLINE)
        return self.proc.returncode, stdout

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for _, pid, _ in self.starts():
            try:
                os.killpg(pid, signal.SIGKILL)  # each child leads a process group
            except (ProcessLookupError, PermissionError):
                pass


@pytest.fixture
def watch(served: Path, tmp_path: Path) -> Iterator[Any]:
    """`watch(*options)` starts `lcm exec --watch [options] acme/production -- child`;
    lcm and every child it started are gone after the test, even a failed one."""
    made: list[Watch] = []

    def _start(*options: str, env: str = "acme/production") -> Watch:
        folder = tmp_path / f"watch-{len(made)}"
        folder.mkdir()
        one = Watch(served, folder, *options, env)
        made.append(one)
        return one.start()

    yield _start
    for one in made:
        one.cleanup()


def exec_audit(root: Path) -> list[dict[str, Any]]:
    log = root / ".lcm/audit/log.jsonl"
    return [e for e in map(json.loads, log.read_text().splitlines()) if e["op"] == "exec"]


def test_restarts_once_per_lcm_set_in_another_process_and_audits_each_start(
        served: Path, watch: Any) -> None:
    w = watch()
    [(_, first, env)] = w.wait_starts(1)
    assert env["APP_LLM_MODEL"] == "gpt-4o" and env["APP_LIMITS_RPM"] == "500"
    assert env["APP_LLM_API_KEY"] == SECRET
    lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    _, (_, second, env) = w.wait_starts(2)
    assert env["APP_LLM_MODEL"] == "gpt-5" and second != first
    assert [e[:2] for e in w.events("SIGTERM")] == [("SIGTERM", first)]  # asked to end
    lcm(served, "set", "acme/base/app", "llm.api_key", "sk-two")
    *_, (_, third, env) = w.wait_starts(3)
    assert env["APP_LLM_API_KEY"] == "sk-two"
    code, stdout = w.finish(signal.SIGTERM)
    assert (code, stdout) == (42, b"")  # the child's status after the forwarded TERM
    assert [e[:2] for e in w.events("SIGTERM")][-1] == ("SIGTERM", third)
    assert w.stderr.read_text() == ""
    entries = exec_audit(served)
    assert [e["detail"]["watch"] for e in entries] == ["start", "restart", "restart"]
    assert all("APP_LLM_API_KEY" in e["keys"] and e["address"] == "acme/production"
               for e in entries)
    audit_text = (served / ".lcm/audit/log.jsonl").read_text()
    assert SECRET not in audit_text and "sk-two" not in audit_text


def test_a_four_file_change_set_commit_is_one_restart(served: Path, watch: Any) -> None:
    w = watch()
    w.wait_starts(1)
    python(served, """
from lcm.ops.changeset import ChangeSet
from lcm.repository.address import Address
from lcm.repository.repo import Repo
changes = ChangeSet(Repo.open('.'), 'test')
changes.set(Address('acme', 'base', 'app'), ('llm', 'provider'), 'anthropic')
changes.set(Address('acme', 'staging', 'app'), ('llm', 'model'), 'claude')
changes.set(Address('acme', 'production', 'app'), ('limits', 'rpm'), 900)
changes.set(Address('acme', 'production', 'extra'), ('on',), True)
changes.commit('four files, one commit')
""")
    _, (_, _, env) = w.wait_starts(2)
    assert (env["APP_LLM_PROVIDER"], env["APP_LLM_MODEL"]) == ("anthropic", "claude")
    assert (env["APP_LIMITS_RPM"], env["EXTRA_ON"]) == ("900", "true")
    # Outside production's chain, or the same values again: nothing to restart for.
    lcm(served, "set", "acme/development/app", "llm.model", "o3")
    lcm(served, "rotate", "key", "acme")  # every value re-encrypted, none changed
    w.wait_starts(2)
    assert len(exec_audit(served)) == 2


def test_signal_hup_is_sent_once_per_change_and_the_child_stays(served: Path,
                                                                watch: Any) -> None:
    w = watch("--signal", "HUP")
    [(_, pid, _)] = w.wait_starts(1)
    lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    wait_until(lambda: w.events("SIGHUP"), what="SIGHUP")
    assert holds(lambda: len(w.events("SIGHUP")) == 1, QUIET)
    lcm(served, "set", "acme/staging/app", "llm.model", "gpt-6")
    wait_until(lambda: len(w.events("SIGHUP")) == 2, what="second SIGHUP")
    assert [e[1] for e in w.events()] == [pid] * 3 and len(w.starts()) == 1
    assert len(exec_audit(served)) == 1  # a signal hands the child no new environment
    assert w.finish()[0] == 42


def test_a_change_that_does_not_verify_keeps_the_child_and_warns_once(
        served: Path, watch: Any) -> None:
    w = watch()
    [(_, pid, _)] = w.wait_starts(1)
    path = served / "config/acme/staging/app.yaml"
    edited = path.with_suffix(".tmp")
    edited.write_text(path.read_text().replace("model: gpt-4o", "model: evil"))
    edited.replace(path)  # a hand edit: the MAC no longer holds
    wait_until(lambda: w.stderr.read_text(), what="the warning")
    assert holds(lambda: len(w.stderr.read_text().splitlines()) == 1, QUIET)
    [line] = w.stderr.read_text().splitlines()
    assert line.startswith("lcm: ") and "MAC does not verify" in line
    assert line.endswith("; the child keeps its config")
    assert [e[1] for e in w.events()] == [pid]
    git(served, "checkout", "--", str(path))
    lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    _, (_, _, env) = w.wait_starts(2)
    assert env["APP_LLM_MODEL"] == "gpt-5"


@pytest.mark.parametrize("code", [0, 3, 130])
def test_lcm_exits_with_the_child_when_it_exits_on_its_own(served: Path, watch: Any,
                                                            code: int) -> None:
    lcm(served, "set", "acme/production/app", "limits.exit", str(code))
    w = watch()
    assert w.proc is not None and w.proc.wait(DEADLINE) == code
    assert len(w.starts()) == 1 and w.stderr.read_text() == ""


def test_a_restarted_child_that_is_killed_gives_128_plus_n(served: Path, watch: Any) -> None:
    w = watch()
    w.wait_starts(1)
    lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    *_, (_, pid, _) = w.wait_starts(2)
    os.kill(pid, signal.SIGKILL)
    assert w.proc is not None and w.proc.wait(DEADLINE) == 128 + signal.SIGKILL


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGUSR1])
def test_a_signal_to_lcm_reaches_the_child_once(served: Path, watch: Any, signum: int) -> None:
    w = watch()
    [(_, pid, _)] = w.wait_starts(1)
    assert w.proc is not None
    w.proc.send_signal(signum)
    name = signal.Signals(signum).name
    wait_until(lambda: w.events(name), what=f"forwarded {name}")
    assert holds(lambda: len(w.events(name)) == 1, 0.5)
    if signum == signal.SIGUSR1:
        code, _ = w.finish(signal.SIGTERM)
    else:
        if signum == signal.SIGINT:  # the child notes INT and goes on: end it
            os.kill(pid, signal.SIGTERM)
        code = w.proc.wait(DEADLINE)
    assert code == 42 and [e[1] for e in w.events()] == [pid] * len(w.events())


def test_ctrl_c_in_a_terminal_reaches_the_child_exactly_once(served: Path,
                                                             tmp_path: Path) -> None:
    """lcm in the foreground of a real terminal (a pty), the child in its own process
    group: the keyboard's SIGINT goes to lcm's group only and lcm forwards it once;
    Ctrl-Z stops both, SIGCONT resumes both."""
    w = Watch(served, tmp_path, "acme/production")
    pid, master = pty.fork()
    if pid == 0:  # the child: a session leader whose terminal is the pty
        try:
            os.chdir(served)
            os.execv(w.argv[0], w.argv)
        finally:
            os._exit(127)
    output = bytearray()
    try:
        def read_terminal() -> None:
            import select

            while select.select([master], [], [], 0)[0]:
                try:
                    output.extend(os.read(master, 4096))
                except OSError:
                    return

        def started() -> list[Any]:
            read_terminal()
            return w.starts()

        [(_, child, _)] = wait_until(started, what="the child")
        assert os.getpgid(child) == child != os.getpgid(pid)  # its own group
        os.write(master, b"\x1a")  # Ctrl-Z
        wait_until(lambda: _state(pid) == "T" and _state(child) == "T", what="both stopped")
        os.kill(pid, signal.SIGCONT)
        wait_until(lambda: _state(pid) != "T" and _state(child) != "T", what="both resumed")
        os.write(master, b"\x03")  # Ctrl-C
        wait_until(lambda: (read_terminal(), w.events("SIGINT"))[1], what="SIGINT")
        assert holds(lambda: len(w.events("SIGINT")) == 1, 0.5), w.events()
        os.kill(child, signal.SIGTERM)
        end = time.monotonic() + DEADLINE
        while (done := os.waitpid(pid, os.WNOHANG))[0] == 0:
            read_terminal()
            assert time.monotonic() < end, "lcm did not exit with its child"
            time.sleep(0.02)
        assert os.waitstatus_to_exitcode(done[1]) == 42, bytes(output)
    finally:
        for target in (pid, *(p for _, p, _ in w.starts())):
            try:
                os.kill(target, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        os.close(master)


def _state(pid: int) -> str:
    """The process state letter of /proc/PID/stat (`T` stopped, `S` sleeping, …)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "gone"
    return text.rsplit(")", 1)[1].split()[0]


def test_a_rotation_publishes_the_previous_value_until_its_window_ends(
        served: Path, watch: Any) -> None:
    """The env changes twice: on the rotation (…_PREVIOUS appears) and when the overlap
    window ends (it goes), though no file changes then."""
    w = watch()
    [(_, _, env)] = w.wait_starts(1)
    assert "APP_LLM_API_KEY_PREVIOUS" not in env
    proc = subprocess.run([str(LCM_EXE), "rotate", "secret", "acme/base/app", "llm.api_key",
                           "--value-stdin", "--overlap", "8s"], cwd=served, input="sk-new",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc
    wait_until(lambda: len(w.starts()) >= 2, what="restart after the rotation")
    env = w.starts()[1][2]
    assert (env["APP_LLM_API_KEY"], env["APP_LLM_API_KEY_PREVIOUS"]) == ("sk-new", SECRET)
    *_, (_, _, env) = w.wait_starts(3)
    assert env["APP_LLM_API_KEY"] == "sk-new" and "APP_LLM_API_KEY_PREVIOUS" not in env
    assert "APP_LLM_API_KEY_PREVIOUS" in exec_audit(served)[1]["keys"]


def test_usage_and_launch_errors_match_exec(served: Path, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(LCM_EXE), "exec", *args], cwd=served, capture_output=True,
                              text=True, timeout=60)

    script = tmp_path / "not-executable.sh"
    script.write_text("#!/bin/sh\n")
    for mode in ((), ("--watch",)):  # exec and exec --watch say the same
        res = run(*mode, "acme/production", "--", "lcm-no-such-command")
        assert (res.returncode, res.stderr) == (
            127, "lcm: error: lcm-no-such-command: command not found\n")
        res = run(*mode, "acme/production", "--", str(script))
        assert (res.returncode, res.stderr) == (126, f"lcm: error: {script}: permission denied\n")
    res = run("--signal", "HUP", "acme/production", "--", "true")
    assert res.returncode == 2 and "--signal needs --watch" in res.stderr
    for bad in ("NOPE", "KILL"):
        res = run("--watch", "--signal", bad, "acme/production", "--", "true")
        assert res.returncode == 2 and f"--signal {bad!r}" in res.stderr
    res = run("--watch", "acme/production", "nope", "--", "true")
    assert res.returncode == 3 and "acme/production/nope: no such config file" in res.stderr
