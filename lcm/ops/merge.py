"""The `merge=lcm` driver: a three-way merge of decrypted trees, sealed again with current keys.

Values nobody changed keep their ciphertext byte for byte (the core's `seal`
reuses a ciphertext whose plaintext is unchanged at its path), values taken from
the other branch keep theirs. A true conflict keeps our value in the merged
tree and is then marked in the text with Git-style markers around both sides'
*stored* lines, so a secret appears only as ciphertext; plaintext never reaches
the disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lcm.repository.address import Address
from lcm.format.document import META_KEY, Document
from lcm.format.paths import KeyPath, lookup
from lcm.repository.repo import Repo

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
Span = tuple[int, int]
# (lines in the result, lines in the other side's text, our value kept?, a secret inside?)
_Group = tuple[Span, "Span | None", bool, bool]


@dataclass(frozen=True)
class Conflict:
    """Both branches changed the value at `path` in different ways."""

    path: KeyPath
    ours_kept: bool


def _same(a: Any, b: Any) -> bool:
    from lcm.format.values import same_value

    if a is MISSING or b is MISSING:
        return a is b
    return same_value(a, b)


def merge3(base: Any, ours: Any, theirs: Any, path: KeyPath, conflicts: list[Conflict]) -> Any:
    """The merged value at `path` (MISSING when both sides agree it is gone)."""
    if _same(ours, theirs):
        return ours
    if _same(base, ours):
        return theirs
    if _same(base, theirs):
        return ours
    if (
        isinstance(ours, dict)
        and isinstance(theirs, dict)
        and (isinstance(base, dict) or base is MISSING)
    ):
        base_map = base if isinstance(base, dict) else {}
        out: dict[Any, Any] = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            value = merge3(
                base_map.get(key, MISSING),
                ours.get(key, MISSING),
                theirs.get(key, MISSING),
                path + (key,),
                conflicts,
            )
            if value is not MISSING:
                out[key] = value
        return out
    if (
        isinstance(ours, list)
        and isinstance(theirs, list)
        and isinstance(base, list)
        and len(base) == len(ours) == len(theirs)
    ):
        return [
            merge3(b, o, t, path + (i,), conflicts)
            for i, (b, o, t) in enumerate(zip(base, ours, theirs, strict=True))
        ]
    conflicts.append(Conflict(path, ours is not MISSING))
    return ours if ours is not MISSING else theirs


@dataclass
class MergeResult:
    """The merged stored text and the conflicts left in it."""

    text: str
    conflicts: list[Conflict]


def merge_texts(repo: Repo, addr: Address, base: str, ours: str, theirs: str) -> MergeResult:
    """Merge three stored versions of `addr`; each is MAC-verified and decrypted first."""
    from lcm.format.seal import decrypt_tree, seal
    from lcm.format.secretmeta import merge_rotation_meta
    from lcm.format.values import map_leaves
    from lcm.format.writer import render

    keys = repo.keys(addr.tenant)
    docs = [
        Document.parse(t, f"{label} version of {addr}")
        for t, label in ((base, "base"), (ours, "our"), (theirs, "their"))
    ]
    plains = [decrypt_tree(d, keys, addr.place) if d.root is not None else {} for d in docs]
    conflicts: list[Conflict] = []
    merged = merge3(plains[0], plains[1], plains[2], (), conflicts)
    merged = merged if isinstance(merged, dict) else {}

    def reuse(path: KeyPath, value: Any) -> Any:
        for doc, plain in ((docs[1], plains[1]), (docs[2], plains[2])):
            try:
                if _same(lookup(plain, path), value):
                    return lookup(doc.tree, path)
            except (KeyError, TypeError):
                continue
        return value

    meta = merge_rotation_meta(docs[1].meta, docs[2].meta)
    hint = Document("", "merge", None, {**map_leaves(merged, reuse), META_KEY: meta})
    from lcm.validate.secrets import schema_secret_paths

    secret_paths = {p for d in docs for p in d.encrypted_paths()}
    secret_paths.update(schema_secret_paths(repo, addr, merged))
    full = seal(hint, merged, keys, addr.place, repo.manifest.is_secret_key, secret_paths)
    text = render(docs[1] if docs[1].root is not None else None, full)
    if conflicts:
        text = mark_conflicts(text, docs[1], docs[2], conflicts, str(addr))
    return MergeResult(text, conflicts)


def mark_conflicts(
    text: str, ours: Document, theirs: Document, conflicts: list[Conflict], address: str
) -> str:
    """`text` with each conflicting entry wrapped in markers around both sides' stored lines."""
    rendered = Document.parse(text, "merge result")
    ours_lines = text.splitlines()
    groups: list[_Group] = []
    for conflict in conflicts:
        mine = _entry_span(rendered, conflict.path)
        other_doc = theirs if conflict.ours_kept else ours
        other = _entry_span(other_doc, conflict.path)
        secret = any(
            d.nodes_at(conflict.path) is not None
            and any(p[: len(conflict.path)] == conflict.path for p in d.encrypted_paths())
            for d in (rendered, other_doc)
        )
        if mine is None:
            continue
        groups.append((mine, other, conflict.ours_kept, secret))
    for (start, end), other, ours_kept, secret in _merge_overlaps(groups):
        kept = ours_lines[start : end + 1]
        other_doc = theirs if ours_kept else ours
        dropped = other_doc.text.splitlines()[other[0] : other[1] + 1] if other else []
        first, second = (kept, dropped) if ours_kept else (dropped, kept)
        note = (
            f" (lcm: encrypted on both sides; keep one, then `lcm reseal {address}`)"
            if secret
            else ""
        )
        block = [f"<<<<<<< ours{note}", *first, "=======", *second, ">>>>>>> theirs"]
        ours_lines[start : end + 1] = block
    return "\n".join(ours_lines) + "\n"


def _merge_overlaps(groups: list[_Group]) -> list[_Group]:
    """Join conflicts whose line ranges overlap; return them bottom-up for in-place edits."""
    joined: list[_Group] = []
    for span, other, kept, secret in sorted(groups, key=lambda g: g[0]):
        if joined and span[0] <= joined[-1][0][1]:
            (s, e), o, k, sec = joined[-1]
            wider = (min(o[0], other[0]), max(o[1], other[1])) if o and other else (o or other)
            joined[-1] = ((s, max(e, span[1])), wider, k, sec or secret)
        else:
            joined.append((span, other, kept, secret))
    return list(reversed(joined))


def _entry_span(doc: Document, path: KeyPath) -> Span | None:
    """0-based first and last line of the entry (key and value) at `path`."""
    pair = doc.nodes_at(path)
    if pair is None or not path:
        return None
    key_node, value_node = pair
    start = key_node.start_mark.line
    chunk = doc.text[key_node.start_mark.index : value_node.end_mark.index].rstrip()
    return start, start + chunk.count("\n")
