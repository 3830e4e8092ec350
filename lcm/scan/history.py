"""`--history`: the lines each commit added, read through pygit2 without a patch per change.

A commit's changes come from a tree-to-tree diff, which compares object ids and
reads no file content. Each distinct new blob is then read once and asked whether
any rule's regex could match in it (`may_match`, a superset of what a scan of its
added lines can find); the verdict is cached by blob id. Only for a blob that may
match is the patch computed and its added lines yielded as the fragment the runner
scans, exactly as a full diff would give them (a new file is yielded whole). The
other changes are counted (`Unscanned`), so `scanned` still counts file changes.
On a history without secrets this skips libgit2's line diffing, its binary check
and the Python objects of every diff line, which were most of the time.
"""

from __future__ import annotations

from lcm.scan import filters
from lcm.scan.model import Blob, Unscanned
from lcm.scan.sources import PathFilter, is_binary, open_repo, pathspec_matcher

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import pygit2

# Tree entry modes whose blob is file content: regular, executable, symbolic link.
_CONTENT_MODES = frozenset({0o100644, 0o100755, 0o120000})
# Verdicts cached per blob id; cleared past this many so a huge history stays in bounded memory.
_MAX_CACHED_VERDICTS = 500_000
_SKIP, _NOTHING, _SCAN = 0, 1, 2


def iter_history(
    since: str | None,
    paths: Iterable[str],
    path_filter: PathFilter,
    may_match: Callable[[bytes], bool],
) -> Iterator[Blob | Unscanned]:
    """The added lines of every commit reachable from HEAD (not from `since`), oldest first."""
    import pygit2

    repo = open_repo()
    try:
        head = repo.head.target
    except pygit2.GitError:
        return
    walker = repo.walk(head, pygit2.enums.SortMode.TOPOLOGICAL | pygit2.enums.SortMode.REVERSE)
    if since is not None:
        try:
            walker.hide(repo.revparse_single(since).peel(pygit2.Commit).id)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            raise LookupError(f"--since {since}: unknown revision") from None
    wanted = pathspec_matcher(repo, paths)
    verdicts: dict[pygit2.Oid, int] = {}
    path_wanted: dict[str, bool] = {}  # the same paths change again and again
    unscanned = 0
    no_content_check = pygit2.enums.DiffOption.SKIP_BINARY_CHECK  # binary is judged below
    previous: tuple[pygit2.Oid | None, pygit2.Tree | None] = (None, None)
    for commit in walker:
        parent_ids = commit.parent_ids
        tree = commit.tree
        if len(parent_ids) > 1:  # a merge's changes were scanned in the commits it merges
            previous = (commit.id, tree)
            continue
        # Walking oldest first, the parent is usually the commit just seen: reuse its tree.
        base = previous[1] if parent_ids and previous[0] == parent_ids[0] else None
        if base is None and parent_ids:
            base = _tree_of(repo, parent_ids[0])
        if base is None:  # a root commit, or a parent missing from a shallow clone
            diff = tree.diff_to_tree(flags=no_content_check, swap=True)
        else:
            diff = base.diff_to_tree(tree, flags=no_content_check)
        previous = (commit.id, tree)
        commit_id = str(commit.id)
        for delta in diff.deltas:
            new = delta.new_file
            path = new.path
            keep = path_wanted.get(path)
            if keep is None:
                keep = path_wanted[path] = wanted(path) and not path_filter.skip(path)
            if not keep or new.mode not in _CONTENT_MODES:
                continue
            blob_id = new.id
            verdict = verdicts.get(blob_id)
            if verdict is None:
                if len(verdicts) >= _MAX_CACHED_VERDICTS:
                    verdicts.clear()
                verdict = verdicts[blob_id] = _verdict(_blob_data(repo, blob_id), may_match)
            if verdict == _NOTHING:
                unscanned += 1
            elif verdict == _SCAN:
                fragment = _added_lines(repo, delta, commit_id)
                if fragment is not None:
                    yield fragment
    if unscanned:
        yield Unscanned(unscanned)


def _tree_of(repo: pygit2.Repository, commit_id: pygit2.Oid) -> pygit2.Tree | None:
    """The tree of a commit, or None when the commit is not in the object database."""
    import pygit2

    try:
        commit = repo[commit_id]
    except KeyError:
        return None
    return commit.tree if isinstance(commit, pygit2.Commit) else None


def _blob_data(repo: pygit2.Repository, blob_id: pygit2.Oid) -> bytes | None:
    """A blob's content, or None when it is missing (a partial clone fetches blobs lazily)."""
    try:
        return repo[blob_id].data  # type: ignore[attr-defined,no-any-return]
    except KeyError:
        return None


def _verdict(data: bytes | None, may_match: Callable[[bytes], bool]) -> int:
    """Skip missing, binary and oversized content; otherwise scan only if some rule may match."""
    if data is None or len(data) > filters.MAX_FILE_BYTES or is_binary(data):
        return _SKIP
    return _SCAN if may_match(data) else _NOTHING


def _added_lines(repo: pygit2.Repository, delta: pygit2.DiffDelta, commit: str) -> Blob | None:
    """The lines one change added, joined, with their line numbers in the new file."""
    import pygit2

    path = delta.new_file.path
    new = _blob_data(repo, delta.new_file.id) or b""
    old = None
    if delta.status != pygit2.enums.DeltaStatus.ADDED:
        old = _blob_data(repo, delta.old_file.id)
    if old is None:  # a new file (or an old one we cannot read): every line is added
        return Blob(path, new, commit=commit) if new else None
    patch = pygit2.Patch.create_from(old, new, context_lines=0)
    chunks: list[bytes] = []
    line_map: list[int] = []
    for hunk in patch.hunks:
        for line in hunk.lines:
            if line.origin == "+":
                raw = line.raw_content
                chunks.append(raw if raw.endswith(b"\n") else raw + b"\n")
                line_map.append(line.new_lineno)
    if not chunks:
        return None
    return Blob(path, b"".join(chunks), commit=commit, line_map=line_map)
