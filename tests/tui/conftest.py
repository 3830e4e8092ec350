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
