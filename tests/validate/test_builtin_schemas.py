"""The built-in schemas: valid JSON Schema 2020-12, examples that pass, invalid examples
that fail with the expected keyword at the expected line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from lcm.format.paths import iter_leaves
from lcm.validate.engine import schema_problems
from lcm.validate.run import standalone
from lcm.validate.schemas import builtin_contents, builtin_kinds, load

from .helpers import invalid_examples, parse_header

KINDS = [
    "model-endpoint",
    "model-parameters",
    "prompt-template",
    "routing",
    "rate-limits",
    "budget",
    "manifest",
]
PROVIDERS = [
    "openai",
    "anthropic",
    "azure-openai",
    "aws-bedrock",
    "google-vertex",
    "google-gemini",
    "cohere",
    "mistral",
    "huggingface",
    "openai-compatible",
    "vllm",
]
FAMILIES = ["type", "enum", "required", "unknown-key", "range", "size", "format"]


def test_every_documented_kind_ships() -> None:
    assert set(KINDS) <= set(builtin_kinds())


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_2020_12(kind: str) -> None:
    schema = builtin_contents(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"lcm:{kind}"
    Draft202012Validator.check_schema(schema)
    assert schema.get("examples"), f"{kind} has no examples"


@pytest.mark.parametrize("kind", KINDS)
def test_examples_pass(kind: str) -> None:
    compiled = load(f"lcm:{kind}")
    for index, example in enumerate(builtin_contents(kind)["examples"]):
        problems = schema_problems(example, compiled, encrypted="ENC[" in json.dumps(example))
        assert problems == [], f"{kind} example {index}: {problems}"


def test_examples_cover_every_provider() -> None:
    examples = builtin_contents("model-endpoint")["examples"]
    seen = set()
    for example in examples:
        llm = example["llm"]
        seen.add(llm["provider"])
        seen.update(f["provider"] for f in llm.get("fallbacks", []))
    assert set(PROVIDERS) - {"openai-compatible"} <= seen
    enum = builtin_contents("model-endpoint")["$defs"]["endpoint"]["properties"]["provider"]["enum"]
    assert set(PROVIDERS) <= set(enum)


def test_secret_fields_are_marked() -> None:
    endpoint = builtin_contents("model-endpoint")
    assert endpoint["$defs"]["secret"]["x-lcm-secret"] is True
    props = endpoint["$defs"]["endpoint"]["properties"]
    assert props["api_key"]["$ref"] == "#/$defs/secret"
    auth = endpoint["$defs"]["auth"]["properties"]
    assert {k for k, v in auth.items() if v.get("$ref") == "#/$defs/secret"} == {
        "api_key",
        "token",
        "client_secret",
        "credentials_json",
    }
    budget = builtin_contents("budget")["properties"]["alerts"]["items"]["properties"]
    assert budget["webhook_secret"]["x-lcm-secret"] is True


def test_examples_store_secrets_encrypted() -> None:
    """A plaintext value at a secret field in an example would teach the wrong thing."""
    from lcm.format.crypto import is_encrypted

    for kind in KINDS:
        for example in builtin_contents(kind)["examples"]:
            for path, value in iter_leaves(example):
                if path and path[-1] in ("api_key", "client_secret", "webhook_secret", "token"):
                    assert is_encrypted(value), (kind, path)


@pytest.mark.parametrize("example", invalid_examples(), ids=lambda p: p.stem)
def test_invalid_example_fails_where_expected(example: Path) -> None:
    schema, expected = parse_header(example)
    report = standalone([example], schema)
    got = {(f.keyword, f.line, f.col, f.key) for f in report.findings}
    for want in expected:
        assert (want.keyword, want.line, want.col, want.key) in got, (want, report.findings)
    assert len(report.findings) == len(expected), report.findings
    assert report.exit_code == 1


def test_invalid_examples_cover_every_family_of_every_schema() -> None:
    covered: dict[str, set[str]] = {}
    for example in invalid_examples():
        schema, _ = parse_header(example)
        report = standalone([example], schema)
        covered.setdefault(schema, set()).update(f.rule for f in report.findings)
    for kind in KINDS:
        families = set(FAMILIES)
        if kind in ("model-parameters",):
            families -= {"format"}
        if kind == "rate-limits":
            families -= {"format"}
        if kind == "prompt-template":
            families -= {"range"}
        if kind == "manifest":
            families -= {"range"}
        assert families <= covered[f"lcm:{kind}"], (kind, families - covered[f"lcm:{kind}"])
    assert "undeclared-placeholder" in covered["lcm:prompt-template"]
    assert "weights" in covered["lcm:routing"]
    assert "plaintext-secret" in covered["lcm:model-endpoint"]


def test_manifest_schema_accepts_the_design_example_and_lcm_init_output(tmp_path: Path) -> None:
    from lcm.ops.scaffold import MANIFEST_TEMPLATE

    design = tmp_path / "design.yaml"
    design.write_text(
        "version: 1\nrepo_id: 6f1c2a9e\nenvironments:\n  base: {}\n"
        "  development: {parent: base}\n  staging: {parent: base}\n"
        "  production: {parent: staging}\n"
        "tenants:\n  acme: {backend: keyring}\n"
        'secrets: ["*api_key", "*password", "*token", "*secret"]\n'
        'schemas:\n  - files: "*/*/inference.yaml"\n    schema: lcm:model-endpoint\n'
        'rotation:\n  - {keys: "*api_key", max_age: 90d, overlap: 7d}\n'
        '  - {keys: "*password", max_age: 30d, overlap: 24h}\n  - data_keys: {max_age: 90d}\n'
    )
    init = tmp_path / "init.yaml"
    init.write_text(MANIFEST_TEMPLATE.format(repo_id="0123456789abcdef"))
    report = standalone([design, init], "lcm:manifest")
    assert report.findings == []
    assert report.files_checked == 2
