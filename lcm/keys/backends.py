"""Master-key backends.

Every backend wraps and unwraps data keys; callers never see a master key.
Local backends (keyring, file, env) hold a 256-bit key and wrap with AES-GCM;
a Vault transit backend implements the same `MasterKeyBackend` methods by
calling transit encrypt/decrypt, so it drops in without touching callers.

`LCM_KEY_<TENANT>` in the environment overrides the manifest's backend (read
only), so CI can decrypt a keyring- or file-backed tenant. It never overrides a vault
tenant: its data keys are wrapped by Vault transit, which no local key can open, so a
set `LCM_KEY_<TENANT>` there is an error (exit 4) rather than silently ignored.

Backends are built from the tenant's key spec (`lcm.keys.spec.TenantSpec`); the vault
backend's module (and hvac) is imported only when a vault tenant is touched.
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
from typing import Any

from lcm.errors import BackendUnavailable, KeyStoreError, UsageError, WrongKey
from lcm.keys.spec import TenantSpec

WrapItem = tuple[bytes, bytes]  # (wrapped data key, associated data)

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

    def __init__(self, repo_id: str, tenant: str, spec: Any = None) -> None:
        self.repo_id = repo_id
        self.tenant = tenant
        self.spec: TenantSpec = spec if spec is not None else TenantSpec(self.name)

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

    def unwrap_many(self, items: list[WrapItem]) -> list[bytes]:
        """Decrypt several data keys (Vault: in one request)."""
        return [self.unwrap(wrapped, aad) for wrapped, aad in items]

    # Master-key rotation: begin (a new master key, the old one kept), rewrap every data
    # key under the new one, commit the key file, then finish (the old one removed).

    def begin_rotation(self) -> None:
        """Create the next master key beside the current one."""
        raise KeyStoreError(f"{self.describe()}: this backend cannot rotate its master key")

    def rewrap(self, wrapped: bytes, aad: bytes) -> bytes:
        """A data key wrapped under the current master key, wrapped again under the next."""
        raise KeyStoreError(f"{self.describe()}: this backend cannot rotate its master key")

    def rewrap_many(self, items: list[WrapItem]) -> list[bytes]:
        return [self.rewrap(wrapped, aad) for wrapped, aad in items]

    def finish_rotation(self) -> None:
        """Make the next master key the current one (after the key file is committed)."""
        raise KeyStoreError(f"{self.describe()}: this backend cannot rotate its master key")

    def next_fingerprint(self) -> str | None:
        """Fingerprint of the next master key while a rotation is under way, when known."""
        return None

    def resume_rotation(self, committed_fingerprint: str) -> bool:
        """Finish a rotation a killed process left after its key file was committed: when
        the next master key is the one the key file names, promote it; True if it did."""
        return False

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
            raise WrongKey(f"wrong master key for {self.describe()}") from None

    def export_key(self) -> bytes:
        return self._master()

    # Rotation keeps the next master key in a slot beside the current one until the key
    # file that names it is committed; `resume_rotation` lets any later process finish.

    def _load_next(self) -> bytes | None:
        """The next master key of a rotation under way, or None."""
        return None

    def _store_next(self, master: bytes | None) -> None:
        """Persist (None: remove) the next master key."""
        raise KeyStoreError(f"{self.describe()}: this backend cannot rotate its master key")

    def _promote_next(self, master: bytes) -> None:
        """Make `master` (the next key) the current one, then empty the next slot."""
        self._store(master)
        self._store_next(None)

    def begin_rotation(self) -> None:
        self._master()
        self._store_next(os.urandom(KEY_BYTES))

    def rewrap(self, wrapped: bytes, aad: bytes) -> bytes:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        following = self._load_next()
        if following is None:
            raise KeyStoreError(f"{self.describe()}: no master-key rotation under way")
        data_key = self.unwrap(wrapped, aad)
        nonce = os.urandom(12)
        return nonce + AESGCM(following).encrypt(nonce, data_key, aad)

    def finish_rotation(self) -> None:
        following = self._load_next()
        if following is not None:
            self._promote_next(following)

    def next_fingerprint(self) -> str | None:
        following = self._load_next()
        return fingerprint(following) if following is not None else None

    def resume_rotation(self, committed_fingerprint: str) -> bool:
        following = self._load_next()
        if following is None or fingerprint(following) != committed_fingerprint:
            return False
        self._promote_next(following)
        return True

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

    @property
    def next_path(self) -> Path:
        """The next master key during a rotation (`<tenant>.key.next`: no tenant name can
        make it collide with another tenant's `<name>.key`)."""
        return self.path.with_name(self.path.name + ".next")

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)

    def _store(self, master: bytes) -> None:
        self._write(self.path, master)

    def _write(self, path: Path, master: bytes) -> None:
        from lcm.fsutil import atomic_write

        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, base64.b64encode(master).decode() + "\n", mode=0o600)

    def _load_next(self) -> bytes | None:
        try:
            text = self.next_path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        return decode_key(text, str(self.next_path))

    def _store_next(self, master: bytes | None) -> None:
        if master is None:
            self.next_path.unlink(missing_ok=True)
        else:
            self._write(self.next_path, master)

    def _promote_next(self, master: bytes) -> None:
        """One rename: the next key file becomes the key file (atomic, then made durable)."""
        from lcm.fsutil import fsync_dir

        try:
            os.replace(self.next_path, self.path)
        except FileNotFoundError:
            return  # another process promoted it first
        fsync_dir(self.path.parent)


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

    def begin_rotation(self) -> None:
        raise KeyStoreError(
            f"{self.describe()} is read-only: lcm cannot rotate a master key that lives in"
            f" the environment (rotate it in the tenant's own backend with"
            f" ${env_var_name(self.tenant)} unset, then update the variable)")


