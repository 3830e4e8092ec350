"""Text and JSON forms of a semantic diff; secrets appear as fingerprints unless revealed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lcm.format.values import DELETE
from lcm.history.semdiff import ADDED, CHANGED, MOVED, REMOVED, RENAMED, Change, Secret
from lcm.format.paths import format_path

MASK = "********"
DELETE_TEXT = "!delete"
_SIGN = {ADDED: "+", REMOVED: "-", CHANGED: "~", RENAMED: ">", MOVED: ">"}


@dataclass
class FileDiff:
    """The key-level changes of one config file (or one effective env) between two sides."""

    address: str
    path: str
    status: str  # added | removed | modified
    changes: list[Change] = field(default_factory=list)


def to_json(files: list[FileDiff], old_label: str, new_label: str, reveal: bool) -> dict[str, Any]:
    """The stable `-o json` document."""
    return {
        "from": old_label,
        "to": new_label,
        "files": [
            {
                "address": f.address,
                "path": f.path,
                "status": f.status,
                "changes": [_change_json(c, reveal) for c in f.changes],
            }
            for f in files
        ],
    }


def _change_json(change: Change, reveal: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": change.kind, "path": format_path(change.path)}
    if change.old_path is not None:
        out["old_path"] = format_path(change.old_path)
    if change.kind != ADDED:
        out["old"] = json_value(change.old, reveal)
    if change.kind != REMOVED:
        out["new"] = json_value(change.new, reveal)
    out["secret"] = isinstance(change.old, Secret) or isinstance(change.new, Secret)
    return out


def json_value(value: Any, reveal: bool) -> Any:
    """A JSON-able copy of `value` with each secret as `{secret, fingerprint[, value]}`."""
    if isinstance(value, Secret):
        shown: dict[str, Any] = {"secret": True, "fingerprint": value.fingerprint}
        if reveal and value.fingerprint is not None:
            shown["value"] = value.plaintext
        return shown
    if isinstance(value, dict):
        return {str(k): json_value(v, reveal) for k, v in value.items()}
    if isinstance(value, list):
        return [json_value(v, reveal) for v in value]
    return DELETE_TEXT if value is DELETE else value


def to_text(files: list[FileDiff], old_label: str, new_label: str, reveal: bool) -> str:
    """Human-readable key-level diff, one line per change."""
    lines: list[str] = []
    for f in files:
        note = {"added": " (new file)", "removed": " (deleted file)"}.get(f.status, "")
        lines.append(f"{f.address}{note}   {old_label} -> {new_label}")
        lines.extend("  " + change_line(c, reveal) for c in f.changes)
    return "\n".join(lines)


def change_line(change: Change, reveal: bool) -> str:
    """One change as `<sign> path: old -> new`."""
    sign, where = _SIGN[change.kind], format_path(change.path)
    if change.kind == ADDED:
        return f"{sign} {where}: {text_value(change.new, reveal)}"
    if change.kind == REMOVED:
        return f"{sign} {where}: {text_value(change.old, reveal)}"
    if change.kind in (RENAMED, MOVED):
        old_where = format_path(change.old_path or ())
        return f"{sign} {old_where} -> {where} ({change.kind}): {text_value(change.new, reveal)}"
    if isinstance(change.old, Secret) and isinstance(change.new, Secret) and not reveal:
        return f"{sign} {where}: secret changed ({_fp(change.old)} -> {_fp(change.new)})"
    return f"{sign} {where}: {text_value(change.old, reveal)} -> {text_value(change.new, reveal)}"


def text_value(value: Any, reveal: bool) -> str:
    """A compact one-line form of a value; a secret shows its fingerprint, not its plaintext."""
    if isinstance(value, Secret):
        if reveal and value.fingerprint is not None:
            return f"{json.dumps(value.plaintext, ensure_ascii=False)} (secret {_fp(value)})"
        return f"{MASK} (secret {_fp(value)})"
    if isinstance(value, (dict, list)):
        return json.dumps(_masked(value, reveal), ensure_ascii=False)
    return DELETE_TEXT if value is DELETE else json.dumps(value, ensure_ascii=False)


def _masked(value: Any, reveal: bool) -> Any:
    if isinstance(value, Secret):
        return value.plaintext if reveal and value.fingerprint is not None else MASK
    if isinstance(value, dict):
        return {str(k): _masked(v, reveal) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, reveal) for v in value]
    return DELETE_TEXT if value is DELETE else value


def _fp(secret: Secret) -> str:
    return f"fp:{secret.fingerprint}" if secret.fingerprint else "no key to compare"
