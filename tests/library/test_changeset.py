"""Change-sets through the API: staged in memory, diffed, validated together, committed
as exactly one commit, or discarded; nothing touches disk before the commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcm.api import DELETE, LcmError, Repo

from core.helpers import commits, git, trailers

SECRET = "sk-test-FAKE-cs-0001"


@pytest.fixture
def api(repo: Path, cli) -> Repo:
    assert cli("tenant", "add", "globex", "--backend", "file").code == 0
    return Repo.open(repo)


def test_edits_across_files_and_tenants_commit_once(api: Repo, tree_digest) -> None:
    before_disk = tree_digest(api.root / "config", api.root / ".lcm" / "keys")
    head = commits(api.root)[0].id
    changes = api.changes("one commit")
    changes.set(api.address("acme/base/inference"), ("llm", "provider"), "openai")
    changes.set(api.address("acme/base/inference"), ("llm", "model"), "gpt-4o")
    changes.set(api.address("acme/base/inference"), ("llm", "api_key"), SECRET)
    changes.set(api.address("acme/production/inference"), ("llm", "temperature"), 0.4)
    changes.set(api.address("globex/base/limits"), ("rpm",), 600)
    changes.create_file(api.address("globex/staging/app"), {"n": 1})
    assert len(changes) == 6
    assert [str(e) for e in changes.edits][:2] == [
        "set acme/base/inference llm.provider", "set acme/base/inference llm.model"]
    # nothing on disk yet
    assert tree_digest(api.root / "config", api.root / ".lcm" / "keys") == before_disk
    assert commits(api.root)[0].id == head
    diff = changes.diff()
    assert [f.address for f in diff] == [
        "acme/base/inference", "acme/production/inference", "globex/base/limits",
        "globex/staging/app"]
    text = repr(diff)
    assert SECRET not in text
    written = changes.commit()
    assert len(written.paths) == 4 and written.commit_id
    new = commits(api.root)
    assert new[1].id == head and new[0].id == written.commit_id
    info = trailers(new[0].message)
    assert new[0].message.startswith("one commit\n")
    assert info["Lcm-Op"] == "change" and info["Lcm-Tenant"] == "acme, globex"
    assert git(api.root, "status", "--porcelain").strip() == ""
    assert len(changes) == 0
    assert api.get(api.address("acme/production/inference"), ("llm", "api_key"),
                   reveal=True).value == SECRET


def test_a_refused_edit_changes_nothing_staged(api: Repo) -> None:
    addr = api.address("acme/base/inference")
    changes = api.changes()
    changes.set(addr, ("llm", "temperature"), 0.5)
    with pytest.raises(LcmError) as refused:
        changes.set(addr, ("llm", "temperature"), 9)
    assert refused.value.code == 1
    assert "inference.yaml" in refused.value.message and "maximum" in refused.value.message
    assert changes.staged_plain(addr) == {"llm": {"temperature": 0.5}}
    assert len(changes) == 1


def test_unchecked_staging_is_validated_at_commit(api: Repo, tree_digest) -> None:
    before = tree_digest(api.root / "config")
    changes = api.changes(check_each=False)
    changes.set(api.address("acme/base/inference"), ("llm", "temperature"), 9)
    assert [f.keyword for f in changes.problems()] == ["maximum"]
    with pytest.raises(LcmError):
        changes.commit()
    assert tree_digest(api.root / "config") == before


def test_discard_and_delete_markers_and_file_removal(api: Repo) -> None:
    addr = api.address("acme/base/app")
    api.set(addr, ("a",), 1)
    changes = api.changes()
    changes.set(api.address("acme/production/app"), ("a",), DELETE)
    changes.discard()
    assert len(changes) == 0 and changes.texts() == {}
    changes.set(api.address("acme/production/app"), ("a",), DELETE)
    changes.commit()
    assert "a: !delete" in (api.root / "config/acme/production/app.yaml").read_text()
    with pytest.raises(LcmError):
        api.get(api.address("acme/production/app"), ("a",))
    gone = api.changes()
    gone.delete_file(api.address("acme/production/app"))
    gone.commit()
    assert not (api.root / "config/acme/production/app.yaml").exists()
    assert api.get(api.address("acme/production/app"), ("a",)).value == 1


def test_a_file_changed_on_disk_since_staging_refuses_the_commit(api: Repo) -> None:
    addr = api.address("acme/base/app")
    api.set(addr, ("a",), 1)
    changes = api.changes()
    changes.set(addr, ("b",), 2)
    Repo.open(api.root).set(addr, ("a",), 5)  # another writer
    head = commits(api.root)[0].id
    with pytest.raises(LcmError) as moved:
        changes.commit()
    assert "changed on disk since" in moved.value.message and moved.value.code == 3
    assert commits(api.root)[0].id == head


def test_no_commit_writes_only_the_working_tree(api: Repo) -> None:
    head = commits(api.root)[0].id
    changes = api.changes()
    changes.set(api.address("acme/base/app"), ("a",), 1)
    written = changes.commit(commit=False)
    assert written.commit_id is None and written.paths == ["config/acme/base/app.yaml"]
    assert commits(api.root)[0].id == head
    assert "config/acme/base/app.yaml" in git(api.root, "status", "--porcelain", "-uall")


def test_key_file_and_config_land_in_one_commit(api: Repo) -> None:
    from lcm.keys import datakeys

    with api.locked():
        keys = datakeys.load(api.root, api.manifest.repo_id, "acme", api.backend("acme"))
        keys.add_version()
        changes = api.changes(op="rekey")
        changes.keys_override["acme"] = keys
        changes.set(api.address("acme/base/app"), ("api_key",), SECRET)
        changes.write(".lcm/keys/acme.yaml", keys.render())
        written = changes.commit("new key")
    assert written.paths == [".lcm/keys/acme.yaml", "config/acme/base/app.yaml"]
    assert "k:2," in (api.root / "config/acme/base/app.yaml").read_text()
    files = {d.new_file.path for d in
             commits(api.root)[0].tree.diff_to_tree(commits(api.root)[1].tree).deltas}
    assert files == {".lcm/keys/acme.yaml", "config/acme/base/app.yaml"}
    fresh = Repo.open(api.root)
    assert fresh.get(fresh.address("acme/base/app"), ("api_key",), reveal=True).value == SECRET
