"""lcm-aware checks: plaintext at keys marked secret, and files whose MAC does not verify.

They apply only to `config/**.yaml` inside an lcm repository (a folder with
`.lcm.yaml`); the core modules are imported only when such a file is scanned, so
`lcm scan FILE` elsewhere stays as light as the regex engine.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from lcm.format.paths import KeyPath

from lcm.scan import filters
from lcm.scan.model import Blob, Finding
from lcm.scan.rules import LCM_RULES

PLAINTEXT = "lcm-plaintext-secret"
MAC_INVALID = "lcm-mac-invalid"
_CONFIG_SUFFIXES = (".yaml", ".yml")


class LcmChecks:
    """Adds lcm findings to a blob's regex findings; one instance per scan (caches repos)."""

    def __init__(self, disabled: tuple[str, ...] = (), verify_mac: bool = True,
                 warn: Callable[[str], None] | None = None) -> None:
        self.plaintext = PLAINTEXT not in disabled
        self.mac = MAC_INVALID not in disabled and verify_mac
        self.warn = warn
        self._roots: dict[str, str | None] = {}
        self._repos: dict[str, Any] = {}
        self._wrong_keys: set[tuple[str, str]] = set()  # (repo root, tenant), warned once

    def merge(self, blob: Blob, found: list[Finding]) -> list[Finding]:
        """`found` plus lcm findings for this blob (a rule finding on the same line wins)."""
        if (
            not (self.plaintext or self.mac)
            or blob.line_map is not None
            or not blob.local_path
            or not blob.local_path.endswith(_CONFIG_SUFFIXES)
        ):
            return found
        full = os.path.abspath(blob.local_path)
        root = self._root_of(os.path.dirname(full))
        if root is None or not full.startswith(os.path.join(root, "config") + os.sep):
            return found
        extra = self._check(root, full, blob)
        lines = {f.line for f in found}
        text_lines = blob.data.split(b"\n")
        merged = found + [
            f for f in extra
            if f.rule_id == MAC_INVALID
            or (f.line not in lines and not filters.line_allows(text_lines, f.line))
        ]
        merged.sort(key=lambda f: (f.line, f.column, f.rule_id))
        return merged

    def _root_of(self, folder: str) -> str | None:
        if folder not in self._roots:
            parent = os.path.dirname(folder)
            if os.path.isfile(os.path.join(folder, ".lcm.yaml")):
                self._roots[folder] = folder
            else:
                self._roots[folder] = None if parent == folder else self._root_of(parent)
        return self._roots[folder]

    def _check(self, root: str, full: str, blob: Blob) -> list[Finding]:
        from lcm.format.document import Document
        from lcm.errors import LcmError

        try:
            repo = self._repo(root)
            doc = Document.parse(blob.data.decode("utf-8"), blob.path)
        except (LcmError, UnicodeDecodeError):
            return []  # not parseable as lcm config: `lcm validate` reports it
        out: list[Finding] = []
        try:
            if self.plaintext:
                out.extend(self._plaintext(repo, root, full, doc, blob))
            if self.mac:
                out.extend(self._mac(repo, full, doc, blob))
        except LcmError:
            pass  # a broken manifest or schema is `lcm validate`'s report, not scan's
        return out

    def _repo(self, root: str) -> Any:
        if root not in self._repos:
            from pathlib import Path

            from lcm.repository.repo import Repo

            self._repos[root] = Repo(Path(root))
        return self._repos[root]

    def _plaintext(self, repo: Any, root: str, full: str, doc: Any, blob: Blob) -> list[Finding]:
        from lcm.format.crypto import is_encrypted
        from lcm.format.values import DELETE
        from lcm.format.paths import iter_leaves

        schema_secret = _schema_secret_paths(repo, root, full, doc.tree)
        out = []
        for path, value in iter_leaves(doc.tree):
            if value is None or value is DELETE or isinstance(value, (dict, list)) or value == "":
                continue
            if is_encrypted(value) or (
                isinstance(value, str) and filters.VARIABLE_VALUE.match(value)
            ):
                continue
            if path in schema_secret or repo.manifest.is_secret_key(path):
                line, column = doc.position(path)
                out.append(
                    Finding(PLAINTEXT, blob.path, line, column, str(value), LCM_RULES[PLAINTEXT])
                )
        return out

    def _mac(self, repo: Any, full: str, doc: Any, blob: Blob) -> list[Finding]:
        from lcm.errors import IntegrityError, LcmError, WrongKey

        addr = None
        try:
            addr = repo.address(full)
            if repo.manifest.require_tenant(addr.tenant).backend == "vault":
                return []  # no network round trip in a pre-commit hook: `lcm validate` checks it
            backend = repo.backend(addr.tenant)
            if not backend.exists():
                return []
            repo.verify(addr)
        except IntegrityError:
            mac = str((doc.meta or {}).get("mac") or "missing")
            return [
                Finding(
                    MAC_INVALID, blob.path, doc.key_position(("lcm", "mac"))[0], 1, mac,
                    LCM_RULES[MAC_INVALID],
                )
            ]
        except WrongKey as err:
            # Keyless by design (a pre-commit hook), so not a failed scan; but a key that is
            # there and wrong must not pass for "no key": one warning per tenant.
            if addr is not None and (repo.root, addr.tenant) not in self._wrong_keys:
                self._wrong_keys.add((repo.root, addr.tenant))
                if self.warn is not None:
                    self.warn(f"warning: {err.message}: MACs of its files not verified")
            return []
        except LcmError:
            return []  # no key here (or a locked keyring): nothing to verify with
        return []


def _schema_secret_paths(repo: Any, root: str, full: str, tree: Any) -> set[KeyPath]:
    from lcm.scan.secretpaths import schema_loader, secret_leaves
    from lcm.validate.mapping import schema_for
    from lcm.validate.schemas import builtin_contents

    rel = os.path.relpath(full, os.path.join(root, "config")).replace(os.sep, "/")
    ref = schema_for(repo.manifest.schemas, rel)
    if ref is None:
        return set()
    load = schema_loader(root, builtin_contents)
    schema = load(ref)
    return secret_leaves(tree, schema, load) if schema is not None else set()

