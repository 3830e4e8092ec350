"""Start-up hygiene: scanning a file imports none of the heavy modules, by either entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("textual", "pygit2", "jsonschema", "hvac", "keyring", "cryptography", "ruamel")

PROBE = """
import json, sys
sys.argv = {argv!r}
try:
    {call}
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded_modules(call: str, argv: list[str], cwd: Path) -> set[str]:
    code = PROBE.format(argv=argv, call=call)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return set(json.loads(proc.stderr.strip().splitlines()[-1]))


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.fixture
def target(tmp_path: Path) -> Path:
    (tmp_path / "f.yaml").write_text("password: Zk81-qPw0!xLm\nmodel: gpt-4o\n")
    return tmp_path


def test_hook_entry_imports_nothing_heavy(target: Path) -> None:
    modules = loaded_modules("from lcm.scan.__main__ import main; main()", ["x", "f.yaml"], target)
    assert "lcm.scan.engine" in modules
    assert heavy(modules) == []
    assert "typer" not in modules and "click" not in modules and "argparse" not in modules


def test_lcm_scan_command_imports_nothing_heavy(target: Path) -> None:
    modules = loaded_modules(
        "from lcm.cli.main import run; run()", ["lcm", "scan", "f.yaml"], target
    )
    assert "lcm.scan.engine" in modules
    assert heavy(modules) == []


def test_staged_is_the_only_path_that_loads_pygit2(target: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    modules = loaded_modules(
        "from lcm.scan.__main__ import main; main()", ["x", "--staged"], target
    )
    assert "pygit2" in modules
    assert [m for m in heavy(modules) if not m.startswith("pygit2")] == []
