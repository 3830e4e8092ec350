"""What the faces show of a config: one row per value, with its type, where it came from
(file and line), whether it is secret, and what its schema says about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from lcm.format.crypto import enc_type, is_encrypted, type_name
from lcm.format.paths import KeyPath, format_path, iter_leaves, lookup
from lcm.format.seal import MASK
from lcm.format.values import DELETE
from lcm.repository.address import Address

if TYPE_CHECKING:
    from lcm.format.document import Document
    from lcm.repository.repo import Repo
    from lcm.validate.schemas import CompiledSchema


@dataclass(frozen=True)
class ValueRow:
    """One leaf of a config: `value` is `MASK` for a secret that was not revealed."""

    path: KeyPath
    value: Any
    type: str  # str | int | float | bool | null | map | list | delete
    secret: bool
    source: Address | None
    line: int | None
    description: str | None = None

    @property
    def key(self) -> str:
        return format_path(self.path)

    def to_json(self) -> dict[str, Any]:
        """The stable `-o json` form of an explain row."""
        out: dict[str, Any] = {"key": self.key, "value": self.value, "type": self.type,
                               "secret": self.secret}
        if self.source is not None:
            out.update({"env": self.source.env, "source": str(self.source),
                        "file": self.source.relpath, "line": self.line})
        if self.description:
            out["description"] = self.description
        return out


@dataclass
class ConfigView:
    """A config as rows: one file's own keys (`effective` False) or the effective config."""

    tenant: str
    env: str
    name: str
    effective: bool
    rows: list[ValueRow] = field(default_factory=list)
    verified: bool = False  # every file's MAC checked with the tenant's key
    schema: str | None = None

    @property
    def address(self) -> Address:
        return Address(self.tenant, self.env, self.name)


def leaf_type(stored: Any) -> str:
    """The type name of a stored leaf (an `ENC[...]` value reports its plaintext's type)."""
    if stored is DELETE:
        return "delete"
    if isinstance(stored, dict):
        return "map"
    if isinstance(stored, list):
        return "list"
    if is_encrypted(stored):
        return enc_type(stored)
    return type_name(stored)


def shown_value(stored: Any, revealed: dict[KeyPath, Any], path: KeyPath) -> Any:
    """What a row shows: plaintext when revealed, the mask for other secrets."""
    if path in revealed:
        return revealed[path]
    if stored is DELETE:
        return "!delete"
    return MASK if is_encrypted(stored) else stored


class RowBuilder:
    """Rows of one or more files of a repository, each file's positions parsed once;
    `document` reads a file (the disk by default; a change-set's staged documents for a
    view of the staged result)."""

    def __init__(self, repo: Repo, schema: CompiledSchema | None,
                 document: Callable[[Address], Document | None] | None = None) -> None:
        self.repo = repo
        self.schema = schema
        self.document = document or repo.read_document
        self._docs: dict[Address, Document | None] = {}  # one read per file, not per row

    def rows(self, tree: Any, source_of: Any, revealed: dict[KeyPath, Any],
             prefix: KeyPath = ()) -> list[ValueRow]:
        out = []
        for path, stored in iter_leaves(tree, prefix):
            source: Address | None = source_of(path)
            out.append(ValueRow(path, shown_value(stored, revealed, path), leaf_type(stored),
                                is_encrypted(stored), source, self._line(source, path),
                                self._description(path)))
        return out

    def markers(self, layers: list[tuple[Address, Document]], effective: Any) -> list[ValueRow]:
        """A `delete` row for each `!delete` marker of the env chain's files (`layers`,
        farthest first) whose key is absent from the effective tree, from the nearest file
        that has it: what hides the key, so a face can show it and undo it."""
        out: list[ValueRow] = []
        for addr, doc in reversed(layers):
            for path, stored in iter_leaves(doc.tree):
                hidden = any(row.path == path[: len(row.path)] for row in out)
                if stored is DELETE and not hidden and not _present(effective, path):
                    out.append(ValueRow(path, shown_value(stored, {}, path), "delete", False,
                                        addr, self._line(addr, path), self._description(path)))
        return out

    def _line(self, source: Address | None, path: KeyPath) -> int | None:
        if source is None:
            return None
        if source not in self._docs:
            self._docs[source] = self.document(source)
        doc = self._docs[source]
        return doc.value_lines().get(path) if doc is not None else None

    def _description(self, path: KeyPath) -> str | None:
        from lcm.validate.describe import description_at

        return description_at(self.schema, path) if self.schema else None


def _present(tree: Any, path: KeyPath) -> bool:
    try:
        lookup(tree, path)
    except (KeyError, TypeError):
        return False
    return True
