"""Plain values changed without the tenant's key (`--unsealed`): a hand edit made through
lcm. The MAC stays as it was, the metadata names the keys, reads with the key stop at the
file (exit 5) and `validate` reports it until a keyholder reseals; anything about a secret
is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .helpers import assert_one_error_line, cfg, commits, trailers

ADDR = "acme/production/app"
API_KEY = "sk-test-FAKE-unsealed-0001"
SCHEMA = {
    "type": "object",
    "properties": {"llm": {"type": "object", "properties": {"temperature": {"type": "number"}}}},
}


@pytest.fixture
def seeded(repo: Path, cli) -> Path:
    for args in (("set", "acme/base/app", "llm.model", "gpt-4o"),
                 ("set", "acme/base/app", "llm.api_key", API_KEY),
                 ("set", ADDR, "llm.model", "gpt-4o-mini"),
                 ("set", ADDR, "llm.temperature", "0.2"),
                 ("set", ADDR, "llm.api_key", API_KEY + "-prod")):
        res = cli(*args)
        assert res.code == 0, res
    return repo


@pytest.fixture
def keys_away(seeded: Path, isolated_env: Path):
    """Take the tenant's keys away; calling the result brings them back."""
    keys = isolated_env / ".local/share/lcm/keys"
    kept = isolated_env / "keys-kept"
    shutil.move(keys, kept)

    def back() -> None:
        shutil.move(kept, keys)

    return back


def _meta(root: Path, address: str) -> dict:
    import yaml

    return yaml.safe_load(cfg(root, address).read_text())["lcm"]


def test_a_plain_value_without_the_key_is_refused_unless_asked(seeded: Path, cli, keys_away) -> None:
    before = cfg(seeded, ADDR).read_text()
    res = cli("set", ADDR, "llm.model", "gpt-5")
    assert_one_error_line(res, 4)
    assert cfg(seeded, ADDR).read_text() == before


def test_unsealed_write_keeps_mac_and_ciphertexts_and_is_reported_until_resealed(
        seeded: Path, cli, keys_away) -> None:
    path = cfg(seeded, ADDR)
    before = path.read_text()
    head = len(commits(seeded))
    res = cli("set", ADDR, "llm.model", "gpt-5", "--unsealed")
    assert res.code == 0, res
    assert "written unsealed" in res.stderr and f"lcm reseal {ADDR}" in res.stderr
    after = path.read_text()
    for line in before.splitlines():  # only the value changed; the MAC and ciphertexts stay
        if "mac:" in line or "ENC[" in line:
            assert line in after.splitlines()
    assert "model: gpt-5" in after
    assert _meta(seeded, ADDR)["unsealed"]["keys"] == ["llm.model"]
    assert len(commits(seeded)) == head + 1
    assert trailers(commits(seeded)[0].message)["Lcm-Unsealed"] == ADDR

    # a second one before the reseal: both keys named
    assert cli("unset", ADDR, "llm.temperature", "--unsealed").code == 0
    assert _meta(seeded, ADDR)["unsealed"]["keys"] == ["llm.model", "llm.temperature"]

    # keyless readers see the new values; validate reports the pending reseal
    got = cli("get", ADDR, "llm.model")
    assert got.code == 0 and got.stdout == "gpt-5\n"
    report = cli("validate", "-o", "json")
    assert report.code == 1
    findings = json.loads(report.stdout)["findings"]
    assert [f["keyword"] for f in findings] == ["unsealed"]
    assert f"lcm reseal {ADDR}" in findings[0]["message"]

    keys_away()  # the keyholder
    res = cli("get", ADDR)
    assert_one_error_line(res, 5)
    assert "unsealed edit of llm.model, llm.temperature" in res.stderr
    assert f"lcm reseal {ADDR}" in res.stderr
    assert API_KEY not in res.stdout + res.stderr
    keyed = json.loads(cli("validate", "-o", "json").stdout)["findings"]
    assert [f["keyword"] for f in keyed] == ["unsealed"]  # one finding, not a MAC one too
    assert_one_error_line(cli("set", ADDR, "llm.model", "gpt-6"), 5)  # review first

    assert cli("reseal", ADDR).code == 0
    assert "unsealed" not in _meta(seeded, ADDR)
    assert cli("validate").code == 0
    assert cli("get", ADDR, "llm.model").stdout == "gpt-5\n"
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == API_KEY + "-prod\n"


