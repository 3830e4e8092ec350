"""One-file operations: `lcm set`, `lcm unset`, `lcm reseal`, each one change-set."""

from __future__ import annotations

from typing import Any

from lcm.format.paths import KeyPath
from lcm.ops.changeset import ChangeSet
from lcm.repository import audit
from lcm.repository.address import Address
from lcm.repository.repo import Repo


def set_value(repo: Repo, addr: Address, path: KeyPath, value: Any, *, secret: bool = False,
              message: str | None = None, commit: bool = True, unsealed: bool = False) -> bool:
    """`lcm set`: one value in one file, one commit; False when nothing changed. With
    `unsealed`, a plain value may be set without the tenant's key (`ChangeSet`)."""
    with repo.locked():
        changes = ChangeSet(repo, "set", message)
        changes.set(addr, path, value, secret=secret, unsealed=unsealed)
        return bool(changes.commit(commit=commit).paths)


def unset_value(repo: Repo, addr: Address, path: KeyPath, *, message: str | None = None,
                commit: bool = True, unsealed: bool = False) -> None:
    """`lcm unset`: remove a key from one file (a plain one without the key: `unsealed`)."""
    with repo.locked():
        changes = ChangeSet(repo, "unset", message)
        changes.unset(addr, path, unsealed=unsealed)
        changes.commit(commit=commit)


def reseal(repo: Repo, addr: Address, message: str | None = None, commit: bool = True) -> None:
    """Accept a reviewed hand edit: decrypt without the MAC check, encrypt any
    plaintext now sitting at a secret key, and write a fresh MAC."""
    with repo.locked():
        changes = ChangeSet(repo, "reseal", message, ignore_mac=True)
        repo.require_document(addr)
        changes.replace(addr, repo.decrypt(addr, verify=False), force=True)
        changes.summary = f"lcm reseal {addr}"
        changes.commit(commit=commit)
    audit.record(repo.root, "reseal", tenant=addr.tenant, address=str(addr))
