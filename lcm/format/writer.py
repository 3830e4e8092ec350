"""Turn a new stored tree into file text while changing only what must change.

Value edits are spliced into the old text at the byte span PyYAML's node marks
give, so comments, order and formatting stay untouched and a diff shows only
the edited lines. Structural edits (keys added or removed, lists resized) go
through ruamel.yaml's round-trip mode, which keeps comments and order. Every
result is re-parsed and compared with the intended tree before it is used, except
a splice whose every new scalar was written by `_emit_known` (ciphertexts, MACs, plain
words, single-quoted printable strings, numbers, booleans, null): those read back as their value by construction, and
re-encrypting a tenant must cost about what parsing it costs (DESIGN.md).
"""

from __future__ import annotations

import io
import re
from typing import Any, Callable

import yaml

from lcm.format.crypto import MAC_RE, is_encrypted
from lcm.format.document import Document
from lcm.format.loading import DELETE_TAG, construct
from lcm.format.values import DELETE, same_value
from lcm.errors import RepoError


class StructuralChange(Exception):
    """The change needs more than scalar splices."""


# A string that reads back as itself unquoted in block context: starts with a letter or
# `_`, words of safe characters with single spaces between; `:` only in block context
# and never before a space or at the end; YAML 1.1's bool and null words are kept out.
_PLAIN_WORDS = re.compile(r"[A-Za-z_][A-Za-z0-9_./+@=~()%:-]*(?: [A-Za-z0-9_./+@=~()%:-]+)*")
_NOT_STR_WORDS = frozenset(
    "yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF "
    "null Null NULL".split())


def _emit_str(value: str, in_flow: bool) -> str | None:
    if not in_flow and value.startswith(("ENC[", "HMAC_SHA256,")) and (
            is_encrypted(value) or MAC_RE.match(value)):
        return value
    if (_PLAIN_WORDS.fullmatch(value) and value not in _NOT_STR_WORDS
            and not (":" in value and (in_flow or ": " in value or value.endswith(":")))):
        return value
    if value.isprintable():
        # Single quotes keep every printable character as it is; only `'` is doubled.
        return "'" + value.replace("'", "''") + "'"
    return None


def _emit_known(value: Any, in_flow: bool) -> str | None:
    """The YAML text of a value whose shape lets it be written without PyYAML (and
    without re-parsing to check it), or None."""
    if isinstance(value, str):
        return _emit_str(value, in_flow)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value).lower()
        # PyYAML's float rule wants a dot in the mantissa (`1e-05` would read as a string).
        return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
    return None


# Characters a YAML double-quoted scalar may hold as they are: printable, not a line
# break (NEL, LS, PS) and not a BOM; everything else is written as an escape.
_NEEDS_ESCAPE = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                           "\U00010000-\U0010ffff]")
_SHORT_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    return f"\\x{code:02x}" if code < 0x100 else (
        f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


def emit_scalar(value: Any, in_flow: bool = False) -> str:
    """One scalar as YAML text that parses back to the same value and type: the forms of
    `_emit_known`, else (a string with line breaks or unprintable characters) a
    double-quoted scalar with those characters escaped."""
    known = _emit_known(value, in_flow)
    if known is not None:
        return known
    body = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _NEEDS_ESCAPE.sub(_escape, body) + '"'


_STR_TAG = "tag:yaml.org,2002:str"


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
            key = key_node.value if key_node.tag == _STR_TAG else construct(key_node)
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


def _splice(doc: Document, new_full: dict[Any, Any]) -> tuple[str, bool]:
    """(the spliced text, True when every replacement is correct by construction).

    Keys, list lengths and kinds are unchanged (else StructuralChange), so the result
    is right when each new scalar reads back as its value in its place: always for a
    value `_emit_known` wrote over a non-empty span; other emissions are checked by
    re-parsing the whole text (`render` does that when this says False)."""
    if doc.root is None:
        raise StructuralChange("empty")
    edits: list[tuple[yaml.Node, Any, bool]] = []
    _plan(doc.root, doc.full, new_full, False, set(), edits)
    text = doc.text
    parts: list[str] = []
    trusted = True
    pos = 0
    for node, value, in_flow in sorted(edits, key=lambda e: e[0].start_mark.index):
        start, end = node.start_mark.index, node.end_mark.index
        known = _emit_known(value, in_flow)
        replacement = known if known is not None else emit_scalar(value, in_flow)
        if known is None or start == end:
            trusted = False
        if start == end and start and not text[start - 1].isspace():
            replacement = " " + replacement  # `key:` with no value: keep `key: value`
        if getattr(node, "style", None) in ("|", ">"):
            replacement += "\n"
        parts.append(text[pos:start])
        parts.append(replacement)
        pos = end
    parts.append(text[pos:])
    return "".join(parts), trusted


def splice_values(doc: Document, new_full: dict[Any, Any]) -> str:
    """`doc`'s text with each changed scalar replaced in place; StructuralChange when
    keys, list lengths or kinds differ (those need the round-trip writer)."""
    return _splice(doc, new_full)[0]


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper that writes the `!delete` marker."""


_Dumper.add_representer(type(DELETE), lambda d, _v: d.represent_scalar(DELETE_TAG, ""))


def dump_yaml(value: Any) -> str:
    """`value` as a new block-style YAML document, keys in their order (no layout to keep:
    a new file, or the `lcm:` block appended to one)."""
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
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
        order = list(new)
        for i, (key, value) in enumerate(new.items()):
            if key in node and key in old:
                node[key] = _sync(node[key], old[key], value, seen)
                continue
            # A new key goes before the next key `new` lists that the file already has
            # (so data keys land above the `lcm:` block, and `mac` stays its last line).
            following = next((k for k in order[i + 1:] if k in node), None)
            if following is not None:
                node.insert(list(node).index(following), key, _ruamel_value(value))
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
    if doc is not None and doc.root is not None:
        try:
            text, trusted = _splice(doc, new_full)
        except StructuralChange:
            pass
        else:
            if trusted or _matches(text, new_full):
                return text
    candidates: list[Callable[[], str]] = []
    if doc is None or doc.root is None:
        head = doc.text if doc is not None and doc.text.strip() else ""
        candidates.append(lambda: head + dump_yaml(new_full))
    else:
        candidates.append(lambda: _round_trip(doc, new_full))
        candidates.append(lambda: dump_yaml(new_full))
    for make in candidates:
        try:
            text = make()
        except StructuralChange:
            continue
        if _matches(text, new_full):
            return text
    raise RepoError(f"{doc.source if doc else 'file'}: could not write the file without losing data")
