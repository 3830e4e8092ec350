"""The fast paths that make re-encrypting a tenant cost about a parse (benchmarks/
bench_rotate.py) give exactly what the general code gives: checked against PyYAML and the
reference forms on generated inputs."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
import yaml

from lcm.format.crypto import _aad, canonical_json
from lcm.format.document import Document
from lcm.format.loading import _Loader, check_data_model, compose, construct, load_tree
from lcm.format.values import DELETE, canonical, same_value
from lcm.format.writer import _emit_known, emit_scalar, render

ALPHABET = list(string.ascii_letters[:6] + string.digits[:4] + " _-.:/#'\"!@%&*?|>,[]{}~=+()`\\\t"
                + "é😀\u00ad\u2028\x85\ufeff\x7f")
WORDS = ["yes", "No", "null", "~", "", "true", "on", "OFF", "y", "n", "0x1f", "1e5", "1_000",
         "0o17", ".inf", "-.nan", "2026-01-01", "2026-01-01T00:00:00Z", "12:30", "<<", "=",
         "-", "?", "- a", " a", "a ", "a: b", "a #b", "a:", "a:b", "http://x.y/z", "ENC[x]",
         "HMAC_SHA256,k:1,abc=", "ENC[AES256_GCM,k:2,iv:AAAAAAAAAAAAAAAA,data:,tag:AAAA,type:str]"]


def _strings(rng: random.Random, count: int) -> list[str]:
    out = []
    for _ in range(count):
        if rng.random() < 0.3:
            out.append(rng.choice(WORDS) + (rng.choice(ALPHABET) if rng.random() < 0.3 else ""))
        else:
            out.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8))))
    return out


def test_emitted_scalars_read_back_as_themselves_in_every_context() -> None:
    rng = random.Random(5)
    values: list[object] = _strings(rng, 20000)
    values += [0, -7, 10**30, 0.0, -0.0, 1e16, 1e-5, 1.5, 5e-324, float("inf"), float("-inf"),
               float("nan"), True, False, None]
    known = 0
    for value in values:
        for flow in (False, True):
            text = _emit_known(value, flow)
            if text is None:
                text = emit_scalar(value, flow)
            else:
                known += 1
            doc = f"{{k: {text}}}\n" if flow else f"k: {text}\nz: 1\n- x\n"[:-4]
            got = load_tree(doc)["k"]
            assert same_value(got, value), (value, flow, text)
            if not flow:
                assert same_value(load_tree(f"- {text}\n")[0], value), (value, text)
    assert known > 20000  # most values take the fast path


def test_canonical_json_is_the_mac_serialisation_byte_for_byte() -> None:
    rng = random.Random(1)

    def value(depth: int = 0) -> object:
        roll = rng.random()
        if depth < 3 and roll < 0.2:
            keys = [_strings(rng, 1)[0] if rng.random() < 0.8
                    else rng.choice([1, 2, True, None, 1.5, -3]) for _ in range(rng.randint(0, 5))]
            return {k: value(depth + 1) for k in keys}
        if depth < 3 and roll < 0.35:
            return [value(depth + 1) for _ in range(rng.randint(0, 4))]
        return rng.choice([None, True, False, 0, -5, 10**20, 1.5, float("nan"), float("inf"),
                           1e-5, DELETE, *_strings(rng, 2)])

    for _ in range(5000):
        tree = {k: value() for k in _strings(rng, 3)}
        reference = json.dumps(canonical(tree), separators=(",", ":"), ensure_ascii=False)
        assert canonical_json(tree) == reference


def test_aad_is_the_json_list_byte_for_byte() -> None:
    rng = random.Random(2)
    for _ in range(5000):
        place = tuple(_strings(rng, 3))
        path = tuple(rng.choice([_strings(rng, 1)[0], 3, True, None, 1.5]) for _ in range(3))
        reference = json.dumps(["lcm", 1, *place, list(path), 7, "str"], separators=(",", ":"),
                               ensure_ascii=False).encode()
        assert _aad(place, path, 7, "str") == reference  # type: ignore[arg-type]


def _tags(node: yaml.Node, out: list, seen: set | None = None) -> list:
    seen = set() if seen is None else seen
    out.append((type(node).__name__, node.tag))
    if id(node) in seen:
        return out
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _tags(key, out, seen)
            _tags(value, out, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _tags(item, out, seen)
    return out


def _corpus() -> list[str]:
    root = Path(__file__).resolve().parents[2]
    texts = [p.read_text() for p in (root / "examples").rglob("*.yaml")]
    texts += [p.read_text() for p in (root / "tests/validate/invalid").rglob("*.yaml")]
    texts += [f"k: {w}\n" for w in WORDS] + [f"k: ['{w}']\n" for w in WORDS if "'" not in w]
    texts += ["a: &x {b: [1, 2.5, true, ~, 2026-01-01]}\nc: *x\nd: !delete\n",
              "base: &b {x: 1}\nover:\n  <<: *b\n  y: 2\n", "a: !!binary aGk=\n",
              "a: !!set {x}\n", "a: !custom 1\n", "? [1, 2]\n: v\n", "a: &r [*r]\n"]
    return texts


@pytest.mark.parametrize("text", _corpus())
def test_one_pass_parse_equals_pyyaml(text: str) -> None:
    try:
        reference = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return
    if not isinstance(reference, yaml.MappingNode):
        return  # lcm refuses a non-mapping document before building anything
    assert _tags(compose(text, "t"), []) == _tags(reference, [])  # the fast resolver
    try:
        check_data_model(reference, "t")
        expected: object = construct(reference)
    except Exception as err:  # noqa: BLE001 - the same refusal is expected below
        expected = type(err)
    try:
        got: object = Document.parse(text, "t").full
    except Exception as err:  # noqa: BLE001
        got = type(err)
    if isinstance(expected, type) or isinstance(got, type):
        from lcm.errors import RepoError

        assert isinstance(got, type) and issubclass(got, RepoError) and isinstance(expected, type)
    else:
        assert same_value(got, expected)


def test_resolver_subclass_keeps_pyyaml_resolution() -> None:
    assert issubclass(_Loader, yaml.CSafeLoader)


def test_render_trusts_only_what_it_can_prove() -> None:
    """A value that needs PyYAML's emitter is still re-parsed (and right)."""
    doc = Document.parse("a: 1  # keep\nb: [x, y]\nc: |\n  line\n")
    new = {"a": "multi\nline: #", "b": ["x,y", "{z}"], "c": "two\nlines"}
    text = render(doc, new)
    assert load_tree(text) == new and "# keep" in text
