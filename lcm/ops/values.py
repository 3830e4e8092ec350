"""Typed values from text: how `lcm set ADDR KEY VALUE` (and the TUI's editor) read a
value, YAML-1.2-core style, so `0123`, `on`, `1_000` and `0x1f` stay strings; and the
check every staged value passes, so a write never stores what lcm cannot read back."""

from __future__ import annotations

import re
from typing import Any

from lcm.errors import RepoError, UsageError
from lcm.format.loading import MAX_DEPTH, MAX_INT_BITS, MAX_INT_DIGITS
from lcm.format.paths import KeyPath, format_path
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
        if len(text.lstrip("+-")) > MAX_INT_DIGITS:
            raise UsageError(f"VALUE: an integer longer than {MAX_INT_DIGITS} digits (lcm's "
                             "limit); use --type str to store it as text")
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
        if raw.strip() and auto_value(raw) is not None:
            raise UsageError("value is not a valid null (null, ~ or empty)")
        return None
    if kind == "yaml":
        if raw.strip() == "!delete":
            return auto_value(raw)
        from lcm.format.loading import load_tree

        try:
            return load_tree(raw, "VALUE")
        except RepoError as err:
            raise UsageError(err.message) from None
    value = auto_value(raw)
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    expected = {"int": int, "float": float, "bool": bool}[kind]
    if not isinstance(value, expected) or (kind == "int" and isinstance(value, bool)):
        raise UsageError(f"value is not a valid {kind}")
    return value


# A staged string that reads like lcm's own ciphertext would be decrypted on every read.
_CIPHERTEXT_PREFIX = "ENC[AES256_GCM,"
MAX_VALUES = 1_000_000


def check_storable(path: KeyPath, value: Any) -> None:
    """Refuse (exit 2) a value lcm could not store at `path` and read back as given: a
    type outside the data model, nesting deeper than MAX_DEPTH (key path included),
    an integer Python cannot print, text that is not Unicode (a lone surrogate from
    undecodable input), or a string shaped like lcm's own `ENC[...]` ciphertext."""
    if len(path) > MAX_DEPTH:
        raise UsageError(f"key path {format_path(path[:3])}...: deeper than {MAX_DEPTH} "
                         "levels (lcm's limit)")
    for seg in path:
        _check_scalar(path, seg, "key")
    visits = 0  # shared (aliased) values count each time; a cycle hits MAX_DEPTH
    stack: list[tuple[KeyPath, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        visits += 1
        if visits > MAX_VALUES:
            raise UsageError(f"{format_path(path) or 'VALUE'}: more than {MAX_VALUES:,} "
                             "values (lcm's limit)")
        if isinstance(item, (dict, list)):
            if len(where) >= MAX_DEPTH:
                raise UsageError(f"{format_path(path) or 'VALUE'}: nested more than "
                                 f"{MAX_DEPTH} levels deep (lcm's limit)")
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(item, dict):
                    _check_scalar(where + (key,), key, "key")
                stack.append((where + (key,), child))
        else:
            _check_scalar(where, item, "value")


def _check_scalar(where: KeyPath, item: Any, what: str) -> None:
    problem = _scalar_problem(item, what)
    if problem is not None:
        raise UsageError(f"{format_path(where) or 'VALUE'}: {problem}")


def _scalar_problem(item: Any, what: str) -> str | None:
    if isinstance(item, str):
        if not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return f"the {what} is not valid UTF-8 text"
        if what == "value" and item.startswith(_CIPHERTEXT_PREFIX):
            return ("the value looks like lcm ciphertext (ENC[...]); set the plaintext "
                    "instead (--secret encrypts it)")
    elif isinstance(item, int) and not isinstance(item, bool):
        if item.bit_length() > MAX_INT_BITS:
            return f"an integer longer than {MAX_INT_DIGITS} digits (lcm's limit)"
    elif not (item is None or item is DELETE or isinstance(item, (bool, float))):
        return f"a {type(item).__name__} {what} (lcm stores str, int, float, bool and null)"
    return None
