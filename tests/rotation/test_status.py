"""`lcm rotate status [-o json] [--check]`: keyless, sorted by urgency, exit 1 on
offenders (overdue secret or data key, expired overlap), 0 after rotation and prune."""

from __future__ import annotations

import json
from pathlib import Path

from core.helpers import assert_one_error_line


def _no_keys(tmp_path: Path) -> dict[str, str]:
    """An environment where no master key can be found (what CI without secrets sees)."""
    empty = tmp_path / "no-keys"
    empty.mkdir(exist_ok=True)
    return {"XDG_DATA_HOME": str(empty)}


def test_status_needs_no_key_and_json_is_stable(tenant_repo: Path, cli, clock,
                                                tmp_path: Path) -> None:
    clock.set("2026-01-05T00:00:00Z")
    res = cli("rotate", "status", "-o", "json", env=_no_keys(tmp_path))
    assert res.code == 0, res
    doc = json.loads(res.stdout)
    assert set(doc) == {"version", "now", "offenders", "tenants"}
    assert doc["version"] == 1 and doc["now"] == "2026-01-05T00:00:00Z"
    assert doc["offenders"] == 1  # db.password's 24h overlap ended on Jan 2
    acme, beta = doc["tenants"]
    assert (acme["tenant"], beta["tenant"]) == ("acme", "beta")
    (key,) = acme["data_keys"]
    assert key == {"version": 1, "state": "active", "created": "2026-01-01T00:00:00Z",
                   "age_seconds": 4 * 86400, "max_age": "90d", "due": "2026-04-01T00:00:00Z",
                   "values": 10, "status": "ok", "offenses": []}
    secrets = acme["secrets"]
    assert set(secrets[0]) == {"address", "key", "rotated", "age_seconds", "max_age", "due",
                               "overlap_until", "status", "offenses"}
    first = secrets[0]
    assert (first["address"], first["key"], first["status"]) == (
        "acme/production/db", "db.password", "overlap-expired")
    assert first["overlap_until"] == "2026-01-02T00:00:00Z"
    assert first["offenses"] == ["previous value outlived its overlap (ended "
                                 "2026-01-02T00:00:00Z): run `lcm rotate prune`"]
    by_key = {(s["address"], s["key"]): s for s in secrets}
    assert by_key[("acme/production/db", "db.replicas.eu.password")]["due"] == \
        "2026-01-31T00:00:00Z"  # *password: 30d
    assert by_key[("acme/base/inference", "llm.api_key")]["status"] == "in-overlap"
    assert by_key[("acme/production/db", "tokens[0]")]["status"] == "no-policy"
    # most urgent first: by the earliest of due date and overlap end
    deadlines = [min(t for t in (s["due"], s["overlap_until"]) if t) for s in secrets
                 if s["due"] or s["overlap_until"]]
    assert deadlines == sorted(deadlines)
    assert [s["status"] for s in secrets][-2:] == ["no-policy", "no-policy"]


def test_check_exits_1_for_an_overdue_secret_and_0_after_rotation(
        tenant_repo: Path, cli, clock, tmp_path: Path) -> None:
    assert cli("rotate", "prune", "acme").code == 0  # nothing expired yet at T0
    clock.set("2026-01-20T00:00:00Z")
    assert cli("rotate", "prune", "acme").code == 0  # both overlaps are over
    res = cli("rotate", "status", "--check", env=_no_keys(tmp_path))
    assert res.code == 0, res
    assert res.stdout == "" and "within policy" in res.stderr
    clock.set("2026-02-01T00:00:00Z")  # the *password secrets (30d) are overdue
    res = cli("rotate", "status", "--check", env=_no_keys(tmp_path))
    assert res.code == 1, res
    lines = res.stdout.strip().splitlines()
    assert lines == [  # one line per offender; equal deadlines in address/key order
        "acme/production/db db.password: overdue: last rotated 2026-01-01T00:00:00Z "
        "(31d ago), max_age 30d",
        "acme/production/db db.replicas.eu.password: overdue: last rotated "
        "2026-01-01T00:00:00Z (31d ago), max_age 30d",
    ]
    assert "2 offenders" in res.stderr
    for key in ("db.password", "db.replicas.eu.password"):
        assert cli("rotate", "secret", "acme/production/db", key, "--generate", "ascii:32",
                   "--overlap", "1h").code == 0
    res = cli("rotate", "status", "--check", env=_no_keys(tmp_path))
    assert res.code == 0, res
    clock.set("2026-02-01T02:00:00Z")  # the two 1h overlaps are over: exit 1 until pruned
    res = cli("rotate", "status", "--check", env=_no_keys(tmp_path))
    assert res.code == 1 and res.stdout.count("outlived its overlap") == 2, res
    assert cli("rotate", "prune", "acme").code == 0
    assert cli("rotate", "status", "--check", env=_no_keys(tmp_path)).code == 0


