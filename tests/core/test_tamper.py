"""Edits made outside lcm are refused with exit 5; values never move between places."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .helpers import assert_one_error_line, cfg, enc_lines

ADDR = "acme/base/app"
API_KEY = "sk-test-FAKE-aaaaaaaaaaaa"
PASSWORD = "pw-FAKE-bbbbbbbbbbbb"


@pytest.fixture
def seeded(repo: Path, cli) -> Path:
    for args in (
        ("set", ADDR, "llm.provider", "openai"),
        ("set", ADDR, "llm.endpoint_url", "https://api.example.invalid/v1"),
        ("set", ADDR, "llm.api_key", API_KEY),
        ("set", ADDR, "db.password", PASSWORD),
        ("set", "acme/production/app", "llm.api_key", "sk-test-FAKE-prod"),
        ("set", "acme/base/other", "llm.api_key", "sk-test-FAKE-other"),
    ):
        res = cli(*args)
        assert res.code == 0, res
    return cfg(repo, ADDR)


def _refused(cli, address: str = ADDR, *, masked_too: bool = True) -> None:
    reveal = cli("get", address, "--reveal")
    assert_one_error_line(reveal, 5)
    for secret in (API_KEY, PASSWORD):
        assert secret not in reveal.stdout + reveal.stderr
    if masked_too:
        assert_one_error_line(cli("get", address), 5)


def _swap_enc(text: str, key: str, new_enc: str) -> str:
    return re.sub(rf"(?m)^(\s*{key}: )ENC\[.*\]$", lambda m: m.group(1) + new_enc, text, count=1)


def test_untampered_file_reads(seeded: Path, cli) -> None:
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == API_KEY + "\n"
    assert cli("get", ADDR).code == 0


def test_flipped_byte_in_ciphertext(seeded: Path, cli) -> None:
    text = seeded.read_text()
    enc = enc_lines(text)["api_key"]
    data = enc.split("data:")[1].split(",")[0]
    flipped = ("B" if data[0] != "B" else "C") + data[1:]
    seeded.write_text(text.replace(f"data:{data},", f"data:{flipped},"))
    _refused(cli)
    # even skipping the MAC, the value itself does not decrypt
    res = cli("get", ADDR, "--reveal", "--ignore-mac")
    assert_one_error_line(res, 5)
    assert "llm.api_key" in res.stderr


def test_flipped_byte_in_tag(seeded: Path, cli) -> None:
    text = seeded.read_text()
    enc = enc_lines(text)["password"]
    tag = enc.split("tag:")[1].split(",")[0]
    bad = ("A" if tag[0] != "A" else "B") + tag[1:]
    seeded.write_text(text.replace(f"tag:{tag},", f"tag:{bad},"))
    _refused(cli)
    assert_one_error_line(cli("get", ADDR, "--reveal", "--ignore-mac"), 5)


def test_ciphertext_moved_to_another_key(seeded: Path, cli) -> None:
    text = seeded.read_text()
    encs = enc_lines(text)
    seeded.write_text(_swap_enc(text, "password", encs["api_key"]))
    _refused(cli)
    res = cli("get", ADDR, "db.password", "--reveal", "--ignore-mac")
    assert_one_error_line(res, 5)
    assert API_KEY not in res.stdout


def test_ciphertexts_swapped_between_keys(seeded: Path, cli) -> None:
    text = seeded.read_text()
    encs = enc_lines(text)
    text = _swap_enc(text, "password", encs["api_key"])
    seeded.write_text(_swap_enc(text, "api_key", encs["password"]))
    _refused(cli)


@pytest.mark.parametrize(
    "source", ["acme/base/other", "acme/production/app"], ids=["other-file", "other-env"]
)
def test_ciphertext_moved_from_another_file_or_env(seeded: Path, repo: Path, cli, source) -> None:
    foreign = enc_lines(cfg(repo, source).read_text())["api_key"]
    seeded.write_text(_swap_enc(seeded.read_text(), "api_key", foreign))
    _refused(cli)
    res = cli("get", ADDR, "llm.api_key", "--reveal", "--ignore-mac")
    assert_one_error_line(res, 5)
    assert "FAKE" not in res.stdout


def test_ciphertext_moved_from_another_tenant(seeded: Path, repo: Path, cli) -> None:
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    assert cli("set", "beta/base/app", "llm.api_key", "sk-test-FAKE-beta").code == 0
    foreign = enc_lines(cfg(repo, "beta/base/app").read_text())["api_key"]
    seeded.write_text(_swap_enc(seeded.read_text(), "api_key", foreign))
    _refused(cli)
    res = cli("get", ADDR, "llm.api_key", "--reveal", "--ignore-mac")
    assert_one_error_line(res, 5)
    assert "sk-test-FAKE-beta" not in res.stdout


@pytest.mark.parametrize(
    "target", ["acme/base/copy", "acme/staging/app"], ids=["other-name", "child-env-same-name"]
)
def test_whole_file_copied_to_another_place(seeded: Path, repo: Path, cli, target) -> None:
    """A byte-identical copy must still be refused: its metadata names another place.

    The child-env case reads base (the original, which verifies) and then the
    copy in staging, which has the same Git blob id as the original."""
    path = cfg(repo, target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(seeded.read_text())
    _refused(cli, target)


def test_changed_plain_value(seeded: Path, cli) -> None:
    text = seeded.read_text()
    seeded.write_text(
        text.replace("https://api.example.invalid/v1", "https://attacker.example.invalid/v1")
    )
    _refused(cli)
    # recovery: --ignore-mac lets a masked read through, and shows the edit
    res = cli("get", ADDR, "--ignore-mac")
    assert res.code == 0, res
    assert "attacker.example.invalid" in res.stdout and API_KEY not in res.stdout


def test_changed_plain_type_only(seeded: Path, cli) -> None:
    """`provider: openai` -> `provider: "openai"` is the same value; 1 -> '1' is not."""
    assert cli("set", ADDR, "retries", "3").code == 0
    text = seeded.read_text()
    seeded.write_text(text.replace("retries: 3", "retries: '3'"))
    _refused(cli)


@pytest.mark.parametrize(
    "line_start",
    ["  provider: ", "  api_key: ", "  password: "],
    ids=["plain-key", "secret-key", "only-key-of-map"],
)
def test_removed_key(seeded: Path, cli, line_start) -> None:
    lines = seeded.read_text().splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith(line_start)]
    assert len(kept) == len(lines) - 1
    if line_start == "  password: ":
        kept = [ln for ln in kept if ln != "db:\n"]
    seeded.write_text("".join(kept))
    _refused(cli)


def test_added_key(seeded: Path, cli) -> None:
    text = seeded.read_text()
    seeded.write_text(text.replace("llm:\n", "llm:\n  base_url: https://evil.example.invalid\n", 1))
    _refused(cli)


def test_removed_metadata_block(seeded: Path, cli) -> None:
    text = seeded.read_text()
    seeded.write_text(text.split("\nlcm:\n")[0] + "\n")
    _refused(cli)


def test_reordered_list_is_detected(repo: Path, cli) -> None:
    assert cli("set", ADDR, "fallbacks", '["a", "b"]', "--type", "yaml").code == 0
    path = cfg(repo, ADDR)
    text = path.read_text()
    path.write_text(text.replace("- a\n- b\n", "- b\n- a\n"))
    assert path.read_text() != text
    assert_one_error_line(cli("get", ADDR), 5)


def test_comment_only_edit_is_accepted(seeded: Path, cli) -> None:
    seeded.write_text("# reviewed by ops\n" + seeded.read_text())
    assert cli("get", ADDR, "--reveal").code == 0


def test_write_refuses_a_tampered_file(seeded: Path, cli, tree_digest, repo: Path) -> None:
    seeded.write_text(seeded.read_text().replace("openai", "evilai"))
    before = tree_digest(repo)
    assert_one_error_line(cli("set", ADDR, "llm.model", "x"), 5)
    assert tree_digest(repo) == before


def test_reseal_accepts_a_reviewed_hand_edit(seeded: Path, cli) -> None:
    seeded.write_text(seeded.read_text().replace("openai", "anthropic"))
    assert cli("get", ADDR).code == 5
    res = cli("reseal", ADDR)
    assert res.code == 0, res
    res = cli("get", ADDR, "--reveal", "-o", "json")
    assert res.code == 0, res
    assert '"anthropic"' in res.stdout and API_KEY in res.stdout


def test_reseal_encrypts_a_plaintext_secret_pasted_by_hand(seeded: Path, cli) -> None:
    seeded.write_text(
        seeded.read_text().replace("llm:\n", "llm:\n  backup_api_key: sk-test-FAKE-pasted\n", 1)
    )
    assert cli("reseal", ADDR).code == 0
    assert "sk-test-FAKE-pasted" not in seeded.read_text()
    assert cli("get", ADDR, "llm.backup_api_key", "--reveal").stdout == "sk-test-FAKE-pasted\n"


def test_masked_read_without_key_warns_but_works(seeded: Path, cli, isolated_env: Path) -> None:
    import shutil

    shutil.rmtree(isolated_env / ".local/share/lcm")
    res = cli("get", ADDR)
    assert res.code == 0, res
    assert "********" in res.stdout and "MAC not verified" in res.stderr


@pytest.mark.parametrize(
    "old,new",
    [(",type:str]", ",type:int]"), ("ENC[AES256_GCM,k:1,", "ENC[AES256_GCM,k:2,")],
    ids=["type-field", "key-version"],
)
def test_edited_enc_header_fields(seeded: Path, cli, old: str, new: str) -> None:
    text = seeded.read_text()
    enc = enc_lines(text)["api_key"]
    assert old in enc
    seeded.write_text(text.replace(enc, enc.replace(old, new)))
    _refused(cli)
    res = cli("get", ADDR, "llm.api_key", "--reveal", "--ignore-mac")
    assert res.code in (4, 5), res
    assert API_KEY not in res.stdout
