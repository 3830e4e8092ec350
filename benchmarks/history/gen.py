"""Generate config repos with long histories quickly, straight through pygit2."""

from __future__ import annotations

import random
from pathlib import Path

MANIFEST = """version: 1
repo_id: 0123456789abcdef0123456789abcdef
environments:
  base: {}
  production: {parent: base}
tenants:
  acme: {backend: file}
secrets: ["*api_key"]
"""
FILES = [f"config/acme/production/svc{i}.yaml" for i in range(20)]
WATCHED = "config/acme/production/inference.yaml"


def _blob_text(n: int, path: str) -> str:
    return f"llm:\n  model: m{n}\n  temperature: 0.{n % 10}\n  path: {path}\n"


def make_repo(root: Path, commits: int, watch_every: int = 10, seed: int = 7) -> Path:
    """A repo with `commits` commits; every `watch_every`-th one touches the watched file."""
    import pygit2

    rng = random.Random(seed)
    repo = pygit2.init_repository(str(root), initial_head="main")
    state = {WATCHED: _blob_text(0, WATCHED), ".lcm.yaml": MANIFEST}
    state.update({p: _blob_text(0, p) for p in FILES})
    parents: list = []
    blobs: dict[str, object] = {}
    for n in range(commits):
        path = WATCHED if n % watch_every == 0 else rng.choice(FILES)
        state[path] = _blob_text(n, path)
        tree = _build_tree(repo, state, blobs)
        message = f"set {path} #{n}\n\nLcm-Op: set\nLcm-Tenant: acme\nLcm-Paths: {path}\n"
        when = pygit2.Signature("Bench", "bench@example.com", 1_700_000_000 + n * 60, 0)
        oid = repo.create_commit(None, when, when, message, tree, parents)
        parents = [oid]
    repo.references.create("refs/heads/main", parents[0], force=True)
    repo.set_head("refs/heads/main")
    repo.checkout_head(strategy=pygit2.enums.CheckoutStrategy.FORCE)
    return root


def _build_tree(repo, files: dict[str, str], blobs: dict):  # type: ignore[no-untyped-def]
    """Write a nested tree for `files` (path -> text), reusing blobs by content."""
    import pygit2

    nested: dict = {}
    for path, text in files.items():
        node = nested
        *dirs, name = path.split("/")
        for d in dirs:
            node = node.setdefault(d, {})
        node[name] = text

    def write(node: dict):  # type: ignore[no-untyped-def]
        builder = repo.TreeBuilder()
        for name, value in sorted(node.items()):
            if isinstance(value, dict):
                builder.insert(name, write(value), pygit2.enums.FileMode.TREE)
            else:
                if value not in blobs:
                    blobs[value] = repo.create_blob(value.encode())
                builder.insert(name, blobs[value], pygit2.enums.FileMode.BLOB)
        return builder.write()

    return write(nested)
