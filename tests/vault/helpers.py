"""Small builders shared by the Vault tests: tenant specs, backends, policies from the docs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from lcm.keys.vault import VaultTransitBackend

from .server import VaultServer

DOCS = Path(__file__).resolve().parents[2] / "docs" / "vault.md"
REPO_ID = "0f3c9b8e7d6a5b4c"


@dataclass
class Spec:
    """Stands in for the core's TenantSpec: a backend name and its options."""

    backend: str = "vault"
    options: dict[str, Any] = field(default_factory=dict)


def make_backend(tenant: str, repo_id: str = REPO_ID, **options: Any) -> VaultTransitBackend:
    return VaultTransitBackend(repo_id, tenant, Spec("vault", options))


def aad(tenant: str, version: int, repo_id: str = REPO_ID) -> bytes:
    """The AAD the core binds to a data key (same shape as lcm.keys.datakeys)."""
    return f"lcm data key v1/{repo_id}/{tenant}/{version}".encode()


def docs_policy(name: str, mount: str, key: str) -> str:
    """The policy HCL block titled `name` in docs/vault.md, for `mount` and `key`."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- policy:{re.escape(name)} -->\s*```hcl\n(.*?)```", text, re.S)
    assert match, f"docs/vault.md has no policy block {name!r}"
    return match.group(1).replace("transit/", f"{mount}/").replace("lcm-acme", key)


def write_policy(server: VaultServer, name: str, hcl: str, namespace: str | None = None) -> None:
    server.admin("PUT", f"sys/policies/acl/{name}", {"policy": hcl}, namespace=namespace)


def chain(err: BaseException | None) -> Iterator[BaseException]:
    """`err` and every exception reachable through __cause__ and __context__."""
    seen: set[int] = set()
    todo = [err]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [current.__cause__, current.__context__]


def assert_no_secret(err: BaseException, *secrets: str) -> None:
    """No secret in the message, str, repr, args or anywhere down the exception chain."""
    for e in chain(err):
        texts = [str(e), repr(e), *map(str, e.args), str(getattr(e, "message", ""))]
        for secret in secrets:
            assert secret and all(secret not in t for t in texts), f"secret leaked in {type(e)}"

