"""The effective config of one tenant/env: merged stored values, decrypted lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping

from lcm.repository.address import Address
from lcm.format.crypto import is_encrypted
from lcm.repository.overlay import Merged
from lcm.format.paths import KeyPath, iter_leaves, lookup
from lcm.format.seal import mask_tree
from lcm.format.values import map_leaves

if TYPE_CHECKING:
    pass

Decryptor = Callable[[Address, KeyPath, str], Any]


class Effective(Mapping[str, Any]):
    """Read-only mapping view; secrets are decrypted on first access and kept in memory."""

    def __init__(self, tenant: str, env: str, merged: Merged[Address], decrypt: Decryptor,
                 verified: bool) -> None:
        self.tenant = tenant
        self.env = env
        self._merged = merged
        self._decrypt = decrypt
        self._plain: dict[KeyPath, Any] = {}
        self.verified = verified

    @property
    def stored(self) -> dict[Any, Any]:
        """The merged tree with secrets still as `ENC[...]` values."""
        return self._merged.tree

    def provenance(self, path: KeyPath) -> Address | None:
        """The file that supplied the value at `path`."""
        return self._merged.source_of(path)

    def is_secret(self, path: KeyPath) -> bool:
        try:
            value = lookup(self._merged.tree, path)
        except (KeyError, TypeError):
            return False
        return any(is_encrypted(v) for _, v in iter_leaves(value, path))

    def _reveal_leaf(self, path: KeyPath, stored: Any) -> Any:
        if not is_encrypted(stored):
            return stored
        if path not in self._plain:
            source = self.provenance(path)
            assert source is not None
            self._plain[path] = self._decrypt(source, path, stored)
        return self._plain[path]

    def get_path(self, path: KeyPath, reveal: bool = True) -> Any:
        """The value (or subtree) at `path`; KeyError when absent."""
        stored = lookup(self._merged.tree, path)
        if reveal:
            return map_leaves(stored, self._reveal_leaf, path)
        return mask_tree(stored)

    def to_dict(self, reveal: bool = False) -> dict[Any, Any]:
        tree: dict[Any, Any] = self.get_path((), reveal=reveal)
        return tree

    def secret_paths(self) -> list[KeyPath]:
        return [p for p, v in iter_leaves(self._merged.tree) if is_encrypted(v)]

    def __getitem__(self, key: str) -> Any:
        return self.get_path((key,), reveal=True)

    def __iter__(self) -> Iterator[str]:
        return iter(self._merged.tree)

    def __len__(self) -> int:
        return len(self._merged.tree)
