"""The crash-safe write every mutating command ends with.

The new state is built as Git objects first (blobs, tree, commit); a journal in
`.lcm/journal.json` then names the commit and every file it changes; the branch
ref moves as the one atomic step; only then is the working tree updated (each file
through a temp file in `.lcm/tmp/` and a rename), the index refreshed, and the
journal removed. A process killed anywhere leaves either the old commit (the ref
never moved: the working tree was not touched) or the new one with a journal that
the next lcm command finishes (`recover`). With `--no-commit` the journal makes the
working-tree writes all-or-nothing the same way.

Callers hold the repository lock (`Repo.locked()`).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from lcm.errors import RepoError
from lcm.fsutil import atomic_write, fsync_dir, fsync_paths, sweep_stale_temps
from lcm.repository.git import check_can_commit, open_git, signature

if TYPE_CHECKING:
    import pygit2

JOURNAL = Path(".lcm") / "journal.json"
TMP_DIR = Path(".lcm") / "tmp"


@dataclass(frozen=True)
class Written:
    """What a write did: the new commit (None with --no-commit) and the paths it changed."""

    commit_id: str | None
    paths: list[str]


def journal_pending(root: Path) -> bool:
    """True when an interrupted write waits to be finished, or a killed one left temp
    files (a stat and a listdir)."""
    if (root / JOURNAL).exists():
        return True
    try:
        return any(True for _ in os.scandir(root / TMP_DIR))
    except OSError:
        return False


def sweep_temp_files(root: Path, relpaths: Iterable[str] = ()) -> None:
    """Remove temp files killed writes left in `.lcm/tmp/`, and in the folders of
    `relpaths` those that lcm versions writing beside the file left (call under the lock)."""
    sweep_stale_temps(root / TMP_DIR)
    for folder in sorted({(root / rel).parent for rel in relpaths}):
        sweep_stale_temps(folder)


def write_files(root: Path, files: Mapping[str, str | None], message: str | None) -> Written:
    """Commit `files` ({path relative to `root`: new text, or None to delete}) on top of
    HEAD and update the working tree; with `message` None, only the working tree."""
    if not files:
        return Written(None, [])
    git = open_git(root)
    prefix = _prefix(root, git)
    if message is not None:
        check_can_commit(root)
    sweep_temp_files(root, files)
    data = {rel: None if text is None else text.encode("utf-8") for rel, text in files.items()}
    oids = {rel: None if raw is None else str(git.create_blob(raw)) for rel, raw in data.items()}
    entry: dict[str, Any] = {"version": 1, "ref": None, "old": None, "new": None, "files": oids}
    if message is not None:
        ref, old = _branch(git)
        tree = _tree_with(git, old, {prefix + rel: oid for rel, oid in oids.items()})
        parents = [old] if old else []
        new = git.create_commit(None, signature(git), signature(git, "COMMITTER"), message,
                                tree, parents)
        entry.update(ref=ref, old=old, new=str(new))
    _write_journal(root, entry)
    if message is not None:
        _move_ref(git, entry["ref"], entry["old"], entry["new"], message)
    _finish(root, git, prefix, entry, data)
    return Written(entry["new"], sorted(files))


def recover(root: Path) -> str | None:
    """Finish (or drop) a write a killed process left half done; returns what was done.

    Call under the repository lock. The ref decides: at the journal's new commit, the
    working tree is rolled forward; still at the old one, nothing was touched and the
    journal is dropped; anywhere else, someone moved the branch since, and the user is
    told in one line what to check.
    """
    path = root / JOURNAL
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        files = entry["files"]
        if not isinstance(files, dict):
            raise ValueError
    except FileNotFoundError:
        sweep_temp_files(root)
        return None
    except (OSError, ValueError, KeyError, TypeError):
        raise RepoError(f"{path}: unreadable journal of an interrupted lcm write; check "
                        f"`git status` and remove the file") from None
    git = open_git(root)
    sweep_temp_files(root, files)
    _clear_stale_git_locks(git, path, entry)
    if entry.get("new"):
        now = _target(git, entry["ref"])
        if now == entry["old"] and now != entry["new"]:
            _drop_journal(root)
            return "dropped"
        if now != entry["new"]:
            raise RepoError(
                f"an interrupted lcm write (commit {str(entry['new'])[:10]}) cannot be finished: "
                f"{entry['ref']} has moved since; check `git status`, then remove {JOURNAL}")
    _finish(root, git, _prefix(root, git), entry)
    return "finished"


# ---- steps -------------------------------------------------------------------------


def _clear_stale_git_locks(git: pygit2.Repository, journal: Path, entry: dict[str, Any]) -> None:
    """Remove the ref and index locks a killed lcm left while moving the ref or refreshing
    the index: the journal proves that lcm was writing, and the lcm lock (held here) that
    it is dead; a lock no older than the journal was taken by that write."""
    gitdir = Path(git.path)
    since = journal.stat().st_mtime
    candidates = [gitdir / "index.lock"]
    if entry.get("ref"):
        candidates.append(gitdir / f"{entry['ref']}.lock")
    for lock in candidates:
        with contextlib.suppress(OSError):
            if lock.stat().st_mtime >= since:
                lock.unlink()


def _prefix(root: Path, git: pygit2.Repository) -> str:
    """Where the lcm root sits in the Git work tree ("" or "sub/dir/")."""
    top = Path(git.workdir).resolve()
    rel = Path(root).resolve().relative_to(top).as_posix()
    return "" if rel in ("", ".") else rel + "/"


def _branch(git: pygit2.Repository) -> tuple[str, str | None]:
    """The ref a commit moves (the branch HEAD names, or HEAD when detached) and its target."""
    head = git.lookup_reference("HEAD")
    name = head.target if isinstance(head.target, str) else "HEAD"
    return name, _target(git, name)


def _target(git: pygit2.Repository, ref: str) -> str | None:
    import pygit2

    try:
        return str(git.lookup_reference(ref).resolve().target)
    except (KeyError, pygit2.GitError):
        return None


def _tree_with(git: pygit2.Repository, base: str | None, oids: Mapping[str, str | None]) -> Any:
    """The tree of commit `base` with `oids` ({git path: blob id or None}) applied."""
    import pygit2

    scratch = pygit2.Index()
    if base:
        scratch.read_tree(git[base].peel(pygit2.Commit).tree)
    for rel, oid in oids.items():
        if oid is None:
            with contextlib.suppress(OSError, pygit2.GitError):
                scratch.remove(rel)
        else:
            scratch.add(pygit2.IndexEntry(rel, pygit2.Oid(hex=oid), pygit2.enums.FileMode.BLOB))
    return scratch.write_tree(git)


def _write_journal(root: Path, entry: dict[str, Any]) -> None:
    atomic_write(root / JOURNAL, json.dumps(entry, indent=1) + "\n", tmp_dir=root / TMP_DIR)


def _drop_journal(root: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (root / JOURNAL).unlink()
    fsync_dir(root / JOURNAL.parent)


def _move_ref(git: pygit2.Repository, ref: str, old: str | None, new: str, message: str) -> None:
    """Point `ref` at `new`, refusing when it no longer points at `old`."""
    import pygit2

    if _target(git, ref) != old:
        raise RepoError(f"{ref} moved while lcm was writing (another git command?); "
                        "nothing was changed")
    log = f"commit: {message.splitlines()[0]}" if message else "lcm"
    try:
        if old is None:
            git.create_reference(ref, pygit2.Oid(hex=new))
        elif ref == "HEAD":
            git.set_head(pygit2.Oid(hex=new))
        else:
            git.lookup_reference(ref).set_target(pygit2.Oid(hex=new), log)
    except (pygit2.GitError, OSError) as err:
        raise RepoError(f"could not move {ref}: {err}; nothing was changed") from None


def _finish(root: Path, git: pygit2.Repository, prefix: str, entry: dict[str, Any],
            known: Mapping[str, bytes | None] | None = None) -> None:
    """Bring the working tree (and, after a commit, the index) to the journal's files
    (`known`: their contents, when the caller has them; else read from the blobs)."""
    import pygit2

    files: dict[str, str | None] = entry["files"]
    tmp = root / TMP_DIR
    written: list[Path] = []
    folders: set[Path] = set()
    for rel, oid in files.items():
        path = root / rel
        if oid is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                folders.add(path.parent)
            continue
        data = known.get(rel) if known is not None else None
        if data is None:
            data = git[oid].peel(pygit2.Blob).data
        if _same_file(path, data):
            continue
        # Durable in one pass below, before the journal goes: until then a crash is
        # finished from the blobs by the next command.
        atomic_write(path, data, tmp_dir=tmp, sync=False, sweep=False)  # swept at the start
        written.append(path)
        folders.add(path.parent)
    fsync_paths(written, folders)
    if entry.get("new"):
        _refresh_index(git, prefix, files)
    _drop_journal(root)


def _same_file(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def _refresh_index(git: pygit2.Repository, prefix: str, files: Mapping[str, str | None]) -> None:
    """Record the written files in Git's index, so `git status` is clean; a locked index
    (an editor's `git status` running) leaves it as it was: the commit stands anyway."""
    import pygit2

    try:
        index = git.index
        index.read()
        for rel, oid in files.items():
            if oid is None:
                with contextlib.suppress(OSError, pygit2.GitError):
                    index.remove(prefix + rel)
            else:
                index.add(prefix + rel)
        index.write()
    except (OSError, pygit2.GitError):
        pass

