"""Reveal: on an explicit key press, audited by the library, hidden again on leaving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lcm_tui import LcmApp

from .conftest import API_KEY, SIZE, cells, select_key, settle

pytestmark = pytest.mark.asyncio


def _audit(root: Path) -> list[dict]:
    log = root / ".lcm" / "audit" / "log.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


async def test_reveal_selected_shows_plaintext_and_writes_the_audit_entry(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert [e for e in _audit(seeded) if e["op"] == "reveal"] == []
        await select_key(app, pilot, "llm.api_key")
        await pilot.press("r")
        await settle(app, pilot)
        assert cells(app)["llm.api_key"][1] == API_KEY
        reveals = [e for e in _audit(seeded) if e["op"] == "reveal"]
        assert len(reveals) == 1
        assert reveals[0]["address"] == "acme/production/inference"
        assert reveals[0]["keys"] == ["llm.api_key"]
        assert API_KEY not in (seeded / ".lcm" / "audit" / "log.jsonl").read_text()


async def test_revealed_secret_is_hidden_again_after_leaving_the_file(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("R")
        await settle(app, pilot)
        assert cells(app)["llm.api_key"][1] == API_KEY
        app.open_address("acme/base/router/models")
        await settle(app, pilot)
        app.open_address("acme/production/inference")
        await settle(app, pilot)
        assert cells(app)["llm.api_key"][1] == "********"


async def test_reveal_of_a_plain_value_is_refused_with_a_notification(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/production/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await select_key(app, pilot, "llm.model")
        await pilot.press("r")
        await settle(app, pilot)
        assert any("not a secret" in n.message for n in app._notifications)
        assert _audit(seeded) == [] or all(e["op"] != "reveal" for e in _audit(seeded))
