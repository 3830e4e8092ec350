"""Rotation overlap in exports: a secret rotated with `lcm rotate secret` keeps its previous
value for the overlap window, and every export publishes it beside the current one
(`…_PREVIOUS` flattened, `<key>_previous` nested) until the window ends. Time is moved
with `LCM_NOW`, never by sleeping; the previous values come from real rotations."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from vault.conftest import unique
from vault.server import VaultServer

from .conftest import OTHER_SECRET, SECRET, seed

T0 = "2026-01-01T00:00:00Z"
INSIDE = "2026-01-07T23:59:59Z"  # the 7-day window (the init policy for *api_key) still open
AT_END = "2026-01-08T00:00:00Z"  # `until` itself: the window is over
AFTER = "2026-02-01T00:00:00Z"
NEW = "sk-test-FAKE-export-0003"
NEW_PASSWORD = "pw-test-FAKE-export-0004"
PREVIOUS_VAR = "INFERENCE_LLM_API_KEY_PREVIOUS"

DUMP_ENV = ("import json, os, sys; json.dump({k: v for k, v in os.environ.items()"
            " if k.startswith(('INFERENCE_', 'APP_'))}, open(sys.argv[1], 'w'))")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """`clock(stamp)` sets lcm's time, in process and in `lcm` subprocesses."""
    monkeypatch.setenv("LCM_NOW", T0)
    yield lambda stamp: monkeypatch.setenv("LCM_NOW", stamp)


@pytest.fixture
def rotated(clock: Any, seeded: Path, cli) -> Path:
    """`seeded` (acme/base/inference's api_key inherited by production) with that api_key
    rotated at T0: its old value is the previous one until T0 + 7d."""
    res = cli("rotate", "secret", "acme/base/inference", "llm.api_key", "--value-stdin",
              input=NEW)
    assert res.code == 0, res
    assert "2026-01-08T00:00:00Z" in res.stderr
    return seeded


def test_the_library_hook_follows_the_effective_config_and_the_window(
        rotated: Path, clock: Any, cli) -> None:
    from lcm.api import Repo

    def previous(address: str) -> dict[Any, Any]:
        repo = Repo.open(rotated)
        return repo.previous_values(repo.address(address))

    clock(INSIDE)
    # production inherits the secret from base, so its previous value too
    assert previous("acme/production/inference") == {("llm", "api_key"): SECRET}
    assert previous("acme/base/inference") == {("llm", "api_key"): SECRET}
    assert previous("acme/production/app") == {}
    clock(AT_END)
    assert previous("acme/production/inference") == {}
    assert previous("acme/base/inference") == {}
    # production overrides the secret: base's previous value is not production's
    clock(INSIDE)
    assert cli("set", "acme/production/inference", "llm.api_key", "sk-test-FAKE-prod",
               "--secret").code == 0
    assert previous("acme/production/inference") == {}
    assert previous("acme/staging/inference") == {("llm", "api_key"): SECRET}


def test_a_previous_value_kept_in_the_env_itself_is_published_there_only(
        seeded: Path, clock: Any, cli, run_lcm) -> None:
    seed(seeded, {"acme/production/app": {"db": {"password": OTHER_SECRET}}},
         secret={("acme/production/app", "db", "password")})
    res = cli("rotate", "secret", "acme/production/app", "db.password", "--value-stdin",
              "--overlap", "1h", input=NEW_PASSWORD)
    assert res.code == 0, res
    clock("2026-01-01T00:59:59Z")
    production = run_lcm("export", "acme/production", "--to", "dotenv:-").stdout.splitlines()
    assert f"APP_DB_PASSWORD='{NEW_PASSWORD}'" in production
    assert f"APP_DB_PASSWORD_PREVIOUS='{OTHER_SECRET}'" in production
    staging = run_lcm("export", "acme/staging", "--to", "dotenv:-").stdout
    assert "PREVIOUS" not in staging and f"APP_DB_PASSWORD='{OTHER_SECRET}'" in staging
    clock("2026-01-01T01:00:00Z")
    assert "PREVIOUS" not in run_lcm("export", "acme/production", "--to", "dotenv:-").stdout


