"""The scan config file `.lcm-scan.yaml` at the scan root: excludes, allowlist, disabled rules.

```yaml
exclude: ["tests/fixtures/*", "*.snap"]   # fnmatch globs on root-relative paths or basenames
allow: ["^sk-test-fixture-"]              # regexes; a secret matching one is not reported
disable: [generic-secret]                 # rule ids to turn off
```
"""

from __future__ import annotations

import os
import re

from lcm.errors import RepoError
from lcm.scan.rules import LCM_RULES, RULES

CONFIG_NAME = ".lcm-scan.yaml"


class ScanConfig:
    """Parsed `.lcm-scan.yaml` (all lists empty when there is no file)."""

    __slots__ = ("allow", "disable", "exclude")

    def __init__(
        self,
        exclude: tuple[str, ...] = (),
        allow: tuple[str, ...] = (),
        disable: tuple[str, ...] = (),
    ) -> None:
        self.exclude, self.allow, self.disable = exclude, allow, disable


def load_config(root: str, explicit: str | None = None) -> ScanConfig:
    """Read the config at `explicit` or `<root>/.lcm-scan.yaml`; a bad file is a RepoError."""
    path = explicit or os.path.join(root, CONFIG_NAME)
    if explicit is None and not os.path.isfile(path):
        return ScanConfig()
    try:
        with open(path, "rb") as handle:
            text = handle.read()
    except OSError as err:
        raise RepoError(f"{path}: cannot read scan config: {err.strerror or err}") from None
    from lcm.format.loading import decode_text, load_tree

    raw = load_tree(decode_text(text, path), path) or {}
    if not isinstance(raw, dict):
        raise RepoError(f"{path}: scan config must be a mapping")
    unknown = set(raw) - {"exclude", "allow", "disable"}
    if unknown:
        raise RepoError(f"{path}: unknown scan config key {min(unknown)!r}")
    lists = {k: _strings(path, k, raw.get(k)) for k in ("exclude", "allow", "disable")}
    known = {r.id for r in RULES} | set(LCM_RULES)
    for rule_id in lists["disable"]:
        if rule_id not in known:
            raise RepoError(f"{path}: disable: unknown rule id {rule_id!r}")
    for pattern in lists["allow"]:
        try:
            re.compile(pattern)
        except re.error as err:
            raise RepoError(f"{path}: allow: bad regex {pattern!r}: {err}") from None
    return ScanConfig(lists["exclude"], lists["allow"], lists["disable"])


def _strings(path: str, key: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RepoError(f"{path}: {key}: expected a list of strings")
    return tuple(value)
