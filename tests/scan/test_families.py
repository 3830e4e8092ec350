"""Issue 15's families, one case each: credentials the scanner used to miss, non-secrets it used
to flag. Every case here failed before the rule or filter that fixed it (keys are generated)."""

from __future__ import annotations

import base64
import string

import pytest

from lcm.scan.engine import Scanner
from lcm.scan.model import Blob

from .corpus import ALNUM, HEX, Keys

K = Keys(61)
SCANNER = Scanner()


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


NONE_HEADER = _b64url(b'{"alg":"none"}')


def found(text: str, name: str = "f.yaml") -> list[tuple[int, str]]:
    return [(f.line, f.rule_id) for f in SCANNER.scan(Blob(name, text.encode()))]


# --- missed credentials ---------------------------------------------------------------------

MISSED = [
    ("langsmith", f"LANGSMITH_API_KEY=lsv2{'_sk_'}{K.s(32, HEX)}_{K.s(10, HEX)}\n",
     "langsmith-api-key"),
    ("langfuse", f"langfuse_sk: {'sk-'}lf-{K.uuid()}\n", "langfuse-secret-key"),
    ("wandb", f"WANDB_API_KEY={K.s(40, HEX)}\n", "wandb-api-key"),
    ("pinecone", f"pc = Pinecone(api_key='{'pc'}sk_{K.s(6)}_{K.s(60)}')\n", "pinecone-api-key"),
    ("qdrant", f"QDRANT__SERVICE__API_KEY={K.s(36)}\n", "qdrant-api-key"),
    ("weaviate", f"weaviate_api_key: {K.s(40)}\n", "weaviate-api-key"),
    ("assemblyai", f'aai.settings.api_key = "{K.s(32, HEX)}"\n', "assemblyai-api-key"),
    ("deepgram", f"DEEPGRAM_API_KEY={K.s(40, HEX)}\n", "deepgram-api-key"),
    ("elevenlabs", f'"xi-api-key": "{"s"}k_{K.s(48, HEX)}"\n', "elevenlabs-api-key"),
    ("nvidia", f"NGC_KEY={'nv'}api-{K.s(64, ALNUM + '-_')}\n", "nvidia-api-key"),
    ("ngc", f"NGC_API_KEY={K.b64(63)}\n", "ngc-api-key"),
    ("together", f"TOGETHER_API_KEY={K.s(64, HEX)}\n", "together-api-key"),
    ("fireworks", f"FIREWORKS_API_KEY={'f'}w_{K.s(24)}\n", "fireworks-api-key"),
    ("cerebras", f"CEREBRAS_API_KEY={'cs'}k-{K.s(48, string.ascii_lowercase)}\n",
     "cerebras-api-key"),
    ("voyage", f"VOYAGE_API_KEY={'p'}a-{K.s(43)}\n", "voyage-api-key"),
    ("tavily", f"client = TavilyClient('{'tv'}ly-dev-{K.s(32)}')\n", "tavily-api-key"),
    ("firecrawl", f"Authorization: Bearer {'f'}c-{K.s(32, HEX)}\n", "firecrawl-api-key"),
    ("serpapi", f"url: https://serpapi.com/search.json?q=x&api_key={K.s(64, HEX)}\n",
     "serpapi-api-key"),
    ("azure-ad", f"AZURE_CLIENT_SECRET={K.s(3)}8{'Q~'}{K.s(34, ALNUM + '_~.-')}\n",
     "azure-ad-client-secret"),
    ("azure-storage",
     f"conn: DefaultEndpointsProtocol=https;AccountName=acme;{'Account'}Key={K.b64(64)};"
     "EndpointSuffix=core.windows.net\n", "azure-storage-account-key"),
    ("azure-sas",
     f"SAS=sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2030-01-01&{'s'}ig={K.b64(32).replace('/', '%2F')}\n",
     "azure-sas-token"),
    ("slack-xoxe", f"SLACK_REFRESH={'xo'}xe-1-{K.s(140)}\n", "slack-refresh-token"),
    ("slack-config", f"SLACK_CONFIG={'xo'}xe.xoxb-1-{K.s(140)}\n", "slack-config-token"),
    ("slack-xapp", f"SLACK_APP={'xa'}pp-1-A{K.s(10, string.ascii_uppercase)}-"
     f"{K.s(13, string.digits)}-{K.s(64, HEX)}\n", "slack-app-token"),
    ("slack-http-webhook", f"hook: http://hooks.slack.com/services/T{K.s(9, string.ascii_uppercase)}"
     f"/B{K.s(9, string.ascii_uppercase)}/{K.s(24)}\n", "slack-webhook-url"),
    ("gitlab-feed", f"feed: {'gl'}ft-{K.s(20)}\n", "gitlab-token"),
    ("gitlab-runner-registration", f"token: {'GR'}1348941{K.s(20)}\n",
     "gitlab-runner-registration-token"),
    ("gitlab-session", f"Cookie: {'_gitlab_'}session={K.s(32, HEX)}\n", "gitlab-session-cookie"),
    ("github-legacy", f"GITHUB_TOKEN={K.s(40, HEX)}\n", "github-legacy-token"),
    ("appsync", f"x-api-key: {'da'}2-{K.s(26, string.ascii_lowercase + string.digits)}\n",
     "aws-appsync-api-key"),
    ("jwt-alg-none", f"session: {K.jwt(alg='none', signed=False)}\n", "jwt"),
    ("jwt-alg-none-empty-payload", f"session: {NONE_HEADER}.e30.\n", "jwt"),
    ("slack-with-a-run", f"SLACK_BOT_TOKEN={'xo'}xb-{'1' * 10}-{K.s(13, string.digits)}-{K.s(24)}\n",
     "slack-token"),
]


