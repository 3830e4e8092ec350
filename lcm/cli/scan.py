"""`lcm scan`: find secrets in files, the Git index or history (thin over `lcm.scan.runner`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from lcm.cli.params import output_option


def scan(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or folders to scan (default: the working tree of the current Git repo).",
            show_default=False,
        ),
    ] = None,
    staged: Annotated[
        bool,
        typer.Option("--staged", help="Scan what is staged (index blobs), not the working tree."),
    ] = False,
    history: Annotated[
        bool,
        typer.Option("--history", help="Scan the lines added by every commit reachable from HEAD."),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="REV", help="With --history: only commits not reachable from REV."
        ),
    ] = None,
    fmt: Annotated[str, output_option("text", "json", "sarif", legacy=("-f",), checked=False)] = "text",
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", metavar="FILE", help="Ignore findings recorded in this baseline."
        ),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline", help="Record every current finding in --baseline FILE and exit 0."
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            help="Scan config (default: .lcm-scan.yaml at the repo root).",
        ),
    ] = None,
) -> None:
    """Find plaintext secrets; exit 1 when any is found. LLM and cloud API keys, private
    keys, passwords, and values lcm should have encrypted."""
    if ctx.resilient_parsing:
        return
    from lcm.cli.diagnostics import warn
    from lcm.scan.runner import ScanOptions, run

    options = ScanOptions(
        paths=list(paths or []),
        staged=staged,
        history=history,
        since=since,
        fmt=fmt,
        baseline=str(baseline) if baseline else None,
        update_baseline=update_baseline,
        config=str(config) if config else None,
    )
    code = run(options, sys.stdout, warn)
    sys.stdout.flush()
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("scan")(scan)
