"""What an export would change at its target, key by key, with secrets as fingerprints.

The diff engine and its text/JSON forms are `lcm diff`'s (lcm.history), and so is the
fingerprint: a keyed HMAC of the plaintext (docs/history.md), so equal fingerprints in
`lcm diff` and `lcm export --dry-run` mean equal values, and a weak password cannot be
guessed from one. A value read from the target is shown only when the same key holds
a non-secret value in the config; every other target value is masked too.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from lcm.format.paths import KeyPath
from lcm.history.compare import SecretLens
from lcm.history.render import FileDiff, change_line, to_json
from lcm.history.semdiff import Change, Secret, canonical, diff
from lcm.repository.repo import Repo

CREATE, UPDATE, UNCHANGED, PRUNE, KEEP, FOREIGN = (
    "create", "update", "unchanged", "prune", "keep", "foreign")


class Masker:
    """Turns plaintext leaves into `Secret`s fingerprinted with the tenant's diff key."""

    def __init__(self, repo: Repo, tenant: str) -> None:
        key = SecretLens(repo, lambda _m: None).fp_key(tenant)
        self._key = key if key is not None else b""

    def secret(self, plain: Any) -> Secret:
        token = hmac.new(self._key, canonical(plain).encode("utf-8"), hashlib.sha256).hexdigest()
        return Secret(token, token[:8], plain)

    def mask(self, tree: Any, secret: set[KeyPath], plain_ok: set[KeyPath] | None = None,
             path: KeyPath = ()) -> Any:
        """`tree` with each leaf in `secret` (or, with `plain_ok`, each leaf NOT in it) a Secret."""
        if isinstance(tree, dict):
            return {k: self.mask(v, secret, plain_ok, path + (k,)) for k, v in tree.items()}
        if isinstance(tree, list):
            return [self.mask(v, secret, plain_ok, path + (i,)) for i, v in enumerate(tree)]
        hidden = path not in plain_ok if plain_ok is not None else path in secret
        return self.secret(tree) if hidden else tree


@dataclass
class UnitPlan:
    """One unit of a target (a KV secret, an output file) and what the export does to it."""

    unit: str
    action: str  # create | update | unchanged | prune | keep | foreign
    changes: list[Change] = field(default_factory=list)
    version: int = 0  # KV v2: the version read, the check-and-set value
    note: str = ""


@dataclass
class ExportPlan:
    """The masked, key-level plan of one export (what `--dry-run` prints)."""

    target: str
    source_label: str
    state: str
    units: list[UnitPlan]

    @property
    def changed(self) -> bool:
        return any(u.action in (CREATE, UPDATE, PRUNE) for u in self.units)

    def to_text(self) -> str:
        lines = [f"{self.source_label} ({self.state}) -> {self.target}"]
        for unit in self.units:
            note = f" ({unit.note})" if unit.note else ""
            lines.append(f"  {unit.unit}: {unit.action}{note}")
            lines.extend("    " + change_line(c, reveal=False) for c in unit.changes)
        if not self.changed:
            lines.append("  nothing to write")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        files = [FileDiff(u.unit, u.unit, u.action, u.changes) for u in self.units]
        out = to_json(files, self.target, self.source_label, reveal=False)
        for entry, unit in zip(out["files"], self.units):
            entry.update({"action": unit.action, "version": unit.version, "note": unit.note})
        return {"target": self.target, "source": self.source_label, "state": self.state,
                "units": out["files"]}


def compare(masker: Masker, current: Any, desired: Any, secret: set[KeyPath],
            plain: set[KeyPath]) -> list[Change]:
    """Key-level changes from the target's `current` to `desired`; `secret` are the secret
    paths of `desired`, `plain` its non-secret leaf paths (the only target values shown)."""
    old = masker.mask(current, set(), plain) if current is not None else {}
    new = masker.mask(desired, secret)
    return diff(old, new)
