"""The value model every layer shares: the `!delete` overlay marker, type-exact
equality, the canonical form the file MAC seals, and walking the leaves of a tree.

YAML types stay apart throughout lcm: `1`, `1.0`, `"1"` and `true` are different
values, so equality goes through the canonical form.

Every walk here (and `copy_tree`) uses an explicit stack, not Python recursion, so a
tree of any depth that a library caller builds in memory is fine. (Trees read from YAML are also capped
at `lcm.format.loading.MAX_DEPTH` levels, and trees staged for a write by
`lcm.ops.values.check_storable`; the other, recursive walkers over config trees rely
on that cap: docs/core-api.md, "Depth".)
"""

from __future__ import annotations

import json
import math
import re
from json.encoder import encode_basestring as _json_str
from json.encoder import encode_basestring_ascii as _json_str_ascii
from typing import Any, Callable, Iterator

KeyPath = tuple[Any, ...]


class _Delete:
    """The explicit overlay marker `key: !delete` (removes an inherited key)."""

    _instance: "_Delete | None" = None

    def __new__(cls) -> "_Delete":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()
_TREE = (dict, list)


def canonical(value: Any) -> list[Any]:
    """A JSON-able form that keeps YAML types apart (1, 1.0, "1", true differ): a map is
    `["m", [[key form, value form], …]]` sorted by the JSON text of the key forms, a list
    `["l", [forms]]`, a scalar `[type letter, text]`."""
    holder: list[Any] = [None]
    # (value, the list its form goes into, at which index): each list is made before
    # its items' forms are, so the forms nest without recursion.
    stack: list[tuple[Any, list[Any], int]] = [(value, holder, 0)]
    while stack:
        item, parent, slot = stack.pop()
        if isinstance(item, dict):
            keys = [key for key, _text in _key_order(item)]
            # A key is hashable, so never a plain map or list: its form is a scalar's.
            pairs = [[canonical(key), None] for key in keys]
            stack.extend((item[key], pair, 1) for key, pair in zip(keys, pairs))
            parent[slot] = ["m", pairs]
        elif isinstance(item, list):
            forms: list[Any] = [None] * len(item)
            stack.extend((child, forms, i) for i, child in enumerate(item))
            parent[slot] = ["l", forms]
        else:
            parent[slot] = _scalar_form(item)
    form: list[Any] = holder[0]
    return form


def _scalar_form(value: Any) -> list[Any]:
    if value is DELETE:
        return ["d"]
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", str(value)]
    if isinstance(value, float):
        return ["f", "nan" if math.isnan(value) else repr(value)]
    return ["s", str(value)]


def canonical_json(value: Any) -> str:
    """`json.dumps(canonical(value), separators=(",", ":"), ensure_ascii=False)`, built
    directly (the MAC serialises every stored tree twice per write; this is the hot path).

    The text is written in document order from a stack of the maps and lists still
    open, each with an iterator over its remaining parts: (text, None) is written as
    it is, (text, child) is the text before a map or list child to open next."""
    if not isinstance(value, _TREE):
        return _scalar_json(value)
    out: list[str] = []
    stack = [_open(value, out)]
    while stack:
        parts, close = stack[-1]
        for text, child in parts:
            out.append(text)
            if child is not None:
                stack.append(_open(child, out))
                break
        else:
            stack.pop()
            out.append(close)
    return "".join(out)


def _open(tree: dict[Any, Any] | list[Any],
          out: list[str]) -> tuple[Iterator[tuple[str, Any]], str]:
    """Write the opening of a map or list; its parts (scalar children already written
    out, with the text between them) and its closing text."""
    parts: list[tuple[str, Any]] = []
    if isinstance(tree, dict):
        out.append('["m",[')
        separator, close = "[", "]]]"
        for key, text in _key_order(tree):
            child = tree[key]
            if isinstance(child, _TREE):
                parts.append((f"{separator}{text},", child))
            else:
                parts.append((f"{separator}{text},{_scalar_json(child)}", None))
            separator = "],["
        return iter(parts), close if parts else "]]"
    out.append('["l",[')
    separator = ""
    for child in tree:
        if isinstance(child, _TREE):
            parts.append((separator, child))
        else:
            parts.append((separator + _scalar_json(child), None))
        separator = ","
    return iter(parts), "]]"


