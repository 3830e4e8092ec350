"""The diff engine on plain trees: types kept apart, nesting, lists, renames, secrets by token."""

from __future__ import annotations

from lcm.history.semdiff import Secret, diff


def _kinds(old: object, new: object) -> list[tuple[str, tuple, tuple | None]]:
    return [(c.kind, c.path, c.old_path) for c in diff(old, new)]


def test_yaml_types_stay_apart() -> None:
    assert _kinds({"a": 1}, {"a": True}) == [("changed", ("a",), None)]
    assert _kinds({"a": 1}, {"a": 1.0}) == [("changed", ("a",), None)]
    assert _kinds({"a": "1"}, {"a": 1}) == [("changed", ("a",), None)]
    assert diff({"a": {"b": [1, {"c": None}]}}, {"a": {"b": [1, {"c": None}]}}) == []


def test_nested_and_structural_changes() -> None:
    old = {"llm": {"model": "a", "opts": {"t": 1}}}
    new = {"llm": {"model": "a", "opts": "inline"}}
    assert _kinds(old, new) == [("changed", ("llm", "opts"), None)]
    assert _kinds({}, {"x": {"y": 1}}) == [("added", ("x",), None)]


def test_list_edits_in_place_moves_and_shifts() -> None:
    assert _kinds([1, 2, 3], [0, 1, 2, 3]) == [("added", (0,), None)]
    assert _kinds(["a", "b", "c"], ["a", "X", "c"]) == [("changed", (1,), None)]
    assert _kinds(["a", "b"], ["b", "a"]) == [("moved", (0,), (1,))]
    assert _kinds([{"u": 1, "w": 1}], [{"u": 1, "w": 2}]) == [("changed", (0, "w"), None)]


def test_renames_need_a_distinctive_value() -> None:
    assert _kinds({"a": "eu-west-1"}, {"b": "eu-west-1"}) == [("renamed", ("b",), ("a",))]
    assert _kinds({"a": True}, {"b": True}) == [("removed", ("a",), None), ("added", ("b",), None)]


def test_secrets_compare_by_token_only() -> None:
    same = diff({"k": Secret("t1", "aaaa", "x")}, {"k": Secret("t1", "aaaa", "y")})
    assert same == []
    changed = diff({"k": Secret("t1", "aaaa")}, {"k": Secret("t2", "bbbb")})
    assert [c.kind for c in changed] == ["changed"]
