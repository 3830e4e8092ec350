"""`lcm promote`: what the target env's effective config and own files look like after it.

The fixture (conftest.FILES) has base -> development | staging -> production with
secrets, lists, `!delete` markers and a namespaced file (`router/models`).
"""

from __future__ import annotations

from pathlib import Path

from lcm.format.values import DELETE
from tests.core.helpers import commits, enc_lines, trailers
from tests.promote.conftest import effective, own


def _head(root: Path) -> str:
    return str(commits(root)[0].id)


def _verify_and_validate(root: Path, cli) -> None:
    from lcm.repository.repo import Repo

    repo = Repo.open(root)
    for addr in repo.iter_addresses():
        repo.verify(addr)
    result = cli("validate")
    assert result.code == 0, result


def test_along_the_parent_chain_redundant_overrides_are_removed(layered: Path, cli) -> None:
    before = _head(layered)
    result = cli("promote", "acme", "staging", "production")
    assert result.code == 0, result
    # production's overrides of llm.model and limits.rpm now repeat staging: gone, not copied.
    assert own(layered, "production", "app") == {"prod_only": {"pager": "oncall"}}
    staging = effective(layered, "staging", "app")
    assert effective(layered, "production", "app") == {**staging, "prod_only": {"pager": "oncall"}}
    # router/models: production had no file and already inherited staging's: no file made.
    assert own(layered, "production", "router/models") is None
    log = commits(layered)
    assert str(log[1].id) == before, "exactly one commit"
    assert log[0].message.splitlines()[0] == "lcm promote acme staging -> production"
    assert trailers(log[0].message) == {
        "Lcm-Op": "promote", "Lcm-Tenant": "acme",
        "Lcm-Paths": "config/acme/production/app.yaml", "Lcm-Source": f"staging@{before}"}
    _verify_and_validate(layered, cli)


def test_between_siblings_with_secrets_lists_and_delete_markers(layered: Path, cli) -> None:
    dev_text = (layered / "config/acme/development/app.yaml").read_text()
    result = cli("promote", "acme", "development", "staging")
    assert result.code == 0, result
    assert own(layered, "staging", "app") == {
        # fallbacks [a, b, c] -> base's [a, b]: the override is removed, not duplicated
        "llm": {"model": "o3", "api_key": "sk-dev", "temperature": 0.9},
        # `features.legacy: !delete` is dropped: development inherits base's `true`
        "features": {"beta": True},
        "staging_only": {"debug": True},  # only in staging: kept without --prune
        "dev_only": {"mock": True},
    }
    dev = effective(layered, "development", "app")
    after = effective(layered, "staging", "app")
    assert after == {**dev, "limits": {"rpm": 100, "tpm": 1000}, "staging_only": {"debug": True}}
    # The secret was re-encrypted for staging: never the development ciphertext.
    staged = enc_lines((layered / "config/acme/staging/app.yaml").read_text())["api_key"]
    assert staged != enc_lines(dev_text)["api_key"]
    assert (layered / "config/acme/development/app.yaml").read_text() == dev_text
    # Namespaced file: staging's routes equal base's again; the staging-only token stays.
    assert own(layered, "staging", "router/models") == {"tokens": {"admin_token": "tok-staging"}}
    assert effective(layered, "staging", "router/models")["routes"] == [
        {"name": "default", "weight": 100}]
    _verify_and_validate(layered, cli)


def test_prune_removes_target_only_keys_with_delete_markers_and_empty_files(
        layered: Path, cli) -> None:
    result = cli("promote", "acme", "development", "staging", "--prune")
    assert result.code == 0, result
    assert effective(layered, "staging", "app") == effective(layered, "development", "app")
    # limits.tpm comes from base, development deletes it: staging now deletes it too.
    assert own(layered, "staging", "app")["limits"] == {"tpm": DELETE}
    assert "staging_only" not in own(layered, "staging", "app")
    # Nothing left to override in staging's router/models: the file is removed.
    assert not (layered / "config/acme/staging/router/models.yaml").exists()
    assert effective(layered, "staging", "router/models") == effective(
        layered, "development", "router/models")
    _verify_and_validate(layered, cli)


def test_keys_glob_selects_a_subtree(layered: Path, cli) -> None:
    before = own(layered, "staging", "app")
    result = cli("promote", "acme", "development", "staging", "--keys", "llm.*")
    assert result.code == 0, result
    after = own(layered, "staging", "app")
    assert after["llm"] == {"model": "o3", "api_key": "sk-dev", "temperature": 0.9}
    assert {k: v for k, v in after.items() if k != "llm"} == {
        k: v for k, v in before.items() if k != "llm"}
    assert "dev_only" not in effective(layered, "staging", "app")