class KeyringBackend(LocalKeyBackend):
    """The OS keyring (Secret Service, Keychain, Credential Manager): service `lcm`."""

    name = "keyring"
    service = "lcm"
    username_suffix = ""  # "/next" for the next master key during a rotation

    @property
    def username(self) -> str:
        return f"{self.repo_id}/{self.tenant}{self.username_suffix}"

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

    def _next_entry(self) -> "KeyringBackend":
        """The same keyring, entry `<repo_id>/<tenant>/next` (tenant names have no `/`)."""
        entry = KeyringBackend(self.repo_id, self.tenant, self.spec)
        entry.username_suffix = "/next"
        return entry

    def _load_next(self) -> bytes | None:
        return self._next_entry()._load()

    def _store_next(self, master: bytes | None) -> None:
        entry = self._next_entry()
        if master is not None:
            entry._store(master)
        elif entry._load() is not None:
            entry.delete()


# A backend class, or "module:Class" imported on first use (keeps hvac out of start-up).
_BACKENDS: dict[str, type[MasterKeyBackend] | str] = {
    "file": FileBackend,
    "env": EnvBackend,
    "keyring": KeyringBackend,
    "vault": "lcm.keys.vault:VaultTransitBackend",
}


def register_backend(name: str, cls: type[MasterKeyBackend] | str) -> None:
    """Let another module add a backend."""
    _BACKENDS[name] = cls


def backend_for(repo_id: str, tenant: str, spec: TenantSpec | str,
                honour_env: bool = True) -> MasterKeyBackend:
    """The backend that holds `tenant`'s master key, built from its key spec
    (`LCM_KEY_<TENANT>` first when set, except for vault tenants: see the module doc)."""
    if isinstance(spec, str):
        spec = TenantSpec(spec)
    if honour_env and spec.backend != "env" and os.environ.get(env_var_name(tenant)):
        if spec.backend == "vault":
            raise KeyStoreError(
                f"${env_var_name(tenant)} is set, but tenant {tenant!r} keeps its master key in "
                f"Vault, which no local key can open; unset ${env_var_name(tenant)}")
        return EnvBackend(repo_id, tenant)
    cls = _BACKENDS.get(spec.backend)
    if isinstance(cls, str):
        import importlib

        module, _, attr = cls.partition(":")
        cls = _BACKENDS[spec.backend] = getattr(importlib.import_module(module), attr)
    if cls is None:
        raise KeyStoreError(
            f"tenant {tenant!r}: backend {spec.backend!r} is not available in this build")
    return cls(repo_id, tenant, spec)


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

BACKENDS_CREATABLE = ("keyring", "file", "env", "vault")


class MemoryBackend(LocalKeyBackend):
    """A master key held only in memory (to test an imported key before storing it)."""

    name = "memory"

    def __init__(self, repo_id: str, tenant: str, master: bytes) -> None:
        super().__init__(repo_id, tenant, TenantSpec("memory"))
        self._key = master

    def _load(self) -> bytes | None:
        return self._key

    def _store(self, master: bytes) -> None:
        self._key = master
