"""A vault tenant through the CLI against the real OpenBao server: tenant add, set, get,
reveal, edit, rollback, history; tenants on two transit keys cannot read each other;
`LCM_KEY_<TENANT>` is refused for a vault tenant."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Callable

import pytest
import yaml

from .server import VaultServer

SECRET = "sk-test-FAKE-vault-cli-1"
ADDR = "acme/base/inference"

EDITOR = """\
import os, sys
path = sys.argv[-1]
text = open(path).read()
open(path, "w").write(text.replace(os.environ["LCM_TEST_OLD"], os.environ["LCM_TEST_NEW"]))
"""


def add_vault_tenant(cli: Callable[..., object], name: str, mount: str, *extra: str) -> None:
    res = cli("tenant", "add", name, "--backend", "vault", "--mount", mount, "--transit-key",
              f"lcm-{name}", *extra)
    assert res.code == 0, res  # type: ignore[attr-defined]


@pytest.fixture
def vault_repo(vault_env: VaultServer, transit_mount: str, tmp_path: Path, make_repo,
               monkeypatch: pytest.MonkeyPatch, cli) -> Path:
    """A config repo whose tenant `acme` keeps its master key as transit key lcm-acme."""
    root = make_repo(tmp_path / "cfg", tenants=())
    monkeypatch.chdir(root)
    add_vault_tenant(cli, "acme", transit_mount)
    return root


def wrapped_blobs(root: Path, tenant: str) -> list[bytes]:
    doc = yaml.safe_load((root / ".lcm/keys" / f"{tenant}.yaml").read_text())
    return [base64.b64decode(r["wrapped"]) for r in doc["data_keys"]]


def test_vault_tenant_round_trip(vault_repo: Path, vault_env: VaultServer, transit_mount: str,
                                 cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = yaml.safe_load((vault_repo / ".lcm.yaml").read_text())
    assert manifest["tenants"]["acme"] == {"backend": "vault", "key": "lcm-acme",
                                           "mount": transit_mount}
    assert all(b.startswith(b"vault:v1:") for b in wrapped_blobs(vault_repo, "acme"))
    assert vault_env.admin("GET", f"{transit_mount}/keys/lcm-acme")["data"]["latest_version"] == 1

    assert cli("set", ADDR, "llm.provider", "openai").code == 0
    assert cli("set", ADDR, "llm.model", "gpt-4o").code == 0
    res = cli("set", ADDR, "llm.api_key", "--value-stdin", "--secret", input=SECRET + "\n")
    assert res.code == 0, res
    stored = (vault_repo / "config" / f"{ADDR}.yaml").read_text()
    assert SECRET not in stored and "api_key: ENC[AES256_GCM," in stored

    masked = cli("get", "acme/production/inference")
    assert masked.code == 0 and SECRET not in masked.stdout
    assert yaml.safe_load(masked.stdout)["llm"]["api_key"] == "********"
    revealed = cli("get", "acme/production/inference", "--reveal")
    assert yaml.safe_load(revealed.stdout)["llm"] == {"provider": "openai", "model": "gpt-4o",
                                                      "api_key": SECRET}
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == SECRET + "\n"

    editor = tmp_path / "editor.py"
    editor.write_text(EDITOR)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.setenv("LCM_TEST_OLD", SECRET)
    monkeypatch.setenv("LCM_TEST_NEW", "sk-test-FAKE-edited")
    res = cli("edit", ADDR)
    assert res.code == 0, res
    assert "sk-test-FAKE-edited" not in (vault_repo / "config" / f"{ADDR}.yaml").read_text()
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == "sk-test-FAKE-edited\n"

    history = json.loads(cli("history", ADDR, "-o", "json").stdout)
    assert [h["trailers"]["Lcm-Op"] for h in history] == ["edit", "set", "set", "set"]
    secret_set = history[1]["id"]
    res = cli("rollback", ADDR, "--to", secret_set)
    assert res.code == 0, res
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == SECRET + "\n"
    assert json.loads(cli("history", ADDR, "-o", "json").stdout)[0]["trailers"]["Lcm-Op"] \
        == "rollback"
    log = (vault_repo / ".lcm/audit/log.jsonl").read_text()
    assert '"op":"reveal"' in log and SECRET not in log


def test_two_tenants_on_two_transit_keys_cannot_read_each_other(
        vault_repo: Path, vault_env: VaultServer, transit_mount: str, cli) -> None:
    add_vault_tenant(cli, "globex", transit_mount)
    for tenant, value in (("acme", SECRET), ("globex", "sk-test-FAKE-globex")):
        res = cli("set", f"{tenant}/base/app", "db.password", value)
        assert res.code == 0, res
    keys = vault_repo / ".lcm/keys"
    acme_keys, globex_keys = (keys / "acme.yaml").read_text(), (keys / "globex.yaml").read_text()

    # globex's key file holding acme's wrapped data key: transit key lcm-globex cannot open it.
    acme_blob = yaml.safe_load(acme_keys)["data_keys"][0]["wrapped"]
    globex_blob = yaml.safe_load(globex_keys)["data_keys"][0]["wrapped"]
    (keys / "globex.yaml").write_text(globex_keys.replace(globex_blob, acme_blob))
    res = cli("get", "globex/base/app", "--reveal")
    assert res.code == 4, res
    assert "tenant 'globex'" in res.stderr and "cannot decrypt the wrapped data key" in res.stderr
    assert SECRET not in res.stdout + res.stderr

    # ... and pointed at acme's transit key too, which does open it: the AAD bound inside
    # the transit plaintext names tenant acme, so globex still gets no key.
    manifest = vault_repo / ".lcm.yaml"
    text = manifest.read_text()
    manifest.write_text(text.replace("key: lcm-globex", "key: lcm-acme"))
    res = cli("get", "globex/base/app", "--reveal")
    assert res.code == 4, res
    assert "belongs to another repository, tenant or key version" in res.stderr
    assert SECRET not in res.stdout + res.stderr
    manifest.write_text(text)
    (keys / "globex.yaml").write_text(globex_keys)

    # acme's file copied into globex's folder: globex's data key does not open it.
    copied = vault_repo / "config/globex/production/app.yaml"
    copied.parent.mkdir(parents=True)
    copied.write_text((vault_repo / "config/acme/base/app.yaml").read_text())
    res = cli("get", "globex/production/app", "--reveal")
    assert res.code in (4, 5) and SECRET not in res.stdout + res.stderr, res
    assert cli("get", "globex/base/app", "db.password", "--reveal").stdout == \
        "sk-test-FAKE-globex\n"


def test_lcm_key_variable_is_refused_for_a_vault_tenant(
        vault_repo: Path, audited: VaultServer, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("set", "acme/base/app", "db.password", SECRET).code == 0
    monkeypatch.setenv("LCM_KEY_ACME", base64.b64encode(b"k" * 32).decode())
    before = len(audited.audit_entries())
    res = cli("get", "acme/base/app", "--reveal")
    assert res.code == 4, res
    assert res.stderr == ("lcm: error: $LCM_KEY_ACME is set, but tenant 'acme' keeps its master"
                          " key in Vault, which no local key can open; unset $LCM_KEY_ACME\n")
    assert SECRET not in res.stdout
    assert len(audited.audit_entries()) == before
