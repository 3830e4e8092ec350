"""What an export or exec publishes: the effective config of each selected file, decrypted,
with the previous values of rotated secrets, and the Git state it came from."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lcm.clock import parse_time
from lcm.errors import RepoError, UsageError
from lcm.format.paths import KeyPath, format_path, iter_leaves
from lcm.ops.flatten import FlatValue, flatten, scalar_text
from lcm.repository.address import NAME_SEGMENT, Address
from lcm.repository.repo import Repo

PREVIOUS_SUFFIX = "_previous"


@dataclass
class SourceFile:
    """One config file's effective, decrypted tree; `secrets` are the paths holding secrets."""

    name: str
    tree: dict[Any, Any]
    secrets: set[KeyPath] = field(default_factory=set)
    previous_until: list[str] = field(default_factory=list)  # ends of the published windows


@dataclass
class Source:
    """The selected files of one tenant/env, and the commit and tree state they came from."""

    repo_id: str
    tenant: str
    env: str
    files: list[SourceFile]
    commit: str | None
    clean: bool

    @property
    def label(self) -> str:
        return f"{self.tenant}/{self.env}"

    def flat(self, prefix: str = "") -> dict[str, FlatValue]:
        """Every file flattened by the one rule (lcm.ops.flatten)."""
        return flatten([(f.name, (), f.tree) for f in self.files], prefix)

    def secret_names(self, flat: dict[str, FlatValue]) -> set[str]:
        secret = {(f.name, p) for f in self.files for p in f.secrets}
        return {name for name, v in flat.items() if (v.file, v.path) in secret}

    def key_names(self) -> dict[str, list[str]]:
        """Every file's keys as audit entries name them (`inference:llm.api_key`)."""
        return {f.name: [f"{f.name}:{format_path(p)}" for p in leaf_paths(f.tree)]
                for f in self.files}

    def expires(self) -> str | None:
        """When the first published previous value's window ends (this export then
        changes without any file changing), or None."""
        ends = [until for f in self.files for until in f.previous_until]
        return min(ends, key=parse_time) if ends else None

    def describe_state(self) -> str:
        return f"{(self.commit or 'no commit')[:12]}{'' if self.clean else ' + uncommitted changes'}"


def parse_env(repo: Repo, text: str) -> tuple[str, str]:
    """`TENANT/ENV` checked against the manifest."""
    parts = text.strip("/").split("/")
    if len(parts) != 2 or not all(NAME_SEGMENT.match(p) for p in parts):
        raise UsageError(f"{text!r}: expected TENANT/ENV (e.g. acme/production)")
    repo.manifest.require_tenant(parts[0])
    repo.manifest.env_chain(parts[1])
    return parts[0], parts[1]


def collect(repo: Repo, tenant: str, env: str, names: list[str] | tuple[str, ...] = ()) -> Source:
    """The effective config of every file of `tenant/env` (or only `names`), decrypted and
    verified; each file's MAC must check (an unverifiable file is an error, never exported)."""
    known = repo.config_names(tenant, env)
    for name in names:
        if name not in known:
            raise RepoError(f"{tenant}/{env}/{name}: no such config file in {env} or its parents")
    chosen = list(dict.fromkeys(names)) if names else known
    if not chosen:
        raise RepoError(f"{tenant}/{env}: no config files to publish")
    files = [_file(repo, tenant, env, name) for name in chosen]
    commit, clean = git_state(repo, tenant, env)
    return Source(repo.manifest.repo_id, tenant, env, files, commit, clean)


def _file(repo: Repo, tenant: str, env: str, name: str) -> SourceFile:
    eff = repo.resolve(tenant, env, name)
    chain = [Address(tenant, e, name) for e in repo.manifest.env_chain(env)]
    if not eff.verified:  # resolve swallowed a key error: raise it
        for addr in chain:
            if repo.read_document(addr) is not None:
                repo.verify(addr)
    tree: dict[Any, Any] = eff.to_dict(reveal=True)
    secrets = set(eff.secret_paths())
    windows = repo.previous_windows(Address(tenant, env, name))
    for path, (value, _until) in windows.items():
        secrets.add(_add_previous(tree, eff.provenance(path) or chain[-1], path, value))
    return SourceFile(name, tree, secrets, [until for _value, until in windows.values()])


def _add_previous(tree: dict[Any, Any], addr: Address, path: KeyPath, value: Any) -> KeyPath:
    """Put a previous value beside its key as `<key>_previous`; returns that path."""
    if not path or not isinstance(path[-1], str):
        raise RepoError(f"{addr}: {format_path(path)}: the previous value of a list item cannot"
                        " be published; rotate the list's parent key instead")
    parent: Any = tree
    for segment in path[:-1]:
        parent = parent[segment]
    key = path[-1] + PREVIOUS_SUFFIX
    if key in parent:
        raise RepoError(f"{addr}: {format_path(path[:-1] + (key,))} exists, so the previous value"
                        f" of {format_path(path)} has no name to be published under")
    parent[key] = value
    return path[:-1] + (key,)


def git_state(repo: Repo, tenant: str, env: str) -> tuple[str | None, bool]:
    """HEAD's commit id, and whether the files this export reads match it (manifest, the
    tenant's key file, its config files of the env chain)."""
    from pathlib import Path

    from lcm.repository.git import open_git

    git = open_git(repo.root)
    commit = None if git.head_is_unborn else str(git.head.target)
    workdir = Path(git.workdir or repo.root).resolve()
    base = repo.root.resolve().relative_to(workdir).as_posix()
    rel = (lambda p: p) if base == "." else (lambda p: f"{base}/{p}")
    exact = {rel(".lcm.yaml"), rel(f".lcm/keys/{tenant}.yaml")}
    folders = tuple(rel(f"config/{tenant}/{e}/") for e in repo.manifest.env_chain(env))
    dirty = any(path in exact or path.startswith(folders)
                for path in git.status(untracked_files="all", ignored=False))
    return commit, not dirty


def jsonable(tree: Any, where: str) -> Any:
    """A copy that JSON (and Vault KV) hold exactly: keys as strings (two keys that give one
    string are an error), non-finite floats as YAML's `.inf`/`-.inf`/`.nan` strings."""
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            text = key if isinstance(key, str) else scalar_text(key)
            if text in out:
                raise RepoError(f"{where}: keys {key!r} and {text!r} are one key in JSON")
            out[text] = jsonable(value, where)
        return out
    if isinstance(tree, list):
        return [jsonable(v, where) for v in tree]
    if isinstance(tree, float) and not math.isfinite(tree):
        return scalar_text(tree)
    return tree


def json_path(tree: Any, path: KeyPath) -> KeyPath:
    """`path` of `tree` as it reads in `jsonable(tree)` (map keys as strings)."""
    out: list[Any] = []
    node = tree
    for segment in path:
        out.append(segment if isinstance(segment, str) or not isinstance(node, dict)
                   else scalar_text(segment))
        node = node[segment]
    return tuple(out)


def leaf_paths(tree: Any) -> list[KeyPath]:
    return [p for p, _ in iter_leaves(tree)]
