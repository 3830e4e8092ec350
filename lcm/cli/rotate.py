"""`lcm rotate key|master|secret|status|prune`: rotation from the command line."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Annotated, Callable, Iterator, Optional

import typer

from lcm.cli.params import FileAddress, Message, Tenant, complete_tenant, output_option

if TYPE_CHECKING:
    from lcm.api import RotationStatus

rotate_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None,
    help="Rotate keys and secrets, and report what is due. Data keys, master keys and"
         " secret values, against the manifest's rotation policy.")



def register(app: typer.Typer) -> None:
    app.add_typer(rotate_app, name="rotate")


@contextlib.contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@rotate_app.command("key")
def key(tenant: Tenant,
        message: Message = None) -> None:
    """Re-encrypt a tenant under a new data key, in one commit. The old version is
    retired; `lcm rotate prune` destroys it once nothing uses it."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import info

    repo = Repo.open()
    with _progress_bar(f"re-encrypting {tenant}") as progress:
        done = repo.rotate_key(tenant, progress=progress, message=message)
    count = len(done.addresses)
    info(f"{tenant}: data key v{done.new_version} active, v{done.old_version} retired;"
         f" {count} file{'s' * (count != 1)} re-encrypted")


@rotate_app.command("master")
def master(tenant: Tenant,
           message: Message = None) -> None:
    """Replace a tenant's master key; re-wrap its data keys. No value changes; teammates
    holding the old key need the new one (`lcm key export`)."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import info

    done = Repo.open().rotate_master(tenant, message=message)
    versions = ", ".join(f"v{v}" for v in done.versions)
    info(f"{tenant}: new master key ({done.backend} backend); data keys {versions} re-wrapped")
    if done.backend in ("file", "keyring"):
        info(f"teammates holding the old key need the new one: `lcm key export {tenant}`")


@rotate_app.command("secret")
def secret(
    address: FileAddress,
    key_path: Annotated[str, typer.Argument(metavar="KEY", help="Dotted key path of the secret.")],
    value_stdin: Annotated[bool, typer.Option("--value-stdin", help="Read the new value from stdin.")] = False,
    generate: Annotated[Optional[str], typer.Option("--generate", metavar="SPEC", help="Mint a random value: CHARSET:LENGTH, e.g. base62:48 (charsets: base62, alnum, hex, base64url, digits, ascii).")] = None,
    overlap: Annotated[Optional[str], typer.Option("--overlap", metavar="DURATION", help="How long the previous value stays valid (e.g. 7d, 24h; default: the manifest policy).")] = None,
    message: Message = None,
) -> None:
    """Give a secret a new value, keeping the old one for the overlap. The previous value
    stays readable (`lcm get --previous`, exports) until the policy's overlap ends."""
    from lcm.api import Repo, generate_value, parse_duration, parse_path
    from lcm.cli.diagnostics import info
    from lcm.errors import UsageError

    if value_stdin == (generate is not None):
        raise UsageError("give --value-stdin or --generate SPEC (exactly one)")
    window = None
    if overlap is not None:
        window = parse_duration(overlap)
        if window is None:
            raise UsageError(f"--overlap {overlap!r}: use a duration such as 7d, 24h, 30m or 0s")
    if generate is not None:
        value = generate_value(generate)
    else:
        raw = sys.stdin.read()
        value = raw[:-1] if raw.endswith("\n") else raw
        if not value:
            raise UsageError("--value-stdin: stdin was empty")
    repo = Repo.open()
    addr = repo.address(address)
    done = repo.rotate_secret(addr, parse_path(key_path), value, overlap=window, message=message)
    kept = (f"previous value valid until {done.previous_until}" if done.previous_until
            else "no previous value kept (no overlap)")
    info(f"{done.address}: {done.key} rotated; {kept}")


@rotate_app.command("status")
def status(
    tenants: Annotated[Optional[list[str]], typer.Argument(help="Tenants (default: all).", show_default=False, autocompletion=complete_tenant)] = None,
    output: Annotated[str, output_option("text", "json")] = "text",
    check: Annotated[bool, typer.Option("--check", help="CI: exit 1 when anything is overdue or an overlap expired.")] = False,
) -> None:
    """Show the age of every secret and data key against the policy. Most urgent first; no
    key needed; --check exits 1 when anything is overdue."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import info
    from lcm.cli.output import emit, to_json

    report = Repo.open().rotation_status(tenants or None)
    offenders = report.offender_lines()
    if output == "json":
        emit(to_json(report.to_json()))
    elif check:
        if offenders:
            emit("\n".join(offenders))
    else:
        emit(_status_text(report))
    if check:
        info(f"rotation: {len(offenders)} offender{'s' * (len(offenders) != 1)}" if offenders
             else "rotation: every secret and data key is within policy")
        raise typer.Exit(1 if offenders else 0)


@rotate_app.command("prune")
def prune(tenant: Tenant,
          message: Message = None) -> None:
    """Drop expired previous values and destroy unused retired data keys."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import info

    done = Repo.open().prune(tenant, message=message)
    if not done.previous and not done.destroyed:
        info(f"{tenant}: nothing to prune")
        return
    for address, key_name in done.previous:
        info(f"{address}: {key_name}: expired previous value dropped")
    for version in done.destroyed:
        info(f"{tenant}: data key v{version} destroyed (no value used it)")


def get_previous(address: str, key_path: str | None, *, reveal: bool, other_flags: bool) -> None:
    """`lcm get ADDR KEY --previous [--reveal]`: the previous value, bare, or masked."""
    from lcm.api import Repo, parse_path
    from lcm.cli.output import emit, render
    from lcm.errors import UsageError

    if key_path is None:
        raise UsageError("--previous needs a KEY (the secret whose previous value to show)")
    if other_flags:
        raise UsageError("--previous does not combine with --explain or --ignore-mac")
    repo = Repo.open()
    found = repo.previous(repo.address(address), parse_path(key_path), reveal=reveal)
    emit(render(found.value, "yaml", scalar_bare=True))


def _short(stamp: str | None) -> str:
    """`2026-04-01T00:00:00Z` as `2026-04-01 00:00` (a table cell)."""
    return f"{stamp[:10]} {stamp[11:16]}" if stamp and len(stamp) >= 16 else (stamp or "-")


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
            for row in rows]


def _status_text(report: RotationStatus) -> str:
    from lcm.api import format_duration

    lines = [f"rotation status at {report.now} (most urgent first)"]
    for tenant in report.tenants:
        lines.append(f"\n{tenant.tenant}")
        keys = [["DATA KEY", "STATE", "CREATED", "AGE", "MAX AGE", "DUE", "VALUES", "STATUS"]]
        keys += [[f"v{k.version}", k.state, _short(k.created), format_duration(k.age),
                  k.max_age or "-", _short(k.due), str(k.values), k.status.upper()
                  if k.offenses else k.status] for k in tenant.data_keys]
        lines += _table(keys)
        if tenant.secrets:
            rows = [["SECRET", "LAST ROTATED", "AGE", "MAX AGE", "NEXT DUE", "OVERLAP UNTIL",
                     "STATUS"]]
            rows += [[f"{s.address} {s.key}", _short(s.rotated), format_duration(s.age),
                      s.max_age or "-", _short(s.due), _short(s.overlap_until),
                      s.status.upper() if s.offenses else s.status] for s in tenant.secrets]
            lines += [""] + _table(rows)
        else:
            lines.append("  (no secrets)")
    return "\n".join(lines)
