"""`lcm.Repo`: the library API the CLI, the TUI and services call.

It is the repository (`lcm.repository.repo.Repo`: manifest, addresses, reads,
effective configs, keys, the writer lock) plus what a face needs on top: listing,
rows with provenance and schema descriptions, audited reveals, history, rollback,
change-sets and validation. Every method is safe to call from a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from lcm.api.rotation import RotationMethods
from lcm.api.staged import StagedDocuments, chain_layers
from lcm.api.views import ConfigView, RowBuilder, ValueRow
from lcm.errors import RepoError, UsageError
from lcm.format.crypto import is_encrypted
from lcm.format.paths import KeyPath, format_path, iter_leaves, lookup
from lcm.ops.changeset import ChangeSet
from lcm.ops.trees import normalise_path
from lcm.repository.address import Address
from lcm.repository.repo import Repo as _Repository

if TYPE_CHECKING:
    from lcm.history.log import HistoryEntry
    from lcm.history.render import FileDiff
    from lcm.history.sides import Scope
    from lcm.ops.promote import Promotion
    from lcm.ops.rollback import RollbackResult
    from lcm.repository.effective import Effective
    from lcm.repository.live import ChangeCallback, ErrorCallback, LiveConfig
    from lcm.validate.findings import Finding, Report
    from lcm.validate.schemas import CompiledSchema


@dataclass(frozen=True)
class TenantInfo:
    name: str
    backend: str
    active_data_key: int | None
    data_keys: int


@dataclass(frozen=True)
class EnvInfo:
    name: str
    parent: str | None
    chain: tuple[str, ...]  # root ancestor first, this env last


@dataclass(frozen=True)
class Listing:
    """What a tree of the repository shows: the tenants, the environments, and per
    (tenant, env) the config names it has its own file for and the names it only inherits
    (each list sorted)."""

    tenants: list[TenantInfo]
    environments: list[EnvInfo]
    own: dict[tuple[str, str], list[str]]
    inherited: dict[tuple[str, str], list[str]]

    def names(self, tenant: str, env: str) -> list[str]:
        """Every name with an effective config in `tenant/env` (what `config_names` says)."""
        return sorted(self.own.get((tenant, env), []) + self.inherited.get((tenant, env), []))

    def addresses(self) -> list[str]:
        """Every `TENANT/ENV/NAME` with an effective config, own and inherited."""
        return sorted(f"{t}/{e}/{n}" for source in (self.own, self.inherited)
                      for (t, e), names in source.items() for n in names)


@dataclass(frozen=True)
class Diff:
    """Changed files between two sides (labels as `lcm diff` prints them)."""

    files: list[FileDiff]
    old_label: str
    new_label: str

    def to_text(self, reveal: bool = False) -> str:
        from lcm.history.render import to_text

        return to_text(self.files, self.old_label, self.new_label, reveal)

    def to_json(self, reveal: bool = False) -> dict[str, Any]:
        """The stable `lcm diff -o json` document."""
        from lcm.history.render import to_json

        return to_json(self.files, self.old_label, self.new_label, reveal)


@dataclass(frozen=True)
class EnvAddress:
    """A whole environment of a tenant, `TENANT/ENV`: the effective config of every file
    name in it (its own files and inherited ones), keyed by the name."""

    tenant: str
    env: str

    @property
    def name(self) -> None:
        """No file name: `resolve(tenant, env, None)` merges every name."""
        return None

    def __str__(self) -> str:
        return f"{self.tenant}/{self.env}"


Target = Address | EnvAddress


@dataclass(frozen=True)
class Lookup:
    """One `get`: the value (or subtree), which secret paths it revealed, and whether every
    file it read had its MAC verified (False when the tenant's key is not available)."""

    value: Any
    revealed: list[str]
    verified: bool


class Repo(RotationMethods, _Repository):
    """One config repository, opened with `lcm.Repo.open(path)` (rotation methods: see
    `lcm.api.rotation`)."""

    @classmethod
    def open(cls, path: Path | str | None = None) -> Repo:
        """The repository at or above `path` (see the base class); opening one also removes
        the `lcm edit` buffers of lcm processes that were killed (SIGKILL) mid-edit."""
        from lcm.ops.editing import sweep_stale_buffers

        sweep_stale_buffers()
        repo = super().open(path)
        assert isinstance(repo, Repo)
        return repo

    # ---- browsing --------------------------------------------------------------------

    def tenants(self) -> list[TenantInfo]:
        """Every tenant with its backend and data-key versions (read from the key files;
        no key is unwrapped)."""
        from lcm.keys import datakeys

        out = []
        for name, spec in self.manifest.tenants.items():
            keys = datakeys.load(self.root, self.manifest.repo_id, name, self.backend(name))
            out.append(TenantInfo(name, spec.backend, keys.active_version, len(keys.records)))
        return out

    def environments(self) -> list[EnvInfo]:
        manifest = self.manifest
        return [EnvInfo(env, parent, tuple(manifest.env_chain(env)))
                for env, parent in manifest.environments.items()]

    def files(self, tenant: str | None = None, env: str | None = None) -> list[Address]:
        """Config files present on disk, optionally of one tenant and/or env."""
        return list(self.iter_addresses(tenant, env))

    def listing(self) -> Listing:
        """Tenants, environments and every env's own and inherited config names, from one
        walk of `config/` (not one per env and ancestor, as `config_names` would take)."""
        return Listing(self.tenants(), self.environments(), *self._names())

    def _names(self) -> tuple[dict[tuple[str, str], list[str]], dict[tuple[str, str], list[str]]]:
        own: dict[tuple[str, str], set[str]] = {}
        for addr in self.iter_addresses():
            own.setdefault((addr.tenant, addr.env), set()).add(addr.name)
        inherited: dict[tuple[str, str], list[str]] = {}
        for tenant in self.manifest.tenants:
            for env in self.manifest.environments:
                mine = own.get((tenant, env), set())
                chain = self.manifest.env_chain(env)
                names = set().union(*(own.get((tenant, e), set()) for e in chain))
                inherited[(tenant, env)] = sorted(names - mine)
        return {k: sorted(v) for k, v in own.items()}, inherited

    def targets(self, *, tenants: bool = False, envs: bool = False,
                files: bool = True) -> list[str]:
        """Addresses a command can take here (for shell completion): tenants, `TENANT/ENV`,
        and `TENANT/ENV/NAME` for every name with an effective config in that env."""
        # No TenantInfo needed here: completion need not read the key files.
        listing = Listing([], [], *self._names()) if files else Listing([], [], {}, {})
        out: list[str] = []
        for tenant in sorted(self.manifest.tenants):
            out += [tenant] if tenants else []
            for env in self.manifest.environments:
                out += [f"{tenant}/{env}"] if envs else []
                out += [f"{tenant}/{env}/{name}" for name in listing.names(tenant, env)]
        return out

    def target(self, text: str) -> Target:
        """`TENANT/ENV` (a whole environment), or a file's address or path."""
        parts = text.strip("/").split("/")
        if len(parts) == 2 and not text.endswith((".yaml", ".yml")) and not Path(text).is_file():
            self.manifest.require_tenant(parts[0])
            self.manifest.env_chain(parts[1])
            return EnvAddress(parts[0], parts[1])
        if len(parts) < 2:
            raise UsageError(f"{text!r}: expected TENANT/ENV or TENANT/ENV/NAME "
                             "(e.g. acme/production or acme/production/inference)")
        return self.address(text)

    # ---- reading ---------------------------------------------------------------------

    def schema_of(self, addr: Address) -> CompiledSchema | None:
        """The schema the manifest maps to this file's config, or None."""
        from lcm.validate.mapping import schema_for
        from lcm.validate.schemas import load

        ref = schema_for(self.manifest.schemas, f"{addr.tenant}/{addr.env}/{addr.name}.yaml")
        return load(ref, self.root) if ref else None

    def view(self, addr: Address, *, effective: bool = True, reveal: bool | Iterable[KeyPath] = False,
             ignore_mac: bool = False, changes: ChangeSet | None = None,
             markers: bool = False) -> ConfigView:
        """Rows of the effective config at `addr` (or, `effective=False`, of that file's own
        stored keys). `reveal` True (every secret) or some key paths: decrypted and audited.
        With `changes`, the rows are what committing that change-set would leave: its staged
        texts over the disk (values, types, provenance and lines from the staged files).
        With `markers`, an effective view also has a `delete` row for each `!delete` marker
        that hides a key (see `RowBuilder.markers`)."""
        staged = self._staged(addr, effective, changes)
        schema = self.schema_of(addr)
        builder = RowBuilder(self, schema, staged.document if staged else None)
        source_of: Callable[[KeyPath], Address | None]
        if effective:
            eff = staged.resolve(addr, not ignore_mac) if staged else \
                self.resolve(addr.tenant, addr.env, addr.name, verify=not ignore_mac)
            tree, source_of, verified = eff.stored, eff.provenance, eff.verified
        else:
            doc = staged.require(addr) if staged else self.require_document(addr)
            tree = doc.tree
            if ignore_mac:
                verified = False
            else:
                verified = staged.verified([(addr, doc)]) if staged else self._try_verify(addr)

            def source_of(_path: KeyPath) -> Address | None:
                return addr
        wanted = _wanted_paths(tree, reveal)
        revealed = self.reveal(addr, wanted, effective=effective, ignore_mac=ignore_mac,
                               changes=changes) if wanted else {}
        rows = builder.rows(tree, source_of, revealed)
        if effective and markers:
            rows += builder.markers(chain_layers(self, addr, builder.document), tree)
        return ConfigView(addr.tenant, addr.env, addr.name, effective, rows, verified,
                          schema.name if schema else None)

    def reveal(self, addr: Target, paths: Iterable[KeyPath] | None = None, *,
               effective: bool = True, ignore_mac: bool = False,
               changes: ChangeSet | None = None) -> dict[KeyPath, Any]:
        """Decrypt the secrets at `paths` (every secret when None) of the effective config
        at `addr` (or of the file itself; as the change-set `changes` would leave it when
        given); the audit entry is written only after every value decrypted, and names
        exactly the keys returned (for a whole env, each key path starts with the file name)."""
        from lcm.repository import audit

        staged = self._staged(addr, effective, changes) if isinstance(addr, Address) else None
        if effective:
            eff = staged.resolve(addr, not ignore_mac) if staged and isinstance(addr, Address) \
                else self.resolve(addr.tenant, addr.env, addr.name, verify=not ignore_mac)
            stored_tree = eff.stored
            wanted = list(paths) if paths is not None else eff.secret_paths()
            out = {p: eff.get_path(p, reveal=True) for p in wanted
                   if is_encrypted(_stored_at(stored_tree, p))}
        else:
            if not isinstance(addr, Address):
                raise UsageError(f"{addr}: a file's own values need a file address")
            if staged:
                plain = staged.decrypt(addr, not ignore_mac)
                doc = staged.require(addr)
            else:
                plain = self.decrypt(addr, verify=not ignore_mac)
                doc = self.require_document(addr)
            wanted = list(paths) if paths is not None else doc.encrypted_paths()
            out = {p: lookup(plain, p) for p in wanted if is_encrypted(_stored_at(doc.tree, p))}
        if out:
            audit.record(self.root, "reveal", tenant=addr.tenant, address=str(addr),
                         keys=[format_path(p) for p in out])
        return out

    def _staged(self, addr: Address, effective: bool,
                changes: ChangeSet | None) -> StagedDocuments | None:
        """The change-set's documents when it rewrites a file this view reads, else None
        (the disk, through the repository's caches)."""
        if changes is None or not len(changes):
            return None
        staged = StagedDocuments(self, changes)
        chain = self.manifest.env_chain(addr.env) if effective else [addr.env]
        return staged if staged.touches(Address(addr.tenant, e, addr.name) for e in chain) \
            else None

    def get(self, addr: Target, key: KeyPath = (), *, reveal: bool = False,
            ignore_mac: bool = False) -> Lookup:
        """The effective value (or subtree) at `key`; secrets masked unless `reveal`. For
        a whole env (`EnvAddress`) the tree is keyed by file name, and so is `key`."""
        eff, path, stored = self._effective_at(addr, key, ignore_mac)
        revealed: list[str] = []
        if reveal:
            secrets = [p for p, v in iter_leaves(stored, path) if is_encrypted(v)]
            if secrets:
                self.reveal(addr, secrets, ignore_mac=ignore_mac)
                revealed = [format_path(p) for p in secrets]
        return Lookup(eff.get_path(path, reveal=reveal), revealed, eff.verified)

    def _effective_at(self, addr: Target, key: KeyPath,
                      ignore_mac: bool) -> tuple[Effective, KeyPath, Any]:
        """The effective config at `addr`, `key` as stored there (list indices read as
        such), and the stored value or subtree at it; RepoError when the key is absent."""
        eff = self.resolve(addr.tenant, addr.env, addr.name, verify=not ignore_mac)
        path = normalise_path(eff.stored, key)
        try:
            return eff, path, lookup(eff.stored, path)
        except KeyError:
            raise RepoError(f"{addr}: no key {format_path(path)} in the effective config") from None

    def explain(self, addr: Target, key: KeyPath = (), *, reveal: bool = False,
                ignore_mac: bool = False) -> list[ValueRow]:
        """Rows of the effective subtree at `key`, each with the file and line it came from
        (for a whole env: every file's rows, each path starting with the file name)."""
        if isinstance(addr, EnvAddress):
            return self._explain_env(addr, key, reveal=reveal, ignore_mac=ignore_mac)
        eff, path, subtree = self._effective_at(addr, key, ignore_mac)
        secrets = [p for p, v in iter_leaves(subtree, path) if is_encrypted(v)]
        revealed = self.reveal(addr, secrets, ignore_mac=ignore_mac) if reveal and secrets else {}
        return RowBuilder(self, self.schema_of(addr)).rows(subtree, eff.provenance, revealed, path)

    def _explain_env(self, env: EnvAddress, key: KeyPath, *, reveal: bool,
                     ignore_mac: bool) -> list[ValueRow]:
        names = self.config_names(env.tenant, env.env)
        if key:
            if key[0] not in names:
                raise RepoError(f"{env}: no config named {key[0]!r} (it has: "
                                f"{', '.join(names) or 'none'})")
            names, key = [str(key[0])], key[1:]
        rows = []
        for name in names:
            addr = Address(env.tenant, env.env, name)
            rows += [replace(row, path=(name,) + row.path)
                     for row in self.explain(addr, key, reveal=reveal, ignore_mac=ignore_mac)]
        return rows

    def _try_verify(self, addr: Address) -> bool:
        from lcm.errors import BackendUnavailable, KeyStoreError, WrongKey

        try:
            self.verify(addr)
        except WrongKey:
            raise
        except (KeyStoreError, BackendUnavailable):
            return False
        return True

    # ---- history ---------------------------------------------------------------------

    def scope(self, text: str) -> Scope:
        """A file, env or tenant (`acme`, `acme/production`, an address or a path)."""
        from lcm.history.sides import scope_of

        return scope_of(self, text)

    def history(self, scope: Scope | Address | str, limit: int | None = 20) -> list[HistoryEntry]:
        """Commits that changed the scope, newest first, with their `Lcm-*` trailers."""
        from lcm.history.log import walk
        from lcm.history.sides import git_relpath
        from lcm.repository.git import open_git

        scope = self._scope(scope)
        git = open_git(self.root)
        if git.head_is_unborn:
            return []
        return list(walk(git, git_relpath(self.root, git, scope.relpath), limit))

    def commit_diff(self, scope: Scope | Address | str, rev: str) -> list[FileDiff]:
        """The key-level, masked changes a commit made to the scope (against its first parent)."""
        from lcm.history.compare import SecretLens, compare_files
        from lcm.history.sides import CommitSide, EmptySide, Side, commit_side
        from lcm.repository.git import open_git

        scope = self._scope(scope)
        git = open_git(self.root)
        new = commit_side(self.root, git, rev)
        parents = new.commit.parents
        old: Side = CommitSide(parents[0], f"{rev}^", new.prefix) if parents \
            else EmptySide("(no parent)")
        return compare_files(self, old, new, [scope], SecretLens(self, lambda _m: None))

    def diff(self, args: list[str], *, effective: bool = False, reveal: bool = False,
             warn: Callable[[str], None] | None = None) -> Diff:
        """`lcm diff [REV [REV]] [ADDR…]`: key-level changes, secrets as fingerprints (their
        plaintext kept, and the reveal audited, only with `reveal`)."""
        from lcm.history import compare
        from lcm.history.sides import sides_from_args

        old, new, scopes = sides_from_args(self, list(args))
        lens = compare.SecretLens(self, warn or (lambda _m: None))
        run = compare.compare_effective if effective else compare.compare_files
        files = run(self, old, new, scopes, lens)
        if reveal:
            compare.audit_reveals(self.root, files)
        return Diff(files, old.label, new.label)

    def rollback(self, scope: Scope | Address | str, rev: str, message: str | None = None,
                 commit: bool = True) -> RollbackResult:
        """Restore the scope to its content at `rev`, as one new commit."""
        from lcm.ops.rollback import rollback

        return rollback(self, self._scope(scope), rev, message, commit=commit)

    def _scope(self, scope: Scope | Address | str) -> Scope:
        from lcm.history.sides import Scope

        if isinstance(scope, Scope):
            return scope
        if isinstance(scope, Address):
            return Scope(scope.relpath, str(scope), True)
        return self.scope(scope)

    # ---- writing ---------------------------------------------------------------------

    def changes(self, message: str | None = None, *, op: str = "change",
                check_each: bool = True) -> ChangeSet:
        """A new change-set: stage edits, look at `diff()`, then `commit()` or `discard()`.
        With `check_each`, an edit that would not validate is refused when staged."""
        return ChangeSet(self, op, message, check_each=check_each)

    def set(self, addr: Address, key: KeyPath, value: Any, *, secret: bool = False,
            message: str | None = None, commit: bool = True, unsealed: bool = False) -> bool:
        """One value, one commit (`lcm set`); False when nothing changed. `unsealed`: a
        plain value without the tenant's key, for a keyholder to reseal (`ChangeSet.set`)."""
        from lcm.ops.edits import set_value

        return set_value(self, addr, key, value, secret=secret, message=message, commit=commit,
                         unsealed=unsealed)

    def unset(self, addr: Address, key: KeyPath, *, message: str | None = None,
              commit: bool = True, unsealed: bool = False) -> None:
        """Remove one key from one file, one commit (`lcm unset`; `unsealed` as for `set`)."""
        from lcm.ops.edits import unset_value

        unset_value(self, addr, key, message=message, commit=commit, unsealed=unsealed)

    def reseal(self, addr: Address, *, message: str | None = None, commit: bool = True) -> None:
        """Accept a reviewed hand edit of one file (`lcm reseal`; audited)."""
        from lcm.ops.edits import reseal

        reseal(self, addr, message=message, commit=commit)

    def promote(self, tenant: str, source: str, target: str, names: Iterable[str] = (),
                keys: Iterable[str] = (), *, prune: bool = False, message: str | None = None,
                dry_run: bool = False, commit: bool = True) -> Promotion:
        """Make the selected keys of `target`'s effective config equal `source`'s, with
        the fewest changes to `target`'s own files, as one commit (`lcm promote`)."""
        from lcm.ops.promote import promote

        return promote(self, tenant, source, target, names, keys, prune=prune, message=message,
                       dry_run=dry_run, commit=commit)

    # ---- hot reload ------------------------------------------------------------------

    def live(self, tenant: str, env: str, name: str | None = None, *,
             on_change: ChangeCallback | None = None, on_error: ErrorCallback | None = None,
             watch: bool | None = None, interval: float = 0.1,
             debounce: float = 0.2) -> LiveConfig:
        """A live handle on the effective config of `tenant/env[/name]`: every read
        returns the current config (a cheap stat check first); with `watch` (the default
        when `on_change` is given) a background thread calls `on_change(old, new, paths)`
        once per settled change. A change that does not verify is reported to `on_error`
        and the last good config stays in service."""
        from lcm.repository.live import LiveConfig

        return LiveConfig(self, tenant, env, name, on_change=on_change, on_error=on_error,
                          watch=on_change is not None if watch is None else watch,
                          interval=interval, debounce=debounce)

    # ---- checking --------------------------------------------------------------------

    def findings_for(self, addrs: Iterable[Address]) -> list[Finding]:
        """What `lcm validate` reports for these files and the effective configs built on
        them: after an accepted write, what still keeps the repository from validating
        (a new config not complete yet, or errors it already had)."""
        from lcm.validate.gate import remaining

        return remaining(self, addrs)

    def validate(self, paths: Iterable[Path] = (), *, use_keys: bool = True) -> Report:
        """Validate the manifest, the files and every effective config (or only `paths`)."""
        from lcm.validate.run import in_repo

        return in_repo(self, list(paths), None, use_keys)


def _stored_at(tree: Any, path: KeyPath) -> Any:
    try:
        return lookup(tree, path)
    except KeyError:
        return None


def _wanted_paths(tree: Any, reveal: bool | Iterable[KeyPath]) -> list[KeyPath]:
    if reveal is True:
        return [p for p, v in iter_leaves(tree) if is_encrypted(v)]
    if reveal is False:
        return []
    return list(reveal)
