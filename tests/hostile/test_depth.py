"""Tree walks at any depth: the iterative canonical form gives byte for byte what the
recursive one gave (so every stored MAC still verifies), walks of trees built in
memory 10,000 levels deep do not raise RecursionError, and the recursive walkers that
remain are kept shallow by the loader's depth cap."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import random
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from lcm.format.crypto import FORMAT_VERSION, MAC_RE, compute_mac, mac_key
from lcm.format.loading import MAX_DEPTH
from lcm.format.paths import iter_leaves
from lcm.format.values import (DELETE, canonical, canonical_json, copy_tree, map_leaves,
                               same_value, strip_deletes)
from lcm.repository.overlay import merge

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


# ---- the recursive forms as they were before (the reference) ------------------------------


def ref_canonical(value: Any) -> list[Any]:
    if isinstance(value, dict):
        items = [[ref_canonical(k), ref_canonical(v)] for k, v in value.items()]
        items.sort(key=lambda kv: json.dumps(kv[0], sort_keys=True))
        return ["m", items]
    if isinstance(value, list):
        return ["l", [ref_canonical(v) for v in value]]
    if value is DELETE:
        return ["d"]
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", str(value)]
    if isinstance(value, float):
        return ["f", "nan" if math.isnan(value) else repr(value)]
    return ["s", str(value)]


def ref_canonical_json(value: Any) -> str:
    return json.dumps(ref_canonical(value), separators=(",", ":"), ensure_ascii=False)


def ref_same_value(a: Any, b: Any) -> bool:
    if type(a) is type(b) and not isinstance(a, (dict, list, float)):
        return bool(a == b)
    return ref_canonical(a) == ref_canonical(b)


def ref_strip_deletes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ref_strip_deletes(v) for k, v in value.items() if v is not DELETE}
    if isinstance(value, list):
        return [ref_strip_deletes(v) for v in value if v is not DELETE]
    return value


def ref_copy_tree(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: ref_copy_tree(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [ref_copy_tree(v) for v in tree]
    return tree


def ref_map_leaves(tree: Any, fn: Callable[[tuple, Any], Any], prefix: tuple = ()) -> Any:
    if isinstance(tree, dict):
        return {k: ref_map_leaves(v, fn, prefix + (k,)) for k, v in tree.items()}
    if isinstance(tree, list):
        return [ref_map_leaves(v, fn, prefix + (i,)) for i, v in enumerate(tree)]
    return fn(prefix, tree)


def ref_iter_leaves(tree: Any, prefix: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(tree, dict):
        if not tree and prefix:
            yield prefix, tree
        for key, value in tree.items():
            yield from ref_iter_leaves(value, prefix + (key,))
    elif isinstance(tree, list):
        if not tree and prefix:
            yield prefix, tree
        for index, value in enumerate(tree):
            yield from ref_iter_leaves(value, prefix + (index,))
    else:
        yield prefix, tree


def ref_merge(layers: list[tuple[str, dict]]) -> tuple[dict, dict]:
    tree: dict = {}
    sources: dict = {}

    def into(target: dict, layer: dict, source: str, prefix: tuple) -> None:
        for key, value in layer.items():
            path = prefix + (key,)
            if value is DELETE:
                target.pop(key, None)
                for p in [p for p in sources if p[: len(path)] == path]:
                    del sources[p]
                continue
            current = target.get(key)
            if isinstance(value, dict) and isinstance(current, dict):
                into(current, value, source, path)
            else:
                for p in [p for p in sources if p[: len(path)] == path and p != path]:
                    del sources[p]
                target[key] = ref_strip_deletes(value)
                sources[path] = source

    for source, layer in layers:
        into(tree, layer, source, ())
    return tree, sources


@contextmanager
def deep_stack() -> Iterator[None]:
    """Room for the recursive reference (and json.dumps, == on nested lists) to walk the
    few-hundred-level trees of the comparison."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


# ---- random trees -----------------------------------------------------------------------

KEYS = ["a", "b", "api_key", "A-b/c:d@e+f", "", " ", "x y", "é", "😀", "a\"b", "a\\b",
        "!", "#", "~", "\x7f", "\u2028", "[", "]", "0", "1", "true", "null", "tab\tkey"]
SCALARS: list[Any] = [None, True, False, 0, 1, -5, 10**30, 0.0, -0.0, 1.0, 1.5, 1e-5, 5e-324,
                      float("inf"), float("-inf"), float("nan"), DELETE, "", "1", "1.0", "true",
                      "null", "é😀", "a\"b\\c", "\x00\x1f", "ENC[AES256_GCM,k:1]", "line\nnext"]


