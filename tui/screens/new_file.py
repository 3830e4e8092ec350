"""Create a config file in an environment (staged like any other edit)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

import lcm.api as api
from lcm_tui.session import Session
from lcm_tui.workers import LibraryCalls


class NewFileScreen(LibraryCalls, ModalScreen[api.Address | None]):
    """Asks for a name (namespaces with `/`), stages the file, dismisses with its address."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session, tenant: str, env: str) -> None:
        super().__init__(classes="dialog-screen")
        self.session = session
        self.tenant = tenant
        self.env = env

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"New file in {self.tenant}/{self.env}", classes="dialog-title")
            yield Input(placeholder="name, e.g. parameters or prompts/support", id="name")
            yield Static("", id="error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create (enter)", id="create", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.action_create()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_create() if event.button.id == "create" else self.action_cancel()

    def action_create(self) -> None:
        name = self.query_one("#name", Input).value.strip().removesuffix(".yaml")
        if not name:
            self._error("type a name")
            return
        self.call_library(self.session.stage_new_file, self.tenant, self.env, name,
                          name="stage-new-file", done=self.dismiss,
                          failed=lambda text, _e: self._error(text))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)
