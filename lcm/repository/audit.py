"""Audit trail: a hash-chained JSON-lines log under `.lcm/audit/`, kept out of Git.

`record()` is called by the core for every event that exposes plaintext and every
key operation. An entry names who did what to which tenant, file and key paths;
it never holds a value. Each entry carries the SHA-256 of the previous entry's
line, and `.lcm/audit/head` holds the last entry's hash, so an edited, removed
or reordered entry (the last one included) breaks the chain. Why the log is not
committed is in docs/history.md.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lcm.errors import IntegrityError
from lcm.fsutil import atomic_write, locked

AUDIT_DIR = Path(".lcm") / "audit"
LOG_NAME = "log.jsonl"
HEAD_NAME = "head"
GENESIS = "0" * 64
FIELDS = ("seq", "time", "actor", "user", "host", "op", "tenant", "address", "keys", "prev")
DETAIL = "detail"  # optional field


@dataclass(frozen=True)
class ChainBreak:
    """Where and why the chain stopped verifying."""

    line: int
    reason: str


def log_path(root: Path) -> Path:
    """The audit log file of the repository at `root`."""
    return Path(root) / AUDIT_DIR / LOG_NAME


def line_hash(line: bytes) -> str:
    """SHA-256 of one stored line without its newline: the next entry's `prev`."""
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def record(
    root: Path,
    op: str,
    *,
    tenant: str | None = None,
    address: str | None = None,
    keys: Iterable[str] = (),
    detail: Mapping[str, str] | None = None,
) -> None:
    """Append one event to the repository's audit log; `detail` (optional, names and ids
    only, e.g. an export's target and commit) is stored under its own field."""
    folder = Path(root) / AUDIT_DIR
    _ensure_folder(folder)
    with locked(folder / "lock", mode=0o600):
        prev, seq = _chain_tip(folder)
        entry = {
            "seq": seq + 1,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": current_actor(Path(root)),
            "user": _os_user(),
            "host": socket.gethostname(),
            "op": op,
            "tenant": tenant,
            "address": address,
            "keys": [str(k) for k in keys],
            "prev": prev,
        }
        if detail:
            entry[DETAIL] = {str(k): str(v) for k, v in detail.items()}
        line = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        data = line.encode("utf-8") + b"\n"
        fd = os.open(folder / LOG_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        _write_head(folder, line_hash(data), seq + 1)


def read_entries(root: Path) -> list[dict[str, Any]]:
    """All entries, oldest first; lines that are not JSON raise IntegrityError."""
    path = log_path(root)
    if not path.exists():
        return []
    entries = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                entries.append(json.loads(raw))
            except ValueError:
                raise IntegrityError(f"{path}:{number}: audit entry is not valid JSON") from None
    return entries


def verify(root: Path) -> tuple[int, ChainBreak | None]:
    """Recompute the chain; return the number of entries and the first break, if any."""
    folder = Path(root) / AUDIT_DIR
    path = folder / LOG_NAME
    head = _read_head(folder)
    if not path.exists():
        if head is not None and head[1] > 0:
            return 0, ChainBreak(0, f"log is missing but head records {head[1]} entries")
        return 0, None
    prev, count = GENESIS, 0
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            problem = _check_line(raw, prev, number)
            if problem:
                return count, ChainBreak(number, problem)
            prev, count = line_hash(raw), number
    if head is None:
        if count:
            return count, ChainBreak(count, "head file is missing")
    elif head != (prev, count):
        return count, ChainBreak(
            count,
            f"head records {head[1]} entries ending in {head[0][:12]}; "
            f"log has {count} ending in {prev[:12]} (entries removed or edited at the end)",
        )
    return count, None


def _check_line(raw: bytes, prev: str, number: int) -> str | None:
    """Why one line does not continue the chain, or None."""
    if not raw.endswith(b"\n"):
        return "truncated entry (no newline)"
    try:
        entry = json.loads(raw)
    except ValueError:
        return "entry is not valid JSON"
    if not isinstance(entry, dict) or set(entry) - {DETAIL} != set(FIELDS):
        return "entry has unexpected fields"
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if canonical.encode("utf-8") != raw.rstrip(b"\n"):
        return "entry was re-formatted or edited"
    if entry["prev"] != prev:
        return "previous-hash mismatch (an entry before it was edited, removed or reordered)"
    if entry["seq"] != number:
        return f"sequence number {entry['seq']} where {number} was expected"
    return None


def current_actor(root: Path | None = None) -> str:
    """Who acts, named as lcm's commits name their author (Git identity, else `$LCM_AUTHOR`)."""
    if root is not None:
        from lcm.errors import LcmError
        from lcm.repository.git import open_git, signature

        try:
            sig = signature(open_git(Path(root)))
        except LcmError:
            sig = None
        if sig is not None and sig.email != "lcm@localhost":
            return f"{sig.name} <{sig.email}>"
    return os.environ.get("LCM_AUTHOR") or _os_user()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _ensure_folder(folder: Path) -> None:
    """Create the audit folder with a `.gitignore` that keeps it out of commits."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# lcm audit trail: local to this machine, never committed\n*\n")


def _chain_tip(folder: Path) -> tuple[str, int]:
    """The hash and sequence number the next entry chains to."""
    head = _read_head(folder)
    if head is not None:
        return head
    path = folder / LOG_NAME
    if not path.exists() or path.stat().st_size == 0:
        return GENESIS, 0
    with open(path, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    return line_hash(lines[-1]), len(lines)


def _read_head(folder: Path) -> tuple[str, int] | None:
    try:
        text = (folder / HEAD_NAME).read_text().split()
        return text[0], int(text[1])
    except (OSError, IndexError, ValueError):
        return None


def _write_head(folder: Path, digest: str, seq: int) -> None:
    """Replace the head file atomically (temp file, fsync, rename)."""
    atomic_write(folder / HEAD_NAME, f"{digest} {seq}\n", mode=0o600)


def select(
    entries: Iterable[dict[str, Any]],
    *,
    tenant: str | None = None,
    actor: str | None = None,
    op: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, Any]]:
    """Entries matching every given filter; `actor` matches a substring, case-insensitively."""
    chosen = []
    for entry in entries:
        if tenant is not None and entry.get("tenant") != tenant:
            continue
        if op is not None and entry.get("op") != op:
            continue
        if actor is not None and actor.lower() not in str(entry.get("actor", "")).lower():
            continue
        if since is not None or until is not None:
            when = parse_time(str(entry.get("time")))
            if (since is not None and when < since) or (until is not None and when > until):
                continue
        chosen.append(entry)
    return chosen


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_time(text: str, *, now: datetime | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 (`2026-11-26`, `…T13:00Z`) or an age (`90m`, `7d`)."""
    from datetime import timedelta

    text = text.strip()
    if len(text) > 1 and text[-1] in _UNITS and text[:-1].isdigit():
        base = now or datetime.now(UTC)
        return base - timedelta(seconds=int(text[:-1]) * _UNITS[text[-1]])
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)
