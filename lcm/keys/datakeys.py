"""A tenant's versioned data keys, stored wrapped in `.lcm/keys/<tenant>.yaml`.

The file is safe to commit: each data key is AES-GCM-wrapped by the tenant's
master key (or by Vault transit), with associated data naming the repo, the
tenant and the version. Unwrapping happens at most once per version per process.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lcm.clock import utc_now
from lcm.errors import KeyStoreError, RepoError, WrongKey
from lcm.keys import cache
from lcm.keys.backends import MasterKeyBackend

STATES = ("active", "retired", "destroyed")


@dataclass
class DataKeyRecord:
    """One data-key version as the key file stores it (a destroyed one keeps no key)."""

    version: int
    state: str
    created: str
    wrapped: str
    retired: str | None = None
    destroyed: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"version": self.version, "state": self.state,
                               "created": self.created}
        for name in ("retired", "destroyed"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.state != "destroyed":
            out["wrapped"] = self.wrapped
        return out


class TenantKeys:
    """Data keys of one tenant, unwrapped lazily through its master-key backend."""

    def __init__(self, path: Path, repo_id: str, tenant: str, backend: MasterKeyBackend,
                 records: list[DataKeyRecord], master_fingerprint: str | None) -> None:
        self.path = path
        self.repo_id = repo_id
        self.tenant = tenant
        self.backend = backend
        self.records = records
        self.master_fingerprint = master_fingerprint
        self._plain: dict[int, bytes] = {}

    def _aad(self, version: int) -> bytes:
        return f"lcm data key v1/{self.repo_id}/{self.tenant}/{version}".encode()

    @property
    def active_version(self) -> int:
        for rec in self.records:
            if rec.state == "active":
                return rec.version
        raise KeyStoreError(f"tenant {self.tenant!r}: no active data key in {self.path}")

    def record(self, version: int) -> DataKeyRecord:
        for rec in self.records:
            if rec.version == version:
                return rec
        raise KeyStoreError(f"tenant {self.tenant!r}: unknown data key version {version}")

    def key(self, version: int) -> bytes:
        """The plaintext data key `version`: from the process-wide cache, else unwrapped
        together with every other live version in one backend call (one Vault request)."""
        cached = self._plain.get(version)
        if cached is not None:
            return cached
        rec = self.record(version)
        if rec.state == "destroyed":
            raise KeyStoreError(f"tenant {self.tenant!r}: data key version {version} was destroyed")
        found = cache.get(self.repo_id, self.tenant, version, rec.wrapped)
        if found is None:
            self._unwrap_live(rec)
            found = cache.get(self.repo_id, self.tenant, version, rec.wrapped)
            assert found is not None
        self._plain[version] = found
        return found

    def _unwrap_live(self, wanted: DataKeyRecord) -> None:
        """Unwrap every live version not cached yet; if the batch fails, `wanted` alone
        (an old version the master key can no longer open must not block the others)."""
        live = [r for r in self.records if r.state != "destroyed"
                and cache.get(self.repo_id, self.tenant, r.version, r.wrapped) is None]
        self._check_fingerprint()
        try:
            self._unwrap(live)
        except KeyStoreError:
            if len(live) == 1:
                raise
            self._unwrap([wanted])

    def _unwrap(self, records: list[DataKeyRecord]) -> None:
        items = [(base64.b64decode(r.wrapped), self._aad(r.version)) for r in records]
        for rec, plain in zip(records, self.backend.unwrap_many(items)):
            cache.put(self.repo_id, self.tenant, rec.version, rec.wrapped, plain)

    def _check_fingerprint(self) -> None:
        """Refuse the wrong master key, finishing first a master-key rotation whose key
        file was committed by a process killed before it promoted the new key."""
        if self.master_fingerprint is None:
            return
        actual = self.backend.key_fingerprint()
        if actual is not None and actual != self.master_fingerprint:
            if self.backend.resume_rotation(self.master_fingerprint):
                return
            raise WrongKey(f"wrong master key for {self.backend.describe()}")

    def active_key(self) -> tuple[int, bytes]:
        version = self.active_version
        return version, self.key(version)

    def add_version(self) -> int:
        """Create a new active data key; the previous active one becomes retired."""
        version = max((r.version for r in self.records), default=0) + 1
        plain = os.urandom(32)
        wrapped = base64.b64encode(self.backend.wrap(plain, self._aad(version))).decode()
        now = utc_now()
        for rec in self.records:
            if rec.state == "active":
                rec.state, rec.retired = "retired", now
        self.records.append(DataKeyRecord(version, "active", now, wrapped))
        self._plain[version] = plain
        cache.put(self.repo_id, self.tenant, version, wrapped, plain)
        return version

    def destroy(self, version: int) -> None:
        """Forget a retired data key for good (the caller checked nothing uses it)."""
        rec = self.record(version)
        if rec.state != "retired":
            raise KeyStoreError(f"tenant {self.tenant!r}: data key version {version} is "
                                f"{rec.state}; only a retired version can be destroyed")
        rec.state, rec.destroyed, rec.wrapped = "destroyed", utc_now(), ""
        self._plain.pop(version, None)

    def rewrap(self) -> None:
        """Wrap every live data key under the backend's next master key (a master-key
        rotation under way); the plaintext keys stay cached under their new wrapping."""
        live = [r for r in self.records if r.state != "destroyed"]
        plains = [self.key(r.version) for r in live]  # the current master opens them all
        items = [(base64.b64decode(r.wrapped), self._aad(r.version)) for r in live]
        for rec, plain, wrapped in zip(live, plains, self.backend.rewrap_many(items)):
            rec.wrapped = base64.b64encode(wrapped).decode()
            cache.put(self.repo_id, self.tenant, rec.version, rec.wrapped, plain)
        following = self.backend.next_fingerprint()
        if following is not None:  # local backends; Vault names no fingerprint
            self.master_fingerprint = following

    def render(self) -> str:
        import yaml

        body = {
            "format": 1,
            "tenant": self.tenant,
            "master": {"backend": self.backend.name, "fingerprint": self.master_fingerprint},
            "data_keys": [r.as_dict() for r in self.records],
        }
        header = (f"# Data keys of tenant {self.tenant!r}, each wrapped by the tenant's master key.\n"
                  "# Safe to commit; written by lcm.\n")
        return header + yaml.safe_dump(body, sort_keys=False)


def keys_path(root: Path, tenant: str) -> Path:
    return root / ".lcm" / "keys" / f"{tenant}.yaml"


def read_records(root: Path, tenant: str) -> tuple[list[DataKeyRecord], str | None]:
    """The versions in `.lcm/keys/<tenant>.yaml` and the master fingerprint it names,
    read without any key (what `lcm rotate status` shows)."""
    from lcm.format.document import Document
    from lcm.format.loading import decode_text

    path = keys_path(root, tenant)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RepoError(f"{path}: missing data-key file for tenant {tenant!r}") from None
    except OSError as err:
        raise RepoError(f"{path}: cannot read: {err.strerror}") from None
    data = Document.parse(decode_text(raw, str(path)), str(path)).full
    try:
        records = [DataKeyRecord(int(r["version"]), str(r["state"]), str(r["created"]),
                                 str(r.get("wrapped") or ""),
                                 _optional(r.get("retired")), _optional(r.get("destroyed")))
                   for r in data["data_keys"]]
        master = data.get("master") or {}
        fingerprint = master.get("fingerprint")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise RepoError(f"{path}: malformed data-key file") from None
    if any(r.state not in STATES for r in records):
        raise RepoError(f"{path}: unknown data key state")
    if any(r.state != "destroyed" and not r.wrapped for r in records):
        raise RepoError(f"{path}: a live data key has no wrapped key")
    return records, (str(fingerprint) if fingerprint is not None else None)


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def load(root: Path, repo_id: str, tenant: str, backend: MasterKeyBackend) -> TenantKeys:
    """Read `.lcm/keys/<tenant>.yaml` (no unwrapping yet)."""
    records, fingerprint = read_records(root, tenant)
    return TenantKeys(keys_path(root, tenant), repo_id, tenant, backend, records, fingerprint)


def create(root: Path, repo_id: str, tenant: str, backend: MasterKeyBackend) -> TenantKeys:
    """A new tenant's key file with data key version 1 (not yet written)."""
    keys = TenantKeys(keys_path(root, tenant), repo_id, tenant, backend, [],
                      backend.key_fingerprint())
    keys.add_version()
    return keys
