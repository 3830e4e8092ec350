"""Master-key rotation of a vault tenant: through the backend interface and TenantKeys
(transit rotate, every data key rewrapped inside Vault, the key file committed, then
finish), and the same through `lcm rotate master` as a user runs it, down to trimming the
old transit key version away."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
import yaml

from .helpers import aad
from .server import AdminError, VaultServer

SECRETS = {f"acme/{env}/app": f"sk-test-FAKE-rotate-{env}" for env in ("base", "production")}


def test_rotate_master_rewraps_every_data_key_and_every_value_still_decrypts(
        vault_env: VaultServer, transit_mount: str, tmp_path: Path, make_repo, cli,
        monkeypatch) -> None:
    from lcm.api import Repo
    from lcm.keys import cache
    from lcm.vault.client import forget_clients

    root = make_repo(tmp_path / "cfg", tenants=())
    monkeypatch.chdir(root)
    assert cli("tenant", "add", "acme", "--backend", "vault", "--mount", transit_mount).code == 0
    for address, value in SECRETS.items():
        assert cli("set", address, "db.password", value).code == 0
    repo = Repo.open(root)
    keys = repo.keys("acme")
    keys.add_version()  # two data-key versions, values on both
    changes = repo.changes("data key v2", op="rotate-key", check_each=False)
    changes.write(".lcm/keys/acme.yaml", keys.render())
    changes.commit()
    assert cli("set", "acme/production/app", "db.user", "svc").code == 0
    key_file = root / ".lcm/keys/acme.yaml"
    before_text = key_file.read_text()
    info_path = f"{transit_mount}/keys/lcm-acme"
    assert vault_env.admin("GET", info_path)["data"]["latest_version"] == 1

    repo = Repo.open(root)
    keys = repo.keys("acme")
    backend = keys.backend
    backend.begin_rotation()
    items = [(base64.b64decode(r.wrapped), aad("acme", r.version, repo.manifest.repo_id))
             for r in keys.records]
    rewrapped = backend.rewrap_many(items)
    for record, blob in zip(keys.records, rewrapped):
        record.wrapped = base64.b64encode(blob).decode()
    changes = repo.changes("rotate master key", op="rotate-master", check_each=False)
    changes.write(".lcm/keys/acme.yaml", keys.render())
    changes.commit()
    backend.finish_rotation()

    assert vault_env.admin("GET", info_path)["data"]["latest_version"] == 2
    after_text = key_file.read_text()
    assert after_text != before_text
    records = yaml.safe_load(after_text)["data_keys"]
    assert [r["version"] for r in records] == [1, 2]
    assert all(base64.b64decode(r["wrapped"]).startswith(b"vault:v2:") for r in records)
    changed = subprocess.run(["git", "-C", str(root), "diff", "--name-only", "HEAD~1", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.split()
    assert changed == [".lcm/keys/acme.yaml"]  # no value was re-encrypted

    # A fresh process, and Vault refusing the old key version: every value still decrypts.
    vault_env.admin("POST", f"{info_path}/config", {"min_decryption_version": 2})
    cache.forget()
    forget_clients()
    for address, value in SECRETS.items():
        res = cli("get", address, "db.password", "--reveal")
        assert (res.code, res.stdout) == (0, value + "\n"), res
    assert cli("get", "acme/production/app", "db.user").stdout == "svc\n"


CLI_SECRETS = {"acme/base/app": ("db.password", "sk-test-FAKE-cli-base"),
               "acme/staging/app": ("db.password", "sk-test-FAKE-cli-staging"),
               "acme/production/inference": ("llm.api_key", "sk-test-FAKE-cli-prod")}


def _git(root: Path, *args: str) -> list[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True).stdout.split()


def test_lcm_rotate_master_on_a_vault_tenant_then_the_old_transit_version_is_trimmed(
        vault_env: VaultServer, transit_mount: str, tmp_path: Path, make_repo, lcm_exe) -> None:
    root = make_repo(tmp_path / "cfg", tenants=())

    def run(*args: str) -> str:
        res = lcm_exe(*args, cwd=root)  # a new process each time: nothing cached
        assert res.code == 0, res
        return str(res.stdout)

    run("tenant", "add", "acme", "--backend", "vault", "--mount", transit_mount)
    for address, (key, value) in CLI_SECRETS.items():
        run("set", address, key, value, "--secret")
    run("rotate", "key", "acme")  # values on data key v2, v1 retired: both re-wrapped
    run("set", "acme/production/app", "db.user", "svc")
    info_path = f"{transit_mount}/keys/lcm-acme"
    assert vault_env.admin("GET", info_path)["data"]["latest_version"] == 1
    key_file = root / ".lcm/keys/acme.yaml"
    old_wrapped = [r["wrapped"] for r in yaml.safe_load(key_file.read_text())["data_keys"]]
    before = _git(root, "rev-parse", "HEAD")[0]

    res = lcm_exe("rotate", "master", "acme", cwd=root)
    assert res.code == 0 and res.stdout == "", res
    assert "acme: new master key (vault backend); data keys v1, v2 re-wrapped" in res.stderr

    assert vault_env.admin("GET", info_path)["data"]["latest_version"] == 2
    assert _git(root, "rev-list", f"{before}..HEAD") == _git(root, "rev-parse", "HEAD")
    assert _git(root, "diff", "--name-only", before, "HEAD") == [".lcm/keys/acme.yaml"]
    assert _git(root, "status", "--porcelain") == []
    new_wrapped = [r["wrapped"] for r in yaml.safe_load(key_file.read_text())["data_keys"]]
    assert all(base64.b64decode(w).startswith(b"vault:v2:") for w in new_wrapped)

    def everything_reads() -> None:
        for address, (key, value) in CLI_SECRETS.items():
            assert run("get", address, key, "--reveal") == value + "\n"
        assert run("get", "acme/production/app", "db.user") == "svc\n"

    everything_reads()
    # Trim transit key version 1 for good: lcm needs nothing the old version wrapped.
    vault_env.admin("POST", f"{info_path}/config",
                    {"min_decryption_version": 2, "min_encryption_version": 2})
    vault_env.admin("POST", f"{info_path}/trim", {"min_available_version": 2})
    assert vault_env.admin("GET", info_path)["data"]["min_available_version"] == 2
    with pytest.raises(AdminError):  # the key file before the rotation is unreadable now
        vault_env.admin("POST", f"{transit_mount}/decrypt/lcm-acme",
                        {"ciphertext": base64.b64decode(old_wrapped[0]).decode()})
    everything_reads()
