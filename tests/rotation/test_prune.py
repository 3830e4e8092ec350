"""`lcm rotate prune`: expired previous values dropped; retired data-key versions
destroyed only when no stored value, previous value or MAC of the tenant uses them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from core.helpers import assert_one_error_line, commits, trailers
from .conftest import plaintext, stored_versions

INFERENCE = "config/acme/base/inference.yaml"


def _states(root: Path, tenant: str = "acme") -> list[tuple[int, str]]:
    records = yaml.safe_load((root / f".lcm/keys/{tenant}.yaml").read_text())["data_keys"]
    return [(r["version"], r["state"]) for r in records]


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_prune_keeps_a_retired_version_a_restored_file_still_uses(tenant_repo: Path, cli) -> None:
    assert cli("rotate", "key", "acme").code == 0
    _git(tenant_repo, "checkout", "HEAD~1", "--", "config/acme/staging/inference.yaml")
    _git(tenant_repo, "commit", "-qm", "restore an old file (values under v1)")
    assert set(stored_versions((tenant_repo / "config/acme/staging/inference.yaml")
                               .read_text())) == {1}
    before = plaintext(tenant_repo)

    res = cli("rotate", "prune", "acme")
    assert res.code == 0, res
    assert res.stderr.strip() == "acme: nothing to prune"
    assert _states(tenant_repo) == [(1, "retired"), (2, "active")]
    status = json.loads(cli("rotate", "status", "acme", "-o", "json").stdout)
    assert [(k["version"], k["status"], k["values"]) for k in
            status["tenants"][0]["data_keys"]] == [(2, "ok", 9), (1, "retired-in-use", 1)]

    assert cli("rotate", "key", "acme").code == 0
    res = cli("rotate", "prune", "acme")
    assert res.code == 0, res
    assert _states(tenant_repo) == [(1, "destroyed"), (2, "destroyed"), (3, "active")]
    assert plaintext(tenant_repo) == before
    record = yaml.safe_load((tenant_repo / ".lcm/keys/acme.yaml").read_text())["data_keys"][0]
    assert "wrapped" not in record and record["destroyed"]
    assert trailers(commits(tenant_repo)[0].message)["Lcm-Op"] == "rotate-prune"


def test_a_version_used_only_by_a_previous_value_survives_until_its_window_ends(
        tenant_repo: Path, cli, clock) -> None:
    assert cli("rotate", "key", "acme").code == 0
    _git(tenant_repo, "checkout", "HEAD~1", "--", INFERENCE)
    _git(tenant_repo, "commit", "-qm", "restore inference (values and previous under v1)")
    for key in ("llm.api_key", "llm.fallbacks[0].api_key", "llm.fallbacks[1].api_key"):
        assert cli("set", "acme/base/inference", key, f"sk-test-FAKE-{key}").code == 0
    text = (tenant_repo / INFERENCE).read_text()
    current, previous = text.split("previous:")
    assert set(stored_versions(current)) == {2} and stored_versions(previous) == [1]

    clock.set("2026-01-07T00:00:00Z")  # the api_key overlap (7d) still runs
    res = cli("rotate", "prune", "acme")
    assert res.code == 0, res
    assert "acme/production/db: db.password: expired previous value dropped" in res.stderr
    assert _states(tenant_repo) == [(1, "retired"), (2, "active")]
    assert cli("get", "acme/base/inference", "llm.api_key", "--previous", "--reveal").stdout \
        == "sk-test-FAKE-base-0001\n"

    clock.set("2026-01-09T00:00:00Z")
    head = commits(tenant_repo)[0].id
    res = cli("rotate", "prune", "acme")
    assert res.code == 0, res
    assert res.stderr.strip().splitlines() == [
        "acme/base/inference: llm.api_key: expired previous value dropped",
        "acme: data key v1 destroyed (no value used it)"]
    assert commits(tenant_repo)[1].id == head  # the drop and the destroy: one commit
    assert _states(tenant_repo) == [(1, "destroyed"), (2, "active")]
    assert "previous:" not in (tenant_repo / INFERENCE).read_text()
    assert plaintext(tenant_repo)["acme/base/inference"]["llm"]["api_key"] == \
        "sk-test-FAKE-llm.api_key"


def test_the_active_version_is_never_destroyed(tenant_repo: Path, cli) -> None:
    assert cli("rotate", "prune", "beta").code == 0
    assert _states(tenant_repo, "beta") == [(1, "active")]
    assert cli("rotate", "key", "beta").code == 0
    assert cli("rotate", "prune", "beta").code == 0
    assert _states(tenant_repo, "beta") == [(1, "destroyed"), (2, "active")]
    assert cli("get", "beta/base/app", "api_key", "--reveal").stdout == "sk-test-FAKE-beta-0009\n"


def test_dropping_previous_values_needs_the_key(tenant_repo: Path, cli, clock,
                                                isolated_env: Path, tree_digest) -> None:
    clock.set("2026-02-01T00:00:00Z")
    for key in (isolated_env / ".local/share/lcm/keys").rglob("acme.key"):
        key.unlink()
    before = tree_digest(tenant_repo / "config", tenant_repo / ".lcm/keys")
    assert_one_error_line(cli("rotate", "prune", "acme"), 4)
    assert tree_digest(tenant_repo / "config", tenant_repo / ".lcm/keys") == before


def test_prune_is_audited_without_values(tenant_repo: Path, cli, clock) -> None:
    clock.set("2026-02-01T00:00:00Z")
    assert cli("rotate", "prune", "acme").code == 0
    entry = json.loads((tenant_repo / ".lcm/audit/log.jsonl").read_text().splitlines()[-1])
    assert entry["op"] == "rotate-prune" and entry["tenant"] == "acme"
    assert entry["address"] == "acme/base/inference, acme/production/db"
    assert entry["keys"] == ["llm.api_key (previous)", "db.password (previous)"]
