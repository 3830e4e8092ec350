"""Sealing and opening one stored file: encrypt secrets in place, keep
unchanged ciphertexts byte for byte, compute and verify the file MAC."""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Mapping, Protocol

from lcm.clock import utc_now
from lcm.errors import IntegrityError
from lcm.format.crypto import check_mac, compute_mac, decrypt_value, encrypt_value, is_encrypted
from lcm.format.document import META_KEY, Document
from lcm.format.paths import KeyPath, format_path, iter_leaves, lookup
from lcm.format.values import DELETE, map_leaves, same_value

Place = tuple[str, str, str]
MASK = "********"


class DataKeys(Protocol):
    """A tenant's data keys as sealing needs them (`lcm.keys.datakeys.TenantKeys`)."""

    def key(self, version: int) -> bytes: ...

    def active_key(self) -> tuple[int, bytes]: ...


def verify(doc: Document, keys: DataKeys, place: Place) -> None:
    """Check the metadata block names this place and the MAC matches."""
    meta = doc.meta
    where = doc.source
    if meta is None or "mac" not in meta:
        raise IntegrityError(f"{where}: no lcm metadata/MAC (edited outside lcm? review, then `lcm reseal`)")
    named = (meta.get("tenant"), meta.get("env"), meta.get("name"))
    if named != place:
        raise IntegrityError(
            f"{where}: metadata names {'/'.join(map(str, named))}, not {'/'.join(place)} (file moved or copied)"
        )
    from lcm.format.crypto import mac_version

    version = mac_version(meta["mac"])
    if version is None or not check_mac(keys.key(version), doc.tree, meta):
        raise IntegrityError(
            f"{where}: MAC does not verify: the file was changed outside lcm"
            " (review the change, then `lcm reseal`, or read with --ignore-mac)"
        )


def decrypt_tree(doc: Document, keys: DataKeys, place: Place,
                 verify_mac: bool = True) -> dict[Any, Any]:
    """The plaintext tree of one file (MAC verified first unless told not to)."""
    if verify_mac:
        verify(doc, keys, place)
    plain: dict[Any, Any] = map_leaves(
        doc.tree,
        lambda path, v: decrypt_value(v, keys.key, place, path) if is_encrypted(v) else v,
    )
    return plain


def mask_tree(tree: Any) -> Any:
    """A stored tree (or scalar) with every encrypted value shown as `********`."""
    return map_leaves(tree, lambda _p, v: MASK if is_encrypted(v) else v)


# Metadata lists seal maintains (docs/rotation.md): when each secret got its current
# value (`rotated: [{key, at}]`), and previous values kept through a rotation's overlap
# window (`previous: [{key, until, value}]`). Lists, not maps keyed by the secret's
# path: a line such as `api_key: '2026-…'` would read as a leaked secret to scanners.
ROTATED = "rotated"
PREVIOUS = "previous"
_MISSING: Any = object()


def previous_aad_path(key: str) -> KeyPath:
    """The key path a previous value's encryption is bound to (`lcm.previous.<key>.value`,
    naming the secret, not the list position), so it opens nowhere else."""
    return (META_KEY, PREVIOUS, key, "value")


