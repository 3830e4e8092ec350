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
    from lcm.api import Repo, add_tenant
    from lcm.cli.diagnostics import info

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

    from lcm.api import Repo
    from lcm.cli.output import emit

    rows = [{"tenant": t.name, "backend": t.backend, "active_data_key": t.active_data_key,
             "data_keys": t.data_keys} for t in Repo.open().tenants()]
    if output == "json":
        emit(json.dumps(rows, indent=2))
    elif rows:
        emit("\n".join(f"{r['tenant']}\t{r['backend']}\tdata key v{r['active_data_key']}" for r in rows))
