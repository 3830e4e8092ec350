"""`lcm diff`: key level, across renames, lists, added/removed files; secrets masked; exit codes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lcm.repository import audit

if TYPE_CHECKING:
    from conftest import LcmRepo

ADDR = "acme/production/svc"


def _changes(res_out: str) -> dict[str, dict]:
    doc = json.loads(res_out)
    return {c["path"]: c for f in doc["files"] for c in f["changes"]}


def test_no_difference_is_exit_0(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "gpt-4o")
    res = lcm_repo.lcm("diff")
    assert (res.code, res.out) == (0, "")
    assert lcm_repo.lcm("diff", "HEAD", "HEAD").code == 0


def test_worktree_against_head_key_level(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "gpt-4o")
    lcm_repo.set(ADDR, "llm.region", "eu")
    from lcm.ops.edits import set_value
    from lcm.format.paths import parse_path
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    set_value(repo, repo.address(ADDR), parse_path("llm.model"), "gpt-5", commit=False)
    res = lcm_repo.lcm("diff", "-o", "json")
    assert res.code == 1
    changes = _changes(res.out)
    assert changes == {
        "llm.model": {
            "kind": "changed",
            "path": "llm.model",
            "old": "gpt-4o",
            "new": "gpt-5",
            "secret": False,
        }
    }
    text = lcm_repo.lcm("diff")
    assert text.code == 1 and '~ llm.model: "gpt-4o" -> "gpt-5"' in text.out


def test_secrets_show_fingerprints_not_plaintext(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.api_key", "sk-old-value")
    lcm_repo.set(ADDR, "llm.model", "m")
    lcm_repo.set(ADDR, "llm.api_key", "sk-new-value")
    res = lcm_repo.lcm("diff", "HEAD~2", "HEAD", "-o", "json")
    assert res.code == 1 and "sk-old-value" not in res.out and "sk-new-value" not in res.out
    change = _changes(res.out)["llm.api_key"]
    assert change["secret"] and change["old"]["fingerprint"] != change["new"]["fingerprint"]
    assert len(change["new"]["fingerprint"]) == 8 and "value" not in change["new"]
    text = lcm_repo.lcm("diff", "HEAD~2", "HEAD")
    assert "secret changed" in text.out and "sk-" not in text.out
    assert audit.read_entries(lcm_repo.root)[-1]["op"] != "reveal"


def test_reencrypted_but_equal_secret_is_no_change(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.api_key", "sk-same")
    before = lcm_repo.head()
    lcm_repo.set(ADDR, "llm.api_key", "sk-other")
    lcm_repo.set(ADDR, "llm.api_key", "sk-same")
    assert lcm_repo.lcm("diff", before, "HEAD").code == 0


def test_reveal_shows_plaintext_and_is_audited(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.api_key", "sk-old-value")
    lcm_repo.set(ADDR, "llm.api_key", "sk-new-value")
    res = lcm_repo.lcm("diff", "HEAD~1", "HEAD", "--reveal")
    assert res.code == 1 and "sk-old-value" in res.out and "sk-new-value" in res.out
    entry = audit.read_entries(lcm_repo.root)[-1]
    assert (entry["op"], entry["address"], entry["keys"]) == ("reveal", ADDR, ["llm.api_key"])
    assert "sk-" not in audit.log_path(lcm_repo.root).read_text()
    assert audit.verify(lcm_repo.root)[1] is None


def test_key_rename_and_list_moves(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.region", "eu-west-1")
    lcm_repo.set(ADDR, "llm.fallbacks", ["a", "b"])
    start = lcm_repo.head()
    lcm_repo.unset(ADDR, "llm.region")
    lcm_repo.set(ADDR, "llm.zone", "eu-west-1")
    lcm_repo.set(ADDR, "llm.fallbacks", ["b", "a", "c"])
    changes = _changes(lcm_repo.lcm("diff", start, "HEAD", "-o", "json").out)
    assert (
        changes["llm.zone"]["kind"] == "renamed" and changes["llm.zone"]["old_path"] == "llm.region"
    )
    assert changes["llm.fallbacks[0]"]["kind"] == "moved"
    assert changes["llm.fallbacks[0]"]["old_path"] == "llm.fallbacks[1]"
    assert changes["llm.fallbacks[2]"] == {
        "kind": "added",
        "path": "llm.fallbacks[2]",
        "new": "c",
        "secret": False,
    }
    assert len(changes) == 3


def test_secret_rename_is_detected_by_plaintext(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.api_key", "sk-keep")
    start = lcm_repo.head()
    lcm_repo.unset(ADDR, "llm.api_key")
    lcm_repo.set(ADDR, "llm.openai_api_key", "sk-keep")
    changes = _changes(lcm_repo.lcm("diff", start, "HEAD", "-o", "json").out)
    assert list(changes) == ["llm.openai_api_key"]
    assert changes["llm.openai_api_key"]["kind"] == "renamed"


def test_added_and_removed_files_and_scopes(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "a")
    start = lcm_repo.head()
    lcm_repo.set("acme/staging/svc", "llm.model", "s")
    lcm_repo.path(ADDR).unlink()
    lcm_repo.git("commit", "-qam", "drop prod")
    doc = json.loads(lcm_repo.lcm("diff", start, "HEAD", "-o", "json").out)
    status = {f["address"]: f["status"] for f in doc["files"]}
    assert status == {"acme/staging/svc": "added", ADDR: "removed"}
    only = json.loads(lcm_repo.lcm("diff", start, "HEAD", "acme/staging", "-o", "json").out)
    assert [f["address"] for f in only["files"]] == ["acme/staging/svc"]
    by_file = lcm_repo.lcm("diff", start, "HEAD", "config/acme/production/svc.yaml", "-o", "json")
    assert [f["status"] for f in json.loads(by_file.out)["files"]] == ["removed"]


def test_effective_diff_follows_overlays(lcm_repo: LcmRepo) -> None:
    lcm_repo.set("acme/production/svc", "llm.model", "prod-model")
    lcm_repo.set("acme/base/svc", "llm.timeout", 30)
    start = lcm_repo.head()
    lcm_repo.set("acme/base/svc", "llm.timeout", 60)
    lcm_repo.set("acme/base/svc", "llm.model", "base-model")
    res = lcm_repo.lcm("diff", start, "HEAD", "acme/production", "--effective", "-o", "json")
    doc = json.loads(res.out)
    assert [f["address"] for f in doc["files"]] == ["acme/production (effective)"]
    changes = {c["path"]: c for c in doc["files"][0]["changes"]}
    assert list(changes) == ["svc.llm.timeout"]
    assert (changes["svc.llm.timeout"]["old"], changes["svc.llm.timeout"]["new"]) == (30, 60)


def test_diff_errors(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "a")
    res = lcm_repo.lcm("diff", "HEAD", "deadbeef", "acme")
    assert res.code == 3 and res.err == "lcm: error: unknown revision 'deadbeef'\n"
    assert lcm_repo.lcm("diff", "nobody").code == 3
