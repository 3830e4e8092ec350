"""`lcm rotate key`: a new data-key version, every value of the tenant re-encrypted under
it (every env and file, previous values included) with the key file, in one commit."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

import lcm

from core.helpers import assert_one_error_line, commits, trailers
from .conftest import mac_version, plaintext, stored_versions


def _config_texts(root: Path, tenant: str) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text()
            for p in sorted((root / "config" / tenant).rglob("*.yaml"))}


def test_every_value_moves_to_the_new_version_in_one_commit(tenant_repo: Path, cli) -> None:
    before_plain = plaintext(tenant_repo)
    before_acme = _config_texts(tenant_repo, "acme")
    before_beta = _config_texts(tenant_repo, "beta")
    beta_keys = (tenant_repo / ".lcm/keys/beta.yaml").read_text()
    assert {v for t in before_acme.values() for v in stored_versions(t)} == {1}
    assert sum("value: ENC[" in t for t in before_acme.values()) == 2  # previous values
    head = commits(tenant_repo)[0].id

    res = cli("rotate", "key", "acme")
    assert res.code == 0, res
    assert "v2 active, v1 retired; 3 files re-encrypted" in res.stderr

    history = commits(tenant_repo)
    assert history[1].id == head  # exactly one new commit
    message = history[0].message
    assert trailers(message)["Lcm-Op"] == "rotate-key"
    assert set(trailers(message)["Lcm-Paths"].split(", ")) == {
        ".lcm/keys/acme.yaml", *before_acme}
    after_acme = _config_texts(tenant_repo, "acme")
    for rel, text in after_acme.items():
        versions = stored_versions(text)
        assert versions and set(versions) == {2}, rel  # values and previous values
        assert mac_version(text) == 2
        assert len(versions) == len(stored_versions(before_acme[rel]))
    assert plaintext(tenant_repo) == before_plain
    # the previous values moved too and still open
    r = lcm.Repo.open(tenant_repo)
    assert r.previous(r.address("acme/base/inference"), ("llm", "api_key"),
                      reveal=True).value == "sk-test-FAKE-base-0001"
    # other tenants untouched, byte for byte
    assert _config_texts(tenant_repo, "beta") == before_beta
    assert (tenant_repo / ".lcm/keys/beta.yaml").read_text() == beta_keys
    records = yaml.safe_load((tenant_repo / ".lcm/keys/acme.yaml").read_text())["data_keys"]
    assert [(r["version"], r["state"]) for r in records] == [(1, "retired"), (2, "active")]
    assert records[0]["retired"] and records[0]["wrapped"]
    git_status = subprocess.run(["git", "-C", str(tenant_repo), "status", "--porcelain"],
                                capture_output=True, text=True).stdout
    assert git_status == ""


def test_only_ciphertext_lines_and_the_metadata_change(tenant_repo: Path, cli) -> None:
    path = tenant_repo / "config/acme/production/db.yaml"
    before = path.read_text().splitlines()
    assert cli("rotate", "key", "acme").code == 0
    after = path.read_text().splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed and all("ENC[" in b or "updated:" in b or "mac:" in b for _a, b in changed)


def test_rotation_times_are_kept_and_the_key_file_is_the_only_other_change(
        tenant_repo: Path, cli) -> None:
    from .conftest import T0

    text = (tenant_repo / "config/acme/base/inference.yaml").read_text()
    assert f"at: '{T0}'" in text
    assert cli("rotate", "key", "acme").code == 0
    text = (tenant_repo / "config/acme/base/inference.yaml").read_text()
    assert f"at: '{T0}'" in text  # re-encryption is not a new value


def test_rotating_twice_and_progress_through_the_library(tenant_repo: Path) -> None:
    r = lcm.Repo.open(tenant_repo)
    seen: list[tuple[int, int]] = []
    first = r.rotate_key("acme", progress=lambda done, total: seen.append((done, total)))
    assert (first.old_version, first.new_version) == (1, 2)
    assert seen[-1] == (6, 6) and [d for d, _ in seen] == list(range(1, 7))
    second = lcm.Repo.open(tenant_repo).rotate_key("acme")
    assert (second.old_version, second.new_version) == (2, 3)
    texts = _config_texts(tenant_repo, "acme")
    assert {v for t in texts.values() for v in stored_versions(t)} == {3}


def test_no_master_key_is_exit_4_and_changes_nothing(
        tenant_repo: Path, cli, isolated_env: Path, tree_digest) -> None:
    for key in (isolated_env / ".local/share/lcm/keys").rglob("acme.key"):
        key.unlink()
    before = tree_digest(tenant_repo / "config", tenant_repo / ".lcm/keys")
    head = commits(tenant_repo)[0].id
    res = cli("rotate", "key", "acme")
    assert_one_error_line(res, 4)
    assert "'acme'" in res.stderr and "file backend" in res.stderr
    assert tree_digest(tenant_repo / "config", tenant_repo / ".lcm/keys") == before
    assert commits(tenant_repo)[0].id == head


def test_a_tampered_file_stops_the_rotation(tenant_repo: Path, cli, tree_digest) -> None:
    path = tenant_repo / "config/acme/staging/inference.yaml"
    path.write_text(path.read_text().replace("retries: 3", "retries: 9"))
    before = tree_digest(tenant_repo / "config", tenant_repo / ".lcm/keys")
    res = cli("rotate", "key", "acme")
    assert_one_error_line(res, 5)
    assert "staging/inference" in res.stderr
    assert tree_digest(tenant_repo / "config", tenant_repo / ".lcm/keys") == before


def test_unknown_tenant_is_exit_3(tenant_repo: Path, cli) -> None:
    assert_one_error_line(cli("rotate", "key", "nobody"), 3)


def test_audit_names_tenant_files_and_versions_never_values(tenant_repo: Path, cli) -> None:
    assert cli("rotate", "key", "acme").code == 0
    entries = [json.loads(line) for line in
               (tenant_repo / ".lcm/audit/log.jsonl").read_text().splitlines()]
    entry = entries[-1]
    assert entry["op"] == "rotate-key" and entry["tenant"] == "acme"
    assert "acme/production/db" in entry["address"]
    assert entry["keys"] == ["data key v2 active", "data key v1 retired"]
    assert "FAKE" not in json.dumps(entries)


def test_piped_output_has_no_progress_bar(tenant_repo: Path, lcm_exe) -> None:
    res = lcm_exe("rotate", "key", "acme", cwd=tenant_repo)
    assert res.code == 0, res
    assert res.stdout == ""
    assert res.stderr.strip().splitlines() == [
        "acme: data key v2 active, v1 retired; 3 files re-encrypted"]


def test_a_terminal_gets_a_progress_bar(tenant_repo: Path) -> None:
    import os
    import pty
    import select

    from core.helpers import LCM_EXE

    leader, follower = pty.openpty()
    proc = subprocess.Popen([str(LCM_EXE), "rotate", "key", "acme"], cwd=tenant_repo,
                            stdout=subprocess.DEVNULL, stderr=follower,
                            env=dict(os.environ, COLUMNS="100", TERM="xterm"))
    os.close(follower)
    seen = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0
    text = seen.decode(errors="replace")
    assert "re-encrypting acme" in text and "/6" in text, text  # rich: "done/total"
    assert "3 files re-encrypted" in text
