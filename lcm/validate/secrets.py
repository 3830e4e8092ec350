"""Which values a schema marks `"x-lcm-secret": true`, so writers encrypt them like the
manifest's secret keys (DESIGN.md: a secret is a glob match, a schema-marked field, or
`--secret`)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from lcm.format.paths import KeyPath

if TYPE_CHECKING:
    from lcm.repository.address import Address
    from lcm.repository.repo import Repo


def schema_secret_paths(repo: "Repo", addr: "Address", plain: Any) -> list[KeyPath]:
    """Paths of scalar values in `plain` (a file's tree) that the schema mapped to the file
    marks secret; empty, without loading jsonschema, when no schema maps to it."""
    from lcm.validate.mapping import schema_for

    ref = schema_for(repo.manifest.schemas, f"{addr.tenant}/{addr.env}/{addr.name}.yaml")
    if ref is None:
        return []
    from lcm.validate.schemas import load

    schema = load(ref, repo.root)
    if not schema.marks_secrets:
        return []
    finder = schema.extended(_finder)
    return sorted(set(_paths(finder.iter_errors(plain))), key=repr)


def _paths(errors: Iterable[Any]) -> Iterator[KeyPath]:
    for err in errors:
        if err.validator == "x-lcm-secret":
            yield tuple(err.absolute_path)
        yield from _paths(err.context or ())


@functools.cache
def _finder(cls: Any) -> Any:
    """`cls` where `x-lcm-secret` reports every scalar it applies to."""
    from jsonschema import validators  # type: ignore[import-untyped]
    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped]

    def mark(_validator: Any, flag: Any, instance: Any, _schema: Any) -> Iterator[Any]:
        if flag is True and instance is not None and not isinstance(instance, (dict, list)):
            yield ValidationError("secret")

    return validators.extend(cls, {"x-lcm-secret": mark})
