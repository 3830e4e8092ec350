"""The filters every rule shares: paths, masked spans, placeholders, entropy, suppressions.

The engine applies them in this order: paths (`PATH_EXCLUDE_*`), masked spans on
the line (`MASKED_SPANS`), the rule's named check (`lcm.scan.checks.CHECKS`),
placeholders (`PLACEHOLDER`), the rule's entropy floor, then inline suppressions
(`INLINE_ALLOW`). What a single rule checks on top lives in `lcm.scan.checks`.
"""

from __future__ import annotations

import math
import re
from collections import Counter

# --- inline suppression comments (on the finding's line; *_NEXT_LINE on the line above) ---
INLINE_ALLOW: tuple[bytes, ...] = (b"lcm:allow", b"pragma: allowlist secret", b"gitleaks:allow")
INLINE_ALLOW_NEXT_LINE: tuple[bytes, ...] = (
    b"lcm:allow-next-line", b"pragma: allowlist nextline secret",
)

# --- paths never scanned: exact basenames, and name endings (lock files, minified, binaries) ---
PATH_EXCLUDE_NAMES: frozenset[str] = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock",
    "Pipfile.lock", "uv.lock", "pdm.lock", "go.sum", "Cargo.lock", "composer.lock",
    "Gemfile.lock", "packages.lock.json", ".lcm-baseline.json",
})
PATH_EXCLUDE_SUFFIXES: tuple[str, ...] = (
    ".min.js", ".min.css", ".map",
    ".png", ".jpg", ".jpeg", ".gif", ".ico", ".bmp", ".webp", ".tiff", ".pdf", ".zip", ".gz",
    ".tgz", ".bz2", ".xz", ".zst", ".7z", ".tar", ".whl", ".egg", ".jar", ".war", ".class",
    ".so", ".dylib", ".dll", ".exe", ".o", ".a", ".pyc", ".pyo", ".pyd", ".woff", ".woff2",
    ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".mov", ".avi", ".wav", ".flac", ".ogg", ".webm",
    ".psd", ".sqlite", ".db", ".parquet", ".npy", ".npz", ".pkl", ".pt", ".onnx",
    ".safetensors", ".gguf", ".bin",
)
DIR_EXCLUDE_NAMES: frozenset[str] = frozenset({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".tox", ".nox", ".venv", "venv", ".eggs",
})
MAX_FILE_BYTES = 8 * 1024 * 1024

# --- spans of a line inside which nothing is a finding: lcm ciphertext, data URIs, digests ---
MASKED_SPANS = re.compile(
    rb"ENC\[AES256_GCM,[^\]\s]*\]"
    rb"|data:[\w.+\-]+/[\w.+\-]+(?:;[\w.+\-]+=[\w.+\-]+)*;base64,[A-Za-z0-9+/=]+"
    rb"|(?i:sha1|sha224|sha256|sha384|sha512|sha3-\d+|md5|blake2[bs]?|xxh\d+)[:\-][A-Za-z0-9+/=]{16,}"
)

# --- placeholders: a value containing one of these is documentation, not a key ---
# Strong markers make a value a placeholder wherever they occur. The value checked is the
# whole token the rule matched plus whatever non-delimiter text follows it on the line, so
# `glpat-abc…`, `sk-proj-0000…` and `ghp_xxxx…` are caught even when the rule's regex stopped
# before the filler.
PLACEHOLDER = re.compile(
    r"x{5,}|X{5,}|\*{3,}|\.{3}|…|\\u2026|#{4,}|<[^>]*>|\{\{|\$\{|\$\(|%\(\w+\)s"
    r"|EXAMPLE"
    # Filler right after a separator (a real prefix continued by stand-in characters) or at the end.
    r"|(?:^|[_\-.])(?:xxxx|XXXX|####|0000|\*\*)|(?:xxxx|XXXX|####|\*\*)$"
    # Words count only when delimited, so random keys that happen to contain them still match.
    r"|(?i:(?<![a-z0-9])(?:your|my[_\-]?(?:api[_\-]?)?(?:key|secret|token|password)|example|sample"
    r"|dummy|placeholder|redacted|change[_\-]?me"
    r"|replace[_\-]?me|insert|enter|not[_\-]?(?:a[_\-]?)?real|fake|fixme|todo|tbd|lorem|ipsum"
    r"|(?:key|secret|token|password)[_\-]?here)(?![a-z]))"
)
# Weak markers (runs and sequences) make a value a placeholder only when what is left after
# removing them is not itself a random key: `xoxb-1111111111-…-<24 random>` is a real token.
PLACEHOLDER_RUNS = re.compile(r"(.)\1{7,}|abcdefgh|ABCDEFGH|12345678")
RANDOM_REST_MIN_LENGTH = 16
RANDOM_REST_MIN_ENTROPY = 3.5
# What may follow a matched token and still belong to the same value (for the placeholder check).
VALUE_CONTINUATION = re.compile(rb"[^\s\"'`,;()<>\[\]{}|\\]*")

# --- variable references instead of values (on the value; on the line for context rules) ---
VARIABLE_VALUE = re.compile(r"^(?:\$\{?[A-Za-z_]|\{\{|\{%|%\(|%[A-Z_]+%|#\{|@\{|!ENV|env:|vault:|ssm:|op://|ref\+)")
VARIABLE_LINE = re.compile(
    rb"secretKeyRef|valueFrom|os\.environ|os\.getenv|getenv\(|process\.env|ENV\[|System\.getenv"
    rb"|env\(|Secret\.from|secrets\.\w+\s*\}\}|\{\{\s*secrets\."
)

SEPARATORS = re.compile(r"[_.\-/:]+")


def shannon_entropy(text: str) -> float:
    """Bits per character of `text`."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def line_allows(lines: list[bytes], line_no: int) -> bool:
    """Whether line `line_no` (1-based) has an allow comment, or the line above a next-line one."""
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else b""
    above = lines[line_no - 2] if 1 < line_no <= len(lines) + 1 else b""
    return any(m in line for m in INLINE_ALLOW) or any(m in above for m in INLINE_ALLOW_NEXT_LINE)


def is_placeholder(value: str) -> bool:
    """True when the value is a documentation stand-in such as `YOUR_API_KEY` or `sk-...`."""
    if PLACEHOLDER.search(value) is not None:
        return True
    if PLACEHOLDER_RUNS.search(value) is None:
        return False
    rest = SEPARATORS.sub("", PLACEHOLDER_RUNS.sub("", value))
    return not (
        len(rest) >= RANDOM_REST_MIN_LENGTH
        and shannon_entropy(rest) >= RANDOM_REST_MIN_ENTROPY
    )
