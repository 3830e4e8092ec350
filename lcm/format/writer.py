"""Turn a new stored tree into file text while changing only what must change.

Value edits are spliced into the old text at the byte span PyYAML's node marks
give, so comments, order and formatting stay untouched and a diff shows only
the edited lines. Structural edits (keys added or removed, lists resized) go
through ruamel.yaml's round-trip mode, which keeps comments and order. Every
result is re-parsed and compared with the intended tree before it is used.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, Callable

import yaml

from lcm.format.document import DELETE_TAG, META_KEY, Document
from lcm.format.values import DELETE, same_value
from lcm.errors import RepoError


class StructuralChange(Exception):
    """The change needs more than scalar splices."""


def emit_scalar(value: Any, in_flow: bool = False) -> str:
    """One scalar as YAML text that parses back to the same value and type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return yaml.safe_dump(value).split("\n", 1)[0]
    text = str(value)
    if "\n" not in text and "\r" not in text:
        plain = yaml.safe_dump(text, width=1 << 30, allow_unicode=True)
        plain = plain[:-5] if plain.endswith("\n...\n") else plain.rstrip("\n")
        if "\n" not in plain and not (in_flow and re.search(r"[,\[\]{}]", plain)):
            return plain
    return json.dumps(text, ensure_ascii=False)


def _plan(node: yaml.Node, old: Any, new: Any, in_flow: bool, seen: set[int],
          out: list[tuple[yaml.Node, Any, bool]]) -> None:
    if id(node) in seen:
        raise StructuralChange("alias")
    seen.add(id(node))
    if isinstance(old, dict) and isinstance(new, dict) and isinstance(node, yaml.MappingNode):
        if set(old) != set(new) or len(node.value) != len(old):
            raise StructuralChange("keys")
        flow = bool(node.flow_style)
        for key_node, value_node in node.value:
            key = yaml.constructor.SafeConstructor().construct_object(key_node)
            _plan(value_node, old[key], new[key], flow, seen, out)
        return
    if isinstance(old, list) and isinstance(new, list) and isinstance(node, yaml.SequenceNode):
        if len(old) != len(new):
            raise StructuralChange("length")
        for child, o, n in zip(node.value, old, new):
            _plan(child, o, n, bool(node.flow_style), seen, out)
        return
    if isinstance(old, (dict, list)) or isinstance(new, (dict, list)) or not isinstance(node, yaml.ScalarNode):
        raise StructuralChange("kind")
    if same_value(old, new):
        return
    if old is DELETE or new is DELETE:
        raise StructuralChange("marker")
    out.append((node, new, in_flow))


def splice_values(doc: Document, new_full: dict[Any, Any]) -> str:
    """`doc`'s text with each changed scalar replaced in place; StructuralChange when
    keys, list lengths or kinds differ (those need the round-trip writer)."""
    if doc.root is None:
        raise StructuralChange("empty")
    edits: list[tuple[yaml.Node, Any, bool]] = []
    _plan(doc.root, doc.full, new_full, False, set(), edits)
    text = doc.text
    for node, value, in_flow in sorted(edits, key=lambda e: e[0].start_mark.index, reverse=True):
        start, end = node.start_mark.index, node.end_mark.index
        replacement = emit_scalar(value, in_flow)
        if getattr(node, "style", None) in ("|", ">"):
            replacement += "\n"
        text = text[:start] + replacement + text[end:]
    return text


def _to_plain_yaml(full: dict[Any, Any]) -> str:
    class _Dumper(yaml.SafeDumper):
        pass

    _Dumper.add_representer(type(DELETE), lambda d, _v: d.represent_scalar(DELETE_TAG, ""))
    return yaml.dump(full, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=4096)


