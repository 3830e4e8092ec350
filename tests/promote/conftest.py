"""Fixture `layered`: a repo whose tenant `acme` has config in every env of the default
chain (base -> development | staging -> production), with secrets, lists, `!delete`
markers and a namespaced file, built through the library (one commit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lcm.format.values import DELETE

FILES: dict[tuple[str, str], dict[str, Any]] = {
    ("base", "app"): {
        "llm": {"provider": "openai", "model": "gpt-4o-mini", "api_key": "sk-base",
                "fallbacks": ["a", "b"]},
        "limits": {"rpm": 100, "tpm": 1000},
        "features": {"beta": False, "legacy": True},
    },
    ("development", "app"): {
        "llm": {"model": "o3", "api_key": "sk-dev", "temperature": 0.9},
        "limits": {"tpm": DELETE},
        "features": {"beta": True},
        "dev_only": {"mock": True},
    },
    ("staging", "app"): {
        "llm": {"model": "gpt-4o", "api_key": "sk-staging", "fallbacks": ["a", "b", "c"]},
        "limits": {"rpm": 200},
        "features": {"legacy": DELETE},
        "staging_only": {"debug": True},
    },
    ("production", "app"): {
        "llm": {"model": "gpt-4"},
        "limits": {"rpm": 500},
        "prod_only": {"pager": "oncall"},
    },
    ("base", "router/models"): {"routes": [{"name": "default", "weight": 100}]},
    ("staging", "router/models"): {
        "routes": [{"name": "default", "weight": 90}, {"name": "canary", "weight": 10}],
        "tokens": {"admin_token": "tok-staging"},
    },
}


@pytest.fixture
def layered(repo: Path) -> Path:
    """The `repo` fixture (cwd at its root) filled with FILES, committed."""
    from lcm.ops.changeset import ChangeSet
    from lcm.repository.address import Address
    from lcm.repository.repo import Repo

    changes = ChangeSet(Repo.open(repo), "test")
    for (env, name), tree in FILES.items():
        changes.replace(Address("acme", env, name), tree)
    changes.commit("layered fixture")
    return repo


def effective(root: Path, env: str, name: str) -> dict[str, Any]:
    """The decrypted effective config, read by a fresh Repo (as another process would)."""
    from lcm.repository.repo import Repo

    return Repo.open(root).resolve("acme", env, name).to_dict(reveal=True)


def own(root: Path, env: str, name: str) -> dict[str, Any] | None:
    """The decrypted tree of the env's own file (DELETE markers kept), None when absent."""
    from lcm.repository.address import Address
    from lcm.repository.repo import Repo

    repo = Repo.open(root)
    addr = Address("acme", env, name)
    return repo.decrypt(addr) if repo.read_document(addr) is not None else None
