"""What a vault tenant costs and how it fails, seen from the installed `lcm` and the server's
audit device: one transit decrypt for a 50-file tenant with two data-key versions; a
stopped server is exit 6 in bounded time; an address the user did not allow gets no request."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest

from .conftest import point_env_at
from .helpers import seal_on_two_data_keys
from .server import VaultServer

FILES = 50
SECRET = "sk-test-FAKE-requests"


def decrypts(server: VaultServer, mount: str) -> list[dict]:
    return server.audited_requests(f"{mount}/decrypt/lcm-acme")


def test_a_50_file_tenant_with_two_data_keys_costs_one_transit_decrypt(
        vault_env: VaultServer, audited: VaultServer, transit_mount: str, tmp_path: Path,
        make_repo, lcm_exe) -> None:
    root = make_repo(tmp_path / "cfg", tenants=())
    res = lcm_exe("tenant", "add", "acme", "--backend", "vault", "--mount", transit_mount,
                  cwd=root)
    assert res.code == 0, res
    seal_on_two_data_keys(root, FILES, SECRET)
    versions = {line.split(",")[1] for line in
                (p.read_text() for p in (root / "config/acme/production").glob("*.yaml"))
                for line in line.splitlines() if "ENC[" in line}
    assert versions == {"k:1", "k:2"}
    for command in (["export", "acme/production", "--to", "json:-"],
                    ["exec", "acme/production", "--", "true"],
                    ["validate"],
                    ["get", "acme/production/f49", "db.password", "--reveal"]):
        before = len(decrypts(audited, transit_mount))
        res = lcm_exe(*command, cwd=root)
        assert res.code == 0, (command, res)
        new = decrypts(audited, transit_mount)[before:]
        assert len(new) == 1, command
        assert len(new[0]["request"]["data"]["batch_input"]) == 2  # both versions at once
    assert f"{SECRET}-7" in lcm_exe("export", "acme/production", "--to", "json:-",
                                    cwd=root).stdout


def test_a_stopped_server_is_exit_6_within_15_seconds(
        own_bao: Callable[..., VaultServer], tmp_path: Path, make_repo, lcm_exe,
        monkeypatch: pytest.MonkeyPatch, tree_digest) -> None:
    server = own_bao()
    server.admin("POST", "sys/mounts/transit", {"type": "transit"})
    point_env_at(server, monkeypatch)
    root = make_repo(tmp_path / "cfg", tenants=())
    assert lcm_exe("tenant", "add", "acme", "--backend", "vault", cwd=root).code == 0
    assert lcm_exe("set", "acme/base/app", "db.password", SECRET, cwd=root).code == 0
    assert lcm_exe("get", "acme/base/app", "--reveal", cwd=root).code == 0
    server.stop()
    before = tree_digest(root)
    for command in (["get", "acme/base/app", "--reveal"], ["set", "acme/base/app", "x", "1"],
                    ["export", "acme/production", "--to", "dotenv:-"]):
        started = time.monotonic()
        res = lcm_exe(*command, cwd=root, timeout=30)
        elapsed = time.monotonic() - started
        assert res.code == 6, (command, res)
        assert elapsed < 15, (command, elapsed)
        assert res.stderr == (f"lcm: error: Vault at {server.address} is unreachable"
                              " (connection failed)\n"), command
        assert res.stdout == ""
    assert tree_digest(root) == before


def test_an_address_not_allowed_is_exit_6_and_no_request_reaches_the_server(
        vault_env: VaultServer, audited: VaultServer, transit_mount: str, tmp_path: Path,
        make_repo, lcm_exe, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(tmp_path / "cfg", tenants=())
    res = lcm_exe("tenant", "add", "acme", "--backend", "vault", "--mount", transit_mount,
                  "--address", vault_env.address, cwd=root)
    assert res.code == 0, res
    assert lcm_exe("set", "acme/base/app", "db.password", SECRET, cwd=root).code == 0
    # Another user (or a changed manifest): VAULT_ADDR names some other server.
    monkeypatch.setenv("VAULT_ADDR", "https://vault.other.example:8200")
    before = len(audited.audit_entries())
    res = lcm_exe("get", "acme/base/app", "--reveal", cwd=root)
    assert res.code == 6, res
    port = vault_env.address.rsplit(":", 1)[1]
    assert res.stderr.startswith(f"lcm: error: tenant 'acme': Vault address"
                                 f" http://127.0.0.1:{port} from the manifest is not allowed;")
    assert SECRET not in res.stdout and vault_env.token not in res.stderr
    assert len(audited.audit_entries()) == before
    monkeypatch.setenv("LCM_VAULT_ALLOWED_ADDRS", vault_env.address)
    assert lcm_exe("get", "acme/base/app", "--reveal", cwd=root).code == 0
