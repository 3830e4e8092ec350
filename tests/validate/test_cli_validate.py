"""`lcm validate` as a command: outside a repository, exit codes, import hygiene."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCHEMA = {
    "type": "object",
    "required": ["model"],
    "properties": {"model": {"type": "string"}, "temperature": {"maximum": 2}},
}


@pytest.fixture
def plain_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder that is not an lcm repository, with a schema and two YAML files."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inference.schema.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "good.yaml").write_text("model: gpt-4o\n")
    (tmp_path / "bad.yml").write_text("model: gpt-4o\ntemperature: 3\n")
    return tmp_path


def test_schema_option_outside_a_repo(plain_dir: Path, cli) -> None:
    result = cli("validate", "--schema", "inference.schema.json", "good.yaml")
    assert result.code == 0 and result.stdout == ""
    assert "ok: 1 file valid" in result.stderr
    result = cli("validate", "--schema", "inference.schema.json", ".")
    assert result.code == 1
    assert result.stdout == "bad.yml:2:14: temperature: 3 is greater than the maximum of 2\n"
    assert "1 error in 1 file (2 files checked)" in result.stderr


def test_builtin_schema_by_name_outside_a_repo(plain_dir: Path, cli) -> None:
    (plain_dir / "params.yaml").write_text("temperature: 0.2\nmax_tokens: 0\n")
    result = cli("validate", "--schema", "lcm:model-parameters", "params.yaml", "-f", "json")
    assert result.code == 1
    [finding] = json.loads(result.stdout)["findings"]
    assert (finding["line"], finding["keyword"]) == (2, "minimum")


def test_exit_codes(plain_dir: Path, cli) -> None:
    assert cli("validate", "good.yaml").code == 3  # not a repo, no --schema
    assert cli("validate", "--schema", "inference.schema.json", "missing.yaml").code == 3
    assert cli("validate", "--schema", "nope.json", "good.yaml").code == 3
    assert cli("validate", "--schema", "lcm:nope", "good.yaml").code == 3
    assert cli("validate", "--schema", "inference.schema.json").code == 2
    assert cli("validate", "--schema", "inference.schema.json", "good.yaml", "-f", "xml").code == 2
    (plain_dir / "broken.schema.json").write_text('{"type": "object", "minProperties": -1}')
    result = cli("validate", "--schema", "broken.schema.json", "good.yaml")
    assert result.code == 3 and "invalid schema at minProperties" in result.stderr
    (plain_dir / "remote.schema.json").write_text('{"$ref": "https://example.invalid/s.json"}')
    result = cli("validate", "--schema", "remote.schema.json", "good.yaml")
    assert result.code == 3
    assert "cannot resolve $ref 'https://example.invalid/s.json'" in result.stderr
    assert result.exception is None


def test_broken_yaml_is_located_not_a_traceback(plain_dir: Path, cli) -> None:
    (plain_dir / "broken.yaml").write_text("model: gpt-4o\n  temperature: 1\n")
    result = cli("validate", "--schema", "inference.schema.json", "broken.yaml")
    assert result.code == 1
    assert result.stdout.startswith("broken.yaml:2:14: bad YAML: ")
    assert result.exception is None


def test_installed_executable(plain_dir: Path, lcm_exe) -> None:
    result = lcm_exe(
        "validate",
        "--schema",
        "inference.schema.json",
        "bad.yml",
        "--format",
        "sarif",
        cwd=plain_dir,
    )
    assert result.code == 1
    sarif = json.loads(result.stdout)
    region = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 2, "startColumn": 14}


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"], ["validate", "--help"]])
def test_jsonschema_is_not_imported_by_help_or_scan(args: list[str]) -> None:
    code = (
        "import sys\nfrom typer.testing import CliRunner\nfrom lcm.cli.main import app\n"
        f"CliRunner().invoke(app, {args!r})\nprint('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
