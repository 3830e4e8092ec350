"""The supervisor behind `lcm exec --watch`: restart (or signal) once per settled change,
forward signals, exit with the child. Children are real processes that log what they see."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

import lcm
from lcm.ops.supervise import Supervisor
from tests.reload.conftest import holds, python, wait_until

CHILD = r"""
import os, signal, sys, time
log = sys.argv[1]
def note(what):
    with open(log, "a") as f:
        f.write(f"{what} {os.getpid()} {os.environ.get('VALUE', '')}\n")
value = os.environ.get("VALUE", "")
if value.startswith("exit:"):
    note("start")
    sys.exit(int(value[5:]))
signal.signal(signal.SIGHUP, lambda *_: note("hup"))
signal.signal(signal.SIGUSR1, lambda *_: note("usr1"))
def term(*_):
    note("term")
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
note("start")
while True:
    time.sleep(0.05)
"""


class Child:
    """The child script and its log: `events()` is [(what, pid, VALUE), ...]."""

    def __init__(self, folder: Path) -> None:
        self.script = folder / "child.py"
        self.script.write_text(CHILD)
        self.log = folder / "child.log"

    @property
    def argv(self) -> list[str]:
        return [sys.executable, str(self.script), str(self.log)]

    def events(self, what: str | None = None) -> list[tuple[str, int, str]]:
        if not self.log.exists():
            return []
        out = []
        for line in self.log.read_text().splitlines():
            kind, pid, value = (line.split(" ", 2) + [""])[:3]
            if what is None or kind == what:
                out.append((kind, int(pid), value))
        return out


@pytest.fixture
def child(tmp_path: Path) -> Iterator[Child]:
    """The child script; every child it started is gone after the test, even a failed one."""
    made = Child(tmp_path)
    yield made
    for _, pid, _ in made.events("start"):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _in_thread(supervisor: Supervisor) -> tuple[threading.Thread, list[int]]:
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(supervisor.run()), daemon=True)
    thread.start()
    return thread, codes


def _finish(supervisor: Supervisor, thread: threading.Thread, codes: list[int]) -> int:
    supervisor.stop()
    thread.join(15)
    assert not thread.is_alive() and codes, "the supervisor did not end with its child"
    return codes[0]


def test_a_burst_of_updates_is_one_restart_with_the_last_env(child: Child) -> None:
    events: list[tuple[str, int]] = []
    supervisor = Supervisor(child.argv, {"VALUE": "a"}, debounce=0.3, grace=5,
                            on_event=lambda what, pid: events.append((what, pid)))
    thread, codes = _in_thread(supervisor)
    wait_until(lambda: child.events("start"), what="first start")
    for value in ("b", "c", "d"):
        supervisor.update({"VALUE": value})
    wait_until(lambda: len(child.events("start")) == 2, what="restart")
    first, second = child.events("start")
    assert (first[2], second[2]) == ("a", "d") and first[1] != second[1]
    assert child.events("term") == [("term", first[1], "a")]  # the old child was asked to end
    supervisor.update({"VALUE": "d"})  # same env: nothing to do
    assert holds(lambda: len(child.events("start")) == 2, 1.0)
    assert [what for what, _ in events] == ["start", "restart"]
    assert _finish(supervisor, thread, codes) == 0
    assert supervisor.starts == 2


def test_signal_mode_signals_once_per_change_and_keeps_the_child(child: Child) -> None:
    supervisor = Supervisor(child.argv, {"VALUE": "a"}, reload_signal=signal.SIGHUP,
                            debounce=0.3)
    thread, codes = _in_thread(supervisor)
    [(_, pid, _)] = wait_until(lambda: child.events("start"), what="start")
    supervisor.update({"VALUE": "b"})
    supervisor.update({"VALUE": "c"})
    wait_until(lambda: child.events("hup"), what="SIGHUP")
    assert holds(lambda: len(child.events("hup")) == 1 and len(child.events("start")) == 1, 1.0)
    assert child.events("hup")[0][1] == pid
    assert _finish(supervisor, thread, codes) == 0
    assert supervisor.signals_sent == 1


def test_exits_with_the_child_status(child: Child) -> None:
    assert Supervisor(child.argv, {"VALUE": "exit:7"}).run() == 7
    supervisor = Supervisor(child.argv, {"VALUE": "a"})
    thread, codes = _in_thread(supervisor)
    [(_, pid, _)] = wait_until(lambda: [e for e in child.events("start") if e[2] == "a"],
                               what="start")
    os.kill(pid, signal.SIGKILL)
    thread.join(15)
    assert codes == [128 + signal.SIGKILL]


def test_a_command_that_cannot_start_is_execs_launch_error(tmp_path: Path) -> None:
    from lcm.errors import UsageError
    from lcm.ops.exec import LaunchError

    with pytest.raises(LaunchError, match="command not found") as missing:
        Supervisor([str(tmp_path / "no-such-program")], {}).run()
    assert missing.value.status == 127
    script = tmp_path / "not-executable.sh"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(LaunchError, match="permission denied") as denied:
        Supervisor([str(script)], {}).run()
    assert denied.value.status == 126
    with pytest.raises(UsageError):
        Supervisor([], {})


def test_signals_are_forwarded_once_and_the_supervisor_exits_with_the_child(
        child: Child, tmp_path: Path) -> None:
    code = (f"import sys\nfrom lcm.ops.supervise import Supervisor\n"
            f"sys.exit(Supervisor({child.argv!r}, {{'VALUE': 'a'}}).run())\n")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path)
    try:
        [(_, pid, _)] = wait_until(lambda: child.events("start"), what="start")
        proc.send_signal(signal.SIGUSR1)
        wait_until(lambda: child.events("usr1"), what="forwarded SIGUSR1")
        proc.send_signal(signal.SIGHUP)
        wait_until(lambda: child.events("hup"), what="forwarded SIGHUP")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert [e[0] for e in child.events()] == ["start", "usr1", "hup", "term"]
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _env_of(eff: Any) -> dict[str, str]:
    return {"VALUE": json.dumps(eff.to_dict(reveal=True), sort_keys=True, separators=(",", ":"))}


def test_driven_by_a_live_handle_one_restart_per_commit_not_per_file(
        served: Path, child: Child) -> None:
    live = lcm.Repo.open(served).live("acme", "production")
    supervisor = Supervisor(child.argv, _env_of(live.current), debounce=0.2, grace=5)
    supervisor.follow(live, _env_of)
    thread, codes = _in_thread(supervisor)
    try:
        wait_until(lambda: child.events("start"), what="start")
        python(served, """
