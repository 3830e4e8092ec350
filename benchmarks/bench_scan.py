#!/usr/bin/env python3
"""Benchmark: `lcm scan` against detect-secrets, side by side in one run.

1. One staged file, the pre-commit case: `python -m lcm.scan FILE` (the hook entry),
   `lcm scan FILE` and `lcm scan --staged` against `detect-secrets-hook FILE`;
   median wall time of fresh processes. Target: hook entry <= 1/3 of detect-secrets-hook.
2. A ~6 MB tree of real Python sources copied from this venv's site-packages:
   `lcm scan TREE` against `detect-secrets scan --all-files`. Target: <= 1/10, and
   lcm reports nothing.
3. `lcm scan --history` on the 5,000-commit repo of benchmarks/history/gen.py, next to
   `git log -p --all > /dev/null` on the same repo (what git alone needs to produce the
   lines). Target: <= 1.5x. Also shown, for information, on a `git gc`-packed copy.
4. Recall and precision of both tools on the generated corpus (tests/scan/corpus.py),
   matching findings by (file, line).

    .venv/bin/python benchmarks/bench_scan.py [--runs 15] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "scan"))
from _common import BIN, isolated_env, lcm_exe, median, tempdir, wall
from history.gen import make_repo
from tree import build_tree

ONE_FILE_TARGET = 1 / 3
TREE_TARGET = 1 / 10
HISTORY_TARGET = 1.5
HISTORY_COMMITS = 5000
PY = sys.executable


def load_corpus_module():  # type: ignore[no-untyped-def]
    """tests/scan/corpus.py, imported by path (tests is not a package)."""
    path = HERE.parent / "tests" / "scan" / "corpus.py"
    spec = importlib.util.spec_from_file_location("lcm_scan_corpus", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def one_staged_file(work: Path, runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median wall seconds per command for one staged config file."""
    repo = work / "staged"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    corpus = load_corpus_module()
    text, _ = corpus.render_pairs(
        "yaml", [(k, make()) for _, k, make in corpus.positive_specs(corpus.Keys(5))[:3]]
    )
    (repo / "settings.yaml").write_text("# service settings\nmodel: gpt-4o\ntimeout: 30\n" + text)
    subprocess.run(["git", "add", "settings.yaml"], cwd=repo, check=True, env=env)
    commands = {
        "detect-secrets-hook FILE": [str(BIN / "detect-secrets-hook"), "settings.yaml"],
        "python -m lcm.scan FILE (hook entry)": [PY, "-m", "lcm.scan", "settings.yaml"],
        "python -m lcm.scan --staged": [PY, "-m", "lcm.scan", "--staged"],
        "lcm scan FILE": [lcm_exe(), "scan", "settings.yaml"],
    }
    for cmd in commands.values():  # warm the page cache and .pyc files
        wall(cmd, 1, cwd=repo, env=env)
    return {name: median(wall(cmd, runs, cwd=repo, env=env)) for name, cmd in commands.items()}