def test_check_exits_1_for_an_expired_overlap_alone(tenant_repo: Path, cli, clock) -> None:
    clock.set("2026-01-03T00:00:00Z")
    res = cli("rotate", "status", "--check")
    assert res.code == 1
    assert res.stdout.strip() == (
        "acme/production/db db.password: previous value outlived its overlap "
        "(ended 2026-01-02T00:00:00Z): run `lcm rotate prune`")
    assert cli("rotate", "prune", "acme").code == 0
    assert cli("rotate", "status", "--check").code == 0


def test_check_exits_1_for_an_overdue_data_key(tenant_repo: Path, cli, clock) -> None:
    for address, key in (("acme/production/db", "db.password"),
                         ("acme/production/db", "db.replicas.eu.password"),
                         ("acme/base/inference", "llm.api_key"),
                         ("acme/base/inference", "llm.fallbacks[0].api_key"),
                         ("acme/base/inference", "llm.fallbacks[1].api_key"),
                         ("acme/staging/inference", "llm.api_key"),
                         ("beta/base/app", "api_key")):
        clock.set("2026-03-25T00:00:00Z")
        assert cli("rotate", "secret", address, key, "--generate", "hex:32").code == 0
    clock.set("2026-04-02T00:00:00Z")  # both tenants' data keys are 91 days old
    assert cli("rotate", "prune", "acme").code == 0
    assert cli("rotate", "prune", "beta").code == 0
    res = cli("rotate", "status", "--check")
    assert res.code == 1
    assert res.stdout.strip().splitlines() == [
        f"{t}: data key v1: overdue: created 2026-01-01T00:00:00Z (91d ago, active), "
        f"max_age 90d: run `lcm rotate key {t}`" for t in ("acme", "beta")]
    assert cli("rotate", "key", "acme").code == 0
    assert cli("rotate", "key", "beta").code == 0
    assert cli("rotate", "status", "--check").code == 0
    keys = json.loads(cli("rotate", "status", "acme", "-o", "json").stdout)["tenants"][0]
    assert [(k["version"], k["status"]) for k in keys["data_keys"]] == [
        (2, "ok"), (1, "prunable")]


def test_text_report_lists_keys_and_secrets(tenant_repo: Path, cli, clock) -> None:
    clock.set("2026-01-05T00:00:00Z")
    res = cli("rotate", "status", "acme")
    assert res.code == 0, res
    lines = res.stdout.splitlines()
    assert lines[0] == "rotation status at 2026-01-05T00:00:00Z (most urgent first)"
    assert "DATA KEY" in res.stdout and "SECRET" in res.stdout
    assert any(ln.split()[:2] == ["v1", "active"] for ln in lines)
    secret_rows = [ln for ln in lines if ln.startswith("  acme/")]
    assert secret_rows[0].split()[:2] == ["acme/production/db", "db.password"]
    assert secret_rows[0].rstrip().endswith("OVERLAP-EXPIRED")
    assert "beta" not in res.stdout


def test_bad_policy_is_exit_3_with_its_line(tenant_repo: Path, cli, tree_digest) -> None:
    manifest = tenant_repo / ".lcm.yaml"
    manifest.write_text(manifest.read_text().replace("max_age: 30d", "max_age: 30 days"))
    before = tree_digest(tenant_repo / "config")
    for args in (("rotate", "status"), ("rotate", "key", "acme"),
                 ("rotate", "secret", "acme/production/db", "db.password", "--generate",
                  "hex:32")):
        res = cli(*args)
        assert_one_error_line(res, 3)
        line = res.stderr.strip()
        assert ".lcm.yaml:" in line and "rotation.secrets[1].max_age" in line, line
        assert "'30 days' is not a duration" in line
    assert tree_digest(tenant_repo / "config") == before


def test_unknown_tenant_and_bad_format(tenant_repo: Path, cli) -> None:
    assert_one_error_line(cli("rotate", "status", "nobody"), 3)
    assert_one_error_line(cli("rotate", "status", "-o", "yaml"), 2)
