"""`lcm key export|import`: share a tenant's master key with a teammate."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lcm.cli.params import Tenant

key_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Share master keys with teammates: export and import.")


def register(app: typer.Typer) -> None:
    app.add_typer(key_app, name="key")


@key_app.command("export")
def export(tenant: Tenant) -> None:
    """Print a tenant's master key as one armored line (audited)."""
    from lcm.api import Repo, export_key
    from lcm.cli.diagnostics import warn
    from lcm.cli.output import emit

    line = export_key(Repo.open(), tenant)
    if sys.stdout.isatty():
        warn("this line is a master key: send it over a private channel only")
    emit(line)


@key_app.command("import")
def import_(
    tenant: Tenant,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a different stored key.")] = False,
) -> None:
    """Import a master key from stdin (a line from `lcm key export`). Stored in the
    tenant's backend after proving it opens the tenant's data keys."""
    from lcm.api import Repo, import_key
    from lcm.cli.diagnostics import info
    from lcm.errors import RepoError, UsageError

    lines = [ln for ln in sys.stdin.read().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    line = lines[0] if lines else ""
    if not line:
        raise UsageError("lcm key import reads the armored key from stdin (pipe `lcm key export` into it)")
    try:
        repo = Repo.open()
    except RepoError as err:
        raise RepoError(f"{err.message.split(' (')[0]}: run lcm key import in your clone of "
                        f"the config repository, or `lcm -C CLONE key import {tenant}`") from None
    where = import_key(repo, tenant, line, replace=replace)
    info(f"imported the master key of {where}")
