"""Semantic diff of the config files of two sides (commits or the working tree)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lcm.repository.address import Address
from lcm.format.crypto import decrypt_value, is_encrypted
from lcm.format.document import Document
from lcm.errors import BackendUnavailable, IntegrityError, KeyStoreError, LcmError, WrongKey
from lcm.history.render import FileDiff
from lcm.history.semdiff import Secret, canonical, diff
from lcm.history.sides import Scope, Side, address_of
from lcm.format.paths import KeyPath
from lcm.repository.repo import Repo
from lcm.format.values import map_leaves

Warn = Callable[[str], None]


class SecretLens:
    """Turns stored trees into trees whose secrets are `Secret` objects.

    A fingerprint is an HMAC of the plaintext keyed from the tenant's active
    data key: short, stable across re-encryption, and useless for guessing a
    weak password without the key. Without a key, secrets compare by ciphertext.
    """

    def __init__(self, repo: Repo, warn: Warn) -> None:
        self.repo = repo
        self.warn = warn
        self._fp_keys: dict[str, bytes | None] = {}

    def fp_key(self, tenant: str) -> bytes | None:
        """The tenant's fingerprint key, or None (warned once) when its keys are unavailable;
        WrongKey (exit 4) when a key is there but does not open them."""
        if tenant not in self._fp_keys:
            try:
                _, key = self.repo.keys(tenant).active_key()
                self._fp_keys[tenant] = hmac.new(
                    key, b"lcm diff fingerprint v1", hashlib.sha256
                ).digest()
            except WrongKey:
                raise  # a key is here but not this tenant's: an error, never a keyless diff
            except LcmError as err:
                self.warn(
                    f"no key for tenant {tenant!r} ({err.message}); "
                    "secrets compared by ciphertext only"
                )
                self._fp_keys[tenant] = None
        return self._fp_keys[tenant]

    def secret(self, tenant: str, stored: str, plain: Any) -> Secret:
        """The Secret for a decrypted value."""
        key = self._fp_keys[tenant]
        assert key is not None
        token = hmac.new(key, canonical(plain).encode("utf-8"), hashlib.sha256).hexdigest()
        return Secret(token, token[:8], plain)

    def view(self, doc: Document, addr: Address, label: str) -> dict[str, Any]:
        """`doc.tree` with every encrypted leaf as a Secret (MAC problems are warned, not
        fatal); computed once per document, since effective diffs revisit base files."""
        views: dict[tuple[Document, str, Address], dict[str, Any]] = self.__dict__.setdefault(
            "_views", {})
        found = views.get((doc, label, addr))
        if found is None:
            found = views[(doc, label, addr)] = self._view(doc, addr, label)
        return found

    def _view(self, doc: Document, addr: Address, label: str) -> dict[str, Any]:
        key = self.fp_key(addr.tenant)
        if key is None:
            masked: dict[str, Any] = map_leaves(
                doc.tree, lambda _p, v: Secret("enc:" + v, None) if is_encrypted(v) else v
            )
            return masked
        keys = self.repo.keys(addr.tenant)
        self._check_mac(doc, addr, label)
        seen: dict[str, Any] = map_leaves(
            doc.tree, lambda p, v: self._leaf(keys, addr, p, v) if is_encrypted(v) else v
        )
        return seen

    def _leaf(self, keys: Any, addr: Address, path: KeyPath, stored: str) -> Secret:
        try:
            plain = decrypt_value(stored, keys.key, addr.place, path)
        except (KeyStoreError, BackendUnavailable):
            return Secret("enc:" + stored, None)
        return self.secret(addr.tenant, stored, plain)

    def _check_mac(self, doc: Document, addr: Address, label: str) -> None:
        from lcm.format.seal import verify

        try:
            verify(doc, self.repo.keys(addr.tenant), addr.place)
        except IntegrityError as err:  # its message names the file already, as a rule
            named = err.message.startswith(f"{label}:")
            self.warn(err.message if named else f"{label}: {err.message}")
        except (KeyStoreError, BackendUnavailable):
            pass


def compare_files(
    repo: Repo, old: Side, new: Side, scopes: list[Scope], lens: SecretLens
) -> list[FileDiff]:
    """Key-level differences of every config file in `scopes` (all when empty)."""
    before, after = old.files(), new.files()
    out: list[FileDiff] = []
    for relpath in sorted(set(before) | set(after)):
        addr = address_of(relpath)
        if addr is None or (scopes and not any(s.covers(relpath) for s in scopes)):
            continue
        if before.get(relpath) == after.get(relpath):
            continue
        old_doc, new_doc = old.document(relpath), new.document(relpath)
        old_tree = lens.view(old_doc, addr, f"{old.label}:{relpath}") if old_doc else {}
        new_tree = lens.view(new_doc, addr, f"{new.label}:{relpath}") if new_doc else {}
        changes = diff(old_tree, new_tree)
        status = "added" if old_doc is None else "removed" if new_doc is None else "modified"
        if changes or status != "modified":
            out.append(FileDiff(str(addr), relpath, status, changes))
    return out


def compare_effective(
    repo: Repo, old: Side, new: Side, scopes: list[Scope], lens: SecretLens
) -> list[FileDiff]:
    """Key-level differences of the effective config (env overlays merged) per tenant/env."""
    before, after = old.files(), new.files()
    out: list[FileDiff] = []
    for tenant, env, only in _env_targets(repo, scopes):
        old_tree = _effective(repo, old, before, tenant, env, only, lens)
        new_tree = _effective(repo, new, after, tenant, env, only, lens)
        changes = diff(old_tree, new_tree)
        if changes:
            label = f"{tenant}/{env}/{only}" if only else f"{tenant}/{env}"
            out.append(FileDiff(f"{label} (effective)", "", "modified", changes))
    return out


def _env_targets(repo: Repo, scopes: list[Scope]) -> list[tuple[str, str, str | None]]:
    """(tenant, env, file name or None) for each scope; every tenant/env when there is none."""
    manifest = repo.manifest
    if not scopes:
        return [(t, e, None) for t in manifest.tenants for e in manifest.environments]
    targets: list[tuple[str, str, str | None]] = []
    for scope in scopes:
        parts = scope.relpath.split("/")[1:]
        if scope.is_file:
            addr = address_of(scope.relpath)
            assert addr is not None
            targets.append((addr.tenant, addr.env, addr.name))
        elif len(parts) == 2:
            targets.append((parts[0], parts[1], None))
        else:
            targets.extend((parts[0], e, None) for e in manifest.environments)
    return targets


def _effective(
    repo: Repo,
    side: Side,
    files: dict[str, str],
    tenant: str,
    env: str,
    only: str | None,
    lens: SecretLens,
) -> dict[str, Any]:
    """The effective tree of tenant/env on one side as {file name: merged tree}."""
    from lcm.repository.overlay import merge

    chain = repo.manifest.env_chain(env)
    names = sorted(
        {a.name for a in map(address_of, files) if a and a.tenant == tenant and a.env in chain}
    )
    tree: dict[str, Any] = {}
    for name in names:
        if only is not None and name != only:
            continue
        layers = []
        for layer_env in chain:
            addr = Address(tenant, layer_env, name)
            doc = side.document(addr.relpath) if addr.relpath in files else None
            if doc is not None:
                layers.append((addr, lens.view(doc, addr, f"{side.label}:{addr.relpath}")))
        tree[name] = merge(layers).tree
    return tree.get(only, {}) if only is not None else tree


def audit_reveals(root: Path, files: list[FileDiff]) -> None:
    """Record one `reveal` audit entry per file whose secret plaintext a `--reveal` diff shows."""
    from lcm.repository import audit
    from lcm.format.paths import format_path, iter_leaves

    for f in files:
        shown = {
            format_path(path)
            for change in f.changes
            for value in (change.old, change.new)
            for path, leaf in iter_leaves(value, change.path)
            if isinstance(leaf, Secret) and leaf.fingerprint is not None
        }
        if shown:
            address = f.address.split(" ")[0]
            audit.record(
                root, "reveal", tenant=address.split("/")[0], address=address, keys=sorted(shown)
            )
