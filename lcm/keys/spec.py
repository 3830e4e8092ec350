"""A tenant's key spec: its manifest entry, `backend:` plus that backend's options
(`tenants: {globex: {backend: vault, address: …, mount: transit, key: lcm-globex,
auth: {method: approle}}}`). The one-word form `{backend: file}` (or just `file`)
is a spec without options."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

BACKENDS = ("keyring", "file", "env", "vault")
DEFAULT_BACKEND = "file"
COMMON_OPTIONS = ("description",)

Problem = tuple[tuple[Any, ...], str]


@dataclass(frozen=True)
class TenantSpec:
    """Which backend holds the tenant's master key, and how to reach it."""

    backend: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def to_manifest(self) -> dict[str, Any]:
        """The manifest entry that parses back to this spec."""
        return {"backend": self.backend, **self.options}


def parse_spec(entry: Any) -> tuple[TenantSpec | None, list[Problem]]:
    """The spec of one manifest entry, or the problems (key path within the entry,
    message) that stop it from being one."""
    if entry is None:
        return TenantSpec(DEFAULT_BACKEND), []
    if isinstance(entry, str):
        entry = {"backend": entry}
    if not isinstance(entry, dict):
        return None, [((), "must be a mapping with `backend:` (keyring, file, env or vault)")]
    backend = entry.get("backend", DEFAULT_BACKEND)
    if backend not in BACKENDS:
        return None, [(("backend",), f"must be one of {', '.join(BACKENDS)}")]
    options = {k: v for k, v in entry.items() if k != "backend"}
    problems: list[Problem] = []
    if backend == "vault":
        from lcm.vault.options import validate_options

        problems = [(tuple(path), message) for path, message in validate_options(options)]
    else:
        problems = [((key,), f"unknown option for the {backend} backend")
                    for key in options if key not in COMMON_OPTIONS]
    if problems:
        return None, problems
    return TenantSpec(backend, MappingProxyType(options)), []
