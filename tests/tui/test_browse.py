"""Browsing: the tree of tenants, envs and files, the table, the effective/stored toggle."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcm_tui import LcmApp
from lcm_tui.widgets.config_table import ConfigTable
from lcm_tui.widgets.repo_tree import RepoTree

from .conftest import API_KEY, SIZE, settle

pytestmark = pytest.mark.asyncio


def _cells(app: LcmApp) -> dict[str, list[str]]:
    table = app.query_one(ConfigTable)
    return {str(k.value): [str(c) for c in table.get_row(k)] for k in table.rows}


async def test_tree_lists_tenants_envs_and_nested_files(seeded: Path) -> None:
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tree = app.query_one(RepoTree)
        tenants = [str(n.label).split()[0] for n in tree.root.children]
        assert tenants == ["acme"]
        envs = [str(n.label) for n in tree.root.children[0].children]
        assert envs == ["base", "development", "staging", "production"]
        base = tree.root.children[0].children[0]
        labels = [str(n.label) for n in base.children]
        assert labels == ["inference", "router/"]
        assert [str(n.label) for n in base.children[1].children] == ["models"]
        assert "acme/production/router/models" in app.file_addresses  # inherited


async def test_open_file_shows_rows_with_provenance_and_masked_secret(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        cells = _cells(app)
        assert cells["llm.temperature"][1:4] == ["0.1", "float", "this file:2"]
        assert cells["llm.model"][3] == "base/inference:3"
        assert "config/acme/base/inference.yaml:3" not in cells["llm.model"]
        assert cells["llm.api_key"][1] == "********"
        assert cells["llm.api_key"][2] == "str secret"
        assert "temperature" in cells["llm.temperature"][4].lower()
        assert all(API_KEY not in " ".join(row) for row in cells.values())


async def test_keyboard_browsing_opens_the_highlighted_file(seeded: Path) -> None:
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter", "down")  # acme > base (expand) > inference
        await settle(app, pilot)
        assert str(app.current) == "acme/base/inference"
        assert "llm.api_key" in _cells(app)


async def test_mouse_click_on_a_file_opens_it(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/base/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tree = app.query_one(RepoTree)
        node = next(n for a, n in tree._files.items() if a == "acme/base/router/models")
        await pilot.click(RepoTree, offset=(10, node.line - tree.scroll_offset.y))
        await settle(app, pilot)
        assert str(app.current) == "acme/base/router/models"
        assert _cells(app)["notes"][1] == "first line …"


async def test_toggle_between_effective_and_stored_keys(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(_cells(app)) == 5
        await pilot.press("t")
        await settle(app, pilot)
        assert list(_cells(app)) == ["llm.temperature"]
        assert "stored keys" in str(app.query_one("#file-title").render())
        await pilot.press("t")
        await settle(app, pilot)
        assert len(_cells(app)) == 5


async def test_palette_lists_actions_and_files(seeded: Path) -> None:
    from lcm_tui.commands import ActionsProvider, FilesProvider

    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        actions = [text for _a, text, _k in app.palette_actions(app.screen)]
        for wanted in ("Reveal", "Edit", "Commit", "History", "Validate"):
            assert wanted in actions
        assert any(a.startswith("Rotation status") for a in actions)
        assert ActionsProvider in app.COMMANDS and FilesProvider in app.COMMANDS
        await pilot.press("ctrl+p")
        await pilot.press(*"production/router")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(app.current) == "acme/production/router/models"


async def test_every_action_key_shows_in_the_footer_with_edits_pending(seeded: Path) -> None:
    from tests.tui.test_no_plaintext import visible_text
    from textual.widgets import Input

    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for pending in (False, True):
            shown = visible_text(app.export_screenshot())
            for binding in LcmApp.BINDINGS:
                assert f"{binding.key} {binding.description}" in shown, (pending, binding)
            assert "^p palette" in shown
            assert app.query_one(ConfigTable).select_key("llm.temperature")
            app.query_one(ConfigTable).focus()
            await pilot.press("e")
            await settle(app, pilot)
            app.screen.query_one("#value", Input).value = "0.3"
            await pilot.press("enter")
            await settle(app, pilot)
        assert "2 pending" in visible_text(app.export_screenshot())
