"""`lcm edit` on a terminal: the editor runs in a process group of its own (so the
guardian can end all of it) and is still the terminal's foreground job, as a shell
would run it. Driven through a real pty by a minimal interactive shell
(tests/hostile/minishell.py), so job control is the kernel's, not a stand-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

ADDR = "acme/base/app"
LCM = Path(sys.executable).parent / "lcm"
SHELL = Path(__file__).with_name("minishell.py")

# A terminal editor: notes its process group and the terminal's foreground job, may
# suspend itself as vim's Ctrl-Z / :suspend does, then reads a value from the keyboard.
EDITOR = textwrap.dedent("""\
    import json, os, signal, sys
    seen = {"pid": os.getpid(), "group": os.getpgrp(), "foreground": os.tcgetpgrp(0)}
    if os.environ.get("LCM_TEST_SUSPEND"):
        os.kill(0, signal.SIGTSTP)
        seen["foreground_after_fg"] = os.tcgetpgrp(0)
    typed = sys.stdin.readline().strip()
    seen["typed"] = typed
    path = sys.argv[-1]
    with open(path) as f:
        text = f.read()
    with open(path, "w") as f:
        f.write(text.replace("a: 1", "a: " + typed))
    with open(os.environ["LCM_TEST_EDITOR_REPORT"], "w") as f:
        json.dump(seen, f)
""")


def _run_in_terminal(repo: Path, tmp_path: Path, env: dict[str, str]) -> tuple[dict, dict]:
    """`lcm edit ADDR` as the foreground job of a new pty, a value typed on its keyboard."""
    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    shell_report, editor_report = tmp_path / "shell.json", tmp_path / "editor.json"
    env = {**os.environ, **env, "EDITOR": f"{sys.executable} {editor}",
           "LCM_TEST_EDITOR_REPORT": str(editor_report)}
    master, slave = os.openpty()
    output = bytearray()
    reader = threading.Thread(target=_drain, args=(master, output), daemon=True)
    reader.start()
    try:
        os.write(master, b"42\n")  # typed ahead: the tty holds it until the editor reads
        shell = subprocess.Popen([sys.executable, str(SHELL), str(shell_report),
                                  str(LCM), "edit", ADDR], cwd=repo, env=env,
                                 stdin=slave, stdout=slave, stderr=slave,
                                 start_new_session=True)
        try:
            shell.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(shell.pid, 9)
            shell.wait()
            pytest.fail(f"lcm edit hung on the terminal; it printed {bytes(output)!r}")
    finally:
        os.close(slave)
        reader.join(timeout=5)
        os.close(master)
    assert shell.returncode == 0, bytes(output)
    return json.loads(shell_report.read_text()), json.loads(editor_report.read_text())


def _drain(master: int, into: bytearray) -> None:
    """Read the pty's output (so no write blocks on a full buffer) until it closes."""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            return
        if not chunk:
            return
        into.extend(chunk)


@pytest.fixture
def seeded(repo: Path, cli) -> Path:
    assert cli("set", ADDR, "a", "1").code == 0
    assert cli("set", ADDR, "token", "tok-test-FAKE-job").code == 0
    return repo


@pytest.mark.slow
def test_a_terminal_editor_is_the_foreground_job_in_a_group_of_its_own(
        seeded: Path, tmp_path: Path, cli) -> None:
    shell, editor = _run_in_terminal(seeded, tmp_path, {})
    lcm_group = shell["job"]
    assert shell["events"] == ["exit 0"]
    assert editor["group"] == editor["pid"] != lcm_group  # its own process group
    assert editor["foreground"] == editor["group"]  # handed the terminal: no SIGTTIN stop
    assert editor["typed"] == "42"
    assert shell["foreground_after"] == lcm_group  # lcm took the terminal back
    assert cli("get", ADDR, "a").stdout == "42\n"


@pytest.mark.slow
def test_suspending_the_editor_suspends_lcm_and_fg_resumes_both(
        seeded: Path, tmp_path: Path, cli) -> None:
    """Ctrl-Z in the editor stops lcm's job too, the shell gets the terminal back, and
    `fg` gives it to the editor again, which goes on where it was."""
    shell, editor = _run_in_terminal(seeded, tmp_path, {"LCM_TEST_SUSPEND": "1"})
    assert shell["events"] == ["stopped SIGTSTP", "shell has the terminal: True", "exit 0"]
    assert editor["foreground"] == editor["foreground_after_fg"] == editor["group"]
    assert editor["typed"] == "42"
    assert shell["foreground_after"] == shell["job"]
    assert cli("get", ADDR, "a").stdout == "42\n"