def seal(
    old: Document | None,
    plain: dict[Any, Any],
    keys: DataKeys,
    place: Place,
    is_secret: Callable[[KeyPath], bool],
    extra_secret: Iterable[KeyPath] = (),
    meta_updates: dict[Any, Any] | None = None,
    *,
    old_plain: dict[Any, Any] | None = None,
    reencrypt: bool = False,
    previous: Mapping[KeyPath, str | None] | None = None,
) -> dict[Any, Any]:
    """The new stored tree (with `lcm:` block) for a plaintext tree.

    A leaf is encrypted when it was encrypted before at the same path, when it
    matches the manifest's secret globs, or when named in `extra_secret`
    (or lies under one of them). An unchanged secret keeps its old ciphertext, unless
    `reencrypt` (data-key rotation: every value and previous value under the active key).
    `old_plain` is `old` decrypted, when the caller has it (saves decrypting twice).
    `previous` maps a key path to the time its old value stays valid (the old value is
    kept, encrypted, as the previous one), or to None (its previous value is dropped).
    The metadata records, per secret, when it got its current value (`rotated`).
    """
    explicit = list(extra_secret)
    old_tree = old.tree if old is not None else {}
    old_meta = (old.meta or {}) if old is not None else {}
    version, key = keys.active_key()
    now = utc_now()
    old_rotated = {k: str(e.get("at")) for k, e in _entries(old_meta.get(ROTATED)).items()}
    backfill = str(old_meta.get("updated") or now)
    rotated: dict[str, str] = {}
    retiring: dict[KeyPath, Any] = {}  # secrets whose old value becomes the previous one
    wanted_previous = dict(previous or {})

    def old_value(path: KeyPath, stored: Any, known: Any) -> Any:
        """The old plaintext of an encrypted leaf, or _MISSING when it does not open."""
        if known is not _MISSING:
            return known
        try:
            return decrypt_value(stored, keys.key, place, path)
        except IntegrityError:
            return _MISSING

    # A string that was a secret anywhere in the file stays one wherever it moves
    # (a key renamed in `lcm edit` must not land in plaintext); built on first need.
    old_secret_strings: set[str] | None = None

    def was_secret_string(value: Any) -> bool:
        nonlocal old_secret_strings
        if not isinstance(value, str) or not value:
            return False
        if old_secret_strings is None:
            old_secret_strings = set()
            for path, stored in iter_leaves(old_tree):
                if is_encrypted(stored):
                    known = _lookup_or_missing(old_plain, path) if old_plain is not None else _MISSING
                    found = old_value(path, stored, known)
                    if isinstance(found, str) and found:
                        old_secret_strings.add(found)
        return value in old_secret_strings

    def secret_list_item(path: KeyPath) -> bool:
        """A new item of a list whose other items are encrypted is a secret too."""
        if not path or not isinstance(path[-1], int):
            return False
        try:
            siblings = lookup(old_tree, path[:-1])
        except (KeyError, TypeError, IndexError):
            return False
        return isinstance(siblings, list) and any(is_encrypted(v) for v in siblings)

    def seal_leaf(path: KeyPath, value: Any, stored: Any, known: Any) -> Any:
        was_encrypted = is_encrypted(stored)
        if value is DELETE or not (
                was_encrypted or is_secret(path) or any(path[: len(e)] == e for e in explicit)
                or secret_list_item(path) or was_secret_string(value)):
            return value
        name = _name(path)
        if was_encrypted:
            before = old_value(path, stored, known)
            if before is not _MISSING and same_value(before, value):
                rotated[name] = old_rotated.get(name, backfill)
                return encrypt_value(value, key, version, place, path) if reencrypt else stored
            if before is not _MISSING and wanted_previous.get(path):
                retiring[path] = before
        rotated[name] = now
        return encrypt_value(value, key, version, place, path)

    def walk(value: Any, stored: Any, known: Any, path: KeyPath) -> Any:
        if isinstance(value, dict):
            stored_map = stored if isinstance(stored, dict) else {}
            known_map = known if isinstance(known, dict) else {}
            return {k: walk(v, stored_map.get(k, _MISSING), known_map.get(k, _MISSING), path + (k,))
                    for k, v in value.items()}
        if isinstance(value, list):
            n_stored = len(stored) if isinstance(stored, list) else 0
            n_known = len(known) if isinstance(known, list) else 0
            return [walk(v, stored[i] if i < n_stored else _MISSING,
                         known[i] if i < n_known else _MISSING, path + (i,))
                    for i, v in enumerate(value)]
        return seal_leaf(path, value, stored, known)

    tree: dict[Any, Any] = walk(plain, old_tree, old_plain if old_plain is not None else _MISSING, ())
    meta = dict(old_meta)
    meta.pop("mac", None)
    meta.update({"tenant": place[0], "env": place[1], "name": place[2], "updated": now})
    _set_or_drop(meta, ROTATED, [{"key": k, "at": at} for k, at in rotated.items()])
    _set_or_drop(meta, PREVIOUS, _previous_values(
        old_meta, rotated, retiring, wanted_previous, keys, place, reencrypt))
    meta.update(meta_updates or {})
    meta["mac"] = compute_mac(key, version, tree, meta)
    return {**tree, "lcm": meta}


def _previous_values(old_meta: dict[Any, Any], secrets: dict[str, str],
                     retiring: dict[KeyPath, Any], wanted: dict[KeyPath, str | None],
                     keys: DataKeys, place: Place, reencrypt: bool) -> list[dict[str, Any]]:
    """The new `previous` list: entries of secrets that still exist (re-encrypted when
    `reencrypt`), minus dropped ones, plus the values `retiring` with their expiry."""
    version, key = keys.active_key()
    out: dict[str, dict[str, Any]] = {}
    dropped = {format_path(p) for p, until in wanted.items() if until is None}
    for name, entry in _entries(old_meta.get(PREVIOUS)).items():
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
        entries = _entries(meta.get(name))
        for key, entry in _entries((theirs or {}).get(name)).items():
            if key not in entries or str(entry.get(stamp)) > str(entries[key].get(stamp)):
                entries[key] = entry
        _set_or_drop(meta, name, list(entries.values()))
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
    return _entries((doc.meta or {}).get(PREVIOUS))


def rotation_times(doc: Document) -> dict[KeyPath, tuple[str, str]]:
    """`{path: (key, time)}`: when each secret of a stored file got its current value
    (no key needed); a secret written before lcm recorded that falls back to the file's
    `updated` time."""
    meta = doc.meta or {}
    recorded = {k: str(e.get("at")) for k, e in _entries(meta.get(ROTATED)).items()}
    fallback = str(meta.get("updated") or "")
    out = {}
    for path in doc.encrypted_paths():
        name = _name(path)
        out[path] = (name, recorded.get(name, fallback))
    return out


# Sealing names every secret's path; the same paths recur across a tenant's files.
_name = functools.lru_cache(maxsize=65536)(format_path)


def _entries(block: Any) -> dict[str, dict[str, Any]]:
    """A metadata list of `{key: …, …}` maps, by key (anything else is ignored: the MAC
    has vouched for what lcm wrote)."""
    if not isinstance(block, list):
        return {}
    return {str(e["key"]): e for e in block if isinstance(e, dict) and "key" in e}


def _lookup_or_missing(tree: Any, path: KeyPath) -> Any:
    try:
        return lookup(tree, path)
    except (KeyError, TypeError, IndexError):
        return _MISSING


def _set_or_drop(meta: dict[Any, Any], name: str, block: list[dict[str, Any]]) -> None:
    if block:
        meta[name] = block
    else:
        meta.pop(name, None)
