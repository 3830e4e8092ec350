"""`lcm validate`: schema validation for CI, text/json/github/sarif output."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from lcm.cli.params import output_option

FORMATS = ("text", "json", "github", "sarif")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("validate")(validate)


def validate(
    paths: Annotated[
        Optional[list[Path]],
        typer.Argument(
            help="Config files or folders (default: the whole repository); "
            "with --schema, any YAML file.",
            show_default=False,
        ),
    ] = None,
    schema: Annotated[
        Optional[str],
        typer.Option(
            "--schema",
            metavar="FILE",
            help="JSON Schema file (or lcm:KIND) for the given paths, "
            "instead of the manifest's `schemas:` mapping.",
        ),
    ] = None,
    fmt: Annotated[str, output_option(*FORMATS, legacy=("-f",))] = "text",
    keyless: Annotated[
        bool,
        typer.Option(
            "--keyless",
            help="Do not use keys even when they are available (what CI without keys sees).",
        ),
    ] = False,
) -> None:
    """Check files and effective configs against their schemas. Exit 1 on errors; no keys
    needed."""
    from lcm.api import validate as run_validation
    from lcm.api import validation_output
    from lcm.cli.diagnostics import fail, info
    from lcm.cli.output import styled
    from lcm.errors import ExitCode

    report = run_validation(paths or [], schema, use_keys=not keyless)
    color = fmt == "text" and styled()
    sys.stdout.write(validation_output.render(report, fmt, color=color))
    sys.stdout.flush()
    if fmt == "text":
        for note in report.notes:
            info(f"note: {note}")
    if report.fatal:
        fail(report.fatal, ExitCode.REPO)
    if fmt == "text" or report.exit_code:
        info(validation_output.summary(report))
    raise typer.Exit(report.exit_code)
