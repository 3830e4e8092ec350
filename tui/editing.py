"""The main screen's editing actions: edit, add, unset, `!delete`, new file, and the
pending changes (diff, commit, discard, quit with a question). Each stages through the
library's change-set in a worker; the mixin keeps `app.py` to browsing and panels."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.containers import Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, TextArea

import lcm.api as api
from lcm_tui.format import edit_text
from lcm_tui.screens.commit import CommitScreen
from lcm_tui.screens.confirm import ConfirmScreen
from lcm_tui.screens.edit import EditRequest, EditScreen, Staged
from lcm_tui.screens.new_file import NewFileScreen
from lcm_tui.screens.pending import PendingScreen
from lcm_tui.session import Session
from lcm_tui.widgets.repo_tree import RepoTree
from lcm_tui.workers import LibraryCalls

EDITABLE_KINDS = ("str", "int", "float", "bool", "null")


class EditingActions(LibraryCalls, App[int]):
    """Mixed into `LcmApp`; uses its state (session, current file, view, staged marks)."""

    session: Session
    current: api.Address | None
    view: api.ConfigView | None
    revealed: dict[api.KeyPath, Any]
    staged: dict[api.Address, set[api.KeyPath]]
    created: set[api.Address]
    _want_key: str | None
    file_addresses: list[str]

    def _need_file(self) -> bool:
        raise NotImplementedError

    def _selected_row(self) -> api.ValueRow | None:
        raise NotImplementedError

    def _selected_env(self) -> tuple[str, str]:
        raise NotImplementedError

    def reload_listing(self) -> None:
        raise NotImplementedError

    def load_view(self) -> None:
        raise NotImplementedError

    async def warm_dialogs(self) -> None:
        """Mount the dialogs' kinds of widget once, hidden, while the app is idle: Textual
        parses a widget class's CSS when it is first mounted, and the first dialog to open
        would pay that (it took the first edit dialog over 50 ms; benchmarks/bench_tui.py)."""
        if not self.is_running or not self.screen_stack:
            return  # the app is shutting down
        warm = Vertical(Input(), Select([("-", "-")], allow_blank=False), Checkbox(),
                        TextArea(), Button())
        warm.display = False
        await self.screen_stack[0].mount(warm)
        await warm.remove()

    # ---- actions: editing --------------------------------------------------------------

    def action_edit(self) -> None:
        row = self._selected_row()
        if row is None or self.current is None:
            return
        if row.type == "delete":  # a value typed here sets the key in this file again
            self._open_editor(EditRequest(self.current, row.key, locked=self._locked()))
            return
        if row.type not in EDITABLE_KINDS:
            self.notify(f"{row.key} is {row.type}; set a new value with `a` (type its key)",
                        severity="warning")
            return
        plain = row.path in self.revealed
        value = self.revealed[row.path] if plain else row.value
        text = "" if row.secret and not plain else edit_text(value)
        kind = "multiline" if isinstance(value, str) and "\n" in value else row.type
        self._open_editor(EditRequest(self.current, row.key, text, kind, row.secret,
                                      self._locked()))

    def action_add_key(self) -> None:
        if self._need_file():
            assert self.current is not None
            self._open_editor(EditRequest(self.current, locked=self._locked()))

    def _locked(self) -> bool:
        """No key for the shown file's tenant (its MAC could not be checked)."""
        return self.view is not None and not self.view.verified

    def _unsealed_note(self, addr: api.Address) -> str:
        return (f"\n\nNo key for tenant {addr.tenant}: the file is written unsealed, for a "
                f"keyholder to review and `lcm reseal {addr}`; reads with the key fail until "
                "then.")

    def _open_editor(self, request: EditRequest) -> None:
        def staged(result: Staged | None) -> None:
            if result is not None:
                self._staged_edit(request.address, result.path,
                                  f"staged: set {request.address} {api.format_path(result.path)}")

        self.push_screen(EditScreen(self.session, request), staged)

    def action_unset(self) -> None:
        row = self._selected_row()
        if row is None or self.current is None:
            return
        addr, key = self.current, row.key

        def stage(unsealed: bool) -> None:
            self.call_library(self.session.stage_unset, addr, key, unsealed, name="stage-unset",
                              done=lambda path: self._staged_edit(addr, path,
                                                                  f"staged: unset {addr} {key}"))

        if not self._locked():
            stage(False)
            return
        self.push_screen(ConfirmScreen(
            "Unset without the key", f"Remove {key} from {addr}?" + self._unsealed_note(addr),
            yes="Unset unsealed"), lambda yes: stage(True) if yes else None)

    def action_mark_delete(self) -> None:
        row = self._selected_row()
        if row is None or self.current is None:
            return
        addr, key = self.current, row.key
        if row.type == "delete":
            self.notify(f"{key} is already marked !delete (u removes the marker)",
                        severity="warning")
            return

        locked = self._locked()

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_library(self.session.stage_delete_marker, addr, key, locked,
                                  name="stage-delete",
                                  done=lambda path: self._staged_edit(
                                      addr, path, f"staged: {key} !delete in {addr}"))

        self.push_screen(ConfirmScreen(
            "Mark !delete", f"Hide {key} in {addr} (and the envs below it) with a !delete "
            "marker in this file?" + (self._unsealed_note(addr) if locked else ""),
            yes="Mark !delete"), answered)

    def action_new_file(self) -> None:
        tenant, env = self._selected_env()
        if not tenant or not env:
            self.notify("select an environment (or a file in it) in the tree first",
                        severity="warning")
            return

        def created(addr: api.Address | None) -> None:
            if addr is not None:
                self.created.add(addr)
                self.query_one(RepoTree).add_pending_file(addr.tenant, addr.env, addr.name)
                self.file_addresses = self.query_one(RepoTree).addresses
                self._update_pending(f"staged: new file {addr}")
                self.query_one(RepoTree).reveal_file(str(addr))

        self.push_screen(NewFileScreen(self.session, tenant, env), created)

    def _staged_edit(self, addr: api.Address, path: api.KeyPath, note: str) -> None:
        """Show an accepted edit: the table reloads the view of the staged result."""
        self.staged.setdefault(addr, set()).add(path)
        for shown in [p for p in self.revealed if p[: len(path)] == path]:
            del self.revealed[shown]  # the plaintext revealed before the edit is not current
        if addr == self.current:
            self._want_key = api.format_path(path)
            self.load_view()
        self._update_pending(note)

    def _update_pending(self, note: str | None = None) -> None:
        count = self.session.pending_count
        label = self.query_one("#pending", Label)
        label.update(f"{count} pending · p diff · c commit" if count else "no pending changes")
        label.set_class(bool(count), "has-pending")
        if note:
            self.notify(note, title="pending changes", timeout=3)

    # ---- actions: pending changes ------------------------------------------------------

    def action_pending(self) -> None:
        def chosen(choice: str | None) -> None:
            if choice == "commit":
                self.action_commit()
            elif choice == "discard":
                self.action_discard()

        self.push_screen(PendingScreen(self.session), chosen)

    def action_commit(self) -> None:
        count = self.session.pending_count
        if not count:
            self.notify("nothing staged to commit", severity="warning")
            return

        def committed(written: Any) -> None:
            if written is not None:
                commit = (written.commit_id or "")[:10]
                self.notify(f"committed {commit} ({len(written.paths)} "
                            f"file{'s' * (len(written.paths) != 1)})", title="commit")
                self._after_write()

        self.push_screen(CommitScreen(self.session, count), committed)

    def action_discard(self) -> None:
        count = self.session.pending_count
        if not count:
            self.notify("nothing staged", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_library(self.session.discard, name="discard",
                                  done=lambda _r: self._after_write("discarded staged edits"))

        self.push_screen(ConfirmScreen(
            "Discard", f"Forget {count} staged change{'s' * (count != 1)}?",
            yes="Discard"), answered)

    def _after_write(self, note: str | None = None) -> None:
        self.staged.clear()
        self.created.clear()
        self._update_pending()
        if note:
            self.notify(note, title="pending changes")
        self.reload_listing()

    async def action_quit(self) -> None:
        count = self.session.pending_count
        if not count:
            self.exit(0)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        self.push_screen(ConfirmScreen(
            "Quit", f"{count} staged change{'s' * (count != 1)} not committed. "
            "Quit and lose them?", yes="Quit"), answered)
