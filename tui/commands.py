"""Command palette providers: every action of the app, and every file address."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from lcm_tui.app import LcmApp


class ActionsProvider(Provider):
    """Each action the main screen binds to a key, by its footer description."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, text, key in _app(self).palette_actions():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(_run, self, action),
                          help=f"key: {key}")

    async def discover(self) -> Hits:
        for action, text, key in _app(self).palette_actions():
            yield DiscoveryHit(text, partial(_run, self, action), help=f"key: {key}")


class FilesProvider(Provider):
    """Each config address (own and inherited); picking one opens it."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for address in _app(self).file_addresses:
            score = matcher.match(address)
            if score > 0:
                yield Hit(score, matcher.highlight(address),
                          partial(_app(self).open_address, address), help="open file")

    async def discover(self) -> Hits:
        for address in _app(self).file_addresses:
            yield DiscoveryHit(address, partial(_app(self).open_address, address),
                               help="open file")


def _app(provider: Provider) -> LcmApp:
    return cast("LcmApp", provider.app)


async def _run(provider: Provider, action: str) -> None:
    await provider.app.run_action(action)
