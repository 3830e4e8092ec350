"""Typed values from what the user types, by the CLI's rule (`lcm set ... --type KIND`)."""

from __future__ import annotations

from typing import Any

import lcm.api as api

# The kinds the editor offers; "multiline" is a string typed in a text area.
KINDS = ("auto", "str", "int", "float", "bool", "null", "multiline")


def parse_value(raw: str, kind: str, secret: bool) -> Any:
    """The value `lcm set` would store for `raw` typed as `kind`."""
    kind = "str" if kind == "multiline" else kind
    return api.parse_value(raw, kind, secret)