def random_key(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.7:
        return rng.choice(KEYS)
    if roll < 0.85:
        return "".join(rng.choice("abcXYZ_-.:/ é\"\\!") for _ in range(rng.randint(0, 6)))
    return rng.choice([0, 1, 2, -1, True, False, None, 1.5, 2.0, float("inf")])


def random_tree(rng: random.Random, depth: int = 0, deep: int = 0) -> Any:
    """A tree of maps, lists and every scalar type; with `deep`, one branch goes that
    many levels down."""
    if deep and depth < deep:
        width = rng.randint(0, 2)
        kids = [random_tree(rng, depth + 1) if depth > deep - 3 else rng.choice(SCALARS)
                for _ in range(width)]
        chain = random_tree(rng, depth + 1, deep)
        if rng.random() < 0.5:
            return [*kids, chain] if rng.random() < 0.5 else [chain, *kids]
        tree = {random_key(rng): kid for kid in kids}
        tree[f"deep{depth}"] = chain
        return tree
    roll = rng.random()
    if depth < 4 and roll < 0.25:
        return {random_key(rng): random_tree(rng, depth + 1) for _ in range(rng.randint(0, 6))}
    if depth < 4 and roll < 0.4:
        return [random_tree(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice(SCALARS)


def trees(count: int, seed: int) -> Iterator[Any]:
    rng = random.Random(seed)
    for n in range(count):
        deep = rng.choice([0, 0, 0, 50, 300, 600]) if n % 4 == 0 else 0
        yield random_tree(rng, deep=deep)


def mutated(rng: random.Random, tree: Any) -> Any:
    """A copy of `tree` with one leaf or key changed, often only in its type."""
    paths = [p for p, _ in ref_iter_leaves(tree)]
    if not paths:
        return {"new": 1}
    path = rng.choice(paths)
    swaps = [(1, [1.0, True, "1"]), (0, [0.0, False, None, "0"]), (1.0, [1, "1.0"]),
             (True, [1, "true"]), (None, ["null", DELETE, ""])]

    def change(leaf: Any) -> Any:
        for key, options in swaps:
            if type(key) is type(leaf) and key == leaf:
                return rng.choice(options)
        return rng.choice([leaf, "x", 1, None, [], {}]) if path else {"k": leaf}

    copy = ref_map_leaves(tree, lambda p, v: change(v) if p == path else v)
    if isinstance(copy, dict) and copy and rng.random() < 0.3:
        key = rng.choice(list(copy))
        copy[f"{key}_renamed" if isinstance(key, str) else str(key)] = copy.pop(key)
    return copy


# ---- the iterative walks equal the recursive ones ----------------------------------------


def test_canonical_forms_equal_the_recursive_reference_byte_for_byte() -> None:
    checked = 0
    for tree in trees(1200, seed=16):
        with deep_stack():
            reference = ref_canonical(tree)
            reference_json = ref_canonical_json(tree)
            form = canonical(tree)
            assert json.dumps(form, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)
            assert form == reference
        assert canonical_json(tree) == reference_json
        checked += 1
    assert checked == 1200


def test_same_value_agrees_with_the_recursive_reference() -> None:
    rng = random.Random(17)
    outcomes = {True: 0, False: 0}
    for tree in trees(800, seed=18):
        with deep_stack():
            others = [tree, ref_map_leaves(tree, lambda _p, v: v), mutated(rng, tree),
                      rng.choice(SCALARS)]
        for other in others:
            with deep_stack():
                expected = ref_same_value(tree, other)
            assert same_value(tree, other) is expected
            outcomes[expected] += 1
    for a in SCALARS:
        for b in SCALARS:
            assert same_value(a, b) is ref_same_value(a, b), (a, b)
    assert outcomes[True] > 500 and outcomes[False] > 500  # both answers were exercised


def test_leaf_walks_equal_the_recursive_reference() -> None:
    calls: list[tuple] = []

    def record(path: tuple, leaf: Any) -> Any:
        calls.append(path)
        return ("leaf", path, leaf)

    for tree in trees(600, seed=19):
        with deep_stack():
            expected_leaves = list(ref_iter_leaves(tree, ("top",)))
            expected_map = ref_map_leaves(tree, record)
            expected_calls, calls[:] = list(calls), []
            expected_strip = ref_strip_deletes(tree)
            got_map = map_leaves(tree, record)
            assert ref_canonical_json(got_map) == ref_canonical_json(expected_map)
            assert ref_canonical_json(strip_deletes(tree)) == ref_canonical_json(expected_strip)
            copied = copy_tree(tree)
            assert ref_canonical_json(copied) == ref_canonical_json(ref_copy_tree(tree))
        if isinstance(tree, (dict, list)):
            assert copied is not tree and _containers(copied).isdisjoint(_containers(tree))
        assert calls == expected_calls  # fn runs in document order, as before
        calls.clear()
        got = list(iter_leaves(tree, ("top",)))
        assert [p for p, _ in got] == [p for p, _ in expected_leaves]
        assert all(a is b for (_, a), (_, b) in zip(got, expected_leaves))


def _containers(tree: Any) -> set[int]:
    """The ids of every map and list in `tree` (iterative: trees here are deep)."""
    seen, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return seen


def test_overlay_merge_equals_the_recursive_reference() -> None:
    rng = random.Random(20)
    for _ in range(400):
        layers = [(f"env{n}", {rng.choice(KEYS[:6]): random_tree(rng, 1) for _ in range(4)})
                  for n in range(rng.randint(1, 4))]
        expected_tree, expected_sources = ref_merge(layers)
        merged = merge(layers)
        assert canonical_json(merged.tree) == canonical_json(expected_tree)
        assert merged.sources == expected_sources
        assert list(merged.sources) == list(expected_sources)


def test_every_example_file_mac_verifies_with_the_new_serialiser(tmp_path: Path, cli) -> None:
    """The MAC of files sealed before the change: the example repo (sealed by earlier
    builds), checked with the demo keys through the new code, and the payload the MAC
    covers equal to the reference serialisation."""
    from lcm.api import Repo

    root = tmp_path / "cfg"
    shutil.copytree(EXAMPLES / "repo", root)
    for tenant in ("acme", "globex"):
        res = cli("-C", str(root), "key", "import", tenant,
                  input=(EXAMPLES / "demo-keys" / f"{tenant}.key").read_text())
        assert res.code == 0, res
    subprocess.run(["git", "-C", str(root), "init", "-q"], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "commit", "-qm", "examples"], check=True)
    repo = Repo.open(root)
    addrs = list(repo.iter_addresses())
    assert len(addrs) == 10
    for addr in addrs:
        repo.verify(addr)  # raises IntegrityError when the MAC does not verify
        doc = repo.require_document(addr)
        assert doc.meta is not None
        match = MAC_RE.match(doc.meta["mac"])
        assert match is not None
        version = int(match.group(1))
        key = repo.keys(addr.tenant).key(version)
        sealed_meta = {k: v for k, v in doc.meta.items() if k != "mac"}
        payload = (f"[{FORMAT_VERSION},{version},{ref_canonical_json(doc.tree)},"
                   f"{ref_canonical_json(sealed_meta)}]").encode("utf-8")
        digest = hmac.new(mac_key(key), payload, hashlib.sha256).digest()
        assert compute_mac(key, version, doc.tree, doc.meta) == doc.meta["mac"]
        assert hmac.compare_digest(digest, base64.b64decode(match.group(2)))
    res = cli("-C", str(root), "validate")
    assert res.code == 0, res


# ---- 10,000 levels, built in memory ------------------------------------------------------

DEEP = 10_000


def deep_tree(leaf: Any, levels: int = DEEP) -> Any:
    tree = leaf
    for level in range(levels):
        tree = {"d": tree, "n": level} if level % 2 else [tree]
    return tree


def test_ten_thousand_levels_do_not_recurse() -> None:
    assert sys.getrecursionlimit() < DEEP  # the walks below would fail if they recursed
    a, b = deep_tree("leaf"), deep_tree("leaf")
    assert same_value(a, b)
    assert not same_value(a, deep_tree("other"))
    assert not same_value(deep_tree(1), deep_tree(1.0))  # types stay apart at the bottom
    assert same_value({"x": a}, {"x": b})
    assert canonical_json(deep_tree(None, 6)) == ref_canonical_json(deep_tree(None, 6))
    assert canonical_json(a).startswith('["m",[[["s","d"],["l",[["m",[[["s","d"],["l",[')
    form = canonical(a)
    for _ in range(DEEP // 2):  # a map {"d": [..], "n": level} over a one-item list
        assert form[0] == "m" and form[1][1] == [["s", "n"], form[1][1][1]]
        form = form[1][0][1]
        assert form[0] == "l" and len(form[1]) == 1
        form = form[1][0]
    assert form == ["s", "leaf"]

    key = bytes(32)
    meta = {"tenant": "acme", "env": "base", "name": "deep"}
    mac = compute_mac(key, 1, {"root": a}, meta)
    assert mac == compute_mac(key, 1, {"root": b}, meta)
    assert mac != compute_mac(key, 1, {"root": deep_tree("other")}, meta)


def test_ten_thousand_levels_through_the_leaf_walks_and_overlays() -> None:
    tree = deep_tree("leaf")
    leaves = list(iter_leaves(tree))
    assert len(leaves) == DEEP // 2 + 1
    deepest = max(leaves, key=lambda pair: len(pair[0]))
    assert len(deepest[0]) == DEEP and deepest[1] == "leaf"
    upper = map_leaves(tree, lambda path, leaf: leaf.upper() if leaf == "leaf" else leaf)
    assert same_value(upper, deep_tree("LEAF"))
    assert same_value(copy_tree(tree), tree)
    path, leaf = max(iter_leaves(strip_deletes(deep_tree(DELETE))), key=lambda p: len(p[0]))
    assert leaf == [] and len(path) == DEEP - 1  # the marker went, its list stayed

    def chain(leaf: Any) -> dict:
        node: Any = leaf
        for _ in range(DEEP):
            node = {"k": node}
        return node

    merged = merge([("base", chain("far")), ("prod", chain("near"))])
    assert same_value(merged.tree, chain("near"))
    assert merged.sources == {("k",): "base", ("k",) * DEEP: "prod"}
    assert merged.source_of(("k",) * DEEP) == "prod"


# ---- the loader's cap keeps the remaining recursive walkers shallow ----------------------


def _nested(levels: int) -> str:
    """A YAML flow value nested `levels` maps deep."""
    return "{k: " * levels + "1" + "}" * levels


def test_the_deepest_storable_tree_goes_through_every_command(repo: Path, cli) -> None:
    """Depth MAX_DEPTH - 1 below a key is the most the cap lets in; one more level is
    refused. At that depth the recursive walkers (semantic diff, writer, schema checks,
    history, promote) all run within Python's default recursion limit."""
    addr = "acme/base/deep"
    assert cli("set", addr, "v", _nested(MAX_DEPTH), "--type", "yaml").code == 2
    assert cli("set", addr, "v", _nested(MAX_DEPTH - 1), "--type", "yaml").code == 0
    assert cli("set", addr, "api_key", "sk-test-FAKE-deep", "--secret").code == 0
    deeper = _nested(MAX_DEPTH - 2).replace("1", "2")
    assert cli("set", addr, "v", deeper, "--type", "yaml").code == 0
    assert cli("set", "acme/production/deep", "w", _nested(MAX_DEPTH - 1),
               "--type", "yaml").code == 0
    for args in (["get", addr], ["get", "acme/production/deep", "-o", "json"],
                 ["get", addr, "--explain"], ["show", f"config/{addr}.yaml"],
                 ["validate"], ["scan", "--format", "json"], ["history", addr],
                 ["diff", "HEAD~3", "HEAD"], ["diff", "HEAD~2", "HEAD~1", addr, "-o", "json"],
                 ["diff", "HEAD~3", "HEAD", "--effective", "acme/production"],
                 ["promote", "acme", "base", "staging", "deep", "--dry-run"],
                 ["rollback", addr, "--to", "HEAD~2"]):
        res = cli(*args)
        assert res.code == (1 if args[0] == "diff" else 0), (args, res)
        assert "Recursion" not in res.stderr + res.stdout
    text = (repo / "config" / f"{addr}.yaml").read_text()
    assert cli("get", addr, "v" + ".k" * (MAX_DEPTH - 1)).stdout.strip() == "1"
    assert "api_key" in text


@pytest.mark.parametrize("where", ["config", "manifest"])
def test_one_level_past_the_cap_is_refused_when_read(repo: Path, cli, where: str) -> None:
    text = f"v: {_nested(MAX_DEPTH)}\n"
    if where == "config":
        path = repo / "config" / "acme" / "base" / "deep.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        res = cli("get", "acme/base/deep", "--ignore-mac")
    else:
        manifest = repo / ".lcm.yaml"
        manifest.write_text(manifest.read_text() + f"x_deep: {_nested(MAX_DEPTH)}\n")
        res = cli("get", "acme/base/app")
    assert res.code == 3, res
    assert f"nested more than {MAX_DEPTH} levels deep" in res.stderr
