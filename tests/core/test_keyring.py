"""The `keyring` backend against a real Secret Service (gnome-keyring in a private
D-Bus session). In CI (CI=true) these tests run; elsewhere they skip only when
the binaries are missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
import yaml

from .helpers import LCM_EXE

pytestmark = pytest.mark.keyring

BINARIES = ("dbus-run-session", "gnome-keyring-daemon")

DRIVER = textwrap.dedent(
    r'''
    """Runs inside the D-Bus session: an lcm flow through the installed executable."""
    import json, os, subprocess, sys
    from pathlib import Path

    lcm, work, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    steps = {}

    def run(name, *args, cwd=None, input=None):
        p = subprocess.run([lcm, *args], cwd=cwd, input=input, capture_output=True, text=True,
                           timeout=120)
        steps[name] = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}
        return p

    def py(name, code):
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        steps[name] = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}
        return p

    root = work / "cfg"
    try:
        run("init", "init", str(root))
        run("add_keyring", "tenant", "add", "acme", "--backend", "keyring", cwd=root)
        run("add_auto", "tenant", "add", "auto", cwd=root)
        run("set", "set", "acme/base/app", "llm.api_key", "sk-test-FAKE-keyring", "--secret", cwd=root)
        run("set_auto", "set", "auto/base/app", "token", "tok-test-FAKE-auto", cwd=root)
        run("reveal", "get", "acme/base/app", "llm.api_key", "--reveal", cwd=root)
        run("reveal_auto", "get", "auto/base/app", "token", "--reveal", cwd=root)
        repo_id = __import__("yaml").safe_load((root / ".lcm.yaml").read_text())["repo_id"]
        steps["repo_id"] = repo_id
        py("stored", f"import keyring; print(keyring.get_password('lcm', '{repo_id}/acme'))")
        export = run("export", "key", "export", "acme", cwd=root)
        py("delete", f"import keyring; keyring.delete_password('lcm', '{repo_id}/acme')")
        run("reveal_deleted", "get", "acme/base/app", "--reveal", cwd=root)
        run("import", "key", "import", "acme", cwd=root, input=export.stdout)
        run("reveal_imported", "get", "acme/base/app", "llm.api_key", "--reveal", cwd=root)
        # Lock the login collection; with no display, the unlock prompt is dismissed.
        py("lock", "import secretstorage; c = secretstorage.get_default_collection("
                   "secretstorage.dbus_init()); c.lock(); print(c.is_locked())")
        run("reveal_locked", "get", "acme/base/app", "llm.api_key", "--reveal", cwd=root)
        run("set_locked", "set", "acme/base/app", "llm.model", "gpt-4o", cwd=root)
    finally:
        out.write_text(json.dumps(steps))
    '''
)


def _binaries_present() -> bool:
    return all(shutil.which(b) for b in BINARIES)


@pytest.fixture(scope="module")
def keyring_session(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Run the whole flow once inside `dbus-run-session` with gnome-keyring unlocked."""
    if not _binaries_present():
        if os.environ.get("CI"):
            pytest.fail(
                f"CI=true but {' / '.join(BINARIES)} not installed: the keyring tests must run"
            )
        pytest.skip(f"{' / '.join(BINARIES)} not installed")
    work = tmp_path_factory.mktemp("keyring")
    home = work / "home"
    (home / "data").mkdir(parents=True)
    (home / "run").mkdir(mode=0o700)
    driver = work / "driver.py"
    driver.write_text(DRIVER)
    out = work / "steps.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "GNOME_"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_RUNTIME_DIR=str(home / "run"),
        XDG_CONFIG_HOME=str(home / "config"),
    )
    script = (
        "printf 'lcm-test-unlock' | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1;"
        f' exec "$0" {" ".join(map(str, (driver, LCM_EXE, work, out)))}'
    )
    proc = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", script, sys.executable],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.exists(), f"driver did not run: rc={proc.returncode} {proc.stderr[-2000:]}"
    steps = json.loads(out.read_text())
    steps["_root"] = work / "cfg"
    steps["_env"] = env
    steps["_home"] = home
    return steps


