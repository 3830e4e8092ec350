"""The scan test corpus, generated at test time so no realistic-looking key is ever committed.

`write_corpus(dest)` writes true positives for every rule in six syntaxes (YAML,
.env, Python, JSON, INI, Markdown), a hard negative for every rule (a near miss:
a placeholder behind a real prefix, a metadata key such as `*_ID`, a public key,
a wrong length) in the same syntaxes, shape-specific files (XML, PowerShell,
Firebase config, unsigned JWTs, …), and returns the expected findings as
{relative path: {(line, rule id)}}. Keys are random (seeded, so runs are
reproducible) and assembled from parts; the formats come from the providers'
public documentation (see docs/scan.md), never from another scanner's tests.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
SYNTAXES = ("yaml", "env", "py", "json", "ini", "md")
SUFFIX = {"yaml": ".yaml", "env": ".env", "py": ".py", "json": ".json", "ini": ".ini", "md": ".md"}


class Keys:
    """Random fake secrets in each provider's shape."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)

    def s(self, n: int, alphabet: str = ALNUM) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def b64(self, n_bytes: int) -> str:
        return base64.b64encode(self.rng.randbytes(n_bytes)).decode()

    def uuid(self) -> str:
        h = self.s(32, HEX)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def jwt(self, alg: str = "HS256", signed: bool = True) -> str:
        def part(obj: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

        payload = {"sub": self.s(12), "iat": 1700000000 + self.rng.randrange(10**6)}
        signature = self.s(43, ALNUM + "-_") if signed else ""
        return ".".join([part({"alg": alg, "typ": "JWT"}), part(payload), signature])

    def pem_lines(self, kind: str = "RSA ") -> list[str]:
        body = self.b64(900)
        return (
            [f"-----BEGIN {kind}PRIVATE KEY-----"]
            + [body[i : i + 64] for i in range(0, len(body), 64)]
            + [f"-----END {kind}PRIVATE KEY-----"]
        )


# rule id -> (key name to assign it to, value generator). Prefixes are split so no
# complete key shape appears in this source file.
def positive_specs(k: Keys) -> list[tuple[str, str, Callable[[], str]]]:
    """(rule id, key name, value factory) for every single-line true positive."""
    sk = "s" + "k-"
    return [
        ("openai-project-key", "OPENAI_API_KEY", lambda: sk + "proj-" + k.s(120, ALNUM + "-_")),
        (
            "openai-service-account-key",
            "OPENAI_SVC_KEY",
            lambda: sk + "svcacct-" + k.s(100, ALNUM + "-_"),
        ),
        ("openai-admin-key", "OPENAI_ADMIN_KEY", lambda: sk + "admin-" + k.s(100, ALNUM + "-_")),
        ("openai-legacy-key", "OPENAI_KEY", lambda: sk + k.s(20) + "T3Blbk" + "FJ" + k.s(20)),
        (
            "anthropic-api-key",
            "ANTHROPIC_API_KEY",
            lambda: sk + "ant-api03-" + k.s(93, ALNUM + "-_") + "AA",
        ),
        (
            "anthropic-admin-key",
            "ANTHROPIC_ADMIN_KEY",
            lambda: sk + "ant-admin01-" + k.s(93, ALNUM + "-_") + "AA",
        ),
        ("google-api-key", "GEMINI_API_KEY", lambda: "AI" + "za" + k.s(35, ALNUM + "-_")),
        ("aws-bedrock-api-key", "AWS_BEARER_TOKEN_BEDROCK", lambda: "AB" + "SK" + k.b64(100)),
        ("huggingface-token", "HF_TOKEN", lambda: "h" + "f_" + k.s(34, string.ascii_letters)),
        (
            "huggingface-org-token",
            "HF_ORG_TOKEN",
            lambda: "api_" + "org_" + k.s(34, string.ascii_letters),
        ),
        ("groq-api-key", "GROQ_API_KEY", lambda: "gs" + "k_" + k.s(52)),
        ("perplexity-api-key", "PPLX_API_KEY", lambda: "pp" + "lx-" + k.s(48)),
        ("xai-api-key", "XAI_API_KEY", lambda: "xa" + "i-" + k.s(80)),
        ("openrouter-api-key", "OPENROUTER_API_KEY", lambda: sk + "or-v1-" + k.s(64, HEX)),
        ("replicate-api-token", "REPLICATE_API_TOKEN", lambda: "r" + "8_" + k.s(37)),
        ("deepseek-api-key", "DEEPSEEK_API_KEY", lambda: sk + k.s(32, HEX)),
        ("github-token", "GITHUB_TOKEN", lambda: "gh" + "p_" + k.s(36)),
        (
            "github-fine-grained-token",
            "GH_PAT",
            lambda: "github_" + "pat_" + k.s(22) + "_" + k.s(59),
        ),
        ("gitlab-token", "GITLAB_TOKEN", lambda: "gl" + "pat-" + k.s(20, ALNUM + "-_")),
        (
            "slack-token",
            "SLACK_BOT_TOKEN",
            lambda: (
                "xo" + "xb-" + k.s(12, string.digits) + "-" + k.s(13, string.digits) + "-" + k.s(24)
            ),
        ),
        (
            "slack-webhook-url",
            "SLACK_WEBHOOK",
            lambda: (
                "https://hooks.slack.com/services/T"
                + k.s(8, string.ascii_uppercase + string.digits)
                + "/B"
                + k.s(8, string.ascii_uppercase + string.digits)
                + "/"
                + k.s(24)
            ),
        ),
        ("stripe-secret-key", "STRIPE_KEY", lambda: "sk" + "_live_" + k.s(24)),
        (
            "aws-access-key-id",
            "AWS_ACCESS_KEY_ID",
            lambda: "AK" + "IA" + k.s(16, string.ascii_uppercase + "234567"),
        ),
        ("aws-secret-access-key", "aws_secret_access_key", lambda: k.s(40, ALNUM + "/+")),
        ("mistral-api-key", "MISTRAL_API_KEY", lambda: k.s(32)),
        ("cohere-api-key", "COHERE_API_KEY", lambda: k.s(40)),
        ("jwt", "session", k.jwt),
        (
            "database-url-password",
            "DATABASE_URL",
            lambda: "postgresql://app:" + k.s(18) + "@db.internal:5432/app",
        ),
        ("generic-secret", "db_password", lambda: k.s(18, ALNUM + "!@%^&-_+")),
        # --- the services around LLM providers ---
        (
            "langsmith-api-key",
            "LANGSMITH_API_KEY",
            lambda: "lsv2" + "_pt_" + k.s(32, HEX) + "_" + k.s(10, HEX),
        ),
        ("langfuse-secret-key", "LANGFUSE_SECRET_KEY", lambda: sk + "lf-" + k.uuid()),
        ("wandb-api-key", "WANDB_API_KEY", lambda: k.s(40, HEX)),
        (
            "pinecone-api-key",
            "PINECONE_API_KEY",
            lambda: "pc" + "sk_" + k.s(6) + "_" + k.s(60, ALNUM + "_"),
        ),
        ("pinecone-legacy-api-key", "PINECONE_LEGACY_API_KEY", k.uuid),
        ("qdrant-api-key", "QDRANT_API_KEY", lambda: k.s(40, ALNUM + "_-")),
        ("weaviate-api-key", "WEAVIATE_API_KEY", lambda: k.s(40)),
        ("assemblyai-api-key", "ASSEMBLYAI_API_KEY", lambda: k.s(32, HEX)),
        ("deepgram-api-key", "DEEPGRAM_API_KEY", lambda: k.s(40, HEX)),
        ("elevenlabs-api-key", "ELEVENLABS_API_KEY", lambda: "s" + "k_" + k.s(48, HEX)),
        ("nvidia-api-key", "NVIDIA_API_KEY", lambda: "nv" + "api-" + k.s(64, ALNUM + "-_")),
        ("ngc-api-key", "NGC_API_KEY", lambda: k.b64(63)),
        ("together-api-key", "TOGETHER_API_KEY", lambda: k.s(64, HEX)),
        ("fireworks-api-key", "FIREWORKS_API_KEY", lambda: "f" + "w_" + k.s(24)),
        (
            "cerebras-api-key",
            "CEREBRAS_API_KEY",
            lambda: "cs" + "k-" + k.s(48, string.ascii_lowercase + string.digits),
        ),
        ("voyage-api-key", "VOYAGE_API_KEY", lambda: "p" + "a-" + k.s(43, ALNUM + "-_")),
        ("tavily-api-key", "TAVILY_API_KEY", lambda: "tv" + "ly-" + k.s(32)),
        ("firecrawl-api-key", "FIRECRAWL_API_KEY", lambda: "f" + "c-" + k.s(32, HEX)),
        ("serpapi-api-key", "SERPAPI_API_KEY", lambda: k.s(64, HEX)),
        # --- cloud and code hosts ---
        ("github-legacy-token", "GITHUB_TOKEN", lambda: k.s(40, HEX)),
        (
            "gitlab-runner-registration-token",
            "RUNNER_REGISTRATION_TOKEN",
            lambda: "GR" + "1348941" + k.s(20, ALNUM + "-_"),
        ),
        ("gitlab-session-cookie", "GITLAB_COOKIE", lambda: "_gitlab_" + "session=" + k.s(32, HEX)),
        (
            "slack-config-token",
            "SLACK_CONFIG_TOKEN",
            lambda: "xo" + "xe.xoxp-1-" + k.s(146),
        ),
        ("slack-refresh-token", "SLACK_REFRESH_TOKEN", lambda: "xo" + "xe-1-" + k.s(146)),
        (
            "slack-app-token",
            "SLACK_APP_TOKEN",
            lambda: (
                "xa" + "pp-1-A" + k.s(10, string.ascii_uppercase + string.digits)
                + "-" + k.s(13, string.digits) + "-" + k.s(64, HEX)
            ),
        ),
        (
            "aws-appsync-api-key",
            "APPSYNC_API_KEY",
            lambda: "da" + "2-" + k.s(26, string.ascii_lowercase + string.digits),
        ),
        (
            "azure-ad-client-secret",
            "AZURE_CLIENT_SECRET",
            lambda: k.s(3) + k.s(1, string.digits) + "Q" + "~" + k.s(34, ALNUM + "_~.-"),
        ),
        (
            "azure-storage-account-key",
            "AZURE_STORAGE_CONNECTION_STRING",
            lambda: (
                "DefaultEndpointsProtocol=https;AccountName=contoso;Account" + "Key="
                + k.b64(64) + ";EndpointSuffix=core.windows.net"
            ),
        ),
        (
            "azure-sas-token",
            "AZURE_BLOB_SAS_URL",
            lambda: (
                "https://contoso.blob.core.windows.net/reports/q3.csv?sv=2022-11-02&ss=b&srt=o"
                "&sp=r&se=2030-01-01T00:00:00Z&spr=https&s" + "ig="
                + k.b64(32).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
            ),
        ),
    ]


def hard_negative_specs(k: Keys) -> list[tuple[str, str, str]]:
    """(rule id, key, value): for every single-line rule, a near miss that must not be reported."""
    sk = "s" + "k-"
    return [
        ("openai-project-key", "OPENAI_API_KEY", sk + "proj-" + "0000" + k.s(60)),
        ("openai-service-account-key", "OPENAI_API_KEY", sk + "svcacct-" + k.s(6) + "…"),
        ("openai-admin-key", "OPENAI_ADMIN_KEY", sk + "admin-" + k.s(44) + "####"),
        ("openai-legacy-key", "OPENAI_KEY", sk + k.s(40)),
        ("anthropic-api-key", "ANTHROPIC_API_KEY", sk + "ant-api03-" + k.s(6) + "..."),
        ("anthropic-admin-key", "ANTHROPIC_ADMIN_KEY", sk + "ant-admin01-xxxx" + k.s(90)),
        ("aws-bedrock-api-key", "AWS_BEARER_TOKEN_BEDROCK", "AB" + "SK" + "A" * 120),
        ("huggingface-token", "HF_TOKEN", "h" + "f_xxxx" + k.s(32)),
        ("huggingface-org-token", "HF_ORG_TOKEN", "api_" + "org_0000" + k.s(32)),
        ("groq-api-key", "GROQ_API_KEY", "gs" + "k_" + k.s(8) + "…"),
        ("perplexity-api-key", "PPLX_API_KEY", "pp" + "lx-<your-key>"),
        ("xai-api-key", "XAI_API_KEY", "xa" + "i-XXXX" + k.s(76)),
        ("openrouter-api-key", "OPENROUTER_API_KEY", sk + "or-v1-" + "0" * 64),
        ("replicate-api-token", "REPLICATE_API_TOKEN", "r" + "8_" + "*" * 37),
        ("deepseek-api-key", "BUILD_REF", sk + k.s(32, HEX)),
        ("nvidia-api-key", "NVIDIA_API_KEY", "nv" + "api-" + "x" * 64),
        ("azure-openai-api-key", "AZURE_OPENAI_KEY_ID", k.s(32, HEX)),
        ("mistral-api-key", "MISTRAL_API_KEY_NAME", k.s(32)),
        ("cohere-api-key", "COHERE_API_KEY_NAME", k.s(40)),
        ("together-api-key", "TOGETHER_API_KEY", "${TOGETHER_API_KEY}"),
        ("fireworks-api-key", "FIREWORKS_API_KEY", "f" + "w_" + "X" * 24),
        ("cerebras-api-key", "CEREBRAS_API_KEY", "cs" + "k-your-api-key-here"),
        ("voyage-api-key", "VOYAGE_API_KEY_ENV", "VOYAGE_API_KEY"),
        ("ngc-api-key", "NGC_API_KEY", "<your-ngc-api-key>"),
        ("langsmith-api-key", "LANGSMITH_API_KEY", "lsv2" + "_pt_" + k.s(8, HEX) + "…"),
        ("langfuse-secret-key", "LANGFUSE_PUBLIC_KEY", "p" + "k-lf-" + k.uuid()),
        ("wandb-api-key", "WANDB_API_KEY_NAME", k.s(40, HEX)),
        ("pinecone-api-key", "PINECONE_API_KEY", "pc" + "sk_" + "…"),
        ("pinecone-legacy-api-key", "PINECONE_API_KEY_ID", k.uuid()),
        ("qdrant-api-key", "QDRANT_API_KEY", "your_secret_api_key_here"),
        ("weaviate-api-key", "WEAVIATE_API_KEY", "${WEAVIATE_API_KEY}"),
        ("assemblyai-api-key", "ASSEMBLYAI_API_KEY", "YOUR-API-KEY"),
        ("deepgram-api-key", "DEEPGRAM_KEY_ID", k.s(40, HEX)),
        ("elevenlabs-api-key", "ELEVENLABS_API_KEY_NAME", "s" + "k_" + k.s(48, HEX)),
        ("tavily-api-key", "TAVILY_API_KEY", "tv" + "ly-YOUR_API_KEY"),
        ("firecrawl-api-key", "FIRECRAWL_API_KEY", "f" + "c-123456789"),
        ("serpapi-api-key", "SERPAPI_API_KEY_SHA256", k.s(64, HEX)),
        ("github-token", "GITHUB_TOKEN", "gh" + "p_xxxx" + k.s(32)),
        ("github-fine-grained-token", "GH_PAT", "github_" + "pat_" + k.s(10) + "…"),
        ("github-legacy-token", "GITHUB_TOKEN_HASH", k.s(40, HEX)),
        ("gitlab-token", "GITLAB_TOKEN", "gl" + "pat-" + k.s(20) + "####"),
        ("gitlab-runner-registration-token", "RUNNER_TOKEN", "GR" + "1348941" + "…"),
        ("gitlab-session-cookie", "GITLAB_COOKIE", "_gitlab_" + "session=" + "0" * 32),
        ("slack-token", "SLACK_BOT_TOKEN", "xo" + "xb-your-token"),
        ("slack-config-token", "SLACK_CONFIG_TOKEN", "xo" + "xe.xoxp-1-…"),
        ("slack-refresh-token", "SLACK_REFRESH_TOKEN", "xo" + "xe-1-abcdefg"),
        ("slack-app-token", "SLACK_APP_TOKEN", "xa" + "pp-1-XXXXXXXXXX-0000000000000-" + "x" * 64),
        (
            "slack-webhook-url",
            "SLACK_WEBHOOK",
            "https://hooks.slack.com/services/T00000000/B00000000/" + "X" * 24,
        ),
        ("stripe-secret-key", "STRIPE_PUBLISHABLE_KEY", "p" + "k_live_" + k.s(24)),
        ("aws-access-key-id", "AWS_ACCESS_KEY_ID", "AK" + "IA" + "XXXXXXXXXXXXXXXX"),
        ("aws-secret-access-key", "aws_secret_access_key_id", k.s(40, ALNUM + "/+")),
        ("aws-appsync-api-key", "APPSYNC_API_KEY", "da" + "2-" + "x" * 26),
        ("azure-ad-client-secret", "AZURE_CLIENT_SECRET", "abc8" + "Q~" + "X" * 34),
        (
            "azure-storage-account-key",
            "AZURITE_CONNECTION_STRING",
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;Account" + "Key="
            + k.b64(64) + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1",
        ),
        (
            "azure-sas-token",
            "CDN_SIGNED_URL",
            "https://cdn.example.com/a.png?exp=1700000000&s" + "ig=" + k.b64(32),
        ),
        ("jwt", "session", k.jwt(signed=False)),
        ("generic-secret", "password_file", k.s(18)),
    ]


def render_pairs(syntax: str, pairs: list[tuple[str, str]]) -> tuple[str, list[int]]:
    """A file assigning each (key, value) in `syntax`; returns the text and each value's line."""
    lines: list[str] = []
    where: list[int] = []
    if syntax == "json":
        lines.append("{")
        for i, (key, value) in enumerate(pairs):
            comma = "," if i < len(pairs) - 1 else ""
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}{comma}")
            where.append(len(lines))
        lines.append("}")
        return "\n".join(lines) + "\n", where
    if syntax == "ini":
        lines.append("[default]")
    if syntax == "md":
        lines += [
            "# Configuration",
            "",
            "Put these in your shell before running the service:",
            "",
            "```bash",
        ]
    for key, value in pairs:
        if syntax == "yaml":
            lines.append(f"{key.lower()}: {value}")
        elif syntax == "env":
            lines.append(f"{key}={value}")
        elif syntax == "py":
            lines.append(f"{key} = {json.dumps(value)}")
        elif syntax == "ini":
            lines.append(f"{key.lower()} = {value}")
        elif syntax == "md":
            lines.append(f"export {key}='{value}'")
        where.append(len(lines))
    if syntax == "md":
        lines += ["```", "", "Then run `make serve`."]
    return "\n".join(lines) + "\n", where


