"""The audit trail's hash chain: append, verify, and tampering detected (edit, delete, reorder)."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from lcm.repository import audit


def _fill(root: Path, count: int = 4) -> Path:
    for i in range(count):
        audit.record(root, "reveal", tenant="acme", address=f"acme/prod/f{i}", keys=[f"llm.k{i}"])
    return audit.log_path(root)


def test_append_builds_a_verifiable_chain(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    entries = audit.read_entries(tmp_path)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4]
    assert entries[0]["prev"] == audit.GENESIS
    assert entries[1]["prev"] == audit.line_hash(path.read_bytes().splitlines()[0])
    assert entries[2]["keys"] == ["llm.k2"] and entries[2]["op"] == "reveal"
    assert audit.verify(tmp_path) == (4, None)


def test_entries_never_hold_values_and_the_folder_is_git_ignored(tmp_path: Path) -> None:
    _fill(tmp_path, 1)
    entry = audit.read_entries(tmp_path)[0]
    assert set(entry) == set(audit.FIELDS)
    assert (tmp_path / ".lcm/audit/.gitignore").read_text().splitlines()[-1] == "*"


def test_edited_entry_is_detected(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[1])
    entry["actor"] = "someone else"
    lines[1] = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    count, problem = audit.verify(tmp_path)
    assert problem is not None and problem.line == 3 and "previous-hash" in problem.reason


def test_reformatted_entry_is_detected(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[0] = json.dumps(json.loads(lines[0]), sort_keys=True).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    assert audit.verify(tmp_path)[1].line == 1


@pytest.mark.parametrize("drop", [0, 2])
def test_removed_entry_is_detected(tmp_path: Path, drop: int) -> None:
    path = _fill(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    del lines[drop]
    path.write_bytes(b"".join(lines))
    assert audit.verify(tmp_path)[1] is not None


def test_removed_last_entry_is_detected_by_the_head(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))
    count, problem = audit.verify(tmp_path)
    assert count == 3 and problem is not None and "head records 4" in problem.reason


def test_edited_last_entry_is_detected_by_the_head(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[-1])
    entry["op"] = "show"
    lines[-1] = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    path.write_bytes(b"".join(lines))
    assert audit.verify(tmp_path)[1] is not None


def test_reordered_entries_are_detected(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    path.write_bytes(b"".join(lines))
    count, problem = audit.verify(tmp_path)
    assert problem is not None and problem.line == 2


def test_appending_after_tampering_keeps_the_break_visible(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-1]))
    audit.record(tmp_path, "show", tenant="acme")
    assert audit.verify(tmp_path)[1] is not None


def _writer(root: str, n: int) -> None:
    for i in range(n):
        audit.record(Path(root), "reveal", tenant="acme", keys=[str(i)])


def test_concurrent_writers_keep_one_chain(tmp_path: Path) -> None:
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), 25)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert audit.verify(tmp_path) == (100, None)


def test_filters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCM_AUTHOR", "Ada <ada@example.com>")
    audit.record(tmp_path, "reveal", tenant="acme", address="acme/prod/a", keys=["x"])
    monkeypatch.setenv("LCM_AUTHOR", "Bob <bob@example.com>")
    audit.record(tmp_path, "key-export", tenant="globex")
    entries = audit.read_entries(tmp_path)
    assert [e["op"] for e in audit.select(entries, actor="ADA")] == ["reveal"]
    assert [e["tenant"] for e in audit.select(entries, op="key-export")] == ["globex"]
    assert audit.select(entries, tenant="acme", op="key-export") == []
    assert len(audit.select(entries, since=audit.parse_time("1h"))) == 2
    assert audit.select(entries, until=audit.parse_time("2000-01-01")) == []
