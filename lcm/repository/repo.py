"""An lcm config repository: manifest, addresses, keys, reads, and the writer lock."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Self, TypeVar, cast

from lcm.clock import still_before
from lcm.repository.address import MAX_ADDRESS_CHARS, MAX_SEGMENT_CHARS, NAME_SEGMENT, Address
from lcm.format.document import Document
from lcm.format.loading import decode_text
from lcm.errors import BackendUnavailable, KeyStoreError, RepoError, UsageError, WrongKey
from lcm.repository.manifest import MANIFEST_NAME, Manifest
from lcm.format.paths import KeyPath
from lcm.format.secretmeta import decrypt_previous, key_name, previous_entries

if TYPE_CHECKING:
    from lcm.repository.effective import Effective
    from lcm.keys.backends import MasterKeyBackend
    from lcm.keys.datakeys import TenantKeys

CONFIG_DIR = "config"
F = TypeVar("F", bound=Callable[..., Any])


def blob_id(data: bytes) -> str:
    """Git's blob id of `data` (the cache key for parsed and resolved files)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def display_path(path: Path) -> str:
    """A path as messages print it: relative to the cwd when it is below it."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (or $LCM_REPO, or cwd) with `.lcm.yaml`."""
    origin = Path(start or os.environ.get("LCM_REPO") or os.getcwd()).resolve()
    for folder in (origin, *origin.parents):
        if (folder / MANIFEST_NAME).is_file():
            return folder
    raise RepoError(f"{origin}: not an lcm repository (no {MANIFEST_NAME} here or above; run `lcm init`)")


def _synchronized(method: F) -> F:
    """Run `method` under the repository's cache lock (the TUI calls from worker threads)."""

    @functools.wraps(method)
    def locked(self: "Repo", *args: Any, **kwargs: Any) -> Any:
        with self._cache_lock:
            return method(self, *args, **kwargs)

    return cast(F, locked)


