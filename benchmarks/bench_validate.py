#!/usr/bin/env python3
"""Benchmark: `lcm validate` against `check-jsonschema --schemafile` on the same files.

2,000 generated routing files (20 rules each, 1 % with an out-of-range value) checked
against the built-in `routing` schema (self-contained, so check-jsonschema can read the
same file). Both run as fresh processes, so start-up is included; the target is lcm at
most 1/4 of check-jsonschema's wall time. Both must flag exactly the same files.

    .venv/bin/python benchmarks/bench_validate.py [--files 2000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "validate"))
sys.path.insert(0, str(Path(__file__).parent))
import _common  # noqa: E402,F401  (byte-compiles lcm like an installed wheel)
from generate import write_manifest, write_tree  # noqa: E402

BIN = Path(sys.executable).parent
TARGET = 0.25


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one run of `cmd` (a fresh process) and its result."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def best(cmd: list[str], cwd: Path, repeat: int) -> tuple[float, subprocess.CompletedProcess[str]]:
    runs = [timed(cmd, cwd) for _ in range(repeat)]
    return min(r[0] for r in runs), runs[-1][1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=1, help="runs per tool; the best is kept")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lcm-bench-validate-"))
    try:
        # The same files twice: a plain folder (--schema) and an lcm repo (`schemas:` mapping).
        plain, repo_root = work / "plain", work / "repo"
        files = write_tree(plain / "config", args.files, args.items, broken_every=100)
        write_tree(repo_root / "config", args.files, args.items, broken_every=100)
        write_manifest(repo_root, tenants=(args.files + 99) // 100)
        schema = work / "routing.schema.json"
        schema.write_text((resources.files("lcm.builtin_schemas") / "routing.json").read_text())
        rel = [str(p.relative_to(plain)) for p in files]

        cj_s, cj = best(
            [
                str(BIN / "check-jsonschema"),
                "--schemafile",
                str(schema),
                "--output-format",
                "json",
                *rel,
            ],
            plain,
            args.repeat,
        )
        lcm_s, lcm = best(
            [str(BIN / "lcm"), "validate", "--schema", str(schema), *rel, "--format", "json"],
            plain,
            args.repeat,
        )
        repo_s, repo = best(
            [str(BIN / "lcm"), "validate", "--format", "json"], repo_root, args.repeat
        )

        lcm_bad = {f["file"] for f in json.loads(lcm.stdout)["findings"]}
        repo_bad = {f["file"] for f in json.loads(repo.stdout)["findings"]}
        cj_bad = {e["filename"] for e in json.loads(cj.stdout).get("errors", [])}
        same = lcm_bad == cj_bad == repo_bad and len(lcm_bad) == len(files) // 100
        print(
            f"{args.files} files x {args.items} rules, schema lcm:routing, "
            f"{len(cj_bad)} files with errors (found by all: {same})"
        )
        print(f"  check-jsonschema --schemafile  {cj_s:7.2f} s")
        print(f"  lcm validate --schema          {lcm_s:7.2f} s   ratio {lcm_s / cj_s:.3f}")
        print(f"  lcm validate (repo mapping)    {repo_s:7.2f} s   ratio {repo_s / cj_s:.3f}")
        ok = same and lcm_s / cj_s <= TARGET and repo_s / cj_s <= TARGET
        print(f"target <= {TARGET:.2f} of check-jsonschema: {'met' if ok else 'MISSED'}")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
