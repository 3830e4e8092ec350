"""The key/value table of one file: key path, value, type, provenance, schema description."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist

import lcm.api as api
from lcm_tui.format import source_text, value_text

COLUMNS = (("key", "key", 22), ("value", "value", 18), ("type", "type", 10),
           ("source", "from", 18), ("description", "description", 60))


class ConfigTable(DataTable[Any]):
    """Rows of a `ConfigView`, secrets masked unless revealed, staged edits in green (the
    view itself is the staged result: values, types and lines as the commit will have them)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self.rows_by_key: dict[str, api.ValueRow] = {}

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            self.add_column(label, key=key, width=width)

    def show(self, view: api.ConfigView, revealed: dict[api.KeyPath, Any],
             staged: set[api.KeyPath]) -> None:
        """Fill the table; the key paths in `staged` (edited, not committed) show in green."""
        cursor_key = self.selected_key
        self.clear()
        self.rows_by_key = {row.key: row for row in view.rows}
        current = view.address
        for row in view.rows:
            self.add_row(*self._cells(row, current, revealed, row.path in staged), key=row.key)
        if cursor_key is not None:
            self.select_key(cursor_key)

    @property
    def selected_key(self) -> str | None:
        """The key path under the cursor, or None for an empty table."""
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return row_key.value

    def select_key(self, key: str) -> bool:
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index)
        return True

    @staticmethod
    def _cells(row: api.ValueRow, current: api.Address, revealed: dict[api.KeyPath, Any],
               staged: bool) -> tuple[Any, ...]:
        plain = row.path in revealed
        shown = revealed[row.path] if plain else row.value
        style = "bold yellow" if plain else ("green" if staged else ("dim" if row.secret else ""))
        value = Text(value_text(shown, row.type), style)
        mine = row.source == current
        source = Text(source_text(row, current), "green" if staged else ("" if mine else "dim"))
        key = Text(row.key, " ".join(["bold"] * mine + ["green"] * staged))
        type_cell = f"{row.type} secret" if row.secret else row.type
        return (key, value, type_cell, source, Text(row.description or "", "dim"))
