"""The stored file: ENC shape, comments/order kept, minimal diffs, stable ciphertexts."""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

import lcm

from .helpers import ENC_SHAPE, cfg, enc_lines

ADDR = "acme/base/app"

HAND_WRITTEN = """\
# Inference settings for acme (top comment)
llm:
  # which provider
  provider: openai   # trailing comment
  model: gpt-4o
  api_key: sk-test-FAKE-hand-written
  temperature: 0.2
zeta: last-but-first   # order is not alphabetical
alpha:
  - one
  - two   # list comment
db:
  password: hunter2-FAKE
"""


def _seed(repo: Path, cli) -> Path:
    """A hand-written file with comments, accepted with `lcm reseal`."""
    path = cfg(repo, ADDR)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HAND_WRITTEN)
    res = cli("reseal", ADDR)
    assert res.code == 0, res
    return path


def _changed(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def test_reseal_encrypts_secret_globs_and_keeps_comments(repo: Path, cli) -> None:
    path = _seed(repo, cli)
    text = path.read_text()
    assert "sk-test-FAKE-hand-written" not in text and "hunter2-FAKE" not in text
    encs = enc_lines(text)
    assert set(encs) == {"api_key", "password"}
    assert all(ENC_SHAPE.match(v) for v in encs.values())
    for comment in (
        "# Inference settings for acme (top comment)",
        "# which provider",
        "# trailing comment",
        "# order is not alphabetical",
        "# list comment",
    ):
        assert comment in text
    plain = lcm.Repo.open(repo).resolve("acme", "base", "app").to_dict(reveal=True)
    assert plain["llm"]["api_key"] == "sk-test-FAKE-hand-written"


def test_each_value_has_its_own_nonce(repo: Path, cli) -> None:
    for key in ("a_token", "b_token", "c_token"):
        assert cli("set", ADDR, key, "same-FAKE-value").code == 0
    encs = enc_lines(cfg(repo, ADDR).read_text())
    ivs = {v.split("iv:")[1].split(",")[0] for v in encs.values()}
    datas = {v.split("data:")[1].split(",")[0] for v in encs.values()}
    assert len(ivs) == 3 and len(datas) == 3


def test_one_value_write_changes_only_that_line_and_meta(repo: Path, cli) -> None:
    path = _seed(repo, cli)
    before = path.read_text()
    assert cli("set", ADDR, "llm.temperature", "0.7").code == 0
    after = path.read_text()
    removed, added = _changed(before, after)
    assert [ln for ln in removed if not ln.lstrip().startswith(("updated:", "mac:"))] == [
        "  temperature: 0.2"
    ]
    assert [ln for ln in added if not ln.lstrip().startswith(("updated:", "mac:"))] == [
        "  temperature: 0.7"
    ]
    assert all(ln.startswith("  ") for ln in removed + added)  # meta lines are inside `lcm:`
    assert len(added) <= 3 and len(removed) <= 3


def test_secret_write_changes_only_that_line_and_meta(repo: Path, cli) -> None:
    path = _seed(repo, cli)
    before = path.read_text()
    old_encs = enc_lines(before)
    assert cli("set", ADDR, "llm.api_key", "sk-test-FAKE-rotated").code == 0
    after = path.read_text()
    removed, added = _changed(before, after)
    # metadata: the write time, the MAC and the secret's rotation time (`rotated`, whose
    # `at` changes when the second has turned since the seed)
    meta = ("updated:", "mac:", "at:")
    body_removed = [ln for ln in removed if not ln.lstrip().startswith(meta)]
    body_added = [ln for ln in added if not ln.lstrip().startswith(meta)]
    assert body_removed == [f"  api_key: {old_encs['api_key']}"]
    assert len(body_added) == 1 and body_added[0].startswith("  api_key: ENC[")
    assert enc_lines(after)["password"] == old_encs["password"]


def test_unchanged_secrets_keep_ciphertext_byte_for_byte(repo: Path, cli) -> None:
    path = _seed(repo, cli)
    assert cli("set", ADDR, "extra.service_token", "tok-FAKE-1").code == 0
    before = enc_lines(path.read_text())
    for i in range(3):
        assert cli("set", ADDR, "llm.model", f"model-{i}").code == 0
    assert cli("set", ADDR, "new.key", "added").code == 0  # structural write too
    assert cli("unset", ADDR, "zeta").code == 0
    after = enc_lines(path.read_text())
    assert after == before


def test_setting_the_same_secret_value_keeps_ciphertext_and_makes_no_commit(
    repo: Path, cli
) -> None:
    from .helpers import commit_count

    assert cli("set", ADDR, "db.password", "same-FAKE").code == 0
    text = cfg(repo, ADDR).read_text()
    n = commit_count(repo)
    assert cli("set", ADDR, "db.password", "same-FAKE").code == 0
    assert cfg(repo, ADDR).read_text() == text
    assert commit_count(repo) == n


def test_comments_and_order_survive_structural_writes(repo: Path, cli) -> None:
    path = _seed(repo, cli)
    assert cli("set", ADDR, "llm.max_tokens", "512").code == 0
    assert cli("set", ADDR, "brand_new.section", "x").code == 0
    assert cli("unset", ADDR, "alpha[1]").code == 0
    text = path.read_text()
    for comment in (
        "# Inference settings for acme (top comment)",
        "# which provider",
        "# trailing comment",
        "# order is not alphabetical",
    ):
        assert comment in text, text
    data = yaml.safe_load(text)
    assert list(data) == ["llm", "zeta", "alpha", "db", "brand_new", "lcm"]
    assert list(data["llm"]) == ["provider", "model", "api_key", "temperature", "max_tokens"]
    assert data["alpha"] == ["one"]


def test_metadata_block_names_the_place_and_is_not_in_the_config(repo: Path, cli) -> None:
    assert cli("set", ADDR, "a", "1").code == 0
    meta = yaml.safe_load(cfg(repo, ADDR).read_text())["lcm"]
    assert (meta["tenant"], meta["env"], meta["name"]) == ("acme", "base", "app")
    assert meta["mac"].startswith("HMAC_SHA256,k:1,")
    assert "lcm" not in lcm.Repo.open(repo).resolve("acme", "base", "app").to_dict()


def test_namespaced_names_are_files_in_folders(repo: Path, cli) -> None:
    assert cli("set", "acme/base/router/models", "primary", "gpt-4o").code == 0
    path = repo / "config/acme/base/router/models.yaml"
    assert path.is_file()
    meta = yaml.safe_load(path.read_text())["lcm"]
    assert meta["name"] == "router/models"
    assert cli("get", "acme/production/router/models", "primary").stdout == "gpt-4o\n"
    # the file path is accepted wherever an address is
    assert cli("get", "config/acme/base/router/models.yaml", "primary").stdout == "gpt-4o\n"


FLOW = """\
# flow styles
limits: {rpm: 600, tags: [a, b], note: plain}
block: |
  literal
  text
folded: >
  folded
  text
quoted: "double"
single: 'single'
"""

TRICKY = [
    "a, b",
    "}{][",
    "x: y",
    "# hash",
    "multi\nline",
    "'quote\"",
    "- dash",
    "",
    "null",
    "true",
    "0x1F",
    "1e3",
    "~",
    "@at",
    "`tick`",
    "%pct",
    "!bang",
    "*star",
    "&amp",
    "  lead",
]


def test_splicing_tricky_strings_into_every_scalar_style(repo: Path, cli) -> None:
    path = cfg(repo, ADDR)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FLOW)
    assert cli("reseal", ADDR).code == 0
    import json

    targets = ["limits.note", "limits.tags[1]", "block", "folded", "quoted", "single"]
    for i, value in enumerate(TRICKY):
        key = targets[i % len(targets)]
        res = cli("set", "--type", "str", "--", ADDR, key, value)
        assert res.code == 0, (key, value, res)
        got = json.loads(cli("get", ADDR, key, "-o", "json").stdout)
        assert got == value, (key, value, got)
    text = path.read_text()
    assert "# flow styles" in text and "limits: {" in text, text
    assert cli("get", ADDR, "--reveal").code == 0


def test_json_output_is_strict_json(repo: Path, cli) -> None:
    """`-o json` is a contract for scripts: no NaN/Infinity tokens."""
    import json

    assert cli("set", "--type", "float", ADDR, "f", ".nan").code == 0
    assert cli("set", "--type", "float", ADDR, "g", ".inf").code == 0
    out = cli("get", ADDR, "-o", "json").stdout

    def reject(token: str) -> None:
        raise ValueError(f"non-standard JSON token {token}")

    json.loads(out, parse_constant=reject)
