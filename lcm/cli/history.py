"""`lcm history`, `lcm diff`, `lcm rollback` and the hidden `lcm merge-driver` Git runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from lcm.cli.params import Message, NoCommit, complete_scope, output_option
from lcm.errors import UsageError

Scope = Annotated[
    str,
    typer.Argument(help="TENANT, TENANT/ENV, TENANT/ENV/NAME or a config file path.",
                   autocompletion=complete_scope),
]


def history(
    address: Scope,
    limit: Annotated[
        int, typer.Option("--limit", "-n", help="At most this many commits (newest first).")
    ] = 20,
    output: Annotated[str, output_option("text", "json")] = "text",
) -> None:
    """Show the commits that changed a file, an env or a tenant. Newest first, with their
    Lcm-* trailers."""
    from lcm.api import Repo
    from lcm.cli.output import emit

    if limit < 1:
        raise UsageError("--limit must be at least 1")
    repo = Repo.open()
    scope = repo.scope(address)
    entries = repo.history(scope, limit)
    if output == "json":
        emit(json.dumps([e.to_json() for e in entries], indent=2, ensure_ascii=False))
        return
    lines = []
    for e in entries:
        lines.append(f"{e.id[:10]}  {e.date[:16].replace('T', ' ')}  {e.author}  {e.summary}")
        if e.trailers:
            lines.append("            " + "  ".join(f"{k}: {v}" for k, v in e.trailers.items()))
        if not scope.is_file:
            lines.extend(f"            {f}" for f in e.files)
    emit("\n".join(lines) if lines else f"no commits touch {scope.label}")


def diff(
    args: Annotated[
        Optional[list[str]],
        typer.Argument(
            help="Revisions first (none: HEAD vs the working tree; one: REV vs the working "
            "tree; two: REV vs REV), then tenants, envs or files to limit the diff to.",
            metavar="[REV [REV]] [ADDR]...",
            show_default=False,
            autocompletion=complete_scope,
        ),
    ] = None,
    reveal: Annotated[
        bool, typer.Option("--reveal", help="Show secret plaintext (recorded in the audit trail).")
    ] = False,
    effective: Annotated[
        bool,
        typer.Option("--effective", help="Compare the effective config (env overlays merged)."),
    ] = False,
    output: Annotated[str, output_option("text", "json")] = "text",
) -> None:
    """Show key-level changes; exit 1 when anything differs. HEAD or REV vs the working
    tree, or REV vs REV; secrets as fingerprints unless --reveal."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import warn
    from lcm.cli.output import emit

    repo = Repo.open()
    result = repo.diff(list(args or []), effective=effective, reveal=reveal, warn=warn)
    files = result.files
    if output == "json":
        emit(
            json.dumps(
                result.to_json(reveal), indent=2, ensure_ascii=False
            )
        )
    elif files:
        emit(result.to_text(reveal))
    if files:
        raise typer.Exit(1)


def rollback(
    address: Scope,
    to: Annotated[str, typer.Option("--to", metavar="REV", help="The revision whose content to restore (a commit id, HEAD~2, a tag...).")],
    message: Message = None,
    no_commit: NoCommit = False,
) -> None:
    """Restore a file, env or tenant as it was at a revision. One new commit; history is
    kept."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import info

    repo = Repo.open()
    scope = repo.scope(address)
    result = repo.rollback(scope, to, message, commit=not no_commit)
    if not result.restored and not result.deleted:
        info(f"{scope.label} already matches {to}; nothing to roll back")
        return
    done = f"rolled back {scope.label} to {to}: {len(result.restored)} file(s) restored"
    if result.deleted:
        done += f", {len(result.deleted)} removed"
    info(done + (f"; commit {result.commit_id[:10]}" if result.commit_id else " (not committed)"))


def merge_driver(
    base: Annotated[Path, typer.Argument(help="%O: the common ancestor's version.")],
    ours: Annotated[Path, typer.Argument(help="%A: our version; the result is written here.")],
    theirs: Annotated[Path, typer.Argument(help="%B: their version.")],
    path: Annotated[str, typer.Argument(help="%P: the file's path in the repository.")],
) -> None:
    """Git's `merge=lcm` driver (%O %A %B %P): writes the result to %A, exit 1 on conflict."""
    from lcm.api import merge_file
    from lcm.cli.diagnostics import warn

    merged = merge_file(base, ours, theirs, path)
    if not merged.clean:
        warn(merged.message or f"{path}: cannot merge")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("history")(history)
    app.command("diff")(diff)
    app.command("rollback")(rollback)
    app.command("merge-driver", hidden=True)(merge_driver)