def timed_run(
    cmd: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    import time

    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def big_tree(work: Path, env: dict[str, str]) -> dict[str, object]:
    """Wall seconds and finding counts of both tools on ~6 MB of real Python sources."""
    tree = work / "tree"
    files, size = build_tree(tree)
    lcm_times = []
    for _ in range(3):
        seconds, proc = timed_run([PY, "-m", "lcm.scan", "--format", "json", "."], tree, env)
        lcm_times.append(seconds)
    lcm_found = json.loads(proc.stdout)["summary"]["findings"]
    typer_seconds, _ = timed_run([lcm_exe(), "scan", "."], tree, env)
    ds_seconds, ds_proc = timed_run([str(BIN / "detect-secrets"), "scan", "--all-files"], tree, env)
    ds_found = sum(len(v) for v in json.loads(ds_proc.stdout)["results"].values())
    return {
        "files": files,
        "bytes": size,
        "lcm_seconds": min(lcm_times),
        "lcm_cli_seconds": typer_seconds,
        "lcm_findings": lcm_found,
        "detect_secrets_seconds": ds_seconds,
        "detect_secrets_findings": ds_found,
    }


def history(work: Path, runs: int, env: dict[str, str]) -> dict[str, object]:
    """Median wall seconds of `lcm scan --history` and `git log -p --all`, interleaved runs."""
    generated = make_repo(work / "history", HISTORY_COMMITS)
    packed = work / "history-packed"
    shutil.copytree(generated, packed, symlinks=True)
    subprocess.run(["git", "gc", "-q"], cwd=packed, check=True, env=env)
    out: dict[str, object] = {"commits": HISTORY_COMMITS}
    for label, repo in (("generated", generated), ("packed", packed)):
        commands = {
            "git log -p --all": ["git", "log", "-p", "--all"],
            "python -m lcm.scan --history": [PY, "-m", "lcm.scan", "--history"],
        }
        for cmd in commands.values():  # warm the page cache
            wall(cmd, 1, cwd=repo, env=env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, cmd in commands.items():
                samples[name] += wall(cmd, 1, cwd=repo, env=env)
        times = {name: median(values) for name, values in samples.items()}
        proc = subprocess.run(
            [PY, "-m", "lcm.scan", "--history", "--format", "json"],
            cwd=repo, env=env, capture_output=True, text=True, check=False,
        )
        summary = json.loads(proc.stdout)["summary"]
        out[label] = {
            **times,
            "ratio": times["python -m lcm.scan --history"] / times["git log -p --all"],
            "findings": summary["findings"],
            "changes_scanned": summary["scanned"],
        }
    return out


def recall_precision(work: Path, env: dict[str, str]) -> dict[str, dict[str, float]]:
    """Recall and precision by (file, line) on the generated corpus."""
    root = work / "corpus"
    expected_map = load_corpus_module().write_corpus(root)
    expected = {(name, line) for name, found in expected_map.items() for line, _ in found}
    proc = subprocess.run(
        [PY, "-m", "lcm.scan", "--format", "json", "."],
        check=False,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    lcm = {(f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]}
    proc = subprocess.run(
        [str(BIN / "detect-secrets"), "scan", "--all-files"],
        check=False,
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    ds = {
        (name, item["line_number"])
        for name, items in json.loads(proc.stdout)["results"].items()
        for item in items
    }
    return {
        tool: _scores(found, expected) for tool, found in (("lcm", lcm), ("detect-secrets", ds))
    }


def _scores(found: set[tuple[str, int]], expected: set[tuple[str, int]]) -> dict[str, float]:
    hits = len(found & expected)
    return {
        "expected": len(expected),
        "reported": len(found),
        "true_positives": hits,
        "recall": hits / len(expected),
        "precision": hits / len(found) if found else 1.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per one-file command")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    work = tempdir("lcm-bench-scan-")
    try:
        env = isolated_env(work)
        one = one_staged_file(work, args.runs, env)
        tree = big_tree(work, env)
        hist = history(work, max(5, args.runs // 3), env)
        scores = recall_precision(work, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ds_hook = one["detect-secrets-hook FILE"]
    hook_ratio = one["python -m lcm.scan FILE (hook entry)"] / ds_hook
    tree_ratio = tree["lcm_seconds"] / tree["detect_secrets_seconds"]  # type: ignore[operator]
    history_ratio = hist["generated"]["ratio"]  # type: ignore[index]
    ok = (
        hook_ratio <= ONE_FILE_TARGET
        and tree_ratio <= TREE_TARGET
        and tree["lcm_findings"] == 0
        and history_ratio <= HISTORY_TARGET
    )
    if args.json:
        print(
            json.dumps(
                {
                    "one_file": one,
                    "tree": tree,
                    "history": hist,
                    "corpus": scores,
                    "hook_ratio": hook_ratio,
                    "tree_ratio": tree_ratio,
                    "ok": ok,
                },
                indent=2,
            )
        )
        return 0 if ok else 1
    print(f"one staged file, median of {args.runs} fresh processes:")
    for name, seconds in one.items():
        print(
            f"  {name:40} {seconds * 1000:8.1f} ms   ({seconds / ds_hook:.2f} x ds-hook)"
        )
    print(
        f"  target: hook entry <= {ONE_FILE_TARGET:.2f} x  -> {hook_ratio:.2f} x "
        f"{'OK' if hook_ratio <= ONE_FILE_TARGET else 'MISSED'}"
    )
    print(f"\ntree of real Python sources: {tree['files']} files, {tree['bytes'] / 1e6:.1f} MB")
    print(
        f"  lcm scan (hook entry, best of 3)  {tree['lcm_seconds']:7.2f} s   "
        f"findings {tree['lcm_findings']}"
    )
    print(f"  lcm scan (Typer CLI)              {tree['lcm_cli_seconds']:7.2f} s")
    print(
        f"  detect-secrets scan --all-files   {tree['detect_secrets_seconds']:7.2f} s   "
        f"findings {tree['detect_secrets_findings']}"
    )
    print(
        f"  target: <= {TREE_TARGET:.2f} x with 0 findings -> {tree_ratio:.3f} x "
        f"{'OK' if tree_ratio <= TREE_TARGET and tree['lcm_findings'] == 0 else 'MISSED'}"
    )
    print(f"\n--history on {hist['commits']} commits (benchmarks/history/gen.py), median of runs:")
    for label in ("generated", "packed"):
        h = hist[label]  # type: ignore[index]
        print(
            f"  {label:9} git log -p --all {h['git log -p --all']:6.2f} s   "
            f"lcm scan --history {h['python -m lcm.scan --history']:6.2f} s   "
            f"-> {h['ratio']:.2f} x   ({h['changes_scanned']} changes, {h['findings']} findings)"
        )
    print(
        f"  target: <= {HISTORY_TARGET:.1f} x on the generated repo -> {history_ratio:.2f} x "
        f"{'OK' if history_ratio <= HISTORY_TARGET else 'MISSED'}"
    )
    print("\ncorpus (findings matched by file and line):")
    for tool, s in scores.items():
        print(
            f"  {tool:15} recall {s['recall']:.3f}  precision {s['precision']:.3f}  "
            f"({s['true_positives']}/{s['expected']} expected, {s['reported']} reported)"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
