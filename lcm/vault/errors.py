"""The Vault failures callers tell apart, as subclasses of lcm's exit-code errors."""

from __future__ import annotations

from lcm.errors import BackendUnavailable, ExitCode, KeyStoreError, LcmError


class VaultUnavailable(BackendUnavailable):
    """Unreachable, sealed, timed out, or an address the user did not allow (exit 6)."""


class VaultDenied(KeyStoreError):
    """Login failed or a policy denies the path (exit 4)."""


class VaultNotFound(KeyStoreError):
    """The path (transit key, KV secret, mount) does not exist (exit 4)."""


class VaultRequestRejected(KeyStoreError):
    """Vault refused the request as invalid, e.g. a ciphertext of another key (exit 4)."""


class VaultCasConflict(LcmError):
    """A KV v2 check-and-set write lost a race: someone else wrote first (exit 1)."""

    code = ExitCode.CHECK_FAILED
