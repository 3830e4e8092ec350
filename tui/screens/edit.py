"""The value editor: typed input (or a text area for multi-line strings), validated by the
change-set before the dialog closes; a refused edit shows its error under the field."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

import lcm.api as api
from lcm_tui.session import Session
from lcm_tui.values import KINDS
from lcm_tui.workers import LibraryCalls


@dataclass(frozen=True)
class EditRequest:
    """What the editor starts from: the file, the key (empty to add one) and its value."""

    address: api.Address
    key: str = ""
    text: str = ""
    kind: str = "auto"
    secret: bool = False
    locked: bool = False  # no key for the tenant: only an unsealed plain edit can be staged


@dataclass(frozen=True)
class Staged:
    """An accepted edit: the key path as stored (list indices where the tree has a list)."""

    path: api.KeyPath


class EditScreen(LibraryCalls, ModalScreen[Staged | None]):
    """Edits or adds one value; dismisses with `Staged` once the change-set accepted it."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def __init__(self, session: Session, request: EditRequest) -> None:
        super().__init__(classes="dialog-screen")
        self.session = session
        self.request = request

    def compose(self) -> ComposeResult:
        req = self.request
        adding = not req.key
        with Vertical(classes="dialog wide"):
            yield Label(f"{'Add a key to' if adding else 'Edit'} {req.address}",
                        classes="dialog-title")
            yield Input(req.key, placeholder="key path, e.g. llm.timeout_s", id="key",
                        disabled=not adding)
            with Horizontal(classes="row"):
                yield Select([(k, k) for k in KINDS], value=req.kind, allow_blank=False,
                             id="kind")
                yield Checkbox("secret", req.secret, id="secret", disabled=req.secret)
            yield Input(req.text if req.kind != "multiline" else "",
                        placeholder="new secret value" if req.secret else "value", id="value",
                        password=req.secret)
            yield TextArea(req.text if req.kind == "multiline" else "", id="text",
                           soft_wrap=True, show_line_numbers=False)
            if req.locked:
                yield Checkbox(f"no key for tenant {req.address.tenant}: write it unsealed, for "
                               "a keyholder to review and `lcm reseal` (reads with the key "
                               "fail until then)", False, id="unsealed")
            yield Static("", id="error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stage (enter / ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self._show_kind(self.request.kind)
        target = "#key" if not self.request.key else (
            "#text" if self.request.kind == "multiline" else "#value")
        self.query_one(target).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._show_kind(str(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "key":
            self.query_one("#value" if self._kind != "multiline" else "#text").focus()
        else:
            self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_save(self) -> None:
        key = self.query_one("#key", Input).value.strip()
        if not key:
            self._error("type a key path")
            return
        raw = (self.query_one("#text", TextArea).text if self._kind == "multiline"
               else self.query_one("#value", Input).value)
        secret = self.query_one("#secret", Checkbox).value
        unsealed = self.request.locked and self.query_one("#unsealed", Checkbox).value
        self._error("")
        self.call_library(self.session.stage_set, self.request.address, key, raw, self._kind,
                          secret, unsealed, name="stage-set",
                          done=lambda path: self.dismiss(Staged(path)),
                          failed=lambda text, _e: self._error(text))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @property
    def _kind(self) -> str:
        return str(self.query_one("#kind", Select).value)

    def _show_kind(self, kind: str) -> None:
        multiline = kind == "multiline"
        self.query_one("#value", Input).display = not multiline and kind != "null"
        self.query_one("#text", TextArea).display = multiline

    def _error(self, text: str) -> None:
        self.query_one("#error", Static).update(text)
