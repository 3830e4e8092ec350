"""The one place that writes diagnostics to stderr and maps errors to exit codes."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from lcm.errors import ExitCode, LcmError


def warn(message: str) -> None:
    """One diagnostic line on stderr."""
    sys.stderr.write(f"lcm: {message}\n")
    sys.stderr.flush()


def info(message: str) -> None:
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


def fail(message: str, code: ExitCode | int) -> NoReturn:
    sys.stderr.write(f"lcm: error: {message}\n")
    sys.stderr.flush()
    raise typer.Exit(int(code))


def fail_from(err: LcmError) -> NoReturn:
    fail(err.message, err.code)
