"""Git access through pygit2 (never the git CLI): opening, identities, commit messages
and the check for Git's own locks."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    import pygit2

from lcm.errors import RepoError, one_line

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


def commit_message(summary: str, op: str, tenant: str | None, paths: Iterable[str],
                   extra: Mapping[str, str] | None = None) -> str:
    trailers = [f"Lcm-Op: {op}"]
    if tenant:
        trailers.append(f"Lcm-Tenant: {tenant}")
    trailers.append(f"Lcm-Paths: {', '.join(sorted(paths))}")
    trailers.extend(f"{key}: {value}" for key, value in (extra or {}).items())
    # Git stops a message at NUL; other controls are escaped the same way (lines kept).
    body = "\n".join(one_line(line) for line in summary.strip().split("\n"))
    return f"{body}\n\n" + "\n".join(trailers) + "\n"


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

