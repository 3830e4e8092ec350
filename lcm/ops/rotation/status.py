"""`lcm rotate status`: every secret and data key of every tenant against the rotation
policy, sorted by urgency. Keyless: it reads the rotation times, overlap windows and
ciphertext versions that the files store in plain text (the `lcm:` block and the `k:`
field of each `ENC[...]`), so CI can run `--check` without any secret.

The `-o json` document (`RotationStatus.to_json`) is stable; docs/rotation.md lists it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from lcm.clock import format_duration, format_time, now, parse_time
from lcm.format.crypto import enc_version, is_encrypted, mac_version
from lcm.format.document import Document
from lcm.format.paths import iter_leaves
from lcm.format.secretmeta import previous_entries, rotation_times
from lcm.keys import datakeys
from lcm.ops.rotation.bulk import collector_paused
from lcm.repository.manifest import Duration, RotationPolicy
from lcm.repository.repo import Repo

JSON_VERSION = 1
_NEVER = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class SecretStatus:
    """One secret of one file: when it got its value, when it is due, its overlap."""

    address: str
    key: str
    rotated: str  # as recorded
    age: dt.timedelta
    max_age: str | None
    due_at: dt.datetime | None
    overlap_until: str | None  # as recorded
    overdue: bool
    overlap_expired: bool

    @property
    def due(self) -> str | None:
        return format_time(self.due_at) if self.due_at else None

    @property
    def status(self) -> str:
        if self.overdue:
            return "overdue"
        if self.overlap_expired:
            return "overlap-expired"
        if self.max_age is None:
            return "no-policy"
        return "in-overlap" if self.overlap_until else "ok"

    @property
    def offenses(self) -> list[str]:
        out = []
        if self.overdue:
            out.append(f"overdue: last rotated {self.rotated} ({format_duration(self.age)} ago),"
                       f" max_age {self.max_age}")
        if self.overlap_expired:
            out.append(f"previous value outlived its overlap (ended {self.overlap_until}):"
                       " run `lcm rotate prune`")
        return out

    def deadline(self) -> dt.datetime:
        ends = _time_or_none(self.overlap_until) if self.overlap_until else None
        return min((t for t in (self.due_at, ends) if t is not None), default=_NEVER)

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "key": self.key, "rotated": self.rotated,
                "age_seconds": int(self.age.total_seconds()), "max_age": self.max_age,
                "due": self.due, "overlap_until": self.overlap_until,
                "status": self.status, "offenses": self.offenses}


@dataclass(frozen=True)
class DataKeyStatus:
    """One data-key version: its age, state and how many stored values still use it."""

    tenant: str
    version: int
    state: str
    created: str
    age: dt.timedelta
    max_age: str | None
    due: str | None
    values: int  # encrypted values and previous values under this version
    overdue: bool
    in_use: bool  # by a value, a previous value or a file MAC

    @property
    def status(self) -> str:
        if self.overdue:
            return "overdue"
        if self.state == "retired":
            return "retired-in-use" if self.in_use else "prunable"
        return "destroyed" if self.state == "destroyed" else "ok"

    @property
    def offenses(self) -> list[str]:
        if not self.overdue:
            return []
        what = "active" if self.state == "active" else f"retired, used by {self.values} values"
        return [f"overdue: created {self.created} ({format_duration(self.age)} ago, {what}),"
                f" max_age {self.max_age}: run `lcm rotate key {self.tenant}`"]

    def deadline(self) -> dt.datetime:
        return parse_time(self.due) if self.due else _NEVER

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "state": self.state, "created": self.created,
                "age_seconds": int(self.age.total_seconds()), "max_age": self.max_age,
                "due": self.due, "values": self.values, "status": self.status,
                "offenses": self.offenses}


@dataclass(frozen=True)
class TenantStatus:
    tenant: str
    secrets: list[SecretStatus]
    data_keys: list[DataKeyStatus]


@dataclass
class RotationStatus:
    """The whole report; `offender_lines()` is what `--check` prints."""

    now: str
    tenants: list[TenantStatus] = field(default_factory=list)

    def offender_lines(self) -> list[str]:
        lines = []
        for tenant in self.tenants:
            for key in tenant.data_keys:
                if key.offenses:
                    lines.append(f"{tenant.tenant}: data key v{key.version}: {key.offenses[0]}")
            for secret in tenant.secrets:
                if secret.offenses:
                    lines.append(f"{secret.address} {secret.key}: {'; '.join(secret.offenses)}")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {"version": JSON_VERSION, "now": self.now,
                "offenders": len(self.offender_lines()),
                "tenants": [{"tenant": t.tenant,
                             "data_keys": [k.to_json() for k in t.data_keys],
                             "secrets": [s.to_json() for s in t.secrets]}
                            for t in self.tenants]}


def status(repo: Repo, tenants: Iterable[str] | None = None) -> RotationStatus:
    """The rotation report of the given tenants (all by default); needs no key."""
    manifest = repo.manifest
    names = list(tenants) if tenants is not None else list(manifest.tenants)
    for name in names:
        manifest.require_tenant(name)
    clock = now()
    report = RotationStatus(format_time(clock))
    with collector_paused():
        report.tenants = [_tenant_status(repo, name, clock) for name in names]
    return report


def _tenant_status(repo: Repo, name: str, clock: dt.datetime) -> TenantStatus:
    policy = repo.manifest.rotation
    docs = [(str(a), repo.require_document(a)) for a in repo.iter_addresses(name)]
    secrets = [s for address, doc in docs for s in _secrets(address, doc, policy, clock)]
    keys = _data_keys(repo, name, versions_in_use(d for _a, d in docs),
                      policy.data_keys_max_age, clock)
    return TenantStatus(name, sorted(secrets, key=lambda s: (s.deadline(), s.address, s.key)),
                        sorted(keys, key=lambda k: (k.deadline(), -k.version)))


@dataclass
class Usage:
    """Which data-key versions a tenant's stored files use, read from the `k:` fields
    alone: `values` counts encrypted values and previous values per version; `macs`
    counts file MACs (a MAC's key is derived from a data key too)."""

    values: Counter[int] = field(default_factory=Counter)
    macs: Counter[int] = field(default_factory=Counter)

    def uses(self, version: int) -> bool:
        return self.values[version] > 0 or self.macs[version] > 0


def versions_in_use(docs: Iterable[Document]) -> Usage:
    """The data-key versions the given stored files use (see `Usage`)."""
    usage = Usage()
    for doc in docs:
        for _path, stored in iter_leaves(doc.tree):
            if is_encrypted(stored):
                usage.values[enc_version(stored)] += 1
        for entry in previous_entries(doc).values():
            if is_encrypted(entry.get("value")):
                usage.values[enc_version(entry["value"])] += 1
        mac = mac_version(str((doc.meta or {}).get("mac")))
        if mac is not None:
            usage.macs[mac] += 1
    return usage


def _secrets(address: str, doc: Document, policy: RotationPolicy,
             clock: dt.datetime) -> list[SecretStatus]:
    previous = previous_entries(doc)
    out = []
    for path, (key, rotated) in rotation_times(doc).items():
        rule = policy.for_key(path)
        max_age = rule.max_age if rule else None
        since = _time_or_none(rotated)
        due_at = since + max_age.delta if since and max_age else None
        until = str(previous[key].get("until")) if key in previous else None
        ends = _time_or_none(until) if until is not None else None
        out.append(SecretStatus(
            address, key, rotated, clock - since if since else dt.timedelta(0),
            max_age.text if max_age else None, due_at, until,
            overdue=due_at is not None and clock >= due_at,
            overlap_expired=until is not None and (ends is None or clock >= ends)))
    return out


def _data_keys(repo: Repo, tenant: str, used: Usage, max_age: Duration | None,
               clock: dt.datetime) -> list[DataKeyStatus]:
    records, _fingerprint = datakeys.read_records(repo.root, tenant)
    out = []
    for rec in records:
        created = _time_or_none(rec.created)
        # A retired key still encrypting values ages like the active one until they move.
        in_service = rec.state == "active" or (rec.state == "retired" and used.uses(rec.version))
        due_at = created + max_age.delta if created and max_age and in_service else None
        out.append(DataKeyStatus(
            tenant, rec.version, rec.state, rec.created,
            clock - created if created else dt.timedelta(0), max_age.text if max_age else None,
            format_time(due_at) if due_at else None, used.values[rec.version],
            overdue=due_at is not None and clock >= due_at, in_use=used.uses(rec.version)))
    return out


def _time_or_none(text: str) -> dt.datetime | None:
    try:
        return parse_time(text)
    except ValueError:
        return None
