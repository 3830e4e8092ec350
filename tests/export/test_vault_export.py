"""`lcm export --to vault://MOUNT/PATH` against a real OpenBao server: KV v2, check-and-set,
metadata, no-change, dry run, prune, conflicts, partial failures, and the backend's
connection rules (allow-list, namespace, TLS, policies)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from vault.conftest import point_env_at, unique
from vault.server import AdminError, VaultServer

from .conftest import APP, INFERENCE, OTHER_SECRET, SECRET, seed

BASE = "llm/acme/production"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "export.md"


@pytest.fixture
def kv(vault_server: VaultServer) -> Iterator[str]:
    """A fresh KV v2 mount."""
    mount = unique("kv")
    vault_server.admin("POST", f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "2"}})
    yield mount
    vault_server.admin("DELETE", f"sys/mounts/{mount}")


def read(server: VaultServer, mount: str, name: str) -> dict[str, Any]:
    return server.admin("GET", f"{mount}/data/{BASE}/{name}")["data"]


def meta(server: VaultServer, mount: str, name: str) -> dict[str, Any]:
    return server.admin("GET", f"{mount}/metadata/{BASE}/{name}")["data"]


def writes(server: VaultServer, mount: str) -> list[dict[str, Any]]:
    """Audited requests that write or delete under the mount's data and metadata paths."""
    out = []
    for entry in server.audited_requests():
        request = entry["request"]
        if request.get("path", "").startswith(f"{mount}/") and \
                request.get("operation") in ("create", "update", "delete"):
            out.append(request)
    return out


def _head(root: Path) -> str:
    import pygit2

    return str(pygit2.Repository(str(root)).head.target)


def _repo_id(root: Path) -> str:
    import yaml

    return str(yaml.safe_load((root / ".lcm.yaml").read_text())["repo_id"])


def test_first_export_creates_version_1_with_metadata(seeded: Path, vault_env: VaultServer,
                                                      kv: str, cli) -> None:
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 0, res
    assert res.stdout == ""
    assert res.stderr.splitlines() == [f"vault://{kv}/{BASE}/app: written (version 1)",
                                       f"vault://{kv}/{BASE}/inference: written (version 1)"]
    inference = read(vault_env, kv, "inference")
    assert inference["data"] == INFERENCE and inference["metadata"]["version"] == 1
    assert read(vault_env, kv, "app")["data"] == APP
    assert meta(vault_env, kv, "inference")["custom_metadata"] == {
        "lcm_repo_id": _repo_id(seeded), "lcm_tenant": "acme", "lcm_env": "production",
        "lcm_file": "inference", "lcm_commit": _head(seeded), "lcm_tree_clean": "true",
        "lcm_version": "1"}
    assert SECRET not in res.stderr


def test_unchanged_re_export_creates_no_version(seeded: Path, vault_env: VaultServer, kv: str,
                                                audited: VaultServer, cli) -> None:
    assert cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}").code == 0
    before = len(writes(audited, kv))
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 0, res
    assert res.stderr.splitlines() == [f"vault://{kv}/{BASE}/app: unchanged (version 1)",
                                       f"vault://{kv}/{BASE}/inference: unchanged (version 1)"]
    assert len(writes(audited, kv)) == before
    assert meta(vault_env, kv, "inference")["current_version"] == 1


def test_a_change_writes_version_2_with_cas_1(seeded: Path, vault_env: VaultServer, kv: str,
                                              audited: VaultServer, cli) -> None:
    assert cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}").code == 0
    seed(seeded, {"acme/production/inference": {"llm": {"api_key": "sk-test-FAKE-new"}}})
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 0, res
    assert f"vault://{kv}/{BASE}/inference: written (version 2)" in res.stderr
    assert read(vault_env, kv, "inference")["data"]["llm"]["api_key"] == "sk-test-FAKE-new"
    assert read(vault_env, kv, "app")["metadata"]["version"] == 1  # untouched
    data_writes = [w for w in writes(audited, kv) if w["path"] == f"{kv}/data/{BASE}/inference"]
    assert [w["data"]["options"]["cas"] for w in data_writes] == [0, 1]
    assert meta(vault_env, kv, "inference")["custom_metadata"]["lcm_commit"] == _head(seeded)


