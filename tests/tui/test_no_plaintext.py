"""No snapshot holds a secret's plaintext; the check itself is shown to catch a reveal."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from lcm_tui import LcmApp

from .conftest import API_KEY, EXAMPLE_SECRETS, SIZE, select_key, settle

SNAPSHOTS = Path(__file__).parent / "__snapshots__"
SECRETS = (*EXAMPLE_SECRETS, API_KEY)


def visible_text(svg: str) -> str:
    """The text an SVG screenshot shows, tags dropped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def _pieces(secret: str, width: int = 10) -> set[str]:
    """Every run of `width` characters of a secret: a cut-off cell still leaks its start."""
    return {secret[i:i + width] for i in range(len(secret) - width + 1)}


def holds_a_secret(svg: str) -> list[str]:
    """The secrets of which any 10-character piece shows in a screenshot."""
    shown = visible_text(svg)
    texts = (svg, shown, re.sub(r"\s+", "", shown))
    return [s for s in SECRETS if any(p in t for p in _pieces(s) for t in texts)]


def test_snapshots_exist() -> None:
    assert len(list(SNAPSHOTS.rglob("*.svg"))) >= 15


@pytest.mark.parametrize("svg", sorted(SNAPSHOTS.rglob("*.svg")), ids=lambda p: p.stem)
def test_no_snapshot_holds_a_secret(svg: Path) -> None:
    assert holds_a_secret(svg.read_text(encoding="utf-8")) == []


@pytest.mark.asyncio
async def test_the_check_catches_a_revealed_secret(seeded: Path) -> None:
    app = LcmApp(seeded, open_address="acme/base/inference")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert holds_a_secret(app.export_screenshot()) == []
        await select_key(app, pilot, "llm.api_key")
        await pilot.press("r")
        await settle(app, pilot)
        assert holds_a_secret(app.export_screenshot()) == [API_KEY]
