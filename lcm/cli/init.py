"""`lcm init`: create a config repository."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    directory: Annotated[Optional[Path], typer.Argument(help="Folder to create (default: cwd).")] = None,
    git_only: Annotated[bool, typer.Option("--git-only", help="Only (re)install the Git diff/merge drivers in an existing clone.")] = False,
) -> None:
    """Create a config repository: manifest, Git repo, drivers, hooks."""
    from lcm.cli.diagnostics import info
    from lcm.api import init_repo

    root = init_repo(directory or Path.cwd(), git_only=git_only)
    if git_only:
        info(f"installed the lcm Git diff/merge drivers in {root}")
    else:
        info(f"initialised lcm repository in {root}\nnext: lcm tenant add NAME")
