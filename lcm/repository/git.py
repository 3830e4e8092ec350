"""The one commit every mutating command makes, through pygit2 (never the git CLI)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, cast

if TYPE_CHECKING:
    import pygit2

from lcm.errors import RepoError

_AUTHOR_RE = re.compile(r"^\s*(.+?)\s*<([^>]+)>\s*$")


def open_git(root: Path) -> "pygit2.Repository":
    import pygit2

    try:
        return pygit2.Repository(str(root))
    except pygit2.GitError:
        found = pygit2.discover_repository(str(root))
        if not found:
            raise RepoError(f"{root}: not inside a Git repository") from None
        return pygit2.Repository(found)


def signature(git: "pygit2.Repository", role: str = "AUTHOR") -> "pygit2.Signature":
    """Who commits: $GIT_<ROLE>_NAME/EMAIL (as git does), else Git config, else
    $LCM_AUTHOR ("Name <email>"), else `lcm <lcm@localhost>`."""
    import pygit2

    name, email = os.environ.get(f"GIT_{role}_NAME"), os.environ.get(f"GIT_{role}_EMAIL")
    if name and email:
        return pygit2.Signature(name, email)
    try:
        return git.default_signature
    except (KeyError, pygit2.GitError):
        pass
    env_author = os.environ.get("LCM_AUTHOR")
    if env_author:
        match = _AUTHOR_RE.match(env_author)
        if match:
            return pygit2.Signature(match.group(1), match.group(2))
        return pygit2.Signature(env_author, "lcm@localhost")
    return pygit2.Signature("lcm", "lcm@localhost")


def commit_message(summary: str, op: str, tenant: str | None, paths: Iterable[str]) -> str:
    trailers = [f"Lcm-Op: {op}"]
    if tenant:
        trailers.append(f"Lcm-Tenant: {tenant}")
    trailers.append(f"Lcm-Paths: {', '.join(sorted(paths))}")
    return f"{summary.strip()}\n\n" + "\n".join(trailers) + "\n"


def check_can_commit(root: Path) -> None:
    """Refuse before writing anything when Git's own locks are held (a running git,
    or a stale lock left by a killed one)."""
    git = open_git(root)
    gitdir = Path(git.path)
    locks = [gitdir / "index.lock"]
    if not git.head_is_detached:
        ref = git.lookup_reference("HEAD").target
        if isinstance(ref, str):
            locks.append(gitdir / f"{ref}.lock")
    for lock in locks:
        if lock.exists():
            raise RepoError(f"{lock} exists: another git process is running, or a crashed one "
                            "left it (remove it if no git is running)")


def commit_paths(root: Path, paths: list[Path], message: str) -> str:
    """Commit exactly `paths` (as they are on disk) on top of HEAD; returns the id.

    The commit's tree is HEAD's tree plus these paths, so anything else the user
    had staged stays staged and out of lcm's commit.
    """
    import pygit2

    git = open_git(root)
    workdir = Path(git.workdir).resolve()
    rels = [p.resolve().relative_to(workdir).as_posix() for p in paths]
    parents = [] if git.head_is_unborn else [git.head.target]
    scratch = pygit2.Index()
    if parents:
        scratch.read_tree(git[parents[0]].peel(pygit2.Commit).tree)
    real = git.index
    real.read()
    for rel in rels:
        full = workdir / rel
        if full.exists():
            oid = git.create_blob_fromdisk(str(full))
            entry = pygit2.IndexEntry(rel, oid, pygit2.enums.FileMode.BLOB)
            scratch.add(entry)
            real.add(entry)
        else:
            for index in (scratch, real):
                try:
                    index.remove(rel)
                except (OSError, pygit2.GitError):
                    pass
    tree = scratch.write_tree(git)
    # Create the commit object first, then move the branch: the ref update is the
    # one step that makes the commit real. Git's index is refreshed last; if that
    # fails (an editor's `git status` holding index.lock), the commit still stands.
    oid = git.create_commit(None, signature(git), signature(git, "COMMITTER"), message, tree,
                            parents)
    if git.head_is_unborn:
        # An unborn HEAD is symbolic: its target is the branch name.
        git.create_reference(cast(str, git.lookup_reference("HEAD").target), oid)
    else:
        git.head.set_target(oid, f"commit: {message.splitlines()[0]}")
    try:
        real.write()
    except (OSError, pygit2.GitError):
        pass
    return str(oid)
