"""`lcm set|get|unset|edit|show|reseal`: reading and writing config values."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Iterable, Optional

import typer

from lcm.cli.params import (
    FileAddress, IgnoreMac, Message, NoCommit, complete_env_or_file, complete_file,
    output_option,
)

if TYPE_CHECKING:
    from lcm.api import Address, Repo


def register(app: typer.Typer) -> None:
    for fn in (set_, get, unset, edit, show, reseal):
        app.command(fn.__name__.rstrip("_"))(fn)


Unsealed = Annotated[bool, typer.Option(
    "--unsealed", help="Without the tenant's key: change a plain value anyway, leaving the file "
                       "for a keyholder to review and `lcm reseal` (reads with the key fail until then).")]


def set_(
    address: FileAddress,
    key: Annotated[str, typer.Argument(help="Dotted key path, e.g. llm.api_key or routes[0].weight.")],
    value: Annotated[Optional[str], typer.Argument(help="The value (omit with --value-stdin); `'!delete'` hides an inherited key.")] = None,
    secret: Annotated[bool, typer.Option("--secret", help="Store this value encrypted.")] = False,
    value_stdin: Annotated[bool, typer.Option("--value-stdin", help="Read the value from stdin (keeps secrets out of shell history).")] = False,
    kind: Annotated[str, typer.Option("--type", metavar="TYPE", help="How to read VALUE: auto | str | int | float | bool | null | yaml.")] = "auto",
    message: Message = None,
    no_commit: NoCommit = False,
    unsealed: Unsealed = False,
) -> None:
    """Set one value and commit. A secret (a key matching the manifest's `secrets`, or
    --secret) is stored encrypted."""
    from lcm.api import Repo, parse_path, parse_value
    from lcm.cli.diagnostics import info
    from lcm.errors import UsageError

    if value_stdin == (value is not None):
        raise UsageError("give VALUE or --value-stdin (exactly one)")
    if value_stdin:
        raw = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")  # checked when staged
        raw = raw[:-1] if raw.endswith("\n") else raw
        parsed = parse_value(raw, "str" if kind == "auto" else kind, secret)
    else:
        parsed = parse_value(value or "", kind, secret)
    repo = Repo.open()
    addr = repo.address(address)
    changed = repo.set(addr, parse_path(key), parsed, secret=secret, message=message,
                       commit=not no_commit, unsealed=unsealed)
    info(f"{addr}: {key} {'set' if changed else 'unchanged'}")
    left_unsealed(repo, addr, unsealed)
    still_invalid(repo, [addr])


def left_unsealed(repo: "Repo", addr: "Address", asked: bool) -> None:
    """Say so when `--unsealed` had to be used (without the key) and the file awaits a reseal."""
    from lcm.cli.diagnostics import info

    doc = repo.read_document(addr) if asked else None
    if doc is not None and isinstance(doc.meta, dict) and "unsealed" in doc.meta:
        info(f"{addr}: written unsealed (no key): reads with the key fail until a keyholder "
             f"reviews it and runs `lcm reseal {addr}`")


def get(
    address: Annotated[str, typer.Argument(help="TENANT/ENV/NAME, a config file path, or TENANT/ENV for every file of the env.", autocompletion=complete_env_or_file)],
    key: Annotated[Optional[str], typer.Argument(help="Only this key (a scalar prints bare).")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show secret values (audited).")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show which file gave each value.")] = False,
    ignore_mac: IgnoreMac = False,
    output: Annotated[str, output_option("yaml", "json", "env")] = "yaml",
    watch: Annotated[bool, typer.Option("--watch", help="Print again on every change (-o json: a line each).")] = False,
    previous: Annotated[bool, typer.Option("--previous", help="A rotated secret's previous value, during its overlap window.")] = False,
) -> None:
    """Print the effective config, secrets masked. The files of the env chain (e.g. base,
    staging, production) merged; a scalar KEY prints bare."""
    from lcm.cli import reading

    if watch:
        from lcm.cli.watch import get_watch

        return get_watch(address, key, reveal=reveal, ignore_mac=ignore_mac, fmt=output)
    if previous:
        from lcm.cli.rotate import get_previous

        return get_previous(address, key, reveal=reveal, other_flags=explain or ignore_mac)
    reading.get(address, key, reveal=reveal, explain=explain, ignore_mac=ignore_mac, fmt=output)


def unset(
    address: FileAddress,
    key: Annotated[str, typer.Argument(help="Dotted key path to remove from this file.")],
    message: Message = None,
    no_commit: NoCommit = False,
    unsealed: Unsealed = False,
) -> None:
    """Remove a key from one file. To hide a key the env inherits, use `lcm set ADDRESS
    KEY '!delete'`."""
    from lcm.api import Repo, parse_path
    from lcm.cli.diagnostics import info

    repo = Repo.open()
    addr = repo.address(address)
    repo.unset(addr, parse_path(key), message=message, commit=not no_commit, unsealed=unsealed)
    info(f"{addr}: {key} removed")
    left_unsealed(repo, addr, unsealed)
    still_invalid(repo, [addr])


def edit(
    address: FileAddress,
    message: Message = None,
    no_commit: NoCommit = False,
) -> None:
    """Edit a file decrypted in $EDITOR; re-encrypt and commit on save."""
    from lcm.api import Repo, edit_file
    from lcm.cli.diagnostics import info

    repo = Repo.open()
    addr = repo.address(address)
    changed = edit_file(repo, addr, message=message, commit=not no_commit)
    info(f"{addr}: {'saved' if changed else 'no changes'}")
    if changed:
        still_invalid(repo, [addr])


def show(
    file: Annotated[str, typer.Argument(help="TENANT/ENV/NAME or a stored config file (any path; git textconv passes a temp copy).", autocompletion=complete_file)],
    masked: Annotated[bool, typer.Option("--masked", help="Mask secrets (no keys needed).")] = False,
    ignore_mac: IgnoreMac = False,
) -> None:
    """Print one stored file, decrypted or masked. Comments kept, metadata block left
    out (also Git's textconv for key-level diffs)."""
    from lcm.cli import reading

    reading.show(file, masked=masked, ignore_mac=ignore_mac)


def reseal(
    address: FileAddress,
    message: Message = None,
    no_commit: NoCommit = False,
) -> None:
    """Accept a reviewed hand edit. Encrypts plaintext secrets and writes a new MAC
    (audited)."""
    from lcm.api import Repo
    from lcm.cli.diagnostics import info

    repo = Repo.open()
    addr = repo.address(address)
    repo.reseal(addr, message=message, commit=not no_commit)
    info(f"{addr}: resealed")
    still_invalid(repo, [addr])


def still_invalid(repo: Repo, addrs: Iterable[Address]) -> None:
    """After an accepted write: tell what `lcm validate` still reports for these files and
    their effective configs (a config built one `set` at a time is not complete yet)."""
    from lcm.cli.diagnostics import info, warn

    findings = repo.findings_for(addrs)
    if not findings:
        return
    what = "this is" if len(findings) == 1 else f"these {len(findings)} are"
    warn(f"warning: written, but `lcm validate` fails until {what} fixed:")
    for finding in findings:
        info(f"  {finding.text()}")