def _ruamel_value(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

    if value is DELETE:
        return TaggedScalar(value="", tag=DELETE_TAG)
    if isinstance(value, dict):
        cm = CommentedMap()
        for k, v in value.items():
            cm[k] = _ruamel_value(v)
        return cm
    if isinstance(value, list):
        return CommentedSeq([_ruamel_value(v) for v in value])
    return value


def _sync(node: Any, old: Any, new: Any, seen: set[int] | None = None) -> Any:
    """Make ruamel's tree `node` (parsed from `old`) equal `new`, keeping comments.

    A map or list reached a second time (a YAML alias) is copied first, so an
    edit under one alias does not change the others; the copy is written out
    expanded.
    """
    import copy

    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    seen = set() if seen is None else seen
    if isinstance(node, (CommentedMap, CommentedSeq)):
        if id(node) in seen:
            node = copy.deepcopy(node)
        seen.add(id(node))
    if isinstance(node, CommentedMap) and isinstance(old, dict) and isinstance(new, dict):
        for key in [k for k in node if k not in new]:
            del node[key]
        for key, value in new.items():
            if key in node and key in old:
                node[key] = _sync(node[key], old[key], value, seen)
            elif META_KEY in node and key != META_KEY:
                node.insert(list(node).index(META_KEY), key, _ruamel_value(value))
            else:
                node[key] = _ruamel_value(value)
        return node
    if isinstance(node, CommentedSeq) and isinstance(old, list) and isinstance(new, list):
        del node[len(new):]
        for i, value in enumerate(new):
            if i < len(node) and i < len(old):
                node[i] = _sync(node[i], old[i], value, seen)
            else:
                node.append(_ruamel_value(value))
        return node
    if not isinstance(old, (dict, list)) and same_value(old, new):
        return node
    return _ruamel_value(new)


def _detect_indent(text: str) -> tuple[int, int, int]:
    """(mapping, sequence, offset) indentation the file already uses."""
    lines = text.splitlines()
    mapping = 2
    for prev, line in zip(lines, lines[1:]):
        if re.match(r"^\S[^#]*:\s*$", prev):
            indent = len(line) - len(line.lstrip(" "))
            if indent and not line.lstrip().startswith("- "):
                mapping = indent
                break
    for prev, line in zip(lines, lines[1:]):
        match = re.match(r"^(\s*)\S[^#]*:\s*$", prev)
        if match and line.lstrip().startswith("- "):
            dash = len(line) - len(line.lstrip(" "))
            if dash > len(match.group(1)):
                return mapping, dash - len(match.group(1)) + 2, dash - len(match.group(1))
            return mapping, 2, 0
    return mapping, mapping, 0


def _round_trip(doc: Document, new_full: dict[Any, Any]) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    mapping, sequence, offset = _detect_indent(doc.text)
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    data = rt.load(doc.text) if doc.root is not None else None
    if not isinstance(data, CommentedMap):
        data = CommentedMap()
        old: dict[Any, Any] = {}
    else:
        old = doc.full
    data = _sync(data, old, new_full)
    buf = io.StringIO()
    rt.dump(data, buf)
    return buf.getvalue()


def _matches(text: str, new_full: dict[Any, Any]) -> bool:
    try:
        return same_value(Document.parse(text).full, new_full)
    except RepoError:
        return False


def render(doc: Document | None, new_full: dict[Any, Any]) -> str:
    """The new file text for `new_full` (data tree plus `lcm:` block), edited minimally."""
    candidates: list[Callable[[], str]] = []
    if doc is None or doc.root is None:
        head = doc.text if doc is not None and doc.text.strip() else ""
        candidates.append(lambda: head + _to_plain_yaml(new_full))
    else:
        candidates.append(lambda: splice_values(doc, new_full))
        candidates.append(lambda: _round_trip(doc, new_full))
        candidates.append(lambda: _to_plain_yaml(new_full))
    for make in candidates:
        try:
            text = make()
        except StructuralChange:
            continue
        if _matches(text, new_full):
            return text
    raise RepoError(f"{doc.source if doc else 'file'}: could not write the file without losing data")
