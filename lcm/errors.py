"""Exit codes (a contract, see DESIGN.md) and the exceptions that carry them.

Core code raises an ``LcmError`` subclass; the CLI's single error handler turns it
into one line on stderr and the matching exit code. Messages must never contain a
secret value: they name files, tenants, backends and key paths only.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    REPO = 3
    KEY = 4
    INTEGRITY = 5
    BACKEND = 6


class LcmError(Exception):
    """A user-facing failure with a documented exit code."""

    code: ExitCode = ExitCode.REPO

    def __init__(self, message: str, code: ExitCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class CheckFailed(LcmError):
    code = ExitCode.CHECK_FAILED


class UsageError(LcmError):
    code = ExitCode.USAGE


class RepoError(LcmError):
    """Not a repo, unknown tenant/env/file, bad YAML, bad manifest."""

    code = ExitCode.REPO


class KeyStoreError(LcmError):
    """No key, the wrong key, a locked keyring."""

    code = ExitCode.KEY


class IntegrityError(LcmError):
    """MAC mismatch or tampered ciphertext."""

    code = ExitCode.INTEGRITY


class BackendUnavailable(LcmError):
    """Vault or the keyring daemon cannot be reached."""

    code = ExitCode.BACKEND
