"""`lcm history`: newest first, trailers, scopes (file, env, tenant), limits, errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import LcmRepo

ADDR = "acme/production/svc"


def test_history_of_a_file_newest_first_with_trailers(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "gpt-4o", msg="first")
    lcm_repo.set("acme/production/other", "x", 1)
    lcm_repo.set(ADDR, "llm.api_key", "sk-1", msg="second")
    res = lcm_repo.lcm("history", ADDR, "-o", "json")
    assert res.code == 0, res.err
    entries = json.loads(res.out)
    assert [e["summary"] for e in entries] == ["second", "first"]
    assert entries[0]["trailers"] == {
        "Lcm-Op": "set",
        "Lcm-Tenant": "acme",
        "Lcm-Paths": "config/acme/production/svc.yaml",
    }
    assert entries[0]["id"] == lcm_repo.head()
    assert entries[0]["files"] == ["config/acme/production/svc.yaml"]
    assert "sk-1" not in res.out


def test_history_accepts_a_file_path_and_limit(lcm_repo: LcmRepo) -> None:
    for i in range(5):
        lcm_repo.set(ADDR, "llm.temperature", i / 10, msg=f"t{i}")
    res = lcm_repo.lcm("history", "config/acme/production/svc.yaml", "--limit", "2", "-o", "json")
    assert [e["summary"] for e in json.loads(res.out)] == ["t4", "t3"]
    text = lcm_repo.lcm("history", ADDR, "--limit", "1")
    assert text.code == 0 and "t4" in text.out and "Lcm-Op: set" in text.out


def test_history_of_env_and_tenant_lists_the_files(lcm_repo: LcmRepo) -> None:
    lcm_repo.set("acme/staging/svc", "llm.model", "a", msg="staging")
    lcm_repo.set(ADDR, "llm.model", "b", msg="prod")
    env = json.loads(lcm_repo.lcm("history", "acme/staging", "-o", "json").out)
    assert [e["summary"] for e in env] == ["staging"]
    tenant = json.loads(lcm_repo.lcm("history", "acme", "-o", "json").out)
    assert [e["summary"] for e in tenant][:2] == ["prod", "staging"]
    assert tenant[0]["files"] == ["config/acme/production/svc.yaml"]


def test_history_follows_a_file_removed_and_added_again(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "a", msg="create")
    lcm_repo.path(ADDR).unlink()
    lcm_repo.git("commit", "-qam", "remove")
    lcm_repo.set(ADDR, "llm.model", "b", msg="recreate")
    entries = json.loads(lcm_repo.lcm("history", ADDR, "-o", "json").out)
    assert [e["summary"] for e in entries] == ["recreate", "remove", "create"]


def test_history_skips_merges_that_keep_one_side(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "a", msg="base")
    lcm_repo.git("checkout", "-qb", "side")
    lcm_repo.set("acme/production/other", "x", 1, msg="side work")
    lcm_repo.git("checkout", "-q", "main")
    lcm_repo.set(ADDR, "llm.model", "b", msg="main work")
    lcm_repo.git("merge", "-q", "--no-edit", "side")
    entries = json.loads(lcm_repo.lcm("history", ADDR, "-o", "json").out)
    assert [e["summary"] for e in entries] == ["main work", "base"]


def test_history_errors_are_one_line(lcm_repo: LcmRepo) -> None:
    res = lcm_repo.lcm("history", "nobody/production/x")
    assert res.code == 3 and res.err.count("\n") == 1 and "nobody" in res.err
    assert lcm_repo.lcm("history", ADDR, "--limit", "0").code == 2
    assert lcm_repo.lcm("history", ADDR, "-o", "xml").code == 2
    empty = lcm_repo.lcm("history", ADDR)
    assert empty.code == 0 and "no commits" in empty.out
