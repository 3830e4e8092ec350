"""`python -m lcm.scan`: the same scan as `lcm scan`, without loading the Typer app.

The pre-commit hooks use this entry point: it skips importing Typer, Click and
every other command group, which is most of `lcm`'s start-up time. Flags, output
and exit codes are those of `lcm scan` (both call `lcm.scan.runner.run`). The
parser is hand-written because argparse imports gettext and shutil at start-up.
"""

from __future__ import annotations

import sys

from lcm.errors import ExitCode, LcmError, UsageError, one_line

USAGE = (
    "usage: lcm scan [PATH...] [--staged] [--history [--since REV]]"
    " [-o|--format text|json|sarif] [--baseline FILE [--update-baseline]] [--config FILE]\n"
)
_FLAGS = {"--staged": "staged", "--history": "history", "--update-baseline": "update_baseline"}
_VALUES = {
    "--since": "since",
    "--format": "fmt",
    "-f": "fmt",
    "-o": "fmt",
    "--output": "fmt",
    "--baseline": "baseline",
    "--config": "config",
}


def parse(argv: list[str]) -> dict[str, object]:
    """`lcm scan`'s flags as ScanOptions keyword arguments; UsageError on a mistake."""
    options: dict[str, object] = {"paths": []}
    paths: list[str] = options["paths"]  # type: ignore[assignment]
    args = iter(argv)
    for arg in args:
        if arg == "--":
            paths.extend(args)
        elif arg in _FLAGS:
            options[_FLAGS[arg]] = True
        elif arg.split("=", 1)[0] in _VALUES:
            name, eq, inline = arg.partition("=")
            value = inline if eq else next(args, None)
            if value is None:
                raise UsageError(f"{name} needs a value")
            options[_VALUES[name]] = value
        elif arg.startswith("-") and arg != "-":
            raise UsageError(f"no such option: {arg} (see `lcm scan --help`)")
        else:
            paths.append(arg)
    return options


def main(argv: list[str] | None = None) -> int:
    """Run one scan; return its exit code."""
    args = sys.argv[1:] if argv is None else argv
    if "-h" in args or "--help" in args:
        sys.stdout.write(USAGE)
        return int(ExitCode.OK)
    try:
        from lcm.scan.runner import ScanOptions, run

        return run(ScanOptions(**parse(args)), sys.stdout, _warn)  # type: ignore[arg-type]
    except LcmError as err:
        sys.stderr.write(f"lcm: error: {one_line(err.message)}\n")
        return int(err.code)
    except KeyboardInterrupt:
        return 130


def _warn(message: str) -> None:
    sys.stderr.write(f"lcm: {one_line(message)}\n")
    sys.stderr.flush()


if __name__ == "__main__":
    sys.exit(main())
