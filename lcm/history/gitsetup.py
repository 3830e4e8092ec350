"""Git integration that `lcm init` (and `lcm init --git-only`) installs.

`.git/config` does not travel with a clone, so each clone runs this once. The
commands name the interpreter that runs lcm right now (`sys.executable -m
lcm.cli.gitcmd …`): that works in a venv, with pipx or a `--user` install
alike, and does not depend on where the `lcm` console script was put.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

ATTRIBUTES_LINE = "config/**/*.yaml diff=lcm merge=lcm"
DRIVER_NAME = "lcm: three-way merge of decrypted config, re-encrypted and re-sealed"


def lcm_command() -> str:
    """Shell words that run the lcm CLI with this interpreter, for Git's config."""
    return f"{shlex.quote(sys.executable)} -m lcm.cli.gitcmd"


def config_entries() -> dict[str, str]:
    """The `.git/config` entries, by name."""
    lcm = lcm_command()
    return {
        "diff.lcm.textconv": f"{lcm} show --masked",
        "merge.lcm.name": DRIVER_NAME,
        "merge.lcm.driver": f"{lcm} merge-driver %O %A %B %P",
    }


def install(root: Path) -> None:
    """Write .git/config entries for the lcm diff textconv and merge driver, and .gitattributes."""
    from lcm.repository.git import open_git

    config = open_git(Path(root)).config
    for name, value in config_entries().items():
        config[name] = value
    ensure_attributes(Path(root))


def ensure_attributes(root: Path) -> None:
    """Add the `diff=lcm merge=lcm` line to `.gitattributes` unless it is already there."""
    path = root / ".gitattributes"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if ATTRIBUTES_LINE in text.splitlines():
        return
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + ATTRIBUTES_LINE + "\n", encoding="utf-8")
