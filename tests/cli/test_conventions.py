"""The conventions users expect: --version, `lcm help`, help text for every parameter,
one name for the output format, `get TENANT/ENV`, colour only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
from pathlib import Path

import click
import pytest
import yaml

from tests.conftest import LCM_EXE

from .test_usage_errors import COMMANDS


def test_version(cli) -> None:
    import lcm

    result = cli("--version")
    assert (result.code, result.stdout) == (0, f"lcm {lcm.__version__}\n")


def test_help_command_matches_dash_dash_help(cli) -> None:
    assert cli("help").stdout == cli("--help").stdout
    for path, _ in COMMANDS:
        words = path.split()
        assert cli("help", *words).stdout == cli(*words, "--help").stdout, path
    bad = cli("help", "tenant", "nope")
    assert bad.code == 2 and bad.stderr == (
        "lcm: error: no such command: lcm tenant nope (see `lcm tenant --help`)\n"
    )


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_every_parameter_has_help_text(path: str) -> None:
    cmd = dict(COMMANDS)[path]
    assert cmd.help, path
    for param in cmd.params:
        if isinstance(param, (click.Option, click.Argument)) and not param.hidden:
            assert getattr(param, "help", None), f"lcm {path}: {param.name} has no help"


def test_help_shows_argument_help_and_diff_shows_its_arguments(cli) -> None:
    shown = cli("get", "--help").stdout
    assert "TENANT/ENV/NAME, a config file path, or TENANT/ENV" in shown
    diff = cli("diff", "--help").stdout
    assert diff.splitlines()[0] == "Usage: lcm diff [OPTIONS] [REV [REV]] [ADDR]..."
    assert "[ARGS]" not in diff


@pytest.mark.parametrize(
    "path", [p for p, cmd in COMMANDS if any(x.name in ("output", "fmt") for x in cmd.params)]
)
def test_output_format_has_one_name_everywhere(path: str) -> None:
    (option,) = [x for x in dict(COMMANDS)[path].params if x.name in ("output", "fmt")]
    assert {"-o", "--output", "--format"} <= set(option.opts), path


def test_get_tenant_env_is_every_file_of_the_env(repo: Path, cli) -> None:
    for args in (("acme/base/inference", "llm.provider", "openai"),
                 ("acme/base/inference", "llm.model", "gpt-4o"),
                 ("acme/production/inference", "llm.temperature", "0.7"),
                 ("acme/base/app", "feature.beta", "true"),
                 ("acme/production/router/models", "default", "fast")):
        assert cli("set", *args).code == 0
    expected = {
        "app": {"feature": {"beta": True}},
        "inference": {"llm": {"provider": "openai", "model": "gpt-4o", "temperature": 0.7}},
        "router/models": {"default": "fast"},
    }
    assert yaml.safe_load(cli("get", "acme/production").stdout) == expected
    assert json.loads(cli("get", "acme/production", "--format", "json").stdout) == expected
    env = cli("get", "acme/production", "--output", "env").stdout.splitlines()
    assert env == ["APP_FEATURE_BETA=true", "INFERENCE_LLM_PROVIDER=openai",
                   "INFERENCE_LLM_MODEL=gpt-4o", "INFERENCE_LLM_TEMPERATURE=0.7",
                   "ROUTER_MODELS_DEFAULT=fast"]
    assert cli("get", "acme/staging", "inference.llm.model").stdout == "gpt-4o\n"
    rows = json.loads(cli("get", "acme/production", "--explain", "-o", "json").stdout)
    assert {(r["key"], r["file"], r["line"]) for r in rows if r["key"].endswith("temperature")} \
        == {("inference.llm.temperature", "config/acme/production/inference.yaml", 2)}
    assert cli("get", "acme/nope").code == 3
    assert cli("get", "acme").code == 2


def test_get_tenant_env_reveal_audits_every_key_with_its_file(repo: Path, cli) -> None:
    from .helpers import audit_entries

    assert cli("set", "acme/base/app", "db.password", "s3cret-FAKE-1", "--secret").code == 0
    result = cli("get", "acme/production", "--reveal", "-o", "json")
    assert json.loads(result.stdout)["app"]["db"]["password"] == "s3cret-FAKE-1"
    (entry,) = [e for e in audit_entries(repo) if e["op"] == "reveal"]
    assert (entry["address"], entry["keys"]) == ("acme/production", ["app.db.password"])


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run lcm with stdout on a pseudo-terminal; return what it printed there."""
    main, child = pty.openpty()
    proc = subprocess.Popen([str(LCM_EXE), *args], cwd=cwd, env=env, stdout=child,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode()


def test_colour_and_tables_only_on_a_terminal_without_no_color(repo: Path, cli) -> None:
    broken = repo / "config/acme/base/inference.yaml"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_text("llm:\n  temperature: 9\n")  # a hand edit validate reports
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    coloured = _on_a_terminal(["validate"], repo, env)
    assert "\x1b[" in coloured and "temperature" in coloured
    plain = _on_a_terminal(["validate"], repo, env | {"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "temperature" in plain
    piped = subprocess.run([str(LCM_EXE), "validate"], cwd=repo, env=env, capture_output=True,
                           text=True, timeout=60)
    assert "\x1b[" not in piped.stdout and "temperature" in piped.stdout
    table = _on_a_terminal(["tenant", "list"], repo, env)
    assert "tenant" in table and "backend" in table  # the table's header row
    assert cli("tenant", "list").stdout == "acme\tfile\tdata key v1\n"  # pipes: plain
