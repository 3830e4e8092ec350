"""File addresses `TENANT/ENV/NAME` and their paths under `config/`."""

from __future__ import annotations

import re
from dataclasses import dataclass

# A segment stays well inside the 255-byte file-name limit (`NAME.yaml`, temp names),
# a whole address well inside PATH_MAX.
MAX_SEGMENT_CHARS = 200
MAX_ADDRESS_CHARS = 1000
NAME_SEGMENT = re.compile(rf"^[A-Za-z0-9_][A-Za-z0-9_.-]{{0,{MAX_SEGMENT_CHARS - 1}}}$")


@dataclass(frozen=True, order=True)
class Address:
    tenant: str
    env: str
    name: str

    def __str__(self) -> str:
        return f"{self.tenant}/{self.env}/{self.name}"

    @property
    def place(self) -> tuple[str, str, str]:
        return (self.tenant, self.env, self.name)

    @property
    def relpath(self) -> str:
        return f"config/{self.tenant}/{self.env}/{self.name}.yaml"

    @classmethod
    def from_relpath(cls, relpath: str) -> "Address | None":
        """The address of `config/TENANT/ENV/NAME.yaml` (repo-relative, `/`-separated),
        or None for any other path (config files end in `.yaml`, never `.yml`)."""
        parts = relpath.split("/")
        if len(parts) < 4 or parts[0] != "config" or not parts[-1].endswith(".yaml"):
            return None
        name = "/".join(parts[3:])[: -len(".yaml")]
        if not all(NAME_SEGMENT.match(p) for p in (parts[1], parts[2], *name.split("/"))):
            return None
        return cls(parts[1], parts[2], name)
