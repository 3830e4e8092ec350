"""The rotation-status panel: a placeholder until the rotation issue adds it to the library.

To fill it in: make `rotation_rows` call the library's status function (e.g.
`repo.rotation_status()`) and return one tuple per secret or data key, overdue first;
the screen already shows such rows in its table.
"""

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


def rotation_rows(session: Session) -> list[tuple[str, ...]] | None:
    """Rows of the rotation status (overdue first), or None while the library has none."""
    status = getattr(session.repo, "rotation_status", None)
    if status is None:
        return None
    return [tuple(str(cell) for cell in row) for row in status()]  # pragma: no cover


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
