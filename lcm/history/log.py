"""Commits that touched a path (a file, an env folder or a tenant folder), newest first.

The walk compares the tree-entry id at the path with each parent's instead of
diffing whole trees, and stops once it has `limit` commits, so its cost depends
on how often the path changes, not on how long the history is.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pygit2


@dataclass(frozen=True)
class HistoryEntry:
    """One commit that changed something under the watched path."""

    id: str
    author: str
    email: str
    date: str
    summary: str
    message: str
    trailers: dict[str, str]
    files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stable `-o json` form."""
        return asdict(self)


def entry_id(tree: pygit2.Tree, path: str) -> pygit2.Oid | None:
    """Id of the blob or tree at `path` in `tree`, or None when it is absent."""
    try:
        return tree[path].id
    except KeyError:
        return None


def walk(
    repo: pygit2.Repository, path: str, limit: int | None, start: str = "HEAD"
) -> Iterator[HistoryEntry]:
    """Yield up to `limit` commits reachable from `start` whose content at `path` changed."""
    import pygit2

    try:
        tip = repo.revparse_single(start).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        return
    found = 0
    for commit in newest_first(tip):
        if limit is not None and found >= limit:
            return
        mine = entry_id(commit.tree, path)
        parents = [entry_id(p.tree, path) for p in commit.parents]
        # A merge that kept one parent's version did not change the path itself.
        if (mine in parents) if parents else (mine is None):
            continue
        found += 1
        before = commit.parents[0].tree if commit.parents else None
        yield _entry(commit, changed_files(before, commit.tree, path))


def newest_first(tip: pygit2.Commit) -> Iterator[pygit2.Commit]:
    """Commits reachable from `tip`, newest commit time first, loaded only as they are reached.

    libgit2's time-sorted revwalk reads the whole graph before yielding, which
    would make `--limit` cost grow with the history; a heap keeps it incremental.
    """
    heap: list[tuple[int, int, Any]] = [(-tip.commit_time, 0, tip)]
    seen = {tip.id}
    order = 1
    while heap:
        _, _, commit = heapq.heappop(heap)
        yield commit
        for parent in commit.parents:
            if parent.id not in seen:
                seen.add(parent.id)
                heapq.heappush(heap, (-parent.commit_time, order, parent))
                order += 1


def changed_files(old: pygit2.Tree | None, new: pygit2.Tree, path: str) -> list[str]:
    """Repository paths of the files under `path` whose blob differs between two trees."""
    out: list[str] = []
    _compare(_get(old, path), _get(new, path), path, out)
    return sorted(out)


def _compare(a: Any, b: Any, prefix: str, out: list[str]) -> None:
    """Collect paths of blobs that differ between two tree objects (recursing on trees)."""
    import pygit2

    if a is not None and b is not None and a.id == b.id:
        return
    a_tree = a if isinstance(a, pygit2.Tree) else None
    b_tree = b if isinstance(b, pygit2.Tree) else None
    if a_tree is None and b_tree is None:
        out.append(prefix)
        return
    if (a is not None and a_tree is None) or (b is not None and b_tree is None):
        out.append(prefix)
    names = {str(e.name) for e in a_tree or ()} | {str(e.name) for e in b_tree or ()}
    for name in names:
        child = f"{prefix}/{name}" if prefix else name
        _compare(_get(a_tree, name), _get(b_tree, name), child, out)


def _get(tree: Any, name: str) -> Any:
    """The object at `name` (a path) in `tree`, the tree itself for "", or None."""
    if tree is None:
        return None
    if not name:
        return tree
    try:
        return tree[name]
    except KeyError:
        return None


def _entry(commit: pygit2.Commit, files: list[str]) -> HistoryEntry:
    sig = commit.author
    when = datetime.fromtimestamp(sig.time, timezone(timedelta(minutes=sig.offset)))
    try:
        trailers = {
            k: v for k, v in commit.message_trailers.items() if k.lower().startswith("lcm-")
        }
    except Exception:  # libgit2 rejects some malformed trailer blocks; they are optional
        trailers = {}
    message = commit.message
    return HistoryEntry(
        id=str(commit.id),
        author=sig.name,
        email=sig.email,
        date=when.isoformat(),
        summary=message.splitlines()[0] if message else "",
        message=message.rstrip("\n"),
        trailers=trailers,
        files=files,
    )
