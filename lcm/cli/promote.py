"""`lcm promote TENANT FROM_ENV TO_ENV [NAME…]`: copy the selected keys' effective values
from one env to another (documented in docs/promote.md)."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from lcm.cli.params import Message, NoCommit, Tenant, output_option


def promote(
    tenant: Tenant,
    source: Annotated[str, typer.Argument(metavar="FROM_ENV", help="The env to copy from.")],
    target: Annotated[str, typer.Argument(metavar="TO_ENV", help="The env to change.")],
    names: Annotated[
        Optional[list[str]],
        typer.Argument(metavar="[NAME]...", help="Only these configs (file names; all when none).",
                       show_default=False),
    ] = None,
    keys: Annotated[
        Optional[list[str]],
        typer.Option("--keys", metavar="GLOB", help="Only keys matching this glob (e.g. 'llm.*'); repeatable."),
    ] = None,
    prune: Annotated[
        bool, typer.Option("--prune", help="Also remove selected keys only TO_ENV has.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; exit 1 if anything would.")
    ] = False,
    message: Message = None,
    no_commit: NoCommit = False,
    output: Annotated[str, output_option("text", "json")] = "text",
) -> None:
    """Promote one env's config to another, in one commit. TO_ENV's effective config is
    made equal to FROM_ENV's for the selected keys, with the fewest changes to TO_ENV's
    own files."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import info
    from lcm.cli.output import emit

    repo = Repo.open()
    result = repo.promote(tenant, source, target, names or (), keys or (), prune=prune,
                          message=message, dry_run=dry_run, commit=not no_commit)
    emit(json.dumps(result.to_json(), indent=2, ensure_ascii=False) if output == "json"
         else result.to_text())
    if dry_run:
        if result.changed:
            raise typer.Exit(1)
        return
    if not result.changed:
        info(f"{tenant}/{target} already matches {source} for the selected keys; nothing to do")
        return
    done = f"promoted {tenant} {source} -> {target}: {len(result.files)} file(s) changed"
    info(done + (f"; commit {result.commit_id[:10]}" if result.commit_id else " (not committed)"))


def register(app: typer.Typer) -> None:
    """Add this module's command to the root app."""
    app.command("promote")(promote)
