"""Hypothesis strategies for hostile input: YAML documents (aliases, deep nesting, huge
scalars, binary bytes, every YAML type and tag), key paths, values and manifests."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# Text from every corner of Unicode: controls, NUL, line separators, astral planes and
# lone surrogates (what Python makes of undecodable bytes on a command line).
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
words = st.sampled_from(["a", "b", "k", "llm", "api_key", "token", "lcm", "<<", "x.y",
                         "0", "1", "true", "null", "~", "-", "é", "ключ", "a b", "ENC["])

PLAIN_SCALARS = [
    "null", "~", "true", "False", "yes", "on", "0", "-1", "0x1f", "0o17", "0b101", "1_000",
    "190:20:30", "1.5", "-.inf", ".nan", "1e400", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "!delete", "''", '""', "|", ">", "-", "?", ":", "@x", "`x", "%x", "#c",
    "ENC[AES256_GCM,k:1,iv:AAAAAAAAAAAAAAAA,data:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]",
    "ENC[AES256_GCM,k:1,iv:x,data:,tag:x,type:int]",
]
TAGGED = [
    "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [{a: 1}]", "!!pairs [{a: 1}]", "!!str 1",
    "!!int '12'", "!!int 'x'", "!!float 'y'", "!!bool 'maybe'", "!!null 'x'", "!!timestamp 1",
    "!foo bar", "!<tag:example.com,2000:x> 1", "!!python/object:os.system {}", "!!map {a: 1}",
    "!!seq [1]", "!!merge x", '"\\ud800"', '"\\x00\\x85\\u2028"', '"\\U0001F600"',
]


def _huge_int(digits: int) -> str:
    return "9" * digits


scalars = st.one_of(
    st.sampled_from(PLAIN_SCALARS + TAGGED),
    st.integers().map(str),
    st.sampled_from([4199, 4200, 4201, 4300, 5000, 20000]).map(_huge_int),
    st.sampled_from([1200, 3500, 4000]).map(lambda n: "0x" + "f" * n),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    any_text.map(lambda t: json.dumps(t, ensure_ascii=False)),
    any_text.map(lambda t: "'" + t.replace("'", "''") + "'"),
    words,
    st.integers(0, 300_000).map(lambda n: '"' + "x" * n + '"'),
)


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    keys = st.one_of(words, scalars)
    return st.one_of(
        st.lists(children, max_size=5).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.lists(st.tuples(keys, children), max_size=5).map(
            lambda kvs: "{" + ", ".join(f"{k}: {v}" for k, v in kvs) + "}"),
        st.tuples(st.sampled_from(["a", "b", "c"]), children).map(lambda t: f"&{t[0]} {t[1]}"),
        st.sampled_from(["*a", "*b", "*c", "*missing"]),
        st.tuples(st.integers(1, 200), children).map(lambda t: "[" * t[0] + t[1] + "]" * t[0]),
        st.lists(st.tuples(keys, children), min_size=1, max_size=3).map(
            lambda kvs: "{<<: *a, " + ", ".join(f"{k}: {v}" for k, v in kvs) + "}"),
    )


flow_values = st.recursive(scalars, _flow, max_leaves=12)


def _bomb(levels: int) -> str:
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@st.composite
def yaml_documents(draw: st.DrawFn) -> bytes:
    """A YAML document as bytes: mostly a top-level mapping (block style around flow
    values), sometimes anything at all, with random bytes spliced in now and then."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        text = draw(flow_values)
    elif kind == 1:
        text = _bomb(draw(st.integers(2, 9)))
    elif kind == 2:
        depth = draw(st.integers(50, 1100))
        text = "".join("  " * i + f"k{i}:\n" for i in range(min(depth, 200))) + "  " * 200 + "v\n"
    else:
        pairs = draw(st.lists(st.tuples(st.one_of(words, scalars), flow_values), max_size=6))
        text = "".join(f"{k}: {v}\n" for k, v in pairs)
    data = text.encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 2)) if kind > 2 else 0):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return data


# ---- key paths and values for set/get/unset --------------------------------------------

segments = st.one_of(
    words, any_text.filter(bool), st.integers(0, 5),
    st.sampled_from(["lcm", "a.b", 'q"uote', "br[ack]et", "sp ace", "new\nline", "\x00",
                     "\udcff", "x" * 300]),
)


def _quote(seg: Any) -> str:
    if isinstance(seg, int):
        return f"[{seg}]"
    escaped = seg.replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


key_args = st.one_of(
    st.lists(segments, min_size=1, max_size=4).map(lambda segs: "".join(map(_quote, segs))),
    st.lists(words, min_size=1, max_size=70).map(".".join),
    any_text,
)
value_args = st.one_of(
    any_text, scalars, flow_values,
    st.sampled_from(["", " ", "\n", "x\n", "\x00", "ENC[AES256_GCM,", "!delete"]),
)
value_types = st.sampled_from(["auto", "str", "int", "float", "bool", "null", "yaml"])


# ---- manifests ------------------------------------------------------------------------

junk = st.one_of(st.none(), st.booleans(), st.integers(), any_text,
                 st.lists(any_text, max_size=3), st.dictionaries(any_text, any_text, max_size=3))


@st.composite
def manifests(draw: st.DrawFn, valid: dict[str, Any]) -> bytes:
    """The repository's own manifest with fields removed, replaced or added, or a random
    YAML document in its place."""
    if draw(st.integers(0, 4)) == 0:
        return draw(yaml_documents())
    data: dict[str, Any] = json.loads(json.dumps(valid))
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(["version", "repo_id", "environments", "tenants", "secrets",
                                      "schemas", "rotation", "extra"]))
        choice = draw(st.integers(0, 3))
        if choice == 0:
            data.pop(field, None)
        elif choice == 1:
            data[field] = draw(junk)
        elif field == "environments":
            data[field] = {draw(st.one_of(words, any_text)): draw(st.one_of(
                st.none(), st.fixed_dictionaries({"parent": st.one_of(words, junk)})))
                for _ in range(draw(st.integers(0, 3)))}
        elif field == "tenants":
            data[field] = {draw(st.one_of(words, any_text)): draw(st.one_of(
                junk, st.fixed_dictionaries({"backend": st.sampled_from(
                    ["file", "env", "keyring", "vault", "memory", "nope"])})))
                for _ in range(draw(st.integers(0, 3)))}
        elif field == "schemas":
            data[field] = [draw(st.fixed_dictionaries({"files": st.one_of(words, junk),
                                                       "schema": st.one_of(words, junk)}))]
        else:
            data[field] = draw(st.one_of(junk, words))
    return json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
