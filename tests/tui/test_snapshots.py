"""Snapshots of the main screens, one class per feature (as posting's tests do).

Run `pytest tests/tui/test_snapshots.py --snapshot-update` after a deliberate change and
look at the report before committing the SVGs. None of them may hold a secret's plaintext
(test_no_snapshot_holds_a_secret).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from lcm_tui import LcmApp

from .conftest import settle

SNAPSHOT_SIZE = (120, 34)
PROD = "acme/production/inference"


def steps(*keys: str, then: Callable[[Pilot[Any]], Any] | None = None) -> Callable[..., Any]:
    """A run_before: press keys (waiting for workers after each), then turn blinking off."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        if then is not None:
            result = then(pilot)
            if hasattr(result, "__await__"):
                await result
            await settle(app, pilot)
        for widget in app.screen.query("Input, TextArea"):
            assert isinstance(widget, (Input, TextArea))
            widget.cursor_blink = False
        await pilot.pause()

    return run


def focus_key(key: str) -> Callable[[Pilot[Any]], None]:
    def run(pilot: Pilot[Any]) -> None:
        table = pilot.app.query_one("#table")
        table.select_key(key)  # type: ignore[attr-defined]
        table.focus()

    return run


def set_input(selector: str, text: str) -> Callable[[Pilot[Any]], None]:
    def run(pilot: Pilot[Any]) -> None:
        pilot.app.screen.query_one(selector, Input).value = text

    return run


class TestBrowse:
    def test_start(self, snap_compare, example_repo: Path) -> None:
        assert snap_compare(LcmApp(example_repo), run_before=steps(),
                            terminal_size=SNAPSHOT_SIZE)

    def test_effective_view(self, snap_compare, example_repo: Path) -> None:
        assert snap_compare(LcmApp(example_repo, open_address=PROD), run_before=steps(),
                            terminal_size=SNAPSHOT_SIZE)

    def test_stored_view(self, snap_compare, example_repo: Path) -> None:
        assert snap_compare(LcmApp(example_repo, open_address=PROD), run_before=steps("t"),
                            terminal_size=SNAPSHOT_SIZE)

    def test_namespaced_file(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address="acme/base/prompts/support")
        assert snap_compare(app, run_before=steps(), terminal_size=SNAPSHOT_SIZE)


class TestEdit:
    def test_editor(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)
        run = steps(then=focus_key("llm.temperature"))

        async def then_edit(pilot: Pilot[Any]) -> None:
            await run(pilot)
            await pilot.press("e")
            await steps()(pilot)

        assert snap_compare(app, run_before=then_edit, terminal_size=SNAPSHOT_SIZE)

    def test_refused_edit_shows_the_error(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)

        async def run(pilot: Pilot[Any]) -> None:
            await steps(then=focus_key("llm.temperature"))(pilot)
            await steps("e", then=set_input("#value", "7"))(pilot)
            await steps("enter")(pilot)

        assert snap_compare(app, run_before=run, terminal_size=SNAPSHOT_SIZE)

    def test_add_key(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)
        assert snap_compare(app, run_before=steps("a"), terminal_size=SNAPSHOT_SIZE)

    def test_delete_marker_confirmation(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)

        async def run(pilot: Pilot[Any]) -> None:
            await steps(then=focus_key("llm.max_tokens"))(pilot)
            await steps("x")(pilot)

        assert snap_compare(app, run_before=run, terminal_size=SNAPSHOT_SIZE)


async def _stage_temperature(pilot: Pilot[Any]) -> None:
    await steps(then=focus_key("llm.temperature"))(pilot)
    await steps("e", then=set_input("#value", "0.3"))(pilot)
    await steps("enter")(pilot)
    await steps(then=focus_key("llm.max_tokens"))(pilot)
    await steps("x", "y")(pilot)
    pilot.app.clear_notifications()


class TestPending:
    def test_staged_edits_in_the_table(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)
        assert snap_compare(app, run_before=_stage_temperature, terminal_size=SNAPSHOT_SIZE)

    def test_pending_diff(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)

        async def run(pilot: Pilot[Any]) -> None:
            await _stage_temperature(pilot)
            await steps("p")(pilot)

        assert snap_compare(app, run_before=run, terminal_size=SNAPSHOT_SIZE)

    def test_commit_dialog(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)

        async def run(pilot: Pilot[Any]) -> None:
            await _stage_temperature(pilot)
            await steps("c", then=set_input("#message", "cooler production"))(pilot)

        assert snap_compare(app, run_before=run, terminal_size=SNAPSHOT_SIZE)


class TestHistory:
    def test_history_and_commit_diff(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address=PROD)
        assert snap_compare(app, run_before=steps("h"), terminal_size=SNAPSHOT_SIZE)

    def test_rollback_confirmation(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo, open_address="acme/base/inference")
        assert snap_compare(app, run_before=steps("h", "r"), terminal_size=SNAPSHOT_SIZE)


class TestPanels:
    def test_validation(self, snap_compare, example_repo: Path) -> None:
        assert snap_compare(LcmApp(example_repo), run_before=steps("v"),
                            terminal_size=SNAPSHOT_SIZE)

    def test_rotation_status(self, snap_compare, example_repo: Path, monkeypatch) -> None:
        monkeypatch.setenv("LCM_NOW", "2027-03-01T00:00:00Z")  # ages do not move with the clock
        assert snap_compare(LcmApp(example_repo), run_before=steps("s"),
                            terminal_size=SNAPSHOT_SIZE)

    def test_command_palette(self, snap_compare, example_repo: Path) -> None:
        app = LcmApp(example_repo)
        assert snap_compare(app, run_before=steps("ctrl+p", *"globex"),
                            terminal_size=SNAPSHOT_SIZE)


class TestWithoutKeys:
    def test_no_keys_masked(self, snap_compare, example_repo: Path, isolated_env: Path) -> None:
        shutil.rmtree(isolated_env / ".local/share/lcm/keys")
        app = LcmApp(example_repo, open_address=PROD)
        assert snap_compare(app, run_before=steps(), terminal_size=SNAPSHOT_SIZE)

    def test_tampered_file(self, snap_compare, example_repo: Path) -> None:
        path = example_repo / "config/acme/base/inference.yaml"
        path.write_text(path.read_text().replace("model: gpt-4o-mini", "model: evil"))
        app = LcmApp(example_repo, open_address=PROD)
        assert snap_compare(app, run_before=steps(), terminal_size=SNAPSHOT_SIZE)
