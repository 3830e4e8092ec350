"""The `lcm` Typer app: registers one module per command group.

Command modules import only Typer and `lcm.errors` at module level; everything
heavy (pygit2, cryptography, keyring, jsonschema, textual) is imported inside the
command that needs it, so `lcm --help` and `lcm scan FILE` start fast.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Annotated, Any, Optional

import click
import typer
from typer.core import TyperGroup

from lcm.errors import LcmError


class _LcmGroup(TyperGroup):
    """Root group: turns every LcmError raised by a command into one stderr line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LcmError as err:
            from lcm.cli.diagnostics import fail_from

            fail_from(err)
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_LcmGroup,
    no_args_is_help=True,
    add_completion=False,
    # Plain click help: rich's help renderer costs ~250 ms on every `--help`.
    rich_markup_mode=None,
    # Rich tracebacks print local variables, which may hold plaintext secrets.
    pretty_exceptions_enable=False,
    help="LLM Config Manager: encrypted, validated, versioned LLM configuration in Git.",
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Each module defines `register(app)`; the order is the order in `lcm --help`.
_COMMAND_MODULES = (
    "init", "tenant", "config", "key", "rotate", "validate", "scan", "history", "audit",
)


@app.callback()
def _root(
    ctx: typer.Context,
    repo: Annotated[
        Optional[Path],
        typer.Option("-C", "--repo", help="Run as if started in this folder (like `git -C`)."),
    ] = None,
) -> None:
    if ctx.resilient_parsing:
        return
    if repo is not None:
        try:
            os.chdir(repo)
        except OSError as err:
            from lcm.cli.diagnostics import fail
            from lcm.errors import ExitCode

            fail(f"-C {repo}: {err.strerror}", ExitCode.REPO)


for _name in _COMMAND_MODULES:
    importlib.import_module(f"lcm.cli.{_name}").register(app)


def run() -> None:
    """Entry point for `python -m lcm`; the console script is `lcm.cli.entry:run`."""
    from lcm.cli.entry import run as entry_run

    entry_run()
