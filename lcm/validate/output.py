"""Render a validation report as text, json, github annotations or SARIF.

The json format (documented in docs/validate.md) is a contract: fields are only added."""

from __future__ import annotations

import json
from typing import Any

from lcm.validate.findings import Finding, Report

FORMATS = ("text", "json", "github", "sarif")
JSON_FORMAT_VERSION = 1


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    """The report in format `fmt` (stdout text, newline-terminated when not empty)."""
    if fmt == "json":
        return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        from lcm.validate.sarif import to_sarif

        return json.dumps(to_sarif(report, _version()), indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        lines = [_github(f) for f in report.sorted_findings()]
        lines += [f"::notice title=lcm validate::{_escape(note)}" for note in report.notes]
        return "".join(line + "\n" for line in lines)
    return "".join(_text(f, color) + "\n" for f in report.sorted_findings())


def summary(report: Report) -> str:
    """One line for stderr: how much was checked and how many errors."""
    errors = len(report.findings)
    files = len({f.file for f in report.findings})
    checked = f"{report.files_checked} file{'s' * (report.files_checked != 1)}"
    if report.configs_checked:
        checked += (
            f", {report.configs_checked} effective config{'s' * (report.configs_checked != 1)}"
        )
    if not errors:
        return f"ok: {checked} valid"
    plural = "s" * (errors != 1), "s" * (files != 1)
    return f"{errors} error{plural[0]} in {files} file{plural[1]} ({checked} checked)"


def to_json(report: Report) -> dict[str, Any]:
    """The stable json document: version, ok, summary, notes, findings."""
    return {
        "version": JSON_FORMAT_VERSION,
        "ok": report.exit_code == 0,
        "summary": {
            "files": report.files_checked,
            "configs": report.configs_checked,
            "errors": len(report.findings),
        },
        "notes": list(report.notes),
        "findings": [_json_finding(f) for f in report.sorted_findings()],
    }


def _json_finding(f: Finding) -> dict[str, Any]:
    return {
        "file": f.file,
        "line": f.line,
        "column": f.col,
        "key": f.key,
        "path": list(f.path),
        "rule": f.rule,
        "keyword": f.keyword,
        "message": f.message,
        "severity": f.severity,
        "schema": f.schema,
        "config": f.config,
    }


def _text(f: Finding, color: bool) -> str:
    if not color:
        return f.text()
    where = f"\x1b[1m{f.file}:{f.line}:{f.col}\x1b[0m"
    key = f"\x1b[36m{f.key}\x1b[0m: " if f.path else ""
    return f"{where}: {key}\x1b[31m{f.message}\x1b[0m"


def _github(f: Finding) -> str:
    props = ",".join(
        f"{k}={_escape(str(v), prop=True)}"
        for k, v in (
            ("file", f.file),
            ("line", f.line),
            ("col", f.col),
            ("title", f"lcm validate ({f.rule})"),
        )
    )
    body = f"{f.key}: {f.message}" if f.path else f.message
    return f"::error {props}::{_escape(body)}"


def _escape(text: str, prop: bool = False) -> str:
    """GitHub workflow-command escaping (properties also escape `:` and `,`)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _version() -> str:
    from lcm import __version__

    return __version__
