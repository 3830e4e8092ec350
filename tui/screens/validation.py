"""The validation panel: every located finding in the repository; enter jumps to it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

import lcm.api as api
from lcm_tui.session import Located, Session
from lcm_tui.workers import LibraryCalls


class ValidationScreen(LibraryCalls, Screen[tuple[api.Address, str] | None]):
    """Dismisses with (address, key path) when the user picks a finding to jump to."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Back"),
        Binding("enter", "jump", "Jump to file and key"),
        Binding("f5", "refresh", "Validate again"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.located: list[Located] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("validating…", id="validation-summary")
        yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "validation"
        table = self.query_one("#findings", DataTable)
        table.add_column("where", width=44)
        table.add_column("key", width=22)
        table.add_column("rule", width=10)
        table.add_column("message")
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_library(self.session.validate, done=self._show, name="validate",
                          exclusive=True, group="validate")

    def _show(self, result: tuple[list[Located], list[str]]) -> None:
        self.located, notes = result
        table = self.query_one("#findings", DataTable)
        table.clear()
        for i, item in enumerate(self.located):
            f = item.finding
            table.add_row(f"{f.file}:{f.line}:{f.col}", f.key, f.rule, f.message, key=str(i))
        count = len(self.located)
        summary = f"{count} problem{'s' * (count != 1)}" if count else "no problems found"
        self.query_one("#validation-summary", Static).update(
            "\n".join([summary, *(f"note: {n}" for n in notes)]))
        table.focus()

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_jump()

    def action_jump(self) -> None:
        table = self.query_one("#findings", DataTable)
        if not table.row_count:
            return
        item = self.located[table.cursor_row]
        if item.address is None:
            self.notify(f"{item.finding.file} is not a config file", severity="warning")
            return
        self.dismiss((item.address, item.finding.key))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
