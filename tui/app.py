"""`LcmApp`: the main screen (tree of files, key/value table) and the actions on it.

Library calls run in worker threads (`LibraryCalls.call_library`); their results come
back through the workers' state messages, so only handlers on the UI thread touch widgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static, Tree

import lcm.api as api
from lcm.errors import IntegrityError
from lcm_tui.commands import ActionsProvider, FilesProvider
from lcm_tui.screens.history import HistoryScreen
from lcm_tui.screens.rotation import RotationScreen
from lcm_tui.screens.validation import ValidationScreen
from lcm_tui.session import Session
from lcm_tui.editing import EditingActions
from lcm_tui.widgets.config_table import ConfigTable
from lcm_tui.widgets.key_footer import KeyFooter
from lcm_tui.widgets.repo_tree import Place, RepoTree


class LcmApp(EditingActions):
    """The lcm terminal UI for the config repository at `path`."""

    CSS_PATH = "app.tcss"
    TITLE = "lcm"
    COMMANDS = App.COMMANDS | {ActionsProvider, FilesProvider}
    # In footer order, three rows of five: viewing; editing; pending changes, panels, quit.
    BINDINGS = [
        Binding("t", "toggle_view", "Effective/stored"),
        Binding("r", "reveal", "Reveal"),
        Binding("R", "reveal_all", "Reveal all"),
        Binding("h", "history", "History"),
        Binding("v", "validation", "Validate"),
        Binding("e", "edit", "Edit"),
        Binding("a", "add_key", "Add key"),
        Binding("u", "unset", "Unset"),
        Binding("x", "mark_delete", "!delete"),
        Binding("n", "new_file", "New file"),
        Binding("p", "pending", "Pending diff"),
        Binding("c", "commit", "Commit"),
        Binding("D", "discard", "Discard"),
        Binding("s", "rotation", "Rotation", tooltip="Rotation status: overdue secrets and "
                "data keys first"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, path: Path | str = ".", *, open_address: str | None = None) -> None:
        super().__init__()
        self.session = Session(Path(path))
        self.open_request = open_address
        self.current: api.Address | None = None
        self.view: api.ConfigView | None = None
        self.effective = True
        self.revealed: dict[api.KeyPath, Any] = {}
        self.staged: dict[api.Address, set[api.KeyPath]] = {}  # key paths edited, per file
        self.created: set[api.Address] = set()  # files staged for creation
        self.file_addresses: list[str] = []
        self.listing: api.Listing | None = None
        self._first_paint_done = False
        self._want_key: str | None = None

    # ---- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield RepoTree(id="tree")
            with Vertical(id="file-pane"):
                yield Static("select a file in the tree", id="file-title")
                yield Static("", id="file-status")
                yield ConfigTable(id="table")
                yield Static("", id="row-detail")
        with Horizontal(id="bottom"):
            yield KeyFooter(id="footer")
            yield Label("no pending changes", id="pending")

    def on_mount(self) -> None:
        self.sub_title = self.session.repo.root.name
        self.query_one(RepoTree).focus()
        self.reload_listing()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The main screen's actions are off (and out of the footer) while a panel is open."""
        if action != "quit" and action in self._main_actions and len(self.screen_stack) > 1:
            return False
        return True

    @property
    def _main_actions(self) -> set[str]:
        return {b.action for b in self.BINDINGS if isinstance(b, Binding)}

    def palette_actions(self, screen: Screen[Any]) -> Iterator[tuple[str, str, str]]:
        """(action, description, key) of every binding active on `screen`, for the command
        palette: the main screen's actions there, a panel's own actions on a panel."""
        on_main = screen is self.screen_stack[0]
        namespace = "" if on_main else "screen."
        for binding in self.BINDINGS if on_main else screen.BINDINGS:
            assert isinstance(binding, Binding)
            yield (namespace + binding.action, binding.tooltip or binding.description,
                   binding.key)

    # ---- loading -----------------------------------------------------------------------

    def reload_listing(self) -> None:
        self.call_library(self.session.listing, done=self._listed, name="listing",
                          exclusive=True, group="listing")

    def _listed(self, listing: api.Listing) -> None:
        self.listing = listing
        tree = self.query_one(RepoTree)
        tree.populate(listing)
        for addr in sorted(self.created):
            if str(addr) not in tree.addresses:
                tree.add_pending_file(addr.tenant, addr.env, addr.name)
        self.file_addresses = tree.addresses
        if not self._first_paint_done:  # after the first paint, while the user reads it
            self._first_paint_done = True
            self.set_timer(0.3, self._after_first_paint)
        if self.open_request:
            self.open_address(self.open_request)
            self.open_request = None
        elif self.current is not None:
            tree.reveal_file(str(self.current))
            self.load_view()

    async def _after_first_paint(self) -> None:
        """Work that would otherwise land on the first keystrokes: the dialogs' CSS, and a
        `gc.freeze()` of what start-up built (Textual, lcm, the tree), so the collector's
        full passes skip it: with ~127k objects each took 55-73 ms, every other time an
        edit dialog opened (measured; benchmarks/bench_tui.py)."""
        import gc

        await self.warm_dialogs()
        if self.is_running:
            gc.freeze()

    def on_unmount(self) -> None:
        import gc

        gc.unfreeze()  # the objects frozen above become collectable again once the app ends

    def open_address(self, text: str, key: str | None = None) -> None:
        """Open a file by its address (from the palette, `--open` or a finding)."""
        self._want_key = key
        self.call_library(self.session.address, text, done=self._open_resolved,
                          name="resolve-address")

    def _open_resolved(self, addr: api.Address) -> None:
        self.query_one(RepoTree).reveal_file(str(addr))
        self.open_file(addr)

    def open_file(self, addr: api.Address) -> None:
        if addr != self.current:
            self.revealed.clear()  # leaving a file hides what was revealed in it
        self.current = addr
        self.load_view()

    def load_view(self) -> None:
        if self.current is None:
            return
        addr, effective = self.current, self.effective
        self.query_one("#file-title", Static).update(self._title(addr))
        self.call_library(self.session.view, addr, effective, name="view", exclusive=True,
                          group="view", done=self._show_view,
                          failed=lambda text, err: self._view_failed(addr, text, err))

    def _show_view(self, view: api.ConfigView) -> None:
        if view.address != self.current or view.effective != self.effective:
            return  # an older request finished after the user moved on
        self.view = view
        table = self.query_one(ConfigTable)
        table.show(view, self.revealed, self.staged.get(view.address, set()))
        if self._want_key is not None:  # a jump (palette, finding): show the key
            if self._want_key:
                table.select_key(self._want_key)
            table.focus()
            self._want_key = None
        self._set_status(view)

    def _view_failed(self, addr: api.Address, text: str, error: BaseException) -> None:
        if addr != self.current:
            return
        self.view = None
        self.query_one(ConfigTable).clear()
        status = self.query_one("#file-status", Static)
        if isinstance(error, IntegrityError):
            status.update(f"integrity error: {text}")
            status.set_class(True, "error")
            self.query_one(RepoTree).mark_problem(str(addr), "integrity error")
            self.notify(text, title=f"{addr}: integrity error", severity="error", timeout=8)
        else:
            status.update(text)
            status.set_class(True, "error")
            self.notify(text, title=str(addr), severity="error")

    def _title(self, addr: api.Address) -> str:
        mode = "effective config" if self.effective else "stored keys of this file"
        return f"{addr}  ·  {mode}"

    def _set_status(self, view: api.ConfigView) -> None:
        status = self.query_one("#file-status", Static)
        status.set_class(False, "error")
        parts = ["MAC verified" if view.verified else
                 f"secrets locked: no key for tenant {view.tenant}"]
        if view.schema:
            parts.append(f"schema {view.schema}")
        secrets = sum(r.secret for r in view.rows)
        shown = sum(r.path in self.revealed for r in view.rows)
        if secrets:
            parts.append(f"{secrets} secret{'s' * (secrets != 1)}"
                         + (f", {shown} revealed (audited)" if shown else " masked"))
        if self.staged.get(view.address):
            parts.append("staged in green")
        status.update("  ·  ".join(parts))

    # ---- tree and table events ---------------------------------------------------------

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[Place]) -> None:
        place = event.node.data
        if place is not None and place.kind == "file":
            addr = api.Address(place.tenant, place.env, place.name)
            if addr != self.current:
                self.open_file(addr)

    def on_tree_node_selected(self, event: Tree.NodeSelected[Place]) -> None:
        place = event.node.data
        if place is not None and place.kind == "file":
            self.query_one(ConfigTable).focus()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if not isinstance(event.data_table, ConfigTable):
            return
        row = event.data_table.rows_by_key.get(str(event.row_key.value))
        detail = self.query_one("#row-detail", Static)
        if row is None:
            detail.update("")
            return
        where = f"{row.source.relpath}:{row.line}" if row.source and row.line else ""
        detail.update(f"{row.key}  ·  {where}\n{row.description or 'no schema description'}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, ConfigTable):
            self.action_edit()

    # ---- actions: viewing --------------------------------------------------------------

    def action_toggle_view(self) -> None:
        self.effective = not self.effective
        self.revealed.clear()
        self.load_view()

    def action_reveal(self) -> None:
        row = self._selected_row()
        if row is None or self.current is None:
            return
        if not row.secret:
            self.notify(f"{row.key} is not a secret", severity="warning")
            return
        self._reveal([row.path])

    def action_reveal_all(self) -> None:
        if self._need_file() and self.view is not None:
            if not any(r.secret for r in self.view.rows):
                self.notify("no secrets in this view", severity="warning")
                return
            self._reveal(None)

    def _reveal(self, paths: list[api.KeyPath] | None) -> None:
        assert self.current is not None
        addr = self.current
        self.call_library(self.session.reveal, addr, paths, self.effective, name="reveal",
                          done=lambda plain: self._revealed(addr, plain),
                          failed=lambda text, _e: self.notify(
                              text, title="reveal refused", severity="error", timeout=8))

    def _revealed(self, addr: api.Address, plain: dict[api.KeyPath, Any]) -> None:
        if addr != self.current or self.view is None:
            return
        self.revealed.update(plain)
        self.query_one(ConfigTable).show(self.view, self.revealed, self.staged.get(addr, set()))
        self._set_status(self.view)
        count = len(plain)
        self.notify(f"revealed {count} secret{'s' * (count != 1)} of {addr} (audited); "
                    "hidden again when you leave the file", title="reveal")

    # ---- actions: panels ---------------------------------------------------------------

    def action_history(self) -> None:
        if not self._need_file():
            return
        assert self.current is not None

        def closed(rolled_back: bool | None) -> None:
            if rolled_back:
                self.reload_listing()

        self.push_screen(HistoryScreen(self.session, self.current), closed)

    def action_validation(self) -> None:
        def chosen(target: tuple[api.Address, str] | None) -> None:
            if target is not None:
                addr, key = target
                self._want_key = key
                self.query_one(RepoTree).reveal_file(str(addr))
                self.open_file(addr)

        self.push_screen(ValidationScreen(self.session), chosen)

    def action_rotation(self) -> None:
        self.push_screen(RotationScreen(self.session))

    # ---- helpers -----------------------------------------------------------------------

    def _need_file(self) -> bool:
        if self.current is None:
            self.notify("open a file first (pick one in the tree)", severity="warning")
            return False
        return True

    def _selected_row(self) -> api.ValueRow | None:
        if not self._need_file():
            return None
        table = self.query_one(ConfigTable)
        key = table.selected_key
        row = table.rows_by_key.get(key) if key is not None else None
        if row is None:
            self.notify("select a key in the table first", severity="warning")
        return row

    def _selected_env(self) -> tuple[str, str]:
        node = self.query_one(RepoTree).cursor_node
        place = node.data if node is not None else None
        if place is not None and place.env:
            return place.tenant, place.env
        if self.current is not None:
            return self.current.tenant, self.current.env
        return "", ""
