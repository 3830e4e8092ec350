"""YAML input for validation: a fast tree (C loader, no nodes) for every file, and node
positions (through `lcm.format.document`) only for the files that have problems."""

from __future__ import annotations

from typing import Any

import yaml

from lcm.format.document import Document
from lcm.format.loading import BadYaml
from lcm.format.loading import load_tree as _load_tree
from lcm.validate.problems import Problem


class SyntaxProblem(Exception):
    """Bad YAML, with the 1-based position the parser reported."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message = line, col, message


def load_tree(text: str) -> Any:
    """Parse YAML text to plain values; SyntaxProblem when it is not valid YAML, or
    YAML outside lcm's data model and bounds (duplicate keys, alias bombs, ...)."""
    try:
        return _load_tree(text)
    except BadYaml as err:
        raise SyntaxProblem(err.line, err.col, err.problem) from None


def document(text: str, source: str) -> Document | None:
    """The composed document for positions, or None when the top level is not a mapping."""
    from lcm.errors import RepoError

    try:
        return Document.parse(text, source)
    except RepoError:
        return None


def position(doc: Document | None, problem: Problem) -> tuple[int, int]:
    """1-based (line, col) of a problem: its key, its value, or a spot inside a string."""
    if doc is None:
        return 1, 1
    if problem.anchor == "key" and problem.path:
        return doc.key_position(problem.path)
    if problem.offset is not None:
        pair = doc.nodes_at(problem.path)
        if pair is not None and isinstance(pair[1], yaml.ScalarNode):
            return _inside_scalar(doc.text, pair[1], problem.offset)
    return doc.position(problem.path)


def _inside_scalar(text: str, node: yaml.ScalarNode, offset: int) -> tuple[int, int]:
    """Position of character `offset` of a scalar's value in the source text."""
    start = node.start_mark
    head = node.value[:offset]
    if node.style == "|":
        line_index = start.line + 1 + head.count("\n")
        lines = text.splitlines()
        if line_index < len(lines):
            indent = len(lines[line_index]) - len(lines[line_index].lstrip(" "))
            return line_index + 1, indent + len(head) - (head.rfind("\n") + 1) + 1
    if node.style in (None, "", "'", '"') and start.line == node.end_mark.line:
        return start.line + 1, start.column + 1 + offset + (1 if node.style else 0)
    return start.line + 1, start.column + 1
