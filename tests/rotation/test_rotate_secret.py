"""`lcm rotate secret` and `lcm get --previous`: a new value, the previous one kept
(encrypted, MAC-covered) for the overlap window, refused after it; time is injected."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import yaml

from core.helpers import assert_one_error_line, commits, trailers

ADDR = "acme/base/inference"


def _meta(root: Path, address: str = ADDR) -> dict:
    return yaml.safe_load((root / "config" / f"{address}.yaml").read_text())["lcm"]


def test_previous_is_readable_inside_the_window_and_refused_after(
        tenant_repo: Path, cli, clock) -> None:
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == "sk-test-FAKE-base-0010\n"
    clock.set("2026-01-07T23:59:59Z")  # the api_key policy overlap is 7d
    res = cli("get", ADDR, "llm.api_key", "--previous", "--reveal")
    assert res.code == 0, res
    assert res.stdout == "sk-test-FAKE-base-0001\n"
    masked = cli("get", ADDR, "llm.api_key", "--previous")
    assert masked.stdout == "********\n"
    clock.set("2026-01-08T00:00:00Z")
    res = cli("get", ADDR, "llm.api_key", "--previous", "--reveal")
    assert_one_error_line(res, 3)
    assert "expired at 2026-01-08T00:00:00Z" in res.stderr and "FAKE" not in res.stderr
    assert res.stdout == ""
    # the current value is unchanged by all of this
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == "sk-test-FAKE-base-0010\n"


def test_previous_through_an_inheriting_env(tenant_repo: Path, cli) -> None:
    res = cli("get", "acme/development/inference", "llm.api_key", "--previous", "--reveal")
    assert res.code == 0, res
    assert res.stdout == "sk-test-FAKE-base-0001\n"
    # staging has its own value, never rotated
    res = cli("get", "acme/staging/inference", "llm.api_key", "--previous", "--reveal")
    assert_one_error_line(res, 3)
    assert "no previous value" in res.stderr


def test_previous_and_rotation_time_live_in_the_mac_covered_metadata(
        tenant_repo: Path, cli, clock) -> None:
    meta = _meta(tenant_repo)
    assert meta["rotated"][0] == {"key": "llm.api_key", "at": "2026-01-01T00:00:00Z"}
    (previous,) = meta["previous"]
    assert previous["key"] == "llm.api_key" and previous["until"] == "2026-01-08T00:00:00Z"
    assert previous["value"].startswith("ENC[AES256_GCM,k:1,")
    path = tenant_repo / "config" / f"{ADDR}.yaml"
    text = path.read_text()
    assert "FAKE" not in text
    # moving the window by hand breaks the MAC: the reveal refuses (exit 5)
    path.write_text(text.replace("until: '2026-01-08T00:00:00Z'", "until: '2027-01-08T00:00:00Z'"))
    clock.set("2026-02-01T00:00:00Z")
    assert_one_error_line(cli("get", ADDR, "llm.api_key", "--previous", "--reveal"), 5)
    path.write_text(text.replace("at: '2026-01-01T00:00:00Z'", "at: '2026-06-01T00:00:00Z'"))
    assert_one_error_line(cli("get", ADDR, "llm.api_key", "--reveal"), 5)


def test_a_previous_value_cannot_be_swapped_into_another_place(tenant_repo: Path, cli) -> None:
    """The previous value's ciphertext is bound to its secret: pasted as a current value
    (even with a recomputed layout), it does not decrypt."""
    path = tenant_repo / "config" / f"{ADDR}.yaml"
    text = path.read_text()
    previous = re.search(r"value: (ENC\[[^\]]*\])", text).group(1)
    current = re.search(r"  api_key: (ENC\[[^\]]*\])", text).group(1)
    path.write_text(text.replace(current, previous, 1))
    res = cli("reseal", ADDR)  # accept the "hand edit": decrypting it must still fail
    assert res.code == 5, res


def test_generate_mints_a_value_of_the_asked_shape_and_commits_once(
        tenant_repo: Path, cli) -> None:
    head = commits(tenant_repo)[0].id
    res = cli("rotate", "secret", "acme/staging/inference", "llm.api_key",
              "--generate", "base62:48")
    assert res.code == 0, res
    assert "previous value valid until 2026-01-08T00:00:00Z" in res.stderr
    value = cli("get", "acme/staging/inference", "llm.api_key", "--reveal").stdout.strip()
    assert len(value) == 48 and set(value) <= set(string.ascii_letters + string.digits)
    assert value not in res.stdout + res.stderr
    previous = cli("get", "acme/staging/inference", "llm.api_key", "--previous", "--reveal")
    assert previous.stdout == "sk-test-FAKE-staging-0004\n"
    history = commits(tenant_repo)
    assert history[1].id == head  # one commit
    assert trailers(history[0].message)["Lcm-Op"] == "rotate-secret"


def test_overlap_flag_and_no_policy_means_no_previous(tenant_repo: Path, cli) -> None:
    res = cli("rotate", "secret", "acme/production/db", "tokens[0]", "--value-stdin",
              input="tok-test-FAKE-0012\n")
    assert res.code == 0, res
    assert "no previous value kept" in res.stderr  # no policy matches tokens[0]
    res = cli("rotate", "secret", "acme/production/db", "tokens[1]", "--value-stdin",
              "--overlap", "36h", input="tok-test-FAKE-0013")
    assert res.code == 0, res
    assert "until 2026-01-02T12:00:00Z" in res.stderr
    previous = {e["key"]: e["until"] for e in _meta(tenant_repo, "acme/production/db")["previous"]}
    assert previous == {"db.password": "2026-01-02T00:00:00Z", "tokens[1]": "2026-01-02T12:00:00Z"}
    assert cli("get", "acme/production/db", "tokens", "-o", "json", "--reveal").stdout \
        .count("FAKE-001") == 2


def test_overlap_zero_drops_an_earlier_previous(tenant_repo: Path, cli) -> None:
    res = cli("rotate", "secret", ADDR, "llm.api_key", "--value-stdin", "--overlap", "0s",
              input="sk-test-FAKE-base-0014")
    assert res.code == 0, res
    assert "previous" not in _meta(tenant_repo)


def test_refusals_change_nothing(tenant_repo: Path, cli, tree_digest) -> None:
    before = tree_digest(tenant_repo / "config")
    cases = [
        (("rotate", "secret", ADDR, "llm.api_key"), None, 2),  # neither source
        (("rotate", "secret", ADDR, "llm.api_key", "--value-stdin", "--generate", "hex:32"),
         "x", 2),
        (("rotate", "secret", ADDR, "llm.api_key", "--generate", "base99:10"), None, 2),
        (("rotate", "secret", ADDR, "llm.api_key", "--generate", "hex:4"), None, 2),
        (("rotate", "secret", ADDR, "llm.api_key", "--value-stdin", "--overlap", "7 days"),
         "sk-test-FAKE-x", 2),
        (("rotate", "secret", ADDR, "llm.api_key", "--value-stdin"), "", 2),
        (("rotate", "secret", ADDR, "llm.api_key", "--value-stdin"),
         "sk-test-FAKE-base-0010", 2),  # the current value again
        (("rotate", "secret", ADDR, "llm.model", "--value-stdin"), "gpt-5", 3),  # not a secret
        (("rotate", "secret", ADDR, "llm.nothing", "--value-stdin"), "x", 3),
        (("rotate", "secret", "acme/base/nowhere", "llm.api_key", "--value-stdin"), "x", 3),
        (("rotate", "secret", "nobody/base/inference", "llm.api_key", "--value-stdin"), "x", 3),
        (("get", ADDR, "--previous"), None, 2),
        (("get", ADDR, "llm.model", "--previous"), None, 3),
    ]
    for args, stdin, code in cases:
        res = cli(*args, input=stdin)
        assert_one_error_line(res, code)
        assert "FAKE" not in res.stderr, args
    assert tree_digest(tenant_repo / "config") == before


def test_audit_entries_name_keys_never_values(tenant_repo: Path, cli) -> None:
    assert cli("get", ADDR, "llm.api_key", "--previous", "--reveal").code == 0
    entries = [json.loads(line) for line in
               (tenant_repo / ".lcm/audit/log.jsonl").read_text().splitlines()]
    rotations = [e for e in entries if e["op"] == "rotate-secret"]
    assert [(e["address"], e["keys"]) for e in rotations] == [
        (ADDR, ["llm.api_key", "data key v1"]),
        ("acme/production/db", ["db.password", "data key v1"])]
    assert entries[-1]["op"] == "reveal" and entries[-1]["keys"] == ["llm.api_key (previous)"]
    assert "FAKE" not in json.dumps(entries)


def test_an_inherited_secret_is_rotated_where_it_is_stored(tenant_repo: Path, cli) -> None:
    for address, key in (("acme/development/inference", "llm.api_key"),  # no file at all
                         ("acme/staging/inference", "llm.fallbacks[0].api_key")):
        res = cli("rotate", "secret", address, key, "--generate", "hex:32")
        assert_one_error_line(res, 3)
        assert "it comes from acme/base/inference: rotate it there" in res.stderr


def test_rotation_metadata_does_not_look_like_a_leaked_secret(tenant_repo: Path, lcm_exe) -> None:
    """`lcm scan` (and any line-based scanner) sees no `api_key: <value>` in the metadata."""
    res = lcm_exe("scan", "config", cwd=tenant_repo)
    assert res.code == 0, res
    text = (tenant_repo / "config" / f"{ADDR}.yaml").read_text()
    meta = text[text.index("\nlcm:"):]
    assert not re.search(r"(api_key|password)\s*:", meta), meta
