"""The validation panel (jump to the file and key) and the rotation-status panel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

import lcm.api as api
from lcm_tui import LcmApp
from lcm_tui.screens.rotation import RotationScreen
from lcm_tui.screens.validation import ValidationScreen
from lcm_tui.widgets.config_table import ConfigTable

from .conftest import SIZE, screen_text, settle

pytestmark = pytest.mark.asyncio


@pytest.fixture
def invalid(seeded: Path) -> Path:
    # a config missing a required key is valid per file but not as an effective config
    repo = api.Repo.open(seeded)
    repo.set(repo.address("acme/staging/budget"), ("currency",), "EUR")
    return seeded


async def test_validation_lists_located_findings_and_jumps(invalid: Path) -> None:
    app = LcmApp(invalid)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, ValidationScreen)
        table = app.screen.query_one("#findings", DataTable)
        assert table.row_count >= 1
        where = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert any(w.startswith("config/acme/staging/budget.yaml:") for w in where)
        index = next(i for i, w in enumerate(where) if "staging/budget" in w)
        table.move_cursor(row=index)
        await pilot.press("enter")
        await settle(app, pilot)
        assert str(app.current) == "acme/staging/budget"
        assert app.focused is app.query_one(ConfigTable)


async def test_clean_repository_says_so(seeded: Path) -> None:
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        summary = screen_text(app.screen.query_one("#validation-summary", Static))
        assert summary.startswith("no problems found")


def _a_year_later() -> str:
    """A time when every secret and data key of a repo made now is overdue."""
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=365)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_rotation_panel_lists_offenders_first(seeded: Path, monkeypatch) -> None:
    monkeypatch.setenv("LCM_NOW", _a_year_later())
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, RotationScreen)
        table = app.screen.query_one("#rotation-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows and rows[0][0] == "overdue"
        assert any("data key v1" in r[1] for r in rows)
        assert any(r[1].endswith("llm.api_key") for r in rows)
        note = screen_text(app.screen.query_one("#rotation-note", Static))
        assert note == f"{len(rows)} items, {len(rows)} to fix (f shows the command)"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, RotationScreen)


async def test_rotation_fix_command_is_shown_and_copied(seeded: Path, monkeypatch) -> None:
    monkeypatch.setenv("LCM_NOW", _a_year_later())
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        table = app.screen.query_one("#rotation-table", DataTable)
        items = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        secret = items.index("acme/base/inference llm.api_key")
        table.move_cursor(row=secret)
        await pilot.pause()
        wanted = "lcm rotate secret acme/base/inference llm.api_key --value-stdin"
        assert screen_text(app.screen.query_one("#rotation-fix", Static)) == f"fix: {wanted}"
        await pilot.press("f")
        await pilot.pause()
        assert app.clipboard == wanted
        assert any(wanted in n.message for n in app._notifications)
        table.move_cursor(row=next(i for i, t in enumerate(items) if "data key v1" in t))
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == "lcm rotate key acme"


async def test_rotation_panel_without_offenders_has_nothing_to_fix(seeded: Path) -> None:
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await settle(app, pilot)
        assert screen_text(app.screen.query_one("#rotation-fix", Static)) == ""
        await pilot.press("f")
        await pilot.pause()
        assert any("nothing to fix" in n.message for n in app._notifications)
        assert app.clipboard == ""


async def test_rotation_panel_and_its_actions_are_in_the_palette(seeded: Path,
                                                                 monkeypatch) -> None:
    monkeypatch.setenv("LCM_NOW", _a_year_later())
    app = LcmApp(seeded)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"rotation status")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RotationScreen)
        actions = [text for _a, text, _k in app.palette_actions(app.screen)]
        assert actions == ["Back", "Show and copy the command that fixes the highlighted item"]
        await pilot.press("ctrl+p", *"copy the command")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RotationScreen)
        assert app.clipboard.startswith("lcm rotate ")
