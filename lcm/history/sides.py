"""What history commands compare: a scope (file, env, tenant) and a side (commit or worktree)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lcm.repository.address import NAME_SEGMENT, Address
from lcm.format.document import Document
from lcm.errors import RepoError
from lcm.repository.repo import CONFIG_DIR, Repo

if TYPE_CHECKING:
    import pygit2

_HEX = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class Scope:
    """A file, an env of a tenant, or a whole tenant, as a path under the repository root."""

    relpath: str
    label: str
    is_file: bool

    def covers(self, relpath: str) -> bool:
        """True when the config file at `relpath` lies in this scope."""
        return relpath == self.relpath or relpath.startswith(self.relpath.rstrip("/") + "/")


def scope_of(repo: Repo, text: str) -> Scope:
    """A checked Scope from `TENANT`, `TENANT/ENV`, `TENANT/ENV/NAME` or a config file path."""
    parts = tuple(text.strip("/").split("/"))
    is_path = text.endswith((".yaml", ".yml")) or os.path.isfile(text)
    if not is_path and 1 <= len(parts) <= 2 and all(NAME_SEGMENT.match(p) for p in parts):
        repo.manifest.require_tenant(parts[0])
        if len(parts) == 2:
            repo.manifest.env_chain(parts[1])
        return Scope("/".join((CONFIG_DIR, *parts)), "/".join(parts), False)
    addr = repo.address(text)
    return Scope(addr.relpath, str(addr), True)


def address_of(relpath: str) -> Address | None:
    """The address of `config/TENANT/ENV/NAME.yaml`, or None for any other path."""
    return Address.from_relpath(relpath)


class Side:
    """One side of a comparison: config file texts keyed by repository-relative path."""

    label: str

    def files(self) -> dict[str, str]:
        """Every config file as {relpath: blob id}."""
        raise NotImplementedError

    def text(self, relpath: str) -> str | None:
        """The stored text of one file, or None when it is absent."""
        raise NotImplementedError

    def document(self, relpath: str) -> Document | None:
        """The parsed stored file, or None when it is absent (parsed once per side)."""
        cache: dict[str, Document | None] = self.__dict__.setdefault("_documents", {})
        if relpath not in cache:
            text = self.text(relpath)
            cache[relpath] = None if text is None else Document.parse(text, f"{self.label}:{relpath}")
        return cache[relpath]


class CommitSide(Side):
    """The config files of one commit (`prefix`: where the lcm root sits in the Git tree)."""

    def __init__(self, commit: pygit2.Commit, label: str, prefix: str = "") -> None:
        self.commit = commit
        self.label = label
        self.prefix = prefix

    def files(self) -> dict[str, str]:
        import pygit2

        try:
            top = self.commit.tree[self.prefix + CONFIG_DIR]
        except KeyError:
            return {}
        return dict(_blobs(top, CONFIG_DIR)) if isinstance(top, pygit2.Tree) else {}

    def text(self, relpath: str) -> str | None:
        import pygit2

        try:
            obj = self.commit.tree[self.prefix + relpath]
        except KeyError:
            return None
        return obj.data.decode("utf-8") if isinstance(obj, pygit2.Blob) else None


class WorkSide(Side):
    """The config files as they are on disk now."""

    label = "working tree"

    def __init__(self, root: Path) -> None:
        self.root = root

    def files(self) -> dict[str, str]:
        from lcm.repository.repo import blob_id

        base = self.root / CONFIG_DIR
        if not base.is_dir():
            return {}
        return {
            p.relative_to(self.root).as_posix(): blob_id(p.read_bytes())
            for p in sorted(base.rglob("*.yaml"))
            if p.is_file()
        }

    def text(self, relpath: str) -> str | None:
        try:
            return (self.root / relpath).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None


class OverlaySide(Side):
    """Another side with some files replaced ({relpath: text, or None when removed}):
    the staged state of a change-set over the working tree."""

    def __init__(self, base: Side, texts: dict[str, str | None], label: str) -> None:
        self.base = base
        self.texts = texts
        self.label = label

    def files(self) -> dict[str, str]:
        from lcm.repository.repo import blob_id

        files = self.base.files()
        for rel, text in self.texts.items():
            if text is None:
                files.pop(rel, None)
            elif rel.startswith(CONFIG_DIR + "/"):
                files[rel] = blob_id(text.encode("utf-8"))
        return files

    def text(self, relpath: str) -> str | None:
        if relpath in self.texts:
            return self.texts[relpath]
        return self.base.text(relpath)


def _blobs(tree: pygit2.Tree, prefix: str) -> Iterator[tuple[str, str]]:
    import pygit2

    for entry in tree:
        path = f"{prefix}/{entry.name}"
        if isinstance(entry, pygit2.Tree):
            yield from _blobs(entry, path)
        elif path.endswith(".yaml") and entry.filemode != pygit2.enums.FileMode.LINK:
            yield path, str(entry.id)


def commit_side(repo_root: Path, git: pygit2.Repository, rev: str) -> CommitSide:
    """The side for a revision; an unknown revision is a RepoError (exit 3)."""
    prefix = git_relpath(repo_root, git, "")
    return CommitSide(resolve_commit(git, rev), rev, prefix)


def resolve_commit(git: pygit2.Repository, rev: str) -> pygit2.Commit:
    """The commit a revision names; RepoError when there is none."""
    import pygit2

    try:
        return git.revparse_single(rev).peel(pygit2.Commit)
    except (KeyError, ValueError, pygit2.GitError):
        raise RepoError(f"unknown revision {rev!r}") from None


def is_revision(git: pygit2.Repository, text: str) -> bool:
    """True when `text` names a commit."""
    try:
        resolve_commit(git, text)
    except RepoError:
        return False
    return True


class EmptySide(Side):
    """No files at all: the old side of a repository without commits."""

    def __init__(self, label: str) -> None:
        self.label = label

    def files(self) -> dict[str, str]:
        return {}

    def text(self, relpath: str) -> str | None:
        return None


def git_relpath(repo_root: Path, git: pygit2.Repository, relpath: str) -> str:
    """`relpath` (relative to the lcm root) as a path relative to the Git worktree."""
    top = Path(git.workdir).resolve()
    prefix = Path(repo_root).resolve().relative_to(top).as_posix()
    return relpath if prefix in ("", ".") else f"{prefix}/{relpath}"  # "" gives "prefix/"


def sides_from_args(repo: Repo, args: list[str]) -> tuple[Side, Side, list[Scope]]:
    """Split `lcm diff`'s `[REV [REV]] [ADDR…]` into the old side, the new side and the scopes.

    Leading tokens Git resolves to a commit are revisions, unless they start with
    a tenant name or end in `.yaml`; a hex token that resolves to nothing is an
    unknown revision (exit 3), not an unknown tenant.
    """
    from lcm.repository.git import open_git

    git = open_git(repo.root)
    tenants = repo.manifest.tenants
    rest = list(args)
    revs: list[str] = []
    while (
        rest
        and len(revs) < 2
        and rest[0].split("/")[0] not in tenants
        and not rest[0].endswith((".yaml", ".yml"))
        and is_revision(git, rest[0])
    ):
        revs.append(rest.pop(0))
    for token in rest:
        if _HEX.match(token) and token.split("/")[0] not in tenants:
            raise RepoError(f"unknown revision {token!r}")
    scopes = [scope_of(repo, a) for a in rest]
    if len(revs) == 2:
        return commit_side(repo.root, git, revs[0]), commit_side(repo.root, git, revs[1]), scopes
    if revs:
        return commit_side(repo.root, git, revs[0]), WorkSide(repo.root), scopes
    old: Side = (
        EmptySide("(no commits)") if git.head_is_unborn else commit_side(repo.root, git, "HEAD")
    )
    return old, WorkSide(repo.root), scopes
