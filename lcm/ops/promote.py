"""`lcm promote`: make the selected keys of the target env's effective config equal the
source env's, with the fewest changes to the target env's own files.

Keys are overlay units: a map merges key by key, a list or scalar is one value. For
each selected config (file name) the desired effective config is the target's with
every selected source value put in (and, with `prune`, every selected key the source
lacks taken out). The target's own file is then rewritten as the smallest overlay of
its parent's effective config that gives exactly that: an entry that already gives the
right value stays byte for byte, an override the parent has made redundant is removed
(not duplicated), a key the parent has and the result must not gets `!delete`, and a
file left with nothing to override is deleted. Parent envs are never written.

Values are compared decrypted; a secret is re-encrypted for its new place (its
associated data names the env), never copied, and an equal secret keeps its
ciphertext. The change-set validates the result with the write gate and makes one
commit whose `Lcm-Source` trailer names the source env and commit.
"""

from __future__ import annotations

import copy
import fnmatch
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from lcm.errors import KeyStoreError, RepoError, UsageError
from lcm.format.paths import KeyPath, format_path, lookup
from lcm.format.values import DELETE, same_value, strip_deletes
from lcm.history.render import FileDiff, change_line
from lcm.ops.changeset import ChangeSet
from lcm.repository import audit
from lcm.repository.address import Address
from lcm.repository.repo import CONFIG_DIR, Repo

if TYPE_CHECKING:
    from lcm.history.compare import SecretLens

_ABSENT: Any = object()


@dataclass
class Promotion:
    """What a promote changed (or, as a dry run, would change) in the target env."""

    tenant: str
    source: str  # `staging@<commit>`, `-dirty` when the source's files differ from it
    target: str
    effective: list[FileDiff] = field(default_factory=list)  # key-level, target env
    files: dict[str, str] = field(default_factory=dict)  # relpath: added|modified|removed
    kept: list[str] = field(default_factory=list)  # selected keys only the target has
    unchanged_secrets: list[tuple[str, str]] = field(default_factory=list)  # (key, fp)
    commit_id: str | None = None
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.files)

    def to_text(self) -> str:
        """The key-level report: `+` added (missing in the target), `~` changed, `-`
        removed, `=` secret unchanged, `!` only in the target (kept; `--prune` removes)."""
        head = f"{self.tenant}/{self.target} (effective)   {self.source} -> {self.target}"
        lines = [head]
        for diff in self.effective:
            lines.extend("  " + change_line(c, reveal=False) for c in diff.changes)
        lines.extend(f"  = {key}: secret unchanged (fp:{fp})" for key, fp in self.unchanged_secrets)
        lines.extend(f"  ! {key}: only in {self.target} (kept; --prune removes it)"
                     for key in self.kept)
        if len(lines) == 1:
            lines.append("  (no differences in the selected keys)")
        lines.extend(f"  file {path}: {status}" for path, status in sorted(self.files.items()))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The stable `lcm promote -o json` document (secrets as fingerprints only)."""
        from lcm.history.render import to_json

        changes = to_json(self.effective, self.source, self.target, reveal=False)["files"]
        return {
            "tenant": self.tenant, "from": self.source, "to": self.target,
            "dry_run": self.dry_run, "changed": self.changed, "commit": self.commit_id,
            "changes": [c for f in changes for c in f["changes"]],
            "unchanged_secrets": [{"path": k, "fingerprint": fp}
                                  for k, fp in self.unchanged_secrets],
            "kept": self.kept,
            "files": [{"path": p, "status": s} for p, s in sorted(self.files.items())],
        }


def promote(repo: Repo, tenant: str, source: str, target: str, names: Iterable[str] = (),
            keys: Iterable[str] = (), *, prune: bool = False, message: str | None = None,
            dry_run: bool = False, commit: bool = True) -> Promotion:
    """Promote the selected configs (`names`, all when empty) and keys (globs, all when
    empty) of `tenant` from env `source` to env `target`; one commit unless `dry_run`."""
    manifest = repo.manifest
    manifest.require_tenant(tenant)
    source_chain, target_chain = manifest.env_chain(source), manifest.env_chain(target)
    if source == target:
        raise UsageError(f"cannot promote {tenant}/{source} onto itself")
    with repo.locked():
        run = _Run(repo, Promotion(tenant, _source_label(repo, tenant, source, source_chain),
                                   target, dry_run=dry_run),
                   source, target_chain, _selector(list(keys)), prune, message)
        try:
            for name in _names(repo, tenant, source_chain, target_chain, list(names)):
                run.stage(name)
            texts = run.changes.texts()
        except KeyStoreError as err:
            raise KeyStoreError(f"cannot promote {tenant} {source} -> {target}: {err.message}; "
                                "nothing was changed") from None
        result = run.result
        result.files = {rel: _status(repo, rel, text) for rel, text in texts.items()}
        result.effective = _effective_diff(repo, tenant, target, texts, run.lens)
        if dry_run or not texts:
            run.changes.discard()
            return result
        run.changes.summary = f"lcm promote {tenant} {source} -> {target}"
        run.changes.trailers["Lcm-Source"] = result.source
        result.commit_id = run.changes.commit(commit=commit).commit_id
    audit.record(repo.root, "promote", tenant=tenant, address=f"{tenant}/{source} -> {target}",
                 keys=sorted({format_path(c.path) for d in result.effective for c in d.changes}))
    return result


# ---- selection -------------------------------------------------------------------------


def _names(repo: Repo, tenant: str, source_chain: list[str], target_chain: list[str],
           wanted: list[str]) -> list[str]:
    """The config names to promote: `wanted`, or every name either env has."""
    known = {a.name for env in {*source_chain, *target_chain}
             for a in repo.iter_addresses(tenant, env)}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise RepoError(f"no config named {', '.join(map(repr, unknown))} in {tenant}/"
                        f"{source_chain[-1]} or {tenant}/{target_chain[-1]} (or their parents)")
    return sorted(set(wanted) if wanted else known)


def _selector(globs: list[str]) -> Callable[[KeyPath], bool]:
    """A key is selected when a glob matches its dotted path or an ancestor's."""
    def selected(path: KeyPath) -> bool:
        return not globs or any(fnmatch.fnmatchcase(format_path(path[:cut]), g)
                                for cut in range(1, len(path) + 1) for g in globs)
    return selected


