"""What the faces show of a config: one row per value, with its type, where it came from
(file and line), whether it is secret, and what its schema says about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lcm.format.crypto import enc_type, is_encrypted, type_name
from lcm.format.paths import KeyPath, format_path, iter_leaves
from lcm.format.seal import MASK
from lcm.format.values import DELETE
from lcm.repository.address import Address

if TYPE_CHECKING:
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
    """Rows of one or more files of a repository, each file's positions parsed once."""

    def __init__(self, repo: Repo, schema: CompiledSchema | None) -> None:
        self.repo = repo
        self.schema = schema

    def rows(self, tree: Any, source_of: Any, revealed: dict[KeyPath, Any],
             prefix: KeyPath = ()) -> list[ValueRow]:
        from lcm.validate.describe import description_at

        out = []
        for path, stored in iter_leaves(tree, prefix):
            source: Address | None = source_of(path)
            line = None
            if source is not None:
                doc = self.repo.read_document(source)
                line = doc.value_lines().get(path) if doc is not None else None
            description = description_at(self.schema, path) if self.schema else None
            out.append(ValueRow(path, shown_value(stored, revealed, path), leaf_type(stored),
                                is_encrypted(stored), source, line, description))
        return out
