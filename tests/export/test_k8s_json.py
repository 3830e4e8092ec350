"""`--to k8s-secret:FILE` (a v1 Secret, `data` base64, 1 MiB limit) and `--to json:FILE`."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import yaml

from .conftest import APP, INFERENCE, OTHER_SECRET, SECRET, seed


def test_k8s_secret_parses_back_with_base64_data(seeded: Path, cli) -> None:
    res = cli("export", "acme/production", "--to", "k8s-secret:-", "--name", "llm-config",
              "--namespace", "inference")
    assert res.code == 0, res
    doc = yaml.safe_load(res.stdout)
    assert (doc["apiVersion"], doc["kind"], doc["type"]) == ("v1", "Secret", "Opaque")
    assert "stringData" not in doc
    meta = doc["metadata"]
    assert (meta["name"], meta["namespace"]) == ("llm-config", "inference")
    assert meta["labels"] == {"app.kubernetes.io/managed-by": "lcm"}
    head = _head(seeded)
    assert meta["annotations"]["lcm/commit"] == head
    assert meta["annotations"]["lcm/source"] == "acme/production"
    assert meta["annotations"]["lcm/files"] == "app,inference"
    assert meta["annotations"]["lcm/tree-clean"] == "true"
    data = {k: base64.b64decode(v, validate=True).decode() for k, v in doc["data"].items()}
    assert data["INFERENCE_LLM_API_KEY"] == SECRET
    assert data["APP_DB_PASSWORD"] == OTHER_SECRET
    assert data["INFERENCE_LLM_TEMPERATURE"] == "0.1" and data["APP_EMPTY"] == ""
    assert data["INFERENCE_LLM_STOP_1"] == "END" and data["APP_FEATURE_BETA"] == "true"


def test_k8s_secret_file_default_name_and_dirty_tree(seeded: Path, cli) -> None:
    seed(seeded, {"acme/production/app": {"feature": {"name": "x"}}})
    (seeded / "config/acme/production/app.yaml").write_text(
        (seeded / "config/acme/production/app.yaml").read_text() + "# local edit\n")
    out = seeded / "k8s" / "secret.yaml"
    res = cli("export", "acme/production", "app", "--to", f"k8s-secret:{out}")
    assert res.code == 0, res
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    doc = yaml.safe_load(out.read_text())
    assert doc["metadata"]["name"] == "lcm-acme-production" and "namespace" not in doc["metadata"]
    assert doc["metadata"]["annotations"]["lcm/tree-clean"] == "false"
    assert set(doc["data"]) == {"APP_FEATURE_BETA", "APP_FEATURE_NAME", "APP_EMPTY",
                                "APP_DB_PASSWORD"}


def test_k8s_secret_over_1_mib_is_refused(repo: Path, cli, tree_digest) -> None:
    seed(repo, {"acme/base/big": {"blob": "x" * (512 * 1024), "more": "y" * (512 * 1024)}})
    out = repo / "s.yaml"
    ok = cli("export", "acme/production", "--to", f"k8s-secret:{out}")
    assert ok.code == 0, ok  # exactly 1 MiB of data is allowed
    seed(repo, {"acme/base/big": {"one_more": "z"}})
    before = tree_digest(repo)
    res = cli("export", "acme/production", "--to", f"k8s-secret:{out}")
    assert res.code == 3, res
    assert "1048577 bytes; Kubernetes refuses Secrets over 1048576 bytes (1 MiB)" in res.stderr
    assert tree_digest(repo) == before


def test_k8s_names_are_checked(seeded: Path, cli) -> None:
    for args in (["--name", "Bad_Name"], ["--name", "ok", "--namespace", "a.b"]):
        res = cli("export", "acme/production", "--to", "k8s-secret:-", *args)
        assert res.code == 2 and "not a Kubernetes" in res.stderr, res
        assert res.stdout == ""


def test_json_keeps_types_and_nesting(seeded: Path, cli) -> None:
    out = seeded / "out" / "acme-production.json"
    res = cli("export", "acme/production", "--to", f"json:{out}")
    assert res.code == 0, res
    assert json.loads(out.read_text()) == {"app": APP, "inference": INFERENCE}
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert res.stderr == f"json:{out}: written, 12 keys (mode 0600)\n"


def test_json_non_string_keys_and_non_finite_floats(repo: Path, cli) -> None:
    from lcm.api import Repo

    lib = Repo.open(repo)
    changes = lib.changes("codes", op="set", check_each=False)
    changes.replace(lib.address("acme/base/codes"), {"http": {404: "missing"},
                                                     "limit": float("inf")})
    changes.commit()
    res = cli("export", "acme/production", "--to", "json:-")
    assert json.loads(res.stdout) == {"codes": {"http": {"404": "missing"}, "limit": ".inf"}}


def _head(root: Path) -> str:
    import pygit2

    return str(pygit2.Repository(str(root)).head.target)
