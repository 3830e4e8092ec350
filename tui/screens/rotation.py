"""The rotation-status panel: every secret and data key against the manifest's policy
(what `lcm rotate status` prints), the most urgent first; keyless, like the command."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from lcm_tui.session import Session
from lcm_tui.workers import LibraryCalls

UNAVAILABLE = "rotation status: not available in this build"
COLUMNS = ("state", "item", "age", "max age", "due")
_URGENT = ("overdue", "overlap-expired")


def rotation_rows(session: Session) -> list[tuple[str, ...]] | None:
    """One row per data key and secret, offenders first, then by the nearest deadline."""
    import lcm.api as api

    report = session.repo.rotation_status()
    items: list[tuple[bool, Any, tuple[str, ...]]] = []
    for tenant in report.tenants:
        for key in tenant.data_keys:
            row = (key.status, f"{tenant.tenant}: data key v{key.version} ({key.state})",
                   api.format_duration(key.age), key.max_age or "-", key.due or "-")
            items.append((key.status not in _URGENT, key.deadline(), row))
        for secret in tenant.secrets:
            due = secret.due or "-"
            if secret.overlap_until:
                due += f" (previous until {secret.overlap_until})"
            row = (secret.status, f"{secret.address} {secret.key}",
                   api.format_duration(secret.age), secret.max_age or "-", due)
            items.append((secret.status not in _URGENT, secret.deadline(), row))
    items.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in items]


class RotationScreen(LibraryCalls, Screen[None]):
    """Age of every secret and data key against the manifest's policy, overdue first."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="rotation-note")
        yield DataTable(id="rotation-table", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "rotation status"
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.call_library(rotation_rows, self.session, done=self._show, name="rotation")

    def _show(self, rows: Any) -> None:
        note = self.query_one("#rotation-note", Static)
        table = self.query_one(DataTable)
        if rows is None:
            note.update(UNAVAILABLE)
            table.display = False
            return
        note.update(f"{len(rows)} item{'s' * (len(rows) != 1)}")
        table.add_rows(rows)