def _ok(steps: dict, name: str) -> dict:
    step = steps[name]
    assert step["rc"] == 0, (name, step)
    return step


def test_tenant_add_with_keyring_backend(keyring_session: dict) -> None:
    _ok(keyring_session, "init")
    _ok(keyring_session, "add_keyring")
    manifest = yaml.safe_load((keyring_session["_root"] / ".lcm.yaml").read_text())
    assert manifest["tenants"]["acme"] == {"backend": "keyring"}


def test_auto_backend_picks_the_usable_keyring_and_says_so(keyring_session: dict) -> None:
    step = _ok(keyring_session, "add_auto")
    assert "keyring" in step["stderr"] and "automatic" in step["stderr"]
    manifest = yaml.safe_load((keyring_session["_root"] / ".lcm.yaml").read_text())
    assert manifest["tenants"]["auto"] == {"backend": "keyring"}
    _ok(keyring_session, "set_auto")
    assert _ok(keyring_session, "reveal_auto")["stdout"] == "tok-test-FAKE-auto\n"


def test_secret_round_trip_through_secret_service(keyring_session: dict) -> None:
    _ok(keyring_session, "set")
    assert _ok(keyring_session, "reveal")["stdout"] == "sk-test-FAKE-keyring\n"
    text = (keyring_session["_root"] / "config/acme/base/app.yaml").read_text()
    assert "sk-test-FAKE-keyring" not in text and "ENC[AES256_GCM," in text


def test_master_key_lives_in_the_keyring_not_on_disk(keyring_session: dict) -> None:
    import base64

    stored = _ok(keyring_session, "stored")["stdout"].strip()
    assert len(base64.b64decode(stored)) == 32
    assert not (keyring_session["_home"] / "data/lcm/keys").exists()


def test_export_delete_import_through_keyring(keyring_session: dict) -> None:
    line = _ok(keyring_session, "export")["stdout"]
    assert line.startswith("lcm-key-v1:acme:") and len(line.splitlines()) == 1
    _ok(keyring_session, "delete")
    gone = keyring_session["reveal_deleted"]
    assert gone["rc"] == 4, gone
    assert gone["stderr"].strip().splitlines()[-1].startswith("lcm: error: ")
    assert "'acme'" in gone["stderr"] and "keyring" in gone["stderr"]
    assert "sk-test-FAKE-keyring" not in gone["stdout"]
    _ok(keyring_session, "import")
    assert _ok(keyring_session, "reveal_imported")["stdout"] == "sk-test-FAKE-keyring\n"


def test_keyring_unreachable_is_exit_6_one_line(keyring_session: dict) -> None:
    """After the D-Bus session ended there is no Secret Service: backend unreachable."""
    env = dict(keyring_session["_env"], DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/bus")
    proc = subprocess.run(
        [str(LCM_EXE), "get", "acme/base/app", "--reveal"],
        cwd=keyring_session["_root"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 6, proc
    lines = proc.stderr.strip().splitlines()
    assert lines[-1].startswith("lcm: error: ") and "Traceback" not in proc.stderr
    assert "'acme'" in lines[-1] and "keyring" in lines[-1]
    assert "sk-test-FAKE-keyring" not in proc.stdout


def test_locked_keyring_is_a_key_error_naming_tenant_and_backend(keyring_session: dict) -> None:
    """A locked keyring: exit 4, one line naming the tenant and the backend, nothing written."""
    assert _ok(keyring_session, "lock")["stdout"].strip() == "True"
    for name in ("reveal_locked", "set_locked"):
        step = keyring_session[name]
        assert step["rc"] == 4, (name, step)
        lines = step["stderr"].strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("lcm: error:"), step
        assert "'acme'" in lines[0] and "keyring" in lines[0] and "locked" in lines[0]
        assert "sk-test-FAKE-keyring" not in step["stdout"] + step["stderr"]
    text = (keyring_session["_root"] / "config/acme/base/app.yaml").read_text()
    assert "gpt-4o" not in text
