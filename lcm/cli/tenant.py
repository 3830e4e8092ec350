"""`lcm tenant add|list`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

tenant_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Tenants and their key backends.")


def register(app: typer.Typer) -> None:
    app.add_typer(tenant_app, name="tenant")


@tenant_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Tenant name (lowercase).")],
    backend: Annotated[Optional[str], typer.Option("--backend", "-b", help="keyring | file | env (default: keyring if usable, else file).")] = None,
) -> None:
    """Add a tenant: its master key in the backend, data key v1 in .lcm/keys/."""
    from lcm.cli.diagnostics import info
    from lcm.repository.repo import Repo
    from lcm.ops.scaffold import add_tenant

    repo = Repo.open()
    chosen = add_tenant(repo, name, backend)
    note = "" if backend else " (chosen automatically)"
    info(f"added tenant {name!r} with the {chosen} key backend{note}")


@tenant_app.command("list")
def list_(
    output: Annotated[str, typer.Option("-o", "--output", help="text | json")] = "text",
) -> None:
    """List tenants, their backends and active data-key versions."""
    import json

    from lcm.cli.output import emit
    from lcm.repository.repo import Repo

    repo = Repo.open()
    rows = []
    for name, backend in repo.manifest.tenants.items():
        from lcm.keys import datakeys

        keys = datakeys.load(repo.root, repo.manifest.repo_id, name, repo.backend(name))
        rows.append({"tenant": name, "backend": backend,
                     "active_data_key": keys.active_version,
                     "data_keys": len(keys.records)})
    if output == "json":
        emit(json.dumps(rows, indent=2))
    elif rows:
        emit("\n".join(f"{r['tenant']}\t{r['backend']}\tdata key v{r['active_data_key']}" for r in rows))
