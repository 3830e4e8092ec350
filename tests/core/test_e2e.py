"""The issue's user flow, end to end, through the installed `lcm` executable."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from .helpers import LCM_EXE, commits, trailers

FAKE_OPENAI_KEY = "sk-test-FAKE-e2e-000000000000"


def test_new_user_flow(tmp_path: Path, lcm_exe, isolated_env: Path) -> None:
    res = lcm_exe("init", "cfg", cwd=tmp_path)
    assert res.code == 0, res
    root = tmp_path / "cfg"
    steps = [
        (["tenant", "add", "acme", "--backend", "file"], None),
        (["set", "acme/base/inference", "llm.provider", "openai"], None),
        (
            ["set", "acme/base/inference", "llm.api_key", "--value-stdin", "--secret"],
            FAKE_OPENAI_KEY + "\n",
        ),
        (["set", "acme/production/inference", "llm.temperature", "0.7"], None),
    ]
    for args, stdin in steps:
        res = lcm_exe(*args, cwd=root, input=stdin)
        assert res.code == 0, (args, res)
        assert res.stdout == "", (args, res.stdout)  # diagnostics go to stderr

    masked = lcm_exe("get", "acme/production/inference", cwd=root)
    assert masked.code == 0, masked
    assert yaml.safe_load(masked.stdout) == {
        "llm": {"provider": "openai", "api_key": "********", "temperature": 0.7}
    }

    revealed = lcm_exe("get", "acme/production/inference", "--reveal", "-o", "json", cwd=root)
    assert json.loads(revealed.stdout) == {
        "llm": {"provider": "openai", "api_key": FAKE_OPENAI_KEY, "temperature": 0.7}
    }

    explain = lcm_exe("get", "acme/production/inference", "--explain", cwd=root)
    lines = {ln.split()[0]: ln for ln in explain.stdout.splitlines()}
    assert "# base  config/acme/base/inference.yaml:" in lines["llm.provider"]
    assert "# production  config/acme/production/inference.yaml:" in lines["llm.temperature"]
    assert FAKE_OPENAI_KEY not in explain.stdout

    scripted = subprocess.run(
        f'key="$("{LCM_EXE}" get acme/production/inference llm.api_key --reveal)";'
        ' printf "[%s]" "$key"',
        shell=True,
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert scripted.stdout == f"[{FAKE_OPENAI_KEY}]"

    # nothing secret in the repo or its history
    stored = (root / "config/acme/base/inference.yaml").read_text()
    assert FAKE_OPENAI_KEY not in stored and "ENC[AES256_GCM," in stored
    log = subprocess.run(
        ["git", "-C", str(root), "log", "-p"], capture_output=True, text=True
    ).stdout
    assert FAKE_OPENAI_KEY not in log
    ops = [trailers(c.message).get("Lcm-Op") for c in commits(root)]
    assert ops == ["set", "set", "set", "tenant-add", "init"]
    status = subprocess.run(
        ["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status == ""

    # plaintext never written to disk: not in any file, nor in any Git object
    for path in [*tmp_path.rglob("*"), *isolated_env.rglob("*")]:
        if path.is_file():
            assert FAKE_OPENAI_KEY.encode() not in path.read_bytes(), path
    objects = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch-all-objects", "--batch"], capture_output=True
    ).stdout
    assert b"ENC[AES256_GCM," in objects and FAKE_OPENAI_KEY.encode() not in objects

    # a teammate with a fresh key store gets in with export | import
    teammate = tmp_path / "teammate-data"
    teammate.mkdir()
    line = lcm_exe("key", "export", "acme", cwd=root).stdout
    denied = lcm_exe(
        "get",
        "acme/production/inference",
        "--reveal",
        cwd=root,
        env={"XDG_DATA_HOME": str(teammate)},
    )
    assert denied.code == 4
    assert (
        lcm_exe(
            "key", "import", "acme", cwd=root, input=line, env={"XDG_DATA_HOME": str(teammate)}
        ).code
        == 0
    )
    again = lcm_exe(
        "get",
        "acme/production/inference",
        "llm.api_key",
        "--reveal",
        cwd=root,
        env={"XDG_DATA_HOME": str(teammate)},
    )
    assert again.stdout == FAKE_OPENAI_KEY + "\n"


def test_repo_option_and_env_var(tmp_path: Path, lcm_exe) -> None:
    root = tmp_path / "cfg"
    assert lcm_exe("init", str(root)).code == 0
    assert lcm_exe("-C", str(root), "tenant", "add", "acme", "--backend", "file").code == 0
    assert lcm_exe("-C", str(root), "set", "acme/base/app", "a", "1", cwd=tmp_path).code == 0
    res = lcm_exe("get", "acme/base/app", "a", cwd=tmp_path, env={"LCM_REPO": str(root)})
    assert res.stdout == "1\n"
    res = lcm_exe("get", "acme/base/app", "a", cwd=root / "config")  # found upward
    assert res.stdout == "1\n"


def test_help_and_no_args(lcm_exe) -> None:
    res = lcm_exe("--help")
    assert res.code == 0
    for command in ("init", "tenant", "set", "get", "unset", "edit", "show", "reseal", "key"):
        assert command in res.stdout
    assert lcm_exe().code in (0, 2)


def test_fresh_clone_reads_and_writes(tmp_path: Path, lcm_exe) -> None:
    root = tmp_path / "cfg"
    assert lcm_exe("init", str(root)).code == 0
    assert lcm_exe("tenant", "add", "acme", "--backend", "file", cwd=root).code == 0
    assert lcm_exe("set", "acme/base/app", "api_key", "sk-test-FAKE-clone", cwd=root).code == 0
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(root), str(clone)], check=True)
    got = lcm_exe("get", "acme/base/app", "api_key", "--reveal", cwd=clone)
    assert got.stdout == "sk-test-FAKE-clone\n", got
    res = lcm_exe("set", "acme/production/app", "model", "gpt-4o", cwd=clone)
    assert res.code == 0, res
    log = subprocess.run(
        ["git", "-C", str(clone), "log", "-1", "--format=%B"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Lcm-Op: set" in log
    status = subprocess.run(
        ["git", "-C", str(clone), "status", "--porcelain"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert status == ""
