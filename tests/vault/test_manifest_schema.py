"""`lcm validate` checks vault tenant entries with the JSON-Schema fragment of docs/vault.md,
embedded in the built-in manifest schema, and reports each problem at its line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_settings import _docs_schema

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "manifest.json"

ENTRIES = """\
  globex:
    backend: vault
    address: vault.example:8200
    key: lcm/globex
    auth:
      method: ldap
  initech:
    backend: vault
    auth: {method: approle, role: x}
  umbrella: {backend: file, mount: transit}
  good:
    backend: vault
    address: https://vault.example:8200
    mount: kv/transit
    key: lcm-good
    namespace: team-a
    create: false
    auth: {method: kubernetes, role: lcm, jwt_path: /var/run/token}
"""


def test_the_manifest_schema_embeds_the_docs_fragment() -> None:
    entry = json.loads(SCHEMA.read_text())["properties"]["tenants"]["additionalProperties"]
    (embedded,) = entry["allOf"]
    assert {k: v for k, v in embedded.items() if k != "else"} == _docs_schema()
    assert embedded["else"]["additionalProperties"] is False  # other backends take no options


def test_validate_locates_each_problem_in_a_vault_entry(repo: Path, cli) -> None:
    manifest = repo / ".lcm.yaml"
    text = manifest.read_text().replace("  acme:\n", ENTRIES + "  acme:\n", 1)
    manifest.write_text(text)
    lines = text.splitlines()

    def at(needle: str, key: str) -> str:
        number = next(i for i, line in enumerate(lines, 1) if needle in line)
        return f".lcm.yaml:{number}:{lines[number - 1].index(key) + 1}: "

    res = cli("validate", "--keyless")
    assert res.code == 3, res  # the manifest is unusable: a repository error, with findings
    assert res.stdout.splitlines() == [
        at("address: vault.example", "vault.example") + "tenants.globex.address:"
        " 'vault.example:8200' does not match the pattern"
        " ^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@]+(/[^?#]*)?$",
        at("key: lcm/globex", "lcm/globex") + "tenants.globex.key: 'lcm/globex' does not match"
        " the pattern ^[A-Za-z0-9_][A-Za-z0-9_.-]*$",
        at("method: ldap", "ldap") + "tenants.globex.auth.method: 'ldap' is not one of"
        " 'token', 'approle', 'kubernetes'",
        at("auth: {method: approle, role: x}", "role:") + "tenants.initech.auth.role:"
        " unknown key 'role' here",
        at("umbrella:", "mount") + "tenants.umbrella.mount: unknown key 'mount'",
    ]
    assert res.stderr.startswith("lcm: error: ")


@pytest.mark.parametrize("entry", [
    "{backend: vault}",
    "{backend: vault, key: lcm-x, auth: {method: approle, role_id_env: CI_ROLE, secret_id_file: /s}}",
    "{backend: file, description: laptop}",
])
def test_valid_entries_pass(repo: Path, cli, entry: str) -> None:
    manifest = repo / ".lcm.yaml"
    manifest.write_text(manifest.read_text().replace("  acme:\n", f"  other: {entry}\n  acme:\n", 1))
    res = cli("validate", "--keyless", ".lcm.yaml")
    assert res.code == 0, res


def test_the_export_vault_section_is_checked_too(repo: Path, cli) -> None:
    manifest = repo / ".lcm.yaml"
    good = "export:\n  vault: {address: 'https://vault.example', auth: {method: approle}}\n"
    manifest.write_text(manifest.read_text() + good)
    assert cli("validate", "--keyless", ".lcm.yaml").code == 0
    manifest.write_text(manifest.read_text().replace(good, "export:\n  vault: {mount: kv}\n"))
    res = cli("validate", "--keyless", ".lcm.yaml")
    assert res.code == 1, res
    assert res.stdout.endswith("export.vault.mount: unknown key 'mount'\n")