def test_file_targets_and_exec_publish_it_inside_the_window_only(
        rotated: Path, clock: Any, run_lcm, tmp_path: Path) -> None:
    clock(INSIDE)
    dotenv = run_lcm("export", "acme/production", "--to", "dotenv:-").stdout.splitlines()
    assert f"{PREVIOUS_VAR}='{SECRET}'" in dotenv
    assert f"INFERENCE_LLM_API_KEY='{NEW}'" in dotenv
    secret = yaml.safe_load(run_lcm("export", "acme/production", "--to", "k8s-secret:-").stdout)
    assert base64.b64decode(secret["data"][PREVIOUS_VAR]).decode() == SECRET
    assert base64.b64decode(secret["data"]["INFERENCE_LLM_API_KEY"]).decode() == NEW
    nested = json.loads(run_lcm("export", "acme/production", "--to", "json:-").stdout)
    assert nested["inference"]["llm"]["api_key"] == NEW
    assert nested["inference"]["llm"]["api_key_previous"] == SECRET
    out = tmp_path / "env.json"
    res = run_lcm("exec", "acme/production", "--", sys.executable, "-c", DUMP_ENV, str(out))
    assert (res.code, res.stdout, res.stderr) == (0, "", "")
    env = json.loads(out.read_text())
    assert env[PREVIOUS_VAR] == SECRET and env["INFERENCE_LLM_API_KEY"] == NEW

    clock(AFTER)
    assert "PREVIOUS" not in run_lcm("export", "acme/production", "--to", "dotenv:-").stdout
    secret = yaml.safe_load(run_lcm("export", "acme/production", "--to", "k8s-secret:-").stdout)
    assert PREVIOUS_VAR not in secret["data"] and "INFERENCE_LLM_API_KEY" in secret["data"]
    nested = json.loads(run_lcm("export", "acme/production", "--to", "json:-").stdout)
    assert "api_key_previous" not in nested["inference"]["llm"]
    assert run_lcm("exec", "acme/production", "--", sys.executable, "-c", DUMP_ENV,
                   str(out)).code == 0
    assert PREVIOUS_VAR not in json.loads(out.read_text())


def test_audit_entries_name_the_previous_variables_never_their_values(
        rotated: Path, clock: Any, run_lcm, tmp_path: Path) -> None:
    clock(INSIDE)
    assert run_lcm("export", "acme/production", "--to", f"dotenv:{tmp_path / 'env'}").code == 0
    assert run_lcm("export", "acme/production", "--to", "json:-").code == 0
    assert run_lcm("exec", "acme/production", "--", "true").code == 0
    dry = run_lcm("export", "acme/production", "--to", "dotenv:-", "--dry-run").stdout
    assert f"+ {PREVIOUS_VAR}: ******** (secret fp:" in dry and SECRET not in dry
    log = (rotated / ".lcm/audit/log.jsonl").read_text()
    dotenv, as_json, exec_ = [e for e in map(json.loads, log.splitlines())
                              if e["op"] in ("export", "exec")]
    assert PREVIOUS_VAR in dotenv["keys"] and "INFERENCE_LLM_API_KEY" in dotenv["keys"]
    assert "inference:llm.api_key_previous" in as_json["keys"]
    assert exec_["op"] == "exec" and PREVIOUS_VAR in exec_["keys"]
    for value in (SECRET, NEW, OTHER_SECRET):
        assert value not in log
    assert run_lcm("audit", "verify").code == 0


@pytest.fixture
def kv(vault_server: VaultServer) -> Iterator[str]:
    mount = unique("kv")
    vault_server.admin("POST", f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "2"}})
    yield mount
    vault_server.admin("DELETE", f"sys/mounts/{mount}")


def test_vault_kv_gets_the_sibling_key_inside_the_window_and_loses_it_after(
        rotated: Path, clock: Any, run_lcm, vault_env: VaultServer, kv: str) -> None:
    target = f"vault://{kv}/llm/acme/production"

    def stored() -> dict[str, Any]:
        return vault_env.admin("GET", f"{kv}/data/llm/acme/production/inference")["data"]

    clock(INSIDE)
    assert run_lcm("export", "acme/production", "--to", target).code == 0
    first = stored()
    assert first["data"]["llm"]["api_key"] == NEW
    assert first["data"]["llm"]["api_key_previous"] == SECRET
    clock(AFTER)
    res = run_lcm("export", "acme/production", "--to", target, "--dry-run")
    assert res.code == 0 and "- llm.api_key_previous" in res.stdout and SECRET not in res.stdout
    assert run_lcm("export", "acme/production", "--to", target).code == 0
    second = stored()
    assert second["metadata"]["version"] == first["metadata"]["version"] + 1
    assert "api_key_previous" not in second["data"]["llm"]
    assert second["data"]["llm"]["api_key"] == NEW


def test_previous_values_that_have_no_name_to_be_published_under(
        seeded: Path, clock: Any, cli) -> None:
    seed(seeded, {"acme/base/app": {"db": {"password_previous": "x"}}})
    res = cli("rotate", "secret", "acme/base/app", "db.password", "--value-stdin",
              input=NEW_PASSWORD)
    assert res.code == 0, res
    res = cli("export", "acme/production", "--to", "json:-")
    assert res.code == 3 and "db.password_previous exists" in res.stderr
    assert res.stdout == ""
    seed(seeded, {"acme/base/tokens": {"tokens": ["tok-test-FAKE-1", "tok-test-FAKE-2"]}},
         secret={("acme/base/tokens", "tokens", "0")})
    res = cli("rotate", "secret", "acme/base/tokens", "tokens[0]", "--value-stdin",
              "--overlap", "1d", input="tok-test-FAKE-3")
    assert res.code == 0, res
    res = cli("export", "acme/production", "tokens", "--to", "dotenv:-")
    assert res.code == 3 and "the previous value of a list item" in res.stderr
