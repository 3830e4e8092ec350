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


def kubernetes_role(server: VaultServer, mount: str, cluster: Any, reviewer: str,
                    policy_hcl: str) -> None:
    """Point the kubernetes auth `mount` at a TokenReview `cluster`, with role `lcm` for the
    service account inference/llm-config holding a new policy made of `policy_hcl`."""
    import secrets

    server.admin("POST", f"auth/{mount}/config", {
        "kubernetes_host": cluster.url, "kubernetes_ca_cert": cluster.ca_pem,
        "token_reviewer_jwt": reviewer, "disable_local_ca_jwt": True})
    policy = f"lcm-k8s-{secrets.token_hex(4)}"
    write_policy(server, policy, policy_hcl)
    server.admin("POST", f"auth/{mount}/role/lcm", {
        "bound_service_account_names": ["llm-config"],
        "bound_service_account_namespaces": ["inference"],
        "token_policies": [policy], "token_ttl": "5m"})


def seal_on_two_data_keys(root: Path, files: int, secret: str) -> None:
    """Tenant acme of the repo at `root` gets `files` files in production: the first half
    sealed with data key v1, the rest with v2 (added here)."""
    from lcm.api import Repo
    from lcm.keys import cache

    repo = Repo.open(root)
    for part in range(2):
        if part:
            keys = repo.keys("acme")
            keys.add_version()
            changes = repo.changes("data key v2", op="rotate-key", check_each=False)
            changes.write(".lcm/keys/acme.yaml", keys.render())
            changes.commit()
        changes = repo.changes(f"files, part {part}", op="set", check_each=False)
        for index in range(part * files // 2, (part + 1) * files // 2):
            addr = repo.address(f"acme/production/f{index:02d}")
            changes.set(addr, ("db", "password"), f"{secret}-{index}")
            changes.set(addr, ("db", "host"), f"db{index}.internal")
            changes.set(addr, ("pool", "size"), index)
        changes.commit()
    cache.forget()


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

