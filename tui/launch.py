"""What `lcm tui` runs: the CLI finds it through the `lcm.faces` entry point (pyproject),
so the core names no module of this package and the import graph only points one way."""

from __future__ import annotations

from pathlib import Path

from lcm_tui.app import LcmApp


def run(directory: Path, open_address: str | None = None) -> int:
    """Run the app on `directory` until it quits; its exit code."""
    app = LcmApp(directory, open_address=open_address)
    app.run()
    return app.return_code or 0
