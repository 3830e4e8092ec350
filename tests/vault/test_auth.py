"""AppRole and Kubernetes logins against a real server, with the least-privilege policies from the docs."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from lcm.errors import ExitCode, KeyStoreError

from .conftest import unique
from .helpers import (aad, assert_no_secret, docs_policy, kubernetes_role, make_backend,
                      write_policy)
from .server import AdminError, VaultServer
from .tokenreview import ServiceAccount, TokenReviewServer


@pytest.fixture
def two_keys(vault_server: VaultServer, transit_mount: str) -> str:
    """`lcm-acme` and `lcm-globex` on a fresh transit mount, created by root."""
    for key in ("lcm-acme", "lcm-globex"):
        vault_server.admin("POST", f"{transit_mount}/keys/{key}", {})
    return transit_mount


def approle_ids(server: VaultServer, mount: str, role: str, policies: list[str]) -> tuple[str, str]:
    server.admin("POST", f"auth/{mount}/role/{role}", {"token_policies": policies,
                                                       "token_ttl": "5m"})
    role_id = server.admin("GET", f"auth/{mount}/role/{role}/role-id")["data"]["role_id"]
    secret_id = server.admin("POST", f"auth/{mount}/role/{role}/secret-id", {})["data"]["secret_id"]
    return role_id, secret_id


def test_approle_with_the_docs_policy_reaches_only_its_key(
    vault_server: VaultServer, two_keys: str, auth_mount: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = unique("lcm-acme")
    write_policy(vault_server, policy, docs_policy("use", two_keys, "lcm-acme"))
    role_id, secret_id = approle_ids(vault_server, auth_mount, "ci", [policy])
    monkeypatch.setenv("VAULT_ADDR", vault_server.address)
    if vault_server.ca_cert:
        monkeypatch.setenv("VAULT_CACERT", str(vault_server.ca_cert))
    monkeypatch.setenv("CI_ROLE_ID", role_id)
    monkeypatch.setenv("CI_SECRET_ID", secret_id)
    auth = {"method": "approle", "mount": auth_mount, "role_id_env": "CI_ROLE_ID",
            "secret_id_env": "CI_SECRET_ID"}

    acme = make_backend("acme", mount=two_keys, auth=auth)
    acme.create()  # exists: needs only `read` on keys/lcm-acme
    data_key = os.urandom(32)
    wrapped = acme.wrap(data_key, aad("acme", 1))
    assert make_backend("acme", mount=two_keys, auth=auth).unwrap(wrapped, aad("acme", 1)) == data_key

    globex = make_backend("globex", mount=two_keys, auth=auth)
    with pytest.raises(KeyStoreError) as denied:
        globex.wrap(data_key, aad("globex", 1))
    err = denied.value
    assert err.code == ExitCode.KEY
    assert "tenant 'globex'" in err.message
    assert f"{two_keys}/encrypt/lcm-globex" in err.message and "permission denied" in err.message
    with pytest.raises(KeyStoreError, match=f"{two_keys}/decrypt/lcm-globex"):
        globex.unwrap(wrapped, aad("globex", 1))
    # The "use" policy neither rotates nor creates.
    with pytest.raises(KeyStoreError, match="permission denied on .*/keys/lcm-acme/rotate"):
        acme.begin_rotation()
    with pytest.raises(KeyStoreError, match="permission denied on .*/keys/lcm-new"):
        make_backend("new", mount=two_keys, auth=auth).create()
    assert_no_secret(err, secret_id, role_id)


def test_docs_rotate_and_create_policies_are_enough(
    vault_server: VaultServer, two_keys: str, auth_mount: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = []
    for block in ("use", "rotate", "create"):
        names.append(unique(f"lcm-{block}"))
        write_policy(vault_server, names[-1], docs_policy(block, two_keys, "lcm-fresh"))
    role_id, secret_id = approle_ids(vault_server, auth_mount, "admin", names)
    monkeypatch.setenv("VAULT_ADDR", vault_server.address)
    if vault_server.ca_cert:
        monkeypatch.setenv("VAULT_CACERT", str(vault_server.ca_cert))
    role_file = Path(os.environ["HOME"]) / "role-id"
    role_file.write_text(role_id + "\n")
    monkeypatch.setenv("VAULT_SECRET_ID", secret_id)  # the default variable name
    auth = {"method": "approle", "mount": auth_mount, "role_id_file": str(role_file)}

    backend = make_backend("fresh", mount=two_keys, auth=auth)
    backend.create()  # created by lcm under the "create" policy
    wrapped = backend.wrap(b"k" * 32, aad("fresh", 1))
    backend.begin_rotation()
    assert backend.rewrap(wrapped, aad("fresh", 1)).startswith(b"vault:v2:")


def test_approle_from_the_environment_alone(
    vault_server: VaultServer, two_keys: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`VAULT_ROLE_ID=… VAULT_SECRET_ID=… lcm get …` with no `auth` in the manifest."""
    try:
        vault_server.admin("POST", "sys/auth/approle", {"type": "approle"})
    except AdminError as err:
        if "already in use" not in str(err):
            raise
    policy = unique("lcm-acme")
    write_policy(vault_server, policy, docs_policy("use", two_keys, "lcm-acme"))
    role = unique("env")
    role_id, secret_id = approle_ids(vault_server, "approle", role, [policy])
    monkeypatch.setenv("BAO_ADDR", vault_server.address)
    if vault_server.ca_cert:
        monkeypatch.setenv("BAO_CACERT", str(vault_server.ca_cert))
    monkeypatch.setenv("VAULT_ROLE_ID", role_id)
    monkeypatch.setenv("BAO_SECRET_ID", secret_id)
    try:
        backend = make_backend("acme", mount=two_keys)
        assert backend.unwrap(backend.wrap(b"k" * 32, b"a"), b"a") == b"k" * 32
        monkeypatch.setenv("BAO_SECRET_ID", "not-" + secret_id)
        from lcm.vault.client import forget_clients

        forget_clients()
        with pytest.raises(KeyStoreError, match="approle login at auth/approle failed") as info:
            make_backend("acme", mount=two_keys).exists()
        assert_no_secret(info.value, secret_id, "not-" + secret_id, role_id)
    finally:
        vault_server.admin("DELETE", f"auth/approle/role/{role}")


