"""Entry point Git runs for the lcm textconv and merge driver (`python -m lcm.cli.gitcmd`).

Git exports GIT_DIR, GIT_INDEX_FILE and friends to the drivers it runs; they
point at the outer operation and would mislead any Git library call, so they are
dropped before lcm runs. `git log -p` runs the textconv once per revision, so
`show --masked FILE` skips building the whole Typer app (about a third of the
start-up time) and calls the core's `show` directly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def no_git_env() -> None:
    """Remove inherited GIT_* variables except the identity ones lcm reads for authorship."""
    keep = {"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"}
    for name in list(os.environ):
        if name.startswith("GIT_") and name not in keep:
            del os.environ[name]


def textconv(file: str) -> int:
    """`lcm show --masked FILE` without the CLI framework; returns the exit code."""
    import typer

    from lcm.cli.diagnostics import fail_from
    from lcm.cli.reading import show
    from lcm.errors import LcmError

    try:
        show(Path(file), masked=True, ignore_mac=False)
    except LcmError as err:
        try:
            fail_from(err)
        except typer.Exit as done:
            return int(done.exit_code)
    return 0


def main() -> None:
    """Run the lcm CLI with a clean environment."""
    no_git_env()
    args = sys.argv[1:]
    if len(args) == 3 and args[:2] == ["show", "--masked"]:
        sys.exit(textconv(args[2]))
    from lcm.cli.main import run

    run()


if __name__ == "__main__":
    main()
