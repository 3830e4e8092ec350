"""`lcm get ADDR --watch`: print the effective config once, then again on every change
(one JSON line per change with `-o json`, for shell pipelines)."""

from __future__ import annotations

import json
import os
import sys

from lcm.cli.diagnostics import warn
from lcm.cli.output import emit, render
from lcm.errors import LcmError, RepoError, UsageError


def get_watch(address: str, key: str | None, *, reveal: bool, ignore_mac: bool, fmt: str) -> None:
    """Follow `address` (TENANT/ENV/NAME, a file path, or TENANT/ENV for every file)
    until interrupted; a change that does not verify is warned about, not printed."""
    from lcm.api import Repo, parse_path

    if fmt not in ("json", "yaml"):
        raise UsageError("--watch prints json (a line per change) or yaml (a document per change)")
    if ignore_mac:
        raise UsageError("--watch verifies every change; it cannot be combined with --ignore-mac")
    repo = Repo.open()
    parts = address.strip("/").split("/")
    if len(parts) == 2 and not address.endswith((".yaml", ".yml")):
        tenant, env, name = parts[0], parts[1], None
    else:
        addr = repo.address(address)
        tenant, env, name = addr.tenant, addr.env, addr.name
    path = parse_path(key) if key else ()

    def report(err: LcmError) -> None:
        warn(f"{err.message}; still serving the last good config")

    live = repo.live(tenant, env, name, on_error=report, watch=False)
    try:
        _print(live.get(path, reveal=reveal, audited=True), fmt, bool(key))
        for change in live.changes():
            if any(p[: len(path)] == path or path[: len(p)] == p for p in change.paths):
                _print(live.get(path, None, reveal=reveal, audited=True), fmt, bool(key))
    except KeyError:
        raise RepoError(f"{live.label}: no key {key} in the effective config") from None
    except BrokenPipeError:
        # The reader went away (`| head -1`): end quietly, as `git log | head` does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        live.close()


def _print(value: object, fmt: str, bare: bool) -> None:
    if fmt == "json":
        # One line per state: the strict (NaN-free) JSON of `-o json`, compacted.
        emit(json.dumps(json.loads(render(value, "json")), ensure_ascii=False))
        return
    text = render(value, "yaml", scalar_bare=bare)
    emit(text if bare and not isinstance(value, (dict, list)) else "---\n" + text)
