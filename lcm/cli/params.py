"""Parameters several commands share, so each is named, documented and completed the same
way everywhere: addresses (completed from the repository), the output format
(`-o`/`--output`/`--format` on every command), and the commit options of writes.

Shell completion runs the program with the words typed so far: the completers print
nothing, never fail (a broken repository completes nothing) and honour `lcm -C DIR`.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

import click
import typer


def _completer(*, tenants: bool = False, envs: bool = False, files: bool = False) -> Any:
    """A completer of the repository's tenants, `TENANT/ENV` and/or `TENANT/ENV/NAME`."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        try:
            from lcm.api import Repo

            where = ctx.find_root().params.get("repo")
            found: list[str] = Repo.open(where).targets(tenants=tenants, envs=envs, files=files)
        except Exception:  # completion must never print a traceback into the shell
            return []
        return [t for t in found if t.startswith(incomplete)]

    return complete


complete_file = _completer(files=True)
complete_env_or_file = _completer(envs=True, files=True)  # get: also a whole environment
complete_env = _completer(envs=True)  # export, exec, promote targets
complete_scope = _completer(tenants=True, envs=True, files=True)  # history, diff, rollback
complete_tenant = _completer(tenants=True)


FileAddress = Annotated[
    str,
    typer.Argument(help="TENANT/ENV/NAME or a config file path.", autocompletion=complete_file),
]
Tenant = Annotated[str, typer.Argument(help="Tenant name.", autocompletion=complete_tenant)]
Message = Annotated[
    Optional[str],
    typer.Option("-m", "--message", metavar="MSG",
                 help="Commit message (default: one naming the change)."),
]
NoCommit = Annotated[
    bool,
    typer.Option("--no-commit", help="Write the files but do not commit them."),
]
IgnoreMac = Annotated[
    bool,
    typer.Option(
        "--ignore-mac", help="Recovery only: read even when the file's MAC does not verify."
    ),
]


def output_option(*choices: str, legacy: tuple[str, ...] = (), checked: bool = True) -> Any:
    """The output format option: `-o`, `--output` and `--format` are one option on every
    command (`legacy` adds older spellings such as `-f`). `checked` False leaves the check
    to the command (`lcm scan`, whose Click-free fast path must say the same)."""
    return typer.Option(
        "-o", "--output", "--format", *legacy,
        click_type=click.Choice(choices) if checked else None,
        metavar=None if checked else "|".join(choices),
        autocompletion=None if checked else lambda: list(choices),
        help=f"Output format: {' | '.join(choices)}.",
    )
