"""The one place that writes diagnostics to stderr and maps errors to exit codes."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

from lcm.errors import ExitCode, LcmError, one_line


def warn(message: str) -> None:
    """One diagnostic line on stderr (control characters escaped: see `one_line`)."""
    sys.stderr.write(f"lcm: {one_line(message)}\n")
    sys.stderr.flush()


def info(message: str) -> None:
    """Progress lines on stderr, each with its control characters escaped."""
    sys.stderr.write("\n".join(map(one_line, message.split("\n"))) + "\n")
    sys.stderr.flush()


def fail(message: str, code: ExitCode | int) -> NoReturn:
    """The error line on stderr, then exit with `code`. Control characters are escaped in
    every line; a message of several lines (a refused write lists each finding) keeps them
    apart, and data that could hold a newline (key names) is escaped where it is shown."""
    first, *details = message.split("\n")
    sys.stderr.write(f"lcm: error: {one_line(first)}\n" + "".join(f"{one_line(d)}\n" for d in details))
    sys.stderr.flush()
    raise typer.Exit(int(code))


def fail_from(err: LcmError) -> NoReturn:
    fail(err.message, err.code)
