"""`lcm rotate master` on a vault tenant, unchanged code: transit rotate, transit rewrap
(the master key never leaves Vault), the key file committed; against a real OpenBao."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import yaml

from vault.conftest import _no_vault_env, transit_mount, vault_env, vault_server  # noqa: F401
from vault.server import VaultServer

from core.helpers import commits, trailers

ADDR = "globex/base/inference"


def _transit_versions(root: Path) -> list[str]:
    """The transit key version each wrapped data key names (`vault:vN:…`)."""
    data = yaml.safe_load((root / ".lcm/keys/globex.yaml").read_text())
    return [base64.b64decode(r["wrapped"]).decode().split(":")[1] for r in data["data_keys"]]


@pytest.fixture
def vault_tenant(repo: Path, cli, vault_env: VaultServer, transit_mount: str) -> Path:  # noqa: F811
    res = cli("tenant", "add", "globex", "--backend", "vault", "--mount", transit_mount)
    assert res.code == 0, res
    assert cli("set", ADDR, "llm.api_key", "sk-test-FAKE-vault-0001").code == 0
    assert cli("rotate", "key", "globex").code == 0  # two data-key versions to re-wrap
    return repo


def test_rotate_master_through_transit(vault_tenant: Path, cli, vault_env: VaultServer,  # noqa: F811
                                       transit_mount: str) -> None:  # noqa: F811
    before = yaml.safe_load((vault_tenant / ".lcm/keys/globex.yaml").read_text())
    assert _transit_versions(vault_tenant) == ["v1", "v1"]
    config = (vault_tenant / "config/globex/base/inference.yaml").read_text()
    head = commits(vault_tenant)[0].id

    res = cli("rotate", "master", "globex")
    assert res.code == 0, res
    assert "(vault backend); data keys v1, v2 re-wrapped" in res.stderr

    after = yaml.safe_load((vault_tenant / ".lcm/keys/globex.yaml").read_text())
    assert _transit_versions(vault_tenant) == ["v2", "v2"]
    assert after["master"] == before["master"]  # Vault names no fingerprint
    assert (vault_tenant / "config/globex/base/inference.yaml").read_text() == config
    info = vault_env.admin("GET", f"{transit_mount}/keys/lcm-globex")["data"]
    assert info["latest_version"] == 2
    assert commits(vault_tenant)[1].id == head
    assert trailers(commits(vault_tenant)[0].message)["Lcm-Op"] == "rotate-master"
    res = cli("get", ADDR, "llm.api_key", "--reveal")
    assert res.stdout == "sk-test-FAKE-vault-0001\n", res
