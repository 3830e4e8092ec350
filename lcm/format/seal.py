"""Sealing and opening one stored file: encrypt secrets in place, keep
unchanged ciphertexts byte for byte, compute and verify the file MAC."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Protocol

from lcm.clock import utc_now
from lcm.errors import IntegrityError
from lcm.format.crypto import check_mac, compute_mac, decrypt_value, encrypt_value, is_encrypted
from lcm.format.document import Document
from lcm.format.paths import KeyPath, iter_leaves, lookup
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


def seal(
    old: Document | None,
    plain: dict[Any, Any],
    keys: DataKeys,
    place: Place,
    is_secret: Callable[[KeyPath], bool],
    extra_secret: Iterable[KeyPath] = (),
    meta_updates: dict[Any, Any] | None = None,
) -> dict[Any, Any]:
    """The new stored tree (with `lcm:` block) for a plaintext tree.

    A leaf is encrypted when it was encrypted before at the same path, when it
    matches the manifest's secret globs, or when named in `extra_secret`
    (or lies under one of them). An unchanged secret keeps its old ciphertext.
    """
    explicit = list(extra_secret)
    old_tree = old.tree if old is not None else {}
    version, key = keys.active_key()

    def secret_list_item(path: KeyPath) -> bool:
        """A new item of a list whose other items are encrypted is a secret too."""
        if not path or not isinstance(path[-1], int):
            return False
        try:
            siblings = lookup(old_tree, path[:-1])
        except (KeyError, TypeError, IndexError):
            return False
        return isinstance(siblings, list) and any(is_encrypted(v) for v in siblings)

    # A string that was a secret anywhere in the file stays one wherever it moves
    # (a key renamed in `lcm edit` must not land in plaintext).
    old_secrets: set[str] = set()
    for path, stored in iter_leaves(old_tree):
        if is_encrypted(stored):
            try:
                value = decrypt_value(stored, keys.key, place, path)
            except IntegrityError:
                continue
            if isinstance(value, str) and value:
                old_secrets.add(value)

    def secret_here(path: KeyPath, old_value: Any, value: Any) -> bool:
        return (is_encrypted(old_value) or is_secret(path)
                or any(path[: len(e)] == e for e in explicit) or secret_list_item(path)
                or (isinstance(value, str) and value in old_secrets))

    def seal_leaf(path: KeyPath, value: Any) -> Any:
        try:
            old_value = lookup(old_tree, path)
        except (KeyError, TypeError, IndexError):
            old_value = None
        if value is DELETE or isinstance(value, (dict, list)) or not secret_here(path, old_value, value):
            return value
        if is_encrypted(old_value):
            try:
                if same_value(decrypt_value(old_value, keys.key, place, path), value):
                    return old_value
            except IntegrityError:
                pass
        return encrypt_value(value, key, version, place, path)

    tree = map_leaves(plain, seal_leaf)
    meta = dict(old.meta) if old is not None and old.meta else {}
    meta.pop("mac", None)
    meta.update({"tenant": place[0], "env": place[1], "name": place[2], "updated": utc_now()})
    meta.update(meta_updates or {})
    meta["mac"] = compute_mac(key, version, tree, meta)
    return {**tree, "lcm": meta}

