"""Editing plaintext trees in place: set a value at a key path (creating maps and
appending list items on the way), remove one, and read numeric segments as list
indices where the tree has a list."""

from __future__ import annotations

from typing import Any

from lcm.errors import UsageError
from lcm.format.paths import KeyPath, format_path
from lcm.format.values import DELETE


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
