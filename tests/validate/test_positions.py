"""Line and column accuracy: nested maps, lists, flow style, multi-line strings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lcm.validate.run import standalone

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "a": {
            "type": "object",
            "properties": {"b": {"type": "object", "properties": {"c": {"type": "integer"}}}},
        },
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "pattern": "^[a-z]+$"},
                    "n": {"type": "integer"},
                },
                "additionalProperties": False,
            },
        },
        "flow": {
            "type": "object",
            "properties": {"xs": {"type": "array", "items": {"type": "integer"}}},
            "additionalProperties": False,
        },
        "text": {"type": "string", "maxLength": 10},
        "after": {"type": "integer"},
        "dotted": {"type": "object", "additionalProperties": {"type": "boolean"}},
    },
}


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA))
    return path


def findings(tmp_path: Path, schema_file: Path, text: str) -> dict[str, tuple[int, int]]:
    """key path -> (line, col) of every finding."""
    path = tmp_path / "doc.yaml"
    path.write_text(text)
    report = standalone([path], str(schema_file))
    return {f.key: (f.line, f.col) for f in report.findings}


def test_nested_maps(tmp_path: Path, schema_file: Path) -> None:
    text = "# comment\n---\na:\n  b:\n\n    c: seven   # not a number\n"
    assert findings(tmp_path, schema_file, text) == {"a.b.c": (6, 8)}


def test_lists_of_maps(tmp_path: Path, schema_file: Path) -> None:
    text = (
        "items:\n"
        "  - name: ok\n"
        "    n: 1\n"
        "  -   name: Bad1\n"  # extra spaces after the dash
        "      n: 2\n"
        "  - n: x\n"
        "    nmae: typo\n"
    )
    assert findings(tmp_path, schema_file, text) == {
        "items[1].name": (4, 13),
        "items[2].n": (6, 8),
        "items[2].nmae": (7, 5),
    }


def test_flow_style(tmp_path: Path, schema_file: Path) -> None:
    text = 'flow: {xs: [1, 2, "three", 4], extra: {deep: [1]}}\nitems: [{name: ok}, {name: "NO"}]\n'
    assert findings(tmp_path, schema_file, text) == {
        "flow.xs[2]": (1, 19),
        "flow.extra": (1, 32),
        "items[1].name": (2, 28),
    }


def test_multi_line_strings(tmp_path: Path, schema_file: Path) -> None:
    literal = "text: |\n  line one\n  line two is long\nafter: no\n"
    assert findings(tmp_path, schema_file, literal) == {"text": (1, 7), "after": (4, 8)}
    folded = "text: >-\n  folded\n  across lines\n\nafter: 1.5\n"
    assert findings(tmp_path, schema_file, folded) == {"text": (1, 7), "after": (5, 8)}
    quoted = 'text: "a double quoted\n  string over\n  three lines"\nafter: "1"\n'
    assert findings(tmp_path, schema_file, quoted) == {"text": (1, 7), "after": (4, 8)}
    plain = "a:\n  b:\n    c: a plain scalar\n      continued here\nafter: x\n"
    assert findings(tmp_path, schema_file, plain) == {"a.b.c": (3, 8), "after": (5, 8)}


def test_keys_that_need_quoting(tmp_path: Path, schema_file: Path) -> None:
    text = 'dotted:\n  "x.y": yes\n  "a b": maybe\n'
    assert findings(tmp_path, schema_file, text) == {'dotted["a b"]': (3, 10)}


def test_broken_yaml_is_a_located_finding(tmp_path: Path, schema_file: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("a:\n  b: [1, 2\n  c: 3\n")
    report = standalone([path], str(schema_file))
    [finding] = report.findings
    assert (finding.rule, finding.line) == ("yaml-syntax", 3)
    assert finding.message.startswith("bad YAML: ")
    assert finding.text().startswith(f"{path}:3:")
