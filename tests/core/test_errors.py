"""User mistakes: documented exit code, one `lcm: error:` line, no traceback, no change on disk."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .helpers import assert_one_error_line, cfg

ADDR = "acme/base/app"


@pytest.fixture
def seeded(repo: Path, cli) -> Path:
    assert cli("set", ADDR, "llm.provider", "openai").code == 0
    assert cli("set", ADDR, "llm.api_key", "sk-test-FAKE-err").code == 0
    return repo


def _unchanged(root: Path, tree_digest, cli, args, code: int, input: str | None = None) -> str:
    data_home = Path(os.environ["XDG_DATA_HOME"])
    before = tree_digest(root, data_home)
    res = cli(*args, input=input)
    assert_one_error_line(res, code)
    assert tree_digest(root, data_home) == before, f"{args} changed files"
    assert "sk-test-FAKE-err" not in res.stdout + res.stderr
    return res.stderr


CASES_3 = [
    ("unknown-tenant-get", ["get", "nope/base/app"], "nope"),
    ("unknown-tenant-set", ["set", "nope/base/app", "a", "1"], "nope"),
    ("unknown-env-get", ["get", "acme/qa/app"], "qa"),
    ("unknown-env-set", ["set", "acme/qa/app", "a", "1"], "qa"),
    ("unknown-file-get", ["get", "acme/production/missing"], "missing"),
    ("unknown-file-reseal", ["reseal", "acme/base/missing"], "missing"),
    ("unknown-file-unset", ["unset", "acme/base/missing", "a"], "missing"),
    ("unknown-key-get", ["get", ADDR, "llm.nope"], "llm.nope"),
    ("show-missing-file", ["show", "config/acme/base/nothing.yaml"], "nothing.yaml"),
    ("key-export-unknown-tenant", ["key", "export", "nope"], "nope"),
]


@pytest.mark.parametrize("name,args,mention", CASES_3, ids=[c[0] for c in CASES_3])
def test_unknown_things_are_exit_3(seeded: Path, cli, tree_digest, name, args, mention) -> None:
    stderr = _unchanged(seeded, tree_digest, cli, args, 3)
    assert mention in stderr


CASES_2 = [
    ("short-address", ["get", "acme"]),  # (`get acme/base` is the whole env)
    ("short-address-set", ["set", "acme/base", "k", "v"]),
    ("empty-segment", ["get", "acme//app"]),
    ("bad-chars-address", ["set", "acme/base/a b", "k", "v"]),
    ("dotdot-address", ["set", "acme/base/../../etc/x", "k", "v"]),
    ("bad-key-path-dots", ["set", ADDR, "a..b", "v"]),
    ("bad-key-path-leading-dot", ["set", ADDR, ".a", "v"]),
    ("bad-key-path-bracket", ["set", ADDR, "a[x", "v"]),
    ("bad-key-path-get", ["get", ADDR, "llm..x"]),
    ("bad-key-path-unset", ["unset", ADDR, "llm["]),
    ("bad-type", ["set", ADDR, "n", "abc", "--type", "int"]),
    ("value-into-scalar", ["set", ADDR, "llm.provider.name", "x"]),
    ("list-gap", ["set", ADDR, "items[3]", "x"]),
    ("path-outside-config", ["get", "/etc/hostname"]),
]


@pytest.mark.parametrize("name,args", CASES_2, ids=[c[0] for c in CASES_2])
def test_bad_usage_is_exit_2(seeded: Path, cli, tree_digest, name, args) -> None:
    _unchanged(seeded, tree_digest, cli, args, 2)


@pytest.mark.parametrize(
    "command",
    [
        ["get", ADDR],
        ["get", "acme/production/app"],
        ["set", ADDR, "llm.model", "x"],
        ["unset", ADDR, "llm.provider"],
        ["reseal", ADDR],
        ["show", "config/acme/base/app.yaml"],
    ],
    ids=["get", "get-child", "set", "unset", "reseal", "show"],
)
def test_bad_yaml_is_exit_3_with_file_line_col(seeded: Path, cli, tree_digest, command) -> None:
    path = cfg(seeded, ADDR)
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(2, "  model: [unclosed\n")
    path.write_text("".join(lines))
    stderr = _unchanged(seeded, tree_digest, cli, command, 3)
    match = re.search(r"(\S*app\.yaml):(\d+):(\d+): bad YAML", stderr)
    assert match, stderr
    assert match.group(1).endswith("config/acme/base/app.yaml")
    assert int(match.group(2)) in (3, 4)


def test_top_level_not_a_mapping(seeded: Path, cli, tree_digest) -> None:
    cfg(seeded, ADDR).write_text("- just\n- a list\n")
    stderr = _unchanged(seeded, tree_digest, cli, ["get", ADDR], 3)
    assert "app.yaml:1:1" in stderr


@pytest.mark.parametrize(
    "command",
    [
        ["get", ADDR],
        ["set", ADDR, "a", "1"],
        ["tenant", "list"],
        ["tenant", "add", "x", "--backend", "file"],
        ["key", "export", "acme"],
        ["edit", ADDR],
    ],
    ids=["get", "set", "tenant-list", "tenant-add", "key-export", "edit"],
)
def test_not_a_repo_is_exit_3(tmp_path: Path, cli, monkeypatch, tree_digest, command) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    stderr = _unchanged(empty, tree_digest, cli, command, 3)
    assert "not an lcm repository" in stderr


def test_bad_manifest_is_exit_3(seeded: Path, cli, tree_digest) -> None:
    manifest = seeded / ".lcm.yaml"
    manifest.write_text(manifest.read_text().replace("version: 1", "version: 7"))
    stderr = _unchanged(seeded, tree_digest, cli, ["get", ADDR], 3)
    assert ".lcm.yaml" in stderr and "version" in stderr
    manifest.write_text("environments: [unclosed\n")
    stderr = _unchanged(seeded, tree_digest, cli, ["set", ADDR, "a", "1"], 3)
    assert re.search(r"\.lcm\.yaml:\d+:\d+: bad YAML", stderr)


def test_missing_data_key_file_is_exit_3(seeded: Path, cli, tree_digest) -> None:
    (seeded / ".lcm/keys/acme.yaml").unlink()
    stderr = _unchanged(seeded, tree_digest, cli, ["get", ADDR, "--reveal"], 3)
    assert "acme" in stderr


def test_init_twice_is_exit_3(seeded: Path, cli, tree_digest) -> None:
    stderr = _unchanged(seeded, tree_digest, cli, ["init", str(seeded)], 3)
    assert "already" in stderr


def test_secret_value_never_in_error_messages(seeded: Path, cli) -> None:
    """Errors name files and keys, never values."""
    res = cli("set", ADDR, "llm.api_key.sub", "x")
    assert res.code == 2
    assert "sk-test-FAKE-err" not in res.stderr
