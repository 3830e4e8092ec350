"""`lcm rotate key` and `lcm rotate master`.

`rotate key` adds a data-key version, retires the old one and re-encrypts every value of
the tenant (every env and file, previous values included) together with the key file in
one change-set, so one crash-safe commit: a process killed at any point leaves the old
commit or the new one, and running the command again rotates from whichever it finds.

`rotate master` works over the backend interface only, so the same code serves the local
backends and Vault transit: `begin_rotation` (a next master key beside the current one),
`rewrap_many` (every data key under the next key), the key file committed, and only then
`finish_rotation` (the next key becomes the current one). Until that commit lands the
current key opens everything; after it, the key file names the next key, and any lcm
process that finds the backend still on the old one finishes the promotion
(`MasterKeyBackend.resume_rotation`), so no crash leaves data keys nothing can open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from lcm.keys import datakeys
from lcm.ops.changeset import ChangeSet
from lcm.ops.rotation.bulk import collector_paused
from lcm.repository import audit
from lcm.repository.repo import Repo

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class KeyRotation:
    """What `rotate key` did: versions, the files re-encrypted, the commit."""

    tenant: str
    old_version: int
    new_version: int
    addresses: list[str]
    commit_id: str | None


@dataclass(frozen=True)
class MasterRotation:
    """What `rotate master` did: the backend, the data-key versions re-wrapped, the commit."""

    tenant: str
    backend: str
    versions: list[int]
    commit_id: str | None


def _keys_relpath(repo: Repo, tenant: str) -> str:
    return datakeys.keys_path(repo.root, tenant).relative_to(repo.root).as_posix()


def rotate_key(repo: Repo, tenant: str, *, progress: Progress | None = None,
               message: str | None = None) -> KeyRotation:
    """New data-key version; every value of `tenant` re-encrypted under it; one commit.
    `progress(done, total)` is called as files are read and then written."""
    repo.manifest.require_tenant(tenant)
    with repo.locked(), collector_paused():
        keys = datakeys.load(repo.root, repo.manifest.repo_id, tenant, repo.backend(tenant))
        old = keys.active_version
        new = keys.add_version()  # wraps under the master key (exit 4 without one)
        addresses = list(repo.iter_addresses(tenant))
        total = 2 * len(addresses)
        changes = ChangeSet(repo, "rotate-key", message or
                            f"lcm rotate key {tenant}: data key v{new}, v{old} retired")
        for done, addr in enumerate(addresses, start=1):
            changes.reencrypt(addr)  # reads, verifies and decrypts with the current keys
            if progress is not None:
                progress(done, total)
        changes.keys_override[tenant] = keys  # ...and seals under the new version
        changes.validate = False  # same plaintext: no validation error can be new
        changes.write(_keys_relpath(repo, tenant), keys.render())
        if progress is not None:
            report = progress
            changes.progress = lambda done, _n: report(len(addresses) + done, total)
        written = changes.commit()
    names = [str(a) for a in addresses]
    audit.record(repo.root, "rotate-key", tenant=tenant, address=", ".join(names) or None,
                 keys=[f"data key v{new} active", f"data key v{old} retired"])
    return KeyRotation(tenant, old, new, names, written.commit_id)


def rotate_master(repo: Repo, tenant: str, *, message: str | None = None) -> MasterRotation:
    """New master key in the tenant's backend; every data key re-wrapped; one commit."""
    repo.manifest.require_tenant(tenant)
    with repo.locked():
        backend = repo.backend(tenant)
        keys = datakeys.load(repo.root, repo.manifest.repo_id, tenant, backend)
        live = [r.version for r in keys.records if r.state != "destroyed"]
        for version in live:
            keys.key(version)  # the current master key must open every data key first
        backend.begin_rotation()
        keys.rewrap()
        changes = ChangeSet(repo, "rotate-master", message or
                            f"lcm rotate master {tenant}: data keys re-wrapped")
        changes.write(_keys_relpath(repo, tenant), keys.render())
        written = changes.commit()
        backend.finish_rotation()
    audit.record(repo.root, "rotate-master", tenant=tenant,
                 keys=[f"master key ({backend.name} backend)"]
                 + [f"data key v{v} re-wrapped" for v in live])
    return MasterRotation(tenant, backend.name, live, written.commit_id)
