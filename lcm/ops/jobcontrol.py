"""Running `lcm edit`'s editor as a job of its own: a process group, so that the edit
guardian ends the editor together with everything it started (a wrapper script's
children) in one signal, yet on a terminal still the foreground job, as a shell runs
it, so a terminal editor reads the keyboard instead of being stopped by SIGTTIN.

While the editor runs, lcm hands its terminal's foreground to the editor's group and
takes it back when the editor ends. When the editor stops (Ctrl-Z, or it needs the
terminal while lcm's own job is in the background), lcm suspends its own job too, so the
shell takes over, and `fg` resumes both. Without a terminal (scripts, tests, CI) only
the process group is made.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

# Stops that only mean the editor touched the terminal before it was handed over.
_HANDOVER_STOPS = (signal.SIGTTIN, signal.SIGTTOU)


def start(argv: list[str]) -> subprocess.Popen[bytes]:
    """Start `argv` as the leader of a new process group (its pid is the group's id)."""
    return subprocess.Popen(argv, process_group=0)


def kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the job's whole process group, then reap its leader."""
    _signal(proc.pid, signal.SIGKILL)
    proc.wait()


def wait(proc: subprocess.Popen[bytes]) -> int:
    """Wait for a job made by `start`, with the terminal's foreground handed to it while
    lcm's job holds it; the job's exit code."""
    terminal = _controlling_terminal()
    if terminal is None:
        return proc.wait()
    own = os.getpgrp()
    try:
        while True:
            handed = _hand_over(terminal, own, proc.pid)
            _signal(proc.pid, signal.SIGCONT)  # resumes it after a stop (see below)
            _pid, status = os.waitpid(proc.pid, os.WUNTRACED)
            if not os.WIFSTOPPED(status):
                proc.returncode = os.waitstatus_to_exitcode(status)
                return proc.returncode
            if handed and os.WSTOPSIG(status) in _HANDOVER_STOPS:
                continue
            if handed:
                _give(terminal, own)
            # lcm's job stops with it: the shell shows it stopped until `fg` or `bg`.
            os.killpg(own, signal.SIGTSTP)
            if not handed:
                # A background job whose shell is gone is not stopped by SIGTSTP: wait
                # here rather than resume an editor that would stop again at once.
                time.sleep(0.2)
    finally:
        if _foreground(terminal) == proc.pid:
            _give(terminal, own)


def _controlling_terminal() -> int | None:
    """A descriptor of lcm's controlling terminal among stdin, stdout and stderr."""
    for fd in (0, 1, 2):
        if os.isatty(fd) and _foreground(fd) is not None:
            return fd
    return None


def _foreground(terminal: int) -> int | None:
    """The terminal's foreground process group (None: not our controlling terminal)."""
    try:
        return os.tcgetpgrp(terminal)
    except OSError:
        return None


def _hand_over(terminal: int, own: int, job: int) -> bool:
    """Give the terminal to `job` if lcm's job holds it; True when `job` holds it now."""
    holder = _foreground(terminal)
    if holder == own:
        _give(terminal, job)
        holder = _foreground(terminal)
    return holder == job


def _give(terminal: int, group: int) -> None:
    """Make `group` the terminal's foreground job. SIGTTOU is blocked meanwhile: lcm is
    not the foreground job itself when it takes the terminal back."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTTOU})
    try:
        os.tcsetpgrp(terminal, group)
    except OSError:
        pass  # the terminal hung up: nothing left to hand over
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _signal(group: int, signum: int) -> None:
    try:
        os.killpg(group, signum)
    except OSError:
        pass  # the group is gone already
