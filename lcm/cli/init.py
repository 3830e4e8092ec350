"""`lcm init`: create a config repository (or set up a clone's Git integration)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    directory: Annotated[Optional[Path], typer.Argument(help="Folder to create (default: the current folder).")] = None,
    git_only: Annotated[bool, typer.Option("--git-only", help="In a clone: only (re)install the Git diff/merge drivers and the pre-commit hook.")] = False,
) -> None:
    """Create a config repository. A Git repository (unless one encloses DIRECTORY) with
    the manifest, the Git diff/merge drivers and a pre-commit hook running `lcm scan
    --staged`."""
    from lcm.api import init as init_repo
    from lcm.cli.diagnostics import info

    done = init_repo(directory or Path.cwd(), git_only=git_only)
    if git_only:
        info(f"installed the lcm Git diff/merge drivers in {done.root}")
    else:
        info(f"initialised lcm repository in {done.root}")
    info(done.hook.describe(done.root))
    if not git_only:
        info("next: lcm tenant add NAME")
