"""The validation panel (jump to the file and key) and the rotation-status panel."""

from __future__ import annotations

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


async def test_rotation_panel_lists_offenders_first(seeded: Path, monkeypatch) -> None:
    monkeypatch.setenv("LCM_NOW", "2031-01-01T00:00:00Z")  # everything is overdue by then
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
        assert note == f"{len(rows)} items"
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, RotationScreen)
