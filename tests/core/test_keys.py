"""Master keys: file store, env override, export/import, wrong/missing keys, isolation."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from .helpers import LCM_EXE, assert_error, assert_one_error_line, cfg

ADDR = "acme/base/app"
SECRET = "sk-test-FAKE-keys-0001"


def _repo_id(root: Path) -> str:
    return yaml.safe_load((root / ".lcm.yaml").read_text())["repo_id"]


def _key_file(home: Path, root: Path, tenant: str = "acme") -> Path:
    return home / ".local/share/lcm/keys" / _repo_id(root) / f"{tenant}.key"


@pytest.fixture
def seeded(repo: Path, cli) -> Path:
    assert cli("set", ADDR, "llm.api_key", SECRET).code == 0
    assert cli("set", ADDR, "llm.model", "gpt-4o").code == 0
    return repo


def test_file_key_is_private_and_where_design_says(seeded: Path, isolated_env: Path) -> None:
    path = _key_file(isolated_env, seeded)
    assert path.is_file()
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o077 == 0
    assert len(base64.b64decode(path.read_text().strip())) == 32
    # the master key never enters the repo
    raw = path.read_text().strip()
    for file in seeded.rglob("*"):
        if file.is_file() and ".git" not in file.parts:
            assert raw not in file.read_text(errors="replace")


def test_data_key_file_is_committed_and_wrapped(seeded: Path) -> None:
    data = yaml.safe_load((seeded / ".lcm/keys/acme.yaml").read_text())
    assert data["tenant"] == "acme" and data["master"]["backend"] == "file"
    (record,) = data["data_keys"]
    assert record["version"] == 1 and record["state"] == "active"
    assert len(base64.b64decode(record["wrapped"])) == 12 + 32 + 16


def test_open_key_file_is_refused(seeded: Path, cli, isolated_env: Path) -> None:
    path = _key_file(isolated_env, seeded)
    path.chmod(0o644)
    res = cli("get", ADDR, "--reveal")
    assert_error(res, 4)
    assert str(path) in res.stderr and "600" in res.stderr
    assert SECRET not in res.stdout


@pytest.mark.parametrize("damage", ["wrong", "missing"])
def test_key_error_on_reveal_is_exactly_one_line(
    seeded: Path, cli, isolated_env: Path, damage
) -> None:
    """No 'MAC not verified ... secrets stay masked' warning before a key error
    that stops a --reveal: stderr is the one error line."""
    path = _key_file(isolated_env, seeded)
    if damage == "wrong":
        path.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    else:
        path.unlink()
    assert_one_error_line(cli("get", ADDR, "--reveal"), 4)


def test_wrong_master_key(seeded: Path, cli, isolated_env: Path) -> None:
    path = _key_file(isolated_env, seeded)
    path.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    res = cli("get", ADDR, "--reveal")
    assert_error(res, 4)
    assert "'acme'" in res.stderr and "file backend" in res.stderr
    assert SECRET not in res.stdout
    # a write fails the same way and changes nothing
    assert_error(cli("set", ADDR, "llm.model", "other"), 4)
    assert "other" not in cfg(seeded, ADDR).read_text()


def test_missing_key_file(seeded: Path, cli, isolated_env: Path) -> None:
    _key_file(isolated_env, seeded).unlink()
    res = cli("get", ADDR, "--reveal")
    assert_error(res, 4)
    assert "'acme'" in res.stderr and "file" in res.stderr and "lcm key import acme" in res.stderr
    assert_error(cli("set", ADDR, "llm.api_key", "new-FAKE"), 4)


def test_damaged_key_file(seeded: Path, cli, isolated_env: Path) -> None:
    _key_file(isolated_env, seeded).write_text("not base64 at all!!\n")
    assert_error(cli("get", ADDR, "--reveal"), 4)


def test_env_override_for_reads(seeded: Path, cli, isolated_env: Path, monkeypatch) -> None:
    path = _key_file(isolated_env, seeded)
    key = path.read_text().strip()
    path.unlink()
    assert cli("get", ADDR, "--reveal").code == 4
    monkeypatch.setenv("LCM_KEY_ACME", key)
    res = cli("get", ADDR, "llm.api_key", "--reveal")
    assert res.code == 0, res
    assert res.stdout == SECRET + "\n"
    monkeypatch.setenv("LCM_KEY_ACME", base64.b64encode(os.urandom(32)).decode())
    res = cli("get", ADDR, "--reveal")
    assert_error(res, 4)
    assert "LCM_KEY_ACME" in res.stderr and "'acme'" in res.stderr


def test_env_backend_tenant(repo: Path, cli, monkeypatch) -> None:
    monkeypatch.setenv("LCM_KEY_CI_BOT", base64.b64encode(os.urandom(32)).decode())
    res = cli("tenant", "add", "ci-bot", "--backend", "env")
    assert res.code == 0, res
    assert cli("set", "ci-bot/base/app", "token", "tok-FAKE-ci").code == 0
    assert cli("get", "ci-bot/base/app", "token", "--reveal").stdout == "tok-FAKE-ci\n"
    monkeypatch.delenv("LCM_KEY_CI_BOT")
    assert_error(cli("get", "ci-bot/base/app", "--reveal"), 4)


def test_env_backend_without_variable_is_a_usage_error(repo: Path, cli, tree_digest) -> None:
    before = tree_digest(repo)
    res = cli("tenant", "add", "ci-bot", "--backend", "env")
    assert_error(res, 2)
    assert "LCM_KEY_CI_BOT" in res.stderr
    assert tree_digest(repo) == before


def _pipe(
    export_env: dict,
    import_env: dict,
    export_cwd: Path,
    import_cwd: Path,
    tenant_out: str = "acme",
    tenant_in: str = "acme",
) -> subprocess.CompletedProcess:
    """`lcm key export T | lcm key import T` with the installed executable."""
    exporter = subprocess.Popen(
        [str(LCM_EXE), "key", "export", tenant_out],
        cwd=export_cwd,
        env=export_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    importer = subprocess.run(
        [str(LCM_EXE), "key", "import", tenant_in],
        cwd=import_cwd,
        env=import_env,
        stdin=exporter.stdout,
        capture_output=True,
        text=True,
        timeout=60,
    )
    exporter.stdout.close()  # type: ignore[union-attr]
    assert exporter.wait(timeout=60) == 0, exporter.stderr.read()  # type: ignore[union-attr]
    return importer


def test_export_import_round_trip_into_fresh_store(seeded: Path, tmp_path: Path) -> None:
    here = dict(os.environ)
    teammate = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "teammate-data"))
    (tmp_path / "teammate-data").mkdir()
    before = subprocess.run(
        [str(LCM_EXE), "get", ADDR, "--reveal"],
        cwd=seeded,
        env=teammate,
        capture_output=True,
        text=True,
    )
    assert before.returncode == 4, before
    res = _pipe(here, teammate, seeded, seeded)
    assert res.returncode == 0, res.stderr
    assert "acme" in res.stderr and res.stdout == ""
    after = subprocess.run(
        [str(LCM_EXE), "get", ADDR, "llm.api_key", "--reveal"],
        cwd=seeded,
        env=teammate,
        capture_output=True,
        text=True,
    )
    assert after.returncode == 0, after.stderr
    assert after.stdout == SECRET + "\n"
    imported = tmp_path / "teammate-data/lcm/keys" / _repo_id(seeded) / "acme.key"
    assert imported.stat().st_mode & 0o777 == 0o600


def test_export_is_one_armored_line(seeded: Path, cli) -> None:
    res = cli("key", "export", "acme")
    assert res.code == 0, res
    lines = res.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lcm-key-v1:acme:")


def test_import_refuses_a_key_for_another_tenant(seeded: Path, cli, tmp_path: Path) -> None:
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    line = cli("key", "export", "beta").stdout
    res = cli("key", "import", "acme", input=line)
    assert_error(res, 4)
    assert "'beta'" in res.stderr


def test_import_refuses_a_key_from_another_repo(
    seeded: Path, cli, tmp_path: Path, monkeypatch, make_repo
) -> None:
    other = make_repo(tmp_path / "other")
    monkeypatch.chdir(other)
    line = cli("key", "export", "acme").stdout
    assert line.startswith("lcm-key-v1:acme:")
    monkeypatch.chdir(seeded)
    res = cli("key", "import", "acme", input=line)
    assert_error(res, 4)
    assert cli("get", ADDR, "--reveal").code == 0  # the stored key was not replaced


def test_import_refuses_damaged_or_missing_input(seeded: Path, cli) -> None:
    line = cli("key", "export", "acme").stdout.strip()
    assert_error(cli("key", "import", "acme", input=line[:-3] + "\n"), 4)
    assert_error(cli("key", "import", "acme", input="hello\n"), 4)
    assert_error(cli("key", "import", "acme", input=""), 2)


def test_import_of_a_different_key_needs_replace(seeded: Path, cli, isolated_env: Path) -> None:
    line = cli("key", "export", "acme").stdout
    path = _key_file(isolated_env, seeded)
    path.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
    assert_error(cli("key", "import", "acme", input=line), 4)
    res = cli("key", "import", "acme", "--replace", input=line)
    assert res.code == 0, res
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == SECRET + "\n"


# ---- tenant isolation ------------------------------------------------------------


def test_one_tenants_key_never_opens_anothers_values(seeded: Path, cli, isolated_env: Path) -> None:
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    assert cli("set", "beta/base/app", "llm.api_key", "sk-test-FAKE-beta").code == 0
    beta_key = _key_file(isolated_env, seeded, "beta").read_text()
    # copy acme's whole file into beta's place: beta's key cannot open it
    cfg(seeded, "beta/base/app").write_text(cfg(seeded, ADDR).read_text())
    for args in (
        ("get", "beta/base/app", "--reveal"),
        ("get", "beta/base/app", "--reveal", "--ignore-mac"),
    ):
        res = cli(*args)
        assert res.code in (4, 5), res
        assert_error(res, res.code)
        assert SECRET not in res.stdout + res.stderr
    # beta's master key in acme's slot
    _key_file(isolated_env, seeded).write_text(beta_key)
    res = cli("get", ADDR, "--reveal")
    assert_error(res, 4)
    assert SECRET not in res.stdout


def test_beta_key_via_env_does_not_open_acme(
    seeded: Path, cli, isolated_env: Path, monkeypatch
) -> None:
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    monkeypatch.setenv("LCM_KEY_ACME", _key_file(isolated_env, seeded, "beta").read_text().strip())
    res = cli("get", ADDR, "--reveal")
    assert_error(res, 4)
    assert SECRET not in res.stdout


def test_tenant_list(seeded: Path, cli) -> None:
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    res = cli("tenant", "list", "-o", "json")
    assert res.code == 0, res
    import json

    rows = json.loads(res.stdout)
    assert [(r["tenant"], r["backend"], r["active_data_key"]) for r in rows] == [
        ("acme", "file", 1),
        ("beta", "file", 1),
    ]


def test_duplicate_or_bad_tenant_is_refused(seeded: Path, cli, tree_digest) -> None:
    before = tree_digest(seeded)
    assert_error(cli("tenant", "add", "acme", "--backend", "file"), 3)
    assert_error(cli("tenant", "add", "Bad Name", "--backend", "file"), 2)
    assert_error(cli("tenant", "add", "x", "--backend", "nope"), 2)
    assert tree_digest(seeded) == before


def test_tenant_add_without_keyring_picks_file_and_says_so(tmp_path: Path, lcm_exe) -> None:
    """No D-Bus session here (conftest), so no usable OS keyring."""
    root = tmp_path / "cfg"
    assert lcm_exe("init", str(root)).code == 0
    res = lcm_exe("tenant", "add", "x", cwd=root)
    assert res.code == 0, res
    assert "file" in res.stderr and "automatic" in res.stderr
    assert yaml.safe_load((root / ".lcm.yaml").read_text())["tenants"]["x"] == {"backend": "file"}
    assert lcm_exe("set", "x/base/app", "api_key", "sk-test-FAKE-x", cwd=root).code == 0
    assert (
        lcm_exe("get", "x/base/app", "api_key", "--reveal", cwd=root).stdout == "sk-test-FAKE-x\n"
    )


def test_explicit_keyring_backend_without_keyring_is_exit_6(
    repo: Path, cli, tree_digest, isolated_env: Path
) -> None:
    before = tree_digest(repo, isolated_env / ".local/share")
    res = cli("tenant", "add", "kr", "--backend", "keyring")
    assert_one_error_line(res, 6)
    assert "'kr'" in res.stderr and "keyring" in res.stderr
    assert tree_digest(repo, isolated_env / ".local/share") == before


def test_failed_tenant_add_leaves_no_master_key_behind(
    repo: Path, cli, tree_digest, isolated_env: Path
) -> None:
    """`tenant add` that fails (here: Git's index is locked) changes nothing on disk,
    the key store included."""
    (repo / ".git/index.lock").write_text("")
    data = isolated_env / ".local/share"
    before = tree_digest(repo, data)
    res = cli("tenant", "add", "beta", "--backend", "file")
    assert_one_error_line(res, 3)
    assert tree_digest(repo, data) == before


def test_tenant_add_keeps_the_manifest_comments(repo: Path, cli) -> None:
    manifest = repo / ".lcm.yaml"
    before = manifest.read_text()
    comments = [ln.strip() for ln in before.splitlines() if "#" in ln]
    assert comments
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    after = manifest.read_text()
    for comment in comments:
        assert comment.split("#", 1)[1] in after
    assert yaml.safe_load(after)["tenants"] == {
        "acme": {"backend": "file"},
        "beta": {"backend": "file"},
    }
