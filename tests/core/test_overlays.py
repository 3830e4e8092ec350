"""Environment overlays: deep merge, lists replaced, !delete, provenance, inheritance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import lcm

from .helpers import cfg


def _set(cli, *args: str) -> None:
    res = cli("set", *args)
    assert res.code == 0, res


@pytest.fixture
def layered(repo: Path, cli) -> Path:
    _set(cli, "acme/base/app", "llm.provider", "openai")
    _set(cli, "acme/base/app", "llm.model", "gpt-4o-mini")
    _set(cli, "acme/base/app", "llm.params.temperature", "0.2")
    _set(cli, "acme/base/app", "llm.params.top_p", "0.9")
    _set(cli, "acme/base/app", "llm.api_key", "sk-test-FAKE-base")
    _set(cli, "acme/base/app", "fallbacks", '["a", "b", "c"]', "--type", "yaml")
    _set(cli, "acme/staging/app", "llm.model", "gpt-4o")
    _set(cli, "acme/production/app", "llm.params.temperature", "0.7")
    _set(cli, "acme/production/app", "fallbacks", '["x"]', "--type", "yaml")
    return repo


def _json(cli, *args: str):
    res = cli("get", *args, "-o", "json")
    assert res.code == 0, res
    return json.loads(res.stdout)


def test_deep_merge_along_the_chain(layered: Path, cli) -> None:
    prod = _json(cli, "acme/production/app", "--reveal")
    assert prod == {
        "llm": {
            "provider": "openai",
            "model": "gpt-4o",
            "params": {"temperature": 0.7, "top_p": 0.9},
            "api_key": "sk-test-FAKE-base",
        },
        "fallbacks": ["x"],
    }
    staging = _json(cli, "acme/staging/app")
    assert staging["llm"]["params"]["temperature"] == 0.2
    assert staging["llm"]["model"] == "gpt-4o" and staging["fallbacks"] == ["a", "b", "c"]
    assert staging["llm"]["api_key"] == "********"


def test_library_resolve_matches_cli(layered: Path, cli) -> None:
    eff = lcm.Repo.open(layered).resolve("acme", "production", "app")
    assert eff.to_dict(reveal=True) == _json(cli, "acme/production/app", "--reveal")
    assert str(eff.provenance(("llm", "model"))) == "acme/staging/app"
    assert str(eff.provenance(("llm", "params", "top_p"))) == "acme/base/app"
    assert str(eff.provenance(("fallbacks", 0))) == "acme/production/app"


def test_lists_are_replaced_not_merged(layered: Path, cli) -> None:
    assert _json(cli, "acme/production/app", "fallbacks") == ["x"]
    _set(cli, "acme/production/app", "fallbacks", "[]", "--type", "yaml")
    assert _json(cli, "acme/production/app", "fallbacks") == []


def test_env_with_no_file_inherits(layered: Path, cli) -> None:
    assert not cfg(layered, "acme/development/app").exists()
    dev = _json(cli, "acme/development/app", "--reveal")
    assert dev == _json(cli, "acme/base/app", "--reveal")
    rows = _json(cli, "acme/development/app", "--explain")
    assert {r["env"] for r in rows} == {"base"}


def test_delete_marker_hides_an_inherited_key(layered: Path, cli) -> None:
    _set(cli, "acme/production/app", "llm.model", "!delete")
    _set(cli, "acme/production/app", "llm.api_key", "!delete")
    assert "model: !delete" in cfg(layered, "acme/production/app").read_text()
    prod = _json(cli, "acme/production/app", "--reveal")
    assert "model" not in prod["llm"] and "api_key" not in prod["llm"]
    assert prod["llm"]["provider"] == "openai"
    assert _json(cli, "acme/staging/app")["llm"]["model"] == "gpt-4o"  # parent untouched
    keys = {r["key"] for r in _json(cli, "acme/production/app", "--explain")}
    assert "llm.model" not in keys and "llm.api_key" not in keys
    res = cli("get", "acme/production/app", "llm.model")
    assert res.code == 3 and res.stderr.startswith("lcm: error:")
    # a later env may set it again
    _set(cli, "acme/production/app", "llm.model", "gpt-4.1")
    assert _json(cli, "acme/production/app")["llm"]["model"] == "gpt-4.1"


def test_delete_marker_on_a_whole_section(layered: Path, cli) -> None:
    _set(cli, "acme/staging/app", "llm.params", "!delete")
    staging = _json(cli, "acme/staging/app")
    assert "params" not in staging["llm"]
    prod = _json(cli, "acme/production/app")
    assert prod["llm"]["params"] == {"temperature": 0.7}
    assert (
        str(
            lcm.Repo.open(layered)
            .resolve("acme", "production", "app")
            .provenance(("llm", "params", "temperature"))
        )
        == "acme/production/app"
    )


def test_scalar_replaces_map_and_map_replaces_scalar(layered: Path, cli) -> None:
    _set(cli, "acme/staging/app", "llm.params", "defaults")
    _set(
        cli,
        "acme/production/app",
        "llm.provider",
        '{"name": "azure", "region": "eu"}',
        "--type",
        "yaml",
    )
    prod = _json(cli, "acme/production/app")
    assert prod["llm"]["provider"] == {"name": "azure", "region": "eu"}
    assert prod["llm"]["params"] == {"temperature": 0.7}


def test_explain_text_names_env_file_and_line(layered: Path, cli) -> None:
    res = cli("get", "acme/production/app", "--explain")
    assert res.code == 0, res
    rows = {line.split()[0]: line for line in res.stdout.splitlines()}
    assert "# production  config/acme/production/app.yaml:" in rows["llm.params.temperature"]
    assert "# staging  config/acme/staging/app.yaml:2" in rows["llm.model"]
    assert "# base  config/acme/base/app.yaml:" in rows["llm.provider"]
    assert "********" in rows["llm.api_key"] and "sk-test-FAKE-base" not in res.stdout


def test_explain_json_rows(layered: Path, cli) -> None:
    rows = {r["key"]: r for r in _json(cli, "acme/production/app", "--explain")}
    assert set(rows) == {
        "llm.provider",
        "llm.model",
        "llm.params.temperature",
        "llm.params.top_p",
        "llm.api_key",
        "fallbacks[0]",
    }
    temp = rows["llm.params.temperature"]
    assert (temp["env"], temp["file"], temp["value"], temp["secret"]) == (
        "production",
        "config/acme/production/app.yaml",
        0.7,
        False,
    )
    base_text = cfg(layered, "acme/base/app").read_text().splitlines()
    top_p = rows["llm.params.top_p"]
    assert base_text[top_p["line"] - 1].strip() == "top_p: 0.9"
    key = rows["llm.api_key"]
    assert key["secret"] is True and key["value"] == "********" and key["env"] == "base"
    revealed = {r["key"]: r for r in _json(cli, "acme/production/app", "--explain", "--reveal")}
    assert revealed["llm.api_key"]["value"] == "sk-test-FAKE-base"


def test_explain_of_one_key(layered: Path, cli) -> None:
    rows = _json(cli, "acme/production/app", "llm.params", "--explain")
    assert [(r["key"], r["env"]) for r in rows] == [
        ("llm.params.temperature", "production"),
        ("llm.params.top_p", "base"),
    ]


def test_resolve_whole_env_merges_every_file(layered: Path, cli) -> None:
    _set(cli, "acme/staging/router/models", "primary", "gpt-4o")
    eff = lcm.Repo.open(layered).resolve("acme", "production")
    assert set(eff) == {"app", "router/models"}
    assert eff["router/models"]["primary"] == "gpt-4o"
    assert eff["app"]["llm"]["api_key"] == "sk-test-FAKE-base"
    assert str(eff.provenance(("app", "llm", "model"))) == "acme/staging/app"
    # base has no router file: it does not see staging's
    assert "router/models" not in lcm.Repo.open(layered).resolve("acme", "base")


def test_delete_marker_inside_a_list_never_crashes_get(repo: Path, cli) -> None:
    """`!delete` removes mapping keys; as a list item it must be refused at `set`
    (exit 2) or dropped from the effective list -- never a traceback on `get`."""
    _set(cli, "acme/base/app", "items", '["a", "b"]', "--type", "yaml")
    res = cli("set", "acme/base/app", "items[0]", "!delete")
    assert res.exception is None, res.exception
    if res.code != 0:
        assert res.code == 2 and res.stderr.startswith("lcm: error:"), res
        return
    for args in (["-o", "json"], ["-o", "yaml"], ["-o", "env"], ["--explain"]):
        got = cli("get", "acme/production/app", *args)
        assert got.exception is None, (args, got.exception)
        assert got.code == 0, (args, got)
        assert "DELETE" not in got.stdout and "!delete" not in got.stdout
    assert _json(cli, "acme/production/app", "items") == ["b"]


def test_delete_marker_on_an_inherited_secret(layered: Path, cli) -> None:
    """`!delete` at a key the manifest marks secret is a marker, not a plaintext secret."""
    _set(cli, "acme/production/app", "llm.api_key", "!delete")
    assert "api_key" not in _json(cli, "acme/production/app")["llm"]
    assert "api_key" in _json(cli, "acme/staging/app")["llm"]
    text = cfg(layered, "acme/production/app").read_text()
    assert "api_key: !delete" in text and "sk-test-FAKE" not in text
