"""Turn jsonschema errors into `Problem`s: a key path, a rule family and a message that
never echoes a secret (values are shown only for plain, non-secret scalars)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from lcm.format.paths import KeyPath
from lcm.validate.checks import RULES as CHECK_RULES

# One rule per keyword family: the SARIF rules and the `rule` field of every finding.
FAMILIES: dict[str, tuple[str, ...]] = {
    "type": ("type",),
    "enum": ("enum", "const"),
    "required": ("required", "dependentRequired", "dependentSchemas"),
    "unknown-key": ("additionalProperties", "unevaluatedProperties", "propertyNames"),
    "range": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "size": (
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
        "uniqueItems",
        "contains",
        "minContains",
        "maxContains",
        "unevaluatedItems",
        "items",
        "prefixItems",
    ),
    "format": ("pattern", "format"),
    "composition": ("anyOf", "oneOf", "allOf", "not", "if", "then", "else", "false"),
}
RULE_OF = (
    {kw: rule for rule, kws in FAMILIES.items() for kw in kws}
    | CHECK_RULES
    | {"mac": "integrity", "ciphertext": "integrity", "unsealed": "integrity",
       "yaml": "yaml-syntax"}
)
COMPLETENESS = frozenset({"required", "dependentRequired", "minProperties"})


@dataclass(frozen=True)
class Problem:
    """One error in a tree, before it is located in a file.

    `anchor` is "value" (the value node) or "key" (the mapping key that holds it);
    `offset` is a character offset inside a string value (placeholders)."""

    path: KeyPath
    keyword: str
    message: str
    anchor: str = "value"
    offset: int | None = None
    family: str | None = None

    @property
    def rule(self) -> str:
        return self.family or RULE_OF.get(self.keyword, self.keyword)


def from_errors(errors: Iterable[Any], is_secret: Callable[[KeyPath], bool]) -> Iterator[Problem]:
    """Problems for jsonschema errors; `is_secret(path)` says which values must not be shown."""
    for err in errors:
        yield from _convert(err, is_secret)


def _convert(err: Any, is_secret: Callable[[KeyPath], bool]) -> Iterator[Problem]:
    path = tuple(err.absolute_path)
    keyword = err.validator
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        for key in _unexpected_keys(err):
            known = [k for k in _known_keys(err.schema) if k != key]
            hint = difflib.get_close_matches(str(key), known, n=1)
            more = f" (did you mean {hint[0]!r}?)" if hint else ""
            yield Problem(path + (key,), keyword, f"unknown key {key!r}{more}", "key")
        return
    if "propertyNames" in err.relative_schema_path and isinstance(err.instance, str):
        # jsonschema checks a key name as an instance of its own, located at the mapping.
        yield Problem(path + (err.instance,), "propertyNames",
                      f"unknown key {err.instance!r} here", "key")
        return
    if keyword in ("anyOf", "oneOf") and _required_only(err.validator_value):
        names = ", ".join(repr(n) for b in err.validator_value for n in b["required"])
        many = keyword == "oneOf" and not any(e.validator == "required" for e in err.context)
        text = (
            f"needs only one of {names}, not several"
            if many
            else (f"needs {'exactly' if keyword == 'oneOf' else 'at least'} one of {names}")
        )
        yield Problem(path, keyword, text, "key", family="required")
        return
    if keyword in ("anyOf", "oneOf") and err.context:
        branch = _closest_branch(err)
        if branch:
            for inner in branch:
                yield from _convert(inner, is_secret)
            return
    if keyword == "dependentRequired":
        match = re.match(r"(.+) is a dependency of (.+)$", err.message)
        owner = next((k for k in err.instance if match and repr(k) == match.group(2)), None)
        if owner is not None:
            yield Problem(path + (owner,), keyword, _message(err, ""), "key")
            return
    secret = err.schema.get("x-lcm-secret") is True if isinstance(err.schema, dict) else False
    shown = _show(err.instance, secret or is_secret(path))
    offset = getattr(err, "lcm_offset", None)
    anchor = (
        "key"
        if offset is None and (keyword in COMPLETENESS or isinstance(err.instance, (dict, list)))
        else "value"
    )
    yield Problem(path, keyword, _message(err, shown), anchor, offset)


def _show(instance: Any, secret: bool) -> str:
    """How a value may appear in a message: repr of a plain scalar, else a neutral word."""
    if secret:
        return "the secret value"
    if isinstance(instance, str):
        return repr(instance if len(instance) <= 60 else instance[:57] + "...")
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        return str(instance).lower()
    if isinstance(instance, (int, float)):
        return repr(instance)
    return (
        "a mapping"
        if isinstance(instance, dict)
        else "a list"
        if isinstance(instance, list)
        else "the value"
    )


def _message(err: Any, shown: str) -> str:
    kw, want = err.validator, err.validator_value
    if kw == "type":
        types = [want] if isinstance(want, str) else list(want)
        return f"{shown} is not of type {' or '.join(types)}"
    if kw == "enum":
        listed = ", ".join(repr(v) for v in want[:12]) + (", ..." if len(want) > 12 else "")
        return f"{shown} is not one of {listed}"
    if kw == "const":
        return f"must be {want!r}, not {shown}"
    if kw == "required":
        missing = [k for k in want if isinstance(err.instance, dict) and k not in err.instance]
        named = next(
            (k for k in missing if err.message.startswith(repr(k))), missing[0] if missing else "?"
        )
        return f"missing required key {named!r}"
    if kw == "dependentRequired":
        match = re.match(r"(.+) is a dependency of (.+)$", err.message)
        return f"{match.group(2)} requires {match.group(1)}" if match else err.message
    if kw in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {
            "minimum": "less than the minimum",
            "maximum": "greater than the maximum",
            "exclusiveMinimum": "not greater than",
            "exclusiveMaximum": "not less than",
        }[kw]
        return f"{shown} is {relation} {'of ' if kw in ('minimum', 'maximum') else ''}{want!r}"
    if kw == "multipleOf":
        return f"{shown} is not a multiple of {want!r}"
    if kw in ("minLength", "maxLength"):
        return f"{shown} is too {'short' if kw == 'minLength' else 'long'} ({kw} {want})"
    if kw in ("minItems", "maxItems", "minProperties", "maxProperties"):
        size = len(err.instance) if isinstance(err.instance, (list, dict)) else "?"
        return f"has {size} {'items' if 'Items' in kw else 'keys'}, {kw} is {want}"
    if kw == "uniqueItems":
        return "has duplicate items"
    if kw == "pattern":
        return f"{shown} does not match the pattern {want}"
    if kw == "format":
        return f"{shown} is not a valid {want}"
    if kw == "propertyNames":
        return f"key {shown} is not an allowed name"
    if kw in ("anyOf", "oneOf"):
        which = "exactly one" if kw == "oneOf" else "any"
        return f"{shown} does not match {which} of the allowed forms"
    if kw == "not":
        return f"{shown} is not allowed here"
    if kw in CHECK_RULES:
        return str(err.message)
    return f"{shown} fails {kw}"


def _closest_branch(err: Any) -> list[Any]:
    """The errors of the anyOf/oneOf branch the value came closest to: one whose type
    matches the value, with the fewest errors; empty when no branch's type matches."""
    branches: dict[Any, list[Any]] = {}
    for inner in err.context:
        branches.setdefault(inner.relative_schema_path[0], []).append(inner)
    fitting = [
        errs
        for errs in branches.values()
        if not any(
            e.validator == "type" and len(e.absolute_path) == len(err.absolute_path) for e in errs
        )
    ]
    return min(fitting, key=len) if fitting else []


