"""Loading YAML that lcm does not trust (every config file, the manifest, key files,
`--type yaml` values: a repository travels), bounded and checked.

The text's size, the nesting depth, the values aliases expand to and the length of
integers are capped, and anything outside lcm's data model (custom tags, binary, sets,
duplicate keys, lone surrogates) is refused with one located line (exit 3). The caps
sit far above any real config file and far below what would hang lcm.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from lcm.errors import RepoError
from lcm.format.values import DELETE

DELETE_TAG = "!delete"

MAX_TEXT_CHARS = 16 * 1024 * 1024
MAX_DEPTH = 64  # maps and lists nested in each other; also the longest key path
MAX_INT_DIGITS = 4200  # below Python's int/str conversion limit (4300 digits)
MAX_INT_BITS = 13_953  # every integer of 4200 decimal digits fits
# Aliases may repeat what they name, but the expanded tree stays linear in the text:
# at most this many values plus EXPANSION_RATIO per distinct value written.
EXPANSION_FLOOR = 100_000
EXPANSION_RATIO = 10

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
                        return str(tag)
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

_STR, _INT, _MERGE = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:merge"
_SCALAR_TAGS = frozenset({
    _STR, _INT, "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp", _MERGE, DELETE_TAG})
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadYaml(RepoError):
    """YAML lcm refuses, located: `source:line:col: problem` (exit 3)."""

    def __init__(self, source: str, line: int, col: int, problem: str) -> None:
        super().__init__(f"{source}:{line}:{col}: {problem}")
        self.source, self.line, self.col, self.problem = source, line, col, problem

    @classmethod
    def at(cls, node: yaml.Node | None, source: str, problem: str) -> "BadYaml":
        mark = node.start_mark if node is not None else None
        return cls(source, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, problem)


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe constructor that keeps timestamps as strings and knows `!delete`."""

    def construct_timestamp(self, node: yaml.ScalarNode) -> Any:
        return self.construct_scalar(node)


# The stubs only accept loader classes here, not a stand-alone constructor.
_Constructor.add_constructor("tag:yaml.org,2002:timestamp",
                             _Constructor.construct_timestamp)  # type: ignore[type-var]
