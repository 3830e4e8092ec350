"""A footer that lays the key bindings out in rows, so every action's key shows."""

from __future__ import annotations

import math
from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's footer, wrapped onto `rows` lines (it sets one grid column per binding),
    rebuilt only when what it shows changes."""

    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-columns: auto;
        height: 3;
    }
    """

    def __init__(self, rows: int = 3, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows = rows
        self._shown: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        yield from super().compose()
        columns = self.styles.grid_size_columns or 1
        self.styles.grid_size_columns = math.ceil(columns / self.rows)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        # Textual rebuilds every key on each focus change (40-200 ms of restyling on this
        # screen, measured); the keys shown here change only when an action turns on or off.
        shown = tuple((binding.key, binding.description, enabled, tooltip)
                      for _node, binding, enabled, tooltip in screen.active_bindings.values()
                      if binding.show)
        if shown != self._shown or not self._bindings_ready:
            self._shown = shown
            super().bindings_changed(screen)
