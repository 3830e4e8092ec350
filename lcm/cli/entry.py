"""The `lcm` console script: a tiny dispatcher in front of the Typer app.

`lcm scan …` (the pre-commit hot path) goes straight to `lcm.scan.__main__`,
which takes the same flags and calls the same runner as the Typer `scan`
command, without importing Typer or any other command group.
"""

from __future__ import annotations

import sys


def run() -> None:
    if sys.argv[1:2] == ["scan"] and not {"-h", "--help"} & set(sys.argv[2:]):
        from lcm.scan.__main__ import main as scan_main

        sys.exit(scan_main(sys.argv[2:]))
    from lcm.cli.main import app

    app()
