"""`examples/demo.sh` (the `make demo` script) shows every command it runs, its commits
carry the demo's identity even where Git has another one, and it does the whole job
(issue 14, item 9): read, write, history, rotation, promotion, export and exec, checks
and the audit trail, on the file key store, with the TUI named but not started."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import VENV_BIN

from .helpers import PROJECT, audit_entries, git

DEMO = PROJECT / "examples/demo.sh"
WRITES = re.compile(r"^\$ .*\blcm (?:set|edit|rollback|rotate (?:secret|key|master|prune)|promote)\b")

pytestmark = pytest.mark.slow


def test_no_lcm_or_git_command_runs_unprinted() -> None:
    """After the set-up lines, every command goes through `step`/`answer`, which print it."""
    body = DEMO.read_text().split('cd "$work"\n', 1)[1]
    for line in body.splitlines():
        code = line.split("#", 1)[0].strip()
        if not code or code.startswith(("step ", "answer ", "section ", "echo")):
            continue
        pytest.fail(f"demo line runs without being shown: {line!r}")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    home = tmp_path_factory.mktemp("demo-home")
    (home / ".gitconfig").write_text("[user]\n\tname = Machine Owner\n\temail = owner@example.invalid\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "LCM_", "VAULT_", "BAO_"))}
    env.update(HOME=str(home), TMPDIR=str(home), PATH=f"{VENV_BIN}:{os.environ['PATH']}",
               GIT_CONFIG_GLOBAL=str(home / ".gitconfig"))
    proc = subprocess.run(["bash", str(DEMO)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert "Traceback" not in proc.stdout and "lcm: error" not in proc.stdout
    (work,) = home.glob("lcm-demo.*")
    return proc.stdout, work / "cfg"


def shown_output(output: str, command: str) -> str:
    """What the first printed step starting with `$ COMMAND` printed (up to the next step)."""
    steps = re.split(r"^(?=\$ )", output, flags=re.M)
    for block in steps:
        if block.startswith(f"$ {command}"):
            body = block.split("\n", 1)[1]
            return re.split(r"^# ", body, flags=re.M)[0].strip()  # up to the next section
    raise AssertionError(f"the demo shows no `{command}`")


def test_demo_commits_carry_the_demo_identity(demo_run: tuple[str, Path]) -> None:
    _, repo = demo_run
    authors = set(git(repo, "log", "--format=%an <%ae>|%cn <%ce>").stdout.splitlines())
    assert authors == {"lcm demo <demo@lcm.invalid>|lcm demo <demo@lcm.invalid>"}


def test_demo_does_the_whole_job(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    shown = "\n".join(line for line in output.splitlines() if line.startswith("$ "))
    for command in ("get", "set", "edit", "diff", "history", "rollback", "validate", "scan",
                    "audit log", "rotate status", "rotate secret", "rotate key", "promote",
                    "export", "exec"):
        assert re.search(rf"^\$ .*\blcm {command}\b", shown, re.M), command
    assert "lcm: no secrets found in" in output
    assert "ok: " in output  # validate
    assert "(exit 1: they differ)" in output
    assert not re.search(r"\x1b\[", output)  # not a terminal: no colour
    assert git(repo, "status", "--porcelain").stdout == ""
    # The file key store only: no keyring, no Vault.
    assert set(re.findall(r"backend: (\w+)", (repo / ".lcm.yaml").read_text())) == {"file"}


def test_every_commit_comes_from_a_printed_command(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    messages = git(repo, "log", "--format=%s").stdout.splitlines()
    writes = [line for line in output.splitlines()
              if WRITES.search(line) and "--dry-run" not in line]
    assert len(messages) == len(writes) + 1, messages  # + the "example repo" commit


def test_rotation_steps_show_status_overlap_and_one_commit(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    status = shown_output(output, "lcm rotate status ")
    assert "rotation status at" in status
    assert re.search(r"^  acme/base/inference llm\.api_key .* ok$", status, re.M), status
    assert re.search(r"^  v1 +active ", status, re.M), status
    secret = shown_output(output, "lcm rotate secret acme/base/inference llm.api_key --generate base62:32")
    assert "llm.api_key rotated; previous value valid until" in secret
    # The previous value is the one the demo set from stdin, revealed during the overlap.
    previous = shown_output(output, "lcm get acme/production/inference llm.api_key --previous --reveal")
    assert previous == "sk-demo-acme-1111111111111111"
    assert shown_output(output, "lcm rotate key acme").startswith(
        "acme: data key v2 active, v1 retired")
    stat_text = shown_output(output, "git show --stat")
    assert "Lcm-Op: rotate-key" in stat_text and ".lcm/keys/acme.yaml" in stat_text
    after = shown_output(output, "lcm rotate status acme")
    assert re.search(r"^  v2 +active ", after, re.M) and re.search(r"^  v1 +retired ", after, re.M)
    assert re.search(r"llm\.api_key .* in-overlap$", after, re.M), after
    # One commit holds the key file and every acme config file, re-encrypted.
    (rotated,) = git(repo, "log", "--format=%H", "--grep=^Lcm-Op: rotate-key").stdout.split()
    changed = set(git(repo, "show", "--format=", "--name-only", rotated).stdout.split())
    acme_files = {p for p in git(repo, "ls-files", "config/acme").stdout.split()}
    assert changed == acme_files | {".lcm/keys/acme.yaml"}


def test_promote_steps_show_the_plan_then_take_one_key(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    plan = shown_output(output, "lcm promote acme staging production --dry-run")
    assert '~ inference.llm.model: "gpt-4o" -> "gpt-4.1"' in plan
    assert "~ budget.limit: 25000 -> 2500" in plan  # what promoting everything would do
    assert plan.endswith("(exit 1: production would change)")
    done = shown_output(output, "lcm promote acme staging production inference --keys llm.model")
    assert "promoted acme staging -> production: 1 file(s) changed" in done
    assert "budget" not in done
    assert shown_output(output, "lcm get acme/production/inference llm.model") == "gpt-4.1"
    production = (repo / "config/acme/production/budget.yaml").read_text()
    assert "25000" in production  # the dry run changed nothing


def test_export_writes_outside_the_repo_and_exec_sees_the_config(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    exported = repo.parent / "acme-production.env"
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    text = exported.read_text()
    assert "INFERENCE_LLM_MODEL='gpt-4.1'\n" in text and "INFERENCE_LLM_API_KEY=" in text
    # the api_key rotated above is inside its overlap: its previous value is published too
    assert "INFERENCE_LLM_API_KEY_PREVIOUS=" in text
    assert "written, 28 keys (mode 0600)" in shown_output(output, "lcm export acme/production")
    assert shown_output(output, "grep -E") == (
        "INFERENCE_LLM_PROVIDER='openai'\nINFERENCE_LLM_MODEL='gpt-4.1'")
    assert shown_output(output, "lcm exec acme/production -- sh -c") == (
        "serving gpt-4.1 from https://api.openai.com/v1")


def test_the_tui_is_named_not_started(demo_run: tuple[str, Path]) -> None:
    output, repo = demo_run
    assert not re.search(r"^\$ .*\blcm tui\b", output, re.M)
    assert f"cd {repo} && lcm tui" in output


def test_the_audit_trail_names_every_exposure(demo_run: tuple[str, Path]) -> None:
    _, repo = demo_run
    ops = [entry["op"] for entry in audit_entries(repo)]
    for op in ("key-import", "reveal", "edit", "rotate-secret", "rotate-key", "promote",
               "export", "exec"):
        assert op in ops, ops
    assert "audit log verified: " in demo_run[0]
