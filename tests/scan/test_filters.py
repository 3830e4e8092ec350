"""Filters and suppressions, one behaviour per test, through the real engine."""

from __future__ import annotations

import random
import string

import pytest

from lcm.scan import checks, filters
from lcm.scan.engine import Scanner
from lcm.scan.model import Blob

_RNG = random.Random(3)
PW = "Zk81-" + "qPw0!xLm"
GH = "gh" + "p_" + "".join(_RNG.choice(string.ascii_letters + string.digits) for _ in range(36))


def rules_found(text: str, name: str = "f.yaml") -> list[tuple[int, str]]:
    return [(f.line, f.rule_id) for f in Scanner().scan(Blob(name, text.encode()))]


@pytest.mark.parametrize(
    "marker", ["# lcm:allow", "# pragma: allowlist secret", "# gitleaks:allow"]
)
def test_inline_suppression_comments(marker: str) -> None:
    assert rules_found(f"token: {GH}\n") == [(1, "github-token")]
    assert rules_found(f"token: {GH}  {marker}\n") == []


def test_next_line_suppression() -> None:
    text = f"# pragma: allowlist nextline secret\ntoken: {GH}\ntoken2: {GH}\n"
    assert rules_found(text) == [(3, "github-token")]


@pytest.mark.parametrize(
    "value",
    [
        "YOUR_API_KEY",
        "sk-...",
        "<token>",
        "changeme",
        "xxxxxxxxxxxxxxxx",
        "${OPENAI_API_KEY}",
        "your-token-here",
        "REPLACE_ME",
        "****************",
        "AKIAIOSFODNN7EXAMPLE",
    ],
)
def test_placeholders(value: str) -> None:
    assert filters.is_placeholder(value)


@pytest.mark.parametrize("value", [GH, "Xk29fLq0Zp3aB", "s3cr3t-P@ss-w0rd!"])
def test_random_values_are_not_placeholders(value: str) -> None:
    assert not filters.is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "settings.SECRET_KEY",
        "self._token",
        "get_password",
        "IAmSensitive",
        "prod-openai-api-key",
        "HTTPClient",
    ],
)
def test_identifiers_look_like_words(value: str) -> None:
    assert checks.looks_like_words(value)


@pytest.mark.parametrize("value", ["a8Fk29dkLq0Zp3", "hoxMwexjUoeW0pDHkX", "9f8e7d6c5b4a39281706"])
def test_random_strings_do_not_look_like_words(value: str) -> None:
    assert not checks.looks_like_words(value)


def test_enc_values_are_never_findings() -> None:
    enc = (
        "ENC[AES256_GCM,k:2,iv:AIza"
        + "Sy0123456789abcdefghijklmnopqrstu,data:"
        + GH
        + ",tag:x==,type:str]"
    )
    assert rules_found(f"api_key: {enc}\n") == []


def test_data_uri_content_is_masked() -> None:
    assert rules_found(f"icon: data:image/png;base64,AAAA{GH}AAAA==\n") == []


def test_generic_rule_needs_entropy_and_a_literal() -> None:
    assert rules_found("password: hunter2hunter2\n") == []  # too little entropy
    assert rules_found(f"password: {PW}\n") == [(1, "generic-secret")]
    assert rules_found("password = Zk81qPw0xLm\n", "app.py") == []  # unquoted in code: a name
    assert rules_found(f'password = "{PW}"\n', "app.py") == [(1, "generic-secret")]


def test_generic_rule_skips_metadata_keys() -> None:
    assert rules_found(f"token_url: {PW}\npassword_file: {PW}\n") == []


def test_token_rule_wins_over_generic_on_the_same_value() -> None:
    assert rules_found(f"api_token: {GH}\n") == [(1, "github-token")]


def test_azure_key_needs_an_azure_host_nearby() -> None:
    key = "".join(_RNG.choice("0123456789abcdef") for _ in range(32))
    assert rules_found(f"api_key: {key}\n") == [(1, "generic-secret")]
    near = f"endpoint: https://x.openai.azure.com/\napi_key: {key}\n"
    assert rules_found(near) == [(2, "azure-openai-api-key")]


def test_columns_count_characters_not_bytes() -> None:
    found = Scanner().scan(Blob("f.yaml", f"naïve: {GH}\n".encode()))
    assert [(f.line, f.column) for f in found] == [(1, 8)]


def test_entropy() -> None:
    assert filters.shannon_entropy("aaaa") == 0.0
    assert filters.shannon_entropy("abcd") == 2.0