def test_keys_glob_one_key_and_a_list(layered: Path, cli) -> None:
    result = cli("promote", "acme", "staging", "development", "--keys", "llm.fallbacks",
                 "--keys", "llm.model")
    assert result.code == 0, result
    dev = own(layered, "development", "app")
    assert dev["llm"] == {"model": "gpt-4o", "api_key": "sk-dev", "temperature": 0.9,
                          "fallbacks": ["a", "b", "c"]}
    assert effective(layered, "development", "app")["llm"]["fallbacks"] == ["a", "b", "c"]


def test_name_selects_files(layered: Path, cli) -> None:
    app = (layered / "config/acme/staging/app.yaml").read_bytes()
    result = cli("promote", "acme", "development", "staging", "router/models")
    assert result.code == 0, result
    assert (layered / "config/acme/staging/app.yaml").read_bytes() == app
    assert own(layered, "staging", "router/models") == {"tokens": {"admin_token": "tok-staging"}}


def test_an_equal_secret_keeps_its_ciphertext(layered: Path, cli) -> None:
    assert cli("set", "acme/production/app", "llm.api_key", "sk-staging", "--secret").code == 0
    path = layered / "config/acme/production/app.yaml"
    cipher = enc_lines(path.read_text())["api_key"]
    dry = cli("promote", "acme", "staging", "production", "--keys", "llm.api_key", "--dry-run")
    assert dry.code == 0, dry
    assert "= app.llm.api_key: secret unchanged (fp:" in dry.stdout
    assert "sk-staging" not in dry.stdout
    result = cli("promote", "acme", "staging", "production")
    assert result.code == 0, result
    assert enc_lines(path.read_text())["api_key"] == cipher


def test_a_source_secret_lands_encrypted_where_no_glob_says_so(layered: Path, cli) -> None:
    assert cli("set", "acme/staging/app", "llm.endpoint", "https://internal", "--secret").code == 0
    assert cli("promote", "acme", "staging", "development", "--keys", "llm.endpoint").code == 0
    stored = (layered / "config/acme/development/app.yaml").read_text()
    assert "https://internal" not in stored
    assert "endpoint" in enc_lines(stored)
    assert effective(layered, "development", "app")["llm"]["endpoint"] == "https://internal"


def test_nothing_to_do_makes_no_commit(layered: Path, cli) -> None:
    assert cli("promote", "acme", "staging", "production").code == 0
    head = _head(layered)
    again = cli("promote", "acme", "staging", "production")
    assert again.code == 0, again
    assert "nothing to do" in again.stderr
    assert _head(layered) == head


def test_source_with_uncommitted_changes_is_marked_dirty(layered: Path, cli) -> None:
    head = _head(layered)
    assert cli("set", "acme/staging/app", "llm.model", "gpt-5", "--no-commit").code == 0
    assert cli("promote", "acme", "staging", "production").code == 0
    assert trailers(commits(layered)[0].message)["Lcm-Source"] == f"staging@{head}-dirty"
    assert effective(layered, "production", "app")["llm"]["model"] == "gpt-5"


def test_promote_is_audited_without_values(layered: Path, cli) -> None:
    import json

    assert cli("promote", "acme", "development", "staging").code == 0
    log = (layered / ".lcm/audit/log.jsonl").read_text()
    entry = json.loads(log.splitlines()[-1])
    assert entry["op"] == "promote"
    assert entry["tenant"] == "acme"
    assert entry["address"] == "acme/development -> staging"
    assert "app.llm.api_key" in entry["keys"] and "app.llm.model" in entry["keys"]
    assert "sk-dev" not in log and "o3" not in log


def test_library_api(layered: Path) -> None:
    import lcm

    repo = lcm.Repo.open(layered)
    plan = repo.promote("acme", "development", "staging", ["app"], ["llm.model"], dry_run=True)
    assert plan.changed and plan.commit_id is None
    assert [c.path for d in plan.effective for c in d.changes] == [("app", "llm", "model")]
    done = repo.promote("acme", "development", "staging", ["app"], ["llm.model"])
    assert done.commit_id == _head(layered)


def test_a_namespaced_file_is_created_where_the_target_needs_an_override(
        layered: Path, cli) -> None:
    # production inherits staging's two routes; development has base's one.
    result = cli("promote", "acme", "development", "production", "router/models", "--prune")
    assert result.code == 0, result
    assert "file config/acme/production/router/models.yaml: added" in result.stdout
    assert own(layered, "production", "router/models") == {
        "routes": [{"name": "default", "weight": 100}], "tokens": DELETE}
    assert effective(layered, "production", "router/models") == effective(
        layered, "development", "router/models")
    _verify_and_validate(layered, cli)
