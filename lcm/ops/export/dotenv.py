"""dotenv files that python-dotenv and `set -a; . FILE` in bash both read back exactly.

The two parsers agree on only part of the quoting space, so each value takes the
first form that is exact for both (docs/export.md, "dotenv"):

1. single quotes `NAME='…'`: literal in bash; python-dotenv turns `\\\\` and `\\'`
   into `\\` and `'`, so the value must hold no `'`, no backslash followed by a
   backslash or `'`, and not end in a backslash;
2. double quotes `NAME="…"` with `\\` and `"` escaped as `\\\\` and `\\"` (both
   parsers undo exactly these): the value must hold no backtick and no `$` that
   bash would expand (`$` followed by a letter, digit, `_`, `{`, `(`, `[` or one of
   `@*#?-$!`).

Never writable (an error naming the variable, not a mangled value): a `${…}`
reference (python-dotenv expands it even inside single quotes), a carriage return
(python-dotenv reads it as a newline), a NUL byte (bash cannot hold one), and a
value that needs both forms' forbidden characters (a `'` together with `$HOME`).
Multi-line values are written as they are, inside the quotes.
"""

from __future__ import annotations

import re

from lcm.errors import RepoError
from lcm.ops.flatten import FlatValue

_INTERPOLATED = re.compile(r"\$\{[^}:]*(?::-[^}]*)?\}")  # python-dotenv's variable syntax
_SINGLE_BAD = re.compile(r"'|\\[\\']|\\\Z")
_DOUBLE_BAD = re.compile(r"`|\$[A-Za-z0-9_{(\[@*#?\-$!]")


def quote(name: str, value: str) -> str:
    """`value` quoted for both parsers; RepoError naming `name` when no form is exact."""
    problem = None
    if "\0" in value:
        problem = "a NUL byte"
    elif "\r" in value:
        problem = "a carriage return"
    elif _INTERPOLATED.search(value):
        problem = "a ${…} reference, which python-dotenv would expand"
    elif not _SINGLE_BAD.search(value):
        return f"'{value}'"
    elif not _DOUBLE_BAD.search(value):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        problem = "both a quote or backslash pair and a $ or backtick that bash would expand"
    raise RepoError(f"dotenv: the value of {name} cannot be written so that bash and"
                    f" python-dotenv both read it back exactly: it contains {problem}")


def render(variables: dict[str, FlatValue]) -> str:
    """The dotenv text, one `NAME=value` per variable, in order."""
    return "".join(f"{name}={quote(name, flat.value)}\n" for name, flat in variables.items())


_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=('(?:[^']*)'|\"(?:[^\"\\]|\\.)*\"|[^\n]*)\n",
                   re.S)


def parse(text: str) -> dict[str, str] | None:
    """Read back a file in the form `render` writes (for `--dry-run`); None when it is not."""
    out: dict[str, str] = {}
    pos = 0
    while pos < len(text):
        if text[pos] == "\n" or text.startswith("#", pos):
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end + 1
            continue
        match = _LINE.match(text, pos)
        if match is None:
            return None
        name, raw = match.groups()
        if raw.startswith("'"):
            out[name] = raw[1:-1]
        elif raw.startswith('"'):
            out[name] = re.sub(r"\\(.)", r"\1", raw[1:-1], flags=re.S)
        else:
            out[name] = raw.strip()
        pos = match.end()
    return out
