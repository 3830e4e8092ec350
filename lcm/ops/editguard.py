"""The guardian of one `lcm edit` buffer: removes the buffer's folder once the lcm
process that made it is gone, however it ended (SIGKILL included).

lcm starts it with `python -I -S editguard.py FOLDER` in a session of its own (so a
signal to lcm's process group does not reach it) and holds the only write end of its
stdin: end of input means lcm exited. While an editor runs, lcm sends `editor PID`
(the editor leads a process group of its own, whose id is its pid), and `idle` when it
returns. Standard library only, and nothing that could fail loudly:
it runs detached, with nowhere to report to.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys


def watch(folder: str) -> None:
    """Wait for lcm's end, stop the editor it left open (with every process the editor
    started: a wrapper script's children too), remove the folder."""
    editor = 0
    for line in sys.stdin:
        word, _, arg = line.strip().partition(" ")
        editor = int(arg) if word == "editor" and arg.isdigit() else 0
    if editor:
        # Nothing will read the buffer back any more; stop the editor before it saves the
        # plaintext again. SIGKILL: a signal it can catch makes vim write a swap file.
        try:
            os.killpg(editor, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 2:
        watch(sys.argv[1])
