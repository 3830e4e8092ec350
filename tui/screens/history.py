"""One file's history: commits that touched it, the semantic diff of the highlighted one,
and rollback of the file to it (confirmed, one new commit)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

import lcm.api as api
from lcm_tui.format import diff_text
from lcm_tui.screens.confirm import ConfirmScreen
from lcm_tui.session import Session
from lcm_tui.workers import LibraryCalls


class HistoryScreen(LibraryCalls, Screen[bool]):
    """Dismisses with True when a rollback was committed (the app then reloads)."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "rollback", "Roll back to this commit"),
    ]

    def __init__(self, session: Session, address: api.Address) -> None:
        super().__init__()
        self.session = session
        self.address = address
        self.entries: dict[str, Any] = {}
        self.rolled_back = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="history-body"):
            yield DataTable(id="commits", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="commit-detail"):
                yield Static("", id="commit-message")
                yield Static("", id="commit-diff")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"history of {self.address}"
        table = self.query_one("#commits", DataTable)
        table.add_column("commit", width=10)
        table.add_column("date", width=16)
        table.add_column("author", width=16)
        table.add_column("message")
        self._load()

    def _load(self) -> None:
        self.call_library(self.session.history, self.address, done=self._show, name="history")

    def _show(self, entries: list[Any]) -> None:
        table = self.query_one("#commits", DataTable)
        table.clear()
        self.entries = {e.id: e for e in entries}
        for e in entries:
            table.add_row(e.id[:10], e.date[:16].replace("T", " "), e.author, e.summary,
                          key=e.id)
        if not entries:
            self.query_one("#commit-message", Static).update(f"no commits touch {self.address}")
        table.focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        rev = event.row_key.value
        if rev is None or rev not in self.entries:
            return
        entry = self.entries[rev]
        trailers = "\n".join(f"{k}: {v}" for k, v in entry.trailers.items())
        body = entry.message.split("\n\n", 1)
        text = body[1] if len(body) > 1 else ""
        for line in entry.trailers:
            text = "\n".join(t for t in text.splitlines() if not t.startswith(f"{line}:"))
        self.query_one("#commit-message", Static).update(
            f"commit {entry.id}\nauthor {entry.author} <{entry.email}>\ndate   {entry.date}\n\n"
            f"    {entry.summary}\n{text.strip() and chr(10) + text.strip() + chr(10)}\n"
            f"{trailers}")
        self.query_one("#commit-diff", Static).update("loading diff…")
        self.call_library(self.session.commit_diff, self.address, rev, name="commit-diff",
                          exclusive=True, group="commit-diff",
                          done=lambda files: self._show_diff(rev, files))

    def _show_diff(self, rev: str, files: list[Any]) -> None:
        self.query_one("#commit-diff", Static).update(
            diff_text(files, f"{rev[:10]}^", rev[:10]))

    def action_rollback(self) -> None:
        table = self.query_one("#commits", DataTable)
        if not table.row_count:
            return
        rev = table.coordinate_to_cell_key(table.cursor_coordinate)[0].value
        if rev is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_library(self.session.rollback, self.address, rev, name="rollback",
                                  done=self._rolled_back)

        self.app.push_screen(ConfirmScreen(
            "Roll back", f"Restore {self.address} to its content at {rev[:10]}?\n"
            "This makes one new commit.", yes="Roll back"), answered)

    def _rolled_back(self, result: Any) -> None:
        self.rolled_back = True
        commit = (getattr(result, "commit_id", None) or "")[:10]
        self.notify(f"rolled back {self.address} to its earlier content (commit {commit})",
                    title="rollback")
        self._load()

    def action_back(self) -> None:
        self.dismiss(self.rolled_back)