def test_dry_run_prints_a_masked_diff_and_writes_nothing(seeded: Path, vault_env: VaultServer,
                                                         kv: str, audited: VaultServer,
                                                         cli) -> None:
    first = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--dry-run")
    assert first.code == 0, first
    assert "  inference: create" in first.stdout.splitlines()
    assert SECRET not in first.stdout and OTHER_SECRET not in first.stdout
    assert writes(audited, kv) == []
    assert cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}").code == 0
    seed(seeded, {"acme/production/inference": {"llm": {"api_key": "sk-test-FAKE-new",
                                                        "model": "gpt-4.1", "top_p": 0.9}}})
    before = len(writes(audited, kv))
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--dry-run")
    assert res.code == 0, res
    lines = res.stdout.splitlines()
    assert lines[0] == f"acme/production ({_head(seeded)[:12]}) -> vault://{kv}/{BASE}"
    assert lines[1:3] == ["  app: unchanged (version 1)", "  inference: update (version 1 -> 2)"]
    assert re.fullmatch(r"    ~ llm\.api_key: secret changed \(fp:[0-9a-f]{8} -> fp:[0-9a-f]{8}\)",
                        lines[3]), lines
    assert '    ~ llm.model: "gpt-4o" -> "gpt-4.1"' in lines and "    + llm.top_p: 0.9" in lines
    assert "sk-test-FAKE-new" not in res.stdout and SECRET not in res.stdout
    assert len(writes(audited, kv)) == before
    as_json = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--dry-run",
                  "-o", "json")
    units = {u["address"]: u for u in json.loads(as_json.stdout)["units"]}
    assert units["inference"]["action"] == "update" and units["inference"]["version"] == 1
    assert {"kind": "changed", "path": "llm.api_key", "secret": True}.items() <= \
        units["inference"]["changes"][0].items()


def test_a_concurrent_write_between_read_and_write_is_detected(
        seeded: Path, vault_env: VaultServer, kv: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}").code == 0
    seed(seeded, {"acme/production/inference": {"llm": {"model": "gpt-4.1"}},
                  "acme/production/app": {"feature": {"name": "changed"}}})
    from lcm.ops.export import vault_kv

    real_plan = vault_kv.plan

    def plan_then_someone_writes(*args: Any, **kw: Any) -> Any:
        found = real_plan(*args, **kw)  # every secret read: now another writer strikes
        vault_env.admin("POST", f"{kv}/data/{BASE}/inference", {"data": {"by": "someone"}})
        return found

    monkeypatch.setattr(vault_kv, "plan", plan_then_someone_writes)
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 1, res
    assert res.stderr == (f"lcm: error: export acme/production: {kv}/{BASE}/inference changed in"
                          " Vault since it was read (expected version 1); nothing was written;"
                          " written: app; not written: inference\n")
    assert read(vault_env, kv, "inference")["data"] == {"by": "someone"}  # not overwritten
    assert read(vault_env, kv, "app")["data"]["feature"]["name"] == "changed"
    monkeypatch.setattr(vault_kv, "plan", real_plan)
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 1, res
    assert res.stderr == (f"lcm: error: export acme/production: {kv}/{BASE}/inference: version 2"
                          " was written outside lcm; use --force to overwrite it; written: none;"
                          " not written: inference\n")
    forced = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--force")
    assert forced.code == 0, forced
    after = read(vault_env, kv, "inference")
    assert after["data"]["llm"]["model"] == "gpt-4.1" and after["metadata"]["version"] == 3


