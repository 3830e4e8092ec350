"""Small helpers for the CLI tests: git as a subprocess, audit entries, the project root."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[2]


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=check, timeout=60)


def audit_entries(root: Path) -> list[dict[str, Any]]:
    log = root / ".lcm/audit/log.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
