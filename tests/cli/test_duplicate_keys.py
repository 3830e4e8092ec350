"""Issue 14: a duplicate key in a YAML file is reported by `lcm validate`, located, in
text and JSON, and refused by every write (exit 3 and the located line; nothing on
disk, in Git or in the key store changes)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import git

ADDR = "acme/base/app"
FILE = "config/acme/base/app.yaml"
LOCATED = f"{FILE}:2:1: duplicate key 'a' (first at line 1)"


@pytest.fixture
def sealed(repo: Path, cli) -> Path:
    """acme/base/app (a plain value and a secret) and a staging file, committed."""
    for args in (["set", ADDR, "a", "1"], ["set", ADDR, "token", "tok-test-FAKE-1", "--secret"],
                 ["set", "acme/staging/app", "b", "1"]):
        assert cli(*args).code == 0, args
    return repo


def _duplicate(root: Path, relpath: str = FILE) -> None:
    """The hand edit: `a: 1` written twice (the first line of the sealed file)."""
    path = root / relpath
    text = path.read_text()
    assert text.startswith("a: 1\n")
    path.write_text("a: 1\n" + text)


def _state(root: Path, tree_digest) -> dict[str, str]:
    """Every file of the repository (Git objects and refs included) and of the key store;
    the audit log aside (`lcm edit` records that it showed secrets before any save)."""
    store = Path(os.environ["XDG_DATA_HOME"], "lcm")
    return {path: digest for path, digest in tree_digest(root, store).items()
            if "/.lcm/audit/" not in path}


def _refused(res, located: str = LOCATED) -> None:
    assert res.code == 3, res
    assert res.stdout == "", res
    assert res.stderr == f"lcm: error: {located}\n", res


def test_validate_reports_it_located(sealed: Path, cli) -> None:
    _duplicate(sealed)
    res = cli("validate")
    assert res.code == 1, res
    assert res.stdout.splitlines() == [LOCATED], res
    res = cli("validate", "--format", "json")
    assert res.code == 1, res
    report = json.loads(res.stdout)
    assert report["ok"] is False and report["summary"]["errors"] == 1
    (finding,) = report["findings"]
    assert {k: finding[k] for k in ("file", "line", "column", "rule", "message", "severity")} == {
        "file": FILE, "line": 2, "column": 1, "rule": "yaml-syntax",
        "message": "duplicate key 'a' (first at line 1)", "severity": "error"}


@pytest.mark.parametrize("args", [
    ["set", ADDR, "b", "2"],
    ["set", ADDR, "b", "2", "--no-commit"],
    ["set", ADDR, "a", "2"],
    ["unset", ADDR, "a"],
    ["unset", ADDR, "token"],
    ["reseal", ADDR],
    ["edit", ADDR],
    ["promote", "acme", "base", "staging"],
    ["promote", "acme", "staging", "production"],
    ["rotate", "key", "acme"],
    ["rotate", "secret", ADDR, "token", "--generate", "hex:16"],
])
def test_every_write_refuses_a_file_with_a_duplicate_key(sealed: Path, cli, tree_digest,
                                                         tmp_path: Path, args) -> None:
    _duplicate(sealed)
    ran = tmp_path / "editor-ran"
    before = _state(sealed, tree_digest)
    res = cli(*args, env={"EDITOR": f"touch {ran}"})
    _refused(res)
    assert _state(sealed, tree_digest) == before
    assert not ran.exists()  # lcm edit refused before decrypting anything into a buffer


def test_promote_refuses_a_target_with_a_duplicate_key(sealed: Path, cli, tree_digest) -> None:
    path = sealed / "config/acme/staging/app.yaml"
    path.write_text("b: 1\n" + path.read_text())
    before = _state(sealed, tree_digest)
    _refused(cli("promote", "acme", "base", "staging"),
             "config/acme/staging/app.yaml:2:1: duplicate key 'b' (first at line 1)")
    assert _state(sealed, tree_digest) == before


def test_rollback_to_a_commit_whose_file_has_a_duplicate_key(sealed: Path, cli,
                                                              tree_digest) -> None:
    clean = (sealed / FILE).read_text()
    _duplicate(sealed)
    git(sealed, "commit", "-q", "--no-verify", "-am", "hand edit with a duplicate key")
    broken = git(sealed, "rev-parse", "HEAD").stdout.strip()
    (sealed / FILE).write_text(clean)
    git(sealed, "commit", "-q", "--no-verify", "-am", "hand edit undone")
    assert cli("validate").code == 0
    before = _state(sealed, tree_digest)
    for rev in (broken, "HEAD~1"):
        _refused(cli("rollback", ADDR, "--to", rev), f"{rev}:{LOCATED}")
        assert _state(sealed, tree_digest) == before
    assert git(sealed, "rev-parse", "HEAD~1").stdout.strip() == broken


def test_a_duplicate_key_typed_in_lcm_edit_is_located_in_the_buffer(
        sealed: Path, cli, tree_digest, tmp_path: Path) -> None:
    """The saved buffer is refused and re-opened with the located line on top, at the
    line numbers of the buffer itself; giving up changes nothing."""
    rounds = tmp_path / "rounds"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import pathlib, sys\n"
        f"rounds = pathlib.Path({str(rounds)!r})\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text()\n"
        "with rounds.open('a') as log:\n"
        "    log.write(text + '\\x00')\n"
        "if '# lcm error' in text:\n"
        "    sys.exit(1)\n"
        "path.write_text(text.replace('a: 1\\n', 'a: 1\\nb: 2\\na: 3\\n'))\n")
    before = _state(sealed, tree_digest)
    res = cli("edit", ADDR, env={"EDITOR": f"{sys.executable} {editor}"})
    assert res.code == 2, res
    assert res.stderr == "lcm: error: editor exited with status 1; nothing changed\n", res
    first, second, _ = rounds.read_text().split("\x00")
    notes = [line for line in second.splitlines() if line.startswith("# lcm error: ")]
    assert len(notes) == 1, second
    lines = second.splitlines()
    located = notes[0].removeprefix("# lcm error: ")
    assert located.startswith(f"{ADDR} (edited):"), located
    line = int(located.split(":")[1])
    first_line = int(located.rsplit("first at line ", 1)[1].rstrip(")"))
    assert lines[line - 1] == "a: 3" and lines[first_line - 1] == "a: 1", (located, second)
    assert "duplicate key 'a'" in located
    assert "tok-test-FAKE-1" in first  # the buffer held the plaintext; lcm removed it
    assert _state(sealed, tree_digest) == before


def test_a_yaml_value_with_a_duplicate_key_is_refused(sealed: Path, cli, tree_digest) -> None:
    before = _state(sealed, tree_digest)
    res = cli("set", ADDR, "c", "{x: 1, x: 2}", "--type", "yaml")
    assert res.code == 2, res
    assert res.stderr == "lcm: error: VALUE:1:8: duplicate key 'x' (first at line 1)\n", res
    assert _state(sealed, tree_digest) == before
