"""A minimal interactive shell for the job-control tests of `lcm edit`: runs one command
as the foreground job of the terminal on its stdin (a pty the test made), answers a
stopped job with `fg` as a user would, and writes what it saw as JSON.

Usage: python minishell.py REPORT COMMAND...
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import termios


def give(group: int) -> None:
    """Make `group` the terminal's foreground job (as a shell does, SIGTTOU blocked)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTTOU})
    try:
        os.tcsetpgrp(0, group)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def foreground_job() -> None:
    """In the child before exec: a job of its own, in the foreground from the start."""
    os.setpgid(0, 0)
    give(os.getpid())


def main(report: str, argv: list[str]) -> None:
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # the pty becomes this session's terminal
    job = subprocess.Popen(argv, preexec_fn=foreground_job)
    events: list[str] = []
    while True:
        _pid, status = os.waitpid(job.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            events.append(f"exit {os.waitstatus_to_exitcode(status)}")
            break
        events.append(f"stopped {signal.Signals(os.WSTOPSIG(status)).name}")
        give(os.getpgrp())
        events.append(f"shell has the terminal: {os.tcgetpgrp(0) == os.getpgrp()}")
        give(job.pid)  # fg
        os.killpg(job.pid, signal.SIGCONT)
    with open(report, "w") as out:
        json.dump({"events": events, "job": job.pid, "foreground_after": os.tcgetpgrp(0)}, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
