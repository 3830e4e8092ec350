"""Exit codes (a contract, see DESIGN.md) and the exceptions that carry them.

Core code raises an ``LcmError`` subclass; the CLI's single error handler turns it
into one line on stderr and the matching exit code. Messages must never contain a
secret value: they name files, tenants, backends and key paths only.
"""

from __future__ import annotations

import enum
import re

# C0 and C1 controls, DEL, Unicode line/paragraph separators, lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(message: str) -> str:
    """`message` as one printable line: control characters (a newline in a key name, a
    NUL from a file) and undecodable bytes are shown as backslash escapes."""
    return _UNPRINTABLE.sub(_escape, message)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


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


class WrongKey(KeyStoreError):
    """A key is there but it is not the one that wrapped the tenant's data keys: never
    a reason to fall back to a keyless (masked, unverified) read."""


class IntegrityError(LcmError):
    """MAC mismatch or tampered ciphertext."""

    code = ExitCode.INTEGRITY


class BackendUnavailable(LcmError):
    """Vault or the keyring daemon cannot be reached."""

    code = ExitCode.BACKEND
