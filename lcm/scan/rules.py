"""Every detection rule, in one place: data only, compiled by `lcm.scan.engine`.

Patterns are bytes regexes (files are scanned as bytes, never decoded unless a
rule fires). `keywords` are the lowercase literals a match starts with: the
engine finds all of them in one pass and runs a rule's regex only where one of
its keywords occurs. The first capture group that took part in a match is the
secret; a rule with no group reports the whole match. "context" rules run on
the ASCII-lowercased bytes (their `(?i:...)` groups compile as plain groups), so
their character classes must treat upper and lower case alike.
Rule ids are a contract: they appear in output, baselines and `docs/scan.md`.
"""

from __future__ import annotations

from lcm.scan.model import Rule

# Between a key name and its value: optional closing quote, then `=`, `:`, `:=` or `=>`.
ASSIGN = r"""["'`]?\]?[ \t]*(?:=>|:=|[:=])[ \t]*(?:[bru]?["'`])?"""
# The end of a token: not followed by more token characters.
END = r"(?![A-Za-z0-9_\-])"
START = r"(?<![A-Za-z0-9_\-])"

RULES: tuple[Rule, ...] = (
    # --- LLM providers ---------------------------------------------------------
    Rule("openai-project-key", "OpenAI project API key",
         START + r"(sk-proj-[A-Za-z0-9_\-]{40,200})" + END, ("sk-proj-",), min_entropy=3.5),
    Rule("openai-service-account-key", "OpenAI service-account API key",
         START + r"(sk-(?:svcacct|None)-[A-Za-z0-9_\-]{40,200})" + END,
         ("sk-svcacct-", "sk-none-"), min_entropy=3.5),
    Rule("openai-admin-key", "OpenAI admin API key",
         START + r"(sk-admin-[A-Za-z0-9_\-]{40,200})" + END, ("sk-admin-",), min_entropy=3.5),
    Rule("openai-legacy-key", "OpenAI user API key (legacy format)",
         START + r"(sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|sk-[A-Za-z0-9]{48})" + END,
         ("sk-",), min_entropy=3.5),
    Rule("anthropic-api-key", "Anthropic API key",
         START + r"(sk-ant-api03-[A-Za-z0-9_\-]{80,120})" + END, ("sk-ant-api03-",),
         min_entropy=3.5),
    Rule("anthropic-admin-key", "Anthropic admin API key",
         START + r"(sk-ant-admin01-[A-Za-z0-9_\-]{80,120})" + END, ("sk-ant-admin01-",),
         min_entropy=3.5),
    Rule("google-api-key", "Google API key (Gemini / Google AI Studio / GCP)",
         START + r"(AIza[0-9A-Za-z_\-]{35})" + END, ("aiza",), min_entropy=3.5),
    Rule("aws-bedrock-api-key", "Amazon Bedrock API key (long-term or short-term)",
         START + r"(ABSK[A-Za-z0-9+/]{100,400}={0,2}|bedrock-api-key-[A-Za-z0-9+/]{60,2000}={0,2})"
         + r"(?![A-Za-z0-9+/=])",
         ("absk", "bedrock-api-key-"), min_entropy=3.5),
    Rule("huggingface-token", "Hugging Face user access token",
         START + r"(hf_[A-Za-z0-9]{34,40})" + END, ("hf_",), min_entropy=3.5),
    Rule("huggingface-org-token", "Hugging Face organization API token",
         START + r"(api_org_[A-Za-z0-9]{34,40})" + END, ("api_org_",), min_entropy=3.5),
    Rule("groq-api-key", "Groq API key",
         START + r"(gsk_[A-Za-z0-9]{48,56})" + END, ("gsk_",), min_entropy=3.5),
    Rule("perplexity-api-key", "Perplexity API key",
         START + r"(pplx-[A-Za-z0-9]{40,64})" + END, ("pplx-",), min_entropy=3.5),
    Rule("xai-api-key", "xAI (Grok) API key",
         START + r"(xai-[A-Za-z0-9]{70,90})" + END, ("xai-",), min_entropy=3.5),
    Rule("openrouter-api-key", "OpenRouter API key",
         START + r"(sk-or-v1-[a-f0-9]{64})" + END, ("sk-or-v1-",), min_entropy=3.0),
    Rule("replicate-api-token", "Replicate API token",
         START + r"(r8_[A-Za-z0-9]{37,40})" + END, ("r8_",), min_entropy=3.5),
    Rule("deepseek-api-key", "DeepSeek API key (sk- and 32 hex, near a DeepSeek mention)",
         START + r"(sk-[a-f0-9]{32})" + END, ("sk-",), min_entropy=3.0,
         near=r"(?i)deepseek"),
    # --- code hosting, chat, payments -----------------------------------------
    Rule("github-token", "GitHub personal/OAuth/app token (classic)",
         START + r"(gh[pousr]_[A-Za-z0-9]{36,255})" + END,
         ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), min_entropy=3.5),
    Rule("github-fine-grained-token", "GitHub fine-grained personal access token",
         START + r"(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + END, ("github_pat_",),
         min_entropy=3.5),
    Rule("gitlab-token", "GitLab personal/deploy/runner token",
         START + r"(gl(?:pat|dt|rt|ptt|cbt|oas|soat|ffct|imt|agent)-[A-Za-z0-9_\-]{20,80})" + END,
         ("glpat-", "gldt-", "glrt-", "glptt-", "glcbt-", "gloas-", "glsoat-", "glffct-",
          "glimt-", "glagent-"), min_entropy=3.0),
    Rule("slack-token", "Slack bot/user/app token",
         START + r"(xox[abposr]-[0-9A-Za-z]{8,}-[0-9A-Za-z\-]{8,})" + END,
         ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"), min_entropy=3.0),
    Rule("slack-webhook-url", "Slack incoming webhook URL",
         r"(https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{6,}/[A-Z0-9]{6,}/[A-Za-z0-9]{16,})",
         ("https://hooks.slack.com/",), min_entropy=3.0),
    Rule("stripe-secret-key", "Stripe secret or restricted key",
         START + r"((?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{20,250})" + END,
         ("sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_"), min_entropy=3.5),
    Rule("aws-access-key-id", "AWS access key id",
         START + r"((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})" + r"(?![A-Za-z0-9])",
         ("akia", "asia", "abia", "acca", "a3t"), min_entropy=3.0),
    # --- formats --------------------------------------------------------------
    Rule("jwt", "JSON Web Token",
         START + r"(eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{16,})" + END,
         ("eyj",), min_entropy=3.5),
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
    # --- keyword-anchored (context) -------------------------------------------
    Rule("aws-secret-access-key", "AWS secret access key (next to an aws...secret key name)",
         r"(?i:aws)[\w.\-]{0,40}(?i:secret)[\w.\-]{0,40}" + ASSIGN
         + r"([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
         ("aws",), kind="context", min_entropy=3.5),
    Rule("azure-openai-api-key",
         "Azure OpenAI key (next to an *.openai.azure.com host or AZURE_OPENAI_API_KEY)",
         r"(?i:azure[\w.\-]{0,30}key|api[_.\-]?key|subscription[_.\-]?key|ocp-apim-subscription-key)"
         + ASSIGN + r"([a-fA-F0-9]{32}|[A-Za-z0-9]{84})" + END,
         ("azure", "api_key", "api-key", "api.key", "apikey", "subscription", "ocp-apim"),
         kind="context",
         min_entropy=3.0, near=r"(?i)openai\.azure\.com|azure[_\-]?openai", near_lines=15),
    Rule("mistral-api-key", "Mistral AI API key (keyword-anchored)",
         r"(?i:mistral)[\w.\-]{0,30}(?i:key|token)[\w.\-]{0,10}" + ASSIGN
         + r"([A-Za-z0-9]{32})" + END,
         ("mistral",), kind="context", min_entropy=3.5),
    Rule("cohere-api-key", "Cohere API key (keyword-anchored)",
         r"(?i:cohere[\w.\-]{0,30}(?:key|token)|co[_\-]api[_\-]key)[\w.\-]{0,10}" + ASSIGN
         + r"([A-Za-z0-9]{40})" + END,
         ("cohere", "co_api_key", "co-api-key"), kind="context", min_entropy=3.5),
    Rule("generic-secret",
         "Secret-like assignment (password/secret/token/api_key = value) above an entropy floor",
         r"(?i:passw(?:or)?d|passwd|passphrase|pwd|secret|token|api[_.\-]?key|apikey"
         r"|access[_.\-]?key|auth[_.\-]?key|private[_.\-]?key|credentials?)[\w.\-]{0,40}" + ASSIGN
         + r"([^\s\"'`,;]{8,256})",
         ("passw", "passphrase", "pwd", "secret", "token", "api_key", "api-key", "api.key",
          "apikey", "access_key", "access-key", "access.key", "accesskey", "auth_key", "auth-key",
          "auth.key", "authkey", "private_key", "private-key", "private.key", "privatekey",
          "credential"), kind="context",
         min_entropy=3.0, check="generic"),
)

# Rules the engine produces itself (not regexes); listed so ids are documented in one place.
LCM_RULES: dict[str, str] = {
    "lcm-plaintext-secret": "Plaintext value at a key the lcm manifest or schema marks secret",
    "lcm-mac-invalid": "lcm config file whose MAC does not verify with the tenant's key",
}
