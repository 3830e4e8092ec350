"""SARIF 2.1.0 for code scanning: one rule per keyword family, one result per finding."""

from __future__ import annotations

from typing import Any

from lcm.validate.findings import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_HELP = {
    "type": "A value has the wrong type.",
    "enum": "A value is not one of the allowed values.",
    "required": "A required key is missing.",
    "unknown-key": "A key the schema does not allow (often a typo).",
    "range": "A number is outside its allowed range.",
    "size": "A string, list or mapping is too short, too long or has duplicates.",
    "format": "A string does not match its pattern or format.",
    "composition": "A value matches none (or several) of the allowed forms.",
    "plaintext-secret": "A secret value is stored in plaintext; it must be encrypted.",
    "undeclared-placeholder": "A {{placeholder}} in a prompt template is not declared.",
    "weights": "Routing weights are missing or do not add up.",
    "bad-ciphertext": "A value that starts with ENC[ is not a well-formed encrypted value.",
    "integrity": "A file's MAC does not match: it was edited outside lcm.",
    "yaml-syntax": "The file is not valid YAML.",
    "orphan-file": "A file under config/ outside every tenant/environment of the manifest.",
}


def to_sarif(report: Report, version: str) -> dict[str, Any]:
    """The SARIF log of a report."""
    findings = report.sorted_findings()
    rule_ids = sorted({f.rule for f in findings} | set(RULE_HELP))
    index = {rule: i for i, rule in enumerate(rule_ids)}
    rules = [
        {
            "id": rule,
            "name": rule.replace("-", " ").title().replace(" ", ""),
            "shortDescription": {"text": RULE_HELP.get(rule, f"Schema keyword family {rule}.")},
            "defaultConfiguration": {"level": "error"},
        }
        for rule in rule_ids
    ]
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": "error" if f.severity == "error" else "note",
            "message": {"text": f"{f.key}: {f.message}" if f.path else f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.file.replace("\\", "/")},
                        "region": {"startLine": f.line, "startColumn": f.col},
                    }
                }
            ],
            "properties": {
                "keyword": f.keyword,
                "key": f.key,
                **({"schema": f.schema} if f.schema else {}),
                **({"config": f.config} if f.config else {}),
            },
        }
        for f in findings
    ]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "lcm validate", "version": version, "rules": rules}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if report.notes:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "note", "message": {"text": note}} for note in report.notes
                ],
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
