"""`lcm rollback`: restore a file, env or tenant to its content at a revision, as one new commit.

Old secrets are decrypted with whatever data-key version sealed them (a retired
version is fine) and sealed again with the tenant's active key; a value equal to
the current one keeps today's ciphertext, so the commit shows only what changed.
A destroyed key version makes the old content unreadable, and the rollback stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lcm.repository.address import Address
from lcm.format.document import Document
from lcm.errors import IntegrityError, KeyStoreError
from lcm.history.sides import Scope, WorkSide, address_of, commit_side
from lcm.ops.changeset import ChangeSet
from lcm.repository.repo import Repo


@dataclass
class RollbackResult:
    """What a rollback changed and the commit it made (None when nothing changed)."""

    restored: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    commit_id: str | None = None


def rollback(
    repo: Repo, scope: Scope, rev: str, message: str | None = None, commit: bool = True
) -> RollbackResult:
    """Write the scope's content at `rev` with current keys and commit it once.

    `rev` is resolved before anything is locked: an unknown revision is exit 3.
    """
    from lcm.ops.changeset import ChangeSet
    from lcm.repository.git import open_git

    git = open_git(repo.root)
    target = commit_side(repo.root, git, rev)
    result = RollbackResult()
    with repo.locked():
        changes = ChangeSet(repo, "rollback", message, ignore_mac=True)
        now = WorkSide(repo.root)
        wanted = {p for p in target.files() if scope.covers(p) and address_of(p)}
        present = {p for p in now.files() if scope.covers(p) and address_of(p)}
        for relpath in sorted(wanted | present):
            addr = address_of(relpath)
            assert addr is not None
            old_doc = target.document(relpath)
            if old_doc is None:
                changes.delete_file(addr)
                result.deleted.append(str(addr))
            elif _restore(repo, changes, addr, old_doc, rev):
                result.restored.append(str(addr))
        changes.summary = f"lcm rollback {scope.label} to {rev}"
        result.commit_id = changes.commit(commit=commit).commit_id
    return result


def _restore(repo: Repo, changes: ChangeSet, addr: Address, old_doc: Document, rev: str) -> bool:
    """Stage `addr`'s old values (in the old text's layout), sealed with current keys;
    False when the values already match."""
    from lcm.format.seal import decrypt_tree
    from lcm.format.values import same_value

    keys = repo.keys(addr.tenant)
    try:
        plain = decrypt_tree(old_doc, keys, addr.place, verify_mac=True)
    except KeyStoreError as err:
        raise KeyStoreError(
            f"cannot roll back {addr} to {rev}: its secrets cannot be opened ({err.message}); "
            "nothing was changed"
        ) from None
    except IntegrityError as err:
        raise IntegrityError(f"cannot roll back {addr} to {rev}: {err.message}") from None
    try:
        current = changes.staged_plain(addr)
    except (IntegrityError, KeyStoreError):
        current = None  # a damaged file is what rollbacks are for: replace it wholesale
    if current is not None and repo.read_document(addr) is not None and same_value(current, plain):
        return False
    changes.replace(addr, plain, layout=old_doc)
    return True
