"""Values survive set → stored file → get / library resolve with their YAML type."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lcm

from .helpers import ENC_SHAPE, cfg, enc_lines

ADDR = "acme/base/app"

# (CLI VALUE, --type, expected Python value)
SCALARS = [
    ("plain text", "str", "plain text"),
    ("42", "int", 42),
    ("-7", "int", -7),
    ("1", "int", 1),
    ("1.0", "float", 1.0),
    ("2.5e-3", "float", 0.0025),
    ("true", "bool", True),
    ("false", "bool", False),
    ("", "null", None),
    ("", "str", ""),
    ("0123", "str", "0123"),
    ("true", "str", "true"),
    ("1.0", "str", "1.0"),
    ("null", "str", "null"),
    ("héllo ☃ 日本語 🚀", "str", "héllo ☃ 日本語 🚀"),
    ("a: b # not a comment", "str", "a: b # not a comment"),
    ("  padded  ", "str", "  padded  "),
    ("ENC[looks-like-but-is-not]", "str", "ENC[looks-like-but-is-not]"),
]


def _ids(param: tuple) -> str:
    return f"{param[1]}:{param[0]!r}"


@pytest.mark.parametrize("secret", [False, True], ids=["plain", "secret"])
@pytest.mark.parametrize("raw,kind,expected", SCALARS, ids=[_ids(p) for p in SCALARS])
def test_scalar_round_trip_cli_and_library(repo: Path, cli, raw, kind, expected, secret) -> None:
    args = ["set", "--type", kind, *(["--secret"] if secret else []), "--", ADDR, "v.x", raw]
    res = cli(*args)
    assert res.code == 0, res
    stored = cfg(repo, ADDR).read_text()
    if secret:
        enc = enc_lines(stored)["x"]
        assert ENC_SHAPE.match(enc), enc
        assert enc.endswith(f"type:{type(expected).__name__.replace('NoneType', 'null')}]")
        if len(raw) > 4:
            assert raw not in stored
    # CLI json output keeps the type
    res = cli("get", ADDR, "-o", "json", "--reveal")
    assert res.code == 0, res
    got = json.loads(res.stdout)["v"]["x"]
    assert got == expected and type(got) is type(expected)
    # library, one file and whole env
    one = lcm.Repo.open(repo).resolve("acme", "base", "app")
    value = one["v"]["x"]
    assert value == expected and type(value) is type(expected)
    every = lcm.Repo.open(repo).resolve("acme", "base")
    value = every["app"]["v"]["x"]
    assert value == expected and type(value) is type(expected)


def test_int_float_bool_stay_distinct(repo: Path, cli) -> None:
    for key, raw in (("a", "1"), ("b", "1.0"), ("c", "true")):
        assert cli("set", ADDR, key, raw).code == 0
        assert cli("set", ADDR, f"s.{key}", raw, "--secret", "--type", "yaml").code == 0
    eff = lcm.Repo.open(repo).resolve("acme", "base", "app").to_dict(reveal=True)
    for tree in (eff, eff["s"]):
        assert [type(tree[k]) for k in "abc"] == [int, float, bool]
    text = cfg(repo, ADDR).read_text()
    assert "type:int]" in text and "type:float]" in text and "type:bool]" in text


def test_auto_typed_leading_zero_stays_a_string(repo: Path, cli) -> None:
    """`lcm set ADDR code 0123` must not turn an id/zip code into octal 83."""
    assert cli("set", ADDR, "code", "0123").code == 0
    res = cli("get", ADDR, "code", "-o", "json")
    assert json.loads(res.stdout) in ("0123",), res.stdout


def test_quoted_string_in_file_stays_a_string_after_other_writes(repo: Path, cli) -> None:
    path = cfg(repo, ADDR)
    assert cli("set", ADDR, "zip", "0123", "--type", "str").code == 0
    assert cli("set", ADDR, "other", "1").code == 0
    assert cli("set", ADDR, "other", "2").code == 0
    res = cli("get", ADDR, "zip", "-o", "json")
    assert json.loads(res.stdout) == "0123"
    assert cli("get", ADDR, "zip").stdout == "0123\n"
    assert "83" not in path.read_text().split("lcm:")[0]


@pytest.mark.parametrize("secret", [False, True], ids=["plain", "secret"])
def test_multiline_values_round_trip(repo: Path, cli, secret) -> None:
    value = "line one\n  indented two\n\ttab three: x\n\nlast ✓"
    extra = ["--secret"] if secret else []
    res = cli("set", ADDR, "prompt.text", "--value-stdin", *extra, input=value + "\n")
    assert res.code == 0, res
    got = lcm.Repo.open(repo).resolve("acme", "base", "app")["prompt"]["text"]
    assert got == value
    res = cli("get", ADDR, "prompt.text", "--reveal")
    assert res.stdout == value + "\n"
    assert json.loads(cli("get", ADDR, "-o", "json", "--reveal").stdout)["prompt"]["text"] == value


@pytest.mark.parametrize("secret", [False, True], ids=["plain", "secret"])
def test_nested_maps_and_lists_round_trip(repo: Path, cli, secret) -> None:
    value = {
        "models": [
            {"name": "gpt-4o", "weight": 0.7, "tags": ["fast", "默认"], "enabled": True},
            {"name": "claude", "weight": 3, "limits": {"rpm": 600, "note": None}},
        ],
        "empty_list": [],
        "empty_map": {},
        "deep": {"a": {"b": {"c": {"d": "e"}}}},
    }
    extra = ["--secret"] if secret else []
    res = cli("set", ADDR, "routing", json.dumps(value), "--type", "yaml", *extra)
    assert res.code == 0, res
    got = lcm.Repo.open(repo).resolve("acme", "base", "app").to_dict(reveal=True)["routing"]
    assert json.dumps(got, sort_keys=True) == json.dumps(value, sort_keys=True)
    assert type(got["models"][0]["weight"]) is float and type(got["models"][1]["weight"]) is int
    text = cfg(repo, ADDR).read_text()
    if secret:
        assert "gpt-4o" not in text and "默认" not in text
        assert text.count("ENC[") == 10  # every scalar leaf, list items included
    else:
        assert "ENC[" not in text
    masked = json.loads(cli("get", ADDR, "-o", "json").stdout)["routing"]
    if secret:
        assert masked["models"][0]["name"] == "********"
        assert masked["deep"]["a"]["b"]["c"]["d"] == "********"


def test_set_into_list_index_and_append(repo: Path, cli) -> None:
    assert cli("set", ADDR, "items", '["a", "b"]', "--type", "yaml").code == 0
    assert cli("set", ADDR, "items[1]", "B").code == 0
    assert cli("set", ADDR, "items[2]", "c").code == 0
    assert cli("set", ADDR, "items[0]", "secret-a", "--secret").code == 0
    got = lcm.Repo.open(repo).resolve("acme", "base", "app")["items"]
    assert got == ["secret-a", "B", "c"]
    assert "secret-a" not in cfg(repo, ADDR).read_text()


def test_library_is_lazy_and_reveals_only_on_access(repo: Path, cli) -> None:
    assert cli("set", ADDR, "llm.api_key", "sk-test-FAKE-0001").code == 0
    assert cli("set", ADDR, "llm.model", "gpt-4o").code == 0
    eff = lcm.Repo.open(repo).resolve("acme", "base")
    assert eff.to_dict(reveal=False)["app"]["llm"]["api_key"] == "********"
    assert eff["app"]["llm"]["api_key"] == "sk-test-FAKE-0001"
    assert "sk-test-FAKE-0001" not in cfg(repo, ADDR).read_text()


def test_library_cache_sees_new_writes(repo: Path, cli) -> None:
    assert cli("set", ADDR, "a", "1").code == 0
    r = lcm.Repo.open(repo)
    assert r.resolve("acme", "base", "app")["a"] == 1
    assert cli("set", ADDR, "a", "2").code == 0
    assert r.resolve("acme", "base", "app")["a"] == 2


def test_library_cache_notices_a_tampered_file(repo: Path, cli) -> None:
    """A long-lived Repo (a service) re-verifies when a file's bytes change."""
    from lcm.errors import IntegrityError

    assert cli("set", ADDR, "url", "https://ok.example.invalid").code == 0
    r = lcm.Repo.open(repo)
    assert r.resolve("acme", "base", "app")["url"] == "https://ok.example.invalid"
    path = cfg(repo, ADDR)
    path.write_text(path.read_text().replace("ok.example", "evil.example"))
    with pytest.raises(IntegrityError):
        r.resolve("acme", "base", "app")
    with pytest.raises(IntegrityError):
        r.resolve("acme", "production")
