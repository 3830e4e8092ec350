"""The one flattening rule: a config file name plus a key path becomes a variable name.

Shared by `lcm get -o env`, `lcm export --to dotenv:/k8s-secret:` and `lcm exec`
(docs/export.md, "Flattening"):

- NAME = PREFIX + the segments joined with `_`: the file name's parts (split at
  `/`), then every map key and list index of the path (`inference` + `llm.api_key`
  → `INFERENCE_LLM_API_KEY`, `router/models` + `routes[0].weight` →
  `ROUTER_MODELS_ROUTES_0_WEIGHT`).
- In a segment, ASCII letters are upper-cased, digits and `_` kept, and exactly
  `-` and `.` become `_`. Any other character (space, `:`, `@`, non-ASCII, …) is an
  error naming the key: lcm does not guess a name for it.
- PREFIX is prepended verbatim (`--prefix APP_` → `APP_INFERENCE_…`) and must match
  `[A-Za-z_][A-Za-z0-9_]*`. A name that would start with a digit is an error.
- Values: strings as they are; `true`/`false`; null → empty string; integers in
  decimal; floats in their shortest round-trip form (`.inf`, `-.inf`, `.nan` as in
  YAML); a list expands to NAME_0, NAME_1, …; an empty map or list gives no variable.
- Two keys that give one name are an error (exit 3) naming both.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from lcm.errors import RepoError, UsageError
from lcm.format.paths import KeyPath, format_path

_KEEP = re.compile(r"[A-Za-z0-9_]")
_MAPPED = "-."
PREFIX_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class FlatValue:
    """One variable: its value as text and where it came from (file name, key path)."""

    name: str
    value: str
    file: str
    path: KeyPath

    @property
    def origin(self) -> str:
        """`inference: llm.api_key`, as messages name a key."""
        return f"{self.file}: {format_path(self.path)}" if self.path else self.file


def check_prefix(prefix: str) -> None:
    if prefix and not PREFIX_RE.match(prefix):
        raise UsageError(f"--prefix {prefix!r}: must match [A-Za-z_][A-Za-z0-9_]*")


def scalar_text(value: Any) -> str:
    """A scalar as a variable's value (see the module doc)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    return str(value)


def _segment(raw: Any, file: str, path: KeyPath) -> str:
    text = scalar_text(raw) if not isinstance(raw, str) else raw
    if not text:
        raise RepoError(f"{_where(file, path)}: an empty key has no variable name")
    out = []
    for char in text:
        if _KEEP.match(char) and char.isascii():
            out.append(char.upper())
        elif char in _MAPPED:
            out.append("_")
        else:
            raise RepoError(
                f"{_where(file, path)}: character {char!r} in {text!r} has no variable-name"
                " form (keys and file names may use A-Z a-z 0-9 _ - .)")
    return "".join(out)


def _where(file: str, path: KeyPath) -> str:
    return f"{file}: {format_path(path)}" if path else f"file {file!r}"


def _leaves(value: Any, path: KeyPath) -> Iterable[tuple[KeyPath, Any]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, path + (index,))
    else:
        yield path, value


def flatten(configs: Iterable[tuple[str, KeyPath, Any]], prefix: str = "") -> dict[str, FlatValue]:
    """Variables of (file name, key path of `value`, value) triples, in document order.

    RepoError (exit 3) for a key with no variable-name form and for two keys that
    give one name; UsageError for a bad prefix."""
    check_prefix(prefix)
    out: dict[str, FlatValue] = {}
    for file, base, tree in configs:
        head = [_segment(part, file, ()) for part in file.split("/")]
        for path, leaf in _leaves(tree, base):
            name = prefix + "_".join(head + [_segment(seg, file, path[:i + 1])
                                             for i, seg in enumerate(path)])
            if not NAME_RE.match(name):
                raise RepoError(f"{_where(file, path)}: variable name {name} starts with a"
                                " digit; add a --prefix")
            flat = FlatValue(name, scalar_text(leaf), file, path)
            other = out.get(name)
            if other is not None:
                raise RepoError(f"{other.origin} and {flat.origin} both flatten to {name};"
                                " rename one of the keys")
            out[name] = flat
    return out


def to_env(value: Any, file: str, path: KeyPath = (), prefix: str = "") -> str:
    """`lcm get -o env`: `NAME=value` lines, quoted for POSIX shells (`eval`, `. FILE`);
    `file` empty means `value` is a whole environment keyed by file name."""
    import shlex

    if file:
        configs = [(file, path, value)]
    elif path:  # a key of a whole environment: its first segment names the file
        configs = [(str(path[0]), path[1:], value)]
    else:  # a whole environment: {file name: tree}
        configs = [(str(name), (), tree) for name, tree in value.items()]
    flat = flatten(configs, prefix)
    return "".join(f"{name}={shlex.quote(v.value)}\n" for name, v in flat.items())
