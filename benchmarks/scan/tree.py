"""Build the benchmark tree: real Python sources copied from the venv's site-packages (~6 MB)."""

from __future__ import annotations

import shutil
import sysconfig
from pathlib import Path

PACKAGES = (
    "rich",
    "_pytest",
    "click",
    "jsonschema",
    "urllib3",
    "hvac",
    "pydantic",
    "textual",
    "setuptools",
    "pip",
)
TARGET_BYTES = 6 * 1024 * 1024


def build_tree(dest: Path, target: int = TARGET_BYTES) -> tuple[int, int]:
    """Copy `.py` files of PACKAGES (sorted, deterministic) into `dest`; return (files, bytes)."""
    site = Path(sysconfig.get_paths()["purelib"])
    files = total = 0
    for package in PACKAGES:
        root = site / package
        if not root.is_dir():
            continue
        for src in sorted(root.rglob("*.py")):
            if total >= target:
                return files, total
            out = dest / package / src.relative_to(root)
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, out)
            files += 1
            total += src.stat().st_size
    return files, total
