"""`lcm rotate secret` (a new value; the previous one kept, encrypted and MAC-covered, for
the overlap window) and reading that previous value (`lcm get --previous`).

Like AWS Secrets Manager's AWSCURRENT/AWSPREVIOUS: readers keep working with the old
value until the window ends; after it, the previous value is refused, and `rotate prune`
removes it. A new value comes from stdin or is minted here (`--generate base62:48`), so
it never appears in argv or the shell history.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

from lcm.clock import format_time, now, still_before
from lcm.errors import RepoError, UsageError
from lcm.format.crypto import is_encrypted
from lcm.format.paths import KeyPath, format_path, lookup
from lcm.format.secretmeta import decrypt_previous, previous_entries
from lcm.format.values import same_value
from lcm.ops.changeset import ChangeSet
from lcm.ops.trees import normalise_path
from lcm.repository import audit
from lcm.repository.address import Address
from lcm.repository.repo import Repo

GENERATORS = {
    "base62": string.ascii_letters + string.digits,
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "base64url": string.ascii_letters + string.digits + "-_",
    "digits": string.digits,
    "ascii": string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_{|}~",
}
MIN_LENGTH, MAX_LENGTH = 8, 4096


@dataclass(frozen=True)
class SecretRotation:
    """What `rotate secret` did (never the values)."""

    address: str
    key: str
    previous_until: str | None
    commit_id: str | None


def generate_value(spec: str) -> str:
    """A random value for `CHARSET:LENGTH` (`base62:48`, `hex:64`, …; see GENERATORS)."""
    charset, _, length = spec.partition(":")
    alphabet = GENERATORS.get(charset)
    if alphabet is None or not length.isdigit():
        raise UsageError(f"--generate {spec!r}: use CHARSET:LENGTH with CHARSET one of "
                         f"{', '.join(GENERATORS)} (e.g. base62:48)")
    size = int(length)
    if not MIN_LENGTH <= size <= MAX_LENGTH:
        raise UsageError(f"--generate {spec!r}: length must be {MIN_LENGTH} to {MAX_LENGTH}")
    return "".join(secrets.choice(alphabet) for _ in range(size))


def _stored_secret(repo: Repo, addr: Address, key: KeyPath) -> KeyPath:
    """The key path as stored in the file at `addr`; RepoError unless it holds a secret."""
    doc = repo.read_document(addr)
    if doc is None:
        raise RepoError(f"{addr}: no such config file ({addr.relpath})"
                        f"{_found_in(repo, addr, key)}")
    path = normalise_path(doc.tree, key)
    try:
        stored = lookup(doc.tree, path)
    except KeyError:
        raise RepoError(f"{addr}: no key {format_path(path)} in this file"
                        f"{_found_in(repo, addr, path)}") from None
    if not is_encrypted(stored):
        raise RepoError(f"{addr}: {format_path(path)} is not an encrypted secret "
                        "(store it with `lcm set --secret` first)")
    return path


def _found_in(repo: Repo, addr: Address, path: KeyPath) -> str:
    """A hint naming the file that supplies `path` to this env, when another one does."""
    try:
        eff = repo.resolve(addr.tenant, addr.env, addr.name, verify=False)
        path = normalise_path(eff.stored, path)
        lookup(eff.stored, path)
        source = eff.provenance(path)
    except (RepoError, KeyError):
        return ""
    return f" (it comes from {source}: rotate it there)" if source and source != addr else ""


def rotate_secret(repo: Repo, addr: Address, key: KeyPath, value: Any, *,
                  overlap: dt.timedelta | None = None, message: str | None = None) -> SecretRotation:
    """Store a new value for the secret at `key`; its old value stays readable as the
    previous one for `overlap` (default: the manifest policy whose `keys` glob matches;
    none: no previous value is kept). One commit, audited."""
    with repo.locked():
        path = _stored_secret(repo, addr, key)
        name = format_path(path)
        if overlap is None:
            policy = repo.manifest.rotation.for_key(path)
            overlap = policy.overlap.delta if policy and policy.overlap else dt.timedelta(0)
        until = format_time(now() + overlap) if overlap > dt.timedelta(0) else None
        changes = ChangeSet(repo, "rotate-secret", message or f"lcm rotate secret {addr} {name}")
        current = lookup(changes.staged_plain(addr) or {}, path)
        if same_value(current, value):
            raise UsageError(f"{addr}: {name}: the new value equals the current one")
        if until is None:
            changes.drop_previous(addr, path)
        changes.set(addr, path, value, secret=True, previous_until=until)
        written = changes.commit()
    version = repo.keys(addr.tenant).active_version
    audit.record(repo.root, "rotate-secret", tenant=addr.tenant, address=str(addr),
                 keys=[name, f"data key v{version}"])
    return SecretRotation(str(addr), name, until, written.commit_id)


@dataclass(frozen=True)
class Previous:
    """A secret's previous value (masked unless revealed) and the end of its window."""

    value: Any
    until: str
    source: str


def previous_value(repo: Repo, addr: Address, key: KeyPath, *, reveal: bool = False) -> Previous:
    """The previous value of the effective secret at `key`, from the file that holds the
    current one; RepoError when it has none or its overlap window is over."""
    from lcm.format.seal import MASK

    eff = repo.resolve(addr.tenant, addr.env, addr.name)
    path = normalise_path(eff.stored, key)
    name = format_path(path)
    try:
        stored = lookup(eff.stored, path)
    except KeyError:
        raise RepoError(f"{addr}: no key {name} in the effective config") from None
    source = eff.provenance(path)
    if not is_encrypted(stored) or source is None:
        raise RepoError(f"{addr}: {name} is not an encrypted secret; it has no previous value")
    doc = repo.require_document(source)
    entry = previous_entries(doc).get(name)
    if entry is None:
        raise RepoError(f"{addr}: {name} has no previous value (not rotated with an overlap,"
                        f" or pruned) in {source}")
    until = str(entry.get("until"))
    if not still_before(until):
        raise RepoError(f"{addr}: the previous value of {name} expired at {until}"
                        " (its overlap window is over); only the current value is valid")
    if not reveal:
        return Previous(MASK, until, str(source))
    repo.verify(source)
    value = decrypt_previous(doc, repo.keys(source.tenant), source.place, name)
    audit.record(repo.root, "reveal", tenant=addr.tenant, address=str(addr),
                 keys=[f"{name} (previous)"])
    return Previous(value, until, str(source))
