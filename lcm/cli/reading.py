"""The read commands' bodies: `get` (effective config) and `show` (one file)."""

from __future__ import annotations

from pathlib import Path

from lcm.cli.diagnostics import warn
from lcm.cli.output import emit, emit_table, render, to_json


def get(address: str, key: str | None, *, reveal: bool, explain: bool, ignore_mac: bool,
        fmt: str) -> None:
    """`lcm get ADDR [KEY]`; ADDR may be `TENANT/ENV` (every file of the env, by name)."""
    from lcm.api import Repo, parse_path

    repo = Repo.open()
    addr = repo.target(address)
    path = parse_path(key) if key else ()
    if explain:
        rows = repo.explain(addr, path, reveal=reveal, ignore_mac=ignore_mac)
        verified = repo.get(addr, path, ignore_mac=ignore_mac).verified
        _warn_unverified(verified, ignore_mac, addr.tenant)
        if fmt == "json":
            emit(to_json([r.to_json() for r in rows]))
            return
        cells = [[r.key, render(r.value, "yaml", scalar_bare=True).strip(),
                  r.source.env if r.source else "?",
                  f"{r.source.relpath if r.source else ''}:{r.line or ''}"] for r in rows]
        width = max((len(c[0]) for c in cells), default=0)
        plain = "\n".join(f"{k:<{width}}  {v}    # {env}  {where}" for k, v, env, where in cells)
        emit_table(["key", "value", "env", "from"], cells, plain or "(empty)")
        return
    found = repo.get(addr, path, reveal=reveal, ignore_mac=ignore_mac)
    _warn_unverified(found.verified, ignore_mac, addr.tenant)
    emit(render(found.value, fmt, scalar_bare=bool(key), file=getattr(addr, "name", ""),
                path=path))


def _warn_unverified(verified: bool, ignore_mac: bool, tenant: str) -> None:
    # Only once the value is read: a reveal without keys fails with its own line instead.
    if not verified and not ignore_mac:
        warn(f"MAC not verified: no key available for tenant {tenant!r}; secrets stay masked")


def show(file: Path | str, *, masked: bool, ignore_mac: bool) -> None:
    """One stored file (a path or an address) as text (git textconv passes a temp copy)."""
    from lcm.api import show_file

    shown = show_file(file, masked=masked, ignore_mac=ignore_mac)
    if shown.warning:
        warn(shown.warning)
    emit(shown.text)
