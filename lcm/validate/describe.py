"""What a schema says about one key: the `description` of the subschema at a key path,
for `lcm get --explain` and the TUI's table."""

from __future__ import annotations

from typing import Any, Callable

from lcm.format.paths import KeyPath
from lcm.validate.schemas import BUILTIN_PREFIX, CompiledSchema, builtin_contents

_BRANCHES = ("allOf", "anyOf", "oneOf")


def description_at(schema: CompiledSchema, path: KeyPath) -> str | None:
    """The description the schema gives the value at `path`, or None."""
    return _at(schema.contents, schema.contents, path, 0)


def _target(ref: str, root: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The subschema a `$ref` names (local `#/…` or built-in `lcm:KIND#/…`) and its root."""
    doc, _, pointer = ref.partition("#")
    if doc.startswith(BUILTIN_PREFIX):
        try:
            root = builtin_contents(doc[len(BUILTIN_PREFIX):])
        except Exception:
            return None, root
    elif doc:
        return None, root
    target: Any = root
    for part in [p for p in pointer.split("/") if p]:
        key = part.replace("~1", "/").replace("~0", "~")
        target = target.get(key) if isinstance(target, dict) else None
    return target, root


def _at(node: Any, root: dict[str, Any], path: KeyPath, depth: int) -> str | None:
    """The description at `path` below `node`: its own keywords first, then its `$ref`,
    then the branches of allOf/anyOf/oneOf/then/else."""
    if depth > 64 or not isinstance(node, dict):
        return None
    if not path:
        if isinstance(node.get("description"), str):
            return str(node["description"])
    else:
        head, rest = path[0], path[1:]
        child: Any = None
        if isinstance(head, int):
            items = node.get("prefixItems")
            child = items[head] if isinstance(items, list) and head < len(items) \
                else node.get("items")
        else:
            props = node.get("properties")
            if isinstance(props, dict) and head in props:
                child = props[head]
            elif isinstance(node.get("additionalProperties"), dict):
                child = node["additionalProperties"]
        if child is not None:
            found = _at(child, root, rest, depth + 1)
            if found is not None:
                return found
    ref = node.get("$ref")
    if isinstance(ref, str):
        target, target_root = _target(ref, root)
        found = _at(target, target_root, path, depth + 1)
        if found is not None:
            return found
    return _first(lambda branch: _at(branch, root, path, depth + 1), node)


def _first(probe: Callable[[Any], str | None], node: dict[str, Any]) -> str | None:
    for key in _BRANCHES:
        branches = node.get(key)
        if isinstance(branches, list):
            for branch in branches:
                found = probe(branch)
                if found is not None:
                    return found
    for key in ("then", "else"):
        if isinstance(node.get(key), dict):
            found = probe(node[key])
            if found is not None:
                return found
    return None
