"""`lcm validate` in a repository: effective configs located through provenance, keyless
(fresh HOME) and with keys, plaintext secrets, tampering, a bad manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import write_sealed

BASE = "config/acme/base/inference.yaml"
PROD = "config/acme/production/inference.yaml"


@pytest.fixture
def filled(repo: Path, cli) -> Path:
    """acme/base/inference with an encrypted api_key, production overriding temperature."""
    assert cli("set", "acme/base/inference", "llm.provider", "openai").code == 0
    assert cli("set", "acme/base/inference", "llm.model", "gpt-4o").code == 0
    assert cli("set", "acme/base/inference", "llm.api_key", "sk-live-1234", "--secret").code == 0
    assert cli("set", "acme/production/inference", "llm.temperature", "0.5").code == 0
    return repo


def fresh_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A HOME and XDG data folder with no keys in them (the usual CI machine)."""
    home = tmp_path / "ci-home"
    (home / "data").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))


def as_json(result) -> dict:
    return json.loads(result.stdout)


def test_valid_repo_with_keys(filled: Path, cli) -> None:
    result = cli("validate")
    assert result.code == 0, result
    assert result.stdout == ""
    assert "ok: 3 files, 4 effective configs valid" in result.stderr
    assert "no keys" not in result.stderr


def test_keyless_in_fresh_home(filled: Path, cli, monkeypatch, tmp_path: Path) -> None:
    fresh_home(monkeypatch, tmp_path)
    result = cli("validate")
    assert result.code == 0, result
    assert result.stderr.count("no keys for acme") == 1
    doc = as_json(cli("validate", "--format", "json"))
    assert doc["ok"] is True and doc["findings"] == []
    assert len(doc["notes"]) == 1 and "MACs were not verified" in doc["notes"][0]


def test_keyless_flag_matches_a_machine_without_keys(filled: Path, cli) -> None:
    doc = as_json(cli("validate", "--format", "json", "--keyless"))
    assert doc["ok"] is True and len(doc["notes"]) == 1


def test_effective_error_is_reported_where_the_value_came_from(filled: Path, cli) -> None:
    write_sealed(filled, "acme/production/inference", {"llm": {"temperature": 0.5, "top_p": 3}})
    write_sealed(filled, "acme/staging/inference", {"llm": {"retries": 99}})
    doc = as_json(cli("validate", "--format", "json"))
    rows = {(f["file"], f["line"], f["key"], f["keyword"], f["config"]) for f in doc["findings"]}
    assert rows == {
        (PROD, 3, "llm.top_p", "maximum", "acme/production/inference"),
        (
            "config/acme/staging/inference.yaml",
            2,
            "llm.retries",
            "maximum",
            "acme/production/inference",
        ),
    } or rows == {
        (PROD, 3, "llm.top_p", "maximum", "acme/production/inference"),
        (
            "config/acme/staging/inference.yaml",
            2,
            "llm.retries",
            "maximum",
            "acme/staging/inference",
        ),
    }
    assert doc["summary"]["errors"] == 2  # staging's error is found twice, reported once


def test_completeness_is_checked_in_deployable_envs_not_in_base(repo: Path, cli) -> None:
    write_sealed(repo, "acme/base/inference", {"llm": {"provider": "openai"}})
    result = cli("validate")
    assert result.code == 1
    lines = result.stdout.splitlines()
    [line] = lines  # the shared base file's error, once, naming a config that fails
    assert line.startswith(f"{BASE}:1:1: llm: needs at least one of 'model', 'model_id' "
                           "(effective config acme/")
    doc = as_json(cli("validate", "--format", "json"))
    assert doc["findings"][0]["config"] in {
        "acme/development/inference",
        "acme/staging/inference",
        "acme/production/inference",
    }
    write_sealed(repo, "acme/production/inference", {"llm": {"model": "gpt-4o"}})
    write_sealed(repo, "acme/development/inference", {"llm": {"model": "gpt-4o-mini"}})
    write_sealed(repo, "acme/staging/inference", {"llm": {"model": "gpt-4o"}})
    assert cli("validate").code == 0


