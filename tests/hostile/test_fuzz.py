"""Property-based fuzzing of every untrusted input (seeded, bounded: about a minute in
all). Invariants, for every command run: no traceback; an exit code from the documented
set; a failure is one escaped error line; a failed command changes nothing on disk; a
stored file either verifies with its original content or is refused."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcm.errors import UsageError
from lcm.format.document import Document
from lcm.format.loading import BadYaml, load_tree
from lcm.format.values import canonical
from lcm.ops.values import check_storable

from .conftest import FUZZ
from .strategies import key_args, manifests, value_args, value_types, yaml_documents

ADDR = "acme/base/app"
FUZZ_ADDR = "acme/base/fuzz"


# ---- YAML documents ---------------------------------------------------------------------


@settings(FUZZ, max_examples=1000)
@given(yaml_documents())
def test_parsing_is_bounded_and_total(data: bytes) -> None:
    """Any bytes: a tree lcm can seal and store, or one located BadYaml, quickly."""
    start = time.perf_counter()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        tree = load_tree(text, "f.yaml")
        doc = Document.parse(text, "f.yaml")
    except BadYaml as err:
        assert err.message.startswith("f.yaml:") and "\n" not in err.problem
        assert err.line >= 1 and err.col >= 1
    else:
        assert doc.full == (tree if tree is not None else {}) or _has_nan(tree)
        json.dumps(canonical(tree))  # what the file MAC seals
        if isinstance(tree, dict):
            try:
                check_storable((), {k: v for k, v in tree.items() if k != "lcm"})
            except UsageError as err:
                assert "ciphertext" in err.message  # a stored file may hold ENC[...] text
    assert time.perf_counter() - start < 2


def _has_nan(value: object) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    return False


@settings(FUZZ, max_examples=50)
@given(yaml_documents())
def test_documents_through_the_cli(repo: Path, checked, data: bytes) -> None:
    """A hand-written config file: read, shown, validated, resealed, written around."""
    path = repo / "config" / f"{FUZZ_ADDR}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        checked("validate", str(path))
        checked("show", "--masked", str(path))
        checked("get", FUZZ_ADDR, "--ignore-mac", "-o", "json")
        sealed = checked("reseal", FUZZ_ADDR)
        if sealed.code == 0:
            # What lcm accepted it stores faithfully: the same tree comes back.
            got = checked("get", FUZZ_ADDR, "-o", "yaml", "--reveal")
            assert got.code == 0, got
            assert load_tree(got.stdout) == _without_meta(load_tree(data.decode("utf-8"))) \
                or _has_nan(load_tree(got.stdout))
            checked("set", FUZZ_ADDR, "added", "1")
        else:
            checked("set", FUZZ_ADDR, "added", "1")
    finally:
        path.unlink(missing_ok=True)


def _without_meta(tree: object) -> object:
    if not isinstance(tree, dict):
        return {} if tree is None else tree
    return {k: v for k, v in tree.items() if k != "lcm"}


# ---- key paths and values -----------------------------------------------------------------


@settings(FUZZ, max_examples=150)
@given(key=key_args, value=value_args, kind=value_types, secret=st.booleans())
def test_set_get_unset(repo: Path, checked, key: str, value: str, kind: str,
                       secret: bool) -> None:
    extra = ["--secret"] if secret else []
    # `--` first: a KEY or VALUE like `-0` is an argument (click's own usage errors are
    # the CLI's business, not this test's).
    res = checked("set", "--type", kind, *extra, "--", ADDR, key, value)
    if res.code != 0:
        assert res.code in (2, 3), res
        return
    got = checked("get", "--reveal", "-o", "json", "--", ADDR, key)
    assert got.code == 0, got
    if kind == "str" or (kind == "auto" and secret):
        assert json.loads(got.stdout) == value
    gone = checked("unset", "--", ADDR, key)
    if gone.code == 0:
        assert checked("get", "--", ADDR, key).code == 3
    else:
        assert gone.code == 3  # a `!delete` marker or list item path: reported, not crashed


@settings(FUZZ, max_examples=30)
@given(value=value_args)
def test_value_stdin(repo: Path, checked, value: str) -> None:
    data = value.encode("utf-8", "surrogateescape")
    res = checked("set", ADDR, "stdin_token", "--value-stdin", input=data)
    if res.code == 0:
        got = checked("get", ADDR, "stdin_token", "--reveal", "-o", "json")
        assert json.loads(got.stdout) == value.removesuffix("\n")


# ---- manifests ----------------------------------------------------------------------------


@pytest.fixture
def manifest_text(repo: Path, checked) -> bytes:
    assert checked("set", ADDR, "a", "1").code == 0
    assert checked("set", ADDR, "token", "tok-test-FAKE-1").code == 0
    return (repo / ".lcm.yaml").read_bytes()


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_random_manifests(repo: Path, checked, manifest_text: bytes, data) -> None:
    valid = load_tree(manifest_text.decode())
    manifest = repo / ".lcm.yaml"
    manifest.write_bytes(data.draw(manifests(valid)))
    try:
        for args in (["get", ADDR], ["tenant", "list"], ["validate"], ["scan"],
                     ["set", ADDR, "b", "2", "--no-commit"]):
            checked(*args)
    finally:
        manifest.write_bytes(manifest_text)
        checked("unset", ADDR, "b", "--no-commit")  # a --no-commit set that went through


# ---- bytes flipped in a stored file ------------------------------------------------------


@pytest.fixture
def stored(repo: Path, checked) -> tuple[Path, bytes, object]:
    for args in (["set", ADDR, "llm.provider", "openai"],
                 ["set", ADDR, "llm.api_key", "sk-test-FAKE-0123456789"],
                 ["set", ADDR, "llm.temperature", "0.2"],
                 ["set", ADDR, "llm.stop", '["###", "END"]', "--type", "yaml"],
                 ["set", ADDR, "llm.fallbacks", '["a", {"url": "https://x"}]', "--type",
                  "yaml", "--secret"]):
        assert checked(*args).code == 0, args
    original = json.loads(checked("get", ADDR, "--reveal", "-o", "json").stdout)
    path = repo / "config" / f"{ADDR}.yaml"
    return path, path.read_bytes(), original


@settings(FUZZ, max_examples=120)
@given(flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                      min_size=1, max_size=3))
def test_flipped_bytes_verify_or_are_refused(stored, checked, flips) -> None:
    path, data, original = stored
    damaged = bytearray(data)
    for where, byte in flips:
        damaged[int(where * len(damaged))] = byte
    path.write_bytes(bytes(damaged))
    try:
        res = checked("get", ADDR, "--reveal", "-o", "json")
        if res.code == 0:
            assert json.loads(res.stdout) == original
        elif res.code != 5:
            # Not YAML (or not UTF-8) any more: refused as unreadable, located.
            assert res.code == 3 and "app.yaml:" in res.stderr, res
        checked("validate", str(path))
    finally:
        path.write_bytes(data)
