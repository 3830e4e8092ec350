"""Baselines: accept known findings by salted fingerprint; never store a secret."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .corpus import Keys

KEYS = Keys(23)
XAI = "xa" + "i-" + KEYS.s(80)
HF = "h" + "f_" + KEYS.s(34, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_update_then_scan_with_baseline(scan, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(f"XAI_API_KEY={XAI}\n")
    made = scan("--baseline", "base.json", "--update-baseline", "a.env", cwd=tmp_path)
    assert made.code == 0 and "wrote 1 fingerprint(s) to base.json" in made.stderr
    assert made.stdout == ""
    assert scan("--baseline", "base.json", "a.env", cwd=tmp_path).code == 0
    report = scan("--baseline", "base.json", "--format", "json", "a.env", cwd=tmp_path)
    assert json.loads(report.stdout)["summary"]["baselined"] == 1

    # A new secret is reported; the known one stays silent, even on another line.
    (tmp_path / "a.env").write_text(f"# moved\n\nXAI_API_KEY={XAI}\nHF_TOKEN={HF}\n")
    run = scan("--baseline", "base.json", "a.env", cwd=tmp_path)
    assert run.code == 1
    assert run.stdout == "a.env:4:10: huggingface-token: hf_F********\n".replace("hf_F", HF[:4])


def test_baseline_holds_salted_fingerprints_not_secrets(scan, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(f"XAI_API_KEY={XAI}\n")
    scan("--baseline", "b.json", "--update-baseline", "a.env", cwd=tmp_path)
    text = (tmp_path / "b.json").read_text()
    doc = json.loads(text)
    assert doc["version"] == 1 and len(doc["salt"]) == 32
    assert [(e["rule"], e["path"], e["line"]) for e in doc["findings"]] == [
        ("xai-api-key", "a.env", 1)
    ]
    assert XAI not in text and XAI[:12] not in text
    for algo in ("sha1", "sha256", "md5"):
        assert hashlib.new(algo, XAI.encode()).hexdigest() not in text


def test_salt_is_kept_when_updating_and_differs_between_baselines(scan, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text(f"XAI_API_KEY={XAI}\n")
    scan("--baseline", "b1.json", "--update-baseline", "a.env", cwd=tmp_path)
    scan("--baseline", "b2.json", "--update-baseline", "a.env", cwd=tmp_path)
    first = json.loads((tmp_path / "b1.json").read_text())
    other = json.loads((tmp_path / "b2.json").read_text())
    assert first["salt"] != other["salt"]
    assert first["findings"][0]["fingerprint"] != other["findings"][0]["fingerprint"]
    scan("--baseline", "b1.json", "--update-baseline", "a.env", cwd=tmp_path)
    assert json.loads((tmp_path / "b1.json").read_text()) == first


def test_missing_or_malformed_baseline_exits_3(scan, tmp_path: Path) -> None:
    (tmp_path / "a.env").write_text("X=1\n")
    run = scan("--baseline", "nope.json", "a.env", cwd=tmp_path)
    assert run.code == 3 and run.stderr.startswith("lcm: error: nope.json: baseline not found")
    (tmp_path / "bad.json").write_text("{not json")
    run = scan("--baseline", "bad.json", "a.env", cwd=tmp_path)
    assert (run.code, run.stderr) == (3, "lcm: error: bad.json: baseline is not valid JSON\n")
    (tmp_path / "bad.json").write_text('{"version": 1}')
    run = scan("--baseline", "bad.json", "a.env", cwd=tmp_path)
    assert (run.code, run.stderr) == (3, "lcm: error: bad.json: not an lcm scan baseline\n")
