"""Key paths: tuples of map keys (str) and list indices (int), and their text form."""

from __future__ import annotations

import re
from typing import Any, Iterator

from lcm.errors import UsageError, one_line
from lcm.format.values import KeyPath as KeyPath  # key paths are named here
from lcm.format.values import tree_items

_PLAIN_SEGMENT = re.compile(r"^[A-Za-z0-9_\-/:@+]+$")
_TOKEN = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.\[\]]+)|(\.)')


def format_path(path: KeyPath) -> str:
    """`("llm", "fallbacks", 0, "url")` -> `llm.fallbacks[0].url` (control characters in a
    key shown escaped, so a key path is always one line)."""
    out: list[str] = []
    for seg in path:
        if isinstance(seg, int) and not isinstance(seg, bool):
            out.append(f"[{seg}]")
        elif isinstance(seg, str) and _PLAIN_SEGMENT.match(seg):
            out.append(f".{seg}" if out else seg)
        else:
            escaped = one_line(str(seg).replace("\\", "\\\\").replace('"', '\\"'))
            out.append(f'["{escaped}"]')
    return "".join(out)


def parse_path(text: str) -> KeyPath:
    """Parse `llm.fallbacks[0].url` (or `a["dotted.key"]`) into a key path."""
    if not text or text.startswith(".") or text.endswith(".") or ".." in text:
        raise UsageError(f"bad key path {text!r}: use dotted keys, e.g. llm.api_key or a.list[0]")
    path: list[Any] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() != pos:
            break
        pos = match.end()
        index, quoted, plain, _dot = match.groups()
        if index is not None:
            path.append(int(index))
        elif quoted is not None:
            path.append(re.sub(r"\\(.)", r"\1", quoted))
        elif plain is not None:
            path.append(plain)
    if pos != len(text) or not path:
        raise UsageError(f"bad key path {text!r}: use dotted keys, e.g. llm.api_key or a.list[0]")
    return tuple(path)


def iter_leaves(tree: Any, prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, Any]]:
    """Yield (path, scalar) for every leaf of a nested dict/list tree, in document order
    (an empty map or list below the top counts as a leaf); an explicit stack, so any
    depth is fine."""
    if not isinstance(tree, (dict, list)) or (not tree and prefix):
        yield prefix, tree
        return
    # The maps and lists being walked: (their remaining (key, child) pairs, path).
    stack = [(tree_items(tree), prefix)]
    while stack:
        pairs, path = stack[-1]
        for key, child in pairs:
            if isinstance(child, (dict, list)):
                if not child:
                    yield path + (key,), child
                    continue
                stack.append((tree_items(child), path + (key,)))
                break
            yield path + (key,), child
        else:
            stack.pop()


def lookup(tree: Any, path: KeyPath) -> Any:
    """The value at `path`; KeyError when it is missing."""
    node = tree
    for seg in path:
        if isinstance(node, dict):
            node = node[seg]
        elif isinstance(node, list):
            index = int(seg) if isinstance(seg, (int, str)) and str(seg).isdigit() else None
            if index is None or index >= len(node):
                raise KeyError(seg)
            node = node[index]
        else:
            raise KeyError(seg)
    return node
