"""The config files a change-set would leave behind: its staged texts layered over the
working tree, so `repo.view(addr, changes=cs)` shows exactly what a commit would write
(types, provenance and lines read from the staged documents themselves)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from lcm.errors import BackendUnavailable, KeyStoreError, RepoError, WrongKey
from lcm.format.crypto import decrypt_value
from lcm.format.document import Document
from lcm.format.paths import KeyPath
from lcm.format.seal import decrypt_tree, verify
from lcm.ops.changeset import ChangeSet
from lcm.repository.address import Address
from lcm.repository.effective import Effective
from lcm.repository.overlay import merge
from lcm.repository.repo import Repo

if TYPE_CHECKING:
    from lcm.format.seal import DataKeys


def chain_layers(repo: Repo, addr: Address,
                 document: Callable[[Address], Document | None]) -> list[tuple[Address, Document]]:
    """The files of `addr`'s env chain that `document` finds, farthest ancestor first."""
    chain = [Address(addr.tenant, e, addr.name) for e in repo.manifest.env_chain(addr.env)]
    return [(a, doc) for a in chain if (doc := document(a)) is not None]


class StagedDocuments:
    """Config documents by address: the staged text where the change-set rewrites a file
    (None where it removes one), else the file on disk."""

    def __init__(self, repo: Repo, changes: ChangeSet) -> None:
        self.repo = repo
        self.changes = changes
        self.staged: dict[Address, Document | None] = {}
        for relpath, text in changes.texts().items():
            addr = Address.from_relpath(relpath)
            if addr is not None:
                self.staged[addr] = None if text is None else Document.parse(text, relpath)

    def touches(self, addrs: Iterable[Address]) -> bool:
        return any(a in self.staged for a in addrs)

    def document(self, addr: Address) -> Document | None:
        if addr in self.staged:
            return self.staged[addr]
        return self.repo.read_document(addr)

    def require(self, addr: Address) -> Document:
        doc = self.document(addr)
        if doc is None:
            state = "staged for removal" if addr in self.staged else "no such config file"
            raise RepoError(f"{addr}: {state} ({addr.relpath})")
        return doc

    def resolve(self, addr: Address, check_macs: bool) -> Effective:
        """The effective config at `addr` as the commit would leave it."""
        layers = chain_layers(self.repo, addr, self.document)
        if not layers:
            raise RepoError(f"{addr}: no such config file in {addr.env} or its parents "
                            "(after the staged changes)")
        merged = merge([(a, doc.tree) for a, doc in layers])
        verified = check_macs and self.verified(layers)
        return Effective(addr.tenant, addr.env, merged, self._decrypt_one, verified)

    def decrypt(self, addr: Address, check_mac: bool) -> dict[Any, Any]:
        """The plaintext tree of one file as staged."""
        doc = self.require(addr)
        if check_mac:
            self.verified([(addr, doc)])
        return decrypt_tree(doc, self._keys(addr.tenant), addr.place, verify_mac=False)

    def verified(self, layers: list[tuple[Address, Document]]) -> bool:
        """Check every file's MAC: False when the tenant's key is not available (a masked
        view stays possible); a MAC that does not verify raises IntegrityError."""
        try:
            for addr, doc in layers:
                if addr in self.staged:
                    verify(doc, self._keys(addr.tenant), addr.place)
                else:
                    self.repo.verify(addr)
        except WrongKey:
            raise
        except (KeyStoreError, BackendUnavailable):
            return False
        return True

    def _keys(self, tenant: str) -> DataKeys:
        # The staged texts were sealed with these (rotation stages under new data keys).
        return self.changes.keys_override.get(tenant) or self.repo.keys(tenant)

    def _decrypt_one(self, addr: Address, path: KeyPath, stored: str) -> Any:
        return decrypt_value(stored, self._keys(addr.tenant).key, addr.place, path)
