"""The rotation metadata of a stored file (docs/rotation.md), kept in its `lcm:` block
so the file MAC covers it: when each secret got its current value, and previous
values kept, encrypted, through a rotation's overlap window.

    rotated:  [{key: llm.api_key, at: '2026-01-01T00:00:00Z'}, …]
    previous: [{key: llm.api_key, until: '2026-01-08T00:00:00Z', value: ENC[…]}, …]

Lists, not maps keyed by the secret's path: a line such as `api_key: '2026-…'` would
read as a leaked secret to scanners. Reading them needs no key.
"""

from __future__ import annotations

import functools
from typing import Any, Protocol

from lcm.format.crypto import decrypt_value, encrypt_value, is_encrypted
from lcm.format.document import META_KEY, Document
from lcm.format.paths import KeyPath, format_path

ROTATED = "rotated"
PREVIOUS = "previous"
# A plain edit written without the key: {at, keys}; gone once the file is sealed again.
UNSEALED = "unsealed"
Place = tuple[str, str, str]

# A secret's `key` in these lists: its formatted key path (cached: sealing and status
# name every secret, and the same paths recur across a tenant's files).
key_name = functools.lru_cache(maxsize=65536)(format_path)


class DataKeys(Protocol):
    """A tenant's data keys as sealing needs them (`lcm.keys.datakeys.TenantKeys`)."""

    def key(self, version: int) -> bytes: ...

    def active_key(self) -> tuple[int, bytes]: ...


def previous_aad_path(key: str) -> KeyPath:
    """The key path a previous value's encryption is bound to (`lcm.previous.<key>.value`,
    naming the secret, not the list position), so it opens nowhere else."""
    return (META_KEY, PREVIOUS, key, "value")


def previous_values(old_meta: dict[Any, Any], secrets: dict[str, str],
                    retiring: dict[KeyPath, Any], wanted: dict[KeyPath, str | None],
                    keys: DataKeys, place: Place, reencrypt: bool) -> list[dict[str, Any]]:
    """The new `previous` list: entries of secrets that still exist (re-encrypted when
    `reencrypt`), minus dropped ones, plus the values `retiring` with their expiry."""
    version, key = keys.active_key()
    out: dict[str, dict[str, Any]] = {}
    dropped = {format_path(p) for p, until in wanted.items() if until is None}
    for name, entry in entries(old_meta.get(PREVIOUS)).items():
        if name not in secrets or name in dropped:
            continue
        entry = dict(entry)
        if reencrypt and is_encrypted(entry.get("value")):
            aad_path = previous_aad_path(name)
            value = decrypt_value(entry["value"], keys.key, place, aad_path)
            entry["value"] = encrypt_value(value, key, version, place, aad_path)
        out[name] = entry
    for path, value in retiring.items():
        name = format_path(path)
        out[name] = {"key": name, "until": wanted[path],
                     "value": encrypt_value(value, key, version, place, previous_aad_path(name))}
    return list(out.values())


def merge_rotation_meta(ours: dict[Any, Any] | None,
                        theirs: dict[Any, Any] | None) -> dict[Any, Any]:
    """`ours` metadata with each secret's rotation time and previous value taken from
    the side that has the later one (the merge driver seals the merged tree with it, so
    a rotation made on either branch keeps its time and its overlap)."""
    meta = dict(ours or {})
    for name, stamp in ((ROTATED, "at"), (PREVIOUS, "until")):
        merged = entries(meta.get(name))
        for key, entry in entries((theirs or {}).get(name)).items():
            if key not in merged or str(entry.get(stamp)) > str(merged[key].get(stamp)):
                merged[key] = entry
        set_or_drop(meta, name, list(merged.values()))
    return meta


def decrypt_previous(doc: Document, keys: DataKeys, place: Place, key: str) -> Any:
    """The previous value of secret `key` (formatted key path) in a verified file;
    KeyError when it has none."""
    entry = previous_entries(doc).get(key)
    if entry is None or not is_encrypted(entry.get("value")):
        raise KeyError(key)
    return decrypt_value(entry["value"], keys.key, place, previous_aad_path(key))


def previous_entries(doc: Document) -> dict[str, dict[str, Any]]:
    """`{key: {key, until, value: ENC[...]}}` of a stored file (no key needed)."""
    return entries((doc.meta or {}).get(PREVIOUS))


def rotation_times(doc: Document) -> dict[KeyPath, tuple[str, str]]:
    """`{path: (key, time)}`: when each secret of a stored file got its current value
    (no key needed); a secret written before lcm recorded that falls back to the file's
    `updated` time."""
    meta = doc.meta or {}
    recorded = {k: str(e.get("at")) for k, e in entries(meta.get(ROTATED)).items()}
    fallback = str(meta.get("updated") or "")
    out = {}
    for path in doc.encrypted_paths():
        name = key_name(path)
        out[path] = (name, recorded.get(name, fallback))
    return out


def entries(block: Any) -> dict[str, dict[str, Any]]:
    """A metadata list of `{key: …, …}` maps, by key (anything else is ignored: the MAC
    has vouched for what lcm wrote)."""
    if not isinstance(block, list):
        return {}
    return {str(e["key"]): e for e in block if isinstance(e, dict) and "key" in e}


def set_or_drop(meta: dict[Any, Any], name: str, block: list[dict[str, Any]]) -> None:
    if block:
        meta[name] = block
    else:
        meta.pop(name, None)
