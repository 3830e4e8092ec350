"""File addresses `TENANT/ENV/NAME` and their paths under `config/`."""

from __future__ import annotations

import re
from dataclasses import dataclass

NAME_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


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

    def with_env(self, env: str) -> "Address":
        return Address(self.tenant, env, self.name)
