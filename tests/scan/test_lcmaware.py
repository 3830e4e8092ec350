"""lcm-aware checks in a real config repository: plaintext at secret keys, MACs that fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .corpus import Keys

KEYS = Keys(41)
OPENAI = "s" + "k-proj-" + KEYS.s(100)
ADDR = "acme/production/inference"
FILE = "config/acme/production/inference.yaml"


@pytest.fixture
def config(repo: Path, cli) -> Path:
    """`inference.yaml` written by lcm: an encrypted api_key and plain settings."""
    assert cli("set", ADDR, "llm.provider", "openai", "--no-commit").code == 0
    assert cli("set", ADDR, "llm.model", "gpt-4o", "--no-commit").code == 0
    assert cli("set", ADDR, "llm.api_key", OPENAI, "--secret", "--no-commit").code == 0
    path = repo / FILE
    assert "ENC[AES256_GCM," in path.read_text()
    return path


def findings(run) -> list[tuple[int, str]]:
    return [(f["line"], f["rule"]) for f in json.loads(run.stdout)["findings"]]


def no_keys(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "no-keys"
    empty.mkdir(exist_ok=True)
    return {"XDG_DATA_HOME": str(empty)}


def test_files_written_by_lcm_are_clean(scan, config: Path, repo: Path) -> None:
    run = scan("--format", "json", "config", ".lcm.yaml", cwd=repo)
    assert run.code == 0, run
    assert scan(cwd=repo).code == 0  # the whole work tree


def test_plaintext_at_a_manifest_secret_key(scan, config: Path, repo: Path, tmp_path: Path) -> None:
    lines = config.read_text().splitlines()
    lines.insert(1, "  db_password: hunter2")  # no rule matches this
    config.write_text("\n".join(lines) + "\n")
    run = scan("--format", "json", FILE, cwd=repo, env=no_keys(tmp_path))
    assert findings(run) == [(2, "lcm-plaintext-secret")]
    assert "hunter2" not in run.stdout
    assert json.loads(run.stdout)["findings"][0]["column"] == 16


def test_plaintext_at_a_schema_secret_key_even_in_a_fallback(
    scan, config: Path, repo: Path, tmp_path: Path
) -> None:
    text = config.read_text().replace(
        "lcm:\n",
        "  fallbacks:\n    - provider: google-vertex\n      auth:\n"
        "        type: gcp_service_account\n"
        '        credentials_json: \'{"type": "service_account"}\'\nlcm:\n',
        1,
    )
    config.write_text(text)
    line = text.splitlines().index('        credentials_json: \'{"type": "service_account"}\'') + 1
    run = scan("--format", "json", FILE, cwd=repo, env=no_keys(tmp_path))
    assert findings(run) == [(line, "lcm-plaintext-secret")]


def test_references_and_ciphertext_at_secret_keys_are_fine(
    scan, config: Path, repo: Path, tmp_path: Path
) -> None:
    text = config.read_text().replace(
        "lcm:\n", "  admin_token: ${ADMIN_TOKEN}\n  ci_password:\nlcm:\n", 1
    )
    config.write_text(text)
    assert scan(FILE, cwd=repo, env=no_keys(tmp_path)).code == 0


def test_rule_finding_wins_over_plaintext_on_the_same_line(
    scan, config: Path, repo: Path, tmp_path: Path
) -> None:
    text = config.read_text().replace("lcm:\n", f"  backup_api_key: {OPENAI}\nlcm:\n", 1)
    config.write_text(text)
    run = scan("--format", "json", FILE, cwd=repo, env=no_keys(tmp_path))
    assert [rule for _, rule in findings(run)] == ["openai-project-key"]


def test_a_hand_edit_breaks_the_mac_when_keys_are_present(
    scan, config: Path, repo: Path, tmp_path: Path
) -> None:
    config.write_text(config.read_text().replace("model: gpt-4o", "model: gpt-4o-mini"))
    run = scan("--format", "json", FILE, cwd=repo)
    mac_line = (
        config.read_text()
        .splitlines()
        .index(next(line for line in config.read_text().splitlines() if line.startswith("  mac:")))
        + 1
    )
    assert findings(run) == [(mac_line, "lcm-mac-invalid")]
    assert run.code == 1
    # Without the tenant's key there is nothing to verify with: no finding, no error.
    quiet = scan(FILE, cwd=repo, env=no_keys(tmp_path))
    assert (quiet.code, quiet.stdout, quiet.stderr) == (0, "", "lcm: no secrets found in 1 file\n")


def test_mac_check_can_be_disabled_by_config(scan, config: Path, repo: Path) -> None:
    config.write_text(config.read_text().replace("model: gpt-4o", "model: gpt-4o-mini"))
    (repo / ".lcm-scan.yaml").write_text("disable: [lcm-mac-invalid]\n")
    assert scan(FILE, cwd=repo).code == 0


def test_staged_plaintext_is_found_from_the_index(
    scan, config: Path, repo: Path, tmp_path: Path
) -> None:
    import subprocess

    config.write_text(config.read_text().replace("lcm:\n", "  db_password: hunter2\nlcm:\n", 1))
    subprocess.run(["git", "add", FILE], cwd=repo, check=True)
    run = scan("--staged", "--format", "json", cwd=repo, env=no_keys(tmp_path))
    assert [rule for _, rule in findings(run)] == ["lcm-plaintext-secret"]


def test_inline_allow_silences_a_plaintext_finding(scan, config: Path, repo: Path,
                                                   tmp_path: Path) -> None:
    text = config.read_text().replace("lcm:\n", "  db_password: hunter2  # lcm:allow\nlcm:\n", 1)
    config.write_text(text)
    assert scan(FILE, cwd=repo, env=no_keys(tmp_path)).code == 0