def test_encrypted_value_is_validated_only_with_keys(
    filled: Path, cli, monkeypatch, tmp_path
) -> None:
    write_sealed(
        filled,
        "acme/base/inference",
        {
            "llm": {
                "provider": "openai",
                "model": "gpt-4o",
                "api_key": "sk-live-1234",
                "retries": 42,
            }
        },
        secret=(("llm", "retries"),),
    )
    stored = (filled / BASE).read_text()
    assert "retries: ENC[" in stored and "42" not in stored.split("retries:")[1].split("\n")[0]
    with_keys = cli("validate")
    assert with_keys.code == 1
    assert with_keys.stdout == (
        f"{BASE}:5:12: llm.retries: the secret value is greater than " "the maximum of 10\n"
    )
    fresh_home(monkeypatch, tmp_path)
    keyless = cli("validate")
    assert keyless.code == 0, keyless
    assert "checked only for being encrypted" in keyless.stderr


def test_plaintext_secret_is_an_error_that_never_echoes_it(
    filled: Path, cli, monkeypatch, tmp_path
) -> None:
    text = (
        (filled / BASE)
        .read_text()
        .replace(
            "  model: gpt-4o\n", "  model: gpt-4o\n  auth: {type: api_key, api_key: sk-oops-5678}\n"
        )
    )
    (filled / BASE).write_text(text)
    fresh_home(monkeypatch, tmp_path)
    for fmt in ("text", "json", "github", "sarif"):
        result = cli("validate", "--format", fmt)
        assert result.code == 1
        assert "sk-oops-5678" not in result.stdout + result.stderr
    doc = as_json(cli("validate", "--format", "json"))
    [finding] = doc["findings"]
    assert (finding["file"], finding["line"], finding["column"]) == (BASE, 4, 34)
    assert (finding["key"], finding["rule"]) == ("llm.auth.api_key", "plaintext-secret")


def test_secret_glob_in_a_file_with_no_schema(filled: Path, cli, monkeypatch, tmp_path) -> None:
    path = filled / "config/acme/base/misc.yaml"
    path.write_text("db:\n  host: x\n  password: hunter2\n")
    fresh_home(monkeypatch, tmp_path)
    result = cli("validate")
    assert result.code == 1
    assert (
        "config/acme/base/misc.yaml:3:13: db.password: secret value is stored in plaintext"
        in result.stdout
    )
    assert "hunter2" not in result.stdout + result.stderr


def test_tampered_file_fails_the_mac_only_with_keys(
    filled: Path, cli, monkeypatch, tmp_path
) -> None:
    text = (filled / BASE).read_text().replace("model: gpt-4o", "model: gpt-4o-mini")
    (filled / BASE).write_text(text)
    result = cli("validate", "--format", "json")
    assert result.code == 1
    [finding] = as_json(result)["findings"]
    assert (finding["rule"], finding["key"], finding["file"]) == ("integrity", "lcm.mac", BASE)
    assert "changed outside lcm" in finding["message"]
    fresh_home(monkeypatch, tmp_path)
    assert cli("validate").code == 0


def test_broken_yaml_in_a_config_file_is_located(filled: Path, cli) -> None:
    (filled / PROD).write_text("llm:\n  temperature: [0.5\n")
    result = cli("validate")
    assert result.code == 1
    assert result.stdout.startswith(f"{PROD}:3:1: bad YAML: ")
    assert "Traceback" not in result.stderr


def test_paths_limit_the_check_and_github_format(filled: Path, cli) -> None:
    write_sealed(filled, "acme/development/inference", {"llm": {"temperature": 7}})
    result = cli("validate", PROD, "--format", "github")
    assert result.code == 0, result
    result = cli("validate", "config/acme/development/inference.yaml", "--format", "github")
    assert result.code == 1
    assert result.stdout == (
        "::error file=config/acme/development/inference.yaml,line=2,col=16,"
        "title=lcm validate (range)::llm.temperature: 7 is greater than the "
        "maximum of 2\n"
    )


