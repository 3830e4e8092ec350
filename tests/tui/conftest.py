"""Fixtures for the TUI tests: a seeded config repo, and helpers to wait on the app."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

import lcm.api as api  # noqa: E402

API_KEY = "sk-test-FAKE-tui-0123456789abcdef"
SIZE = (120, 36)


def seed(root: Path) -> None:
    """A small repo: base and production inference, a namespaced file, one secret."""
    repo = api.Repo.open(root)
    base = repo.address("acme/base/inference")
    prod = repo.address("acme/production/inference")
    models = repo.address("acme/base/router/models")
    cs = repo.changes(check_each=False)
    cs.set(base, ("llm", "provider"), "openai")
    cs.set(base, ("llm", "model"), "gpt-4o")
    cs.set(base, ("llm", "temperature"), 0.2)
    cs.set(base, ("llm", "max_tokens"), 1024)
    cs.set(base, ("llm", "api_key"), API_KEY, secret=True)
    cs.set(prod, ("llm", "temperature"), 0.1)
    cs.set(models, ("default",), "gpt-4o")
    cs.set(models, ("notes",), "first line\nsecond line")
    cs.commit("seed the test repo")


@pytest.fixture
def seeded(repo: Path) -> Path:
    seed(repo)
    return repo


async def settle(app: object, pilot: object) -> None:
    """Wait until every worker finished and the messages they posted were handled."""
    for _ in range(3):
        await app.workers.wait_for_complete()  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]


def cells(app: object) -> dict[str, list[str]]:
    """The config table as {key path: [cell texts]}."""
    from lcm_tui.widgets.config_table import ConfigTable

    table = app.query_one(ConfigTable)  # type: ignore[attr-defined]
    return {str(k.value): [str(c) for c in table.get_row(k)] for k in table.rows}


async def select_key(app: object, pilot: object, key: str) -> None:
    """Move the table cursor onto a key and give the table the focus."""
    from lcm_tui.widgets.config_table import ConfigTable

    table = app.query_one(ConfigTable)  # type: ignore[attr-defined]
    assert table.select_key(key), key
    table.focus()
    await pilot.pause()  # type: ignore[attr-defined]


def screen_text(widget: object) -> str:
    """What a Static/Label currently shows, as plain text."""
    return str(widget.render())  # type: ignore[attr-defined]


# ---- a repository whose bytes, keys and commits are the same on every run (snapshots) ----

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE_SECRETS = ("sk-demo-acme-0000000000000000", "demo-globex-key-1111111111111111")


def _git(root: Path, *args: str, date: str) -> None:
    import os
    import subprocess

    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """examples/repo with the demo keys imported and two commits at fixed dates, so file
    contents, commit ids and dates are identical in every run."""
    import shutil

    from tests.conftest import run_cli

    root = tmp_path / "cfg"
    shutil.copytree(EXAMPLES / "repo", root)
    for tenant in ("acme", "globex"):
        result = run_cli(["-C", str(root), "key", "import", tenant],
                         input=(EXAMPLES / "demo-keys" / f"{tenant}.key").read_text())
        assert result.code == 0, result
    _git(root, "init", "-q", "-b", "main", date="2026-01-05T09:00:00Z")
    _git(root, "add", "-A", ":!config/acme/production", date="2026-01-05T09:00:00Z")
    _git(root, "commit", "-q", "-m", "example repo\n\nLcm-Op: init",
         date="2026-01-05T09:00:00Z")
    _git(root, "add", "-A", date="2026-01-06T14:30:00Z")
    _git(root, "commit", "-q", "-m", "production overrides\n\nLcm-Op: set\nLcm-Tenant: acme\n"
         "Lcm-Paths: config/acme/production/inference.yaml", date="2026-01-06T14:30:00Z")
    return root
