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


def _repo_targets(ctx: click.Context, *, tenants: bool, envs: bool, files: bool) -> list[str]:
    """Every tenant / `TENANT/ENV` / `TENANT/ENV/NAME` of the repository the command runs in."""
    try:
        from lcm.api import Repo

        where = ctx.find_root().params.get("repo")
        found: list[str] = Repo.open(where).targets(tenants=tenants, envs=envs, files=files)
        return found
    except Exception:  # completion must never print a traceback into the shell
        return []


def complete_file(ctx: typer.Context, incomplete: str) -> list[str]:
    """A file address `TENANT/ENV/NAME`."""
    return [t for t in _repo_targets(ctx, tenants=False, envs=False, files=True)
            if t.startswith(incomplete)]


def complete_env_or_file(ctx: typer.Context, incomplete: str) -> list[str]:
    """`TENANT/ENV` (a whole environment) or a file address."""
    return [t for t in _repo_targets(ctx, tenants=False, envs=True, files=True)
            if t.startswith(incomplete)]


def complete_scope(ctx: typer.Context, incomplete: str) -> list[str]:
    """A tenant, `TENANT/ENV` or a file address (history, rollback)."""
    return [t for t in _repo_targets(ctx, tenants=True, envs=True, files=True)
            if t.startswith(incomplete)]


def complete_tenant(ctx: typer.Context, incomplete: str) -> list[str]:
    return [t for t in _repo_targets(ctx, tenants=True, envs=False, files=False)
            if t.startswith(incomplete)]


FileAddress = Annotated[
    str,
    typer.Argument(help="TENANT/ENV/NAME or a config file path.", autocompletion=complete_file),
]
Tenant = Annotated[str, typer.Argument(help="Tenant name.", autocompletion=complete_tenant)]
Message = Annotated[
    Optional[str],
    typer.Option("-m", "--message", help="Commit message (default: one naming the change)."),
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
