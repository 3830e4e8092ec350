"""`lcm tui [DIR] [--open ADDR]`: launches the Textual app (the optional `tui` extra)."""

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
    from lcm.cli.diagnostics import fail
    from lcm.errors import ExitCode

    try:
        import textual  # noqa: F401  (only probing that the extra is installed)
    except ImportError:
        fail("the TUI needs the `tui` extra: pip install 'lcm[tui]'", ExitCode.USAGE)
    # mypy sees lcm_tui only in an installed wheel (the folder is tui/, mapped at build).
    from lcm_tui import LcmApp  # type: ignore[import-not-found,unused-ignore]

    app = LcmApp(directory or Path.cwd(), open_address=open_address)
    app.run()
    raise typer.Exit(app.return_code or 0)
