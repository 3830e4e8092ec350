"""Every `lcm_tui` subpackage and the stylesheet are in the wheel's explicit package list."""

from __future__ import annotations

import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_every_tui_subpackage_and_the_tcss_ship() -> None:
    config = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = set(config["packages"])
    tui = PROJECT / "tui"
    wanted = {"lcm_tui", *(f"lcm_tui.{p.parent.relative_to(tui).as_posix().replace('/', '.')}"
                           for p in tui.rglob("*/__init__.py"))}
    assert wanted <= packages, wanted - packages
    assert list(tui.glob("*.tcss")) and "*.tcss" in config["package-data"]["lcm_tui"]