def _required_only(branches: Any) -> bool:
    return isinstance(branches, list) and all(
        isinstance(b, dict) and set(b) == {"required"} for b in branches
    )


def _unexpected_keys(err: Any) -> list[Any]:
    """The keys an additional/unevaluated-properties error is about."""
    instance = err.instance if isinstance(err.instance, dict) else {}
    if err.validator == "additionalProperties" and isinstance(err.schema, dict):
        known = err.schema.get("properties", {})
        patterns = err.schema.get("patternProperties", {})
        return [
            k
            for k in instance
            if k not in known and not any(re.search(p, str(k)) for p in patterns)
        ]
    return [k for k in instance if repr(k) in err.message] or list(instance)[:1]


def _known_keys(schema: Any) -> list[str]:
    """Property names a schema allows, including its `allOf` parts and built-in `$ref`s."""
    found: list[str] = []
    if isinstance(schema, dict):
        found.extend(str(k) for k in schema.get("properties", {}))
        for part in schema.get("allOf", []):
            found.extend(_known_keys(part))
        ref = schema.get("$ref")
        if isinstance(ref, str):
            found.extend(_ref_keys(ref))
    return found


def _ref_keys(ref: str) -> list[str]:
    """Property names behind a `$ref` to a built-in (`lcm:KIND#/$defs/x`)."""
    from lcm.validate.schemas import BUILTIN_PREFIX, builtin_contents

    if not ref.startswith(BUILTIN_PREFIX):
        return []
    doc, _, pointer = ref[len(BUILTIN_PREFIX) :].partition("#")
    node: Any = builtin_contents(doc)
    for part in filter(None, pointer.split("/")):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return [str(k) for k in node.get("properties", {})] if isinstance(node, dict) else []
