"""Format rules (JWT, PEM, database URLs) and the generic secret-named assignment."""

from __future__ import annotations

from lcm.scan.model import Rule
from lcm.scan.rules_parts import ASSIGN, END, START

# Other ways a value is bound to a secret-named key (the check decides which apply where):
# an XML/.NET `key="Password" value="…"` attribute pair;
ATTR_ASSIGN = r"""["'][ \t]+value[ \t]*=[ \t]*["']"""
# markup: `<ClientSecret>…`, `<setting name="ClientSecret" …>` then an optional `<value>` below;
MARKUP_ASSIGN = (
    r"""["']?(?:[ \t]+[\w:.\-]+[ \t]*=[ \t]*["'][^"'<>\n]*["'])*[ \t]*>[ \t]*(?:\r?\n[ \t]*)?"""
    r"(?:<value>[ \t]*)?"
)
# a command-line or PowerShell flag: `-ClientSecret '…'`, `--password "…"`.
FLAG_ASSIGN = r"""[ \t]+["']"""
# `pass` counts only as a whole key word, so its keywords include the byte after it: the
# prefilter never stops at Python's `pass` statement.
PASS_KEYWORDS = tuple(f"pass{c}" for c in "=:\"'` \t>]_-.")
GENERIC_KEYWORDS = (
    r"(?i:passw(?:or)?d|passwd|passphrase|pass|pwd|secret|srt|token|api[_.\-]?key|apikey"
    r"|access[_.\-]?key|auth[_.\-]?key|private[_.\-]?key|credentials?)"
)

RULES: tuple[Rule, ...] = (
    Rule("jwt", "JSON Web Token (signed, or unsigned with alg none)",
         # The payload is a JSON object: `{"…` (eyJ), `{ "…` (eyA) or `{}` (e30).
         START + r"(eyJ[A-Za-z0-9_\-]{10,}\.(?:ey[JA][A-Za-z0-9_\-]{10,}|e30)"
         r"\.(?:[A-Za-z0-9_\-]{16,})?)" + END,
         ("eyj",), min_entropy=3.5, check="jwt"),
    Rule("private-key", "PEM private key (also inside YAML block scalars and JSON strings)",
         r"-----BEGIN[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----([\s\S]{16,16384}?)"
         r"-----END[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----",
         ("-----begin",), check="pem"),
    Rule("database-url-password", "Database or broker URL with an inline password",
         r"(?i:(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver"
         r"|oracle|clickhouse|cockroachdb|couchdb|nats|kafka|neo4j(?:\+s)?|bolt|memcached|ldaps?"
         r"|jdbc:[a-z]+|mqtts?))(?:\+[a-z0-9]+)?://[^\s:/@\"'`<>]{1,128}:([^\s/@\"'`<>]{3,256})@[\w.\-\[\]]",
         ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver",
          "oracle",
          "clickhouse", "cockroachdb", "couchdb", "nats", "kafka", "neo4j", "bolt", "memcached",
          "ldap", "jdbc:", "mqtt"), kind="context", check="url_password"),
    Rule("generic-secret",
         "Secret-like assignment (password/secret/token/api_key = value) above an entropy floor",
         # Possessive: no binding starts with a key character, so never backtrack into the key.
         GENERIC_KEYWORDS + r"[\w.\-]{0,40}+"
         + f"(?:{ASSIGN}|{ATTR_ASSIGN}|{MARKUP_ASSIGN}|{FLAG_ASSIGN})"
         + r"([^\s\"'`,;()<>]{8,256})",
         ("passw", "passphrase", *PASS_KEYWORDS, "pwd", "secret", "srt", "token", "api_key",
          "api-key", "api.key", "apikey", "access_key", "access-key", "access.key", "accesskey",
          "auth_key", "auth-key", "auth.key", "authkey", "private_key", "private-key", "private.key",
          "privatekey", "credential"), kind="context",
         min_entropy=3.0, check="generic"),
)
