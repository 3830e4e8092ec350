"""Typed values from text: how `lcm set ADDR KEY VALUE` (and the TUI's editor) read a
value, YAML-1.2-core style, so `0123`, `on`, `1_000` and `0x1f` stay strings."""

from __future__ import annotations

import re
from typing import Any

from lcm.errors import RepoError, UsageError
from lcm.format.values import DELETE

VALUE_TYPES = ("auto", "str", "int", "float", "bool", "null", "yaml")

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)")
_SPECIAL_FLOATS = {".inf": "inf", "+.inf": "inf", "-.inf": "-inf", ".nan": "nan"}


def auto_value(raw: str) -> Any:
    """YAML-1.2-core-style typing of a command-line VALUE: `0123`, `on`, `1_000`
    and `0x1f` stay strings (YAML 1.1 would turn them into numbers or booleans)."""
    text = raw.strip()
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    if text.lower() in _SPECIAL_FLOATS:
        return float(_SPECIAL_FLOATS[text.lower()])
    if text in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return text.lower() == "true"
    if text in ("null", "Null", "NULL", "~"):
        return None
    if text == "!delete":
        return DELETE
    return raw


def parse_value(raw: str, kind: str, secret: bool) -> Any:
    """Turn VALUE text into a typed value (`auto`: number/bool/null when it looks
    like one, else a string; secrets stay strings unless --type says otherwise)."""
    if kind not in VALUE_TYPES:
        raise UsageError(f"--type must be one of {', '.join(VALUE_TYPES)}")
    if kind == "str" or (kind == "auto" and secret):
        return raw
    if kind == "auto":
        return auto_value(raw)
    if kind == "null":
        return None
    if kind == "yaml":
        if raw.strip() == "!delete":
            return auto_value(raw)
        import yaml

        from lcm.format.document import check_data_model, compose, construct

        try:
            node = compose(raw, "VALUE")
            if node is None:
                return None
            check_data_model(node, "VALUE")
            return construct(node)
        except RepoError as err:
            raise UsageError(err.message) from None
        except (yaml.YAMLError, TypeError, RecursionError):
            raise UsageError("VALUE is not valid YAML for --type yaml") from None
    value = auto_value(raw)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    expected = {"int": int, "float": float, "bool": bool}[kind]
    if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
        raise UsageError(f"value is not a valid {kind}")
    return value
