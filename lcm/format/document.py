"""A stored config file: its text, its YAML node graph (for positions and
splicing) and its tree of stored values, parsed once with PyYAML's C loader."""

from __future__ import annotations

from typing import Any

import yaml

from lcm.errors import RepoError
from lcm.format.paths import KeyPath
from lcm.format.values import DELETE

META_KEY = "lcm"
DELETE_TAG = "!delete"

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_RESOLVERS: dict[str, tuple[tuple[str, Any], ...]] = {
    first: tuple(pairs) for first, pairs in yaml.SafeLoader.yaml_implicit_resolvers.items()}


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type,unused-ignore]
    """The C loader with PyYAML's safe tag resolution in one short function: the C
    composer calls `resolve` for every node, and the generic one (path resolvers,
    list concatenation) costs a third of composing a file of short values."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _SAFE_RESOLVERS.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset({_TAG + "str", _TAG + "int", _TAG + "float", _TAG + "bool",
                           _TAG + "null", _TAG + "timestamp", _TAG + "merge", DELETE_TAG})


def check_data_model(node: yaml.Node, source: str) -> None:
    """Refuse YAML outside lcm's data model: maps with scalar keys, lists, and
    str/int/float/bool/null scalars (no binary, sets, custom tags, cycles)."""
    allowed = _ALLOWED_TAGS
    active: set[int] = set()

    def fail(n: yaml.Node, what: str) -> RepoError:
        mark = n.start_mark
        return RepoError(f"{source}:{mark.line + 1}:{mark.column + 1}: unsupported YAML: {what}")

    def walk(n: yaml.Node) -> None:
        if id(n) in active:
            raise fail(n, "a recursive alias")
        if isinstance(n, yaml.ScalarNode):
            if n.tag not in allowed:
                raise fail(n, f"tag {n.tag} (lcm stores str, int, float, bool and null values)")
            return
        active.add(id(n))
        if isinstance(n, yaml.MappingNode):
            if n.tag != "tag:yaml.org,2002:map":
                raise fail(n, f"tag {n.tag} (use a plain mapping)")
            for key, value in n.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise fail(key, "a mapping or list used as a key")
                walk(key)
                walk(value)
        elif isinstance(n, yaml.SequenceNode):
            if n.tag != "tag:yaml.org,2002:seq":
                raise fail(n, f"tag {n.tag} (use a plain list)")
            for item in n.value:
                walk(item)
        active.discard(id(n))

    walk(node)


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe constructor that keeps timestamps as strings and knows `!delete`."""

    def construct_timestamp(self, node: yaml.ScalarNode) -> Any:
        return self.construct_scalar(node)


# The stubs only accept loader classes here, not a stand-alone constructor.
_Constructor.add_constructor("tag:yaml.org,2002:timestamp",
                             _Constructor.construct_timestamp)  # type: ignore[type-var]
_Constructor.add_constructor(DELETE_TAG, lambda _c, _n: DELETE)


class _TreeLoader(_Loader):  # type: ignore[misc,valid-type,unused-ignore]
    """The C loader with the same value rules as `_Constructor` (no nodes kept)."""


_TreeLoader.add_constructor("tag:yaml.org,2002:timestamp",
                            yaml.constructor.SafeConstructor.construct_yaml_str)
_TreeLoader.add_constructor(DELETE_TAG, lambda _loader, _node: DELETE)


class _NeedsConstructor(Exception):
    """A construct the one-pass builder leaves to PyYAML's constructor (merge keys)."""


def _build(root: yaml.Node, source: str) -> Any:
    """The value tree of composed nodes in one walk that also checks the data model: what
    `check_data_model` then `construct` give, without PyYAML's general constructor (the
    cost of reading a file is mostly this walk). Aliased nodes give one shared value, as
    PyYAML's constructor gives; merge keys (`<<`) raise _NeedsConstructor."""
    constructor = _Constructor()
    str_tag, null_tag, seq_tag, map_tag = _TAG + "str", _TAG + "null", _TAG + "seq", _TAG + "map"
    built: dict[int, Any] = {}
    active: set[int] = set()
    scalar_node, mapping_node = yaml.ScalarNode, yaml.MappingNode

    def fail(n: yaml.Node, what: str) -> RepoError:
        mark = n.start_mark
        return RepoError(f"{source}:{mark.line + 1}:{mark.column + 1}: unsupported YAML: {what}")

    def scalar(n: yaml.Node) -> Any:
        tag = n.tag
        if tag == str_tag:
            return n.value
        if tag == null_tag:
            return None
        if tag == _TAG + "merge":
            raise _NeedsConstructor
        if tag not in _ALLOWED_TAGS:
            raise fail(n, f"tag {tag} (lcm stores str, int, float, bool and null values)")
        return constructor.construct_object(n)

    def build(n: yaml.Node) -> Any:
        key = id(n)
        if key in built:
            return built[key]
        if key in active:
            raise fail(n, "a recursive alias")
        if type(n) is scalar_node:
            value = built[key] = scalar(n)
            return value
        active.add(key)
        out: Any
        if type(n) is mapping_node:
            if n.tag != map_tag:
                raise fail(n, f"tag {n.tag} (use a plain mapping)")
            out = {}
            for key_node, value_node in n.value:
                if type(key_node) is not scalar_node:
                    raise fail(key_node, "a mapping or list used as a key")
                out[scalar(key_node)] = build(value_node)
        else:
            if n.tag != seq_tag:
                raise fail(n, f"tag {n.tag} (use a plain list)")
            out = [build(item) for item in n.value]
        active.discard(key)
        built[key] = out
        return out

    return build(root)


def load_tree(text: str) -> Any:
    """Plain values of YAML text, fast (no node graph); raises yaml.YAMLError."""
    return yaml.load(text, Loader=_TreeLoader)


def construct(node: yaml.Node) -> Any:
    """Python value of a composed node."""
    return _Constructor().construct_document(node)


def compose(text: str, source: str) -> yaml.Node | None:
    """Compose YAML text into nodes; bad YAML becomes a located RepoError."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise RepoError(f"{where}: bad YAML: {err.problem or err.context}") from None
    except yaml.YAMLError as err:
        raise RepoError(f"{source}: bad YAML: {err}") from None


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
        root = compose(text, source)
        if root is None:
            return cls(text, source, None, {})
        if not isinstance(root, yaml.MappingNode):
            line, col = root.start_mark.line + 1, root.start_mark.column + 1
            raise RepoError(f"{source}:{line}:{col}: the top level must be a mapping")
        try:
            try:
                full = _build(root, source)
            except _NeedsConstructor:
                check_data_model(root, source)
                full = construct(root)
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
            raise RepoError(f"{where}: bad YAML: {err.problem or err.context}") from None
        except (yaml.YAMLError, TypeError, RecursionError) as err:
            raise RepoError(f"{source}: bad YAML: {type(err).__name__}") from None
        return cls(text, source, root, full)

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
