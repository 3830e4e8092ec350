"""A tenant whose transit key lives in a Vault/OpenBao namespace (`X-Vault-Namespace`)."""

from __future__ import annotations

import pytest

from lcm.errors import KeyStoreError

from .conftest import point_env_at
from .helpers import aad, docs_policy, make_backend, write_policy
from .server import VaultServer


def test_transit_key_in_a_namespace(vault_env: VaultServer, namespace: str) -> None:
    backend = make_backend("acme", namespace=namespace)
    assert f"namespace {namespace}" in backend.describe()
    backend.create()
    data_key = b"n" * 32
    wrapped = backend.wrap(data_key, aad("acme", 1))
    assert make_backend("acme", namespace=namespace).unwrap(wrapped, aad("acme", 1)) == data_key
    keys = vault_env.admin("LIST", "transit/keys", namespace=namespace)["data"]["keys"]
    assert "lcm-acme" in keys
    with pytest.raises(KeyStoreError):  # the root namespace has no such key (nor mount)
        make_backend("acme").unwrap(wrapped, aad("acme", 1))
    if vault_env.audit_log is not None:
        decrypts = [e for e in vault_env.audited_requests("transit/decrypt/lcm-acme")
                    if e["request"].get("namespace", {}).get("path") == f"{namespace}/"]
        assert len(decrypts) == 1


def test_namespace_from_the_environment(vault_env: VaultServer, namespace: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAO_NAMESPACE", namespace)
    backend = make_backend("acme")
    backend.create()
    assert backend.unwrap(backend.wrap(b"e" * 32, b"a"), b"a") == b"e" * 32
    assert "lcm-acme" in vault_env.admin("LIST", "transit/keys", namespace=namespace)["data"]["keys"]


def test_approle_login_and_policy_inside_the_namespace(
    vault_server: VaultServer, namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault_server.admin("POST", "transit/keys/lcm-acme", {}, namespace=namespace)
    write_policy(vault_server, "lcm-acme", docs_policy("use", "transit", "lcm-acme"), namespace)
    vault_server.admin("POST", "auth/approle/role/ci", {"token_policies": ["lcm-acme"]},
                       namespace=namespace)
    role_id = vault_server.admin("GET", "auth/approle/role/ci/role-id",
                                 namespace=namespace)["data"]["role_id"]
    secret_id = vault_server.admin("POST", "auth/approle/role/ci/secret-id", {},
                                   namespace=namespace)["data"]["secret_id"]
    point_env_at(vault_server, monkeypatch, token=False)
    monkeypatch.setenv("VAULT_ROLE_ID", role_id)
    monkeypatch.setenv("VAULT_SECRET_ID", secret_id)
    backend = make_backend("acme", namespace=namespace, auth={"method": "approle"})
    assert backend.unwrap(backend.wrap(b"r" * 32, b"a"), b"a") == b"r" * 32
