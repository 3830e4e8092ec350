"""Load JSON Schemas (built-in `lcm:KIND` or a file) and compile each one once per process."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from lcm.errors import RepoError
from lcm.validate.inline import inline_refs

BUILTIN_PREFIX = "lcm:"


@dataclass(frozen=True)
class CompiledSchema:
    """A schema ready to use: `plain` checks stored trees without ENC values, `stored`
    those with ENC values (which count as present), `revealed` decrypted trees."""

    name: str
    contents: dict[str, Any]
    plain: Any
    stored: Any
    revealed: Any
    marks_secrets: bool
    base: Any

    def extended(self, make: Any) -> Any:
        """A validator for this schema of class `make(base class)` (e.g. with other keywords)."""
        return make(self.base)(
            self.plain.schema,
            registry=_builtin_registry(),
            format_checker=self.plain.format_checker,
        )


def builtin_kinds() -> list[str]:
    """Names of the built-in schemas (`model-endpoint`, ..., `manifest`)."""
    folder = resources.files("lcm.builtin_schemas")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


@functools.cache
def builtin_contents(kind: str) -> dict[str, Any]:
    """The parsed JSON of built-in schema `kind`; RepoError if there is none."""
    resource = resources.files("lcm.builtin_schemas") / f"{kind}.json"
    try:
        return json.loads(resource.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (FileNotFoundError, OSError):
        known = ", ".join(f"lcm:{k}" for k in builtin_kinds())
        raise RepoError(f"unknown built-in schema lcm:{kind} (known: {known})") from None


def load(ref: str, base: Path | None = None) -> CompiledSchema:
    """Compile the schema named by `ref` (`lcm:KIND` or a path, relative to `base`)."""
    if ref.startswith(BUILTIN_PREFIX):
        return _compiled_builtin(ref[len(BUILTIN_PREFIX) :])
    path = Path(ref) if base is None or Path(ref).is_absolute() else base / ref
    return _compiled_file(str(path.resolve()), ref)


@functools.cache
def _compiled_builtin(kind: str) -> CompiledSchema:
    return _compile(f"{BUILTIN_PREFIX}{kind}", builtin_contents(kind))


@functools.cache
def _compiled_file(path: str, shown: str) -> CompiledSchema:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise RepoError(f"{shown}: cannot read schema: {err.strerror}") from None
    try:
        contents = json.loads(text)
    except ValueError as err:
        raise RepoError(f"{shown}: schema is not valid JSON: {err}") from None
    if not isinstance(contents, (dict, bool)):
        raise RepoError(f"{shown}: a schema must be a JSON object")
    return _compile(shown, contents)


def _compile(name: str, contents: Any) -> CompiledSchema:
    """Check the schema against its metaschema and build both validators."""
    from jsonschema import exceptions, validators  # type: ignore[import-untyped]

    from lcm.validate import checks

    cls = validators.validator_for(contents, default=validators.Draft202012Validator)
    try:
        cls.check_schema(contents)
    except exceptions.SchemaError as err:
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        raise RepoError(f"{name}: invalid schema at {where}: {err.message}") from None
    fast = inline_refs(contents)

    def build(make: Any) -> Any:
        return make(cls)(fast, registry=_builtin_registry(), format_checker=cls.FORMAT_CHECKER)

    return CompiledSchema(
        name=name,
        contents=contents if isinstance(contents, dict) else {},
        plain=build(checks.plain_validator),
        stored=build(checks.stored_validator),
        revealed=build(checks.revealed_validator),
        marks_secrets='"x-lcm-secret"' in json.dumps(contents),
        base=cls,
    )


@functools.cache
def _builtin_registry() -> Any:
    """A `referencing` registry holding every built-in, so schemas can `$ref` `lcm:KIND`."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resources(
        (
            f"{BUILTIN_PREFIX}{kind}",
            Resource.from_contents(builtin_contents(kind), default_specification=DRAFT202012),
        )
        for kind in builtin_kinds()
    )
