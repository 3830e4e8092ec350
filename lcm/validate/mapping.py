"""The manifest's `schemas:` mapping: globs over paths relative to `config/`, first match wins."""

from __future__ import annotations

import functools
import re
from typing import Iterable

from lcm.repository.manifest import SchemaRule


@functools.cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """`*` and `?` stay inside one path segment, `**` spans segments, `[...]` is a class."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


def schema_for(rules: Iterable[SchemaRule], relpath: str) -> str | None:
    """The schema of the first rule whose glob matches `relpath` (`acme/base/inference.yaml`)."""
    for rule in rules:
        if glob_regex(rule.files).match(relpath):
            return rule.schema
    return None