class Repo:
    """Entry point for reading and writing one config repository."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache_lock = threading.RLock()
        self._manifest: Manifest | None = None
        self._docs: dict[Path, tuple[tuple[int, int, int], str, Document | None]] = {}
        self._keys: dict[str, TenantKeys] = {}
        self._verified: set[tuple[str | None, tuple[str, str, str]]] = set()
        self._resolved: dict[tuple[str, str, bool, str],
                             tuple[tuple[str | None, ...], Effective]] = {}

    @classmethod
    def open(cls, path: Path | str | None = None) -> Self:
        """The repository at or above `path` (or $LCM_REPO, or the cwd); a write that a
        killed lcm left half done is finished first."""
        repo = cls(find_root(Path(path) if path is not None else None))
        from lcm.repository.commit import journal_pending

        if journal_pending(repo.root):
            with repo.locked():
                pass
        return repo

    # ---- manifest and addresses ------------------------------------------------

    @property
    @_synchronized
    def manifest(self) -> Manifest:
        if self._manifest is None:
            from lcm.repository.manifest import load

            self._manifest = load(self.root)
        return self._manifest

    @_synchronized
    def reload(self) -> None:
        """Forget cached manifest and keys (after another process wrote)."""
        self._manifest = None
        self._keys.clear()

    def address(self, text: str) -> Address:
        """Parse `TENANT/ENV/NAME` or a config file path into a checked Address."""
        if len(text) > MAX_ADDRESS_CHARS:
            raise UsageError(f"{text[:40]}...: longer than {MAX_ADDRESS_CHARS} characters; "
                             "not an address or config file path")
        candidate = Path(text)
        if text.endswith((".yaml", ".yml")) or os.path.isfile(text):
            full = (candidate if candidate.is_absolute() else Path.cwd() / candidate).resolve()
            try:
                rel = full.relative_to(self.root).as_posix()
            except ValueError:
                rel = ""
            found = Address.from_relpath(rel)
            if found is None:
                raise UsageError(f"{text}: not a config file (config/TENANT/ENV/NAME.yaml under {self.root})")
            addr = found
        else:
            parts = tuple(text.strip("/").split("/"))
            if any(len(p) > MAX_SEGMENT_CHARS for p in parts):
                raise UsageError(f"{text[:40]}...: a name longer than {MAX_SEGMENT_CHARS} "
                                 "characters (lcm's limit)")
            if len(parts) < 3 or any(not NAME_SEGMENT.match(p) for p in parts):
                raise UsageError(f"{text!r}: expected an address TENANT/ENV/NAME (e.g. acme/production/inference)")
            addr = Address(parts[0], parts[1], "/".join(parts[2:]))
        self.manifest.require_tenant(addr.tenant)
        self.manifest.env_chain(addr.env)
        return addr

    def config_names(self, tenant: str, env: str) -> list[str]:
        """Names with an effective config in `tenant/env` (own files and inherited ones)."""
        return sorted({a.name for e in self.manifest.env_chain(env)
                       for a in self.iter_addresses(tenant, e)})

    def path_of(self, addr: Address) -> Path:
        return self.root / addr.relpath

    def iter_addresses(self, tenant: str | None = None, env: str | None = None) -> Iterator[Address]:
        """Every config file present, optionally of one tenant and/or env."""
        base = self.root / CONFIG_DIR
        tenants = [tenant] if tenant else sorted(self.manifest.tenants)
        for t in tenants:
            envs = [env] if env else list(self.manifest.environments)
            for e in envs:
                folder = base / t / e
                if not folder.is_dir():
                    continue
                for path in sorted(folder.rglob("*.yaml")):
                    yield Address(t, e, path.relative_to(folder).with_suffix("").as_posix())

    # ---- reading ---------------------------------------------------------------

    @_synchronized
    def _snapshot(self, path: Path) -> tuple[str | None, Document | None]:
        """(blob id, parsed document) of a file, re-read only when its stat changed."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._docs.pop(path, None)
            return None, None
        except OSError as err:
            raise RepoError(f"{display_path(path)}: cannot read: {err.strerror}") from None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = self._docs.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1], cached[2]
        try:
            data = path.read_bytes()
        except OSError as err:
            raise RepoError(f"{display_path(path)}: cannot read: {err.strerror}") from None
        oid = blob_id(data)
        if cached is not None and cached[1] == oid:
            doc = cached[2]
        else:
            shown = display_path(path)
            doc = Document.parse(decode_text(data, shown), shown)
        self._docs[path] = (stamp, oid, doc)
        return oid, doc

    def read_document(self, addr: Address) -> Document | None:
        """The stored file (no keys needed), or None when it does not exist."""
        return self._snapshot(self.path_of(addr))[1]

    def require_document(self, addr: Address) -> Document:
        doc = self.read_document(addr)
        if doc is None:
            raise RepoError(f"{addr}: no such config file ({addr.relpath})")
        return doc

    # ---- keys ------------------------------------------------------------------

    def backend(self, tenant: str) -> MasterKeyBackend:
        from lcm.keys.backends import backend_for

        return backend_for(self.manifest.repo_id, tenant, self.manifest.require_tenant(tenant))

    @_synchronized
    def keys(self, tenant: str) -> TenantKeys:
        """The tenant's data keys; each version is unwrapped once per process."""
        if tenant not in self._keys:
            from lcm.keys import datakeys

            self._keys[tenant] = datakeys.load(self.root, self.manifest.repo_id, tenant,
                                               self.backend(tenant))
        return self._keys[tenant]

    @_synchronized
    def verify(self, addr: Address) -> None:
        """Check one file's MAC (needs the tenant's key)."""
        from lcm.format.seal import verify

        oid, doc = self._snapshot(self.path_of(addr))
        if doc is None:
            raise RepoError(f"{addr}: no such config file ({addr.relpath})")
        # Keyed by place too: the same bytes copied to another env must fail there.
        stamp = (oid, addr.place)
        if stamp in self._verified:
            return
        verify(doc, self.keys(addr.tenant), addr.place)
        self._verified.add(stamp)

    @_synchronized
    def decrypt(self, addr: Address, verify: bool = True) -> dict[Any, Any]:
        """The plaintext tree of one file."""
        from lcm.format.seal import decrypt_tree

        doc = self.require_document(addr)
        if verify:
            self.verify(addr)
        return decrypt_tree(doc, self.keys(addr.tenant), addr.place, verify_mac=False)

    @_synchronized
    def resolve(self, tenant: str, env: str, name: str | None = None,
                verify: bool = True) -> Effective:
        """The effective config of `tenant/env` (one file `name`, or every file merged
        under its name as the top-level key when `name` is None)."""
        if name is None:
            return self._resolve_all(tenant, env, verify)
        chain = self.manifest.env_chain(env)
        self.manifest.require_tenant(tenant)
        addrs = [Address(tenant, e, name) for e in chain]
        snaps = [self._snapshot(self.path_of(a)) for a in addrs]
        stamp = tuple(s[0] for s in snaps)
        key = (tenant, env, verify, name)
        cached = self._resolved.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if all(s[1] is None for s in snaps):
            raise RepoError(f"{tenant}/{env}/{name}: no such config file in {env} or its parents")
        verified = self._verify_chain([a for a, s in zip(addrs, snaps) if s[1] is not None], verify)
        from lcm.repository.effective import Effective
        from lcm.repository.overlay import merge

        merged = merge([(a, s[1].tree) for a, s in zip(addrs, snaps) if s[1] is not None])
        eff = Effective(tenant, env, merged, self._decrypt_one, verified)
        if verified or not verify:  # unverified for want of a key: try again next time
            self._resolved[key] = (stamp, eff)
        return eff

    def _resolve_all(self, tenant: str, env: str, verify: bool) -> Effective:
        names = self.config_names(tenant, env)
        from lcm.repository.effective import Effective
        from lcm.repository.overlay import Merged

        merged: Merged[Address] = Merged()
        verified = True
        for name in names:
            part = self.resolve(tenant, env, name, verify)
            verified = verified and part.verified
            merged.tree[name] = part.stored
            for path, source in part._merged.sources.items():
                merged.sources[(name,) + path] = source
        return Effective(tenant, env, merged,
                         lambda a, p, v: self._decrypt_one(a, p[1:], v), verified)

    def _verify_chain(self, addrs: list[Address], verify: bool) -> bool:
        if not verify:
            return False
        try:
            for addr in addrs:
                self.verify(addr)
        except WrongKey:
            raise
        except (KeyStoreError, BackendUnavailable):
            return False  # no key here: a masked read stays possible, unverified
        return True

    def previous_values(self, addr: Address) -> dict[KeyPath, Any]:
        """The previous values (decrypted) of the rotated secrets in the effective config of
        `addr` whose overlap window is still open (by `lcm.clock`), by key path; exports
        publish them beside the current ones (docs/export.md). A previous value counts only
        where the effective value comes from the file that keeps it: an env inherits a
        parent's previous value with the secret, and overriding the secret drops both."""
        return {path: value for path, (value, _until) in self.previous_windows(addr).items()}

    @_synchronized
    def previous_windows(self, addr: Address) -> dict[KeyPath, tuple[Any, str]]:
        """`previous_values` with the end of each window (`until`, as stored)."""
        eff = self.resolve(addr.tenant, addr.env, addr.name)
        out: dict[KeyPath, tuple[Any, str]] = {}
        for env in self.manifest.env_chain(addr.env):
            source = Address(addr.tenant, env, addr.name)
            doc = self.read_document(source)
            kept = previous_entries(doc) if doc is not None else {}
            if doc is None or not kept:
                continue
            wanted = [(name, path, str(kept[name].get("until"))) for path in doc.encrypted_paths()
                      if (name := key_name(path)) in kept and eff.provenance(path) == source]
            wanted = [w for w in wanted if still_before(w[2])]
            if wanted:
                self.verify(source)  # the MAC covers the metadata that keeps them
            for name, path, until in wanted:
                value = decrypt_previous(doc, self.keys(addr.tenant), source.place, name)
                out[path] = (value, until)
        return out

    def _decrypt_one(self, addr: Address, path: KeyPath, stored: str) -> Any:
        from lcm.format.crypto import decrypt_value

        return decrypt_value(stored, self.keys(addr.tenant).key, addr.place, path)

    # ---- writing ---------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the repository's writer lock (re-entrant; other threads and processes wait).

        Entering it finishes a write a killed process left half done, and forgets the
        cached manifest and keys, which another process may have changed.
        """
        from lcm.fsutil import locked
        from lcm.repository.commit import recover

        with locked(self.root / ".lcm" / "lock"):
            recover(self.root)
            self.reload()
            yield
