"""Transit operations on one named key: info, create, batch encrypt/decrypt/rewrap, rotate.

Every batch operation is one request per `BATCH_LIMIT` items (Vault caps the
number of JSON strings in a request), so unwrapping all data-key versions of a
tenant costs one round trip.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import NoReturn

from lcm.vault.client import VaultClient, vault_path
from lcm.vault.errors import VaultNotFound, VaultRequestRejected
from lcm.vault.settings import TransitSettings

BATCH_LIMIT = 200
KEY_TYPE = "aes256-gcm96"
_ENCRYPTING_TYPES = ("aes128-gcm96", "aes256-gcm96", "chacha20-poly1305", "xchacha20-poly1305",
                     "rsa-2048", "rsa-3072", "rsa-4096")


@dataclass(frozen=True)
class TransitKeyInfo:
    """What `GET <mount>/keys/<name>` says about a transit key (no key material)."""

    name: str
    type: str
    latest_version: int
    min_decryption_version: int
    min_encryption_version: int
    derived: bool
    supports_encryption: bool
    supports_decryption: bool

    @property
    def can_wrap(self) -> bool:
        return self.supports_encryption and self.supports_decryption and not self.derived


class TransitKey:
    """One transit key (`mount`, `key`) reached through a client; `subject` names the caller in errors."""

    def __init__(self, client: VaultClient, settings: TransitSettings, subject: str) -> None:
        self.client = client
        self.mount = settings.mount
        self.key = settings.key
        self.subject = subject

    def path(self, operation: str, *rest: str) -> str:
        return vault_path(self.mount, operation, self.key, *rest)

    def __str__(self) -> str:
        return f"transit key {self.key!r} at {self.mount}/"

    def info(self) -> TransitKeyInfo | None:
        """The key's metadata, or None when it does not exist."""
        reply = self.client.request("GET", self.path("keys"), subject=self.subject, accept=(404,))
        if reply.status == 404:
            return None
        d = reply.data
        return TransitKeyInfo(
            name=str(d.get("name", self.key)), type=str(d.get("type", "")),
            latest_version=int(d.get("latest_version", 0)),
            min_decryption_version=int(d.get("min_decryption_version", 0)),
            min_encryption_version=int(d.get("min_encryption_version", 0)),
            derived=bool(d.get("derived", False)),
            supports_encryption=bool(d.get("supports_encryption", d.get("type") in _ENCRYPTING_TYPES)),
            supports_decryption=bool(d.get("supports_decryption", d.get("type") in _ENCRYPTING_TYPES)),
        )

    def create(self) -> None:
        """Create the key (aes256-gcm96, not exportable, deletion not allowed)."""
        self.client.request("POST", self.path("keys"), {"type": KEY_TYPE}, subject=self.subject)

    def rotate(self) -> int:
        """Add a new key version; returns the latest version after the rotation."""
        self.client.request("POST", self.path("keys", "rotate"), {}, subject=self.subject)
        info = self.info()
        if info is None:
            raise VaultNotFound(f"{self.subject}: {self} vanished during rotation")
        return info.latest_version

    def _batch(self, operation: str, items: list[dict[str, str]], field: str) -> list[str]:
        out: list[str] = []
        for start in range(0, len(items), BATCH_LIMIT):
            chunk = items[start:start + BATCH_LIMIT]
            reply = self.client.request("POST", self.path(operation), {"batch_input": chunk},
                                        subject=self.subject, accept=(400,))
            results = reply.data.get("batch_results")
            if reply.status == 400 and not isinstance(results, list):
                self._rejected(operation, reply.errors)
            if not isinstance(results, list) or len(results) != len(chunk):
                raise VaultRequestRejected(
                    f"{self.subject}: unexpected answer from {self.path(operation)}")
            for index, result in enumerate(results):
                value = result.get(field) if isinstance(result, dict) else None
                if not isinstance(value, str) or result.get("error"):
                    error = result.get("error") if isinstance(result, dict) else None
                    self._rejected(operation, [str(error or "no result")], start + index)
                out.append(value)
        return out

    def _rejected(self, operation: str, errors: list[str], index: int | None = None) -> NoReturn:
        text = "; ".join(errors)
        item = f" (item {index + 1})" if index is not None else ""
        if "not found" in text:
            raise VaultNotFound(f"{self.subject}: {self} does not exist ({self.path(operation)})")
        if "disallowed by policy" in text:
            raise VaultRequestRejected(
                f"{self.subject}: {self} no longer decrypts this ciphertext version{item}:"
                " its min_decryption_version was raised past it")
        if "authentication failed" in text or "invalid ciphertext" in text:
            raise VaultRequestRejected(
                f"{self.subject}: {self} cannot decrypt the wrapped data key{item}: it was"
                " wrapped by another key, or it is corrupted")
        raise VaultRequestRejected(
            f"{self.subject}: Vault rejected {self.path(operation)}{item}: {text[:200]}")

    def encrypt_many(self, plaintexts: list[bytes]) -> list[str]:
        """Transit ciphertexts (`vault:vN:…`) of `plaintexts`, in order."""
        items = [{"plaintext": base64.b64encode(p).decode()} for p in plaintexts]
        return self._batch("encrypt", items, "ciphertext")

    def decrypt_many(self, ciphertexts: list[str]) -> list[bytes]:
        """The plaintexts of transit `ciphertexts`, in order, in one request per batch."""
        items = [{"ciphertext": c} for c in ciphertexts]
        out: list[bytes] = []
        for index, text in enumerate(self._batch("decrypt", items, "plaintext")):
            try:
                out.append(base64.b64decode(text, validate=True))
            except (binascii.Error, ValueError):
                self._rejected("decrypt", ["invalid plaintext encoding"], index)
        return out

    def rewrap_many(self, ciphertexts: list[str]) -> list[str]:
        """The same plaintexts re-encrypted under the latest key version, never leaving Vault."""
        return self._batch("rewrap", [{"ciphertext": c} for c in ciphertexts], "ciphertext")