@pytest.mark.parametrize("args", [
    ("set", ADDR, "llm.api_key", "sk-test-FAKE-x"),            # a secret by the manifest's globs
    ("set", ADDR, "llm.note", "plain", "--secret"),            # asked to be secret
    ("set", ADDR, "llm", '{"model": "m"}', "--type", "yaml"),  # over an encrypted value
    ("set", ADDR, "llm.api_key.inner", "x"),                   # under one
    ("unset", ADDR, "llm.api_key"),                            # removing one
    ("unset", ADDR, "llm"),                                    # removing a map holding one
    ("set", "acme/staging/app", "llm.model", "m"),             # a new file (no metadata yet)
])
def test_anything_about_a_secret_or_a_new_file_is_refused(seeded: Path, cli, keys_away,
                                                          args: tuple[str, ...]) -> None:
    before = {p: p.read_text() for p in (seeded / "config").rglob("*.yaml")}
    head = len(commits(seeded))
    res = cli(*args, "--unsealed")
    assert_one_error_line(res, 4)
    assert {p: p.read_text() for p in (seeded / "config").rglob("*.yaml")} == before
    assert len(commits(seeded)) == head


def _map_schema(root: Path, schema: dict) -> None:
    """Map `config/*/*/app.yaml` to `schema` (a file in the repository)."""
    (root / "app.schema.json").write_text(json.dumps(schema))
    manifest = root / ".lcm.yaml"
    text = manifest.read_text().replace(
        "schemas:\n", 'schemas:\n  - files: "*/*/app.yaml"\n    schema: app.schema.json\n', 1)
    manifest.write_text(text)


def test_a_secret_named_by_the_schema_is_refused(seeded: Path, cli, keys_away) -> None:
    _map_schema(seeded, {"type": "object", "properties": {"llm": {"type": "object", "properties": {
        "credential_ref": {"type": "string", "x-lcm-secret": True}}}}})
    res = cli("set", ADDR, "llm.credential_ref", "plain-ref-value", "--unsealed")
    assert_one_error_line(res, 4)
    assert "plain-ref-value" not in cfg(seeded, ADDR).read_text()
    assert cli("set", ADDR, "llm.other_ref", "fine", "--unsealed").code == 0


def test_the_gate_still_refuses_an_invalid_value(seeded: Path, cli, keys_away) -> None:
    _map_schema(seeded, SCHEMA)
    before = cfg(seeded, ADDR).read_text()
    res = cli("set", ADDR, "llm.temperature", "hot", "--unsealed")
    assert res.code == 1, res
    assert cfg(seeded, ADDR).read_text() == before


def test_with_the_key_the_flag_changes_nothing(seeded: Path, cli) -> None:
    assert cli("set", ADDR, "llm.model", "gpt-5", "--unsealed").code == 0
    assert "unsealed" not in _meta(seeded, ADDR)
    assert "Lcm-Unsealed" not in commits(seeded)[0].message
    assert cli("validate").code == 0


def test_a_wrong_key_is_never_a_reason_to_write_unsealed(seeded: Path, cli, isolated_env: Path,
                                                         tmp_path: Path) -> None:
    from tests.conftest import make_repo

    import lcm

    other = make_repo(tmp_path / "other")  # its own acme key, written where ours was
    keys = isolated_env / ".local/share/lcm/keys"
    ours = keys / lcm.Repo.open(seeded).manifest.repo_id / "acme.key"
    theirs = keys / lcm.Repo.open(other).manifest.repo_id / "acme.key"
    ours.write_bytes(theirs.read_bytes())
    before = cfg(seeded, ADDR).read_text()
    res = cli("set", ADDR, "llm.model", "gpt-5", "--unsealed")
    assert_one_error_line(res, 4)
    assert cfg(seeded, ADDR).read_text() == before


def test_the_keyholder_reviews_the_change_with_lcm_diff(seeded: Path, cli, keys_away) -> None:
    assert cli("set", ADDR, "llm.model", "gpt-5", "--unsealed").code == 0
    keys_away()
    res = cli("diff", "HEAD~1", "HEAD")
    assert res.code == 1, res  # differences, as git diff --exit-code
    assert '~ llm.model: "gpt-4o-mini" -> "gpt-5"' in res.stdout
    warning = [line for line in res.stderr.splitlines() if "unsealed edit" in line]
    assert len(warning) == 1 and warning[0].count("config/acme/production/app.yaml") == 1
    assert API_KEY not in res.stdout + res.stderr


def test_a_forged_unsealed_entry_is_still_an_integrity_error_in_one_bounded_line(
        seeded: Path, cli) -> None:
    """Anyone can write the entry by hand: the MAC still fails, and what the entry says is
    cut short and kept on one line."""
    path = cfg(seeded, ADDR)
    keys = "".join(f"\n    - 'k{i}\\n{'x' * 300}'" for i in range(50))
    path.write_text(path.read_text().replace("model: gpt-4o-mini", "model: evil")
                    + f"  unsealed:\n    at: {{nested: map}}\n    keys:{keys}\n")
    res = cli("get", ADDR)
    assert_one_error_line(res, 5)
    assert "unsealed edit of k0" in res.stderr and "and 40 more" in res.stderr
    assert len(res.stderr) < 2000 and "{'nested'" not in res.stderr
