"""A footer that lays the key bindings out in two rows, so every action's key shows."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's footer, wrapped onto `rows` lines (it sets one grid column per binding)."""

    DEFAULT_CSS = """
    KeyFooter {
        layout: grid;
        grid-columns: auto;
        height: 2;
    }
    """

    def __init__(self, rows: int = 2, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield from super().compose()
        columns = self.styles.grid_size_columns or 1
        self.styles.grid_size_columns = math.ceil(columns / self.rows)