_Constructor.add_constructor(DELETE_TAG, lambda _c, _n: DELETE)


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 file content as text; BadYaml naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        head = data[:err.start]
        line = head.count(b"\n") + 1
        col = len(head[head.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise BadYaml(source, line, col, f"not UTF-8 text (byte 0x{data[err.start]:02x})") from None


def compose(text: str, source: str) -> yaml.Node | None:
    """Compose YAML text into nodes; bad or oversized YAML is a located BadYaml."""
    if len(text) > MAX_TEXT_CHARS:
        raise BadYaml(source, 1, 1, f"larger than {MAX_TEXT_CHARS >> 20} MiB (lcm's limit)")
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise BadYaml(source, line, col, f"bad YAML: {err.problem or err.context}") from None
    except yaml.reader.ReaderError as err:
        # The C reader counts UTF-8 bytes; the message must name a line, not an offset.
        head = text.encode("utf-8", "surrogatepass")[:err.position].decode("utf-8", "replace")
        line, col = head.count("\n") + 1, len(head) - head.rfind("\n")
        char = err.character if isinstance(err.character, str) else chr(err.character)
        raise BadYaml(source, line, col,
                      f"bad YAML: character U+{ord(char):04X} is not allowed") from None
    except yaml.YAMLError as err:
        raise BadYaml(source, 1, 1, f"bad YAML: {type(err).__name__}") from None


def construct(node: yaml.Node, source: str = "<string>") -> Any:
    """Python value of a composed (and checked) node."""
    try:
        return _Constructor().construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise BadYaml(source, line, col, f"bad YAML: {err.problem or err.context}") from None
    except (yaml.YAMLError, TypeError, ValueError, RecursionError) as err:
        raise BadYaml.at(node, source, f"bad YAML: {type(err).__name__}") from None


def build(root: yaml.Node, source: str = "<string>") -> Any:
    """The value tree of a composed node that `check_data_model` accepted, in one walk
    (PyYAML's general constructor is most of the cost of reading a file); aliased nodes
    give one shared value, as the constructor gives; merge keys (`<<`) go through it."""
    constructor = _Constructor()
    null_tag = "tag:yaml.org,2002:null"
    built: dict[int, Any] = {}
    scalar_node, mapping_node = yaml.ScalarNode, yaml.MappingNode

    def scalar(n: yaml.Node) -> Any:
        tag = n.tag
        if tag == _STR:
            return n.value
        if tag == null_tag:
            return None
        if tag == _MERGE:
            raise _NeedsConstructor
        return constructor.construct_object(n)

    def walk(n: yaml.Node) -> Any:
        key = id(n)
        if key in built:
            return built[key]
        if type(n) is scalar_node:
            value = built[key] = scalar(n)
            return value
        out: Any
        if type(n) is mapping_node:
            out = {}
            for key_node, value_node in n.value:
                out[scalar(key_node)] = walk(value_node)
        else:
            out = [walk(item) for item in n.value]
        built[key] = out
        return out

    try:
        return walk(root)
    except _NeedsConstructor:
        return construct(root, source)
    except (yaml.YAMLError, TypeError, ValueError, RecursionError):
        return construct(root, source)


class _NeedsConstructor(Exception):
    """A construct the one-walk builder leaves to PyYAML's constructor (merge keys)."""


def load_tree(text: str, source: str = "<string>") -> Any:
    """Plain values of YAML text (no node graph kept), checked like `Document.parse`."""
    root = compose(text, source)
    if root is None:
        return None
    check_data_model(root, source)
    return build(root, source)


def check_data_model(root: yaml.Node, source: str) -> None:
    """Refuse YAML outside lcm's data model or its bounds, naming the line: maps with
    unique scalar keys, lists, and str/int/float/bool/null scalars (no binary, sets,
    custom tags, cycles), at most MAX_DEPTH levels, aliases expanding linearly.

    One walk over the distinct nodes (an alias is visited once), iterative, so neither
    an alias bomb nor deep nesting costs more than the text it is written in."""
    if _check_plain_tree(root, source):
        return
    size: dict[int, int] = {}  # values below a node once aliases are expanded
    height: dict[int, int] = {}
    active: set[int] = set()  # the nodes on the path being walked (a cycle comes back)
    big: list[tuple[int, yaml.Node]] = []
    # (node, None) is still to be looked at; (node, its children) is waiting for them.
    stack: list[tuple[yaml.Node, list[yaml.Node] | None]] = [(root, None)]
    while stack:
        node, kids = stack.pop()
        key = id(node)
        if kids is not None:
            active.discard(key)
            total = 1 + sum([size[id(k)] for k in kids])
            levels = 1 + max([height[id(k)] for k in kids], default=0)
            if levels > MAX_DEPTH:
                raise BadYaml.at(node, source, f"nested more than {MAX_DEPTH} levels deep "
                                               "(lcm's limit)")
            size[key], height[key] = total, levels
            if total > EXPANSION_FLOOR:
                big.append((total, node))
            continue
        if key in size:
            continue
        if key in active:
            raise BadYaml.at(node, source, "unsupported YAML: a recursive alias")
        if isinstance(node, yaml.ScalarNode):
            _check_scalar(node, source)
            size[key], height[key] = 1, 0
            continue
        kids = _check_collection(node, source)
        active.add(key)
        stack.append((node, kids))
        stack.extend([(kid, None) for kid in kids])
    limit = EXPANSION_FLOOR + EXPANSION_RATIO * len(size)
    for total, node in big:
        if total > limit:
            raise BadYaml.at(node, source, f"aliases here expand to more than {limit:,} values "
                                           "(lcm's limit; an alias bomb?)")


def _check_plain_tree(root: yaml.Node, source: str) -> bool:
    """The common case, checked in one cheap pass: nodes that form a plain tree (no
    alias) within the depth limit, each node checked as `check_data_model` checks it.
    False, with nothing refused yet, when a node comes twice (an alias: the expansion and
    cycle bounds must be counted) or the nesting is too deep (the full walk names the
    line); a node outside the data model raises here as it would there."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    scalar_node = yaml.ScalarNode
    while stack:
        node, depth = stack.pop()
        key = id(node)
        if key in seen:
            return False
        seen.add(key)
        if type(node) is scalar_node:
            _check_scalar(node, source)
            continue
        if depth >= MAX_DEPTH:
            return False
        kids = _check_collection(node, source)
        depth += 1
        stack.extend([(kid, depth) for kid in kids])
    return True


def _check_scalar(node: yaml.ScalarNode, source: str) -> None:
    if node.tag not in _SCALAR_TAGS:
        raise BadYaml.at(node, source, f"unsupported YAML: tag {node.tag} "
                                       "(lcm stores str, int, float, bool and null values)")
    value = node.value
    if not value.isascii() and _SURROGATE.search(value):
        raise BadYaml.at(node, source, "unsupported YAML: a lone surrogate escape "
                                       "(not Unicode text)")
    if node.tag == _INT and len(value) > 1000 and not _int_fits(node):
        raise BadYaml.at(node, source, f"an integer longer than {MAX_INT_DIGITS} digits "
                                       "(lcm's limit)")


def _int_fits(node: yaml.ScalarNode) -> bool:
    try:
        value = _Constructor().construct_yaml_int(node)
    except ValueError:  # more digits than Python converts
        return False
    return isinstance(value, int) and abs(value).bit_length() <= MAX_INT_BITS


def _check_collection(node: yaml.Node, source: str) -> list[yaml.Node]:
    """Check a map or list node itself; returns its children (keys and values)."""
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            raise BadYaml.at(node, source, f"unsupported YAML: tag {node.tag} (use a plain list)")
        return list(node.value)
    if not isinstance(node, yaml.MappingNode) or node.tag != "tag:yaml.org,2002:map":
        raise BadYaml.at(node, source, f"unsupported YAML: tag {node.tag} (use a plain mapping)")
    seen: dict[Any, yaml.Node] = {}
    for key_node, _value in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise BadYaml.at(key_node, source, "unsupported YAML: a mapping or list used as a key")
        if key_node.tag == _MERGE:
            continue
        # Keys compare as the loaded dict would (1, 1.0 and true collide; "1" does not).
        ident = key_node.value if key_node.tag == _STR else _key_value(key_node, source)
        try:
            first = seen.setdefault(ident, key_node)
        except TypeError:
            continue
        if first is not key_node:
            raise BadYaml.at(key_node, source, f"duplicate key {key_node.value!r} "
                                               f"(first at line {first.start_mark.line + 1})")
    return [part for pair in node.value for part in pair]


def _key_value(node: yaml.ScalarNode, source: str) -> Any:
    _check_scalar(node, source)
    return construct(node, source)
