"""`lcm tui [DIR] [--open ADDR]`: launches the Textual app (the optional `tui` extra),
found through the `lcm.faces` entry point: the core names no module of the TUI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    """Add this module's command to the root app."""
    app.command("tui")(tui)


def tui(
    directory: Annotated[
        Optional[Path], typer.Argument(help="The config repository (default: the current one).")
    ] = None,
    open_address: Annotated[
        Optional[str],
        typer.Option("--open", metavar="ADDRESS", help="Open this file (TENANT/ENV/NAME) at start."),
    ] = None,
) -> None:
    """Browse and edit the config in a terminal UI. Edit, validate, diff, commit and roll
    back; needs the `tui` extra."""
    from importlib.metadata import entry_points

    from lcm.cli.diagnostics import fail
    from lcm.errors import ExitCode

    extra = "the TUI needs the `tui` extra: pip install 'lcm[tui]'"
    found = list(entry_points(group="lcm.faces", name="tui"))
    if not found:
        fail(extra, ExitCode.USAGE)
    try:
        launch = found[0].load()
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] != "textual":
            raise
        fail(extra, ExitCode.USAGE)
    raise typer.Exit(launch(directory or Path.cwd(), open_address))
