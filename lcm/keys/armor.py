"""One-line armored master keys for `lcm key export` / `lcm key import`.

Format: ``lcm-key-v1:<tenant>:<base64url key>:<check>``, where ``check`` is
the first 8 hex digits of SHA-256 over the repo id, tenant and key: it catches
a truncated paste and a key meant for another repo or tenant.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from lcm.errors import KeyStoreError

PREFIX = "lcm-key-v1"


def _check(repo_id: str, tenant: str, key: bytes) -> str:
    return hashlib.sha256(f"{repo_id}/{tenant}/".encode() + key).hexdigest()[:8]


def armor(repo_id: str, tenant: str, key: bytes) -> str:
    body = base64.urlsafe_b64encode(key).decode().rstrip("=")
    return f"{PREFIX}:{tenant}:{body}:{_check(repo_id, tenant, key)}"


def unarmor(repo_id: str, tenant: str, line: str) -> bytes:
    parts = line.strip().split(":")
    if len(parts) != 4 or parts[0] != PREFIX:
        raise KeyStoreError(f"tenant {tenant!r}: input is not an armored lcm key (from `lcm key export`)")
    _, named, body, check = parts
    if named != tenant:
        raise KeyStoreError(f"the key on stdin is for tenant {named!r}, not {tenant!r}")
    try:
        key = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise KeyStoreError(f"tenant {tenant!r}: armored key is damaged (bad length)")
    if _check(repo_id, tenant, key) != check:
        raise KeyStoreError(f"tenant {tenant!r}: armored key does not belong to this repository, or is damaged")
    return key
