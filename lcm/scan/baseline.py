"""Baselines: known findings recorded as salted HMAC fingerprints, never the secrets themselves.

A fingerprint is HMAC-SHA256(salt, rule id NUL path NUL secret); the salt is random
per baseline file, so the file cannot be used to test guesses against other repos,
and line moves do not invalidate an entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

from lcm.errors import RepoError
from lcm.scan.model import Finding

FORMAT_VERSION = 1


class Baseline:
    """The salt and the set of accepted fingerprints of one baseline file."""

    def __init__(self, salt: str, fingerprints: set[str]) -> None:
        self.salt, self.fingerprints = salt, fingerprints

    def fingerprint(self, finding: Finding) -> str:
        """The salted fingerprint of one finding."""
        message = f"{finding.rule_id}\0{finding.path}\0{finding.secret}".encode()
        return hmac.new(bytes.fromhex(self.salt), message, hashlib.sha256).hexdigest()

    def accepts(self, finding: Finding) -> bool:
        """True when the finding is recorded in this baseline."""
        return self.fingerprint(finding) in self.fingerprints


def new_baseline() -> Baseline:
    """An empty baseline with a fresh random salt."""
    return Baseline(secrets.token_hex(16), set())


def load_baseline(path: str, missing_ok: bool = False) -> Baseline:
    """Read a baseline file; RepoError (exit 3) when it is unreadable or malformed."""
    try:
        with open(path, "rb") as handle:
            raw = json.loads(handle.read())
    except FileNotFoundError:
        if missing_ok:
            return new_baseline()
        raise RepoError(f"{path}: baseline not found (create it with --update-baseline)") from None
    except OSError as err:
        raise RepoError(f"{path}: cannot read baseline: {err.strerror or err}") from None
    except ValueError:
        raise RepoError(f"{path}: baseline is not valid JSON") from None
    try:
        if raw["version"] != FORMAT_VERSION:
            raise RepoError(f"{path}: unsupported baseline version {raw['version']!r}")
        salt = str(raw["salt"])
        bytes.fromhex(salt)
        prints = {str(entry["fingerprint"]) for entry in raw["findings"]}
    except (KeyError, TypeError, ValueError):
        raise RepoError(f"{path}: not an lcm scan baseline") from None
    return Baseline(salt, prints)


def write_baseline(path: str, baseline: Baseline, findings: Iterable[Finding]) -> int:
    """Atomically write `findings` as the new content of the baseline; return the entry count."""
    entries = sorted(
        {(f.rule_id, f.path, baseline.fingerprint(f)): f.line for f in findings}.items()
    )
    document = {
        "version": FORMAT_VERSION,
        "tool": "lcm scan",
        "salt": baseline.salt,
        "findings": [
            {"rule": rule, "path": file, "line": line, "fingerprint": fp}
            for (rule, file, fp), line in entries
        ],
    }
    from pathlib import Path

    from lcm.fsutil import atomic_write

    try:
        atomic_write(Path(path), json.dumps(document, indent=2) + "\n")
    except OSError as err:
        raise RepoError(f"{path}: cannot write baseline: {err.strerror or err}") from None
    return len(entries)
