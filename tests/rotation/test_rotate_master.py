"""`lcm rotate master`: a new master key in the tenant's backend, every data key
re-wrapped under it in one commit, no value touched; the old key kept until that
commit lands, and a process that finds the commit landed without the promotion
finishes it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import yaml

import lcm
from core.helpers import assert_one_error_line, commits, trailers
from lcm.keys import cache
from lcm.keys.backends import fingerprint
from .conftest import plaintext


def _key_dir(home: Path, root: Path) -> Path:
    repo_id = yaml.safe_load((root / ".lcm.yaml").read_text())["repo_id"]
    return home / ".local/share/lcm/keys" / repo_id


def _key_file(root: Path) -> dict:
    return yaml.safe_load((root / ".lcm/keys/acme.yaml").read_text())


def _stored_key(path: Path) -> bytes:
    return base64.b64decode(path.read_text().strip())


def _config_digest(root: Path) -> dict[str, str]:
    return {str(p): p.read_text() for p in sorted((root / "config").rglob("*.yaml"))}


def test_new_master_key_rewraps_data_keys_and_touches_no_value(
        tenant_repo: Path, cli, isolated_env: Path) -> None:
    assert cli("rotate", "key", "acme").code == 0  # two live data-key versions
    keys_dir = _key_dir(isolated_env, tenant_repo)
    old_master = _stored_key(keys_dir / "acme.key")
    beta_master = _stored_key(keys_dir / "beta.key")
    before_file = _key_file(tenant_repo)
    before_config = _config_digest(tenant_repo)
    before_plain = plaintext(tenant_repo)
    head = commits(tenant_repo)[0].id

    res = cli("rotate", "master", "acme")
    assert res.code == 0, res
    assert "data keys v1, v2 re-wrapped" in res.stderr

    new_master = _stored_key(keys_dir / "acme.key")
    assert new_master != old_master and len(new_master) == 32
    assert (keys_dir / "acme.key").stat().st_mode & 0o777 == 0o600
    assert not (keys_dir / "acme.key.next").exists()
    assert _stored_key(keys_dir / "beta.key") == beta_master
    after_file = _key_file(tenant_repo)
    assert after_file["master"]["fingerprint"] == fingerprint(new_master)
    for old, new in zip(before_file["data_keys"], after_file["data_keys"]):
        assert (old["version"], old["state"], old["created"]) == \
            (new["version"], new["state"], new["created"])
        assert old["wrapped"] != new["wrapped"]
    assert _config_digest(tenant_repo) == before_config
    assert plaintext(tenant_repo) == before_plain
    history = commits(tenant_repo)
    assert history[1].id == head
    assert trailers(history[0].message)["Lcm-Op"] == "rotate-master"
    assert trailers(history[0].message)["Lcm-Paths"] == ".lcm/keys/acme.yaml"
    entry = json.loads((tenant_repo / ".lcm/audit/log.jsonl").read_text().splitlines()[-1])
    assert (entry["op"], entry["tenant"]) == ("rotate-master", "acme")
    assert entry["keys"] == ["master key (file backend)", "data key v1 re-wrapped",
                             "data key v2 re-wrapped"]


def test_the_old_master_key_no_longer_opens_anything(tenant_repo: Path, cli,
                                                     isolated_env: Path) -> None:
    keys_dir = _key_dir(isolated_env, tenant_repo)
    old = (keys_dir / "acme.key").read_text()
    assert cli("rotate", "master", "acme").code == 0
    (keys_dir / "acme.key").write_text(old)
    res = cli("get", "acme/base/inference", "llm.api_key", "--reveal")
    assert_one_error_line(res, 4)
    assert "wrong master key" in res.stderr


def _begin_and_commit_without_finishing(root: Path) -> None:
    """What a `rotate master` killed right after its commit leaves: the key file naming
    the next key, the backend still on the old one."""
    from lcm.keys import datakeys
    from lcm.ops.changeset import ChangeSet

    repo = lcm.Repo.open(root)
    backend = repo.backend("acme")
    keys = datakeys.load(repo.root, repo.manifest.repo_id, "acme", backend)
    backend.begin_rotation()
    keys.rewrap()
    changes = ChangeSet(repo, "rotate-master")
    changes.write(".lcm/keys/acme.yaml", keys.render())
    changes.commit()


def test_a_reader_finishes_a_rotation_whose_commit_landed(tenant_repo: Path, cli,
                                                          isolated_env: Path) -> None:
    keys_dir = _key_dir(isolated_env, tenant_repo)
    old_master = _stored_key(keys_dir / "acme.key")
    _begin_and_commit_without_finishing(tenant_repo)
    following = _stored_key(keys_dir / "acme.key.next")
    assert _stored_key(keys_dir / "acme.key") == old_master
    assert _key_file(tenant_repo)["master"]["fingerprint"] == fingerprint(following)
    cache.forget()
    res = cli("get", "acme/base/inference", "llm.api_key", "--reveal")
    assert res.code == 0, res
    assert res.stdout == "sk-test-FAKE-base-0010\n"
    assert _stored_key(keys_dir / "acme.key") == following
    assert not (keys_dir / "acme.key.next").exists()


def test_a_stale_next_key_from_a_rotation_killed_before_its_commit_is_replaced(
        tenant_repo: Path, cli, isolated_env: Path) -> None:
    keys_dir = _key_dir(isolated_env, tenant_repo)
    repo = lcm.Repo.open(tenant_repo)
    repo.backend("acme").begin_rotation()  # ...and the process died before the commit
    stale = _stored_key(keys_dir / "acme.key.next")
    assert cli("get", "acme/base/inference", "--reveal").code == 0  # the old key still rules
    res = cli("rotate", "master", "acme")
    assert res.code == 0, res
    current = _stored_key(keys_dir / "acme.key")
    assert current != stale and not (keys_dir / "acme.key.next").exists()
    assert _key_file(tenant_repo)["master"]["fingerprint"] == fingerprint(current)
    assert plaintext(tenant_repo)["acme/base/inference"]["llm"]["api_key"] == \
        "sk-test-FAKE-base-0010"


def test_env_backend_and_env_override_refuse(tenant_repo: Path, cli, monkeypatch,
                                            tree_digest, isolated_env: Path) -> None:
    keys_dir = _key_dir(isolated_env, tenant_repo)
    raw = (keys_dir / "acme.key").read_text().strip()
    before = tree_digest(tenant_repo / ".lcm/keys", keys_dir)
    res = cli("rotate", "master", "acme", env={"LCM_KEY_ACME": raw})
    assert_one_error_line(res, 4)
    assert "$LCM_KEY_ACME" in res.stderr and "read-only" in res.stderr
    assert tree_digest(tenant_repo / ".lcm/keys", keys_dir) == before


def test_unknown_tenant_and_missing_key(tenant_repo: Path, cli, isolated_env: Path,
                                        tree_digest) -> None:
    assert_one_error_line(cli("rotate", "master", "nobody"), 3)
    keys_dir = _key_dir(isolated_env, tenant_repo)
    (keys_dir / "acme.key").unlink()
    before = tree_digest(tenant_repo / ".lcm/keys", keys_dir)
    assert_one_error_line(cli("rotate", "master", "acme"), 4)
    assert tree_digest(tenant_repo / ".lcm/keys", keys_dir) == before
