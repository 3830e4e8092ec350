"""What one rule checks on top of the shared filters: key names, literal values, PEM and JWT shapes.

A rule names its check (`Rule.check`); the engine calls `CHECKS[name](secret, ctx)`,
which returns the secret to report (possibly normalised) or None to drop the match.
Keyword-anchored rules share `check_key_name`: the key must be named like a
secret, not like metadata about one (`token_id`, `password_file`), not like a
public-by-design value (`publicToken`, `csrf_token`), and the keyword must start
a word of the key (`jsonwebtoken` is not a `token`).
"""

from __future__ import annotations

import re

from lcm.scan.filters import VARIABLE_LINE, VARIABLE_VALUE, shannon_entropy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

# --- key names whose last word says the value is metadata about a secret, not the secret ---
KEY_NOT_SECRET_WORDS: frozenset[str] = frozenset({
    "name", "names", "file", "files", "path", "paths", "dir", "directory", "url", "uri", "urls",
    "endpoint", "host", "domain", "type", "types", "env", "var", "field", "len", "length", "size",
    "count", "ttl", "expiry", "expires", "expiration", "timeout", "prefix", "suffix", "header",
    "policy", "ref", "mode", "format", "label", "tokens", "tokenizer", "tokenize", "location",
    "store", "provider", "manager", "backend", "source", "kind", "version", "pattern", "regex",
    "template", "hint", "help", "description", "placeholder", "example", "required", "enabled",
    "min", "max", "class", "module", "fn", "func", "callback", "handler", "param", "arg", "hash",
    "hashed", "digest", "checksum", "sha", "sha1", "sha256", "md5", "integrity", "fingerprint",
    "etag", "commit", "revision", "rev", "nonce", "salt", "scope", "scopes", "audience", "issuer",
    "algorithm", "alg", "usage", "cache", "storage",
    # identifiers: keys ending in Id/ID/_id name a secret, they are not one
    "id", "ids", "uuid", "guid", "arn", "index",
})
# --- words before the keyword that make the value public or not a credential at all ---
KEY_NOT_SECRET_QUALIFIERS: frozenset[str] = frozenset({
    "public", "publishable", "csrf", "xsrf", "authenticity", "anti", "forgery",
    # pagination and model-vocabulary tokens in API and LLM configs
    "page", "next", "prev", "previous", "continuation", "sync", "cursor", "cancellation",
    "resume", "idempotency", "eos", "bos", "pad", "unk", "sep", "cls", "mask", "stop", "special",
})
# Joined lowercase (or upper-case) words are split nowhere; a keyword inside one counts only
# when the letters before it end with one of these (`accesstoken`, `dbpassword`, `apikey`).
COMPOUND_PREFIXES: tuple[str, ...] = (
    "access", "auth", "api", "app", "bot", "user", "client", "refresh", "bearer", "session",
    "admin", "root", "master", "db", "oauth", "private", "service", "deploy", "personal", "login",
    "secret", "shared", "signing", "encryption", "account", "storage", "consumer", "webhook",
    "hook", "smtp", "mail", "ftp", "ldap", "ssh", "keystore", "truststore", "vault", "registry",
    "docker", "npm", "pypi", "git", "github", "gitlab", "slack", "my", "new", "old", "id",
)
# Abbreviated keywords must be a whole word of the key (`db_pass`, `pwd`; not `bypass`).
ABBREVIATED_KEYWORDS: frozenset[str] = frozenset({"pass", "pwd", "srt"})
LONG_FORMS: tuple[str, ...] = ("passw", "passphrase")
KEY_SPLIT = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+(?![a-z])")

# --- values that are not literal secrets ---
CODE_SUFFIXES: frozenset[str] = frozenset({
    ".py", ".pyi", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".kt", ".kts",
    ".rb", ".rs", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".php", ".swift", ".scala", ".lua",
    ".dart", ".r", ".jl", ".ex", ".exs", ".erl", ".clj", ".groovy", ".pl", ".pm",
})
# Publishable keys ship to browsers by design (Stripe/Clerk `pk_`, Langfuse `pk-lf-`, Mapbox `pk.`).
PUBLIC_VALUE = re.compile(r"^pk[_\-.]")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
WORD_CHARS = re.compile(r"^[A-Za-z0-9_.\-/:]+$")
SEPARATORS = re.compile(r"[_.\-/:]+")
VOWELS = re.compile(r"[aeiouyAEIOUY]")
WORD_RUNS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
CODE_CHARS = re.compile(r"[()\[\]{}]|^[<>]|,$")
QUERY_PARAMETER = re.compile(r"&[\w.\-]+=")
GENERIC_MIN_LENGTH = 8

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

# --- jwt: an unsigned token (empty signature) counts only when its header says `alg: none` ---
JWT_ALG_NONE = re.compile(rb'"alg"\s*:\s*"none"', re.IGNORECASE)


