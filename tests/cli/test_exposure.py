"""The audit trail says exactly what was exposed (defect 3); `show` takes an address
(defect 5); `edit` with no editor and no terminal refuses before decrypting (defect 6)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .helpers import audit_entries

ADDR = "acme/base/app"  # no schema: any keys
SECRET = "sk-test-FAKE-exposure-0001"


@pytest.fixture
def seeded(repo: Path, cli) -> Path:
    for key, value in (("llm.provider", "openai"), ("llm.model", "gpt-4o")):
        assert cli("set", ADDR, key, value).code == 0
    assert cli("set", ADDR, "llm.api_key", "--value-stdin", "--secret", input=SECRET).code == 0
    assert cli("set", ADDR, "llm.org_token", "--value-stdin", "--secret", input="t-1").code == 0
    return repo


def _key_store(home: Path) -> Path:
    (found,) = (home / ".local/share/lcm/keys").rglob("acme.key")
    return found


def _ops(root: Path) -> list[tuple[str, list[str]]]:
    return [(e["op"], e["keys"]) for e in audit_entries(root)
            if e["op"] in {"reveal", "show", "edit"}]


def test_a_failed_reveal_is_not_audited(seeded: Path, cli, isolated_env: Path) -> None:
    key = _key_store(isolated_env)
    key.rename(key.with_suffix(".away"))
    for args in (("get", ADDR, "llm.api_key", "--reveal"), ("get", ADDR, "--reveal"),
                 ("get", ADDR, "--explain", "--reveal"), ("show", ADDR)):
        result = cli(*args)
        assert result.code == 4, (args, result)
        assert SECRET not in result.stdout + result.stderr
    assert _ops(seeded) == []


def test_a_reveal_names_exactly_the_keys_shown(seeded: Path, cli) -> None:
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == SECRET + "\n"
    assert cli("get", ADDR, "llm.provider", "--reveal").code == 0  # no secret: no entry
    assert _ops(seeded) == [("reveal", ["llm.api_key"])]


def test_show_audits_the_keys_it_printed(seeded: Path, cli) -> None:
    shown = cli("show", "config/acme/base/app.yaml")
    assert shown.code == 0 and SECRET in shown.stdout
    masked = cli("show", ADDR, "--masked")
    assert masked.code == 0 and SECRET not in masked.stdout
    assert _ops(seeded) == [("show", ["llm.api_key", "llm.org_token"])]


def test_show_takes_an_address_like_every_other_command(seeded: Path, cli) -> None:
    by_path = cli("show", "config/acme/base/app.yaml", "--masked")
    by_addr = cli("show", ADDR, "--masked")
    assert by_addr.code == 0, by_addr
    assert by_addr.stdout == by_path.stdout and "provider: openai" in by_addr.stdout
    missing = cli("show", "acme/production/app")
    assert missing.code == 3
    assert missing.stderr == ("lcm: error: acme/production/app: no such config file "
                              "(config/acme/production/app.yaml)\n")
    assert cli("show", "nope/base/app").code == 3


def test_edit_audits_the_keys_it_decrypted(seeded: Path, cli) -> None:
    result = cli("edit", ADDR, env={"EDITOR": "true"})
    assert result.code == 0, result
    assert _ops(seeded) == [("edit", ["llm.api_key", "llm.org_token"])]


def test_edit_without_editor_or_terminal_refuses_before_decrypting(
    seeded: Path, lcm_exe, isolated_env: Path, tree_digest
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "VISUAL")}
    before = tree_digest(seeded)
    # No key either: the refusal must come first (exit 2, not 4: nothing was decrypted).
    key = _key_store(isolated_env)
    shutil.move(key, key.with_suffix(".away"))
    for variables in ({}, {"EDITOR": ""}):
        result = _run_without_editor(lcm_exe, seeded, {**env, **variables})
        assert result.code == 2, result
        assert result.stdout == ""
        assert result.stderr == ("lcm: error: no editor: set $EDITOR (or $VISUAL); without a "
                                 "terminal lcm edit does not start vi\n")
    assert _ops(seeded) == []
    assert tree_digest(seeded) == before


def _run_without_editor(lcm_exe, root: Path, env: dict[str, str]):
    import subprocess

    from tests.conftest import CliResult, LCM_EXE

    proc = subprocess.run([str(LCM_EXE), "edit", ADDR], cwd=root, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
