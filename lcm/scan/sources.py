"""Where scanned bytes come from: files and folders, the Git working tree, the index.

File sources never import pygit2; the Git sources import it when called.
Each source yields `Blob`s, or `Unreadable` for a path it could not read.
History is read by `lcm.scan.history`.
"""

from __future__ import annotations

import os

from lcm.scan import filters
from lcm.scan.model import Blob, Unreadable, Unscanned

TYPE_CHECKING = False  # `typing` costs start-up time; annotations are strings anyway
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import pygit2

    Item = Blob | Unreadable | Unscanned


class PathFilter:
    """Decides which paths are skipped: built-in lock/binary files plus the config's globs."""

    def __init__(self, excludes: Iterable[str] = ()) -> None:
        self.excludes = tuple(excludes)

    def skip(self, rel_path: str) -> bool:
        """True when `rel_path` (posix, relative to the scan root) must not be scanned."""
        name = rel_path.rsplit("/", 1)[-1]
        lowered = name.lower()
        if name in filters.PATH_EXCLUDE_NAMES or lowered.endswith(filters.PATH_EXCLUDE_SUFFIXES):
            return True
        if not self.excludes:
            return False
        from fnmatch import fnmatchcase

        return any(fnmatchcase(rel_path, g) or fnmatchcase(name, g) for g in self.excludes)


def is_binary(data: bytes) -> bool:
    """Git's heuristic: a NUL byte in the first 8000 bytes."""
    return b"\0" in data[:8000]


def read_file(path: str, display: str) -> Item | None:
    """One file as a Blob; None when it is binary or too large; Unreadable on OS errors."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(filters.MAX_FILE_BYTES + 1)
    except OSError as err:
        return Unreadable(display, err.strerror or str(err))
    if len(data) > filters.MAX_FILE_BYTES or is_binary(data):
        return None
    return Blob(display, data, local_path=path)


def iter_paths(
    paths: Iterable[str], path_filter: PathFilter, root: str | None = None
) -> Iterator[Item]:
    """Blobs for files and (recursively) folders named by the user."""
    for given in paths:
        if os.path.isdir(given):
            yield from _walk(given, path_filter, root)
        elif os.path.exists(given) or os.path.islink(given):
            if not path_filter.skip(_relative(given, root)):
                item = read_file(given, given)
                if item is not None:
                    yield item
        else:
            yield Unreadable(given, "no such file or directory")


def _relative(path: str, root: str | None) -> str:
    """`path` relative to `root` in posix form (as given when it lies outside `root`)."""
    if root is not None:
        full = os.path.abspath(path)
        if full == root or full.startswith(root.rstrip(os.sep) + os.sep):
            path = os.path.relpath(full, root)
    return path.replace(os.sep, "/")


def _relative_prefix(folder: str, root: str | None) -> str:
    """What `_relative` gives an entry of `folder`, minus the entry's name."""
    if root is not None:
        full = os.path.abspath(folder)
        if full == root or full.startswith(root.rstrip(os.sep) + os.sep):
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            return "" if rel == "." else rel + "/"
    return os.path.join(folder, "").replace(os.sep, "/")


def _walk(top: str, path_filter: PathFilter, root: str | None) -> Iterator[Item]:
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as err:
            yield Unreadable(folder, err.strerror or str(err))
            continue
        subdirs = []
        prefix = _relative_prefix(folder, root)  # computed once per folder, not per file
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in filters.DIR_EXCLUDE_NAMES:
                    subdirs.append(entry.path)
            elif entry.is_file(follow_symlinks=False) and not path_filter.skip(
                prefix + entry.name
            ):
                item = read_file(entry.path, os.path.normpath(entry.path))
                if item is not None:
                    yield item
        stack.extend(reversed(subdirs))


def open_repo(start: str = ".") -> pygit2.Repository:
    """The Git repository containing `start`; LookupError when there is none."""
    import pygit2

    found = pygit2.discover_repository(os.path.abspath(start))
    if found is None:
        raise LookupError(f"{os.path.abspath(start)}: not inside a Git repository")
    repo = pygit2.Repository(found)
    if repo.is_bare:
        raise LookupError(f"{found}: a bare repository has no work tree or index to scan")
    return repo


def iter_worktree(path_filter: PathFilter) -> Iterator[Item]:
    """Tracked and untracked-but-not-ignored files of the current repo (or cwd outside Git)."""
    try:
        repo = open_repo()
    except LookupError:
        yield from _walk(".", path_filter, os.getcwd())
        return
    import pygit2

    workdir = repo.workdir
    names = {entry.path for entry in repo.index}
    for path, flags in repo.status(untracked_files="all").items():
        if flags & pygit2.enums.FileStatus.WT_NEW:
            names.add(path)
        if flags & (pygit2.enums.FileStatus.WT_DELETED | pygit2.enums.FileStatus.INDEX_DELETED):
            names.discard(path)
    cwd = os.getcwd()
    for name in sorted(names):
        full = os.path.join(workdir, name)
        if (
            path_filter.skip(name)
            or not filters.DIR_EXCLUDE_NAMES.isdisjoint(name.split("/")[:-1])
            or not os.path.isfile(full)
            or os.path.islink(full)
        ):
            continue
        item = read_file(full, os.path.relpath(full, cwd))
        if item is not None:
            yield item


def pathspec_matcher(repo: pygit2.Repository, paths: Iterable[str]) -> Callable[[str], bool]:
    """A predicate on repo-relative paths: inside one of `paths` (files or folders), or all."""
    workdir = os.path.realpath(repo.workdir)
    wanted = [os.path.relpath(os.path.realpath(p), workdir).replace(os.sep, "/") for p in paths]
    if not wanted:
        return lambda _name: True
    return lambda name: any(w == "." or name == w or name.startswith(w + "/") for w in wanted)


def iter_staged(paths: Iterable[str], path_filter: PathFilter) -> Iterator[Item]:
    """Index blobs that differ from HEAD: what the next commit would contain."""
    import pygit2

    repo = open_repo()
    index_file = os.environ.get("GIT_INDEX_FILE")
    index = pygit2.Index(index_file) if index_file and os.path.isfile(index_file) else repo.index
    try:
        head_tree = repo.head.peel(pygit2.Commit).tree
    except (pygit2.GitError, KeyError):
        head_tree = None
    wanted = pathspec_matcher(repo, paths)
    cwd = os.path.realpath(os.getcwd())
    workdir = os.path.realpath(repo.workdir)
    for entry in index:
        if entry.mode not in (pygit2.enums.FileMode.BLOB, pygit2.enums.FileMode.BLOB_EXECUTABLE):
            continue
        if not wanted(entry.path) or path_filter.skip(entry.path):
            continue
        if head_tree is not None:
            try:
                if head_tree[entry.path].id == entry.id:
                    continue
            except KeyError:
                pass
        data: bytes = repo[entry.id].data  # type: ignore[attr-defined]
        if len(data) > filters.MAX_FILE_BYTES or is_binary(data):
            continue
        display = os.path.relpath(os.path.join(workdir, entry.path), cwd)
        yield Blob(display, data, local_path=os.path.join(workdir, entry.path))
