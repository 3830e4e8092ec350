"""Every false-positive filter and allowlist, in one place: patterns, word lists and checks.

The engine applies them in this order: paths (`PATH_EXCLUDE_*`), masked spans on
the line (`MASKED_SPANS`), placeholders (`PLACEHOLDER`), the rule's entropy floor,
the rule's named check (`CHECKS`), then inline suppressions (`INLINE_ALLOW`).
"""

from __future__ import annotations

import math
import re
from collections import Counter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

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

# --- placeholders: a secret containing one of these is documentation, not a key ---
PLACEHOLDER = re.compile(
    r"x{5,}|X{5,}|\*{3,}|\.{3}|…|#{4,}|<[^>]*>|\{\{|\$\{|\$\(|%\(\w+\)s|0{8,}|(.)\1{7,}"
    r"|EXAMPLE|abcdefgh|ABCDEFGH|12345678"
    # Words count only when delimited, so random keys that happen to contain them still match.
    r"|(?i:(?<![a-z0-9])(?:your|my[_\-]?(?:api[_\-]?)?(?:key|secret|token|password)|example|sample|dummy|placeholder|redacted|change[_\-]?me"
    r"|replace[_\-]?me|insert|enter|not[_\-]?(?:a[_\-]?)?real|fake|fixme|todo|tbd|lorem|ipsum"
    r"|(?:key|secret|token|password)[_\-]?here)(?![a-z]))"
)

# --- variable references instead of values (on the value; on the line for context rules) ---
VARIABLE_VALUE = re.compile(r"^(?:\$\{?[A-Za-z_]|\{\{|\{%|%\(|%[A-Z_]+%|#\{|@\{|!ENV|env:|vault:|ssm:|op://|ref\+)")
VARIABLE_LINE = re.compile(
    rb"secretKeyRef|valueFrom|os\.environ|os\.getenv|getenv\(|process\.env|ENV\[|System\.getenv"
    rb"|env\(|Secret\.from|secrets\.\w+\s*\}\}|\{\{\s*secrets\."
)

# --- generic-secret: key names that hold metadata about a secret, not the secret itself ---
KEY_NOT_SECRET_WORDS: frozenset[str] = frozenset({
    "name", "names", "file", "files", "path", "paths", "dir", "directory", "url", "uri", "endpoint",
    "type", "types", "env", "var", "field", "len", "length", "size", "count", "ttl", "expiry",
    "expires", "expiration", "timeout", "prefix", "suffix", "header", "policy", "ref", "mode",
    "format", "label", "tokens", "tokenizer", "tokenize", "location", "store", "provider",
    "manager", "backend", "source", "kind", "version", "pattern", "regex", "template", "hint",
    "help", "description", "placeholder", "example", "required", "enabled", "min", "max",
    "class", "module", "fn", "func", "callback", "handler", "id_field", "param", "arg",
    "hash", "hashed", "digest", "checksum", "sha", "sha1", "sha256", "md5", "integrity",
    "fingerprint", "etag", "commit", "revision", "rev", "nonce", "salt", "scope",
    "scopes", "audience", "issuer", "algorithm", "alg", "usage", "cache", "storage",
})
CODE_SUFFIXES: frozenset[str] = frozenset({
    ".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".kts",
    ".rb", ".rs", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".php", ".swift", ".scala", ".lua",
    ".dart", ".r", ".jl", ".ex", ".exs", ".erl", ".clj", ".groovy", ".pl", ".pm",
})
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
WORD_CHARS = re.compile(r"^[A-Za-z0-9_.\-/:]+$")
SEPARATORS = re.compile(r"[_.\-/:]+")
VOWELS = re.compile(r"[aeiouyAEIOUY]")
WORD_RUNS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
KEY_SPLIT = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")
CODE_CHARS = re.compile(r"[()\[\]{}]|^[<>]|,$")

# --- database/broker URL passwords that are documentation defaults ---
URL_PASSWORD_PLACEHOLDERS: frozenset[str] = frozenset({
    "password", "passwd", "pass", "pwd", "pw", "secret", "changeme", "change_me", "test",
    "testing", "example", "xxx", "yourpassword", "your_password", "mypassword", "my_password",
    "dbpassword", "db_password", "dbpass", "root", "admin", "guest", "user", "username", "tiger",
    "foo", "bar", "baz", "postgres", "mysql", "redis", "mongo", "rabbitmq", "default", "none",
    "null", "token", "apikey", "api_key", "dev", "local", "localhost",
})

