"""How values, provenance and diffs read on screen (display only, no decisions)."""

from __future__ import annotations

import json
from typing import Any

import lcm.api as api

MASK = "********"


def value_text(value: Any, type_name: str) -> str:
    """One line for a table cell: YAML spellings for null and booleans, long text cut."""
    if type_name == "delete":
        return "!delete"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False) if value else ("{}" if isinstance(
            value, dict) else "[]")
    text = str(value)
    first, _, rest = text.partition("\n")
    return first + " …" if rest else text


def edit_text(value: Any) -> str:
    """The text an editor field starts with for a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def source_text(row: api.ValueRow, current: api.Address) -> str:
    """Provenance as `ENV/NAME:LINE`, or `this file:LINE` for the open file."""
    if row.source is None:
        return ""
    line = f":{row.line}" if row.line else ""
    where = "this file" if row.source == current else f"{row.source.env}/{row.source.name}"
    return where + line


def diff_text(files: list[Any], old_label: str, new_label: str) -> str:
    """The masked key-level diff, as `lcm diff` prints it."""
    import lcm.api as api

    return api.Diff(files, old_label, new_label).to_text() or "no changes"
