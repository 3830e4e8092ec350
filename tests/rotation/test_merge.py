"""A secret rotated on one branch keeps its previous value and rotation time through
`git merge` (the `merge=lcm` driver seals the merged file with both sides' metadata)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ADDR = "acme/staging/inference"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env=env, check=True)


def test_rotation_on_a_branch_survives_the_merge(tenant_repo: Path, cli, clock) -> None:
    _git(tenant_repo, "checkout", "-qb", "feature")
    clock.set("2026-01-03T00:00:00Z")
    assert cli("rotate", "secret", ADDR, "llm.api_key", "--value-stdin",
               input="sk-test-FAKE-staging-0020").code == 0
    _git(tenant_repo, "checkout", "-q", "main")
    clock.set("2026-01-04T00:00:00Z")
    assert cli("set", ADDR, "llm.retries", "5").code == 0
    _git(tenant_repo, "merge", "-q", "--no-edit", "feature")

    assert cli("get", ADDR, "llm.retries").stdout == "5\n"
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == "sk-test-FAKE-staging-0020\n"
    previous = cli("get", ADDR, "llm.api_key", "--previous", "--reveal")
    assert previous.stdout == "sk-test-FAKE-staging-0004\n", previous
    meta = yaml.safe_load((tenant_repo / f"config/{ADDR}.yaml").read_text())["lcm"]
    assert meta["rotated"] == [{"key": "llm.api_key", "at": "2026-01-03T00:00:00Z"}]
    assert meta["previous"][0]["until"] == "2026-01-10T00:00:00Z"
