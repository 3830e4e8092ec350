"""`lcm rotate prune`: drop previous values whose overlap window is over, then destroy
retired data-key versions that no stored value, previous value or file MAC still uses.

What "uses" a version is read from the result about to be committed, so a version
is never destroyed while anything in the tenant's files needs it; the active version
is never destroyed. Old commits keep their ciphertexts: a destroyed version makes
them unreadable, which is the point of destroying it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lcm.clock import now, parse_time
from lcm.format.document import Document
from lcm.format.paths import parse_path
from lcm.format.secretmeta import previous_entries
from lcm.keys import datakeys
from lcm.ops.changeset import ChangeSet
from lcm.ops.rotation.status import versions_in_use
from lcm.repository import audit
from lcm.repository.repo import Repo


@dataclass(frozen=True)
class Pruned:
    """What prune removed: (address, key) of each previous value, destroyed versions."""

    tenant: str
    previous: list[tuple[str, str]]
    destroyed: list[int]
    commit_id: str | None


def _expired(until: object) -> bool:
    try:
        return parse_time(str(until)) <= now()
    except ValueError:
        return True  # an unreadable end (the MAC would not verify anyway) is no window


def prune(repo: Repo, tenant: str, *, message: str | None = None) -> Pruned:
    """Drop expired previous values and destroy unused retired data keys: one commit."""
    repo.manifest.require_tenant(tenant)
    with repo.locked():
        changes = ChangeSet(repo, "rotate-prune", message or f"lcm rotate prune {tenant}")
        dropped: list[tuple[str, str]] = []
        addresses = list(repo.iter_addresses(tenant))
        for addr in addresses:
            for key, entry in previous_entries(repo.require_document(addr)).items():
                if _expired(entry.get("until")):
                    changes.drop_previous(addr, parse_path(key))
                    dropped.append((str(addr), key))
        texts = changes.texts()
        after = [Document.parse(texts[a.relpath] or "", a.relpath) if a.relpath in texts
                 else repo.require_document(a) for a in addresses]
        used = versions_in_use(after)
        keys = datakeys.load(repo.root, repo.manifest.repo_id, tenant, repo.backend(tenant))
        destroyed = [r.version for r in keys.records
                     if r.state == "retired" and not used.uses(r.version)]
        for version in destroyed:
            keys.destroy(version)
        if destroyed:
            changes.write(keys.path.relative_to(repo.root).as_posix(), keys.render())
        written = changes.commit()
    if dropped or destroyed:
        audit.record(repo.root, "rotate-prune", tenant=tenant,
                     address=", ".join(sorted({a for a, _k in dropped})) or None,
                     keys=[f"{key} (previous)" for _a, key in dropped]
                     + [f"data key v{v} destroyed" for v in destroyed])
    return Pruned(tenant, dropped, destroyed, written.commit_id)