def overlay_leaves(tree: Any, prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """(path, value) of every overlay unit: a non-map value or an empty map."""
    for key, value in tree.items():
        path = prefix + (key,)
        if isinstance(value, dict) and value:
            yield from overlay_leaves(value, path)
        else:
            yield path, value


def _at(tree: Any, path: KeyPath) -> Any:
    """The value at `path` following maps only, or _ABSENT."""
    node = tree
    for seg in path:
        if not isinstance(node, dict) or seg not in node:
            return _ABSENT
        node = node[seg]
    return node


# ---- the desired effective config and the overlay that gives it -------------------------


def desired(source: dict[Any, Any], target: dict[Any, Any], selected: Callable[[KeyPath], bool],
            prune: bool) -> tuple[dict[Any, Any], list[KeyPath]]:
    """The target's effective config after the promote, and the selected keys only the
    target has (kept; empty with `prune`, which removes them)."""
    out = copy.deepcopy(target)
    for path, value in overlay_leaves(source):
        if selected(path):
            _put(out, path, value)
    only_target = [p for p, _ in overlay_leaves(target)
                   if selected(p) and _at(source, p) is _ABSENT]
    if not prune:
        return out, only_target
    for path in only_target:
        _remove(out, path, source)
    return out, []


def _put(tree: dict[Any, Any], path: KeyPath, value: Any) -> None:
    node = tree
    for seg in path[:-1]:
        if not isinstance(node.get(seg), dict):
            node[seg] = {}
        node = node[seg]
    if not (value == {} and isinstance(node.get(path[-1]), dict)):  # an empty map merges
        node[path[-1]] = copy.deepcopy(value)


def _remove(tree: dict[Any, Any], path: KeyPath, source: dict[Any, Any]) -> None:
    """Remove `path` and the maps it leaves empty that the source does not have."""
    parent = _at(tree, path[:-1])
    if not isinstance(parent, dict) or path[-1] not in parent:
        return
    del parent[path[-1]]
    for cut in range(len(path) - 1, 0, -1):
        node = _at(tree, path[:cut])
        if node != {} or isinstance(_at(source, path[:cut]), dict):
            break
        del _at(tree, path[: cut - 1])[path[cut - 1]]


def _applied(parent: Any, own: Any) -> Any:
    """What the overlay merge makes of `own` over `parent` at one key (_ABSENT: nothing)."""
    if own is _ABSENT:
        return parent
    if own is DELETE:
        return _ABSENT
    if isinstance(own, dict) and isinstance(parent, dict):
        out = dict(parent)
        for key, value in own.items():
            merged = _applied(parent.get(key, _ABSENT), value)
            if merged is _ABSENT:
                out.pop(key, None)
            else:
                out[key] = merged
        return out
    return strip_deletes(own)


def _same(a: Any, b: Any) -> bool:
    if a is _ABSENT or b is _ABSENT:
        return a is b
    return same_value(a, b)


def overlay(parent: Any, want: Any, own: Any, path: KeyPath, written: list[KeyPath]) -> Any:
    """The smallest change to `own` (this env's entry) that makes parent+own give `want`;
    paths whose value was written anew are appended to `written`."""
    if _same(_applied(parent, own), want):
        return own
    if want is _ABSENT:
        return _ABSENT if parent is _ABSENT else DELETE
    # A map this env already overrides is fixed key by key, so entries that still give
    # the right value (an equal secret's ciphertext) stay as they are.
    if parent is not _ABSENT and same_value(parent, want) and not isinstance(own, dict):
        return _ABSENT
    if not isinstance(want, dict):
        if parent is not _ABSENT and same_value(parent, want):
            return _ABSENT
        written.append(path)
        return copy.deepcopy(want)
    base = parent if isinstance(parent, dict) else {}
    mine = own if isinstance(own, dict) else {}
    out: dict[Any, Any] = {}
    for key in [*mine, *(k for k in want if k not in mine),
                *(k for k in base if k not in mine and k not in want)]:
        child = overlay(base.get(key, _ABSENT), want.get(key, _ABSENT), mine.get(key, _ABSENT),
                        path + (key,), written)
        if child is not _ABSENT:
            out[key] = child
    if not out and isinstance(parent, dict):
        return _ABSENT  # an empty map over the parent's changes nothing
    return out


# ---- staging one config -----------------------------------------------------------------


class _Run:
    """One promote: the change-set it stages and the report it fills in."""

    def __init__(self, repo: Repo, result: Promotion, source: str, target_chain: list[str],
                 selected: Callable[[KeyPath], bool], prune: bool, message: str | None) -> None:
        from lcm.history.compare import SecretLens

        self.repo = repo
        self.result = result
        self.source = source
        self.parent = target_chain[-2] if len(target_chain) > 1 else None
        self.selected = selected
        self.prune = prune
        self.changes = ChangeSet(repo, "promote", message)
        self.lens = SecretLens(repo, lambda _m: None)  # fingerprints as `lcm diff` shows them

    def plain(self, env: str | None, name: str) -> tuple[dict[Any, Any], Any]:
        """The decrypted effective config of `env/name` ({} when no env of the chain has
        that file), and its Effective (None then)."""
        tenant = self.result.tenant
        if env is None or not any(self.repo.path_of(Address(tenant, e, name)).is_file()
                                  for e in self.repo.manifest.env_chain(env)):
            return {}, None
        eff = self.repo.resolve(tenant, env, name)
        return eff.to_dict(reveal=True), eff

    def stage(self, name: str) -> None:
        """Stage the target's own file of config `name` (or nothing when it is right)."""
        result = self.result
        source, source_eff = self.plain(self.source, name)
        current, _ = self.plain(result.target, name)
        parent, _ = self.plain(self.parent, name)
        want, kept = desired(source, current, self.selected, self.prune)
        result.kept.extend(format_path((name,) + p) for p in kept)
        secrets = source_eff.secret_paths() if source_eff is not None else []
        self.note_unchanged(name, source_eff, secrets, current)
        addr = Address(result.tenant, result.target, name)
        exists = self.repo.read_document(addr) is not None
        # Staging a file that does not exist would create it: only touch it to write.
        own = (self.changes.staged_plain(addr) or {}) if exists else {}
        written: list[KeyPath] = []
        new = overlay(parent, want, own, (), written)
        if new is own:
            return
        if new is _ABSENT or not new:
            if exists:
                self.changes.delete_file(addr)
            return
        # A source secret lands encrypted even where the target's globs would not say so.
        moved = [s for s in secrets if any(s[: len(w)] == w for w in written)]
        self.changes.replace(addr, new, extra_secret=moved)

    def note_unchanged(self, name: str, source_eff: Any, secrets: list[KeyPath],
                       current: dict[Any, Any]) -> None:
        """Record each selected source secret the target already has, by fingerprint."""
        tenant = self.result.tenant
        if source_eff is None or self.lens.fp_key(tenant) is None:
            return
        for path in secrets:
            plain = source_eff.get_path(path)
            try:
                same = self.selected(path) and same_value(lookup(current, path), plain)
            except KeyError:
                same = False
            if same:
                fp = self.lens.secret(tenant, "", plain).fingerprint or ""
                self.result.unchanged_secrets.append((format_path((name,) + path), fp))


# ---- reporting --------------------------------------------------------------------------


def _effective_diff(repo: Repo, tenant: str, target: str, texts: dict[str, str | None],
                    lens: SecretLens) -> list[FileDiff]:
    """Key-level changes of the target env's effective config the staged texts make."""
    from lcm.history.compare import compare_effective
    from lcm.history.sides import OverlaySide, Scope, WorkSide

    if not texts:
        return []
    work = WorkSide(repo.root)
    scope = Scope(f"{CONFIG_DIR}/{tenant}/{target}", f"{tenant}/{target}", False)
    return compare_effective(repo, work, OverlaySide(work, texts, "promoted"), [scope], lens)


def _status(repo: Repo, relpath: str, text: str | None) -> str:
    if text is None:
        return "removed"
    return "modified" if (repo.root / relpath).is_file() else "added"


def _source_label(repo: Repo, tenant: str, source: str, chain: list[str]) -> str:
    """`source@<HEAD commit>`, with `-dirty` when the source chain's files on disk
    differ from that commit (the promote copies what is on disk)."""
    from lcm.history.sides import WorkSide, commit_side
    from lcm.repository.git import open_git

    git = open_git(repo.root)
    if git.head_is_unborn:
        return f"{source}@(no commit)"
    head = commit_side(repo.root, git, "HEAD")
    folders = tuple(f"{CONFIG_DIR}/{tenant}/{env}/" for env in chain)
    committed = {p: o for p, o in head.files().items() if p.startswith(folders)}
    on_disk = {p: o for p, o in WorkSide(repo.root).files().items() if p.startswith(folders)}
    dirty = "-dirty" if committed != on_disk else ""
    return f"{source}@{head.commit.id}{dirty}"
