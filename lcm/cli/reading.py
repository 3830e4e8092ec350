"""The read commands' bodies: `get` (effective config) and `show` (one file)."""

from __future__ import annotations

from pathlib import Path

from lcm.cli.diagnostics import warn
from lcm.cli.output import emit, render, to_json


def get(address: str, key: str | None, *, reveal: bool, explain: bool, ignore_mac: bool,
        fmt: str) -> None:
    from lcm.api import Repo, parse_path

    repo = Repo.open()
    addr = repo.address(address)
    path = parse_path(key) if key else ()
    if explain:
        rows = repo.explain(addr, path, reveal=reveal, ignore_mac=ignore_mac)
        if fmt == "json":
            text = to_json([r.to_json() for r in rows])
        else:
            width = max((len(r.key) for r in rows), default=0)
            text = "\n".join(
                f"{r.key:<{width}}  {render(r.value, 'yaml', scalar_bare=True).strip()}"
                f"    # {r.source.env if r.source else '?'}  "
                f"{r.source.relpath if r.source else ''}:{r.line or ''}"
                for r in rows) or "(empty)"
        verified = repo.get(addr, path, ignore_mac=ignore_mac).verified
    else:
        found = repo.get(addr, path, reveal=reveal, ignore_mac=ignore_mac)
        text = render(found.value, fmt, scalar_bare=bool(key), file=addr.name, path=path)
        verified = found.verified
    # Warn only once the output exists: a reveal without keys fails with its own line.
    if not verified and not ignore_mac:
        warn(f"MAC not verified: no key available for tenant {addr.tenant!r}; secrets stay masked")
    emit(text)


def show(file: Path, *, masked: bool, ignore_mac: bool) -> None:
    """One stored file as text (git textconv passes a temp copy)."""
    from lcm.api import show_file

    shown = show_file(file, masked=masked, ignore_mac=ignore_mac)
    if shown.warning:
        warn(shown.warning)
    emit(shown.text)
