"""The write gate and `lcm validate` agree (defect 2): an accepted write that leaves a
config incomplete says so, naming what `validate` will report; an effective-config error
is reported at the file and key the user changed, naming the config (defect 7)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .helpers import git

BASE = "config/acme/base/inference.yaml"
PROD = "config/acme/production/inference.yaml"
MISSING = "llm: needs at least one of 'model', 'model_id'"
CONFIG_NOTE = re.compile(r" \(effective config [^)]*\)")


def test_every_accepted_set_of_an_incomplete_config_warns_until_validate_passes(
    repo: Path, cli
) -> None:
    steps = [
        ("acme/base/inference", "llm.provider", "openai"),
        ("acme/production/inference", "llm.temperature", "0.7"),
        ("acme/base/inference", "llm.model", "gpt-4o"),
    ]
    for addr, key, value in steps:
        result = cli("set", addr, key, value)
        assert result.code == 0, result
        validate = cli("validate")
        if validate.code == 0:
            assert "warning" not in result.stderr
        else:
            assert "lcm: warning: written, but `lcm validate` fails" in result.stderr
            # The same findings; validate names the first config a shared one fails in.
            said = CONFIG_NOTE.sub("", result.stderr)
            for line in validate.stdout.splitlines():
                assert CONFIG_NOTE.sub("", line) in said
    assert cli("validate").code == 0


def test_the_warning_names_the_effective_config(repo: Path, cli) -> None:
    result = cli("set", "acme/base/inference", "llm.provider", "openai")
    assert f"{BASE}:1:1: {MISSING} (effective config acme/" in result.stderr


def test_delete_marker_error_is_located_where_the_user_wrote(repo: Path, cli, tree_digest) -> None:
    for key, value in (("llm.provider", "openai"), ("llm.model", "gpt-4o")):
        assert cli("set", "acme/base/inference", key, value).code == 0
    assert cli("set", "acme/production/inference", "llm.temperature", "0.7").code == 0
    before, head = tree_digest(repo / "config"), git(repo, "rev-parse", "HEAD").stdout
    result = cli("set", "acme/production/inference", "llm.model", "!delete")
    assert result.code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("lcm: error: refused: the result would not validate")
    assert lines[1] == (
        f"{PROD}:3:3: llm.model: the effective config acme/production/inference would not "
        f"validate: {MISSING} (at {BASE}:1:1)"
    )
    assert tree_digest(repo / "config") == before
    assert git(repo, "rev-parse", "HEAD").stdout == head


def test_validate_text_says_which_effective_config_fails(repo: Path, cli) -> None:
    assert cli("set", "acme/base/inference", "llm.provider", "openai").code == 0
    result = cli("validate")
    assert result.code == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{BASE}:1:1: {MISSING} (effective config acme/")
    doc = json.loads(cli("validate", "-o", "json").stdout)
    assert doc["findings"][0]["message"] == MISSING.split(": ", 1)[1]
