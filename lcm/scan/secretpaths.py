"""Which leaves of a config tree a JSON Schema marks `"x-lcm-secret": true`, without jsonschema.

The walk is guided by the document (so recursive schemas such as `fallbacks` stop
where the data stops): for each key it follows `properties`, `patternProperties`,
`additionalProperties`, `items`/`prefixItems`, `$ref` (local `#/...`, built-in
`lcm:KIND#/...`, or a file next to the referring schema) and `allOf`/`anyOf`/`oneOf`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

from lcm.format.paths import KeyPath

Loader = Callable[[str], Any]
_Scoped = tuple[Any, Any]  # (schema node, root document it lives in)


def secret_leaves(tree: Any, schema: Any, load: Loader) -> set[KeyPath]:
    """Paths of the scalar leaves of `tree` whose schema carries `x-lcm-secret: true`."""
    found: set[KeyPath] = set()
    _walk(tree, [(schema, schema)], (), load, found)
    return found


def _walk(
    node: Any, scopes: list[_Scoped], path: KeyPath, load: Loader, found: set[KeyPath]
) -> None:
    flat = list(_expand(scopes, load, 0))
    if isinstance(node, dict):
        for key, value in node.items():
            _walk(
                value, [c for s in flat for c in _property(s, str(key))], path + (key,), load, found
            )
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _walk(value, [c for s in flat for c in _item(s, index)], path + (index,), load, found)
    elif any(isinstance(s, dict) and s.get("x-lcm-secret") is True for s, _ in flat):
        found.add(path)


def _expand(scopes: list[_Scoped], load: Loader, depth: int) -> Iterator[_Scoped]:
    """Each schema plus everything it pulls in through $ref and the applicator keywords."""
    for schema, root in scopes:
        if not isinstance(schema, dict) or depth > 32:
            continue
        yield schema, root
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = _resolve(ref, root, load)
            if target is not None:
                yield from _expand([target], load, depth + 1)
        for keyword in ("allOf", "anyOf", "oneOf"):
            subs = schema.get(keyword)
            if isinstance(subs, list):
                yield from _expand([(s, root) for s in subs], load, depth + 1)


def _resolve(ref: str, root: Any, load: Loader) -> _Scoped | None:
    where, _, pointer = ref.partition("#")
    document = root if not where else load(where)
    if document is None:
        return None
    node = document
    for part in (p for p in pointer.split("/") if p):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node, document


def _property(scoped: _Scoped, key: str) -> Iterator[_Scoped]:
    schema, root = scoped
    props = schema.get("properties")
    if isinstance(props, dict) and key in props:
        yield props[key], root
        return
    matched = False
    for pattern, sub in (schema.get("patternProperties") or {}).items():
        try:
            if re.search(pattern, key):
                matched = True
                yield sub, root
        except re.error:
            continue
    extra = schema.get("additionalProperties")
    if not matched and isinstance(extra, dict):
        yield extra, root


def _item(scoped: _Scoped, index: int) -> Iterator[_Scoped]:
    schema, root = scoped
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list) and index < len(prefix):
        yield prefix[index], root
    elif isinstance(schema.get("items"), dict):
        yield schema["items"], root


def schema_loader(repo_root: str, builtin: Callable[[str], Any]) -> Loader:
    """Load `lcm:KIND` through `builtin`, else a JSON file under the repo; None on failure."""
    cache: dict[str, Any] = {}

    def load(ref: str) -> Any:
        if ref not in cache:
            try:
                if ref.startswith("lcm:"):
                    cache[ref] = builtin(ref[4:])
                else:
                    with open(os.path.join(repo_root, ref), encoding="utf-8") as handle:
                        cache[ref] = json.load(handle)
            except Exception:  # noqa: BLE001 - a broken schema is `lcm validate`'s report
                cache[ref] = None
        return cache[ref]

    return load
