"""Master-key backends.

Every backend wraps and unwraps data keys; callers never see a master key.
Local backends (keyring, file, env) hold a 256-bit key and wrap with AES-GCM;
a Vault transit backend implements the same `MasterKeyBackend` methods by
calling transit encrypt/decrypt, so it drops in without touching callers.

`LCM_KEY_<TENANT>` in the environment overrides the manifest's backend (read
only), so CI can decrypt a keyring- or file-backed tenant.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from abc import ABC, abstractmethod
from pathlib import Path

from lcm.errors import BackendUnavailable, KeyStoreError, UsageError

KEY_BYTES = 32


def env_var_name(tenant: str) -> str:
    return "LCM_KEY_" + re.sub(r"[^A-Za-z0-9]", "_", tenant).upper()


def fingerprint(master: bytes) -> str:
    """A short public identifier of a master key (lets errors say 'wrong key')."""
    return hashlib.sha256(b"lcm master fingerprint v1" + master).hexdigest()[:16]


def decode_key(text: str, where: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise KeyStoreError(f"{where}: not a base64 256-bit key")
    return raw


class MasterKeyBackend(ABC):
    """Where a tenant's master key lives; wraps and unwraps data keys."""

    name: str

    def __init__(self, repo_id: str, tenant: str) -> None:
        self.repo_id = repo_id
        self.tenant = tenant

    def describe(self) -> str:
        return f"tenant {self.tenant!r} ({self.name} backend)"

    @abstractmethod
    def exists(self) -> bool:
        """True when the master key is present."""

    @abstractmethod
    def create(self) -> None:
        """Create a new master key (refuses to overwrite one)."""

    @abstractmethod
    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        """Encrypt a data key under the master key."""

    @abstractmethod
    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        """Decrypt a data key; KeyStoreError for the wrong master key."""

    def key_fingerprint(self) -> str | None:
        """Fingerprint of the master key, when the backend can compute one."""
        return None

    def delete(self) -> None:
        """Remove the master key (used to undo a `create` whose command failed)."""
        raise KeyStoreError(f"{self.describe()}: this backend cannot delete its master key")

    def export_key(self) -> bytes:
        raise UsageError(f"{self.describe()}: this backend cannot export its master key")

    def import_key(self, master: bytes, replace: bool = False) -> None:
        raise UsageError(f"{self.describe()}: this backend cannot import a master key")


class LocalKeyBackend(MasterKeyBackend):
    """A backend that holds the 256-bit master key itself."""

    @abstractmethod
    def _load(self) -> bytes | None:
        """The stored master key, or None when there is none."""

    @abstractmethod
    def _store(self, master: bytes) -> None:
        """Persist the master key."""

    def _master(self) -> bytes:
        master = self._load()
        if master is None:
            raise KeyStoreError(
                f"no master key for {self.describe()}: import it with `lcm key import {self.tenant}`"
                f" or set {env_var_name(self.tenant)}"
            )
        return master

    def exists(self) -> bool:
        return self._load() is not None

    def create(self) -> None:
        if self._load() is not None:
            raise KeyStoreError(f"{self.describe()}: a master key already exists")
        self._store(os.urandom(KEY_BYTES))

    def key_fingerprint(self) -> str | None:
        master = self._load()
        return fingerprint(master) if master is not None else None

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        return nonce + AESGCM(self._master()).encrypt(nonce, data_key, aad)

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(self._master()).decrypt(wrapped[:12], wrapped[12:], aad)
        except InvalidTag:
            raise KeyStoreError(f"wrong master key for {self.describe()}") from None

    def export_key(self) -> bytes:
        return self._master()

    def import_key(self, master: bytes, replace: bool = False) -> None:
        current = self._load()
        if current is not None and current != master and not replace:
            raise KeyStoreError(
                f"{self.describe()}: a different master key is already stored (use --replace)"
            )
        self._store(master)


class FileBackend(LocalKeyBackend):
    """`$XDG_DATA_HOME/lcm/keys/<repo_id>/<tenant>.key`, mode 0600."""

    name = "file"

    @property
    def path(self) -> Path:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
        return Path(base) / "lcm" / "keys" / self.repo_id / f"{self.tenant}.key"

    def describe(self) -> str:
        return f"tenant {self.tenant!r} (file backend, {self.path})"

    def _load(self) -> bytes | None:
        path = self.path
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyStoreError(f"{path}: key file permissions are too open (chmod 600 it)")
        return decode_key(path.read_text(encoding="ascii"), str(path))

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)

    def _store(self, master: bytes) -> None:
        from lcm.fsutil import atomic_write

        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, base64.b64encode(master).decode() + "\n", mode=0o600)


