"""`lcm promote` as a command: dry-run output and exit codes, errors, nothing changed on failure."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.core.helpers import assert_one_error_line, commit_count
from tests.promote.conftest import own

SECRETS = ("sk-dev", "sk-staging", "sk-base", "tok-staging")


def test_dry_run_prints_the_key_level_diff_and_exits_1(layered: Path, cli, tree_digest) -> None:
    before = tree_digest(layered)
    result = cli("promote", "acme", "development", "staging", "--dry-run")
    assert result.code == 1, result
    out = result.stdout
    assert out.startswith("acme/staging (effective)   development@")
    assert '  ~ app.llm.model: "gpt-4o" -> "o3"' in out
    assert "  + app.llm.temperature: 0.9" in out  # missing in the target: added
    assert '  + app.dev_only: {"mock": true}' in out
    assert '  - app.llm.fallbacks[2]: "c"' in out  # lists compare item by item
    assert "  + app.features.legacy: true" in out  # staging's `!delete` goes
    assert '  - router/models.routes[1]: {"name": "canary", "weight": 10}' in out
    assert "  ~ app.llm.api_key: secret changed (fp:" in out
    assert "  ! app.staging_only.debug: only in staging (kept; --prune removes it)" in out
    assert "  ! router/models.tokens.admin_token: only in staging" in out
    assert "  file config/acme/staging/app.yaml: modified" in out
    assert not any(s in out + result.stderr for s in SECRETS)
    assert tree_digest(layered) == before


def test_dry_run_with_prune_lists_removals(layered: Path, cli) -> None:
    result = cli("promote", "acme", "development", "staging", "--dry-run", "--prune")
    assert result.code == 1, result
    assert "  - app.staging_only: " in result.stdout
    assert "  - app.limits.tpm: 1000" in result.stdout
    assert "  file config/acme/staging/router/models.yaml: removed" in result.stdout
    assert "only in staging" not in result.stdout


def test_dry_run_exits_0_when_there_is_no_difference(layered: Path, cli) -> None:
    assert cli("promote", "acme", "development", "staging").code == 0
    again = cli("promote", "acme", "development", "staging", "--dry-run")
    assert again.code == 0, again
    assert "  = app.llm.api_key: secret unchanged (fp:" in again.stdout
    assert "file " not in again.stdout


def test_dry_run_json(layered: Path, cli) -> None:
    result = cli("promote", "acme", "development", "staging", "--dry-run", "-o", "json",
                 "--keys", "llm.api_key")
    assert result.code == 1, result
    doc = json.loads(result.stdout)
    assert doc["dry_run"] is True and doc["changed"] is True and doc["commit"] is None
    assert doc["from"].startswith("development@") and doc["to"] == "staging"
    [change] = doc["changes"]
    assert change["path"] == "app.llm.api_key" and change["secret"] is True
    assert set(change["new"]) == {"secret", "fingerprint"}
    assert doc["files"] == [{"path": "config/acme/staging/app.yaml", "status": "modified"}]
    assert not any(s in result.stdout for s in SECRETS)


def test_unknown_tenant_env_or_name_is_exit_3(layered: Path, cli, tree_digest) -> None:
    before = tree_digest(layered)
    for args in (("nope", "staging", "production"), ("acme", "qa", "production"),
                 ("acme", "staging", "qa"), ("acme", "staging", "production", "missing")):
        result = cli("promote", *args)
        assert_one_error_line(result, 3)
    assert tree_digest(layered) == before


def test_promote_onto_itself_is_a_usage_error(layered: Path, cli) -> None:
    assert_one_error_line(cli("promote", "acme", "staging", "staging"), 2)


def test_no_key_is_exit_4_and_nothing_changes(layered: Path, cli, tree_digest) -> None:
    keys = Path(os.environ["XDG_DATA_HOME"]) / "lcm"
    keys.rename(keys.with_name("lcm-away"))
    before, count = tree_digest(layered), commit_count(layered)
    try:
        result = cli("promote", "acme", "development", "staging")
    finally:
        keys.with_name("lcm-away").rename(keys)
    assert_one_error_line(result, 4)
    assert "cannot promote acme development -> staging" in result.stderr
    assert tree_digest(layered) == before and commit_count(layered) == count


def test_a_result_that_does_not_validate_is_refused(repo: Path, cli, tree_digest) -> None:
    from lcm.ops.changeset import ChangeSet
    from lcm.repository.address import Address
    from lcm.repository.commit import write_files
    from lcm.repository.repo import Repo

    # staging already holds an out-of-range temperature (written past the gate, as a
    # hand edit would be); production overrides it, so only production is valid.
    for env, temperature in (("base", 0.2), ("production", 0.5)):
        assert cli("set", f"acme/{env}/inference", "llm.temperature", str(temperature)).code == 0
    assert cli("set", "acme/base/inference", "llm.provider", "openai").code == 0
    changes = ChangeSet(Repo.open(repo), "test")
    changes.replace(Address("acme", "staging", "inference"), {"llm": {"temperature": 9}})
    write_files(repo, changes.texts(), "bad staging")
    before, count = tree_digest(repo), commit_count(repo)
    result = cli("promote", "acme", "staging", "production")
    assert result.code == 1, result
    assert "refused: the result would not validate" in result.stderr
    assert tree_digest(repo) == before and commit_count(repo) == count
    assert own(repo, "production", "inference") == {"llm": {"temperature": 0.5}}