from lcm.ops.changeset import ChangeSet
from lcm.repository.address import Address
from lcm.repository.repo import Repo
changes = ChangeSet(Repo.open('.'), 'test')
changes.set(Address('acme', 'base', 'app'), ('llm', 'api_key'), 'sk-two')
changes.set(Address('acme', 'staging', 'app'), ('llm', 'model'), 'claude')
changes.set(Address('acme', 'production', 'app'), ('limits', 'rpm'), 900)
changes.set(Address('acme', 'production', 'extra'), ('on',), True)
changes.commit('four files, one commit')
""")
        wait_until(lambda: len(child.events("start")) == 2, what="restart")
        assert holds(lambda: len(child.events("start")) == 2, 3 * live.debounce + 0.5)
        config = json.loads(child.events("start")[1][2])
        assert config["app"]["llm"] == {"provider": "openai", "model": "claude",
                                        "api_key": "sk-two"}
        assert config["app"]["limits"] == {"rpm": 900} and config["extra"] == {"on": True}
        # A commit to an env outside production's chain changes nothing for the child.
        python(served, """
from lcm.ops.changeset import ChangeSet
from lcm.repository.address import Address
from lcm.repository.repo import Repo
changes = ChangeSet(Repo.open('.'), 'test')
changes.set(Address('acme', 'development', 'app'), ('llm', 'model'), 'o3')
changes.commit('development only')
""")
        assert holds(lambda: len(child.events("start")) == 2, 3 * live.debounce + 0.5)
    finally:
        assert _finish(supervisor, thread, codes) == 0
        live.close()


def test_supervise_live_runs_until_the_child_exits_and_closes_the_handle(
        served: Path, child: Child) -> None:
    from lcm.ops.supervise import supervise_live
    from tests.reload.conftest import lcm as run_lcm

    live = lcm.Repo.open(served).live("acme", "production", "app")
    events: list[str] = []
    codes: list[int] = []
    thread = threading.Thread(daemon=True, target=lambda: codes.append(supervise_live(
        live, child.argv, _env_of, debounce=0.2, base_env={},
        on_event=lambda what, _pid: events.append(what))))
    thread.start()
    wait_until(lambda: child.events("start"), what="start")
    run_lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    wait_until(lambda: len(child.events("start")) == 2, what="restart")
    _, pid, value = child.events("start")[1]
    assert json.loads(value)["llm"]["model"] == "gpt-5"
    os.kill(pid, signal.SIGTERM)  # the child ends on its own (exit 0)
    thread.join(15)
    assert codes == [0] and events == ["start", "restart"]
    assert not live.watching


def test_a_signal_while_a_restart_is_starting_reaches_the_new_child(child: Child) -> None:
    """TERM that comes while the new child is being started (here: from `on_start`, which
    runs at that moment) is held and passed to the new child once; nothing keeps running."""
    holder: list[Supervisor] = []

    def on_start(event: str, _env: object) -> None:
        if event == "restart":
            holder[0].stop(signal.SIGTERM)

    supervisor = Supervisor(child.argv, {"VALUE": "a"}, debounce=0.1, grace=5,
                            on_start=on_start)
    holder.append(supervisor)
    thread, codes = _in_thread(supervisor)
    wait_until(lambda: child.events("start"), what="first start")
    supervisor.update({"VALUE": "b"})
    thread.join(15)
    assert not thread.is_alive(), "the restarted child never got the TERM"
    assert codes and codes[0] in (0, 128 + signal.SIGTERM)
    assert supervisor.starts == 2
    assert holds(lambda: len(child.events("start")) <= 2, 0.5)
