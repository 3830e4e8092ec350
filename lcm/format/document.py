"""A stored config file: its text, its YAML node graph (for positions and
splicing) and its tree of stored values, parsed once with PyYAML's C loader
through the bounded loading of `lcm.format.loading`."""

from __future__ import annotations

from typing import Any

import yaml

from lcm.format.loading import BadYaml, build, check_data_model, compose, construct
from lcm.format.paths import KeyPath

META_KEY = "lcm"


class Document:
    """One YAML config file as stored on disk (secrets still encrypted)."""

    def __init__(self, text: str, source: str, root: yaml.Node | None,
                 full: dict[Any, Any]) -> None:
        self.text = text
        self.source = source
        self.root = root
        self.full = full
        meta = full.get(META_KEY)
        self.meta: dict[Any, Any] | None = meta if isinstance(meta, dict) else None
        self.tree: dict[Any, Any] = {k: v for k, v in full.items() if k != META_KEY}

    @classmethod
    def parse(cls, text: str, source: str = "<string>") -> "Document":
        """Parse and check one file; BadYaml (exit 3, located) for anything lcm refuses."""
        root = compose(text, source)
        if root is None:
            return cls(text, source, None, {})
        if not isinstance(root, yaml.MappingNode):
            raise BadYaml.at(root, source, "the top level must be a mapping")
        check_data_model(root, source)
        return cls(text, source, root, build(root, source))
    def _child(self, node: yaml.Node, seg: Any) -> tuple[yaml.Node, yaml.Node] | None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and construct(key_node) == seg:
                    return key_node, value_node
        elif isinstance(node, yaml.SequenceNode) and isinstance(seg, int):
            if 0 <= seg < len(node.value):
                return node.value[seg], node.value[seg]
        return None

    def nodes_at(self, path: KeyPath) -> tuple[yaml.Node, yaml.Node] | None:
        """(key node, value node) at `path`, or None when the path is missing."""
        if self.root is None:
            return None
        pair: tuple[yaml.Node, yaml.Node] = (self.root, self.root)
        for seg in path:
            found = self._child(pair[1], seg)
            if found is None:
                return None
            pair = found
        return pair

    def _nearest(self, path: KeyPath, which: int) -> tuple[int, int]:
        for cut in range(len(path), -1, -1):
            pair = self.nodes_at(path[:cut])
            if pair is not None:
                mark = pair[which].start_mark
                return mark.line + 1, mark.column + 1
        return 1, 1

    def position(self, path: KeyPath) -> tuple[int, int]:
        """1-based (line, col) of the value at `path`, or of its nearest parent."""
        return self._nearest(path, 1)

    def value_lines(self) -> dict[KeyPath, int]:
        """1-based line of every value in the file by key path, built in one walk (for
        showing a whole file's rows; `position` is cheaper for one path)."""
        cached: dict[KeyPath, int] | None = self.__dict__.get("_value_lines")
        if cached is not None:
            return cached
        lines: dict[KeyPath, int] = {}
        stack: list[tuple[KeyPath, yaml.Node]] = [((), self.root)] if self.root is not None else []
        seen: set[int] = set()
        while stack:
            path, node = stack.pop()
            lines[path] = node.start_mark.line + 1
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        stack.append((path + (construct(key_node),), value_node))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend((path + (i,), item) for i, item in enumerate(node.value))
        self.__dict__["_value_lines"] = lines
        return lines

    def key_position(self, path: KeyPath) -> tuple[int, int]:
        """1-based (line, col) of the mapping key at `path`, or its nearest parent."""
        return self._nearest(path, 0)

    def encrypted_paths(self) -> list[KeyPath]:
        from lcm.format.crypto import is_encrypted
        from lcm.format.paths import iter_leaves

        return [p for p, v in iter_leaves(self.tree) if is_encrypted(v)]