@pytest.mark.parametrize("auth_mount", ["kubernetes"], indirect=True)
def test_kubernetes_login_through_a_tokenreview_endpoint(
    vault_server: VaultServer, two_keys: str, auth_mount: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    reviewer = "reviewer-" + secrets.token_hex(8)
    (tmp_path / "k8s").mkdir()
    with TokenReviewServer(reviewer, tmp_path / "k8s") as cluster:
        kubernetes_role(vault_server, auth_mount, cluster, reviewer,
                        docs_policy("use", two_keys, "lcm-acme"))
        jwt = cluster.issue(ServiceAccount("inference", "llm-config"))
        jwt_path = tmp_path / "sa-token"
        jwt_path.write_text(jwt)
        monkeypatch.setenv("VAULT_ADDR", vault_server.address)
        if vault_server.ca_cert:
            monkeypatch.setenv("VAULT_CACERT", str(vault_server.ca_cert))
        auth = {"method": "kubernetes", "mount": auth_mount, "role": "lcm",
                "jwt_path": str(jwt_path)}

        backend = make_backend("acme", mount=two_keys, auth=auth)
        assert backend.unwrap(backend.wrap(b"k" * 32, b"a"), b"a") == b"k" * 32
        assert [r["path"] for r in cluster.reviews] == ["/apis/authentication.k8s.io/v1/tokenreviews"]
        assert cluster.reviews[0]["authorization"] == f"Bearer {reviewer}"
        assert cluster.reviews[0]["body"]["spec"]["token"] == jwt

        # A token the cluster did not issue, and one of a service account the role does not bind.
        for account, issued in ((ServiceAccount("inference", "llm-config"), False),
                                (ServiceAccount("inference", "intruder"), True)):
            forged = cluster.issue(account) if issued else _unissued(cluster, account)
            jwt_path.write_text(forged)
            from lcm.vault.client import forget_clients

            forget_clients()
            with pytest.raises(KeyStoreError, match=f"kubernetes login at auth/{auth_mount} failed") as info:
                make_backend("acme", mount=two_keys, auth=auth).exists()
            assert info.value.code == ExitCode.KEY
            assert_no_secret(info.value, forged)


def _unissued(cluster: TokenReviewServer, account: ServiceAccount) -> str:
    token = cluster.issue(account)
    del cluster.issued[token]
    return token


def test_kubernetes_without_a_jwt_file(vault_env: VaultServer, tmp_path: Path) -> None:
    backend = make_backend("acme", auth={"method": "kubernetes", "role": "lcm",
                                         "jwt_path": str(tmp_path / "missing")})
    with pytest.raises(KeyStoreError, match="cannot read the service-account token file"):
        backend.exists()
