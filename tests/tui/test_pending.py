"""Pending changes: the masked diff, one commit with the typed message, discard, quitting."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest
from textual.widgets import Input, Static

from lcm_tui import LcmApp
from lcm_tui.screens.commit import CommitScreen
from lcm_tui.screens.confirm import ConfirmScreen
from lcm_tui.screens.pending import PendingScreen

from .conftest import API_KEY, SIZE, cells, screen_text, select_key, settle

pytestmark = pytest.mark.asyncio


def _head(root: Path) -> pygit2.Commit:
    git = pygit2.Repository(str(root))
    return git[git.head.target]


async def _stage_two_edits(app: LcmApp, pilot) -> None:
    await select_key(app, pilot, "llm.temperature")
    await pilot.press("e")
    await settle(app, pilot)
    app.screen.query_one("#value", Input).value = "0.4"
    await pilot.press("enter")
    await settle(app, pilot)
    await select_key(app, pilot, "llm.api_key")
    await pilot.press("e")
    await settle(app, pilot)
    app.screen.query_one("#value", Input).value = "sk-test-FAKE-rotated-999"
    await pilot.press("enter")
    await settle(app, pilot)
    assert app.session.pending_count == 2


async def test_pending_diff_is_masked_and_lists_the_edits(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _stage_two_edits(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, PendingScreen)
        edits = screen_text(app.screen.query_one("#edits", Static))
        diff = screen_text(app.screen.query_one("#diff", Static))
        assert "set acme/production/inference llm.temperature" in edits
        assert "llm.temperature: 0.1 -> 0.4" in diff
        assert "llm.api_key" in diff and "********" in diff
        assert "sk-test-FAKE-rotated-999" not in diff and API_KEY not in diff
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.session.pending_count == 2


async def test_commit_makes_one_commit_with_the_typed_message(seeded: Path) -> None:
    before = _head(seeded)
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _stage_two_edits(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitScreen)
        await pilot.press("enter")  # an empty message is refused
        await settle(app, pilot)
        assert "type a commit message" in screen_text(app.screen.query_one("#error"))
        await pilot.press(*"warmer and rotated")
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, CommitScreen)
        head = _head(seeded)
        assert head.parents[0].id == before.id  # exactly one new commit
        assert head.message.splitlines()[0] == "warmer and rotated"
        assert "Lcm-Tenant: acme" in head.message
        assert app.session.pending_count == 0
        assert "no pending changes" in screen_text(app.query_one("#pending"))
        assert cells(app)["llm.temperature"][1:4] == ["0.4", "float", "this file:2"]
        text = (seeded / "config/acme/production/inference.yaml").read_text()
        assert "sk-test-FAKE-rotated-999" not in text and "ENC[" in text


async def test_commit_from_the_pending_screen(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _stage_two_edits(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitScreen)


async def test_discard_forgets_every_staged_edit(seeded: Path) -> None:
    before = _head(seeded).id
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _stage_two_edits(app, pilot)
        await pilot.press("D")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert app.session.pending_count == 0
        assert cells(app)["llm.temperature"][1] == "0.1"
        assert _head(seeded).id == before


async def test_quit_with_pending_changes_asks_first(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _stage_two_edits(app, pilot)
        await pilot.press("q")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(app, pilot)
        assert app.is_running and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("q")
        await settle(app, pilot)
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_quit_without_pending_changes_exits_at_once(seeded: Path) -> None:
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
