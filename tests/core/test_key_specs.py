"""Tenant key specs in the manifest (backend plus options, located errors), the
process-wide data-key cache (one unwrap per version per process) and LCM_KEY_* rules."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

import lcm
from lcm.keys import backends, cache


def _manifest_with(repo: Path, entry: str) -> None:
    path = repo / ".lcm.yaml"
    text = path.read_text()
    path.write_text(text.replace("tenants:\n  acme:\n", f"tenants:\n  globex: {entry}\n  acme:\n"))


def test_one_word_and_map_forms_parse(repo: Path) -> None:
    _manifest_with(repo, "file")
    for entry in ("file", "{backend: file}", "{backend: file, description: team B}", ""):
        text = (repo / ".lcm.yaml").read_text()
        start = text.index("  globex:")
        end = text.index("\n", start)
        (repo / ".lcm.yaml").write_text(text[:start] + f"  globex: {entry}".rstrip() + text[end:])
        spec = lcm.Repo.open(repo).manifest.tenants["globex"]
        assert spec.backend == "file"


def test_vault_options_are_kept_in_the_spec(repo: Path) -> None:
    _manifest_with(repo, "{backend: vault, mount: transit-eu, key: lcm-globex, namespace: team-a,"
                         " auth: {method: approle, role_id_env: MY_ROLE}}")
    spec = lcm.Repo.open(repo).manifest.tenants["globex"]
    assert spec.backend == "vault"
    assert dict(spec.options) == {"mount": "transit-eu", "key": "lcm-globex",
                                  "namespace": "team-a",
                                  "auth": {"method": "approle", "role_id_env": "MY_ROLE"}}
    assert spec.to_manifest()["backend"] == "vault"


@pytest.mark.parametrize("entry, where, words", [
    ("{backend: vault, auth: {method: ldap}}", "tenants.globex.auth.method", "token"),
    ("{backend: file, mount: transit}", "tenants.globex.mount", "unknown option for the file"),
    ("{backend: cloud}", "tenants.globex.backend", "must be one of keyring, file, env, vault"),
    ("[1, 2]", "tenants.globex", "must be a mapping"),
])
def test_bad_specs_are_located(repo: Path, cli, entry: str, where: str, words: str) -> None:
    _manifest_with(repo, entry)
    res = cli("get", "acme/base/app")
    assert res.code == 3, res
    line = res.stderr.strip()
    assert line.count("\n") == 0
    number = (repo / ".lcm.yaml").read_text().splitlines().index(f"  globex: {entry}") + 1
    assert f".lcm.yaml:{number}:" in line and where in line and words in line, line


def test_env_key_never_silently_overrides_a_vault_tenant(repo: Path, monkeypatch) -> None:
    _manifest_with(repo, "{backend: vault, key: lcm-globex}")
    monkeypatch.setenv("LCM_KEY_GLOBEX", base64.b64encode(b"k" * 32).decode())
    with pytest.raises(lcm.LcmError) as refused:
        lcm.Repo.open(repo).backend("globex")
    assert refused.value.code == 4
    assert "LCM_KEY_GLOBEX" in refused.value.message and "Vault" in refused.value.message


def test_one_unwrap_per_data_key_version_per_process(repo: Path, cli, monkeypatch) -> None:
    for env in ("base", "staging", "production"):
        assert cli("set", f"acme/{env}/app", "api_key", f"sk-FAKE-{env}").code == 0
    calls: list[int] = []
    real = backends.FileBackend.unwrap_many

    def counting(self, items):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        return real(self, items)

    monkeypatch.setattr(backends.FileBackend, "unwrap_many", counting)
    cache.forget()
    repo_api = lcm.Repo.open(repo)
    assert repo_api.resolve("acme", "production", "app").to_dict(reveal=True)["api_key"]
    repo_api.reload()
    repo_api.resolve("acme", "staging", "app").to_dict(reveal=True)
    lcm.Repo.open(repo).resolve("acme", "base", "app").to_dict(reveal=True)
    assert calls == [1], "each version is unwrapped once per process, across reloads and Repos"
