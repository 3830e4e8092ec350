"""Validation before writes: `lcm set`/`unset` refuse an invalid result and write nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pygit2
import pytest

from lcm.repository.repo import Repo
from lcm.validate.gate import ValidationFailed, check_pending

from .helpers import write_sealed

BASE = "config/acme/base/inference.yaml"


@pytest.fixture
def filled(repo: Path, cli) -> Path:
    for key, value in (("llm.provider", "openai"), ("llm.model", "gpt-4o")):
        assert cli("set", "acme/base/inference", key, value).code == 0
    return repo


def head(root: Path) -> str:
    return str(pygit2.Repository(str(root)).head.target)


def test_out_of_range_value_is_refused_and_nothing_written(filled: Path, cli, tree_digest) -> None:
    before, commit = tree_digest(filled / "config"), head(filled)
    result = cli("set", "acme/base/inference", "llm.temperature", "9")
    assert result.code == 1
    assert f"{BASE}:4:16: llm.temperature: 9 is greater than the maximum of 2" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree_digest(filled / "config") == before and head(filled) == commit


def test_refused_in_a_child_env_file_that_does_not_exist_yet(filled: Path, cli) -> None:
    result = cli("set", "acme/production/inference", "llm.provider", "gpt")
    assert result.code == 1
    assert (
        "config/acme/production/inference.yaml:2:13: llm.provider: 'gpt' is not one of"
        in result.stderr
    )
    assert not (filled / "config/acme/production/inference.yaml").exists()


def test_secret_is_validated_decrypted_and_never_echoed(filled: Path, cli) -> None:
    result = cli("set", "acme/base/inference", "llm.retries", "4242", "--secret", "--type", "int")
    assert result.code == 1
    assert "llm.retries: the secret value is greater than the maximum of 10" in result.stderr
    assert "4242" not in result.stderr + result.stdout


def test_removing_a_required_key_is_refused(filled: Path, cli) -> None:
    result = cli("unset", "acme/base/inference", "llm.model")
    assert result.code == 1
    assert "needs at least one of 'model', 'model_id'" in result.stderr
    assert "model: gpt-4o" in (filled / BASE).read_text()


def test_a_new_config_is_built_one_set_at_a_time(repo: Path, cli) -> None:
    assert cli("set", "acme/base/inference", "llm.provider", "azure-openai").code == 0
    assert cli("set", "acme/base/inference", "llm.model", "gpt-4o").code == 0
    result = cli("validate")
    assert result.code == 1
    assert "missing required key 'endpoint_url'" in result.stdout


def test_existing_errors_elsewhere_do_not_block_unrelated_writes(filled: Path, cli) -> None:
    write_sealed(filled, "acme/production/inference", {"llm": {"top_p": 5}})
    assert cli("validate").code == 1
    assert cli("set", "acme/base/inference", "llm.temperature", "0.4").code == 0
    assert cli("set", "acme/production/inference", "llm.top_p", "0.9").code == 0
    assert cli("validate").code == 0


def test_check_pending_exposes_the_findings(filled: Path) -> None:
    repo = Repo.open(filled)
    path = repo.root / BASE
    text = path.read_text().replace("model: gpt-4o", "model: gpt-4o\n  retries: -1")
    with pytest.raises(ValidationFailed) as caught:
        check_pending(repo, {path: text})
    [finding] = caught.value.findings
    assert (finding.file, finding.line, finding.key, finding.keyword) == (
        BASE,
        4,
        "llm.retries",
        "minimum",
    )
    assert caught.value.code == 1


def test_unmapped_file_is_written_without_loading_jsonschema(filled: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from lcm.repository.repo import Repo\n"
        "from lcm.validate.gate import check_pending\n"
        "repo = Repo.open(Path.cwd())\n"
        "check_pending(repo, {repo.root / 'config/acme/base/misc.yaml': 'x: 1\\n'})\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=filled, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_edit_reopens_with_the_errors_as_comments(filled: Path, cli, tmp_path: Path) -> None:
    """First save is invalid: lcm re-opens the editor with the located errors on top."""
    seen = tmp_path / "second-round.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        f"seen = pathlib.Path({str(seen)!r})\n"
        "path = pathlib.Path(sys.argv[1])\n"
        "text = path.read_text()\n"
        "if 'lcm error' not in text:\n"
        "    path.write_text(text.replace('model: gpt-4o', 'model: gpt-4o\\n  temperature: 9'))\n"
        "else:\n"
        "    seen.write_text(text)\n"
        "    path.write_text(text.replace('temperature: 9', 'temperature: 0.9'))\n"
    )
    result = cli("edit", "acme/base/inference", env={"EDITOR": f"{sys.executable} {editor}"})
    assert result.code == 0, result
    assert "# lcm error: " in seen.read_text()
    assert "llm.temperature: 9 is greater than the maximum of 2" in seen.read_text()
    assert "temperature: 0.9" in (filled / BASE).read_text()
