"""The value model every layer shares: the `!delete` overlay marker, type-exact
equality, and walking the leaves of a nested tree.

YAML types stay apart throughout lcm: `1`, `1.0`, `"1"` and `true` are different
values, so equality goes through `canonical`, the same form the file MAC seals.
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

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


def canonical(value: Any) -> list[Any]:
    """A JSON-able form that keeps YAML types apart (1, 1.0, "1", true differ)."""
    if isinstance(value, dict):
        items = [[canonical(k), canonical(v)] for k, v in value.items()]
        items.sort(key=lambda kv: json.dumps(kv[0], sort_keys=True))
        return ["m", items]
    if isinstance(value, list):
        return ["l", [canonical(v) for v in value]]
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


def same_value(a: Any, b: Any) -> bool:
    """Equality that keeps YAML types apart (1, 1.0, True and "1" all differ)."""
    if type(a) is type(b) and not isinstance(a, (dict, list, float)):
        return bool(a == b)
    return canonical(a) == canonical(b)


def strip_deletes(value: Any) -> Any:
    """`value` without `!delete` markers (nothing left to delete below them)."""
    if isinstance(value, dict):
        return {k: strip_deletes(v) for k, v in value.items() if v is not DELETE}
    if isinstance(value, list):
        return [strip_deletes(v) for v in value if v is not DELETE]
    return value


def map_leaves(tree: Any, fn: Callable[[KeyPath, Any], Any], prefix: KeyPath = ()) -> Any:
    """A copy of `tree` with every scalar leaf replaced by fn(path, leaf)."""
    if isinstance(tree, dict):
        return {k: map_leaves(v, fn, prefix + (k,)) for k, v in tree.items()}
    if isinstance(tree, list):
        return [map_leaves(v, fn, prefix + (i,)) for i, v in enumerate(tree)]
    return fn(prefix, tree)
