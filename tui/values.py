"""Typed values from what the user types, by the CLI's rule (`lcm set ... --type KIND`)."""

from __future__ import annotations

import importlib
from typing import Any

import lcm.api as api

# The kinds the editor offers; "multiline" is a string typed in a text area.
KINDS = ("auto", "str", "int", "float", "bool", "null", "multiline")


def parse_value(raw: str, kind: str, secret: bool) -> Any:
    """The value `lcm set` would store for `raw` typed as `kind`."""
    kind = "str" if kind == "multiline" else kind
    parse = getattr(api, "parse_value", None)
    if parse is None:
        # TODO(api): lcm.api.parse_value (the lead's move of auto_value/parse_value to
        # lcm/ops/values.py) is not on this branch yet; until then borrow the CLI's function.
        parse = importlib.import_module("lcm.cli.config").parse_value
    return parse(raw, kind, secret)
