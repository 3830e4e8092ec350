"""`lcm rollback`: one new commit, re-sealed with current keys; refusals change nothing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from lcm.format.crypto import enc_version
from lcm.format.document import Document

if TYPE_CHECKING:
    from conftest import LcmRepo

ADDR = "acme/production/svc"


def _plain(lcm_repo: LcmRepo, addr: str = ADDR) -> dict:
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    return repo.decrypt(repo.address(addr))


def _rotate(lcm_repo: LcmRepo, destroy: int | None = None) -> None:
    """A new active data key; optionally mark an old version destroyed."""
    from lcm.repository.repo import Repo

    keys = Repo.open(lcm_repo.root).keys("acme")
    if destroy is None:
        keys.add_version()
    else:
        keys.record(destroy).state = "destroyed"
    keys.path.write_text(keys.render())
    lcm_repo.git("commit", "-qam", "rotate")


def test_rollback_file_is_one_new_commit(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "good")
    lcm_repo.set(ADDR, "llm.fallbacks", ["a", "b"])
    good = lcm_repo.head()
    lcm_repo.set(ADDR, "llm.model", "bad")
    lcm_repo.unset(ADDR, "llm.fallbacks")
    lcm_repo.set(ADDR, "llm.routing", "new")
    count = int(lcm_repo.git("rev-list", "--count", "HEAD").stdout)
    res = lcm_repo.lcm("rollback", ADDR, "--to", good[:8], "-m", "revert bad routing")
    assert res.code == 0, res.err
    assert int(lcm_repo.git("rev-list", "--count", "HEAD").stdout) == count + 1
    assert _plain(lcm_repo) == {"llm": {"model": "good", "fallbacks": ["a", "b"]}}
    entry = json.loads(lcm_repo.lcm("history", ADDR, "--limit", "1", "-o", "json").out)[0]
    assert entry["summary"] == "revert bad routing" and entry["trailers"]["Lcm-Op"] == "rollback"
    assert lcm_repo.lcm("diff", good, "HEAD").code == 0
    assert lcm_repo.git("status", "--porcelain").stdout == ""


def test_rollback_restores_removed_file_and_removes_added_one(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "m")
    start = lcm_repo.head()
    lcm_repo.set("acme/production/extra", "x", 1)
    lcm_repo.path(ADDR).unlink()
    lcm_repo.git("commit", "-qam", "drop svc")
    res = lcm_repo.lcm("rollback", "acme/production", "--to", start)
    assert res.code == 0, res.err
    assert _plain(lcm_repo) == {"llm": {"model": "m"}}
    assert not lcm_repo.path("acme/production/extra").exists()
    assert lcm_repo.lcm("diff", start, "HEAD").code == 0


def test_rollback_reseals_with_the_active_key_when_the_old_one_is_retired(
    lcm_repo: LcmRepo,
) -> None:
    lcm_repo.set(ADDR, "llm.api_key", "sk-original")
    old = lcm_repo.head()
    _rotate(lcm_repo)
    lcm_repo.set(ADDR, "llm.api_key", "sk-leaked")
    assert lcm_repo.lcm("rollback", ADDR, "--to", old).code == 0
    assert _plain(lcm_repo)["llm"]["api_key"] == "sk-original"
    doc = Document.parse(lcm_repo.path(ADDR).read_text())
    assert enc_version(doc.tree["llm"]["api_key"]) == 2
    assert doc.meta["mac"].startswith("HMAC_SHA256,k:2,")
    assert "sk-original" not in lcm_repo.path(ADDR).read_text()


def test_rollback_refuses_when_the_old_key_was_destroyed(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.api_key", "sk-original")
    old = lcm_repo.head()
    _rotate(lcm_repo)
    lcm_repo.set(ADDR, "llm.api_key", "sk-new")
    lcm_repo.set(ADDR, "llm.model", "m")
    from lcm.ops.edits import reseal
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    reseal(repo, repo.address(ADDR))  # MAC now under v2 too, so v1 can go
    _rotate(lcm_repo, destroy=1)
    before, head = lcm_repo.tree_bytes(), lcm_repo.head()
    res = lcm_repo.lcm("rollback", ADDR, "--to", old)
    assert res.code == 4 and res.err.count("\n") == 1 and "destroyed" in res.err
    assert "sk-" not in res.err
    assert lcm_repo.tree_bytes() == before and lcm_repo.head() == head


def test_unknown_revision_is_exit_3_and_changes_nothing(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "m")
    before = lcm_repo.tree_bytes()
    res = lcm_repo.lcm("rollback", ADDR, "--to", "nope123")
    assert res.code == 3 and "unknown revision" in res.err and res.err.count("\n") == 1
    assert lcm_repo.tree_bytes() == before


def test_rollback_to_the_current_state_makes_no_commit(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "m")
    head = lcm_repo.head()
    res = lcm_repo.lcm("rollback", ADDR, "--to", "HEAD")
    assert res.code == 0 and "nothing to roll back" in res.err and lcm_repo.head() == head


def test_rollback_across_a_key_rename_keeps_secrecy(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.creds", "hunter2", secret=True)
    old = lcm_repo.head()
    lcm_repo.unset(ADDR, "llm.creds")
    lcm_repo.set(ADDR, "llm.credentials", "hunter2", secret=True)
    assert lcm_repo.lcm("rollback", ADDR, "--to", old).code == 0
    text = lcm_repo.path(ADDR).read_text()
    assert "hunter2" not in text and "creds: ENC[" in text and "credentials" not in text
    assert _plain(lcm_repo) == {"llm": {"creds": "hunter2"}}


def test_rollback_repairs_a_file_with_a_tampered_ciphertext(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.api_key", "sk-original")
    good = lcm_repo.head()
    path = lcm_repo.path(ADDR)
    text = path.read_text()
    data = text.split("data:")[1].split(",")[0]
    path.write_text(text.replace(f"data:{data},", f"data:{data[::-1]},"))
    lcm_repo.git("commit", "-qam", "broken by hand")
    res = lcm_repo.lcm("rollback", ADDR, "--to", good)
    assert res.code == 0, res.err
    assert _plain(lcm_repo)["llm"]["api_key"] == "sk-original"
