"""The `vault` master-key backend: a tenant's master key is a Vault/OpenBao transit key.

Data keys are wrapped by transit encrypt and unwrapped by one batch decrypt per
process. The AAD that local backends pass to AES-GCM is bound here by sealing
`MAGIC + SHA-256(aad)` in front of the data key inside the transit plaintext and
checking it after decryption: this works with any existing encrypting transit
key (no `derived=true` needed, no dependency on transit's newer
`associated_data`), see docs/vault.md.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Mapping, Protocol

from lcm.errors import KeyStoreError, UsageError, WrongKey
from lcm.keys.backends import MasterKeyBackend
from lcm.vault.addresses import env_addresses
from lcm.vault.client import client_for
from lcm.vault.settings import resolve, transit_settings
from lcm.vault.transit import TransitKey, TransitKeyInfo

MAGIC = b"lcm-dk1\0"
_DIGEST = 32
WrapItem = tuple[bytes, bytes]


class TenantSpecLike(Protocol):
    """The part of the core's TenantSpec this backend reads."""

    @property
    def backend(self) -> str: ...

    @property
    def options(self) -> Mapping[str, Any]: ...


def seal(data_key: bytes, aad: bytes) -> bytes:
    """The transit plaintext: the AAD's digest bound in front of the data key."""
    return MAGIC + hashlib.sha256(aad).digest() + data_key


def open_sealed(plain: bytes, aad: bytes) -> bytes | None:
    """The data key when `plain` was sealed with this `aad`, else None."""
    head = len(MAGIC) + _DIGEST
    if len(plain) <= head or not plain.startswith(MAGIC):
        return None
    if not hmac.compare_digest(plain[len(MAGIC):head], hashlib.sha256(aad).digest()):
        return None
    return plain[head:]


class VaultTransitBackend(MasterKeyBackend):
    """Master key = a transit key; lcm never sees, exports or deletes it."""

    name = "vault"

    def __init__(self, repo_id: str, tenant: str, spec: TenantSpecLike) -> None:
        super().__init__(repo_id, tenant, spec)
        self.options: dict[str, Any] = dict(spec.options)
        self.transit_settings = transit_settings(tenant, self.options)
        self._key: TransitKey | None = None
        self._plain: dict[WrapItem, bytes] = {}

    @property
    def subject(self) -> str:
        return f"tenant {self.tenant!r}"

    def _address_hint(self) -> str:
        if self.options.get("address"):
            return str(self.options["address"])
        env = env_addresses()
        return env[0][0] if env else "$VAULT_ADDR (unset)"

    def describe(self) -> str:
        address = self._address_hint()
        ns = self.options.get("namespace")
        t = self.transit_settings
        return (f"tenant {self.tenant!r} (vault backend, transit key {t.key} on {t.mount}/ at"
                f" {address}{f', namespace {ns}' if ns else ''})")

    def transit(self) -> TransitKey:
        """The tenant's transit key; checks the address allow-list before any request."""
        if self._key is None:
            settings = resolve(self.tenant, self.options)
            self._key = TransitKey(client_for(settings), self.transit_settings, self.subject)
        return self._key

    def key_info(self) -> TransitKeyInfo | None:
        return self.transit().info()

    def exists(self) -> bool:
        return self.key_info() is not None

    def create(self) -> None:
        """Use the transit key if it exists and can wrap, else create it when the tenant allows."""
        key = self.transit()
        info = key.info()
        if info is None:
            if not self.transit_settings.create:
                raise KeyStoreError(
                    f"{self.describe()}: {key} does not exist and the tenant's `create: false`"
                    f" forbids creating it; create it with `vault write -f {key.path('keys')}`")
            key.create()
            return
        if not info.can_wrap:
            why = "a derived key (lcm sends no context)" if info.derived else f"type {info.type}"
            raise KeyStoreError(f"{self.describe()}: {key} cannot wrap data keys: {why}")

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        ciphertext = self.transit().encrypt_many([seal(data_key, aad)])[0]
        self._plain[(ciphertext.encode(), aad)] = data_key
        return ciphertext.encode()

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        return self.unwrap_many([(wrapped, aad)])[0]

    def unwrap_many(self, items: list[WrapItem]) -> list[bytes]:
        """All data keys in one transit batch decrypt; each blob is decrypted once per process."""
        missing = list(dict.fromkeys(item for item in items if item not in self._plain))
        if missing:
            plains = self.transit().decrypt_many([self._ciphertext(w) for w, _ in missing])
            for (wrapped, aad), plain in zip(missing, plains):
                data_key = open_sealed(plain, aad)
                if data_key is None:
                    raise WrongKey(
                        f"{self.describe()}: a wrapped data key belongs to another repository,"
                        " tenant or key version (its bound AAD does not match)")
                self._plain[(wrapped, aad)] = data_key
        return [self._plain[item] for item in items]

    def _ciphertext(self, wrapped: bytes) -> str:
        try:
            text = wrapped.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        if not text.startswith("vault:v"):
            raise KeyStoreError(f"{self.describe()}: a wrapped data key is not a transit ciphertext")
        return text

    def begin_rotation(self) -> None:
        """Transit rotate: new data-key wraps use the new key version."""
        self.transit().rotate()

    def rewrap(self, wrapped: bytes, aad: bytes) -> bytes:
        return self.rewrap_many([(wrapped, aad)])[0]

    def rewrap_many(self, items: list[WrapItem]) -> list[bytes]:
        """Every blob re-encrypted under the newest key version in one batch, inside Vault."""
        if not items:
            return []
        texts = self.transit().rewrap_many([self._ciphertext(w) for w, _ in items])
        for (old, aad), new in zip(items, texts):
            if (old, aad) in self._plain:
                self._plain[(new.encode(), aad)] = self._plain[(old, aad)]
        return [t.encode() for t in texts]

    def finish_rotation(self) -> None:
        """Nothing to do: Vault keeps old key versions until min_decryption_version moves."""

    def key_fingerprint(self) -> str | None:
        return None

    def delete(self) -> None:
        raise KeyStoreError(
            f"{self.describe()}: lcm never deletes a transit key; delete it in Vault if intended")

    def export_key(self) -> bytes:
        raise UsageError(f"{self.describe()}: the master key never leaves Vault")

    def import_key(self, master: bytes, replace: bool = False) -> None:
        raise UsageError(f"{self.describe()}: the master key never leaves Vault; nothing to import")
