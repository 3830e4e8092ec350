"""A large tree of real Python sources (installed packages) yields no findings."""

from __future__ import annotations

import sysconfig
from pathlib import Path

from lcm.scan.engine import Scanner
from lcm.scan.sources import PathFilter, iter_paths

PACKAGES = ("pip", "setuptools", "_pytest", "rich", "click", "jsonschema", "yaml", "pygments")


def test_installed_package_sources_have_no_findings() -> None:
    site = Path(sysconfig.get_paths()["purelib"])
    roots = [str(site / p) for p in PACKAGES if (site / p).is_dir()]
    assert len(roots) >= 5, "expected the dev venv's packages"
    scanner = Scanner()
    scanned = total = 0
    found = []
    for blob in iter_paths(roots, PathFilter()):
        assert not hasattr(blob, "reason"), blob
        scanned += 1
        total += len(blob.data)  # type: ignore[union-attr]
        found.extend(scanner.scan(blob))  # type: ignore[arg-type]
    assert total > 10_000_000 and scanned > 1000
    assert [(f.path, f.line, f.rule_id) for f in found] == []
