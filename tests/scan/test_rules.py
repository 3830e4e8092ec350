"""The rule table itself: ids unique and documented, keywords usable by the prefilter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lcm.scan.engine import Scanner
from lcm.scan.model import Blob
from lcm.scan.rules import LCM_RULES, RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "scan.md"
ALL_IDS = [r.id for r in RULES] + list(LCM_RULES)


def test_rule_ids_are_unique_and_kebab_case() -> None:
    assert len(ALL_IDS) == len(set(ALL_IDS))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i) for i in ALL_IDS)


@pytest.mark.parametrize("rule_id", ALL_IDS)
def test_every_rule_id_is_documented(rule_id: str) -> None:
    assert f"| `{rule_id}` |" in DOCS.read_text()


def _docs_row(rule_id: str) -> list[str]:
    line = next(line for line in DOCS.read_text().splitlines() if line.startswith(f"| `{rule_id}` |"))
    return [cell.strip() for cell in line.strip("|").split(" | ")]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_names_its_public_source(rule) -> None:
    """The source column cites the provider's page (only generic-secret has no provider)."""
    _, kind, _, source = _docs_row(rule.id)
    assert kind == rule.kind
    assert source.startswith("https://") or rule.id == "generic-secret"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_shape(rule) -> None:
    assert rule.kind in ("token", "context")
    # Selective literals: three characters, or two with punctuation (`q~`, `c-`).
    assert rule.keywords and all(
        k == k.lower() and (len(k) >= 3 or (len(k) == 2 and not k.isalnum()))
        for k in rule.keywords
    )
    assert re.compile(rule.pattern.encode()).groups >= 1
    assert "(?i)" not in rule.pattern  # only scoped flags: context rules run on lowercased bytes


@pytest.mark.parametrize("key", ["PASSWORD", "Password", "password", "DB_PASSWORD", "dbPassword"])
def test_context_rules_ignore_key_case(key: str) -> None:
    found = Scanner().scan(Blob("x.env", f"{key}=Zk81-qPw0!xLm\n".encode()))
    assert [f.rule_id for f in found] == ["generic-secret"]
