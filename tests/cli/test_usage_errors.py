"""One usage-error format for every command (defect 4): `lcm: error: …` and at most one
hint line, exit 2, whether lcm or Click found the mistake."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import typer.main

from lcm.cli.main import app


def _commands() -> list[tuple[str, click.Command]]:
    """Every visible command path, groups' subcommands included."""
    root = typer.main.get_command(app)
    out: list[tuple[str, click.Command]] = []

    def walk(prefix: str, group: click.Group) -> None:
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            path = f"{prefix} {name}".strip()
            if isinstance(cmd, click.Group):
                walk(path, cmd)
            else:
                out.append((path, cmd))

    assert isinstance(root, click.Group)
    walk("", root)
    return out


COMMANDS = _commands()


def _assert_usage_error(result, *needles: str) -> None:
    assert result.code == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith("lcm: error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], result.stderr
    if len(lines) == 2:
        assert lines[1].startswith(("usage: lcm", "hint: ")), result.stderr
    assert "Traceback" not in result.stderr and "Try '" not in result.stderr


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_unknown_option_is_one_line_and_a_hint(path: str, repo: Path, cli) -> None:
    result = cli(*path.split(), "--no-such-flag")
    _assert_usage_error(result, "no such option", "--no-such-flag")


@pytest.mark.parametrize(
    "path", [p for p, cmd in COMMANDS
             if any(isinstance(x, click.Argument) and x.required for x in cmd.params)]
)
def test_missing_argument_is_one_line_and_the_usage(path: str, repo: Path, cli) -> None:
    result = cli(*path.split())
    _assert_usage_error(result, "missing argument")
    assert result.stderr.splitlines()[1].startswith(f"usage: lcm {path} ")


@pytest.mark.parametrize(
    "path", [p for p, cmd in COMMANDS if any(getattr(x, "name", "") in ("output", "fmt")
                                             for x in cmd.params)]
)
def test_bad_output_choice_is_one_line(path: str, repo: Path, cli) -> None:
    args = [*path.split(), "-o", "xml"]
    if path in ("get", "history"):
        args.insert(1, "acme/base/x")
    # scan checks its format itself, as its Click-free fast path does, in the same words.
    _assert_usage_error(cli(*args), "expected one of" if path == "scan" else "'xml' is not one of")


def test_a_negative_value_gets_the_double_dash_hint(repo: Path, cli) -> None:
    result = cli("set", "acme/base/app", "limit", "-5")
    _assert_usage_error(result, "no such option '-5'")
    assert result.stderr.splitlines()[1] == (
        "hint: a value starting with '-' goes after `--`, e.g. lcm set … -- -5"
    )
    assert cli("set", "acme/base/app", "limit", "--", "-5").code == 0
    assert cli("get", "acme/base/app", "limit").stdout == "-5\n"


def test_misspelt_command_or_option_suggests_one(repo: Path, cli) -> None:
    result = cli("get", "acme/base/app", "--revael")
    _assert_usage_error(result, "no such option '--revael'")
    assert result.stderr.splitlines()[1] == "hint: did you mean '--reveal'?"
    result = cli("tenant", "lst")
    _assert_usage_error(result, "no such command 'lst'")
    assert result.stderr.splitlines()[1] == "hint: did you mean 'list'?"


def test_lcm_raised_usage_errors_share_the_format(repo: Path, cli) -> None:
    _assert_usage_error(cli("set", "acme/base/app", "k", "v", "--value-stdin", input="w"))
    _assert_usage_error(cli("history", "acme", "--limit", "0"), "--limit")


def test_the_executable_prints_the_same(repo: Path, lcm_exe) -> None:
    result = lcm_exe("set", "acme/base/app", "-5", cwd=repo)
    _assert_usage_error(result, "no such option '-5'")
    scan = lcm_exe("scan", "--bogus", cwd=repo)  # the scan fast path, without Click
    _assert_usage_error(scan, "no such option: --bogus")
