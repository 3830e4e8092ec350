"""`lcm audit log` and `lcm audit verify`: read and check the hash-chained audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from lcm.cli.params import complete_tenant, output_option
from lcm.errors import IntegrityError, UsageError

audit_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Read and verify the audit trail. Every reveal, edit, export and key operation,"
         " hash-chained.",
)


@audit_app.command("log")
def log_command(
    tenant: Annotated[
        Optional[str],
        typer.Option("--tenant", metavar="TENANT", help="Only this tenant.", autocompletion=complete_tenant),
    ] = None,
    actor: Annotated[
        Optional[str], typer.Option("--actor", help="Actor contains this text (case-insensitive).")
    ] = None,
    op: Annotated[
        Optional[str], typer.Option("--op", metavar="OP", help="Only this operation, e.g. reveal.")
    ] = None,
    since: Annotated[
        Optional[str], typer.Option("--since", metavar="TIME", help="ISO date/time or an age such as 7d, 12h.")
    ] = None,
    until: Annotated[
        Optional[str], typer.Option("--until", metavar="TIME", help="ISO date/time or an age.")
    ] = None,
    output: Annotated[str, output_option("text", "json")] = "text",
) -> None:
    """Print the audit trail, oldest first. Filtered by tenant, actor, operation and
    time."""
    from lcm.api import audit
    from lcm.cli.output import emit, emit_table

    entries = audit.select(
        audit.read_entries(_root()),
        tenant=tenant,
        actor=actor,
        op=op,
        since=_time_option("--since", since),
        until=_time_option("--until", until),
    )
    if output == "json":
        emit(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    if entries:
        cells = [[str(e.get("time", "?")), str(e.get("actor", "?")), str(e.get("op", "?")),
                  str(e.get("address") or e.get("tenant") or "-"), ",".join(e.get("keys") or [])]
                 for e in entries]
        emit_table(["time", "actor", "op", "where", "keys"], cells,
                   "\n".join(_entry_line(entry) for entry in entries))


@audit_app.command("verify")
def verify_command() -> None:
    """Verify the audit trail's hash chain. Exit 5 on an edited, removed or reordered
    entry."""
    from lcm.api import audit

    count, problem = audit.verify(_root())
    if problem is not None:
        where = (
            f"{audit.AUDIT_DIR / audit.LOG_NAME}:{problem.line}" if problem.line else "audit log"
        )
        raise IntegrityError(f"{where}: audit chain broken: {problem.reason}")
    from lcm.cli.output import emit

    emit(f"audit log verified: {count} entries, chain intact")


def _root() -> Path:
    """The config repository's root directory."""
    from lcm.api import Repo

    return Repo.open().root


def _time_option(flag: str, text: str | None) -> Any:
    """Parse a --since/--until value or fail with a usage error."""
    if text is None:
        return None
    from lcm.api import audit

    try:
        return audit.parse_time(text)
    except ValueError:
        raise UsageError(f"{flag}: {text!r} is not an ISO date/time or an age like 7d") from None


def _entry_line(entry: dict[str, Any]) -> str:
    """One human-readable line per entry."""
    where = entry.get("address") or entry.get("tenant") or "-"
    keys = ",".join(entry.get("keys") or [])
    target = (entry.get("detail") or {}).get("target")
    where = f"{where} -> {target}" if target else where
    line = f"{entry.get('time', '?')}  {entry.get('actor', '?')}  {entry.get('op', '?')}  {where}"
    return f"{line}  {keys}" if keys else line


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(audit_app, name="audit")
