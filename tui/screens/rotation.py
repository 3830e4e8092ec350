"""The rotation-status panel: every secret and data key against the manifest's policy
(what `lcm rotate status` prints), the most urgent first; keyless, like the command.
`f` (or enter) on a row shows the `lcm rotate …` command that fixes it and copies it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

import lcm.api as api
from lcm_tui.session import Session
from lcm_tui.workers import LibraryCalls

COLUMNS = ("state", "item", "age", "max age", "due")
_URGENT = ("overdue", "overlap-expired")


@dataclass(frozen=True)
class RotationRow:
    """One table row and the command that fixes it (None when nothing needs fixing)."""

    cells: tuple[str, ...]
    fix: str | None


def rotation_rows(session: Session) -> list[RotationRow]:
    """One row per data key and secret, offenders first, then by the nearest deadline."""
    report = session.repo.rotation_status()
    items: list[tuple[bool, Any, RotationRow]] = []
    for tenant in report.tenants:
        for key in tenant.data_keys:
            cells = (key.status, f"{tenant.tenant}: data key v{key.version} ({key.state})",
                     api.format_duration(key.age), key.max_age or "-", key.due or "-")
            items.append((key.status not in _URGENT, key.deadline(),
                          RotationRow(cells, api.fix_command(key))))
        for secret in tenant.secrets:
            due = secret.due or "-"
            if secret.overlap_until:
                due += f" (previous until {secret.overlap_until})"
            cells = (secret.status, f"{secret.address} {secret.key}",
                     api.format_duration(secret.age), secret.max_age or "-", due)
            items.append((secret.status not in _URGENT, secret.deadline(),
                          RotationRow(cells, api.fix_command(secret))))
    items.sort(key=lambda item: (item[0], item[1]))
    return [row for _, _, row in items]


class RotationScreen(LibraryCalls, Screen[None]):
    """Age of every secret and data key against the manifest's policy, overdue first."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f", "fix", "Fix command", tooltip="Show and copy the command that fixes "
                "the highlighted item"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.rows: list[RotationRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("loading…", id="rotation-note")
        yield DataTable(id="rotation-table", cursor_type="row")
        yield Static("", id="rotation-fix")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "rotation status"
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.call_library(rotation_rows, self.session, done=self._show, name="rotation")

    def _show(self, rows: list[RotationRow]) -> None:
        self.rows = rows
        offenders = sum(row.fix is not None for row in rows)
        self.query_one("#rotation-note", Static).update(
            f"{len(rows)} item{'s' * (len(rows) != 1)}"
            + (f", {offenders} to fix (f shows the command)" if offenders else ""))
        table = self.query_one(DataTable)
        table.add_rows(row.cells for row in rows)
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self._row(event.cursor_row)
        fix = self.query_one("#rotation-fix", Static)
        fix.update(f"fix: {row.fix}" if row and row.fix else "")

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_fix()

    def action_fix(self) -> None:
        """Show the highlighted offender's command (a notification that stays a while) and
        copy it (OSC 52: terminals that support it put it on the clipboard)."""
        row = self._row(self.query_one(DataTable).cursor_row)
        if row is None:
            return
        if row.fix is None:
            self.notify(f"{row.cells[1]}: {row.cells[0]}, nothing to fix", title="rotation")
            return
        self.app.copy_to_clipboard(row.fix)
        hint = "\npipe the new value in, or use --generate SPEC" if "--value-stdin" in row.fix \
            else ""
        self.notify(f"{row.fix}{hint}", title="fix (copied)", timeout=20)

    def _row(self, index: int) -> RotationRow | None:
        return self.rows[index] if 0 <= index < len(self.rows) else None
