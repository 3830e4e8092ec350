"""Views of a change-set's staged result (`repo.view(addr, changes=cs)`): the rows a commit
would leave, read from the staged texts layered over the disk; and the one-walk listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lcm.api import DELETE, LcmError, Listing, Repo

SECRET = "sk-test-FAKE-staged-0001"
NEW_SECRET = "sk-test-FAKE-staged-0002"


@pytest.fixture
def seeded(repo: Path) -> Repo:
    api = Repo.open(repo)
    base = api.address("acme/base/inference")
    prod = api.address("acme/production/inference")
    changes = api.changes("seed")
    changes.set(base, ("llm", "provider"), "openai")
    changes.set(base, ("llm", "model"), "gpt-4o")
    changes.set(base, ("llm", "api_key"), SECRET)
    changes.set(base, ("llm", "max_tokens"), 1024)
    changes.set(prod, ("llm", "temperature"), 0.7)
    changes.set(prod, ("llm", "timeout_s"), 30)
    changes.commit()
    return Repo.open(repo)


def _rows(view) -> dict:
    return {r.key: r for r in view.rows}


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_edit_shows_with_its_type_provenance_and_staged_line(seeded: Repo,
                                                                 tree_digest) -> None:
    before = tree_digest(seeded.root / "config")
    prod = seeded.address("acme/production/inference")
    changes = seeded.changes(check_each=True)
    changes.set(prod, ("llm", "temperature"), 0.3)
    changes.set(prod, ("llm", "stop"), "0.3")  # typed as a string
    rows = _rows(seeded.view(prod, changes=changes))
    temp, stop = rows["llm.temperature"], rows["llm.stop"]
    assert (temp.value, temp.type, temp.source) == (0.3, "float", prod)
    assert (stop.value, stop.type, stop.source) == ("0.3", "str", prod)
    staged_text = changes.texts()[prod.relpath]
    assert temp.line == _line_of(staged_text, "temperature:")
    assert stop.line == _line_of(staged_text, "stop:")
    assert rows["llm.model"].source == seeded.address("acme/base/inference")
    # the disk view and the disk itself are untouched
    assert _rows(seeded.view(prod))["llm.temperature"].value == 0.7
    assert "llm.stop" not in _rows(seeded.view(prod))
    assert tree_digest(seeded.root / "config") == before


def test_unset_keys_disappear_and_inherited_values_come_back(seeded: Repo) -> None:
    base = seeded.address("acme/base/inference")
    prod = seeded.address("acme/production/inference")
    changes = seeded.changes()
    changes.set(prod, ("llm", "max_tokens"), 2048)
    assert _rows(seeded.view(prod, changes=changes))["llm.max_tokens"].value == 2048
    changes.unset(prod, ("llm", "max_tokens"))
    changes.unset(prod, ("llm", "timeout_s"))
    rows = _rows(seeded.view(prod, changes=changes))
    assert "llm.timeout_s" not in rows
    assert (rows["llm.max_tokens"].value, rows["llm.max_tokens"].source) == (1024, base)
    stored = _rows(seeded.view(prod, effective=False, changes=changes))
    assert set(stored) == {"llm.temperature"}


def test_a_delete_marker_is_a_delete_row(seeded: Repo) -> None:
    prod = seeded.address("acme/production/inference")
    changes = seeded.changes()
    changes.set(prod, ("llm", "max_tokens"), DELETE)
    stored = _rows(seeded.view(prod, effective=False, changes=changes))["llm.max_tokens"]
    assert (stored.value, stored.type, stored.source) == ("!delete", "delete", prod)
    assert "llm.max_tokens" not in _rows(seeded.view(prod, changes=changes))
    marked = _rows(seeded.view(prod, changes=changes, markers=True))["llm.max_tokens"]
    assert (marked.value, marked.type, marked.secret, marked.source) == (
        "!delete", "delete", False, prod)
    assert marked.line == _line_of(changes.texts()[prod.relpath], "max_tokens:")
    # a committed marker shows the same way from the disk
    changes.commit("hide max_tokens")
    assert _rows(seeded.view(prod, markers=True))["llm.max_tokens"] == marked


def test_a_staged_secret_is_masked_and_its_reveal_shows_the_staged_value(seeded: Repo) -> None:
    base = seeded.address("acme/base/inference")
    prod = seeded.address("acme/production/inference")
    changes = seeded.changes()
    changes.set(base, ("llm", "api_key"), NEW_SECRET)
    view = seeded.view(prod, changes=changes)
    key = _rows(view)["llm.api_key"]
    assert (key.value, key.type, key.secret, key.source) == ("********", "str", True, base)
    assert view.verified
    assert NEW_SECRET not in repr(view) and SECRET not in repr(view)
    log = seeded.root / ".lcm" / "audit" / "log.jsonl"
    before = log.read_text().count("\n") if log.exists() else 0
    assert seeded.reveal(prod, [("llm", "api_key")], changes=changes) == {
        ("llm", "api_key"): NEW_SECRET}
    assert seeded.reveal(base, None, effective=False, changes=changes) == {
        ("llm", "api_key"): NEW_SECRET}
    shown = _rows(seeded.view(prod, reveal=True, changes=changes))["llm.api_key"]
    assert shown.value == NEW_SECRET
    entries = [json.loads(x) for x in log.read_text().splitlines()[before:]]
    assert [e["op"] for e in entries] == ["reveal"] * 3
    assert NEW_SECRET not in log.read_text()
    assert seeded.reveal(prod, [("llm", "api_key")]) == {("llm", "api_key"): SECRET}


def test_created_and_removed_files(seeded: Repo) -> None:
    changes = seeded.changes()
    fresh = seeded.address("acme/staging/extra")
    changes.create_file(fresh, {})
    assert seeded.view(fresh, changes=changes).rows == []
    assert seeded.view(fresh, effective=False, changes=changes).rows == []
    changes.set(fresh, ("weights", "a"), 1)
    assert [r.key for r in seeded.view(fresh, changes=changes).rows] == ["weights.a"]
    prod = seeded.address("acme/production/inference")
    changes.delete_file(prod)
    rows = _rows(seeded.view(prod, changes=changes))
    assert rows["llm.max_tokens"].source == seeded.address("acme/base/inference")
    assert "llm.temperature" not in rows
    with pytest.raises(LcmError, match="staged for removal"):
        seeded.view(prod, effective=False, changes=changes)


def test_a_change_set_that_does_not_touch_the_chain_reads_the_disk(seeded: Repo) -> None:
    prod = seeded.address("acme/production/inference")
    changes = seeded.changes()
    changes.set(seeded.address("acme/base/other"), ("x",), 1)
    assert seeded.view(prod, changes=changes) == seeded.view(prod)
    assert seeded.view(prod, changes=seeded.changes()) == seeded.view(prod)


def test_listing_is_one_walk_with_own_and_inherited_names(seeded: Repo, monkeypatch) -> None:
    seeded.set(seeded.address("acme/staging/router/models"), ("default",), "gpt-4o")
    walks = []
    original = Repo.iter_addresses

    def counted(self, *args, **kwargs):
        walks.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Repo, "iter_addresses", counted)
    listing = seeded.listing()
    assert walks == [()]
    assert isinstance(listing, Listing)
    assert [t.name for t in listing.tenants] == ["acme"]
    assert [e.name for e in listing.environments] == [e.name for e in seeded.environments()]
    assert listing.own[("acme", "production")] == ["inference"]
    assert listing.inherited[("acme", "production")] == ["router/models"]
    assert listing.inherited[("acme", "development")] == ["inference"]
    assert ("acme", "development") not in listing.own
    for env in seeded.manifest.environments:
        assert listing.names("acme", env) == seeded.config_names("acme", env)
    assert "acme/production/router/models" in listing.addresses()
