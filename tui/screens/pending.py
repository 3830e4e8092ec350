"""The staged changes: each edit, and the masked semantic diff the commit would make."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static

from lcm_tui.format import diff_text
from lcm_tui.session import Session
from lcm_tui.workers import LibraryCalls


class PendingScreen(LibraryCalls, Screen[str | None]):
    """Shows what is staged; `c` commits, `d` discards (the app does both)."""

    BINDINGS = [
        Binding("escape", "dismiss_with(None)", "Back"),
        Binding("c", "dismiss_with('commit')", "Commit"),
        Binding("d", "dismiss_with('discard')", "Discard"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="pending-body"):
            yield Label("Staged edits", classes="section-title")
            yield Static("loading…", id="edits")
            yield Label("Diff (working tree → staged, secrets masked)", classes="section-title")
            yield Static("", id="diff")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "pending changes"
        self.call_library(self.session.pending, done=self._show, name="pending-diff")

    def _show(self, result: tuple[list[str], list[Any]]) -> None:
        edits, files = result
        self.query_one("#edits", Static).update(
            "\n".join(f"  {e}" for e in edits) if edits else "  nothing staged")
        self.query_one("#diff", Static).update(diff_text(files, "working tree", "staged"))

    def action_dismiss_with(self, choice: str | None) -> None:
        self.dismiss(choice)