def test_force_re_reads_and_retries_a_lost_race(seeded: Path, vault_env: VaultServer, kv: str,
                                                 cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from lcm.api import Repo
    from lcm.ops.export import vault_kv
    from lcm.ops.export.plan import Masker
    from lcm.ops.export.source import collect
    from lcm.vault.errors import VaultCasConflict

    repo = Repo.open(seeded)
    target = vault_kv.VaultTarget.parse(f"{kv}/{BASE}")
    source = collect(repo, "acme", "production")
    client = vault_kv.connect(repo, target, "test")
    plan, units = vault_kv.plan(client, target, source, Masker(repo, "acme"), prune=False)
    vault_env.admin("POST", f"{kv}/data/{BASE}/app", {"data": {"raced": True}})
    with pytest.raises(VaultCasConflict, match="expected version 0"):
        vault_kv.apply(client, target, source, units, force=False)
    plan, units = vault_kv.plan(client, target, source, Masker(repo, "acme"), prune=False)
    vault_env.admin("POST", f"{kv}/data/{BASE}/inference", {"data": {"raced": True}})
    assert vault_kv.apply(client, target, source, units, force=True) == ["app", "inference"]
    assert read(vault_env, kv, "inference")["data"] == INFERENCE  # re-read, written with cas=1


def test_prune_soft_deletes_exports_whose_file_is_gone(seeded: Path, vault_env: VaultServer,
                                                       kv: str, cli) -> None:
    assert cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}").code == 0
    vault_env.admin("POST", f"{kv}/data/{BASE}/manual/note", {"data": {"by": "hand"}})
    from lcm.api import Repo

    repo = Repo.open(seeded)
    changes = repo.changes("drop app", op="unset", check_each=False)
    changes.delete_file(repo.address("acme/base/app"))
    changes.commit()
    plain = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert plain.code == 0 and "app" not in plain.stderr, plain
    assert read(vault_env, kv, "app")["data"] == APP  # no --prune: left as it was
    dry = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--prune", "--dry-run")
    assert "  app: prune (its config file is gone; soft-deletes version 1)" in dry.stdout
    assert "  manual/note: keep (not an lcm export of acme/production: left alone)" in dry.stdout
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--prune")
    assert res.code == 0, res
    assert f"vault://{kv}/{BASE}/app: soft-deleted" in res.stderr
    with pytest.raises(AdminError) as gone:
        read(vault_env, kv, "app")
    assert gone.value.status == 404
    assert meta(vault_env, kv, "app")["versions"]["1"]["deletion_time"]  # soft: recoverable
    assert read(vault_env, kv, "manual/note")["data"] == {"by": "hand"}
    again = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--prune")
    assert "soft-deleted" not in again.stderr
    named = cli("export", "acme/production", "inference", "--to", f"vault://{kv}/{BASE}", "--prune")
    assert named.code == 2 and "--prune needs the whole environment" in named.stderr


def test_docs_policy_is_enough_and_a_partial_failure_says_what_was_written(
        seeded: Path, vault_server: VaultServer, kv: str, cli,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hcl = _docs_policy(kv)
    policy = unique("lcm-export")
    vault_server.admin("PUT", f"sys/policies/acl/{policy}", {"policy": hcl})
    token = vault_server.admin("POST", "auth/token/create", {"policies": [policy],
                                                             "ttl": "10m"})["auth"]["client_token"]
    point_env_at(vault_server, monkeypatch, token=False)
    monkeypatch.setenv("VAULT_TOKEN", token)
    assert cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}", "--prune").code == 0
    # Take away the write on one file: the export stops there and says so.
    narrowed = hcl + f'\npath "{kv}/data/{BASE}/inference" {{\n  capabilities = ["read"]\n}}\n'
    vault_server.admin("PUT", f"sys/policies/acl/{policy}", {"policy": narrowed.replace(
        f'path "{kv}/data/{BASE}/*"', f'path "{kv}/data/{BASE}/a*"')})
    seed(seeded, {"acme/production/app": {"feature": {"name": "x"}},
                  "acme/production/inference": {"llm": {"model": "y"}}})
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 4, res
    assert res.stderr.startswith(f"lcm: error: export acme/production: permission denied on"
                                 f" {kv}/data/{BASE}/inference")
    assert res.stderr.endswith("; written: app; not written: inference\n")
    assert token not in res.stderr
    assert read(vault_server, kv, "app")["metadata"]["version"] == 2
    assert read(vault_server, kv, "inference")["metadata"]["version"] == 1


