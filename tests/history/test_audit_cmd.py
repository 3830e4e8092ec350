"""`lcm audit log` and `lcm audit verify` through the CLI, on a real repository."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lcm.repository import audit

if TYPE_CHECKING:
    from conftest import LcmRepo


def test_log_filters_and_json(lcm_repo: LcmRepo) -> None:
    audit.record(
        lcm_repo.root, "reveal", tenant="acme", address="acme/production/svc", keys=["llm.api_key"]
    )
    audit.record(lcm_repo.root, "key-export", tenant="acme")
    everything = json.loads(lcm_repo.lcm("audit", "log", "-o", "json").out)
    assert [e["op"] for e in everything] == ["tenant-add", "reveal", "key-export"]
    reveals = json.loads(lcm_repo.lcm("audit", "log", "--op", "reveal", "-o", "json").out)
    assert [e["keys"] for e in reveals] == [["llm.api_key"]]
    assert json.loads(lcm_repo.lcm("audit", "log", "--tenant", "other", "-o", "json").out) == []
    assert (
        json.loads(
            lcm_repo.lcm("audit", "log", "--since", "1h", "--until", "2999-01-01", "-o", "json").out
        )
        == everything
    )
    text = lcm_repo.lcm("audit", "log", "--actor", everything[0]["actor"][:3])
    assert text.code == 0 and len(text.out.splitlines()) == 3 and "llm.api_key" in text.out


def test_bad_time_is_a_usage_error(lcm_repo: LcmRepo) -> None:
    res = lcm_repo.lcm("audit", "log", "--since", "last tuesday")
    assert res.code == 2 and res.err.count("\n") == 1


def test_verify_ok_then_tampered_is_exit_5(lcm_repo: LcmRepo) -> None:
    audit.record(lcm_repo.root, "reveal", tenant="acme")
    ok = lcm_repo.lcm("audit", "verify")
    assert ok.code == 0 and "2 entries" in ok.out
    path = audit.log_path(lcm_repo.root)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[1:]))
    bad = lcm_repo.lcm("audit", "verify")
    assert bad.code == 5 and bad.err.startswith("lcm: error:") and bad.err.count("\n") == 1


def test_audit_log_is_not_committed(lcm_repo: LcmRepo) -> None:
    audit.record(lcm_repo.root, "reveal", tenant="acme")
    assert lcm_repo.git("status", "--porcelain", "--ignored=no").stdout == ""
    assert ".lcm/audit" not in lcm_repo.git("ls-files").stdout
