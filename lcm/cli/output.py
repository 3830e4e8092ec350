"""The one module that writes data to stdout, and the data formats it writes."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

from lcm.errors import UsageError

FORMATS = ("yaml", "json", "env")


def emit(text: str) -> None:
    """Write `text` to stdout, ending with exactly one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def styled(stream: TextIO | None = None) -> bool:
    """Colour and tables only on a terminal: never into a pipe or file, with `NO_COLOR`
    set (no-color.org) or on a dumb terminal."""
    stream = stream or sys.stdout
    return (stream.isatty() and not os.environ.get("NO_COLOR")
            and os.environ.get("TERM") != "dumb")


def emit_table(columns: list[str], rows: list[list[str]], plain: str) -> None:
    """A rich table on a terminal; `plain` (the scriptable text form) everywhere else."""
    if not styled() or not rows:
        emit(plain)
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(*columns, box=None, header_style="bold", pad_edge=False)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # values are data, never markup
    Console(highlight=False, soft_wrap=False).print(table)


def to_yaml(value: Any) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
        style = "|" if "\n" in data else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)

    _Dumper.add_representer(str, _str)
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=4096)


def _strict_json(value: Any) -> Any:
    """JSON has no NaN/Infinity: write them as YAML's `.nan`, `.inf`, `-.inf` strings."""
    import math

    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, dict):
        return {k: _strict_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strict_json(v) for v in value]
    return value


def to_json(value: Any) -> str:
    return json.dumps(_strict_json(value), indent=2, ensure_ascii=False, allow_nan=False)


def render(value: Any, fmt: str, scalar_bare: bool = False, file: str = "",
           path: tuple[Any, ...] = ()) -> str:
    """`value` in `fmt`; `-o env` names variables by the flattening rule from the config
    `file` and the key `path` of `value`."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown output format {fmt!r} (use one of {', '.join(FORMATS)})")
    if scalar_bare and not isinstance(value, (dict, list)) and fmt == "yaml":
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    if fmt == "json":
        return to_json(value)
    if fmt == "env":
        from lcm.api import to_env

        return to_env(value, file, path)
    return to_yaml(value)
