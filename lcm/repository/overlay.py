"""Environment overlays: deep-merge the files of an env chain, with provenance.

Maps merge key by key; lists and scalars from a nearer env replace the farther
one's; `key: !delete` removes an inherited key. Provenance records, for every
path a layer set, which layer set it; a leaf's source is its nearest recorded
ancestor.
"""

from __future__ import annotations

from typing import Any, Generic, Hashable, Iterator, TypeVar

from lcm.format.values import DELETE, strip_deletes
from lcm.format.paths import KeyPath

S = TypeVar("S", bound=Hashable)


class Merged(Generic[S]):
    """The merged tree and where each part came from."""

    def __init__(self) -> None:
        self.tree: dict[Any, Any] = {}
        self.sources: dict[KeyPath, S] = {}

    def source_of(self, path: KeyPath) -> S | None:
        for cut in range(len(path), -1, -1):
            found = self.sources.get(path[:cut])
            if found is not None:
                return found
        return None


def _merge_into(target: dict[Any, Any], layer: dict[Any, Any], source: S,
                merged: Merged[S]) -> None:
    """Merge one layer into `target` in document order, from a stack of the maps being
    merged (no recursion, so no depth limit)."""
    stack: list[tuple[dict[Any, Any], Iterator[tuple[Any, Any]], KeyPath]] = [
        (target, iter(layer.items()), ())]
    while stack:
        into, items, prefix = stack[-1]
        for key, value in items:
            path = prefix + (key,)
            if value is DELETE:
                into.pop(key, None)
                for p in [p for p in merged.sources if p[: len(path)] == path]:
                    del merged.sources[p]
                continue
            current = into.get(key)
            if isinstance(value, dict) and isinstance(current, dict):
                stack.append((current, iter(value.items()), path))
                break
            for p in [p for p in merged.sources if p[: len(path)] == path and p != path]:
                del merged.sources[p]
            into[key] = strip_deletes(value)
            merged.sources[path] = source
        else:
            stack.pop()


def merge(layers: list[tuple[S, dict[Any, Any]]]) -> Merged[S]:
    """Merge `(source, tree)` layers, farthest ancestor first."""
    merged: Merged[S] = Merged()
    for source, tree in layers:
        _merge_into(merged.tree, tree, source, merged)
    return merged
