"""Mutating operations on one config file: set, unset, replace (edit), reseal."""

from __future__ import annotations

from typing import Any, Iterable

from lcm.repository.address import Address
from lcm.format.document import Document
from lcm.format.values import DELETE
from lcm.errors import UsageError
from lcm.format.paths import KeyPath, format_path
from lcm.repository.repo import Repo, Transaction


def _check_not_reserved(path: KeyPath) -> None:
    from lcm.format.document import META_KEY

    if path and path[0] == META_KEY:
        raise UsageError(f"the top-level key {META_KEY!r} is lcm's metadata block; it cannot be set or unset")


def _container_for(tree: dict[Any, Any], path: KeyPath) -> Any:
    """Walk to the parent of `path`, creating maps (and appending list slots) on the way."""
    node: Any = tree
    for depth, seg in enumerate(path[:-1]):
        nxt = path[depth + 1]
        want: Any = [] if isinstance(nxt, int) else {}
        if isinstance(node, dict):
            if seg not in node or node[seg] is DELETE:
                node[seg] = want
            node = node[seg]
        elif isinstance(node, list) and isinstance(seg, int) and seg <= len(node):
            if seg == len(node):
                node.append(want)
            node = node[seg]
        else:
            break
        if not isinstance(node, (dict, list)):
            raise UsageError(f"{format_path(path[:depth + 1])} is a value, not a mapping or list")
    else:
        return node
    raise UsageError(f"{format_path(path)}: no such place to set (lists grow one item at a time)")


def _coerce_index(node: Any, seg: Any) -> Any:
    if isinstance(node, list) and isinstance(seg, str) and seg.isdigit():
        return int(seg)
    return seg


def normalise_path(tree: dict[Any, Any], path: KeyPath) -> KeyPath:
    """Turn bare numeric segments into list indices where the tree has a list."""
    out: list[Any] = []
    node: Any = tree
    for seg in path:
        seg = _coerce_index(node, seg)
        out.append(seg)
        try:
            node = node[seg]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(out)


def set_in(tree: dict[Any, Any], path: KeyPath, value: Any) -> None:
    parent = _container_for(tree, path)
    last = path[-1]
    if isinstance(parent, list):
        if not isinstance(last, int) or last > len(parent):
            raise UsageError(f"{format_path(path)}: list index out of range")
        if last == len(parent):
            parent.append(value)
        else:
            parent[last] = value
    else:
        parent[last] = value


def remove_in(tree: dict[Any, Any], path: KeyPath) -> bool:
    node: Any = tree
    for seg in path[:-1]:
        try:
            node = node[seg]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        del node[path[-1]]
    except (KeyError, IndexError, TypeError):
        return False
    return True


def current_plain(repo: Repo, addr: Address,
                  ignore_mac: bool = False) -> tuple[Document | None, dict[Any, Any]]:
    doc = repo.read_document(addr)
    if doc is None:
        return None, {}
    return doc, repo.decrypt(addr, verify=not ignore_mac)


def write_plain(txn: Transaction, addr: Address, doc: Document | None, plain: dict[Any, Any],
                extra_secret: Iterable[KeyPath] = (), force: bool = False,
                meta_updates: dict[Any, Any] | None = None) -> bool:
    """Seal `plain` for `addr` and queue the write; False when nothing changed."""
    from lcm.format.seal import seal
    from lcm.format.values import same_value
    from lcm.format.writer import render

    repo = txn.repo
    extra = list(extra_secret)
    if doc is not None and not force and not extra and not meta_updates:
        if same_value(repo.decrypt(addr, verify=False), plain):
            return False
    from lcm.validate.secrets import schema_secret_paths

    full = seal(doc, plain, repo.keys(addr.tenant), addr.place, repo.manifest.is_secret_key,
                extra + schema_secret_paths(repo, addr, plain), meta_updates)
    txn.write_text(repo.path_of(addr), render(doc, full))
    return True


def set_value(repo: Repo, addr: Address, path: KeyPath, value: Any, *, secret: bool = False,
              message: str | None = None, commit: bool = True) -> bool:
    """`lcm set`: one value in one file, one commit."""
    _check_not_reserved(path)
    if value is DELETE and isinstance(path[-1], int):
        raise UsageError("!delete removes a mapping key; to change a list, set the whole list")
    with repo.transaction("set", addr.tenant, message, commit) as txn:
        doc, plain = current_plain(repo, addr)
        path = normalise_path(plain, path)
        set_in(plain, path, value)
        txn.summary = f"lcm set {addr} {format_path(path)}"
        return write_plain(txn, addr, doc, plain, [path] if secret else [])


def unset_value(repo: Repo, addr: Address, path: KeyPath, *, message: str | None = None,
                commit: bool = True) -> None:
    """`lcm unset`: remove a key from one file (or mark it deleted with --delete-marker)."""
    _check_not_reserved(path)
    with repo.transaction("unset", addr.tenant, message, commit) as txn:
        doc, plain = current_plain(repo, addr)
        if doc is None:
            from lcm.errors import RepoError

            raise RepoError(f"{addr}: no such config file ({addr.relpath})")
        path = normalise_path(plain, path)
        if not remove_in(plain, path):
            from lcm.errors import RepoError

            raise RepoError(f"{addr}: no key {format_path(path)}")
        txn.summary = f"lcm unset {addr} {format_path(path)}"
        write_plain(txn, addr, doc, plain)


def reseal(repo: Repo, addr: Address, message: str | None = None, commit: bool = True) -> None:
    """Accept a reviewed hand edit: decrypt without the MAC check, encrypt any
    plaintext now sitting at a secret key, and write a fresh MAC."""
    with repo.transaction("reseal", addr.tenant, message, commit) as txn:
        doc = repo.require_document(addr)
        plain = repo.decrypt(addr, verify=False)
        txn.summary = f"lcm reseal {addr}"
        write_plain(txn, addr, doc, plain, force=True)
