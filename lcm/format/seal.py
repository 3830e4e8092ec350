"""Sealing and opening one stored file: encrypt secrets in place, keep
unchanged ciphertexts byte for byte, record rotation times and previous values
(`lcm.format.secretmeta`), compute and verify the file MAC."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from lcm.clock import utc_now
from lcm.errors import IntegrityError
from lcm.format.crypto import check_mac, compute_mac, decrypt_value, encrypt_value, is_encrypted
from lcm.format.document import Document
from lcm.format.paths import KeyPath, iter_leaves, lookup
from lcm.format.secretmeta import DataKeys as DataKeys  # what sealing needs of the keys
from lcm.format.secretmeta import (
    PREVIOUS, ROTATED, UNSEALED, Place, entries, key_name, previous_values, set_or_drop,
)
from lcm.format.values import DELETE, map_leaves, same_value

MASK = "********"
_MISSING: Any = object()


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
        if meta.get(UNSEALED) is not None:
            raise IntegrityError(f"{where}: {unsealed_note(meta[UNSEALED], '/'.join(place))}")
        raise IntegrityError(
            f"{where}: MAC does not verify: the file was changed outside lcm"
            " (review the change, then `lcm reseal`, or read with --ignore-mac)"
        )


def unsealed_note(entry: Any, address: str) -> str:
    """What the `unsealed` metadata entry of the file at `address` means, in one line
    (never a value)."""
    keys = entry.get("keys") if isinstance(entry, dict) else None
    named = "plain values"
    if isinstance(keys, list) and keys:  # the file may be hostile: bounded, whatever it says
        shown = [str(k)[:100] for k in keys[:10]]
        named = ", ".join(shown) + (f" and {len(keys) - 10} more" if len(keys) > 10 else "")
    at = entry.get("at") if isinstance(entry, dict) else None
    when = f" at {at}" if isinstance(at, str) and len(at) <= 40 else ""
    return (f"unsealed edit of {named}{when}, made without the tenant's key: review it, "
            f"then `lcm reseal {address}` (needs the key)")


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
    old_rotated = {k: str(e.get("at")) for k, e in entries(old_meta.get(ROTATED)).items()}
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
        name = key_name(path)
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
    meta.pop(UNSEALED, None)  # sealed again: the whole file is under the new MAC
    meta.update({"tenant": place[0], "env": place[1], "name": place[2], "updated": now})
    set_or_drop(meta, ROTATED, [{"key": k, "at": at} for k, at in rotated.items()])
    set_or_drop(meta, PREVIOUS, previous_values(
        old_meta, rotated, retiring, wanted_previous, keys, place, reencrypt))
    meta.update(meta_updates or {})
    meta["mac"] = compute_mac(key, version, tree, meta)
    return {**tree, "lcm": meta}


def _lookup_or_missing(tree: Any, path: KeyPath) -> Any:
    try:
        return lookup(tree, path)
    except (KeyError, TypeError, IndexError):
        return _MISSING
