"""Corners found by probing: reserved keys, timestamps, anchors, secrecy that sticks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import lcm

from .helpers import assert_one_error_line, cfg, enc_lines

ADDR = "acme/base/app"


def _set(cli, *args: str) -> None:
    res = cli("set", *args)
    assert res.code == 0, res


@pytest.mark.parametrize("key", ["lcm", "lcm.tenant", "lcm.mac"])
def test_setting_the_reserved_metadata_key_is_refused(repo: Path, cli, tree_digest, key) -> None:
    """`lcm set ADDR lcm.tenant x` used to 'succeed' and leave a file whose MAC never verifies."""
    _set(cli, ADDR, "a", "1")
    before = tree_digest(repo)
    res = cli("set", ADDR, key, "evil")
    assert_one_error_line(res, 2)
    assert tree_digest(repo) == before
    assert cli("get", ADDR, "--reveal").code == 0


@pytest.mark.parametrize("secret", [False, True], ids=["plain", "secret"])
@pytest.mark.parametrize("raw", ["2024-01-01", "2024-01-01T10:00:00Z", "2001-12-14 21:59:43.10 -5"])
def test_timestamp_like_values_are_kept_verbatim(repo: Path, cli, raw, secret) -> None:
    """lcm reads timestamps as strings; `set` must store what was typed, not str(datetime)."""
    args = ["set", "--type", "yaml", *(["--secret"] if secret else []), ADDR, "when", raw]
    res = cli(*args)
    assert res.exception is None, f"traceback: {res.exception!r}"
    assert res.code == 0, res
    assert json.loads(cli("get", ADDR, "when", "-o", "json", "--reveal").stdout) == raw
    res = cli("set", ADDR, "when2", raw)  # auto type
    assert res.code == 0, res
    assert json.loads(cli("get", ADDR, "when2", "-o", "json", "--reveal").stdout) == raw


def test_value_write_inside_an_anchored_map_keeps_comments(repo: Path, cli) -> None:
    path = cfg(repo, ADDR)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# keep me\ndefaults: &d\n  t: 0.1  # temp\nuse: *d\nz: 1  # z comment\n")
    assert cli("reseal", ADDR).code == 0
    _set(cli, ADDR, "z", "2")
    assert "# keep me" in path.read_text()
    _set(cli, ADDR, "defaults.t", "0.5")
    text = path.read_text()
    assert "# keep me" in text and "# z comment" in text, text
    assert lcm.Repo.open(repo).resolve("acme", "base", "app")["defaults"]["t"] == 0.5


def test_encrypted_list_items_swapped_do_not_decrypt(repo: Path, cli) -> None:
    _set(
        cli, ADDR, "keys", '["sk-test-FAKE-one", "sk-test-FAKE-two"]', "--type", "yaml", "--secret"
    )
    path = cfg(repo, ADDR)
    text = path.read_text()
    items = re.findall(r"(?m)^- (ENC\[.*\])$", text)
    assert len(items) == 2
    path.write_text(
        text.replace(items[0], "@@").replace(items[1], items[0]).replace("@@", items[1])
    )
    assert_one_error_line(cli("get", ADDR, "--reveal"), 5)
    res = cli("get", ADDR, "--reveal", "--ignore-mac")
    assert_one_error_line(res, 5)
    assert "keys[0]" in res.stderr or "keys[1]" in res.stderr


def test_once_secret_always_secret(repo: Path, cli) -> None:
    _set(cli, ADDR, "vendor.license", "LIC-FAKE-1", "--secret")
    _set(cli, ADDR, "vendor.license", "LIC-FAKE-2")  # no --secret this time
    text = cfg(repo, ADDR).read_text()
    assert "LIC-FAKE-2" not in text and "license" in enc_lines(text)
    assert cli("get", ADDR, "vendor.license", "--reveal").stdout == "LIC-FAKE-2\n"


@pytest.mark.parametrize(
    "key,secret",
    [
        ("db.password", True),
        ("slack.webhook_token", True),
        ("auth.client_secret", True),
        ("llm.API_KEY", True),
        ("llm.private_key", True),
        ("llm.model", False),
        ("passwords_policy", False),
    ],
)
def test_manifest_secret_globs(repo: Path, cli, key, secret) -> None:
    _set(cli, ADDR, key, "value-FAKE-glob")
    text = cfg(repo, ADDR).read_text()
    assert ("value-FAKE-glob" not in text) is secret, text


def test_show_refuses_tampered_file_unless_ignore_mac(repo: Path, cli) -> None:
    _set(cli, ADDR, "llm.api_key", "sk-test-FAKE-show")
    _set(cli, ADDR, "llm.url", "https://ok.example.invalid")
    path = cfg(repo, ADDR)
    path.write_text(path.read_text().replace("ok.example", "evil.example"))
    res = cli("show", str(path))
    assert_one_error_line(res, 5)
    assert "sk-test-FAKE-show" not in res.stdout
    assert cli("show", str(path), "--ignore-mac").code == 0


def test_child_env_tampered_parent_fine(repo: Path, cli) -> None:
    _set(cli, ADDR, "a", "1")
    _set(cli, "acme/production/app", "b", "2")
    path = cfg(repo, "acme/production/app")
    path.write_text(path.read_text().replace("b: 2", "b: 3"))
    assert_one_error_line(cli("get", "acme/production/app"), 5)
    assert cli("get", "acme/staging/app").code == 0
    with pytest.raises(lcm.LcmError) as err:
        lcm.Repo.open(repo).resolve("acme", "production", "app")
    assert err.value.code == 5


def test_library_resolve_refuses_tampered_files(repo: Path, cli) -> None:
    _set(cli, ADDR, "llm.api_key", "sk-test-FAKE-lib")
    _set(cli, ADDR, "llm.url", "https://ok.example.invalid")
    path = cfg(repo, ADDR)
    path.write_text(path.read_text().replace("ok.example", "evil.example"))
    from lcm.errors import IntegrityError

    with pytest.raises(IntegrityError):
        lcm.Repo.open(repo).resolve("acme", "base", "app")
    with pytest.raises(IntegrityError):
        lcm.Repo.open(repo).resolve("acme", "production")


def test_library_unknown_names_raise_repo_error(repo: Path, cli) -> None:
    _set(cli, ADDR, "a", "1")
    from lcm.errors import RepoError

    r = lcm.Repo.open(repo)
    for args in (("nope", "base", "app"), ("acme", "qa", "app"), ("acme", "base", "missing")):
        with pytest.raises(RepoError):
            r.resolve(*args)
    with pytest.raises(RepoError):
        lcm.Repo.open(repo / "..")


def test_removing_an_encrypted_list_item_re_binds_the_rest(repo: Path, cli) -> None:
    """Ciphertexts are bound to their list index; after a removal the later items move."""
    _set(
        cli,
        ADDR,
        "keys",
        '["sk-test-FAKE-0", "sk-test-FAKE-1", "sk-test-FAKE-2"]',
        "--type",
        "yaml",
        "--secret",
    )
    assert cli("unset", ADDR, "keys[0]").code == 0
    res = cli("get", ADDR, "keys", "-o", "json", "--reveal")
    assert res.code == 0, res
    assert json.loads(res.stdout) == ["sk-test-FAKE-1", "sk-test-FAKE-2"]
    assert "sk-test-FAKE" not in cfg(repo, ADDR).read_text()


def test_item_appended_to_an_encrypted_list_is_encrypted(repo: Path, cli) -> None:
    """A list set with --secret stays secret: `set ADDR keys[2] V` must not add plaintext."""
    _set(cli, ADDR, "keys", '["sk-test-FAKE-1", "sk-test-FAKE-2"]', "--type", "yaml", "--secret")
    _set(cli, ADDR, "keys[2]", "sk-test-FAKE-3")
    assert json.loads(cli("get", ADDR, "keys", "-o", "json", "--reveal").stdout) == [
        "sk-test-FAKE-1",
        "sk-test-FAKE-2",
        "sk-test-FAKE-3",
    ]
    assert "sk-test-FAKE" not in cfg(repo, ADDR).read_text()


@pytest.mark.parametrize("command", [["unset", ADDR, "a"], ["reseal", ADDR]])
def test_no_commit_on_other_mutations(repo: Path, cli, command) -> None:
    from .helpers import commit_count

    _set(cli, ADDR, "a", "1")
    _set(cli, ADDR, "b", "2")
    n = commit_count(repo)
    before = cfg(repo, ADDR).read_text()
    res = cli(*command, "--no-commit")
    assert res.code == 0, res
    assert commit_count(repo) == n
    if command[0] == "unset":
        assert cfg(repo, ADDR).read_text() != before


ODD_YAML = [
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!foo bar",
    "{? [1, 2] : x}",
    "!!omap [{a: 1}]",
    "!!python/object:os.system {}",
    "&a [*a]",
]


@pytest.mark.parametrize("secret", [False, True], ids=["plain", "secret"])
@pytest.mark.parametrize("raw", ODD_YAML)
def test_type_yaml_values_outside_the_data_model(repo: Path, cli, tree_digest, raw, secret) -> None:
    """`--type yaml` with tags lcm cannot store (binary, set, custom, complex keys):
    refused with exit 2 and nothing changed, or stored faithfully -- never a traceback
    and never a Python repr like "{'a', 'b'}"."""
    _set(cli, ADDR, "keep", "1")
    before = tree_digest(repo)
    res = cli("set", "--type", "yaml", *(["--secret"] if secret else []), ADDR, "v", raw)
    assert res.exception is None, f"traceback: {res.exception!r}"
    if res.code != 0:
        assert_one_error_line(res, 2 if res.code == 2 else 3)
        assert tree_digest(repo) == before
        return
    for fmt in ("json", "yaml"):
        got = cli("get", ADDR, "-o", fmt, "--reveal")
        assert got.exception is None, f"traceback: {got.exception!r}"
        assert got.code == 0, got
    assert "{'a', 'b'}" not in cfg(repo, ADDR).read_text()


@pytest.mark.parametrize(
    "body", ["v: !!binary aGVsbG8=\n", "v: !!set {a, b}\n", "v: !foo bar\n", "? [1, 2]\n: x\n"]
)
def test_hand_written_file_outside_the_data_model(repo: Path, cli, body) -> None:
    """A reviewed hand edit with such tags: `reseal`/`get` answer with one clear line
    naming the file (exit 3), or work -- never a traceback."""
    path = cfg(repo, ADDR)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("a: 1\n" + body)
    for args in (["reseal", ADDR], ["get", ADDR, "-o", "json"], ["get", ADDR]):
        res = cli(*args)
        assert res.exception is None, (args, f"traceback: {res.exception!r}")
        if res.code != 0:
            assert_one_error_line(res, 3)
            assert "app.yaml" in res.stderr
