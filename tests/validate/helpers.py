"""Shared helpers for the validation tests: the invalid-example corpus and its expectations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

INVALID_DIR = Path(__file__).parent / "invalid"
_EXPECT = re.compile(r"^# expect: (\S+) (\d+):(\d+) (\S+)$", re.M)
_SCHEMA = re.compile(r"^# schema: (\S+)$", re.M)


@dataclass(frozen=True)
class Expectation:
    """A finding an invalid example must produce: keyword, position, key path (`-` = root)."""

    keyword: str
    line: int
    col: int
    key: str


def invalid_examples() -> list[Path]:
    """Every invalid example file, sorted."""
    return sorted(INVALID_DIR.glob("*.yaml"))


def parse_header(path: Path) -> tuple[str, list[Expectation]]:
    """The schema an example is checked against and what it must produce."""
    text = path.read_text()
    schema = _SCHEMA.search(text)
    assert schema, f"{path.name}: no '# schema:' header"
    expects = [
        Expectation(
            m.group(1), int(m.group(2)), int(m.group(3)), "" if m.group(4) == "-" else m.group(4)
        )
        for m in _EXPECT.finditer(text)
    ]
    assert expects, f"{path.name}: no '# expect:' line"
    return schema.group(1), expects


def write_sealed(root: Path, address: str, plain: dict, secret: tuple = ()) -> Path:
    """Write a correctly sealed config file through the core, bypassing the write gate
    (how a repo gets into a state `lcm set` would refuse, e.g. from an older lcm)."""
    from lcm.repository.repo import Repo
    from lcm.format.seal import seal
    from lcm.format.writer import render

    repo = Repo.open(root)
    addr = repo.address(address)
    doc = repo.read_document(addr)
    full = seal(
        doc, plain, repo.keys(addr.tenant), addr.place, repo.manifest.is_secret_key, list(secret)
    )
    path = repo.path_of(addr)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(doc, full))
    return path
