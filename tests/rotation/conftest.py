"""Fixtures for the rotation tests: a tenant with several envs, nested maps, lists and
previous values, and helpers that read stored files without going through lcm."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import lcm
from lcm.format.paths import iter_leaves

T0 = "2026-01-01T00:00:00Z"  # the injected "now" every test starts at


class Clock:
    """Moves lcm's clock for this test (in process and in `lcm` subprocesses) through
    `LCM_NOW`: rotation windows are tested by moving time, never by sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.set(T0)

    def set(self, stamp: str) -> None:
        self.now = stamp
        self.monkeypatch.setenv("LCM_NOW", stamp)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)

# acme: three envs, nested maps, a list of maps with secrets, a list of secret strings.
FILES: dict[str, dict[str, Any]] = {
    "acme/base/inference": {
        "llm": {"provider": "openai", "model": "gpt-4o", "temperature": 0.2,
                "api_key": "sk-test-FAKE-base-0001",
                "fallbacks": [{"provider": "anthropic", "api_key": "sk-ant-test-FAKE-0002"},
                              {"provider": "mistral", "api_key": "mi-test-FAKE-0003"}]},
    },
    "acme/staging/inference": {"llm": {"api_key": "sk-test-FAKE-staging-0004", "retries": 3}},
    "acme/production/db": {
        "db": {"host": "db.internal", "port": 5432, "password": "pw-test-FAKE-0005",
               "replicas": {"eu": {"password": "pw-test-FAKE-0006"}}},
        "tokens": ["tok-test-FAKE-0007", "tok-test-FAKE-0008"],
    },
}
SECRETS = {
    "acme/base/inference": {("llm", "api_key"), ("llm", "fallbacks", 0, "api_key"),
                            ("llm", "fallbacks", 1, "api_key")},
    "acme/production/db": {("tokens", 0), ("tokens", 1)},
}


def stored_versions(text: str) -> list[int]:
    """The data-key version (`k:`) of every `ENC[...]` in a stored file's text."""
    return [int(v) for v in re.findall(r"ENC\[AES256_GCM,k:(\d+),", text)]


def mac_version(text: str) -> int:
    found = re.search(r"HMAC_SHA256,k:(\d+),", text)
    assert found, text
    return int(found.group(1))


def plaintext(root: Path, tenant: str = "acme") -> dict[str, Any]:
    """Every file of the tenant decrypted (MAC verified), by address, in a fresh Repo."""
    from lcm.keys import cache

    cache.forget()
    repo = lcm.Repo.open(root)
    return {str(a): repo.decrypt(a) for a in repo.files(tenant)}


def write_fixture_files(root: Path) -> None:
    """FILES written through one change-set (with the extra secrets marked), one commit."""
    repo = lcm.Repo.open(root)
    changes = repo.changes(op="fixture", check_each=False)
    for text, plain in FILES.items():
        changes.replace(repo.address(text), plain, extra_secret=SECRETS.get(text, ()))
    changes.commit("fixture files")


@pytest.fixture
def tenant_repo(repo: Path, cli) -> Path:
    """`repo` plus a second tenant `beta`, the FILES of acme, a beta file, and two
    rotated secrets with previous values (policy overlaps: api_key 7d, password 24h);
    all of it written at T0 (the autouse `clock` is set before any other fixture)."""
    assert cli("tenant", "add", "beta", "--backend", "file").code == 0
    write_fixture_files(repo)
    assert cli("set", "beta/base/app", "api_key", "sk-test-FAKE-beta-0009").code == 0
    r = lcm.Repo.open(repo)
    r.rotate_secret(r.address("acme/base/inference"), ("llm", "api_key"), "sk-test-FAKE-base-0010")
    r.rotate_secret(r.address("acme/production/db"), ("db", "password"), "pw-test-FAKE-0011")
    return repo


def leaves(tree: Any) -> dict[Any, Any]:
    return dict(iter_leaves(tree))