class EnvBackend(LocalKeyBackend):
    """`LCM_KEY_<TENANT>` (base64), read-only: for CI."""

    name = "env"

    def describe(self) -> str:
        return f"tenant {self.tenant!r} (env backend, ${env_var_name(self.tenant)})"

    def _load(self) -> bytes | None:
        value = os.environ.get(env_var_name(self.tenant))
        return decode_key(value, f"${env_var_name(self.tenant)}") if value else None

    def _store(self, master: bytes) -> None:
        raise KeyStoreError(
            f"{self.describe()} is read-only: export the key elsewhere with `lcm key export`"
            f" and set ${env_var_name(self.tenant)}"
        )


class KeyringBackend(LocalKeyBackend):
    """The OS keyring (Secret Service, Keychain, Credential Manager): service `lcm`."""

    name = "keyring"
    service = "lcm"

    @property
    def username(self) -> str:
        return f"{self.repo_id}/{self.tenant}"

    def _call(self, fn_name: str, *args: str) -> str | None:
        import keyring
        import keyring.errors

        try:
            result: str | None = getattr(keyring, fn_name)(self.service, self.username, *args)
            return result
        except keyring.errors.KeyringLocked:
            raise KeyStoreError(f"{self.describe()}: the keyring is locked (unlock it and retry)") from None
        except (keyring.errors.NoKeyringError, keyring.errors.InitError) as err:
            raise BackendUnavailable(f"{self.describe()}: no usable OS keyring ({err})") from None
        except keyring.errors.KeyringError as err:
            raise BackendUnavailable(f"{self.describe()}: keyring error: {type(err).__name__}") from None
        except Exception as err:  # D-Bus and platform errors surface as many types
            raise BackendUnavailable(f"{self.describe()}: keyring unreachable: {type(err).__name__}") from None

    def _load(self) -> bytes | None:
        value = self._call("get_password")
        return decode_key(value, f"keyring entry lcm/{self.username}") if value else None

    def _store(self, master: bytes) -> None:
        self._call("set_password", base64.b64encode(master).decode())

    def delete(self) -> None:
        self._call("delete_password")


_BACKENDS: dict[str, type[MasterKeyBackend]] = {
    "file": FileBackend,
    "env": EnvBackend,
    "keyring": KeyringBackend,
}


def register_backend(name: str, cls: type[MasterKeyBackend]) -> None:
    """Let another module (e.g. Vault transit) add a backend."""
    _BACKENDS[name] = cls


def backend_for(repo_id: str, tenant: str, backend: str, honour_env: bool = True) -> MasterKeyBackend:
    """The backend that holds `tenant`'s master key (env var first when set)."""
    if honour_env and backend != "env" and os.environ.get(env_var_name(tenant)):
        return EnvBackend(repo_id, tenant)
    cls = _BACKENDS.get(backend)
    if cls is None:
        raise KeyStoreError(f"tenant {tenant!r}: backend {backend!r} is not available in this build")
    return cls(repo_id, tenant)


def keyring_usable() -> bool:
    """True when an OS keyring backend is installed and answers."""
    try:
        import keyring
        from keyring.backends import fail

        kr = keyring.get_keyring()
        if isinstance(kr, fail.Keyring) or type(kr).__name__ in ("PlaintextKeyring", "NullKeyring"):
            return False
        if getattr(kr, "priority", 0) <= 0:
            return False
        kr.get_password("lcm", "lcm-probe")
        return True
    except Exception:
        return False

BACKENDS_CREATABLE = ("keyring", "file", "env")


class MemoryBackend(LocalKeyBackend):
    """A master key held only in memory (to test an imported key before storing it)."""

    name = "memory"

    def __init__(self, repo_id: str, tenant: str, master: bytes) -> None:
        super().__init__(repo_id, tenant)
        self._key = master

    def _load(self) -> bytes | None:
        return self._key

    def _store(self, master: bytes) -> None:
        self._key = master
