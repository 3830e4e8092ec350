"""The library API's reading side, called directly: listing, rows with provenance,
line and schema description, audited reveals, history and commit diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lcm
from lcm.api import DELETE, Repo

SECRET = "sk-test-FAKE-api-0001"


def _audit(root: Path) -> list[dict]:
    path = root / ".lcm" / "audit" / "log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def seeded(repo: Path) -> Repo:
    api = Repo.open(repo)
    base = api.address("acme/base/inference")
    prod = api.address("acme/production/inference")
    changes = api.changes("seed")
    changes.set(base, ("llm", "provider"), "openai")
    changes.set(base, ("llm", "model"), "gpt-4o")
    changes.set(base, ("llm", "api_key"), SECRET)
    changes.set(base, ("llm", "organization"), "org-1")
    changes.set(prod, ("llm", "temperature"), 0.7)
    changes.set(prod, ("llm", "organization"), DELETE)
    changes.commit()
    return Repo.open(repo)


def test_lcm_repo_is_the_api(repo: Path) -> None:
    assert lcm.Repo is Repo
    assert isinstance(lcm.Repo.open(repo), Repo)


def test_listing(seeded: Repo) -> None:
    assert [(t.name, t.backend, t.active_data_key) for t in seeded.tenants()] == [("acme", "file", 1)]
    envs = {e.name: e for e in seeded.environments()}
    assert envs["production"].chain == ("base", "staging", "production")
    assert envs["base"].parent is None
    assert [str(a) for a in seeded.files("acme")] == [
        "acme/base/inference", "acme/production/inference"]
    assert seeded.config_names("acme", "staging") == ["inference"]


def test_effective_rows_carry_provenance_line_description_and_mask(seeded: Repo) -> None:
    view = seeded.view(seeded.address("acme/production/inference"))
    rows = {r.key: r for r in view.rows}
    assert set(rows) == {"llm.provider", "llm.model", "llm.api_key", "llm.temperature"}
    assert view.verified and view.schema == "lcm:model-endpoint"
    key = rows["llm.api_key"]
    assert (key.value, key.type, key.secret) == ("********", "str", True)
    assert str(key.source) == "acme/base/inference"
    base_text = (seeded.root / key.source.relpath).read_text().splitlines()
    assert "api_key:" in base_text[key.line - 1]
    temp = rows["llm.temperature"]
    assert (temp.value, temp.type, str(temp.source)) == (0.7, "float", "acme/production/inference")
    assert temp.description and "temperature" in temp.description.lower()
    assert rows["llm.api_key"].description == "Provider API key; stored encrypted."
    assert SECRET not in repr(view)


def test_stored_view_shows_the_files_own_keys_and_markers(seeded: Repo) -> None:
    view = seeded.view(seeded.address("acme/production/inference"), effective=False)
    rows = {r.key: r for r in view.rows}
    assert set(rows) == {"llm.temperature", "llm.organization"}
    assert (rows["llm.organization"].type, rows["llm.organization"].value) == ("delete", "!delete")


def test_reveal_is_audited_after_success_and_names_exactly_what_was_shown(seeded: Repo) -> None:
    before = len(_audit(seeded.root))
    addr = seeded.address("acme/production/inference")
    view = seeded.view(addr, reveal=True)
    assert {r.key: r.value for r in view.rows}["llm.api_key"] == SECRET
    entries = _audit(seeded.root)[before:]
    assert [(e["op"], e["address"], e["keys"]) for e in entries] == [
        ("reveal", "acme/production/inference", ["llm.api_key"])]
    assert SECRET not in json.dumps(entries)


def test_a_failed_reveal_is_not_recorded(seeded: Repo, monkeypatch, tmp_path: Path) -> None:
    before = len(_audit(seeded.root))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "no-keys"))
    from lcm.keys import cache

    cache.forget()
    fresh = Repo.open(seeded.root)
    with pytest.raises(lcm.LcmError) as failed:
        fresh.reveal(fresh.address("acme/production/inference"))
    assert failed.value.code == 4
    assert len(_audit(seeded.root)) == before
    view = fresh.view(fresh.address("acme/production/inference"))
    assert not view.verified
    assert {r.key: r.value for r in view.rows}["llm.api_key"] == "********"


def test_get_and_explain(seeded: Repo) -> None:
    addr = seeded.address("acme/production/inference")
    masked = seeded.get(addr, ("llm",))
    assert masked.value["api_key"] == "********" and masked.revealed == []
    shown = seeded.get(addr, ("llm", "api_key"), reveal=True)
    assert (shown.value, shown.revealed) == (SECRET, ["llm.api_key"])
    rows = seeded.explain(addr, ("llm", "temperature"))
    assert [(r.key, r.source.env, r.line) for r in rows] == [("llm.temperature", "production", 2)]
    with pytest.raises(lcm.LcmError) as missing:
        seeded.get(addr, ("llm", "nope"))
    assert missing.value.code == 3


def test_history_commit_diff_and_rollback(seeded: Repo) -> None:
    addr = seeded.address("acme/production/inference")
    seeded.set(addr, ("llm", "temperature"), 0.2, message="cooler")
    history = seeded.history(addr, limit=5)
    assert [h.summary for h in history[:2]] == ["cooler", "seed"]
    assert history[0].trailers["Lcm-Op"] == "set"
    diff = seeded.commit_diff(addr, history[0].id)
    assert [(c.kind, c.path, c.old, c.new) for f in diff for c in f.changes] == [
        ("changed", ("llm", "temperature"), 0.7, 0.2)]
    result = seeded.rollback(addr, history[1].id, "back")
    assert result.restored == [str(addr)] and result.commit_id
    assert seeded.get(addr, ("llm", "temperature")).value == 0.7
