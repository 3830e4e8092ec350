"""Rendering findings as text, JSON (stable, documented in docs/scan.md) or SARIF 2.1.0.

Every format shows a redacted preview (`Finding.preview`), never the secret.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

from lcm.scan.model import Finding, Unreadable
from lcm.scan.rules import LCM_RULES, RULES

JSON_VERSION = 1
FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


class ScanResult:
    """Everything a report needs: findings, counts and the paths that could not be read."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.scanned = 0
        self.baselined = 0
        self.unreadable: list[Unreadable] = []


def render(result: ScanResult, fmt: str) -> str:
    """The report in `fmt` ("text", "json" or "sarif"), always encodable as UTF-8."""
    text = _json(result) if fmt == "json" else _sarif(result) if fmt == "sarif" else _text(result)
    # File names that are not UTF-8 arrive as surrogate escapes; print them replaced, not crash.
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _location(f: Finding) -> str:
    where = f"{f.path}:{f.line}:{f.column}"
    return f"{where} ({f.commit[:12]})" if f.commit else where


def _text(result: ScanResult) -> str:
    return "".join(f"{_location(f)}: {f.rule_id}: {f.preview}\n" for f in result.findings)


def finding_dict(f: Finding) -> dict[str, Any]:
    """The stable JSON shape of one finding."""
    return {
        "rule": f.rule_id,
        "description": f.description,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "end_line": f.end_line or f.line,
        "commit": f.commit,
        "preview": f.preview,
    }


def _json(result: ScanResult) -> str:
    document = {
        "version": JSON_VERSION,
        "findings": [finding_dict(f) for f in result.findings],
        "summary": {
            "findings": len(result.findings),
            "scanned": result.scanned,
            "baselined": result.baselined,
            "unreadable": [{"path": u.path, "reason": u.reason} for u in result.unreadable],
        },
    }
    return _dumps(document)


def rule_catalog() -> list[tuple[str, str]]:
    """(id, description) of every rule, regex rules first, in documentation order."""
    return [(r.id, r.description) for r in RULES] + list(LCM_RULES.items())


def _sarif(result: ScanResult) -> str:
    catalog = rule_catalog()
    index = {rule_id: i for i, (rule_id, _) in enumerate(catalog)}
    results = []
    for f in result.findings:
        region: dict[str, Any] = {
            "startLine": f.line,
            "startColumn": f.column,
            "endLine": f.end_line or f.line,
        }
        item: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": "error",
            "message": {"text": f"{f.description}: {f.preview}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri(f.path)},
                        "region": region,
                    }
                }
            ],
        }
        if f.commit:
            item["properties"] = {"commit": f.commit}
        results.append(item)
    driver = {
        "name": "lcm-scan",
        "version": _version(),
        "rules": [
            {
                "id": rule_id,
                "name": "".join(part.capitalize() for part in rule_id.split("-")),
                "shortDescription": {"text": description},
                "defaultConfiguration": {"level": "error"},
            }
            for rule_id, description in catalog
        ],
    }
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}
        ],
    }
    return _dumps(document)


def _version() -> str:
    from lcm import __version__

    return __version__


def _dumps(document: dict[str, Any]) -> str:
    import json  # only the json and sarif formats pay for it

    return json.dumps(document, indent=2) + "\n"


def _uri(path: str) -> str:
    """A SARIF artifact URI: relative paths stay relative, absolute ones become file: URIs."""
    from urllib.parse import quote

    posix = path.replace("\\", "/")
    return "file://" + quote(posix) if posix.startswith("/") else quote(posix)
