"""Vault tenants through the installed `lcm` (a fresh process per command, so a fresh login):
AppRole from the environment with the docs' least-privilege policy, Kubernetes auth,
a transit key in a namespace, and `-dev-tls` with VAULT_CACERT."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Callable, Iterator

import pytest
import yaml

from .conftest import point_env_at, unique
from .helpers import docs_policy, kubernetes_role, write_policy
from .server import AdminError, VaultServer
from .test_auth import approle_ids
from .tokenreview import ServiceAccount, TokenReviewServer

SECRET = "sk-test-FAKE-vault-auth-1"


@pytest.fixture
def two_tenants(vault_env: VaultServer, transit_mount: str, tmp_path: Path, make_repo,
                lcm_exe) -> Path:
    """acme and globex (vault, keys lcm-acme/lcm-globex), each with a secret, made as root."""
    root = make_repo(tmp_path / "cfg", tenants=())
    for tenant in ("acme", "globex"):
        res = lcm_exe("tenant", "add", tenant, "--backend", "vault", "--mount", transit_mount,
                      cwd=root)
        assert res.code == 0, res
        res = lcm_exe("set", f"{tenant}/base/app", "db.password", f"{SECRET}-{tenant}", cwd=root)
        assert res.code == 0, res
    return root


def as_role(server: VaultServer, monkeypatch: pytest.MonkeyPatch, role_id: str,
            secret_id: str) -> None:
    """The environment of a CI job: an address, AppRole ids, no token."""
    monkeypatch.delenv("VAULT_TOKEN")
    point_env_at(server, monkeypatch, token=False)
    monkeypatch.setenv("VAULT_ROLE_ID", role_id)
    monkeypatch.setenv("VAULT_SECRET_ID", secret_id)


@pytest.fixture
def approle_mount(vault_server: VaultServer) -> Iterator[str]:
    try:
        vault_server.admin("POST", "sys/auth/approle", {"type": "approle"})
    except AdminError as err:
        if "already in use" not in str(err):
            raise
    yield "approle"


def test_approle_from_env_works_for_its_tenant_and_is_exit_4_for_the_other(
        two_tenants: Path, vault_server: VaultServer, transit_mount: str, approle_mount: str,
        lcm_exe, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = unique("lcm-acme")
    write_policy(vault_server, policy, docs_policy("use", transit_mount, "lcm-acme"))
    role = unique("ci")
    role_id, secret_id = approle_ids(vault_server, approle_mount, role, [policy])
    as_role(vault_server, monkeypatch, role_id, secret_id)

    res = lcm_exe("get", "acme/base/app", "db.password", "--reveal", cwd=two_tenants)
    assert (res.code, res.stdout) == (0, f"{SECRET}-acme\n"), res
    res = lcm_exe("set", "acme/base/app", "db.user", "svc", cwd=two_tenants)
    assert res.code == 0, res
    res = lcm_exe("get", "globex/base/app", "--reveal", cwd=two_tenants)
    assert res.code == 4, res
    assert res.stderr.startswith("lcm: error: tenant 'globex': permission denied on"
                                 f" {transit_mount}/decrypt/lcm-globex at {vault_server.address}")
    text = res.stdout + res.stderr
    assert f"{SECRET}-globex" not in text and secret_id not in text and role_id not in text
    vault_server.admin("DELETE", f"auth/{approle_mount}/role/{role}")


@pytest.mark.parametrize("auth_mount", ["kubernetes"], indirect=True)
def test_kubernetes_auth_through_the_cli(two_tenants: Path, vault_server: VaultServer,
                                         transit_mount: str, auth_mount: str, tmp_path: Path,
                                         lcm_exe, monkeypatch: pytest.MonkeyPatch) -> None:
    reviewer = "reviewer-" + secrets.token_hex(8)
    (tmp_path / "k8s").mkdir()
    with TokenReviewServer(reviewer, tmp_path / "k8s") as cluster:
        kubernetes_role(vault_server, auth_mount, cluster, reviewer,
                        docs_policy("use", transit_mount, "lcm-acme"))
        jwt_path = tmp_path / "sa-token"
        jwt_path.write_text(cluster.issue(ServiceAccount("inference", "llm-config")))
        manifest = two_tenants / ".lcm.yaml"
        data = yaml.safe_load(manifest.read_text())
        data["tenants"]["acme"]["auth"] = {"method": "kubernetes", "mount": auth_mount,
                                           "role": "lcm", "jwt_path": str(jwt_path)}
        manifest.write_text(yaml.safe_dump(data, sort_keys=False))
        monkeypatch.delenv("VAULT_TOKEN")  # inside a pod: only the service-account token

        res = lcm_exe("get", "acme/base/app", "db.password", "--reveal", cwd=two_tenants)
        assert (res.code, res.stdout) == (0, f"{SECRET}-acme\n"), res
        assert len(cluster.reviews) == 1  # one login per process
        res = lcm_exe("validate", "--format", "json", cwd=two_tenants)
        assert res.code == 0, res  # the manifest with its kubernetes auth entry is valid


def test_a_tenant_whose_transit_key_lives_in_a_namespace(
        vault_env: VaultServer, namespace: str, tmp_path: Path, make_repo, lcm_exe) -> None:
    root = make_repo(tmp_path / "cfg", tenants=())
    res = lcm_exe("tenant", "add", "acme", "--backend", "vault", "--namespace", namespace,
                  cwd=root)
    assert res.code == 0, res
    assert "lcm-acme" in vault_env.admin("LIST", "transit/keys", namespace=namespace)["data"]["keys"]
    assert lcm_exe("set", "acme/base/app", "db.password", SECRET, cwd=root).code == 0
    res = lcm_exe("get", "acme/base/app", "db.password", "--reveal", cwd=root)
    assert (res.code, res.stdout) == (0, SECRET + "\n"), res
    if vault_env.audit_log is not None:
        decrypts = [e for e in vault_env.audited_requests("transit/decrypt/lcm-acme")
                    if e["request"].get("namespace", {}).get("path") == f"{namespace}/"]
        assert decrypts
    with pytest.raises(AdminError):
        vault_env.admin("GET", "transit/keys/lcm-acme")  # not in the root namespace


def test_dev_tls_with_vault_cacert(own_bao: Callable[..., VaultServer], tmp_path: Path,
                                   make_repo, lcm_exe, monkeypatch: pytest.MonkeyPatch) -> None:
    server = own_bao(tls=True)
    server.admin("POST", "sys/mounts/transit", {"type": "transit"})
    assert server.address.startswith("https://") and server.ca_cert is not None
    root = make_repo(tmp_path / "cfg", tenants=())
    monkeypatch.setenv("VAULT_ADDR", server.address)
    monkeypatch.setenv("VAULT_TOKEN", server.token)
    res = lcm_exe("tenant", "add", "acme", "--backend", "vault", cwd=root)
    assert res.code == 6 and "TLS certificate verification failed" in res.stderr, res
    monkeypatch.setenv("VAULT_CACERT", str(server.ca_cert))
    assert lcm_exe("tenant", "add", "acme", "--backend", "vault", cwd=root).code == 0
    assert lcm_exe("set", "acme/base/app", "db.password", SECRET, cwd=root).code == 0
    res = lcm_exe("get", "acme/base/app", "db.password", "--reveal", cwd=root)
    assert (res.code, res.stdout) == (0, SECRET + "\n"), res
    monkeypatch.delenv("VAULT_CACERT")
    monkeypatch.setenv("BAO_CACERT", str(server.ca_cert))
    res = lcm_exe("get", "acme/base/app", "db.password", "--reveal", cwd=root)
    assert (res.code, res.stdout) == (0, SECRET + "\n"), res
