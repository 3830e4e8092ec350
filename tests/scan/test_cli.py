"""`lcm scan` and `python -m lcm.scan` as users run them: output formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .corpus import Keys

KEYS = Keys(11)
GROQ = "gs" + "k_" + KEYS.s(52)
PASSWORD = KEYS.s(16)


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    """A folder with one clean file and one file holding two secrets (lines 2 and 4)."""
    (tmp_path / "clean.yaml").write_text("model: gpt-4o\ntemperature: 0.2\n")
    (tmp_path / "app.env").write_text(
        f"# app\nGROQ_API_KEY={GROQ}\nMODEL=llama3\nDB_PASSWORD={PASSWORD}\n"
    )
    return tmp_path


def test_clean_file_exits_0_with_empty_stdout_and_says_so_on_stderr(scan, leaky: Path) -> None:
    run = scan(leaky / "clean.yaml")
    assert (run.code, run.stdout, run.stderr) == (0, "", "lcm: no secrets found in 1 file\n")
    assert scan(leaky, "--format", "json").stderr == ""  # machine formats say nothing extra


def test_text_output_names_file_line_column_rule_and_a_redacted_preview(scan, leaky: Path) -> None:
    run = scan("app.env", "clean.yaml", cwd=leaky)
    assert run.code == 1
    assert run.stdout.splitlines() == [
        "app.env:2:14: groq-api-key: gsk_********",
        f"app.env:4:13: generic-secret: {PASSWORD[:4]}********",
    ]
    assert GROQ not in run.stdout + run.stderr and PASSWORD not in run.stdout + run.stderr
    assert run.stderr == "lcm: 2 finding(s) in 1 file(s)\n"


def test_folder_scan_recurses(scan, leaky: Path) -> None:
    (leaky / "sub").mkdir()
    (leaky / "sub" / "deep.py").write_text(f'KEY = "{GROQ}"\n')
    run = scan(".", cwd=leaky)
    assert run.code == 1
    assert sorted(line.split(":")[0] for line in run.stdout.splitlines()) == [
        "app.env",
        "app.env",
        "sub/deep.py",
    ]


def test_json_output_is_stable_and_documented(scan, leaky: Path) -> None:
    run = scan("--format", "json", "app.env", cwd=leaky)
    assert run.code == 1
    doc = json.loads(run.stdout)
    assert doc["version"] == 1
    assert doc["summary"] == {"findings": 2, "scanned": 1, "baselined": 0, "unreadable": []}
    assert doc["findings"][0] == {
        "rule": "groq-api-key",
        "description": "Groq API key",
        "path": "app.env",
        "line": 2,
        "column": 14,
        "end_line": 2,
        "commit": None,
        "preview": "gsk_********",
    }
    assert GROQ not in run.stdout


def test_sarif_output(scan, leaky: Path) -> None:
    run = scan("--format=sarif", "app.env", cwd=leaky)
    assert run.code == 1
    doc = json.loads(run.stdout)
    assert doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
    (sarif_run,) = doc["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    results = sarif_run["results"]
    assert [r["ruleId"] for r in results] == ["groq-api-key", "generic-secret"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "app.env"
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert GROQ not in run.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "--format xml: expected one of text, json, sarif"),
        (["--since", "HEAD"], "--since needs --history"),
        (["--staged", "--history"], "--staged and --history cannot be combined"),
        (["--update-baseline"], "--update-baseline needs --baseline FILE"),
        (["--bogus"], "no such option: --bogus"),
        (["--baseline"], "--baseline needs a value"),
    ],
)
def test_usage_mistakes_exit_2_with_one_line(
    scan, leaky: Path, args: list[str], message: str
) -> None:
    run = scan(*args, "clean.yaml", cwd=leaky) if args != ["--baseline"] else scan(*args, cwd=leaky)
    assert run.code == 2, run
    assert run.stderr.count("\n") == 1 and message in run.stderr
    assert "Traceback" not in run.stderr


def test_unreadable_path_exits_3_and_still_scans_the_rest(scan, leaky: Path) -> None:
    run = scan("missing.yaml", "app.env", cwd=leaky)
    assert run.code == 3
    assert "lcm: error: missing.yaml: cannot read: no such file or directory\n" in run.stderr
    assert "groq-api-key" in run.stdout
    assert "Traceback" not in run.stderr


def test_unreadable_file_permission(scan, leaky: Path) -> None:
    locked = leaky / "locked.env"
    locked.write_text("x=1\n")
    locked.chmod(0)
    try:
        run = scan("locked.env", cwd=leaky)
    finally:
        locked.chmod(0o644)
    import os

    if os.geteuid() == 0:  # root reads anything: then the file is simply clean
        assert run.code == 0
    else:
        assert run.code == 3 and "cannot read" in run.stderr


def test_typer_command_matches_the_hook_entry(cli, scan, leaky: Path, monkeypatch) -> None:
    monkeypatch.chdir(leaky)
    typer_run = cli("scan", "--format", "json", "app.env", "clean.yaml")
    hook_run = scan("--format", "json", "app.env", "clean.yaml", cwd=leaky)
    assert typer_run.code == hook_run.code == 1
    assert typer_run.stdout == hook_run.stdout


def test_typer_command_usage_error_is_one_line(cli, leaky: Path, monkeypatch) -> None:
    monkeypatch.chdir(leaky)
    result = cli("scan", "--format", "xml", "app.env")
    assert result.code == 2
    assert result.stderr == "lcm: error: --format xml: expected one of text, json, sarif\n"


def test_lock_files_and_binaries_are_skipped(scan, tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text(f'{{"token": "{GROQ}"}}\n')
    (tmp_path / "blob.bin").write_bytes(b"\0\1" + GROQ.encode())
    (tmp_path / "data.txt").write_bytes(b"\0binary\0" + GROQ.encode())
    assert scan(".", cwd=tmp_path).code == 0


def test_config_file_excludes_allows_and_disables(scan, leaky: Path) -> None:
    (leaky / "fixtures").mkdir()
    (leaky / "fixtures" / "keys.env").write_text(f"GROQ_API_KEY={GROQ}\n")
    (leaky / ".lcm-scan.yaml").write_text(
        f"exclude: ['fixtures/*']\nallow: ['^{PASSWORD[:6]}']\ndisable: []\n"
    )
    run = scan(".", cwd=leaky)
    assert [line.split(": ")[1] for line in run.stdout.splitlines()] == ["groq-api-key"]
    (leaky / ".lcm-scan.yaml").write_text("disable: [groq-api-key, generic-secret]\n")
    assert scan(".", cwd=leaky).code == 0


def test_bad_config_is_one_line_exit_3(scan, leaky: Path) -> None:
    (leaky / ".lcm-scan.yaml").write_text("disable: [no-such-rule]\n")
    run = scan(".", cwd=leaky)
    assert run.code == 3
    assert (
        run.stderr
        == "lcm: error: "
        + str(leaky / ".lcm-scan.yaml")
        + ": disable: unknown rule id 'no-such-rule'\n"
    )


def test_file_names_that_are_not_utf8_are_printed_not_crashed_on(scan, tmp_path: Path) -> None:
    import os

    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.env"), "w") as handle:
        handle.write(f"GROQ_API_KEY={GROQ}\n")
    run = scan(".", cwd=tmp_path)
    assert run.code == 1 and run.stdout == "bad\ufffd.env:1:14: groq-api-key: gsk_********\n"
