"""KV v2 secrets for `lcm export`: read the current version, write with check-and-set, metadata, soft-delete.

Writes always carry `cas` (0 = must not exist yet), so a concurrent writer is
detected, never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from lcm.vault.client import VaultClient, vault_path
from lcm.vault.errors import VaultCasConflict, VaultDenied, VaultRequestRejected


@dataclass(frozen=True)
class KvSecret:
    """The current version of a KV v2 secret; `data` is None when that version is deleted."""

    path: str
    version: int
    data: dict[str, Any] | None = field(repr=False)
    custom_metadata: dict[str, str]

    @property
    def deleted(self) -> bool:
        return self.data is None


class KvV2:
    """A KV v2 mount reached through a client; `subject` names the caller in errors."""

    def __init__(self, client: VaultClient, mount: str, subject: str) -> None:
        self.client = client
        self.mount = mount.strip("/")
        self.subject = subject

    def check_mount(self) -> None:
        """Refuse anything but a KV version 2 mount (a KV v1 mount would store `data/…`
        paths as plain secrets); one request, allowed by any policy on the mount."""
        reply = self.client.request("GET", vault_path("sys/internal/ui/mounts", self.mount),
                                    subject=self.subject, accept=(400, 403, 404))
        where = self.client.settings.where()
        if reply.status != 200:
            raise VaultDenied(f"{self.subject}: no KV mount {self.mount}/ that this token may"
                              f" use at {where}{reply.detail()}")
        kind = reply.data.get("type")
        version = str((reply.data.get("options") or {}).get("version", "1"))
        if kind not in ("kv", "generic") or version != "2":
            what = f"a KV version {version} mount" if kind in ("kv", "generic") else f"a {kind} mount"
            raise VaultRequestRejected(f"{self.subject}: {self.mount}/ at {where} is {what};"
                                       " lcm exports to KV version 2 only")

    def read(self, path: str) -> KvSecret | None:
        """The current version (one request), or None when the secret was never written."""
        reply = self.client.request("GET", vault_path(self.mount, "data", path),
                                    subject=self.subject, accept=(404,))
        metadata = reply.data.get("metadata")
        if not isinstance(metadata, dict):
            return None
        data = reply.data.get("data") if reply.status == 200 else None
        custom = metadata.get("custom_metadata") or {}
        return KvSecret(path, int(metadata.get("version", 0)),
                        data if isinstance(data, dict) else None,
                        {str(k): str(v) for k, v in custom.items()})

    def write(self, path: str, data: Mapping[str, Any], cas: int) -> int:
        """Write a new version if the current one is `cas` (0: none yet); returns the new version."""
        body = {"options": {"cas": cas}, "data": dict(data)}
        try:
            reply = self.client.request("POST", vault_path(self.mount, "data", path), body,
                                        subject=self.subject)
        except VaultRequestRejected as err:
            if "check-and-set" not in err.message:
                raise
            conflict = VaultCasConflict(
                f"{self.subject}: {self.mount}/{path} changed in Vault since it was read"
                f" (expected version {cas}); nothing was written")
        else:
            return int(reply.data.get("version", 0))
        raise conflict

    def set_custom_metadata(self, path: str, custom_metadata: Mapping[str, str]) -> None:
        """Replace the secret's custom metadata (Vault ≥ 1.9, OpenBao)."""
        self.client.request("POST", vault_path(self.mount, "metadata", path),
                            {"custom_metadata": dict(custom_metadata)}, subject=self.subject)

    def list(self, path: str) -> list[str]:
        """Names directly under `path` (folders end in `/`); empty when there are none."""
        reply = self.client.request("LIST", vault_path(self.mount, "metadata", path),
                                    subject=self.subject, accept=(404,))
        keys = reply.data.get("keys")
        return [str(k) for k in keys] if isinstance(keys, list) else []

    def soft_delete(self, path: str) -> None:
        """Delete the current version (recoverable with `undelete`); metadata stays."""
        self.client.request("DELETE", vault_path(self.mount, "data", path), subject=self.subject)
