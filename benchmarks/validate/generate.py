"""Generate the validation benchmark's input: N routing files with 20 rules each."""

from __future__ import annotations

import random
from pathlib import Path

TASKS = ("chat", "completion", "embedding", "rerank")


def routing_text(seed: int, items: int = 20, broken: bool = False) -> str:
    """One `routing` config file with `items` rules (one canary percent out of range when
    `broken`, an error every JSON Schema validator reports)."""
    rnd = random.Random(seed)
    lines = ["# generated routing config", "strategy: weighted", "default: inference", "rules:"]
    for i in range(items):
        first = rnd.randint(50, 95)
        second = 100 - first
        percent = 150 if broken and i == items // 2 else rnd.randint(0, 20)
        lines += [
            f"  - name: rule-{i}",
            f"    match: {{task: {rnd.choice(TASKS)}, path_prefix: /v1/r{i}}}",
            "    targets:",
            f"      - endpoint: acme/production/model-{i}",
            f"        weight: {first}",
            f"      - endpoint: acme/production/model-{i}-b",
            f"        weight: {second}",
            f"    canary: {{endpoint: canary-{i}, percent: {percent}}}",
            "    fallback: [inference, local-vllm]",
            f"    enabled: {str(rnd.random() > 0.1).lower()}",
        ]
    return "\n".join(lines) + "\n"


def write_tree(
    folder: Path, count: int = 2000, items: int = 20, broken_every: int = 0
) -> list[Path]:
    """Write `count` files as `folder/tNN/base/routing-NNNN.yaml` (100 per tenant folder,
    so the same tree is also the `config/` of an lcm repo); every `broken_every`-th one
    has an error."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"t{n // 100:02d}" / "base" / f"routing-{n:04d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        broken = bool(broken_every) and n % broken_every == 0
        path.write_text(routing_text(n, items, broken))
        paths.append(path)
    return paths


def write_manifest(root: Path, tenants: int) -> None:
    """A minimal `.lcm.yaml` mapping every generated file to the built-in routing schema."""
    names = "\n".join(f"  t{n:02d}: {{backend: file}}" for n in range(tenants))
    (root / ".lcm.yaml").write_text(
        "version: 1\nrepo_id: 0123456789abcdef\nenvironments:\n  base: {}\n"
        f'tenants:\n{names}\nschemas:\n  - files: "*/*/routing-*.yaml"\n    schema: lcm:routing\n'
    )
