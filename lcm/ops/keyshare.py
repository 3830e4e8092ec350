"""Sharing a tenant's keyring/file master key with a teammate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lcm.repository import audit
from lcm.errors import KeyStoreError
from lcm.keys.armor import armor, unarmor
from lcm.keys.backends import MemoryBackend, backend_for

if TYPE_CHECKING:
    from lcm.repository.repo import Repo


def export_key(repo: Repo, tenant: str) -> str:
    """The tenant's master key as one armored line (audited)."""
    backend = repo.backend(tenant)
    line = armor(repo.manifest.repo_id, tenant, backend.export_key())
    audit.record(repo.root, "key-export", tenant=tenant)
    return line


def import_key(repo: Repo, tenant: str, line: str, replace: bool = False) -> str:
    """Store an armored master key in the tenant's backend after proving it opens
    the tenant's data keys; returns the backend description."""
    from lcm.keys import datakeys

    manifest = repo.manifest
    spec = manifest.require_tenant(tenant)
    key = unarmor(manifest.repo_id, tenant, line)
    probe = datakeys.load(repo.root, manifest.repo_id, tenant,
                          MemoryBackend(manifest.repo_id, tenant, key))
    try:
        probe.key(probe.active_version)
    except KeyStoreError:
        raise KeyStoreError(f"tenant {tenant!r}: that key does not open this tenant's data keys") from None
    target = backend_for(manifest.repo_id, tenant, spec, honour_env=False)
    target.import_key(key, replace=replace)
    audit.record(repo.root, "key-import", tenant=tenant)
    return target.describe()
