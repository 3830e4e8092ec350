"""`--to json:FILE`: the effective config of each file, nested, keyed by file name."""

from __future__ import annotations

import json
from typing import Any

from lcm.format.paths import KeyPath
from lcm.ops.export.source import Source, json_path, jsonable


def document(source: Source) -> dict[str, Any]:
    """`{file name: effective config}` with secrets decrypted (JSON-exact, see `jsonable`)."""
    return {f.name: jsonable(f.tree, f.name) for f in source.files}


def secret_paths(source: Source) -> set[KeyPath]:
    return {(f.name, *json_path(f.tree, p)) for f in source.files for p in f.secrets}


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def parse(text: str) -> Any:
    """An existing output file (for `--dry-run`); None when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return None