def pem_file(syntax: str, k: Keys) -> tuple[str, int]:
    """A private key embedded the way each syntax does it; returns the text and the BEGIN line."""
    kinds = {"yaml": "RSA ", "env": "", "py": "EC ", "json": "", "ini": "OPENSSH ", "md": ""}
    pem = k.pem_lines(kinds[syntax])
    if syntax == "yaml":
        return "tls:\n  private_key: |\n" + "".join(f"    {line}\n" for line in pem), 3
    if syntax == "env":
        return 'TLS_KEY="' + "\\n".join(pem) + '"\n', 1
    if syntax == "py":
        return 'import ssl\n\nKEY = """' + "\n".join(pem) + '\n"""\n', 3
    if syntax == "json":
        doc = {
            "type": "service_account",
            "project_id": "demo-123",
            "private_key": "\n".join(pem) + "\n",
            "client_email": "bot@demo-123.iam.gserviceaccount.com",
        }
        text = json.dumps(doc, indent=2) + "\n"
        return text, 1 + text.splitlines().index(next(l for l in text.splitlines() if "BEGIN" in l))
    if syntax == "ini":
        return "[ssh]\nkey =\n" + "".join(f"    {line}\n" for line in pem), 3
    return "# Deploy key\n\n```\n" + "\n".join(pem) + "\n```\n", 4


