"""The TUI's one handle on the library: a repository and its pending change-set.

Every method here is a direct call into `lcm.api` and runs in a worker thread; the lock
keeps the change-set (which is not meant for concurrent use) to one caller at a time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lcm.api as api
from lcm.errors import LcmError
from lcm_tui.values import parse_value


@dataclass(frozen=True)
class Located:
    """A validation finding and the file address it points into (None when not a config)."""

    finding: Any
    address: api.Address | None


class Session:
    """One repository plus the change-set that holds the user's staged edits."""

    def __init__(self, path: Path) -> None:
        self.repo = api.Repo.open(path)
        self.changes = self.repo.changes(check_each=True)
        self.lock = threading.RLock()

    # ---- browsing ----------------------------------------------------------------------

    def listing(self) -> api.Listing:
        with self.lock:
            return self.repo.listing()

    def address(self, text: str) -> api.Address:
        with self.lock:
            return self.repo.address(text)

    def view(self, addr: api.Address, effective: bool) -> api.ConfigView:
        """The rows as a commit of the staged edits would leave them (the disk when none
        touch this file's env chain), with the `!delete` markers that hide keys."""
        with self.lock:
            return self.repo.view(addr, effective=effective, changes=self.changes,
                                  markers=True)

    def reveal(self, addr: api.Address, paths: list[api.KeyPath] | None,
               effective: bool) -> dict[api.KeyPath, Any]:
        with self.lock:
            return self.repo.reveal(addr, paths, effective=effective, changes=self.changes)

    # ---- staging -----------------------------------------------------------------------

    def stage_set(self, addr: api.Address, key: str, raw: str, kind: str,
                  secret: bool, unsealed: bool = False) -> api.KeyPath:
        value = parse_value(raw, kind, secret)
        with self.lock:
            return self.changes.set(addr, api.parse_path(key), value, secret=secret,
                                    unsealed=unsealed)

    def stage_delete_marker(self, addr: api.Address, key: str,
                            unsealed: bool = False) -> api.KeyPath:
        with self.lock:
            return self.changes.set(addr, api.parse_path(key), api.DELETE, unsealed=unsealed)

    def stage_unset(self, addr: api.Address, key: str, unsealed: bool = False) -> api.KeyPath:
        with self.lock:
            return self.changes.unset(addr, api.parse_path(key), unsealed=unsealed)

    def stage_new_file(self, tenant: str, env: str, name: str) -> api.Address:
        with self.lock:
            addr = self.repo.address(f"{tenant}/{env}/{name}")
            self.changes.create_file(addr, {})
            return addr

    def pending(self) -> tuple[list[str], list[Any]]:
        """The staged edits as lines and the masked semantic diff of the result."""
        with self.lock:
            return [str(e) for e in self.changes.edits], self.changes.diff()

    def commit(self, message: str) -> Any:
        with self.lock:
            return self.changes.commit(message)

    def discard(self) -> None:
        with self.lock:
            self.changes.discard()

    @property
    def pending_count(self) -> int:
        return len(self.changes)

    # ---- history and checks ------------------------------------------------------------

    def history(self, addr: api.Address, limit: int = 100) -> list[Any]:
        with self.lock:
            return self.repo.history(addr, limit=limit)

    def commit_diff(self, addr: api.Address, rev: str) -> list[Any]:
        with self.lock:
            return self.repo.commit_diff(addr, rev)

    def rollback(self, addr: api.Address, rev: str) -> Any:
        with self.lock:
            return self.repo.rollback(addr, rev)

    def validate(self) -> tuple[list[Located], list[str]]:
        """Findings of the whole repository, each with the address to jump to."""
        with self.lock:
            report = self.repo.validate()
            located = []
            for finding in report.findings:
                try:
                    addr: api.Address | None = self.repo.address(str(self.repo.root / finding.file))
                except LcmError:
                    addr = None
                located.append(Located(finding, addr))
            return located, list(report.notes)
