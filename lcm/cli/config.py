"""`lcm set|get|unset|edit|show|reseal`: reading and writing config values."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

VALUE_TYPES = ("auto", "str", "int", "float", "bool", "null", "yaml")


def register(app: typer.Typer) -> None:
    for fn in (set_, get, unset, edit, show, reseal):
        app.command(fn.__name__.rstrip("_"))(fn)


_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)")
_SPECIAL_FLOATS = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}


def auto_value(raw: str) -> Any:
    """YAML-1.2-core-style typing of a command-line VALUE: `0123`, `on`, `1_000`
    and `0x1f` stay strings (YAML 1.1 would turn them into numbers or booleans)."""
    text = raw.strip()
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text.lower() in _SPECIAL_FLOATS:
        return float(_SPECIAL_FLOATS[text.lower()])
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if text in ("null", "Null", "NULL", "~"):
        return None
    if text == "!delete":
        from lcm.format.values import DELETE

        return DELETE
    return raw


def parse_value(raw: str, kind: str, secret: bool) -> Any:
    """Turn VALUE text into a typed value (`auto`: number/bool/null when it looks
    like one, else a string; secrets stay strings unless --type says otherwise)."""
    from lcm.errors import UsageError

    if kind not in VALUE_TYPES:
        raise UsageError(f"--type must be one of {', '.join(VALUE_TYPES)}")
    if kind == "str" or (kind == "auto" and secret):
        return raw
    if kind == "auto":
        return auto_value(raw)
    if kind == "null":
        return None
    if kind == "yaml":
        if raw.strip() == "!delete":
            return auto_value(raw)
        import yaml

        from lcm.format.document import check_data_model, compose, construct
        from lcm.errors import RepoError

        try:
            node = compose(raw, "VALUE")
            if node is None:
                return None
            check_data_model(node, "VALUE")
            return construct(node)
        except RepoError as err:
            raise UsageError(err.message) from None
        except (yaml.YAMLError, TypeError, RecursionError):
            raise UsageError("VALUE is not valid YAML for --type yaml") from None
    value = auto_value(raw)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    expected = {"int": int, "float": float, "bool": bool}[kind]
    if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
        raise UsageError(f"value is not a valid {kind}")
    return value


def set_(
    address: Annotated[str, typer.Argument(help="TENANT/ENV/NAME or a config file path.")],
    key: Annotated[str, typer.Argument(help="Dotted key path, e.g. llm.api_key or routes[0].weight.")],
    value: Annotated[Optional[str], typer.Argument(help="The value (omit with --value-stdin).")] = None,
    secret: Annotated[bool, typer.Option("--secret", help="Store this value encrypted.")] = False,
    value_stdin: Annotated[bool, typer.Option("--value-stdin", help="Read the value from stdin (keeps secrets out of shell history).")] = False,
    kind: Annotated[str, typer.Option("--type", help="auto | str | int | float | bool | null | yaml")] = "auto",
    message: Annotated[Optional[str], typer.Option("-m", "--message", help="Commit message.")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit", help="Write the file but do not commit.")] = False,
) -> None:
    """Set one value (encrypting it when it is a secret) and commit."""
    from lcm.cli.diagnostics import info
    from lcm.errors import UsageError
    from lcm.ops.edits import set_value
    from lcm.format.paths import parse_path
    from lcm.repository.repo import Repo

    if value_stdin == (value is not None):
        raise UsageError("give VALUE or --value-stdin (exactly one)")
    if value_stdin:
        raw = sys.stdin.read()
        raw = raw[:-1] if raw.endswith("\n") else raw
        parsed = parse_value(raw, "str" if kind == "auto" else kind, secret)
    else:
        parsed = parse_value(value or "", kind, secret)
    repo = Repo.open()
    addr = repo.address(address)
    changed = set_value(repo, addr, parse_path(key), parsed, secret=secret, message=message,
                        commit=not no_commit)
    info(f"{addr}: {key} {'set' if changed else 'unchanged'}")


def get(
    address: Annotated[str, typer.Argument(help="TENANT/ENV/NAME or a config file path.")],
    key: Annotated[Optional[str], typer.Argument(help="Only this key (a scalar prints bare).")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show secret values (audited).")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show which file gave each value.")] = False,
    ignore_mac: Annotated[bool, typer.Option("--ignore-mac", help="Recovery only: skip the integrity check.")] = False,
    output: Annotated[str, typer.Option("-o", "--output", help="yaml | json | env")] = "yaml",
) -> None:
    """Print the effective config (the env chain merged), secrets masked."""
    from lcm.cli import reading

    reading.get(address, key, reveal=reveal, explain=explain, ignore_mac=ignore_mac, fmt=output)


def unset(
    address: Annotated[str, typer.Argument(help="TENANT/ENV/NAME or a config file path.")],
    key: Annotated[str, typer.Argument(help="Dotted key path to remove from this file.")],
    message: Annotated[Optional[str], typer.Option("-m", "--message")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit")] = False,
) -> None:
    """Remove a key from one file (`lcm set ADDR KEY '!delete'` hides an inherited key instead)."""
    from lcm.cli.diagnostics import info
    from lcm.ops.edits import unset_value
    from lcm.format.paths import parse_path
    from lcm.repository.repo import Repo

    repo = Repo.open()
    addr = repo.address(address)
    unset_value(repo, addr, parse_path(key), message=message, commit=not no_commit)
    info(f"{addr}: {key} removed")


def edit(
    address: Annotated[str, typer.Argument(help="TENANT/ENV/NAME or a config file path.")],
    message: Annotated[Optional[str], typer.Option("-m", "--message")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit")] = False,
) -> None:
    """Open the decrypted file in $EDITOR; re-encrypt and commit on save."""
    from lcm.cli.diagnostics import info
    from lcm.ops.editing import edit_file
    from lcm.repository.repo import Repo

    repo = Repo.open()
    addr = repo.address(address)
    changed = edit_file(repo, addr, message=message, commit=not no_commit)
    info(f"{addr}: {'saved' if changed else 'no changes'}")


def show(
    file: Annotated[Path, typer.Argument(help="A stored config file (any path; git textconv passes a temp copy).")],
    masked: Annotated[bool, typer.Option("--masked", help="Mask secrets (no keys needed).")] = False,
    ignore_mac: Annotated[bool, typer.Option("--ignore-mac")] = False,
) -> None:
    """Print one file decrypted (or masked), comments kept, metadata block left out."""
    from lcm.cli import reading

    reading.show(file, masked=masked, ignore_mac=ignore_mac)


def reseal(
    address: Annotated[str, typer.Argument(help="TENANT/ENV/NAME or a config file path.")],
    message: Annotated[Optional[str], typer.Option("-m", "--message")] = None,
    no_commit: Annotated[bool, typer.Option("--no-commit")] = False,
) -> None:
    """Accept a reviewed hand edit: encrypt plaintext secrets and write a new MAC."""
    from lcm.repository import audit
    from lcm.cli.diagnostics import info
    from lcm.ops.edits import reseal as do_reseal
    from lcm.repository.repo import Repo

    repo = Repo.open()
    addr = repo.address(address)
    do_reseal(repo, addr, message=message, commit=not no_commit)
    audit.record(repo.root, "reseal", tenant=addr.tenant, address=str(addr))
    info(f"{addr}: resealed")
