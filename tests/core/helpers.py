"""Small helpers shared by the core tests (file access, Git inspection)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

LCM_EXE = Path(sys.executable).parent / "lcm"

ENC_SHAPE = re.compile(
    r"^ENC\[AES256_GCM,k:\d+,iv:[A-Za-z0-9+/]{16},data:[A-Za-z0-9+/=]*,"
    r"tag:[A-Za-z0-9+/]{22}==,type:(str|int|float|bool|null)\]$"
)


def cfg(root: Path, address: str) -> Path:
    return root / "config" / f"{address}.yaml"


def enc_lines(text: str) -> dict[str, str]:
    """`key: ENC[...]` lines of a stored file, by (stripped) key."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^\s*(-\s+)?([^:\s]+):\s+(ENC\[.*\])\s*$", line)
        if m:
            out[m.group(2)] = m.group(3)
    return out


def commits(root: Path) -> list[Any]:
    """Commits of HEAD, newest first (pygit2 objects)."""
    import pygit2

    git = pygit2.Repository(str(root))
    return list(git.walk(git.head.target, pygit2.enums.SortMode.TOPOLOGICAL))


def commit_count(root: Path) -> int:
    return len(commits(root))


def trailers(message: str) -> dict[str, str]:
    out = {}
    for line in message.strip().splitlines():
        m = re.match(r"^(Lcm-[A-Za-z]+): (.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def as_json(text: str) -> Any:
    return json.loads(text)


def assert_one_error_line(result: Any, code: int) -> None:
    """The CLI failed with `code`, one `lcm: error:` line on stderr (a usage error may add
    one `usage:` or `hint:` line, docs/cli.md), no traceback."""
    assert result.code == code, result
    assert result.exception is None, result.exception
    lines = result.stderr.strip().splitlines()
    hints = lines[1:] if code == 2 else []
    assert len(lines) == 1 + len(hints) and len(hints) <= 1, result.stderr
    assert all(h.startswith(("usage: ", "hint: ")) for h in hints), result.stderr
    assert lines[0].startswith("lcm: error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def assert_error(result: Any, code: int) -> str:
    """The CLI failed with `code`, ending on one `lcm: error:` line, no traceback.

    Returns the error line. (Use `assert_one_error_line` where stderr must hold
    nothing else.)"""
    assert result.code == code, result
    assert result.exception is None, result.exception
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("lcm: error: "), result.stderr
    assert sum(ln.startswith("lcm: error:") for ln in lines) == 1, result.stderr
    return lines[-1]