class Context:
    """What a check may look at besides the secret.

    `key` is the whole key name around the match start, `keyword_at` the offset of
    the matched keyword in it and `opener` the character before it; `assign` is the
    text between key and value; `quoted` says whether the value opens with a quote;
    `line` is the finding's line and `suffix` the file's extension.
    """

    __slots__ = ("assign", "key", "keyword_at", "line", "opener", "quoted", "suffix")

    def __init__(
        self,
        key: str,
        quoted: bool,
        line: bytes,
        suffix: str,
        keyword_at: int = 0,
        assign: str = "",
        opener: str = "",
    ) -> None:
        self.key, self.quoted, self.line, self.suffix = key, quoted, line, suffix
        self.keyword_at, self.assign, self.opener = keyword_at, assign, opener


def key_words(key: str) -> list[str]:
    """Lowercase words of a key name (`db_passwordFile` -> db, password, file)."""
    return [w.lower() for w in KEY_SPLIT.findall(key)]


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


def joined_prefix(key: str, at: int) -> str:
    """The letters joined to the keyword at `key[at:]` with no separator or camel hump between.

    Empty when the keyword starts a word (`db_password`, `accessToken`, `HTTPToken`);
    `jsonweb` for `jsonwebtoken`, `DB` for `DBPASSWORD`.
    """
    start = min(max(at, 0), len(key))
    while start > 0 and key[start - 1].isalpha() and not _hump(key, start):
        start -= 1
    return key[start:at]


def _hump(key: str, i: int) -> bool:
    """A camel-case word boundary before `key[i]` (`dbPassword`, `HTTPToken`)."""
    if i >= len(key):
        return True
    prev, here = key[i - 1], key[i]
    if prev.islower() and here.isupper():
        return True
    return prev.isupper() and here.isupper() and i + 1 < len(key) and key[i + 1].islower()


def check_key_name(secret: str, ctx: Context) -> str | None:
    """Accept a keyword-anchored match only at a key named like a secret (see module doc)."""
    words = key_words(ctx.key)
    if words and words[-1] in KEY_NOT_SECRET_WORDS:
        return None
    if not KEY_NOT_SECRET_QUALIFIERS.isdisjoint(words):
        return None
    lowered = ctx.key.lower()
    if "csrf" in lowered or "xsrf" in lowered or "requestverification" in lowered:
        return None
    joined = joined_prefix(ctx.key, ctx.keyword_at).lower()
    if len(joined) > 3 and not joined.endswith(COMPOUND_PREFIXES):
        return None
    found = KEY_SPLIT.match(ctx.key, ctx.keyword_at)
    word = found.group().lower() if found else ""
    for abbreviation in ABBREVIATED_KEYWORDS:
        if word.startswith(abbreviation) and not word.startswith(LONG_FORMS):
            if joined or word != abbreviation:
                return None
    return secret


def check_generic(secret: str, ctx: Context) -> str | None:
    """Accept a generic assignment only for a literal, random-looking value at a secret key."""
    if check_key_name(secret, ctx) is None or not _assignment_fits_key(ctx):
        return None
    if ctx.suffix in CODE_SUFFIXES and not ctx.quoted:
        return None
    next_param = QUERY_PARAMETER.search(secret)  # `?token=v&page=2`: the value ends at the `&`
    if next_param is not None:
        secret = secret[: next_param.start()]
    if (len(secret) < GENERIC_MIN_LENGTH or VARIABLE_VALUE.match(secret)
            or CODE_CHARS.search(secret) or secret.isdigit()
            or secret.startswith(("/", "./", "../", "~/", "*", "http://", "https://", "file:"))
            or UUID.match(secret) or PUBLIC_VALUE.match(secret) or looks_like_words(secret)
            or VARIABLE_LINE.search(ctx.line)):
        return None
    return secret


def _assignment_fits_key(ctx: Context) -> bool:
    """`key = v` anywhere; `<key>v` and `key" … >v` only in markup; `-Key 'v'` only as a flag."""
    if "=" in ctx.assign or ":" in ctx.assign:
        return True
    if ">" in ctx.assign:
        return ctx.opener in ("<", '"', "'")
    return ctx.key.startswith("-")


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


def check_jwt(secret: str, ctx: Context) -> str | None:
    """Accept a signed JWT, or an unsigned one whose header declares `alg: none`."""
    if not secret.endswith("."):
        return secret
    header = secret.split(".", 1)[0]
    import base64  # light, and only for the rare unsigned token

    try:
        decoded = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
    except ValueError:
        return None
    return secret if JWT_ALG_NONE.search(decoded) else None


CHECKS: dict[str, Callable[[str, Context], str | None]] = {
    "generic": check_generic,
    "keyed": check_key_name,
    "url_password": check_url_password,
    "pem": check_pem,
    "jwt": check_jwt,
}
