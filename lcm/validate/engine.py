"""Check trees against a compiled schema, and one YAML text on its own (`--schema` files,
the manifest): syntax, schema errors and the stored-value checks, located in the text."""

from __future__ import annotations

from typing import Any, Callable

from lcm.format.values import strip_deletes
from lcm.errors import RepoError
from lcm.format.paths import KeyPath
from lcm.validate import checks, source
from lcm.validate.findings import Finding
from lcm.validate.problems import Problem, from_errors
from lcm.validate.schemas import CompiledSchema

SecretTest = Callable[[KeyPath], bool]


def check_text(text: str, shown: str, schema: CompiledSchema | None) -> list[Finding]:
    """Findings for one YAML file checked on its own against `schema` (every keyword)."""
    name = schema.name if schema else None
    try:
        tree = source.load_tree(text)
    except source.SyntaxProblem as err:
        return [Finding(shown, err.line, err.col, (), "yaml-syntax", "yaml", err.message, name)]
    if "!delete" in text:
        tree = strip_deletes(tree)
    problems = schema_problems(tree, schema, encrypted="ENC[" in text)
    if "ENC[" in text:
        problems += stored_problems(tree, None)
    if not problems:
        return []
    doc = source.document(text, shown)
    return [
        Finding(shown, *source.position(doc, p), p.path, p.rule, p.keyword, p.message, name)
        for p in problems
    ]


def schema_problems(
    tree: Any,
    schema: CompiledSchema | None,
    *,
    encrypted: bool = True,
    partial: bool = False,
    revealed: bool = False,
    is_secret: SecretTest | None = None,
) -> list[Problem]:
    """Schema problems of a stored tree, or of a decrypted one with `revealed`; values at
    paths `is_secret` names are never shown; `partial` (an overlay layer) drops missing-key
    problems, which the environments built on it answer."""
    if schema is None:
        return []
    validator = schema.revealed if revealed else schema.stored if encrypted else schema.plain
    from referencing.exceptions import Unresolvable

    try:
        found = list(from_errors(validator.iter_errors(tree), is_secret or _never))
    except Unresolvable as err:
        raise RepoError(f"{schema.name}: cannot resolve $ref {err.ref!r} "
                        "(only local refs and lcm:KIND are available)") from None
    return _unique([p for p in found if not (partial and p.rule == "required")])


def stored_problems(tree: Any, is_secret_key: SecretTest | None) -> list[Problem]:
    """Malformed ENC values and plaintext values at the manifest's secret keys."""
    return [
        Problem(path, "x-lcm-secret" if rule == "plaintext-secret" else rule, message)
        for path, rule, message in checks.stored_value_problems(tree, is_secret_key)
    ]


def _never(_path: KeyPath) -> bool:
    return False


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for p in problems:
        key = (p.path, p.keyword, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
