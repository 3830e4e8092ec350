"""Fixtures for the export and exec tests: a seeded config repo, and the Vault tests' real
OpenBao server (imported from tests/vault, so both folders use one implementation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

# The Vault fixtures: a real OpenBao dev server, no VAULT_*/BAO_* from the shell.
from vault.conftest import (  # noqa: F401
    _no_vault_env,
    audited,
    namespace,
    own_bao,
    transit_mount,
    vault_env,
    vault_server,
)

SECRET = "sk-test-FAKE-export-0001"
OTHER_SECRET = "sk-test-FAKE-export-0002"

# Effective config of acme/production once `seeded` ran (base overlaid by production).
INFERENCE = {"llm": {"provider": "openai", "model": "gpt-4o", "api_key": SECRET,
                     "temperature": 0.1, "max_tokens": 512, "stream": False,
                     "stop": ["###", "END"]}}
APP = {"feature": {"beta": True, "name": "lcm-demo"}, "empty": None, "db": {"password": OTHER_SECRET}}


def seed(root: Path, files: dict[str, dict[str, Any]], secret: set[tuple[str, ...]] = frozenset()
         ) -> None:
    """Write config files through the library (one commit): {address: tree}."""
    from lcm.api import Repo
    from lcm.format.paths import iter_leaves

    repo = Repo.open(root)
    changes = repo.changes("seed", op="set", check_each=False)
    for address, tree in files.items():
        addr = repo.address(address)
        for path, value in iter_leaves(tree):
            changes.set(addr, path, value, secret=(address, *map(str, path)) in secret)
    changes.commit()


@pytest.fixture
def seeded(repo: Path) -> Path:
    """`repo` with acme/base/inference, acme/production/inference and acme/base/app."""
    base = {"llm": {"provider": "openai", "model": "gpt-4o", "api_key": SECRET,
                    "temperature": 0.2, "max_tokens": 512, "stream": False,
                    "stop": ["###", "END"]}}
    seed(repo, {"acme/base/inference": base,
                "acme/production/inference": {"llm": {"temperature": 0.1}},
                "acme/base/app": APP})
    return repo


@pytest.fixture
def run_lcm(lcm_exe: Callable[..., Any], repo: Path) -> Callable[..., Any]:
    """The installed `lcm` in the repo's folder."""

    def _run(*args: str, **kw: Any) -> Any:
        kw.setdefault("cwd", repo)
        return lcm_exe(*args, **kw)

    return _run
