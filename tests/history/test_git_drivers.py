"""Git integration through the real `git` CLI: the textconv (diff, log -p) and the merge driver."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from lcm.history import gitsetup

if TYPE_CHECKING:
    from conftest import LcmRepo

ADDR = "acme/production/svc"
FILE = "config/acme/production/svc.yaml"


def _plain(lcm_repo: LcmRepo) -> dict:
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    return repo.decrypt(repo.address(ADDR))


def test_install_writes_git_config_and_attributes(lcm_repo: LcmRepo) -> None:
    config = lcm_repo.git("config", "--local", "--list").stdout
    assert "diff.lcm.textconv=" in config and "show --masked" in config
    assert re.search(r"merge\.lcm\.driver=.*merge-driver %O %A %B %P", config)
    assert "merge.lcm.name=" in config
    assert gitsetup.ATTRIBUTES_LINE in (lcm_repo.root / ".gitattributes").read_text().splitlines()
    lcm_repo.git("config", "--unset", "diff.lcm.textconv")
    gitsetup.install(lcm_repo.root)
    gitsetup.install(lcm_repo.root)
    assert lcm_repo.git("config", "diff.lcm.textconv").stdout.strip().endswith("show --masked")
    attrs = (lcm_repo.root / ".gitattributes").read_text().splitlines()
    assert attrs.count(gitsetup.ATTRIBUTES_LINE) == 1


def test_git_log_p_and_git_diff_use_the_masked_textconv(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "gpt-4o")
    lcm_repo.set(ADDR, "llm.api_key", "sk-first-secret")
    lcm_repo.set(ADDR, "llm.api_key", "sk-second-secret")
    log = lcm_repo.git("log", "-p", "-2", "--", FILE).stdout
    assert "********" in log and "ENC[" not in log and "sk-" not in log
    assert "mac:" not in log  # the metadata block is left out of the textconv view
    show = lcm_repo.git("show", "HEAD", "--", FILE).stdout
    assert "+  api_key: '******** fp:" in show and "ENC[" not in show
    assert re.search(r"^-  api_key: .*\*{8}", log, re.M) and re.search(
        r"^\+  api_key: .*\*{8}", log, re.M
    )
    from lcm.ops.edits import set_value
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    set_value(repo, repo.address(ADDR), ("llm", "model"), "gpt-5", commit=False)
    diff = lcm_repo.git("diff").stdout
    assert "-  model: gpt-4o" in diff and "+  model: gpt-5" in diff
    assert "ENC[" not in diff and "updated:" not in diff


def _branches(lcm_repo: LcmRepo, ours: dict, theirs: dict) -> None:
    """Branch `feature` gets `theirs`, main gets `ours` (key path -> value)."""
    lcm_repo.git("checkout", "-qb", "feature")
    for key, value in theirs.items():
        lcm_repo.set(ADDR, key, value)
    lcm_repo.git("checkout", "-q", "main")
    for key, value in ours.items():
        lcm_repo.set(ADDR, key, value)


def _base(lcm_repo: LcmRepo) -> None:
    lcm_repo.set(ADDR, "llm.model", "base-model")
    lcm_repo.set(ADDR, "llm.temperature", 0.2)
    lcm_repo.set(ADDR, "llm.api_key", "sk-base-secret")
    lcm_repo.set(ADDR, "llm.fallbacks", ["a", "b"])


def test_merge_of_different_keys_is_clean_and_verifies(lcm_repo: LcmRepo) -> None:
    _base(lcm_repo)
    base_text = lcm_repo.path(ADDR).read_text()
    base_key_line = next(line for line in base_text.splitlines() if "api_key" in line)
    _branches(
        lcm_repo,
        {"llm.model": "ours-model"},
        {"llm.temperature": 0.7, "llm.region": "eu", "llm.api_key": "sk-theirs-secret"},
    )
    res = lcm_repo.git("merge", "--no-edit", "feature", check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert _plain(lcm_repo) == {
        "llm": {
            "model": "ours-model",
            "temperature": 0.7,
            "api_key": "sk-theirs-secret",
            "fallbacks": ["a", "b"],
            "region": "eu",
        }
    }
    text = lcm_repo.path(ADDR).read_text()
    theirs_key_line = next(
        line
        for line in lcm_repo.git("show", f"feature:{FILE}").stdout.splitlines()
        if "api_key" in line
    )
    assert theirs_key_line in text.splitlines() and base_key_line not in text.splitlines()
    assert "sk-" not in text
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    repo.verify(repo.address(ADDR))


def test_merge_keeps_unchanged_ciphertext_byte_for_byte(lcm_repo: LcmRepo) -> None:
    _base(lcm_repo)
    key_line = next(
        line for line in lcm_repo.path(ADDR).read_text().splitlines() if "api_key" in line
    )
    _branches(lcm_repo, {"llm.model": "x"}, {"llm.temperature": 0.9})
    assert lcm_repo.git("merge", "--no-edit", "feature", check=False).returncode == 0
    assert key_line in lcm_repo.path(ADDR).read_text().splitlines()


def test_true_conflict_on_a_plain_value_gets_markers(lcm_repo: LcmRepo) -> None:
    _base(lcm_repo)
    _branches(
        lcm_repo,
        {"llm.model": "ours-model", "llm.region": "us"},
        {"llm.model": "theirs-model", "llm.temperature": 0.5},
    )
    res = lcm_repo.git("merge", "--no-edit", "feature", check=False)
    assert res.returncode != 0
    text = lcm_repo.path(ADDR).read_text()
    assert re.search(
        r"<<<<<<< ours\n  model: ours-model\n=======\n  model: theirs-model\n>>>>>>> theirs", text
    ), text
    assert "temperature: 0.5" in text and "region: us" in text  # the clean parts merged
    assert "sk-" not in text
    assert "UU " + FILE in lcm_repo.git("status", "--porcelain").stdout


def test_true_conflict_on_a_secret_never_writes_plaintext(lcm_repo: LcmRepo) -> None:
    _base(lcm_repo)
    _branches(lcm_repo, {"llm.api_key": "sk-ours-secret"}, {"llm.api_key": "sk-theirs-secret"})
    res = lcm_repo.git("merge", "--no-edit", "feature", check=False)
    assert res.returncode != 0
    assert "sk-" not in res.stdout + res.stderr
    for path in lcm_repo.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"sk-ours-secret" not in data and b"sk-theirs-secret" not in data, path
    text = lcm_repo.path(ADDR).read_text()
    block = re.search(r"<<<<<<< ours.*\n(.*)\n=======\n(.*)\n>>>>>>> theirs", text)
    assert block and "lcm reseal" in block.group(0)
    assert "api_key: ENC[" in block.group(1) and "api_key: ENC[" in block.group(2)
    # resolving by hand: keep theirs, reseal, and the file verifies with their secret
    lines = text.splitlines()
    start, end = (
        lines.index(next(line for line in lines if line.startswith("<<<<<<<"))),
        lines.index(">>>>>>> theirs"),
    )
    kept = lines[start + 3 : end]
    lcm_repo.path(ADDR).write_text("\n".join(lines[:start] + kept + lines[end + 1 :]) + "\n")
    from lcm.ops.edits import reseal
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    reseal(repo, repo.address(ADDR), commit=False)
    assert _plain(lcm_repo)["llm"]["api_key"] == "sk-theirs-secret"


def test_merge_of_list_edits_and_a_file_added_on_both_sides(lcm_repo: LcmRepo) -> None:
    _base(lcm_repo)
    lcm_repo.git("checkout", "-qb", "feature")
    lcm_repo.set(ADDR, "llm.fallbacks[1]", "B")
    lcm_repo.set("acme/production/new", "shared", {"x": 1})
    lcm_repo.git("checkout", "-q", "main")
    lcm_repo.set(ADDR, "llm.fallbacks[0]", "A")
    lcm_repo.set("acme/production/new", "shared", {"y": 2})
    res = lcm_repo.git("merge", "--no-edit", "feature", check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert _plain(lcm_repo)["llm"]["fallbacks"] == ["A", "B"]
    from lcm.repository.repo import Repo

    repo = Repo.open(lcm_repo.root)
    assert repo.decrypt(repo.address("acme/production/new")) == {"shared": {"y": 2, "x": 1}}


@pytest.mark.parametrize("tamper", ["ours", "theirs"])
def test_a_tampered_side_is_left_as_a_conflict(lcm_repo: LcmRepo, tamper: str) -> None:
    _base(lcm_repo)
    lcm_repo.git("checkout", "-qb", "feature")
    lcm_repo.set(ADDR, "llm.temperature", 0.9)
    if tamper == "theirs":
        path = lcm_repo.path(ADDR)
        path.write_text(path.read_text().replace("model: base-model", "model: evil"))
        lcm_repo.git("commit", "-qam", "hand edit")
    lcm_repo.git("checkout", "-q", "main")
    lcm_repo.set(ADDR, "llm.region", "us")
    if tamper == "ours":
        path = lcm_repo.path(ADDR)
        path.write_text(path.read_text().replace("model: base-model", "model: evil"))
        lcm_repo.git("commit", "-qam", "hand edit")
    res = lcm_repo.git("merge", "--no-edit", "feature", check=False)
    assert res.returncode != 0 and "MAC does not verify" in res.stdout + res.stderr


def test_without_the_key_the_merge_is_left_to_a_human(lcm_repo: LcmRepo, hide_keys) -> None:
    _base(lcm_repo)
    _branches(lcm_repo, {"llm.model": "x"}, {"llm.temperature": 0.9})
    ours = lcm_repo.path(ADDR).read_bytes()
    with hide_keys():
        res = lcm_repo.git("merge", "--no-edit", "feature", check=False)
    assert res.returncode != 0 and "cannot merge" in res.stdout + res.stderr
    assert lcm_repo.path(ADDR).read_bytes() == ours


def test_textconv_needs_no_key(lcm_repo: LcmRepo, hide_keys) -> None:
    lcm_repo.set(ADDR, "llm.model", "a")
    lcm_repo.set(ADDR, "llm.api_key", "sk-secret-value")
    with hide_keys():
        res = lcm_repo.git("log", "-p", "-1", "--", FILE)
    assert "+  api_key: '******** fp:" in res.stdout and "sk-" not in res.stdout


def test_init_git_only_installs_the_drivers_in_a_clone(lcm_repo: LcmRepo, tmp_path: Path) -> None:
    lcm_repo.set(ADDR, "llm.model", "a")
    clone = tmp_path / "clone"
    lcm_repo.git("clone", "-q", str(lcm_repo.root), str(clone))
    cloned = type(lcm_repo)(clone)
    assert cloned.git("config", "diff.lcm.textconv", check=False).returncode != 0
    res = cloned.lcm("init", "--git-only")
    assert res.code == 0, res.err
    assert cloned.git("config", "diff.lcm.textconv").stdout.strip().endswith("show --masked")
    assert cloned.git("status", "--porcelain").stdout == ""


def test_conflicting_list_and_delete_vs_modify_are_marked(lcm_repo: LcmRepo) -> None:
    _base(lcm_repo)
    lcm_repo.git("checkout", "-qb", "feature")
    lcm_repo.set(ADDR, "llm.fallbacks", ["a", "b", "theirs"])
    lcm_repo.set(ADDR, "llm.temperature", 0.9)
    lcm_repo.git("checkout", "-q", "main")
    lcm_repo.set(ADDR, "llm.fallbacks", ["ours"])
    lcm_repo.unset(ADDR, "llm.temperature")
    res = lcm_repo.git("merge", "--no-edit", "feature", check=False)
    assert res.returncode != 0
    text = lcm_repo.path(ADDR).read_text()
    ours = "<<<<<<< ours\n  fallbacks:\n  - ours\n"
    theirs = "=======\n  fallbacks:\n  - a\n  - b\n  - theirs\n>>>>>>> theirs"
    assert ours + theirs in text
    assert "<<<<<<< ours\n=======\n  temperature: 0.9\n>>>>>>> theirs" in text
