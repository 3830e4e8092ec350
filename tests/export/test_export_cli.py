"""`lcm export` as a command: targets and options, audit entries, rotation overlap values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import OTHER_SECRET, SECRET


@pytest.mark.parametrize("args, message", [
    (["--to", "s3://bucket/x"], "unknown target"),
    (["--to", "dotenv"], "unknown target"),
    (["--to", "dotenv:"], "missing the file after dotenv:"),
    ([], "--to TARGET is required"),
    (["--to", "json:-", "--prefix", "X_"], "--prefix does not apply to json targets"),
    (["--to", "dotenv:-", "--prune"], "--prune does not apply to dotenv targets"),
    (["--to", "dotenv:-", "--force"], "--force does not apply to dotenv targets"),
    (["--to", "dotenv:-", "--name", "x"], "--name does not apply to dotenv targets"),
    (["--to", "vault://secret/x", "--namespace", "x"], "--namespace does not apply to vault"),
    (["--to", "dotenv:-", "--prefix", "9X"], "--prefix '9X': must match"),
    (["--to", "json:-", "--dry-run", "-o", "yaml"], "is not one of"),
])
def test_usage_errors_are_exit_2(seeded: Path, cli, args: list[str], message: str,
                                 tree_digest) -> None:
    before = tree_digest(seeded)
    res = cli("export", "acme/production", *args)
    assert res.code == 2, res
    assert message in res.stderr and res.stdout == ""
    assert tree_digest(seeded) == before


@pytest.mark.parametrize("env, message", [
    ("acme", "expected TENANT/ENV"), ("acme/production/inference", "expected TENANT/ENV"),
    ("nobody/production", "unknown tenant 'nobody'"), ("acme/prod", "unknown environment"),
])
def test_bad_sources(seeded: Path, cli, env: str, message: str) -> None:
    res = cli("export", env, "--to", "json:-")
    assert res.code in (2, 3) and message in res.stderr, res


def test_named_files_only(seeded: Path, cli) -> None:
    res = cli("export", "acme/production", "app", "--to", "json:-")
    assert list(json.loads(res.stdout)) == ["app"]
    res = cli("export", "acme/production", "nope", "--to", "json:-")
    assert res.code == 3 and "acme/production/nope: no such config file" in res.stderr


def test_export_is_audited_by_name_never_by_value(seeded: Path, cli) -> None:
    out = seeded / "out.env"
    assert cli("export", "acme/production", "--to", f"dotenv:{out}").code == 0
    assert cli("export", "acme/production", "--to", "json:-").code == 0
    assert cli("export", "acme/production", "--to", f"dotenv:{out}", "--dry-run").code == 0
    log = (seeded / ".lcm/audit/log.jsonl").read_text()
    entries = [json.loads(line) for line in log.splitlines()]
    exports = [e for e in entries if e["op"] == "export"]
    assert len(exports) == 2  # a dry run exposes nothing and is not an export
    dotenv_entry, json_entry = exports
    assert dotenv_entry["address"] == "acme/production" and dotenv_entry["tenant"] == "acme"
    assert "INFERENCE_LLM_API_KEY" in dotenv_entry["keys"]
    assert dotenv_entry["detail"]["target"] == f"dotenv:{out}"
    assert dotenv_entry["detail"]["commit"] == _head(seeded)
    assert dotenv_entry["detail"]["tree_clean"] == "true"
    assert "inference:llm.api_key" in json_entry["keys"]
    assert SECRET not in log and OTHER_SECRET not in log
    assert cli("audit", "verify").code == 0
    shown = cli("audit", "log", "--op", "export").stdout
    assert f"export  acme/production -> dotenv:{out}" in shown


def test_an_unverifiable_file_is_never_exported(seeded: Path, cli) -> None:
    path = seeded / "config/acme/base/app.yaml"
    path.write_text(path.read_text().replace("name: lcm-demo", "name: evil"))
    res = cli("export", "acme/production", "--to", "json:-")
    assert res.code == 5 and res.stdout == "", res
    import os

    key = next((Path(os.environ["XDG_DATA_HOME"]) / "lcm" / "keys").rglob("acme.key"))
    key.unlink()
    res = cli("export", "acme/production", "--to", "json:-")
    assert res.code == 4 and res.stdout == "", res


def _head(root: Path) -> str:
    import pygit2

    return str(pygit2.Repository(str(root)).head.target)