@pytest.mark.parametrize(("text", "rule"), [c[1:] for c in MISSED], ids=[c[0] for c in MISSED])
def test_credentials_that_were_missed(text: str, rule: str) -> None:
    assert found(text) == [(1, rule)]


SHAPES = [
    ("powershell-flag", f"Connect-Thing -TenantId $t -ClientSecret '{K.s(30)}'\n", "x.ps1", 1),
    ("xml-setting-value",
     f'<setting name="ClientSecret" serializeAs="String">\n  <value>{K.s(28)}</value>\n</setting>\n',
     "app.config", 2),
    ("xml-element", f"<server>\n  <password>{K.s(22)}</password>\n</server>\n", "settings.xml", 2),
    ("xml-add-key", f'<add key="DbPassword" value="{K.s(20)}" />\n', "web.config", 1),
    ("json-pass", f'{{"user": "svc", "pass": "{K.s(16)}"}}\n', "c.json", 1),
    ("json-client-srt", f'{{"client_srt": "{K.s(24)}"}}\n', "c.json", 1),
    ("value-then-paren", f"Call `login(token={K.s(24)})` first.\n", "README.md", 1),
]


@pytest.mark.parametrize(("text", "name", "line"), [c[1:] for c in SHAPES], ids=[c[0] for c in SHAPES])
def test_generic_assignments_in_other_shapes(text: str, name: str, line: int) -> None:
    assert found(text, name) == [(line, "generic-secret")]


# --- flagged non-secrets ----------------------------------------------------------------------

NOT_SECRETS = [
    ("key-ending-id", f"token_id: {K.s(24)}\n"),
    ("key-ending-Id", f'"clientSecretId": "{K.s(24)}"\n'),
    ("key-ending-ID", f"SECRET_ID={K.s(24)}\n"),
    ("provider-key-name", f"cohere_api_key_name: {K.s(40)}\n"),
    ("provider-key-id", f"mistral_key_id: {K.s(32)}\n"),
    ("aws-key-url", f"aws_secret_key_url: {K.s(40)}\n"),
    ("keyword-inside-a-word", f'"jsonwebtoken": "{K.s(20)}"\n'),
    ("public-token", f'publicToken: "{K.s(32)}"\n'),
    ("publishable-value", f"api_key: {'p'}k_live_{K.s(24)}\n"),
    ("csrf-token", f"csrf_token: {K.s(32)}\n"),
    ("pagination-token", f'"nextPageToken": "{K.s(40)}"\n'),
    ("firebase-web-config",
     f'const firebaseConfig = {{\n  apiKey: "AI{"za"}{K.s(35)}",\n'
     '  authDomain: "demo.firebaseapp.com",\n};\n'),
    ("prefix-then-xxxx", f"token: {'gh'}p_xxxx{K.s(32)}\n"),
    ("prefix-then-0000", f"OPENAI_API_KEY={'s'}k-proj-0000{K.s(60)}\n"),
    ("prefix-then-hashes-after-the-match", f"GITLAB_TOKEN={'gl'}pat-{K.s(20)}####\n"),
    ("prefix-then-ellipsis-after-the-match", f"STRIPE={'sk'}_live_{K.s(24)}…\n"),
    ("prefix-then-escaped-ellipsis", f'{{"api_key": "{"gs"}k_{K.s(8)}\\u2026"}}\n'),
    ("prefix-then-xxxx-at-the-end", f"STRIPE={'sk'}_live_{K.s(20)}xxxx\n"),
]


@pytest.mark.parametrize("text", [c[1] for c in NOT_SECRETS], ids=[c[0] for c in NOT_SECRETS])
def test_values_that_were_flagged(text: str) -> None:
    assert found(text, "config.js" if "firebase" in text else "f.yaml") == []


# Near misses of the new rules themselves (nothing reported them before either).
NEAR_MISSES = [
    ("azurite-connection-string",
     f"conn: DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;{'Account'}Key="
     f"{K.b64(64)};\n"),
    ("signed-jwt-cut-short", f"session: {K.jwt(signed=False)}\n"),
    ("sas-signature-without-version", f"url: https://cdn.example/a?exp=1&{'s'}ig={K.b64(32)}\n"),
    ("langfuse-public-key", f"LANGFUSE_PUBLIC_KEY={'p'}k-lf-{K.uuid()}\n"),
    ("azure-ad-secret-too-short", f"x: abc8{'Q~'}{K.s(20)}\n"),
    ("deepgram-key-id", f"DEEPGRAM_KEY_ID={K.s(40, HEX)}\n"),
    ("github-commit-sha", f"GITHUB_SHA={K.s(40, HEX)}\n"),
]


@pytest.mark.parametrize("text", [c[1] for c in NEAR_MISSES], ids=[c[0] for c in NEAR_MISSES])
def test_near_misses_of_the_new_rules(text: str) -> None:
    assert found(text) == []
