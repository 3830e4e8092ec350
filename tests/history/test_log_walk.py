"""The history walk reads only as many commits as it needs (cost independent of history length)."""

from __future__ import annotations

from pathlib import Path

import pygit2

from lcm.history import log


def _linear_repo(root: Path, commits: int, every: int) -> pygit2.Repository:
    repo = pygit2.init_repository(str(root), initial_head="main")
    parents: list = []
    for n in range(commits):
        files = {"watched.yaml": f"n: {n - n % every}\n", "other.yaml": f"n: {n}\n"}
        builder = repo.TreeBuilder()
        for name, text in files.items():
            builder.insert(name, repo.create_blob(text.encode()), pygit2.enums.FileMode.BLOB)
        sig = pygit2.Signature("T", "t@example.com", 1_700_000_000 + n, 0)
        parents = [
            repo.create_commit("refs/heads/main", sig, sig, f"c{n}", builder.write(), parents)
        ]
    return repo


def test_walk_stops_after_limit_hits(tmp_path: Path, monkeypatch) -> None:
    repo = _linear_repo(tmp_path, 300, every=5)
    visited = []
    original = log.newest_first

    def counting(tip):  # type: ignore[no-untyped-def]
        for commit in original(tip):
            visited.append(commit.id)
            yield commit

    monkeypatch.setattr(log, "newest_first", counting)
    entries = list(log.walk(repo, "watched.yaml", 4))
    assert [e.summary for e in entries] == ["c295", "c290", "c285", "c280"]
    assert len(visited) <= 4 * 5 + 1


def test_newest_first_orders_merged_branches_by_time(tmp_path: Path) -> None:
    repo = pygit2.init_repository(str(tmp_path), initial_head="main")
    tree = repo.TreeBuilder().write()

    def commit(msg: str, when: int, parents: list) -> pygit2.Oid:
        sig = pygit2.Signature("T", "t@example.com", when, 0)
        return repo.create_commit(None, sig, sig, msg, tree, parents)

    root = commit("root", 1, [])
    a = commit("a", 2, [root])
    b = commit("b", 3, [root])
    a2 = commit("a2", 4, [a])
    merge = commit("merge", 5, [a2, b])
    order = [c.message for c in log.newest_first(repo[merge])]
    assert order == ["merge", "a2", "b", "a", "root"]