# --- pem: the body of a private key must be long, base64 and random ---
PEM_NOISE = re.compile(rb"\\[nr]|^[ \t]*[A-Za-z\-]+:.*$|[^A-Za-z0-9+/=]", re.MULTILINE)
PEM_MIN_BODY = 64
PEM_MIN_ENTROPY = 4.5


def shannon_entropy(text: str) -> float:
    """Bits per character of `text`."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def looks_like_words(value: str) -> bool:
    """True for identifiers and dotted names (`settings.SECRET_KEY`, `IAmSensitive`), not keys.

    Word-like means: at most one digit group, at most one one-letter run, runs of
    three letters on average, and every longer run pronounceable (has a vowel), a
    short acronym (`HTTP`), or a whole short segment (`sk` in `sk-test-value`).
    Random keys fail one of these almost surely.
    """
    if not WORD_CHARS.match(value):
        return False
    letters: list[str] = []
    digits = 0
    for segment in SEPARATORS.split(value):
        for run in WORD_RUNS.findall(segment):
            if run.isdigit():
                digits += 1
                continue
            if not (len(run) == 1 or VOWELS.search(run) or (run.isupper() and len(run) <= 4)
                    or (run == segment and len(run) <= 3)):
                return False
            letters.append(run)
    if not letters or digits > 1 or sum(1 for r in letters if len(r) == 1) > 1:
        return False
    return sum(map(len, letters)) / len(letters) >= 3.0


def line_allows(lines: list[bytes], line_no: int) -> bool:
    """Whether line `line_no` (1-based) has an allow comment, or the line above a next-line one."""
    line = lines[line_no - 1] if 0 < line_no <= len(lines) else b""
    above = lines[line_no - 2] if 1 < line_no <= len(lines) + 1 else b""
    return any(m in line for m in INLINE_ALLOW) or any(m in above for m in INLINE_ALLOW_NEXT_LINE)


def key_words(key: str) -> list[str]:
    """Lowercase words of a key name (`db_passwordFile` -> db, password, file)."""
    return [w.lower() for w in KEY_SPLIT.findall(key)]


def is_placeholder(secret: str) -> bool:
    """True when the value is a documentation stand-in such as `YOUR_API_KEY` or `sk-...`."""
    return PLACEHOLDER.search(secret) is not None


class Context:
    """What a check may look at besides the secret: the key name, quoting, the line, the path."""

    __slots__ = ("key", "line", "quoted", "suffix")

    def __init__(self, key: str, quoted: bool, line: bytes, suffix: str) -> None:
        self.key, self.quoted, self.line, self.suffix = key, quoted, line, suffix


def check_generic(secret: str, ctx: Context) -> str | None:
    """Accept a generic assignment only for a literal, random-looking value at a secret key."""
    words = key_words(ctx.key)
    if words and words[-1] in KEY_NOT_SECRET_WORDS:
        return None
    if ctx.suffix in CODE_SUFFIXES and not ctx.quoted:
        return None
    if (VARIABLE_VALUE.match(secret) or CODE_CHARS.search(secret) or secret.isdigit()
            or secret.startswith(("/", "./", "../", "~/", "*", "http://", "https://", "file:"))
            or UUID.match(secret) or looks_like_words(secret)
            or VARIABLE_LINE.search(ctx.line)):
        return None
    return secret


def check_url_password(secret: str, ctx: Context) -> str | None:
    """Accept a URL password unless it is a variable, a template or a documentation default."""
    if secret.lower() in URL_PASSWORD_PLACEHOLDERS or VARIABLE_VALUE.match(secret):
        return None
    if secret[0] in "{%<*:$" or secret.startswith("..."):
        return None
    return secret


def check_pem(secret: str, ctx: Context) -> str | None:
    """Accept a PEM block whose body is long random base64; the body is what gets fingerprinted."""
    body = PEM_NOISE.sub(b"", secret.encode()).decode()
    if len(body) < PEM_MIN_BODY or shannon_entropy(body) < PEM_MIN_ENTROPY:
        return None
    return body


CHECKS: dict[str, Callable[[str, Context], str | None]] = {
    "generic": check_generic,
    "url_password": check_url_password,
    "pem": check_pem,
}
