"""`lcm rotate master` on a keyring tenant against a real Secret Service (gnome-keyring
in a private D-Bus session): the next key waits in its own entry until the key file is
committed, and a reader finishes a rotation killed between commit and promotion."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.helpers import LCM_EXE

pytestmark = pytest.mark.keyring
BINARIES = ("dbus-run-session", "gnome-keyring-daemon")

DRIVER = textwrap.dedent(
    r'''
    import json, subprocess, sys
    from pathlib import Path

    exe, work, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    steps = {}

    def run(name, *args):
        p = subprocess.run([exe, *args], cwd=root, capture_output=True, text=True, timeout=120)
        steps[name] = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}

    def entries(name):
        import keyring, yaml
        repo_id = yaml.safe_load((root / ".lcm.yaml").read_text())["repo_id"]
        steps[name] = {"current": keyring.get_password("lcm", f"{repo_id}/acme"),
                       "next": keyring.get_password("lcm", f"{repo_id}/acme/next")}

    root = work / "cfg"
    try:
        subprocess.run([exe, "init", str(root)], capture_output=True, check=True)
        run("add", "tenant", "add", "acme", "--backend", "keyring")
        run("set", "set", "acme/base/app", "llm.api_key", "sk-test-FAKE-kr-rotate", "--secret")
        entries("before")
        run("rotate", "rotate", "master", "acme")
        entries("after")
        run("reveal", "get", "acme/base/app", "llm.api_key", "--reveal")
        # a rotation killed between its commit and the promotion of the new key
        import lcm
        from lcm.keys import datakeys
        from lcm.ops.changeset import ChangeSet
        repo = lcm.Repo.open(root)
        backend = repo.backend("acme")
        keys = datakeys.load(repo.root, repo.manifest.repo_id, "acme", backend)
        backend.begin_rotation()
        keys.rewrap()
        changes = ChangeSet(repo, "rotate-master")
        changes.write(".lcm/keys/acme.yaml", keys.render())
        changes.commit()
        entries("killed")
        run("reveal_after_kill", "get", "acme/base/app", "llm.api_key", "--reveal")
        entries("resumed")
    except BaseException as err:
        steps["_error"] = repr(err)
        raise
    finally:
        out.write_text(json.dumps(steps))
    '''
)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not all(shutil.which(b) for b in BINARIES):
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but {' / '.join(BINARIES)} not installed")
        pytest.skip(f"{' / '.join(BINARIES)} not installed")
    work = tmp_path_factory.mktemp("keyring-rotate")
    home = work / "home"
    (home / "data").mkdir(parents=True)
    (home / "run").mkdir(mode=0o700)
    driver = work / "driver.py"
    driver.write_text(DRIVER)
    out = work / "steps.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "GNOME_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_RUNTIME_DIR=str(home / "run"), XDG_CONFIG_HOME=str(home / "config"))
    script = ("printf 'lcm-test-unlock' | gnome-keyring-daemon --unlock --components=secrets"
              f' >/dev/null 2>&1; exec "$0" {" ".join(map(str, (driver, LCM_EXE, work, out)))}')
    proc = subprocess.run(["dbus-run-session", "--", "bash", "-c", script, sys.executable],
                          env=env, capture_output=True, text=True, timeout=300)
    assert out.exists(), f"driver did not run: rc={proc.returncode} {proc.stderr[-2000:]}"
    steps = json.loads(out.read_text())
    assert "_error" not in steps, steps["_error"]
    steps["_home"] = home
    return steps


def test_rotation_replaces_the_keyring_entry_and_leaves_no_next(session: dict) -> None:
    for step in ("add", "set", "rotate", "reveal"):
        assert session[step]["rc"] == 0, (step, session[step])
    before, after = session["before"], session["after"]
    assert before["current"] and before["next"] is None
    assert after["current"] and after["current"] != before["current"]
    assert after["next"] is None
    assert session["reveal"]["stdout"] == "sk-test-FAKE-kr-rotate\n"
    assert not (Path(session["_home"]) / "data/lcm/keys").exists()  # never on disk


def test_a_reader_promotes_the_next_keyring_entry(session: dict) -> None:
    killed, resumed = session["killed"], session["resumed"]
    assert killed["next"] and killed["current"] == session["after"]["current"]
    reveal = session["reveal_after_kill"]
    assert reveal["rc"] == 0, reveal
    assert reveal["stdout"] == "sk-test-FAKE-kr-rotate\n"
    assert resumed == {"current": killed["next"], "next": None}
