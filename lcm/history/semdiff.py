"""Key-level diff of two config trees: added, removed, changed, renamed keys and moved list items.

Secret values enter as `Secret` objects that compare by an opaque token (a keyed
hash of the plaintext, or the ciphertext when no key is at hand), so the engine
never needs, and never shows, a plaintext.

The walks here recurse (a few frames per level): every tree they see was read through
the bounded loader or staged through `check_storable`, both capped at
`lcm.format.loading.MAX_DEPTH` (64) levels, far inside Python's recursion limit.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from lcm.format.paths import KeyPath

ADDED, REMOVED, CHANGED, RENAMED, MOVED = "added", "removed", "changed", "renamed", "moved"


@dataclass(frozen=True)
class Secret:
    """A secret value as the diff sees it: equal tokens mean equal plaintexts."""

    token: str
    fingerprint: str | None
    plaintext: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Change:
    """One key-level difference; `old_path` is set for renames and moves."""

    kind: str
    path: KeyPath
    old: Any = None
    new: Any = None
    old_path: KeyPath | None = None


def canonical(value: Any) -> str:
    """A string that is equal for two values exactly when they are the same YAML value."""
    return json.dumps(_tagged(value), separators=(",", ":"), ensure_ascii=False)


def _tagged(value: Any) -> Any:
    if isinstance(value, Secret):
        return ["secret", value.token]
    if isinstance(value, dict):
        return ["m", sorted([[canonical(k), _tagged(v)] for k, v in value.items()])]
    if isinstance(value, list):
        return ["l", [_tagged(v) for v in value]]
    if value is None or isinstance(value, (bool, int, float, str)):
        return [type(value).__name__, value if not isinstance(value, float) else repr(value)]
    return [type(value).__name__, repr(value)]


def diff(old: Any, new: Any, path: KeyPath = ()) -> list[Change]:
    """All changes that turn `old` into `new`, in document order."""
    if isinstance(old, dict) and isinstance(new, dict):
        return _diff_maps(old, new, path)
    if isinstance(old, list) and isinstance(new, list):
        return _diff_lists(old, new, path)
    if canonical(old) == canonical(new):
        return []
    return [Change(CHANGED, path, old, new)]


def _diff_maps(old: dict[Any, Any], new: dict[Any, Any], path: KeyPath) -> list[Change]:
    changes: list[Change] = []
    removed = [k for k in old if k not in new]
    added = [k for k in new if k not in old]
    renames = _pair_equal(
        [old[k] for k in removed], [new[k] if _renamable(new[k]) else _NEVER for k in added]
    )
    paired_old = {removed[i] for i in renames}
    paired_new = {added[j]: removed[i] for i, j in renames.items()}
    for key in old:
        if key in new:
            changes.extend(diff(old[key], new[key], path + (key,)))
        elif key not in paired_old:
            changes.append(Change(REMOVED, path + (key,), old=old[key]))
    for key in added:
        if key in paired_new:
            was = paired_new[key]
            changes.append(Change(RENAMED, path + (key,), old[was], new[key], path + (was,)))
        else:
            changes.append(Change(ADDED, path + (key,), new=new[key]))
    return changes


def _diff_lists(old: list[Any], new: list[Any], path: KeyPath) -> list[Change]:
    """Equal items that only shifted are no change; equal items that left one place and
    arrived at another are moves; what remains of a replaced run is edited in place."""
    a = [canonical(v) for v in old]
    b = [canonical(v) for v in new]
    blocks = [
        (list(range(i1, i2)), list(range(j1, j2)))
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        if op != "equal"
    ]
    gone = [i for olds, _ in blocks for i in olds]
    came = [j for _, news in blocks for j in news]
    moves = {
        came[j]: gone[i]
        for i, j in _pair_equal([old[i] for i in gone], [new[j] for j in came]).items()
    }
    moved_old = set(moves.values())
    changes: list[Change] = []
    for olds, news in blocks:
        olds = [i for i in olds if i not in moved_old]
        news = [j for j in news if j not in moves]
        for i, j in zip(olds, news, strict=False):  # the longer side's rest is added/removed
            changes.extend(diff(old[i], new[j], path + (j,)))
        changes.extend(Change(REMOVED, path + (i,), old=old[i]) for i in olds[len(news) :])
        changes.extend(Change(ADDED, path + (j,), new=new[j]) for j in news[len(olds) :])
    changes.extend(
        Change(MOVED, path + (j,), old[i], new[j], path + (i,)) for j, i in sorted(moves.items())
    )
    return changes


_NEVER = object()


def _renamable(value: Any) -> bool:
    """Only distinctive values mark a rename; two keys both set to `true` are no evidence."""
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, (dict, list, str)):
        return len(value) > 0
    return True


def _pair_equal(olds: list[Any], news: list[Any]) -> dict[int, int]:
    """Pair each old value with an unused equal new value: {old index: new index}."""
    waiting: dict[str, list[int]] = {}
    for j, value in enumerate(news):
        if value is _NEVER:
            continue
        waiting.setdefault(canonical(value), []).append(j)
    pairs: dict[int, int] = {}
    for i, value in enumerate(olds):
        slots = waiting.get(canonical(value))
        if slots:
            pairs[i] = slots.pop(0)
    return pairs
