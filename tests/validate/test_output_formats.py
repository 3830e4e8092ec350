"""Every output format parsed back: text, json, github annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from lcm.validate.output import render, to_json
from lcm.validate.run import standalone

BAD = """\
llm:
  provider: openai
  model: gpt-4o
  temperature: 9
  api_key: sk-plaintext-value-123
  retries: 11
  timeout_s: 30, 60
"""

# The parts of the SARIF 2.1.0 schema a code-scanning upload relies on.
SARIF_SUBSET = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "shortDescription"],
                                        },
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "message", "locations", "level"],
                            "properties": {
                                "level": {"enum": ["error", "warning", "note", "none"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine", "startColumn"],
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            },
                                                            "startColumn": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            },
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("inference.yaml").write_text(BAD)
    return standalone([Path("inference.yaml")], "lcm:model-endpoint")


def expected_rows(report) -> list[tuple[str, int, int, str]]:
    return [(f.file, f.line, f.col, f.key) for f in report.sorted_findings()]


def test_report_has_the_findings_the_formats_are_tested_with(report) -> None:
    assert expected_rows(report) == [
        ("inference.yaml", 4, 16, "llm.temperature"),
        ("inference.yaml", 5, 12, "llm.api_key"),
        ("inference.yaml", 6, 12, "llm.retries"),
        ("inference.yaml", 7, 14, "llm.timeout_s"),
    ]


def test_text(report) -> None:
    out = render(report, "text")
    rows = [re.fullmatch(r"(.+?):(\d+):(\d+): (\S+): (.+)", line) for line in out.splitlines()]
    assert all(rows), out
    assert [(m[1], int(m[2]), int(m[3]), m[4]) for m in rows] == expected_rows(report)
    assert "\x1b[" not in out
    assert "\x1b[" in render(report, "text", color=True)


def test_json(report) -> None:
    doc = json.loads(render(report, "json"))
    assert doc["version"] == 1 and doc["ok"] is False
    assert doc["summary"] == {"files": 1, "configs": 0, "errors": 4}
    assert [
        (f["file"], f["line"], f["column"], f["key"]) for f in doc["findings"]
    ] == expected_rows(report)
    first = doc["findings"][0]
    assert set(first) == {
        "file",
        "line",
        "column",
        "key",
        "path",
        "rule",
        "keyword",
        "message",
        "severity",
        "schema",
        "config",
    }
    assert (first["path"], first["rule"], first["keyword"]) == (
        ["llm", "temperature"],
        "range",
        "maximum",
    )
    assert first["schema"] == "lcm:model-endpoint"
    assert doc == to_json(report)


def test_github(report) -> None:
    out = render(report, "github")
    pattern = re.compile(r"::error file=([^,]+),line=(\d+),col=(\d+),title=([^:]+)::(.*)")
    rows = [pattern.fullmatch(line) for line in out.splitlines()]
    assert all(rows), out
    assert [(m[1], int(m[2]), int(m[3])) for m in rows] == [r[:3] for r in expected_rows(report)]
    assert rows[0][4] == "lcm validate (range)"
    assert rows[0][5] == "llm.temperature: 9 is greater than the maximum of 2"


def test_github_escapes_what_would_break_the_command() -> None:
    from lcm.validate.findings import Finding, Report

    report = Report(
        findings=[Finding("dir,x/a:b.yaml", 1, 2, ("k",), "type", "type", "50% bad\nnext")]
    )
    assert render(report, "github") == (
        "::error file=dir%2Cx/a%3Ab.yaml,line=1,col=2,title=lcm validate (type)::"
        "k: 50%25 bad%0Anext\n"
    )


def test_sarif(report) -> None:
    doc = json.loads(render(report, "sarif"))
    Draft202012Validator(SARIF_SUBSET).validate(doc)
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    assert {"type", "enum", "required", "range", "format", "plaintext-secret"} <= set(rule_ids)
    got = []
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        loc = result["locations"][0]["physicalLocation"]
        got.append(
            (
                loc["artifactLocation"]["uri"],
                loc["region"]["startLine"],
                loc["region"]["startColumn"],
                result["properties"]["key"],
            )
        )
    assert got == expected_rows(report)
    assert [r["ruleId"] for r in run["results"]] == ["range", "plaintext-secret", "range", "type"]


def test_no_format_echoes_a_plaintext_secret(report) -> None:
    for fmt in ("text", "json", "github", "sarif"):
        assert "sk-plaintext-value-123" not in render(report, fmt)


def test_clean_report_renders_empty_or_ok(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("llm: {provider: openai, model: gpt-4o}\n")
    report = standalone([good], "lcm:model-endpoint")
    assert render(report, "text") == "" and render(report, "github") == ""
    assert json.loads(render(report, "json"))["ok"] is True
    assert json.loads(render(report, "sarif"))["runs"][0]["results"] == []
