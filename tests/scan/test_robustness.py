"""No input makes the engine raise: random bytes spliced with every rule's keywords and shapes."""

from __future__ import annotations

import random

import pytest

from lcm.scan.engine import Scanner
from lcm.scan.model import Blob
from lcm.scan.rules import RULES

SCANNER = Scanner()
KEYWORDS = sorted({k.encode() for r in RULES for k in r.keywords})
PIECES = [
    b"=", b": ", b'"', b"'", b"<", b">", b"</", b"<value>", b" -", b"\n", b"\r\n", b"\\n", b"\\u2026",
    b"\xe2\x80\xa6", b"\xff\xfe", b"\x00", b"eyJ", b".", b"Q~", b"&", b"?sv=2024-01-01", b"==",
    b"-----BEGIN PRIVATE KEY-----", b"-----END PRIVATE KEY-----", b"#", b"x" * 6, b"0" * 9,
]


def _noise(rng: random.Random) -> bytes:
    parts = []
    for _ in range(rng.randrange(5, 60)):
        pick = rng.random()
        if pick < 0.35:
            parts.append(rng.choice(KEYWORDS))
        elif pick < 0.6:
            parts.append(rng.choice(PIECES))
        else:
            alphabet = b"abcdefABCDEF0123456789_-+/=~."
            parts.append(bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 90))))
    return b"".join(parts)


@pytest.mark.parametrize("seed", range(40))
def test_random_input_never_raises_and_never_leaks_in_previews(seed: int) -> None:
    rng = random.Random(seed)
    for suffix in (".yaml", ".py", ".xml", ".json", ""):
        data = _noise(rng)
        findings = SCANNER.scan(Blob(f"f{suffix}", data))
        if findings:
            assert SCANNER.may_match(data)
        for finding in findings:
            assert finding.line >= 1 and finding.column >= 1
            assert finding.secret not in finding.preview or len(finding.secret) <= 8