def test_schema_option_overrides_the_mapping(filled: Path, cli, tmp_path: Path) -> None:
    strict = tmp_path / "strict.json"
    strict.write_text(
        json.dumps(
            {
                "type": "object",
                "properties": {
                    "llm": {"type": "object", "properties": {"temperature": {"maximum": 0.1}}}
                },
            }
        )
    )
    result = cli("validate", PROD, "--schema", str(strict))
    assert result.code == 1
    assert result.stdout.startswith(
        f"{PROD}:2:16: llm.temperature: 0.5 is greater than the maximum of 0.1"
    )


def test_unknown_manifest_key_is_a_located_finding(filled: Path, cli) -> None:
    manifest = filled / ".lcm.yaml"
    manifest.write_text(manifest.read_text() + "schema:\n  - files: x\n")
    result = cli("validate")
    assert result.code == 1
    lines = manifest.read_text().splitlines()
    assert (
        result.stdout
        == f".lcm.yaml:{len(lines) - 1}:1: schema: unknown key 'schema' (did you mean 'schemas'?)\n"
    )


def test_unusable_manifest_is_a_repo_error_with_located_findings(filled: Path, cli) -> None:
    manifest = filled / ".lcm.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("environments:", "environments: {}\nold_environments:"))
    result = cli("validate")
    assert result.code == 3
    assert ".lcm.yaml:" in result.stdout and "environments: has 0 keys" in result.stdout
    manifest.write_text("version: 1\nrepo_id: [oops\n")
    result = cli("validate")
    assert result.code == 3
    assert result.stdout.startswith(".lcm.yaml:3:1: bad YAML: ")


def test_prompt_template_placeholders_in_a_repo(repo: Path, cli) -> None:
    path = repo / "config/acme/base/prompts/support.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(
        "name: support\nversion: 1.0.0\ntemplate: |\n  Hi {{name}},\n  about {{topic}}\n"
        "variables:\n  name: {type: string}\n"
    )
    result = cli("validate", "--keyless")
    assert result.code == 1
    assert result.stdout == (
        "config/acme/base/prompts/support.yaml:5:9: template: placeholder "
        "{{topic}} is not declared under `variables`\n"
    )
    with_keys = cli("validate", "--format", "json")
    rules = sorted(f["rule"] for f in as_json(with_keys)["findings"])
    assert rules == ["integrity", "undeclared-placeholder"]  # written by hand: never sealed


def test_file_outside_known_tenants_and_envs_is_not_silently_skipped(filled: Path, cli) -> None:
    stray = filled / "config/acme/prodution/inference.yaml"
    stray.parent.mkdir()
    stray.write_text("llm: {provider: openai, model: gpt-4o, temperature: 9}\n")
    result = cli("validate", "--keyless")
    assert result.code == 1
    assert result.stdout == (
        "config/acme/prodution/inference.yaml:1:1: not validated: not a config file of a "
        "tenant and environment in the manifest (config/TENANT/ENV/NAME.yaml)\n"
    )


def test_wrong_type_at_a_secret_key_does_not_echo_the_value(filled: Path, cli) -> None:
    text = (
        (filled / BASE)
        .read_text()
        .replace("  model: gpt-4o\n", "  model: gpt-4o\n  timeout_s: 31337\n")
    )
    (filled / BASE).write_text(text)
    manifest = filled / ".lcm.yaml"
    manifest.write_text(
        manifest.read_text().replace('secrets: ["*api_key"', 'secrets: ["*timeout_s", "*api_key"')
    )
    result = cli("validate", "--keyless")
    assert result.code == 1
    assert "31337" not in result.stdout + result.stderr
    assert (
        f"{BASE}:4:14: llm.timeout_s: the secret value is greater than the maximum of 300"
        in result.stdout
    )