def azure_file(syntax: str, k: Keys) -> tuple[str, int]:
    """An Azure OpenAI key next to its `*.openai.azure.com` endpoint; returns text and key line."""
    host = "https://contoso-eastus.openai.azure.com/"
    pairs = {
        "yaml": [("endpoint", host), ("api_key", k.s(32, HEX))],
        "json": [("endpoint", host), ("api_key", k.s(32, HEX))],
        "ini": [("endpoint", host), ("api_key", k.s(32, HEX))],
    }
    chosen = pairs.get(
        syntax, [("AZURE_OPENAI_ENDPOINT", host), ("AZURE_OPENAI_API_KEY", k.s(32, HEX))]
    )
    text, where = render_pairs(syntax, chosen)
    return text, where[1]


def negative_pairs(k: Keys) -> list[tuple[str, str]]:
    """(key, value) pairs that look like secrets at a glance and are not."""
    sk = "s" + "k-"
    enc = f"ENC[AES256_GCM,k:3,iv:{k.b64(12)},data:{k.b64(30)},tag:{k.b64(16)},type:str]"
    return [
        ("OPENAI_API_KEY", "YOUR_API_KEY"),
        ("OPENAI_API_KEY", sk + "..."),
        ("OPENAI_API_KEY", sk + "proj-" + "x" * 48),
        ("ANTHROPIC_API_KEY", "<token>"),
        ("DB_PASSWORD", "changeme"),
        ("API_TOKEN", "xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("API_KEY", "${OPENAI_API_KEY}"),
        ("DB_PASSWORD", "$DB_PASSWORD"),
        ("API_KEY", enc),
        ("SECRET_TOKEN", "your-secret-token-here"),
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("COMMIT_SHA", k.s(40, HEX)),
        ("TOKEN_SHA256", k.s(64, HEX)),
        ("IMAGE", "ghcr.io/acme/api@sha256:" + k.s(64, HEX)),
        ("INTEGRITY", "sha512-" + k.b64(64)),
        ("CHECKSUM", "sha256:" + k.s(64, HEX)),
        ("REQUEST_TOKEN", "123e4567-e89b-12d3-a456-426614174000"),
        ("ICON", "data:image/png;base64," + k.b64(120)),
        ("MODEL", "gpt-4o-2024-08-06"),
        ("MODEL_ID", "anthropic.claude-3-5-sonnet-20241022-v2:0"),
        ("TOKENIZER", "meta-llama/Meta-Llama-3-8B-Instruct"),
        ("TOKEN_TYPE", "Bearer"),
        ("MAX_TOKENS", "4096"),
        ("PASSWORD_FILE", "/run/secrets/db_password"),
        ("SECRET_NAME", "prod-openai-api-key"),
        ("AUTH_TOKEN_URL", "https://auth.example.com/oauth/token"),
        ("ACCESS_TOKEN", "settings.ACCESS_TOKEN"),
        ("DATABASE_URL", "postgres://user:password@localhost:5432/app"),
        ("DATABASE_URL", "postgres://app:${DB_PASSWORD}@db:5432/app"),
        ("PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----...-----END PRIVATE KEY-----"),
        ("GITHUB_TOKEN", "ghp_" + "X" * 36),
    ]


def suppressed_lines(syntax: str, k: Keys) -> str:
    """Real-looking keys silenced by each supported inline comment (no comments in JSON)."""
    comment = {"yaml": "#", "env": "#", "py": "#", "ini": ";", "md": "<!--"}[syntax]
    close = " -->" if syntax == "md" else ""
    out = []
    for marker in ("lcm:allow", "pragma: allowlist secret", "gitleaks:allow"):
        key = "gh" + "p_" + k.s(36)
        sep = ": " if syntax == "yaml" else " = " if syntax in ("py", "ini") else "="
        value = json.dumps(key) if syntax == "py" else key
        out.append(f"github_token{sep}{value}  {comment} {marker}{close}")
    return "\n".join(out) + "\n"


def write_corpus(dest: Path, seed: int = 7) -> dict[str, set[tuple[int, str]]]:
    """Write the corpus under `dest`; return the expected (line, rule id) per relative path."""
    k = Keys(seed)
    expected: dict[str, set[tuple[int, str]]] = {}
    specs = positive_specs(k)
    for syntax in SYNTAXES:
        folder = dest / "positive" / syntax
        folder.mkdir(parents=True, exist_ok=True)
        pairs = [(key, make()) for _, key, make in specs]
        text, where = render_pairs(syntax, pairs)
        name = f"positive/{syntax}/keys{SUFFIX[syntax]}"
        (dest / name).write_text(text)
        expected[name] = {(line, rule) for (rule, _, _), line in zip(specs, where)}
        for label, (body, line), rule in (
            ("pem", pem_file(syntax, k), "private-key"),
            ("azure", azure_file(syntax, k), "azure-openai-api-key"),
        ):
            name = f"positive/{syntax}/{label}{SUFFIX[syntax]}"
            (dest / name).write_text(body)
            expected[name] = {(line, rule)}
        folder = dest / "negative" / syntax
        folder.mkdir(parents=True, exist_ok=True)
        text, _ = render_pairs(syntax, negative_pairs(k))
        name = f"negative/{syntax}/lookalikes{SUFFIX[syntax]}"
        (dest / name).write_text(text)
        expected[name] = set()
        if syntax != "json":
            name = f"negative/{syntax}/suppressed{SUFFIX[syntax]}"
            (dest / name).write_text(suppressed_lines(syntax, k))
            expected[name] = set()
        text, _ = render_pairs(syntax, [(key, value) for _, key, value in hard_negative_specs(k)])
        name = f"negative/{syntax}/near_misses{SUFFIX[syntax]}"
        (dest / name).write_text(text)
        expected[name] = set()
    for name, (text, found) in extra_positives(k).items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(text)
        expected[name] = found
    for name, text in extra_negatives(k).items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(text)
        expected[name] = set()
    return expected


def extra_positives(k: Keys) -> dict[str, tuple[str, set[tuple[int, str]]]]:
    """Shapes other than `key = value`, and tokens with a short or repetitive part."""
    slack_bot = "xo" + "xb-" + "1" * 10 + "-" + k.s(13, string.digits) + "-" + k.s(24)
    webhook = (
        "http://hooks.slack.com/services/T" + k.s(8, string.ascii_uppercase + string.digits)
        + "/B" + k.s(8, string.ascii_uppercase + string.digits) + "/" + k.s(24)
    )
    return {
        "positive/shapes/deploy.ps1": (
            "$tenant = 'contoso.onmicrosoft.com'\n"
            f"Connect-Service -TenantId $tenant -ClientSecret '{k.s(30)}'\n",
            {(2, "generic-secret")},
        ),
        "positive/shapes/app.config": (
            '<?xml version="1.0" encoding="utf-8"?>\n<configuration>\n  <applicationSettings>\n'
            '    <setting name="ClientSecret" serializeAs="String">\n'
            f"      <value>{k.s(28)}</value>\n"
            "    </setting>\n  </applicationSettings>\n  <appSettings>\n"
            f'    <add key="DbPassword" value="{k.s(20)}" />\n'
            "  </appSettings>\n</configuration>\n",
            {(5, "generic-secret"), (9, "generic-secret")},
        ),
        "positive/shapes/settings.xml": (
            f"<settings>\n  <server>\n    <password>{k.s(22)}</password>\n"
            "  </server>\n</settings>\n",
            {(3, "generic-secret")},
        ),
        "positive/shapes/abbreviated.json": (
            json.dumps({"user": "svc", "pass": k.s(16), "pwd": k.s(16), "client_srt": k.s(24)},
                       indent=2) + "\n",
            {(3, "generic-secret"), (4, "generic-secret"), (5, "generic-secret")},
        ),
        "positive/shapes/call.md": (
            f"# Login\n\nCall `client.login(token={k.s(24)})` once at start-up.\n",
            {(3, "generic-secret")},
        ),
        "positive/shapes/unsigned.yaml": (
            f"auth:\n  scheme: bearer\n  session: {k.jwt(alg='none', signed=False)}\n",
            {(3, "jwt")},
        ),
        "positive/shapes/slack.env": (
            f"SLACK_BOT_TOKEN={slack_bot}\nSLACK_HOOK={webhook}\n",
            {(1, "slack-token"), (2, "slack-webhook-url")},
        ),
    }


def extra_negatives(k: Keys) -> dict[str, str]:
    """Syntax-specific negatives: Kubernetes refs, env lookups in code, lock files, public keys,
    identifiers and public values named like secrets, keywords inside longer words."""
    public = "\n".join(["-----BEGIN PUBLIC KEY-----", k.b64(200), "-----END PUBLIC KEY-----"])
    return {
        "negative/js/firebase.js": (
            "const firebaseConfig = {\n"
            '  apiKey: "AI' + "za" + k.s(35, ALNUM + "-_") + '",\n'
            '  authDomain: "demo-app.firebaseapp.com",\n  projectId: "demo-app",\n'
            f'  messagingSenderId: "{k.s(12, string.digits)}",\n'
            "};\n"
        ),
        "negative/yaml/identifiers.yaml": (
            f"token_id: {k.s(24)}\nclientSecretId: {k.s(24)}\nSECRET_ID: {k.s(24)}\n"
            f"secret_name: {k.s(20)}\napi_key_url: {k.s(24)}\npassword_uuid: {k.s(24)}\n"
            f"cohere_api_key_name: {k.s(40)}\nmistral_key_id: {k.s(32)}\n"
        ),
        "negative/json/public.json": json.dumps(
            {
                "jsonwebtoken": k.s(20),
                "publicToken": k.s(32),
                "csrf_token": k.s(32),
                "csrfmiddlewaretoken": k.s(64),
                "api_key": "p" + "k_live_" + k.s(24),
                "nextPageToken": k.s(40),
                "eos_token": k.s(12),
                "bypass": k.s(16),
                "passenger": k.s(16),
            },
            indent=2,
        )
        + "\n",
        "negative/md/prose.md": (
            "# Notes\n\nThe secret 'is' that the token &mdash; not the password &mdash; "
            "expires.\nRun `curl -H \"x\"` then <password>see below</password>.\n"
        ),
        "negative/yaml/k8s.yaml": (
            "env:\n  - name: OPENAI_API_KEY\n    valueFrom:\n      secretKeyRef:\n"
            "        name: openai\n        key: api_key\n"
            '  - name: DB_PASSWORD\n    value: "{{ .Values.db.password }}"\n'
            'password: "{{ secrets.DB_PASSWORD }}"\n'
        ),
        "negative/py/env_lookup.py": (
            'import os\n\nAPI_KEY = os.environ["OPENAI_API_KEY"]\n'
            'token = os.getenv("GITHUB_TOKEN")\npassword = get_password(user)\n'
            "secret_key = settings.SECRET_KEY\nself_token = self._token\n"
            "tokens = tokenizer.encode(text)\n"
        ),
        "negative/pem/public.pem": public + "\n",
        "negative/lock/package-lock.json": json.dumps(
            {
                "packages": {
                    "node_modules/x": {
                        "integrity": "sha512-" + k.b64(64),
                        "resolved": "https://registry.npmjs.org/x",
                    }
                }
            }
        )
        + "\n",
    }
