"""Flattening a config into environment-variable style names (`-o env`, and later
dotenv, k8s-secret and `lcm exec`): nested keys joined with `_`, upper-cased."""

from __future__ import annotations

import re
import shlex
from typing import Any


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _flatten(child, f"{prefix}_{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _flatten(child, f"{prefix}_{index}" if prefix else str(index), out)
    else:
        out[re.sub(r"[^A-Za-z0-9]", "_", prefix).upper()] = value


def to_env(value: Any, prefix: str = "") -> str:
    """`KEY=value` lines (dotenv/shell), nested keys joined with `_`, upper-cased."""
    flat: dict[str, Any] = {}
    _flatten(value, prefix, flat)
    lines = []
    for key, leaf in flat.items():
        text = "" if leaf is None else ("true" if leaf is True else "false" if leaf is False else str(leaf))
        lines.append(f"{key}={shlex.quote(text)}")
    return "\n".join(lines) + ("\n" if lines else "")
