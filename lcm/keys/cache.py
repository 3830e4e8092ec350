"""The process-wide data-key cache: each wrapped data key is unwrapped once per process.

Entries are keyed by repo id, tenant, version and the wrapped bytes themselves, so a
reload of the key file (after another process rotated or re-wrapped it) hits the cache
exactly when the key did not change. Plaintext keys live in memory only; safe across
threads.
"""

from __future__ import annotations

import threading

CacheKey = tuple[str, str, int, str]

_KEYS: dict[CacheKey, bytes] = {}
_LOCK = threading.Lock()


def get(repo_id: str, tenant: str, version: int, wrapped: str) -> bytes | None:
    with _LOCK:
        return _KEYS.get((repo_id, tenant, version, wrapped))


def put(repo_id: str, tenant: str, version: int, wrapped: str, key: bytes) -> None:
    with _LOCK:
        _KEYS[(repo_id, tenant, version, wrapped)] = key


def forget(repo_id: str | None = None, tenant: str | None = None) -> None:
    """Drop cached keys (all, or one repo's, or one tenant's): after a key was destroyed,
    and in tests that swap master keys within one process."""
    with _LOCK:
        for entry in [k for k in _KEYS if (repo_id is None or k[0] == repo_id)
                      and (tenant is None or k[1] == tenant)]:
            del _KEYS[entry]
