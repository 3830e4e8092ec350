"""The commit dialog: a typed message; the staged change-set becomes exactly one commit."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from lcm_tui.session import Session
from lcm_tui.workers import LibraryCalls


class CommitScreen(LibraryCalls, ModalScreen[Any]):
    """Asks for the message, commits in a worker, dismisses with the `Written` result."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session, count: int) -> None:
        super().__init__(classes="dialog-screen")
        self.session = session
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"Commit {self.count} staged change{'s' * (self.count != 1)}",
                        classes="dialog-title")
            yield Input(placeholder="commit message", id="message")
            yield Static("", id="error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Commit (enter)", id="commit", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_commit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "commit":
            self.action_commit()
        else:
            self.action_cancel()

    def action_commit(self) -> None:
        message = self.query_one("#message", Input).value.strip()
        if not message:
            self._error("type a commit message")
            return
        self._error("")
        self.call_library(self.session.commit, message, done=self.dismiss,
                          failed=lambda text, _e: self._error(text), name="commit")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)
