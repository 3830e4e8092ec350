"""Tenant options, address normalisation, the allow-list and auth selection (no server needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcm.errors import BackendUnavailable, KeyStoreError, RepoError, UsageError
from lcm.vault.addresses import Origin, origin_of
from lcm.vault.auth import credentials
from lcm.vault.options import validate_options
from lcm.vault.settings import resolve, transit_settings

from .helpers import make_backend


@pytest.mark.parametrize("address, origin", [
    ("https://vault.example", Origin("https", "vault.example", 443)),
    ("HTTPS://Vault.Example:443/", Origin("https", "vault.example", 443)),
    ("https://vault.example.:8200/ui/", Origin("https", "vault.example", 8200)),
    ("http://127.0.0.1", Origin("http", "127.0.0.1", 80)),
    ("http://[::1]:8200", Origin("http", "::1", 8200)),
])
def test_origin_normalisation(address: str, origin: Origin) -> None:
    assert origin_of(address) == origin


@pytest.mark.parametrize("address", [
    "vault.example:8200", "ftp://vault.example", "https://", "https://user:pw@vault.example",
    "https://vault.example/?x=1", "https://vault.example:99999",
])
def test_bad_addresses(address: str) -> None:
    with pytest.raises(ValueError):
        origin_of(address)


def test_http_and_https_are_different_origins() -> None:
    assert origin_of("http://vault.example:8200") != origin_of("https://vault.example:8200")


def test_valid_options_have_no_problems() -> None:
    options = {
        "address": "https://vault.example:8200", "mount": "kv/transit", "key": "lcm-acme",
        "namespace": "team-a/sub", "create": False, "description": "Acme",
        "auth": {"method": "approle", "mount": "approle-ci", "role_id_env": "CI_ROLE",
                 "secret_id_file": "/run/secrets/sid"},
    }
    assert validate_options(options) == []
    assert validate_options({"auth": {"method": "kubernetes", "role": "lcm",
                                      "jwt_path": "/tmp/t"}}) == []
    assert validate_options({}) == []


def test_problems_are_located() -> None:
    problems = validate_options({
        "adress": "https://x", "mount": "../etc", "key": "a/b", "create": "yes",
        "address": "vault:8200",
        "auth": {"method": "kubernetes", "role_id_env": "1BAD", "secret_id_env": "S",
                 "secret_id_file": "/f"},
    })
    paths = {path for path, _ in problems}
    assert ("adress",) in paths and ("mount",) in paths and ("key",) in paths
    assert ("create",) in paths and ("address",) in paths
    assert ("auth", "role_id_env") in paths  # bad name, and not a kubernetes option
    assert ("auth", "secret_id_file") in paths  # both env and file, and not kubernetes
    assert ("auth", "role") in paths  # required for kubernetes
    assert validate_options({"auth": {"role": "x"}}) == [(("auth", "method"), "required")]
    assert validate_options({"auth": "token"})[0][0] == ("auth",)


def test_bad_options_are_a_repo_error_naming_the_tenant() -> None:
    with pytest.raises(RepoError, match="tenant 'acme': vault option auth.method: must be one of"):
        make_backend("acme", auth={"method": "password"})


def test_transit_defaults() -> None:
    t = transit_settings("acme", {})
    assert (t.mount, t.key, t.create) == ("transit", "lcm-acme", True)


def test_settings_from_env_both_spellings(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.setenv("BAO_ADDR", "https://bao.example:8200/")
    monkeypatch.setenv("BAO_NAMESPACE", "/team-b/")
    monkeypatch.setenv("BAO_CACERT", str(ca))
    s = resolve("acme", {})
    assert (s.address, s.namespace, s.verify) == ("https://bao.example:8200", "team-b", str(ca))
    monkeypatch.setenv("VAULT_ADDR", "https://vault.example")
    monkeypatch.setenv("VAULT_NAMESPACE", "team-v")
    s = resolve("acme", {"namespace": "team-spec"})
    assert (s.address, s.namespace) == ("https://vault.example", "team-spec")
    assert s.auth.namespace == "team-spec"


def test_missing_ca_file_and_half_a_client_cert(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", "https://vault.example")
    monkeypatch.setenv("VAULT_CACERT", "/nonexistent/ca.pem")
    with pytest.raises(UsageError, match="VAULT_CACERT/BAO_CACERT: /nonexistent/ca.pem"):
        resolve("acme", {})
    monkeypatch.delenv("VAULT_CACERT")
    monkeypatch.setenv("VAULT_CLIENT_CERT", "/c.pem")
    with pytest.raises(UsageError, match="set both"):
        resolve("acme", {})


def test_the_manifest_address_must_be_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", "https://vault.example")
    with pytest.raises(BackendUnavailable, match="https://evil.example:443 from the manifest"):
        resolve("acme", {"address": "https://evil.example"})
    assert resolve("acme", {"address": "https://VAULT.example:443"}).address == \
        "https://VAULT.example:443"
    monkeypatch.setenv("LCM_VAULT_ALLOWED_ADDRS", "not a url")
    with pytest.raises(UsageError, match="LCM_VAULT_ALLOWED_ADDRS"):
        resolve("acme", {"address": "https://other.example"})


def test_malformed_user_config(monkeypatch: pytest.MonkeyPatch, isolated_env: Path) -> None:
    config = isolated_env / ".config" / "lcm" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("vault: {allowed_addresses: https://x.example}\n")
    with pytest.raises(UsageError, match="must be a list"):
        resolve("acme", {"address": "https://x.example"})


@pytest.mark.parametrize("env, spec, expected", [
    ({"VAULT_TOKEN": "t"}, None, "token"),
    ({"VAULT_ROLE_ID": "r"}, None, "approle"),
    ({}, None, "token"),
    ({"VAULT_TOKEN": "t"}, {"method": "approle"}, "approle"),
    ({"LCM_VAULT_AUTH": "token"}, {"method": "kubernetes", "role": "x"}, "token"),
    ({"LCM_VAULT_AUTH": "approle"}, {"method": "kubernetes", "role": "x", "mount": "k8s"},
     "approle"),
])
def test_auth_method_selection(env: dict[str, str], spec: dict[str, str] | None, expected: str,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", "https://vault.example")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    options = {"auth": spec} if spec else {}
    auth = resolve("acme", options).auth
    assert auth.method == expected
    assert auth.mount == ("" if expected == "token" else expected)


def test_credentials_are_read_from_named_places(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    monkeypatch.setenv("VAULT_ADDR", "https://vault.example")
    (tmp_path / "rid").write_text("role-123\n")
    monkeypatch.setenv("MY_SECRET", "secret-456")
    auth = resolve("acme", {"auth": {"method": "approle", "role_id_file": str(tmp_path / "rid"),
                                     "secret_id_env": "MY_SECRET"}}).auth
    creds = credentials(auth, "tenant 'acme'")
    assert creds.login_path == "auth/approle/login"
    assert creds.login_body == {"role_id": "role-123", "secret_id": "secret-456"}
    assert "secret-456" not in repr(creds) and "role-123" not in repr(creds)

    monkeypatch.delenv("MY_SECRET")
    creds = credentials(auth, "tenant 'acme'")
    assert "secret_id" not in creds.login_body  # optional (bind_secret_id=false roles)

    empty = resolve("acme", {"auth": {"method": "approle", "role_id_env": "UNSET_ROLE"}}).auth
    with pytest.raises(KeyStoreError, match=r"needs a role id: set \$UNSET_ROLE"):
        credentials(empty, "tenant 'acme'")


def _docs_schema() -> dict[str, object]:
    import json
    import re

    from .helpers import DOCS

    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```json\n(\{\n  \"if\".*?)```", text, re.S)
    assert block, "docs/vault.md lost its JSON-Schema fragment"
    return dict(json.loads(block.group(1)))


@pytest.mark.parametrize("options, valid", [
    ({}, True),
    ({"address": "https://vault.example:8200", "mount": "a/b", "key": "k", "create": False,
      "namespace": "t", "description": "d"}, True),
    ({"auth": {"method": "approle", "role_id_file": "/r", "secret_id_env": "S"}}, True),
    ({"auth": {"method": "kubernetes", "role": "lcm", "mount": "k8s"}}, True),
    ({"auth": {"method": "token"}}, True),
    ({"adress": "https://x"}, False),
    ({"key": "a/b"}, False),
    ({"create": "yes"}, False),
    ({"address": "vault.example"}, False),
    ({"auth": {"method": "kubernetes"}}, False),
    ({"auth": {"method": "token", "role": "x"}}, False),
    ({"auth": {"method": "approle", "role_id_env": "A", "role_id_file": "/f"}}, False),
    ({"auth": {"role": "x"}}, False),
])
def test_docs_json_schema_agrees_with_validate_options(options: dict[str, object],
                                                       valid: bool) -> None:
    import jsonschema

    schema_ok = jsonschema.Draft202012Validator(_docs_schema()).is_valid(
        {"backend": "vault", **options})
    assert (validate_options(options) == []) is valid
    assert schema_ok is valid
