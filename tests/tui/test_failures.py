"""Without keys the app opens read-only for secrets; a tampered file is an error on that file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from lcm_tui import LcmApp
from lcm_tui.widgets.repo_tree import RepoTree

from .conftest import API_KEY, SIZE, cells, screen_text, select_key, settle

pytestmark = pytest.mark.asyncio


@pytest.fixture
def keyless(seeded: Path, isolated_env: Path) -> Path:
    from lcm.keys import cache

    shutil.rmtree(isolated_env / ".local/share/lcm/keys")
    cache.forget()  # the seeding above ran in this process and unwrapped the keys
    return seeded


async def test_without_keys_secrets_stay_masked_and_reveal_is_refused(keyless: Path) -> None:
    app = LcmApp(keyless, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        rows = cells(app)
        assert rows["llm.model"][1] == "gpt-4o" and rows["llm.api_key"][1] == "********"
        assert "no key for tenant acme" in screen_text(app.query_one("#file-status"))
        await select_key(app, pilot, "llm.api_key")
        await pilot.press("r")
        await settle(app, pilot)
        refused = [n for n in app._notifications if n.title == "reveal refused"]
        assert refused and "no master key for tenant 'acme'" in refused[0].message
        assert cells(app)["llm.api_key"][1] == "********"
        log = keyless / ".lcm/audit/log.jsonl"
        assert '"op":"reveal"' not in (log.read_text() if log.exists() else "")


async def test_without_keys_an_edit_fails_with_a_clear_message(keyless: Path) -> None:
    app = LcmApp(keyless, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.temperature")
        await pilot.press("e")
        await settle(app, pilot)
        app.screen.query_one("#value", Input).value = "0.3"
        await pilot.press("enter")
        await settle(app, pilot)
        error = screen_text(app.screen.query_one("#error", Static))
        assert "no master key for tenant 'acme'" in error
        assert app.session.pending_count == 0


async def test_tampered_file_shows_an_integrity_error_not_a_crash(seeded: Path) -> None:
    path = seeded / "config/acme/base/inference.yaml"
    path.write_text(path.read_text().replace("model: gpt-4o", "model: evil-model"))
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.is_running
        status = screen_text(app.query_one("#file-status"))
        assert status.startswith("integrity error:") and "MAC does not verify" in status
        assert cells(app) == {}
        tree = app.query_one(RepoTree)
        assert "integrity error" in str(tree._files["acme/production/inference"].label)
        # other files still open
        app.open_address("acme/base/router/models")
        await settle(app, pilot)
        assert cells(app)["default"][1] == "gpt-4o"
        assert all(API_KEY not in n.message for n in app._notifications)
