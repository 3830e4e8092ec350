"""Without keys the app opens read-only for secrets; a tampered file is an error on that file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import pygit2
from textual.widgets import Checkbox, Input, Static

from lcm_tui import LcmApp
from lcm_tui.screens.commit import CommitScreen
from lcm_tui.screens.confirm import ConfirmScreen
from lcm_tui.widgets.repo_tree import RepoTree

from .conftest import API_KEY, SIZE, cells, screen_text, select_key, settle

pytestmark = pytest.mark.asyncio


@pytest.fixture
def keyless(seeded: Path, isolated_env: Path) -> Path:
    from lcm.keys import cache

    keys = isolated_env / ".local/share/lcm/keys"
    shutil.copytree(keys, isolated_env / "keys-kept")  # for a test that brings them back
    shutil.rmtree(keys)
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


async def _edit_unsealed(app: LcmApp, pilot, key: str, value: str) -> None:
    """Open the edit dialog on `key`, type `value`, tick "write it unsealed", stage."""
    await select_key(app, pilot, key)
    await pilot.press("e")
    await settle(app, pilot)
    app.screen.query_one("#value", Input).value = value
    app.screen.query_one("#unsealed", Checkbox).value = True
    await pilot.press("enter")
    await settle(app, pilot)


async def test_without_keys_a_plain_value_is_written_unsealed_when_asked(
        keyless: Path, isolated_env: Path) -> None:
    """The edit dialog offers an unsealed write (a plain value, for a keyholder to reseal);
    `u` asks first. One commit with the Lcm-Unsealed trailer; a secret stays refused; with
    the key back, reads stop at the file until `lcm reseal`."""
    import lcm
    from lcm.errors import IntegrityError
    from lcm.keys import cache

    target = keyless / "config/acme/production/inference.yaml"
    before = target.read_text()
    base = keyless / "config/acme/base/inference.yaml"
    base_before = base.read_text()
    app = LcmApp(keyless, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await _edit_unsealed(app, pilot, "llm.api_key", "sk-new")
        assert "is or holds a secret" in screen_text(app.screen.query_one("#error", Static))
        await pilot.press("escape")
        await settle(app, pilot)
        await _edit_unsealed(app, pilot, "llm.temperature", "0.3")
        assert app.session.pending_count == 1
        assert cells(app)["llm.temperature"][1] == "0.3"
        await select_key(app, pilot, "llm.max_tokens")
        await pilot.press("u")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "lcm reseal acme/production/inference" in screen_text(
            app.screen.query_one(".dialog-body", Static))
        await pilot.press("escape")  # not this one
        await settle(app, pilot)
        assert app.session.pending_count == 1
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitScreen)
        await pilot.press(*"cooler, unsealed")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.session.pending_count == 0
    git = pygit2.Repository(str(keyless))
    head = git[git.head.target]
    assert head.message.splitlines()[0] == "cooler, unsealed"
    assert "Lcm-Unsealed: acme/production/inference" in head.message
    after = target.read_text()
    assert "temperature: 0.3" in after and "unsealed:" in after and "- llm.temperature" in after
    assert base.read_text() == base_before  # the file holding the secret: not touched
    mac = [line for line in before.splitlines() if "mac:" in line]
    assert mac and mac[0] in after.splitlines()  # the MAC as it was: stale now
    shutil.copytree(isolated_env / "keys-kept", isolated_env / ".local/share/lcm/keys")
    cache.forget()
    repo = lcm.Repo.open(keyless)
    addr = repo.address("acme/production/inference")
    with pytest.raises(IntegrityError, match="unsealed edit of llm.temperature.*lcm reseal"):
        repo.get(addr)
    repo.reseal(addr)
    assert repo.get(addr, ("llm", "temperature")).value == 0.3
    assert "unsealed:" not in target.read_text()


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
