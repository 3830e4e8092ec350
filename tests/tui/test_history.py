"""History of a file: commits with trailers, the semantic diff of one, rollback to it."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest
from textual.widgets import DataTable, Static

import lcm.api as api
from lcm_tui import LcmApp
from lcm_tui.screens.confirm import ConfirmScreen
from lcm_tui.screens.history import HistoryScreen

from .conftest import API_KEY, SIZE, cells, screen_text, settle

pytestmark = pytest.mark.asyncio


@pytest.fixture
def two_commits(seeded: Path) -> Path:
    repo = api.Repo.open(seeded)
    repo.set(repo.address("acme/production/inference"), ("llm", "temperature"), 0.9,
             message="hotter in production")
    return seeded


async def test_history_lists_commits_with_trailers_and_diff(two_commits: Path) -> None:
    app = LcmApp(two_commits, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one("#commits", DataTable)
        assert table.row_count == 2
        summaries = [str(table.get_row_at(i)[3]) for i in range(2)]
        assert summaries == ["hotter in production", "seed the test repo"]
        assert str(table.get_row_at(0)[2]) == "lcm tests"
        message = screen_text(app.screen.query_one("#commit-message", Static))
        assert "Lcm-Op: set" in message and "Lcm-Tenant: acme" in message
        diff = screen_text(app.screen.query_one("#commit-diff", Static))
        assert "llm.temperature: 0.1 -> 0.9" in diff
        await pilot.press("down")
        await settle(app, pilot)
        diff = screen_text(app.screen.query_one("#commit-diff", Static))
        assert "(new file)" in diff and API_KEY not in diff


async def test_rollback_is_confirmed_and_makes_one_commit(two_commits: Path) -> None:
    git = pygit2.Repository(str(two_commits))
    head_before = git.head.target
    app = LcmApp(two_commits, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert cells(app)["llm.temperature"][1] == "0.9"
        await pilot.press("h")
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # declined: nothing happens
        await settle(app, pilot)
        assert git.head.target == head_before
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        head = git[git.head.target]
        assert head.parents[0].id == head_before
        assert "Lcm-Op: rollback" in head.message
        assert app.screen.query_one("#commits", DataTable).row_count == 3
        await pilot.press("escape")
        await settle(app, pilot)
        assert cells(app)["llm.temperature"][1] == "0.1"
