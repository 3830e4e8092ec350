"""`--to dotenv:FILE`: python-dotenv and `set -a; . FILE` in bash both read back every value exactly."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import SECRET, seed

AWKWARD = {
    "single": "it's",
    "double": 'say "hi"',
    "dollar": "$HOME costs $5, $$ and $(date) `not run`",
    "backslash": "C:\\new\\table and a\\\\b",
    "trailing_backslash": "ends with \\",
    "newlines": "line1\nline2\n\nline4\n",
    "quotes_multiline": "first 'line'\nsecond \"line\"\\n",
    "unicode": "héllo ✓ 日本語 🚀",
    "empty": "",
    "hash": "#not a comment",
    "hash_inside": "value # not a comment",
    "spaces": "  padded  ",
    "equals": "a=b=c",
    "brace": "${ not closed",
    "api_key": SECRET + "'$\\\"",
}


def bash_reads(path: Path, names: list[str]) -> dict[str, str]:
    """The values bash sees after `set -a; . FILE`, read back through a child process."""
    script = ('set -a; . "$1"; exec "$2" -c \'import json, os, sys;'
              ' print(json.dumps({n: os.environ.get(n) for n in sys.argv[1:]}))\' "${@:3}"')
    env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(["bash", "-c", script, "bash", str(path), _python(), *names],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout)


def _python() -> str:
    import sys

    return sys.executable


@pytest.fixture
def odd(repo: Path) -> Path:
    seed(repo, {"acme/base/odd": AWKWARD})
    return repo


def test_python_dotenv_and_bash_read_back_every_awkward_value(odd: Path, cli) -> None:
    from dotenv import dotenv_values

    out = odd / "out" / "prod.env"
    res = cli("export", "acme/production", "--to", f"dotenv:{out}")
    assert res.code == 0, res
    expected = {f"ODD_{k.upper()}": v for k, v in AWKWARD.items()}
    assert dict(dotenv_values(out)) == expected
    assert bash_reads(out, list(expected)) == expected
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["prod.env"]  # no temp file left
    assert res.stdout == "" and SECRET not in res.stderr


def test_each_form_is_used_where_it_is_exact(odd: Path, cli) -> None:
    text = cli("export", "acme/production", "--to", "dotenv:-").stdout
    lines = dict(line.split("=", 1) for line in text.splitlines() if line.startswith("ODD_")
                 and "=" in line)
    assert lines["ODD_EMPTY"] == "''"
    assert lines["ODD_DOLLAR"].startswith("'$HOME")  # single quotes keep $ literal for bash
    assert lines["ODD_SINGLE"] == '"it\'s"'  # a quote needs the double-quoted form
    assert lines["ODD_BACKSLASH"] == '"C:\\\\new\\\\table and a\\\\\\\\b"'


@pytest.mark.parametrize("value, why", [
    ("it's $HOME", "both a quote or backslash pair and a $ or backtick"),
    ("a\\\\b `cmd`", "both a quote or backslash pair and a $ or backtick"),
    ("${HOME}", "a ${…} reference"),
    ("one\rtwo", "a carriage return"),
])
def test_a_value_no_form_can_hold_is_an_error_naming_the_variable(
        repo: Path, cli, value: str, why: str, tree_digest) -> None:
    seed(repo, {"acme/base/odd": {"bad": value, "fine": "x"}})
    out = repo / "x.env"
    out.write_text("OLD=1\n")
    before = tree_digest(repo)
    res = cli("export", "acme/production", "--to", f"dotenv:{out}")
    assert res.code == 3, res
    assert res.stderr.startswith("lcm: error: dotenv: the value of ODD_BAD cannot be written")
    assert why in res.stderr and value not in res.stderr
    assert tree_digest(repo) == before  # the old file is untouched


def test_stdout_and_a_prefix(odd: Path, cli) -> None:
    import io

    from dotenv import dotenv_values

    res = cli("export", "acme/production", "odd", "--to", "dotenv:-", "--prefix", "APP_")
    assert res.code == 0, res
    values = dotenv_values(stream=io.StringIO(res.stdout))
    assert values["APP_ODD_NEWLINES"] == AWKWARD["newlines"]
    assert all(name.startswith("APP_ODD_") for name in values)
    assert res.stderr == ""


def test_unwritable_file_is_exit_3(odd: Path, cli, tree_digest) -> None:
    plain_file = odd / "notes.txt"
    plain_file.write_text("x")
    before = tree_digest(odd)
    for target in (plain_file / "x.env", odd / "config"):  # under a file; a directory
        res = cli("export", "acme/production", "--to", f"dotenv:{target}")
        assert res.code == 3, res
        assert res.stderr.startswith(f"lcm: error: {target}: cannot write (")
        assert SECRET not in res.stderr and res.stdout == ""
    assert tree_digest(odd) == before


def test_dry_run_shows_masked_changes_and_writes_nothing(odd: Path, cli) -> None:
    out = odd / "prod.env"
    assert cli("export", "acme/production", "--to", f"dotenv:{out}").code == 0
    before = out.read_bytes()
    seed(odd, {"acme/production/odd": {"api_key": "sk-test-FAKE-new", "hash": "#changed"}})
    res = cli("export", "acme/production", "--to", f"dotenv:{out}", "--dry-run")
    assert res.code == 0, res
    assert out.read_bytes() == before
    assert "sk-test-FAKE-new" not in res.stdout and SECRET not in res.stdout
    lines = res.stdout.splitlines()
    assert lines[0].startswith("acme/production (") and lines[0].endswith(f"-> dotenv:{out}")
    assert any(line.strip().startswith("~ ODD_API_KEY: secret changed (fp:") for line in lines)
    assert '    ~ ODD_HASH: "#not a comment" -> "#changed"' in lines
    assert cli("export", "acme/production", "--to", f"dotenv:{out}").code == 0
    again = cli("export", "acme/production", "--to", f"dotenv:{out}", "--dry-run")
    assert again.stdout.splitlines()[1:] == [f"  {out}: unchanged", "  nothing to write"]
