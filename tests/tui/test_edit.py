"""Editing: typed values staged through the change-set's validation; refusals change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select, Static, TextArea

import lcm.api as api
from lcm_tui import LcmApp
from lcm_tui.screens.edit import EditScreen

from .conftest import API_KEY, SIZE, cells, screen_text, select_key, settle

pytestmark = pytest.mark.asyncio


async def _type_value(app: LcmApp, pilot, text: str) -> None:
    value = app.screen.query_one("#value", Input)
    value.value = text
    value.focus()
    await pilot.press("enter")
    await settle(app, pilot)


async def test_edit_accepted_is_staged_and_typed(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.temperature")
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, EditScreen)
        assert app.screen.query_one("#value", Input).value == "0.1"
        await _type_value(app, pilot, "0.7")
        assert not isinstance(app.screen, EditScreen)
        # the table shows the staged result as the commit will write it
        assert cells(app)["llm.temperature"][1:4] == ["0.7", "float", "this file:2"]
        assert app.session.pending_count == 1
        assert "1 pending" in screen_text(app.query_one("#pending"))
        staged = app.session.changes.staged_plain(api.Address("acme", "production", "inference"))
        assert staged == {"llm": {"temperature": 0.7}}
        # nothing on disk yet
        assert "0.7" not in (seeded / "config/acme/production/inference.yaml").read_text()


async def test_edit_refused_shows_the_error_next_to_the_field(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = (seeded / "config/acme/production/inference.yaml").read_bytes()
        await select_key(app, pilot, "llm.temperature")
        await pilot.press("e")
        await settle(app, pilot)
        await _type_value(app, pilot, "9")
        assert isinstance(app.screen, EditScreen)
        error = screen_text(app.screen.query_one("#error", Static))
        assert "llm.temperature" in error and "maximum" in error
        assert app.session.pending_count == 0
        await pilot.press("escape")
        await settle(app, pilot)
        assert cells(app)["llm.temperature"][1] == "0.1"
        assert (seeded / "config/acme/production/inference.yaml").read_bytes() == before


async def test_wrong_type_for_the_chosen_kind_is_refused(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/base/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.max_tokens")
        await pilot.press("e")
        await settle(app, pilot)
        await _type_value(app, pilot, "lots")
        assert "not a valid int" in screen_text(app.screen.query_one("#error", Static))
        assert app.session.pending_count == 0


async def test_multiline_string_is_edited_in_a_text_area(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/base/router/models")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "notes")
        await pilot.press("e")
        await settle(app, pilot)
        area = app.screen.query_one("#text", TextArea)
        assert area.display and area.text == "first line\nsecond line"
        area.text = "one\ntwo\nthree"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        staged = app.session.changes.staged_plain(api.Address("acme", "base", "router/models"))
        assert staged["notes"] == "one\ntwo\nthree"


async def test_add_key_with_a_chosen_type(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/base/router/models")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#key", Input).value = "limits.enabled"
        app.screen.query_one("#kind", Select).value = "bool"
        await pilot.pause()
        await _type_value(app, pilot, "true")
        assert cells(app)["limits.enabled"][1] == "true"
        staged = app.session.changes.staged_plain(api.Address("acme", "base", "router/models"))
        assert staged["limits"] == {"enabled": True}


async def test_unset_and_delete_marker(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.max_tokens")
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        # the marker hides the inherited key: a `delete` row of this file
        assert cells(app)["llm.max_tokens"][1:4] == ["!delete", "delete", "this file:3"]
        await select_key(app, pilot, "llm.temperature")
        await pilot.press("u")
        await settle(app, pilot)
        # unset here: the inherited value shows again, from base
        assert cells(app)["llm.temperature"][1:4] == ["0.2", "float", "base/inference:4"]
        addr = api.Address("acme", "production", "inference")
        assert app.session.changes.staged_plain(addr) == {"llm": {"max_tokens": api.DELETE}}
        assert app.session.pending_count == 2
        await pilot.press("t")  # the file's own stored keys: only the marker is left
        await settle(app, pilot)
        assert list(cells(app)) == ["llm.max_tokens"]
        assert cells(app)["llm.max_tokens"][1:3] == ["!delete", "delete"]
        await select_key(app, pilot, "llm.max_tokens")
        await pilot.press("u")  # unset the marker: what is left is an empty map
        await settle(app, pilot)
        assert list(cells(app)) == ["llm"] and cells(app)["llm"][1:3] == ["{}", "map"]
        await pilot.press("t")
        await settle(app, pilot)
        assert cells(app)["llm.max_tokens"][1:4] == ["1024", "int", "base/inference:5"]


async def test_added_keys_show_as_rows_with_their_type(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#key", Input).value = "llm.stop"
        app.screen.query_one("#kind", Select).value = "str"
        await pilot.pause()
        await _type_value(app, pilot, "0.3")  # typed as a string, not a float
        row = cells(app)["llm.stop"]
        assert row[1:4] == ["0.3", "str", "this file:3"]
        assert app.query_one("#table").selected_key == "llm.stop"  # type: ignore[attr-defined]


async def test_a_staged_secret_is_masked_and_reveals_the_staged_value(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.api_key")
        await pilot.press("r")
        await settle(app, pilot)
        assert cells(app)["llm.api_key"][1] == API_KEY
        await pilot.press("e")
        await settle(app, pilot)
        await _type_value(app, pilot, "sk-test-FAKE-staged-42")
        # the old plaintext is hidden again; the new value is masked and lives here now
        assert cells(app)["llm.api_key"][1:4] == ["********", "str secret", "this file:3"]
        await select_key(app, pilot, "llm.api_key")
        await pilot.press("r")
        await settle(app, pilot)
        assert cells(app)["llm.api_key"][1] == "sk-test-FAKE-staged-42"


async def test_a_new_file_opens_empty(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/staging/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        app.screen.query_one("#name", Input).value = "limits"
        await pilot.press("enter")
        await settle(app, pilot)
        app.open_address("acme/staging/limits")
        await settle(app, pilot)
        assert str(app.current) == "acme/staging/limits" and cells(app) == {}
        assert "error" not in screen_text(app.query_one("#file-status"))


async def test_unset_of_an_inherited_key_is_refused(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.model")
        await pilot.press("u")
        await settle(app, pilot)
        assert any("no key llm.model" in n.message for n in app._notifications)
        assert app.session.pending_count == 0


async def test_create_a_file_in_an_env(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/staging/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        app.screen.query_one("#name", Input).value = "prompts/greeting"
        app.screen.query_one("#name", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert "acme/staging/prompts/greeting" in app.file_addresses
        assert app.session.pending_count == 1
        assert [str(e) for e in app.session.changes.edits] == [
            "create acme/staging/prompts/greeting"]


async def test_mouse_row_click_edits_and_button_stages(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.query_one("#table")
        row = table.get_row_index("llm.temperature")  # type: ignore[attr-defined]
        await pilot.click("#table", offset=(3, row + 1))
        await settle(app, pilot)
        if not isinstance(app.screen, EditScreen):  # first click selects, second edits
            await pilot.click("#table", offset=(3, row + 1))
            await settle(app, pilot)
        assert isinstance(app.screen, EditScreen)
        app.screen.query_one("#value", Input).value = "0.25"
        await pilot.click("#save")
        await settle(app, pilot)
        assert cells(app)["llm.temperature"][1] == "0.25"
        detail = screen_text(app.query_one("#row-detail"))
        assert "config/acme/production/inference.yaml:2" in detail
        assert "Sampling temperature" in detail


async def test_a_delete_marker_row_can_be_given_a_value_again(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.max_tokens")
        await pilot.press("x")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        await select_key(app, pilot, "llm.max_tokens")
        await pilot.press("x")  # marking it again changes nothing
        await settle(app, pilot)
        assert any("already marked !delete" in n.message for n in app._notifications)
        assert app.session.pending_count == 1
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, EditScreen)
        assert app.screen.query_one("#key", Input).value == "llm.max_tokens"
        assert app.screen.query_one("#value", Input).value == ""
        await _type_value(app, pilot, "512")
        assert cells(app)["llm.max_tokens"][1:4] == ["512", "int", "this file:3"]