def _docs_policy(mount: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    blocks = [re.search(rf"<!-- policy:{name} -->\s*```hcl\n(.*?)```", text, re.S)
              for name in ("export", "prune")]
    assert all(blocks), "docs/export.md lost a policy block"
    hcl = "".join(b.group(1) for b in blocks if b)
    return hcl.replace("secret/", f"{mount}/").replace("llm/acme/production", BASE)


def test_vault_unreachable_is_exit_6_in_bounded_time(seeded: Path, cli, tree_digest,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("VAULT_ADDR", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("VAULT_TOKEN", "t-not-used")
    before = tree_digest(seeded)
    started = time.monotonic()
    res = cli("export", "acme/production", "--to", f"vault://secret/{BASE}")
    assert res.code == 6, res
    assert time.monotonic() - started < 15
    assert res.stderr == (f"lcm: error: Vault at http://127.0.0.1:{port} is unreachable"
                          " (connection failed)\n")
    assert tree_digest(seeded) == before


def test_an_address_from_the_manifest_needs_the_users_allow_list(
        seeded: Path, vault_server: VaultServer, kv: str, audited: VaultServer, cli,
        monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = seeded / ".lcm.yaml"
    manifest.write_text(manifest.read_text() + f"export:\n  vault:\n    address: {vault_server.address}\n")
    monkeypatch.setenv("VAULT_ADDR", "https://vault.elsewhere.example")
    monkeypatch.setenv("VAULT_TOKEN", vault_server.token)
    before = len(audited.audit_entries())
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 6, res
    assert "from the manifest is not allowed" in res.stderr and vault_server.token not in res.stderr
    assert len(audited.audit_entries()) == before  # not one request reached the server
    monkeypatch.setenv("LCM_VAULT_ALLOWED_ADDRS", vault_server.address)
    if vault_server.ca_cert:
        monkeypatch.setenv("VAULT_CACERT", str(vault_server.ca_cert))
    assert cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}").code == 0


def test_export_into_a_namespace(seeded: Path, vault_env: VaultServer, namespace: str,
                                 cli) -> None:
    vault_env.admin("POST", "sys/mounts/kv", {"type": "kv", "options": {"version": "2"}},
                    namespace=namespace)
    manifest = seeded / ".lcm.yaml"
    manifest.write_text(manifest.read_text() + f"export:\n  vault: {{namespace: {namespace}}}\n")
    res = cli("export", "acme/production", "--to", f"vault://kv/{BASE}")
    assert res.code == 0, res
    got = vault_env.admin("GET", f"kv/data/{BASE}/inference", namespace=namespace)
    assert got["data"]["data"] == INFERENCE
    with pytest.raises(AdminError):
        vault_env.admin("GET", f"kv/data/{BASE}/inference")  # not in the root namespace
    vault_env.admin("DELETE", "sys/mounts/kv", namespace=namespace)


def test_export_over_tls(seeded: Path, own_bao: Callable[..., VaultServer], cli,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    server = own_bao(tls=True)
    monkeypatch.setenv("VAULT_ADDR", server.address)
    monkeypatch.setenv("VAULT_TOKEN", server.token)
    res = cli("export", "acme/production", "--to", f"vault://secret/{BASE}")
    assert res.code == 6 and "TLS certificate verification failed" in res.stderr, res
    monkeypatch.setenv("VAULT_CACERT", str(server.ca_cert))
    assert cli("export", "acme/production", "--to", f"vault://secret/{BASE}").code == 0
    assert server.admin("GET", f"secret/data/{BASE}/app")["data"]["data"] == APP


def test_a_kv_v1_mount_is_refused(seeded: Path, vault_env: VaultServer, cli) -> None:
    mount = unique("kv1")
    vault_env.admin("POST", f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "1"}})
    try:
        res = cli("export", "acme/production", "--to", f"vault://{mount}/{BASE}")
        assert res.code == 4, res
        assert f"{mount}/ at {vault_env.address} is a KV version 1 mount" in res.stderr
    finally:
        vault_env.admin("DELETE", f"sys/mounts/{mount}")
    res = cli("export", "acme/production", "--to", "vault://nomount/x")
    assert res.code == 4 and "no KV mount nomount/" in res.stderr, res


def test_an_integer_vault_would_round_is_an_error(repo: Path, vault_env: VaultServer, kv: str,
                                                  cli) -> None:
    seed(repo, {"acme/base/ids": {"org": {"id": 2**53 + 1}, "ok": 2**53}})
    res = cli("export", "acme/production", "--to", f"vault://{kv}/{BASE}")
    assert res.code == 3, res
    assert res.stderr == ("lcm: error: ids: org.id: Vault KV keeps numbers as 64-bit floats"
                          " and would round this 54-bit integer; quote it in the config\n")
    with pytest.raises(AdminError):
        read(vault_env, kv, "ids")


def test_bad_vault_targets_are_usage_errors(seeded: Path, cli) -> None:
    for target in ("vault://secret", "vault://secret/../x", "vault://se cret/x", "vault://"):
        res = cli("export", "acme/production", "--to", target)
        assert res.code == 2, (target, res)