def _scalar_json(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return f'["s",{_json_str(value)}]'
    if kind is int:
        return f'["i","{value}"]'
    if kind is bool:
        return '["b",true]' if value else '["b",false]'
    if value is None:
        return '["n"]'
    if kind is float:
        return f'["f","{"nan" if math.isnan(value) else repr(value)}"]'
    return json.dumps(_scalar_form(value), separators=(",", ":"), ensure_ascii=False)


_SIMPLE_KEY = re.compile(r"[#-\[\]-~]*")


def _key_order(mapping: dict[Any, Any]) -> list[tuple[Any, str]]:
    """The keys of `mapping` in canonical order (by the JSON text of their canonical
    form), each with the compact JSON text of that form.

    Keys that are all plain ASCII without space, `!`, `"` or `\\` sort the same as Python
    strings, and str keys the same as their escaped JSON, which spares a json.dumps per
    key; other keys sort by the reference rule."""
    keys = list(mapping)
    if all(type(k) is str and _SIMPLE_KEY.fullmatch(k) for k in keys):
        keys.sort()
        return [(k, f'["s","{k}"]') for k in keys]
    if all(type(k) is str for k in keys):
        keys.sort(key=_json_str_ascii)
        return [(k, f'["s",{_json_str(k)}]') for k in keys]
    forms = sorted(((canonical(k), k) for k in keys),
                   key=lambda pair: json.dumps(pair[0], sort_keys=True))
    return [(k, json.dumps(form, separators=(",", ":"), ensure_ascii=False))
            for form, k in forms]


def same_value(a: Any, b: Any) -> bool:
    """Equality that keeps YAML types apart (1, 1.0, True and "1" all differ).

    Compares canonical JSON texts: equal exactly when the canonical forms are (JSON is
    one-to-one on them), and flat, so no comparison recurses however deep the trees."""
    if type(a) is type(b) and not isinstance(a, (dict, list, float)):
        return bool(a == b)
    return canonical_json(a) == canonical_json(b)


def copy_tree(tree: Any) -> Any:
    """A copy of the maps and lists of a tree, scalars shared (they are immutable): what
    deepcopy does for plain data, faster."""
    return _copy(tree, keep_deletes=True)


def strip_deletes(value: Any) -> Any:
    """A copy of `value` without `!delete` markers (nothing left to delete below them)."""
    return _copy(value, keep_deletes=False)


def _copy(value: Any, keep_deletes: bool) -> Any:
    if not isinstance(value, _TREE):
        return value
    holder: list[Any] = [None]
    # (a map or list, the container its copy goes into, at which key or index)
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        item, parent, slot = stack.pop()
        copy: Any
        if isinstance(item, dict):
            copy = {k: v for k, v in item.items() if keep_deletes or v is not DELETE}
            stack.extend((v, copy, k) for k, v in copy.items() if isinstance(v, _TREE))
        else:
            copy = [v for v in item if keep_deletes or v is not DELETE]
            stack.extend((v, copy, i) for i, v in enumerate(copy) if isinstance(v, _TREE))
        parent[slot] = copy
    return holder[0]


def map_leaves(tree: Any, fn: Callable[[KeyPath, Any], Any], prefix: KeyPath = ()) -> Any:
    """A copy of `tree` with every scalar leaf replaced by fn(path, leaf), fn called in
    document order (the first failing leaf is the one an error names)."""
    if not isinstance(tree, _TREE):
        return fn(prefix, tree)
    root, children = _empty_like(tree)
    # The maps and lists being copied: (their remaining (key, child) pairs, path, copy).
    stack = [(children, prefix, root)]
    while stack:
        children, path, copy = stack[-1]
        for key, child in children:
            if isinstance(child, _TREE):
                copy[key], grandchildren = _empty_like(child)
                stack.append((grandchildren, path + (key,), copy[key]))
                break
            copy[key] = fn(path + (key,), child)
        else:
            stack.pop()
    return root


def _empty_like(tree: dict[Any, Any] | list[Any]) -> tuple[Any, Iterator[tuple[Any, Any]]]:
    """A new map (to fill in key order) or a list of the same length, and `tree`'s items."""
    return ({} if isinstance(tree, dict) else [None] * len(tree)), tree_items(tree)


def tree_items(tree: dict[Any, Any] | list[Any]) -> Iterator[tuple[Any, Any]]:
    """The (key, child) pairs of a map or the (index, item) pairs of a list."""
    return iter(tree.items()) if isinstance(tree, dict) else enumerate(tree)
