"""The corpus: every rule fires in every syntax at the expected line, and nothing else does."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcm.scan.engine import Scanner
from lcm.scan.model import Blob
from lcm.scan.rules import RULES

from .corpus import SYNTAXES, Keys, hard_negative_specs, write_corpus

SCANNER = Scanner()


def findings_by_line(root: Path, name: str) -> set[tuple[int, str]]:
    data = (root / name).read_bytes()
    return {(f.line, f.rule_id) for f in SCANNER.scan(Blob(name, data))}


def test_corpus_findings_match_expected_exactly(corpus) -> None:
    root, expected = corpus
    wrong = {}
    for name, want in sorted(expected.items()):
        got = findings_by_line(root, name)
        if got != want:
            wrong[name] = {"missing": sorted(want - got), "unexpected": sorted(got - want)}
    assert not wrong


def test_every_regex_rule_has_a_true_positive_in_every_syntax(corpus) -> None:
    _, expected = corpus
    per_syntax: dict[str, set[str]] = {}
    for name, found in expected.items():
        if name.startswith("positive/") and name.split("/")[1] in SYNTAXES:
            per_syntax.setdefault(name.split("/")[1], set()).update(rule for _, rule in found)
    every = {r.id for r in RULES}
    assert set(per_syntax) == {"yaml", "env", "py", "json", "ini", "md"}
    for syntax, rules in per_syntax.items():
        assert rules == every, f"{syntax}: no true positive for {sorted(every - rules)}"


def test_hard_negatives_exist_for_each_syntax(corpus) -> None:
    _, expected = corpus
    negatives = [n for n in expected if n.startswith("negative/")]
    for ext in (".yaml", ".env", ".py", ".json", ".ini", ".md"):
        assert any(n.endswith(ext) for n in negatives)


# Multi-line or context-dependent near misses live in their own files of the corpus.
NEGATIVES_ELSEWHERE = {
    "google-api-key": "negative/js/firebase.js",
    "private-key": "negative/yaml/lookalikes.yaml",
    "database-url-password": "negative/yaml/lookalikes.yaml",
}


def test_every_regex_rule_has_a_hard_negative(corpus) -> None:
    _, expected = corpus
    covered = {rule for rule, _, _ in hard_negative_specs(Keys())} | set(NEGATIVES_ELSEWHERE)
    assert covered == {r.id for r in RULES}
    assert all(expected[name] == set() for name in NEGATIVES_ELSEWHERE.values())


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_other_random_keys_are_found_too(tmp_path: Path, seed: int) -> None:
    """Recall does not hinge on one lucky seed: fresh random keys give the same findings."""
    expected = write_corpus(tmp_path, seed=seed)
    for name, want in expected.items():
        assert findings_by_line(tmp_path, name) == want, name


def test_findings_carry_the_secret_but_previews_do_not(corpus) -> None:
    root, _ = corpus
    data = (root / "positive/env/keys.env").read_bytes()
    for finding in SCANNER.scan(Blob("keys.env", data)):
        assert finding.secret.encode() in data or finding.rule_id == "private-key"
        assert finding.secret not in finding.preview
        assert finding.preview == finding.secret[:4] + "********"


def test_may_match_is_a_superset_of_scan(corpus) -> None:
    """`--history` skips blobs for which `may_match` is False: it must never hide a finding."""
    root, expected = corpus
    for name in expected:
        data = (root / name).read_bytes()
        blob = Blob(name, data)
        if SCANNER.scan(blob):
            assert SCANNER.may_match(data), name
        lines = data.splitlines(keepends=True)
        for step in (2, 3):  # fragments of every other / every third line, as a diff would give
            fragment = b"".join(lines[::step])
            if SCANNER.scan(Blob(name, fragment)):
                assert SCANNER.may_match(data), name
    assert not SCANNER.may_match(b"llm:\n  model: m1\n  temperature: 0.2\n")
