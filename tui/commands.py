"""Command palette providers: every action of the app, and every file address."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from lcm_tui.app import LcmApp


class ActionsProvider(Provider):
    """Each action the screen binds to a key (the main screen's, or an open panel's)."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, text, key in _app(self).palette_actions(self.screen):
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), partial(_run, self, action),
                          help=f"key: {key}")

    async def discover(self) -> Hits:
        for action, text, key in _app(self).palette_actions(self.screen):
            yield DiscoveryHit(text, partial(_run, self, action), help=f"key: {key}")


class FilesProvider(Provider):
    """Each config address (own and inherited) on the main screen; picking one opens it."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for address in _addresses(self):
            score = matcher.match(address)
            if score > 0:
                yield Hit(score, matcher.highlight(address),
                          partial(_app(self).open_address, address), help="open file")

    async def discover(self) -> Hits:
        for address in _addresses(self):
            yield DiscoveryHit(address, partial(_app(self).open_address, address),
                               help="open file")


def _app(provider: Provider) -> LcmApp:
    return cast("LcmApp", provider.app)


def _addresses(provider: Provider) -> list[str]:
    # A file opens on the main screen: over a panel it would open out of sight.
    app = _app(provider)
    return app.file_addresses if provider.screen is app.screen_stack[0] else []


async def _run(provider: Provider, action: str) -> None:
    await provider.app.run_action(action)
