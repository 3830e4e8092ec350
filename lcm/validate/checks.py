"""lcm's own checks: everything plain JSON Schema cannot say, kept in this one module.

Schema keywords (usable in any schema, built-in or the repo's own):

- ``"x-lcm-secret": true`` (rule ``plaintext-secret``): the value must be stored
  encrypted (``ENC[...]``). The finding never echoes the value.
- ``"x-lcm-placeholders": {"texts": [...], "declared": "variables"}`` (rule
  ``undeclared-placeholder``): every ``{{name}}`` (also ``{{ name }}``, ``{{name.field}}``,
  ``{{#name}}``) in the listed text fields, dotted paths where ``*`` is any list item
  or map value, must be a key of the ``declared`` mapping.
- ``"x-lcm-weights": {"list": "targets", "field": "weight", "total": 100}`` (rule
  ``weights``): when any item of the list has a weight, every item has one and they
  sum to ``total``.

Checks on stored values, independent of any schema (see `stored_value_problems`):

- ``bad-ciphertext``: a value that starts with ``ENC[`` is a well-formed ENC value.
- ``plaintext-secret``: in a repository, a value whose key matches the manifest's
  ``secrets`` globs is stored encrypted.

Encrypted values: when a stored tree is checked, value keywords (type, enum, pattern,
ranges, lengths, format) accept an ``ENC[...]`` string as present and valid; the
decrypted value is checked only when keys are available (see `revealed_validator`).
"""

from __future__ import annotations

import functools
import re
from collections import deque
from typing import Any, Callable, Iterator

from lcm.format.crypto import is_encrypted
from lcm.format.values import DELETE
from lcm.format.paths import KeyPath, iter_leaves

ENC_PREFIX = "ENC["
VALUE_KEYWORDS = (
    "type",
    "enum",
    "const",
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
)
PLAINTEXT_MESSAGE = "secret value is stored in plaintext: encrypt it (lcm set --secret)"
BAD_ENC_MESSAGE = (
    "malformed encrypted value " "(expected ENC[AES256_GCM,k:…,iv:…,data:…,tag:…,type:…])"
)
PLACEHOLDER_RE = re.compile(r"\{\{\s*[#^/&]?\s*([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}\}")

Keyword = Callable[[Any, Any, Any, dict[str, Any]], Iterator[Any]]


def _error(message: str, path: tuple[Any, ...] = (), offset: int | None = None) -> Any:
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

    err = ValidationError(message, path=deque(path))
    err.lcm_offset = offset
    return err


def secret_keyword(
    validator: Any, flag: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    """`x-lcm-secret`: a non-null scalar stored in plaintext is an error."""
    if flag is True and instance is not None and not isinstance(instance, (dict, list)):
        if not is_encrypted(instance):
            yield _error(PLAINTEXT_MESSAGE)


def placeholders_keyword(
    validator: Any, spec: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    """`x-lcm-placeholders`: every {{placeholder}} in the text fields is declared."""
    if not isinstance(instance, dict) or not isinstance(spec, dict):
        return
    declared_name = spec.get("declared", "variables")
    declared = instance.get(declared_name)
    names = set(declared) if isinstance(declared, dict) else set()
    for pattern in spec.get("texts", ()):
        for path, text in _expand(instance, tuple(pattern.split("."))):
            if not isinstance(text, str) or text.startswith(ENC_PREFIX):
                continue
            for match in PLACEHOLDER_RE.finditer(text):
                if match.group(1) not in names:
                    yield _error(
                        f"placeholder {{{{{match.group(1)}}}}} is not declared under "
                        f"`{declared_name}`",
                        path,
                        match.start(),
                    )


def weights_keyword(
    validator: Any, spec: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[Any]:
    """`x-lcm-weights`: weights of the list items are all given and sum to the total."""
    if not isinstance(instance, dict) or not isinstance(spec, dict):
        return
    list_name, field, total = spec.get("list"), spec.get("field", "weight"), spec.get("total", 100)
    items = instance.get(list_name)
    if not isinstance(items, list) or not items:
        return
    weights = [item.get(field) if isinstance(item, dict) else None for item in items]
    numeric = [w for w in weights if isinstance(w, (int, float)) and not isinstance(w, bool)]
    if not numeric:
        return
    for index, weight in enumerate(weights):
        if weight is None:
            yield _error(f"every item needs `{field}` when one has it", (list_name, index))
    if len(numeric) == len(weights) and sum(numeric) != total:
        yield _error(f"`{field}` values sum to {sum(numeric):g}, must be {total:g}", (list_name,))


KEYWORDS: dict[str, Keyword] = {
    "x-lcm-secret": secret_keyword,
    "x-lcm-placeholders": placeholders_keyword,
    "x-lcm-weights": weights_keyword,
}
RULES = {
    "x-lcm-secret": "plaintext-secret",
    "x-lcm-placeholders": "undeclared-placeholder",
    "x-lcm-weights": "weights",
}


def _expand(
    tree: Any, parts: tuple[str, ...], prefix: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Values at a dotted pattern where `*` matches every list item or map value."""
    if not parts:
        yield prefix, tree
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        pairs = (
            enumerate(tree)
            if isinstance(tree, list)
            else tree.items()
            if isinstance(tree, dict)
            else ()
        )
        for key, value in pairs:
            yield from _expand(value, rest, prefix + (key,))
    elif isinstance(tree, dict) and head in tree:
        yield from _expand(tree[head], rest, prefix + (head,))


def _skip_encrypted(check: Keyword) -> Keyword:
    """Wrap a value keyword so an ENC[...] string counts as a valid value."""

    def wrapped(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
        if isinstance(instance, str) and instance.startswith(ENC_PREFIX):
            return iter(())
        return check(validator, value, instance, schema)

    return wrapped


@functools.cache
def stored_validator(cls: Any) -> Any:
    """`cls` with lcm's keywords, where ENC values pass every value keyword."""
    from jsonschema import validators  # type: ignore[import-untyped]

    checkers = {
        kw: _skip_encrypted(cls.VALIDATORS[kw]) for kw in VALUE_KEYWORDS if kw in cls.VALIDATORS
    }
    return validators.extend(cls, {**checkers, **KEYWORDS})


@functools.cache
def plain_validator(cls: Any) -> Any:
    """`cls` with lcm's keywords, for stored trees that hold no ENC value."""
    from jsonschema import validators

    return validators.extend(cls, KEYWORDS)


@functools.cache
def revealed_validator(cls: Any) -> Any:
    """`cls` with lcm's keywords for decrypted trees (secrets are plaintext by then)."""
    from jsonschema import validators

    return validators.extend(cls, {**KEYWORDS, "x-lcm-secret": lambda *_: iter(())})


def stored_value_problems(
    tree: Any,
    is_secret_key: Callable[[KeyPath], bool] | None,
) -> Iterator[tuple[KeyPath, str, str]]:
    """(path, rule, message) for malformed ENC values and plaintext values at secret keys."""
    for path, value in iter_leaves(tree):
        if isinstance(value, str) and value.startswith(ENC_PREFIX):
            if not is_encrypted(value):
                yield path, "bad-ciphertext", BAD_ENC_MESSAGE
        elif (
            is_secret_key is not None
            and value is not None
            and value is not DELETE
            and value != ""
            and not isinstance(value, (dict, list))
            and is_secret_key(path)
        ):
            yield path, "plaintext-secret", PLAINTEXT_MESSAGE
