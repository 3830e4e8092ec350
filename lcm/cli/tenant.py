"""`lcm tenant add|list`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from lcm.cli.params import output_option

BACKENDS = ("keyring", "file", "env", "vault")

tenant_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Add and list tenants, each with its own keys.")


def register(app: typer.Typer) -> None:
    app.add_typer(tenant_app, name="tenant")


@tenant_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Tenant name (lowercase).")],
    backend: Annotated[Optional[str], typer.Option("--backend", "-b", metavar="BACKEND", help="keyring | file | env | vault (default: keyring if usable, else file).", autocompletion=lambda: list(BACKENDS))] = None,
    transit_key: Annotated[Optional[str], typer.Option("--transit-key", metavar="KEY", help="vault: the transit key (default lcm-NAME).")] = None,
    mount: Annotated[Optional[str], typer.Option("--mount", metavar="MOUNT", help="vault: the transit mount (default transit).")] = None,
    namespace: Annotated[Optional[str], typer.Option("--namespace", metavar="NAMESPACE", help="vault: the namespace of the transit key.")] = None,
    address: Annotated[Optional[str], typer.Option("--address", metavar="URL", help="vault: the server (used only if VAULT_ADDR/BAO_ADDR or your allow-list names it).")] = None,
    auth: Annotated[Optional[str], typer.Option("--auth", metavar="METHOD", help="vault: token | approle | kubernetes (default: from the environment).")] = None,
) -> None:
    """Add a tenant and create its keys. A master key in its backend, data key v1 in
    .lcm/keys/NAME.yaml."""
    from lcm.api import Repo, add_tenant
    from lcm.cli.diagnostics import info
    from lcm.errors import UsageError

    given = {"key": transit_key, "mount": mount, "namespace": namespace, "address": address}
    options: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if auth is not None:
        options["auth"] = {"method": auth}
    if options and backend != "vault":
        raise UsageError("--transit-key, --mount, --namespace, --address and --auth "
                         "need --backend vault")
    repo = Repo.open()
    chosen = add_tenant(repo, name, backend, options)
    note = "" if backend else " (chosen automatically)"
    info(f"added tenant {name!r} with the {chosen} key backend{note}")


@tenant_app.command("list")
def list_(
    output: Annotated[str, output_option("text", "json")] = "text",
) -> None:
    """List tenants, their backends and active data-key versions."""
    import json

    from lcm.api import Repo
    from lcm.cli.output import emit, emit_table

    tenants = Repo.open().tenants()
    if output == "json":
        emit(json.dumps([{"tenant": t.name, "backend": t.backend,
                          "active_data_key": t.active_data_key, "data_keys": t.data_keys}
                         for t in tenants], indent=2))
    elif tenants:
        cells = [[t.name, t.backend, f"v{t.active_data_key}"] for t in tenants]
        emit_table(["tenant", "backend", "data key"], cells,
                   "\n".join(f"{t}\t{b}\tdata key {v}" for t, b, v in cells))
