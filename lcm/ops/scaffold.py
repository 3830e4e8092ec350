"""Creating repositories and tenants (`lcm init`, `lcm tenant add`)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lcm.errors import RepoError, UsageError
from lcm.ops.changeset import ChangeSet
from lcm.ops.hooks import HookSetup, install_hook
from lcm.repository.manifest import MANIFEST_NAME, NAME_RE
from lcm.repository.repo import find_root

if TYPE_CHECKING:
    from lcm.keys.backends import MasterKeyBackend
    from lcm.repository.repo import Repo

MANIFEST_TEMPLATE = """\
# lcm manifest: environments, tenants, secret keys, schemas, rotation policy.
version: 1
repo_id: {repo_id}
environments:          # each env overlays its parent
  base: {{}}
  development: {{parent: base}}
  staging: {{parent: base}}
  production: {{parent: staging}}
tenants: {{}}
secrets: ["*api_key", "*apikey", "*password", "*token", "*secret", "*private_key"]
schemas:
  - files: "*/*/inference.yaml"
    schema: lcm:model-endpoint
  - files: "*/*/parameters.yaml"
    schema: lcm:model-parameters
  - files: "*/*/prompts/*.yaml"
    schema: lcm:prompt-template
  - files: "*/*/routing.yaml"
    schema: lcm:routing
  - files: "*/*/rate-limits.yaml"
    schema: lcm:rate-limits
  - files: "*/*/budget.yaml"
    schema: lcm:budget
rotation:
  secrets:
    - {{keys: "*api_key", max_age: 90d, overlap: 7d}}
    - {{keys: "*password", max_age: 30d, overlap: 24h}}
  data_keys: {{max_age: 90d}}
"""

GITATTRIBUTES = "config/**/*.yaml diff=lcm merge=lcm\n"
LCM_GITIGNORE = "lock\ncache/\naudit/\ntmp/\n*.tmp\njournal.json\n"
PRE_COMMIT = """\
repos:
  - repo: local
    hooks:
      - id: lcm-scan
        name: lcm scan (no plaintext secrets)
        entry: lcm scan
        language: system
        types: [text]
        pass_filenames: true
"""


@dataclass(frozen=True)
class Initialised:
    """What `lcm init` set up: the repository root and what became of the pre-commit hook."""

    root: Path
    hook: HookSetup


def init_repo(target: Path, git_only: bool = False) -> Path:
    """Create a config repository in `target` with one initial commit; returns its root."""
    return init(target, git_only).root


def init(target: Path, git_only: bool = False) -> Initialised:
    """`lcm init`: a new config repository in `target` (refused anywhere inside an existing
    one, whose manifest would otherwise resolve its addresses), or with `git_only` the Git
    drivers and pre-commit hook of an existing clone (found from `target` upwards)."""
    import pygit2

    from lcm.history.gitsetup import install

    target = target.resolve()
    if git_only:
        root = find_root(target)
        install(root)
        return Initialised(root, install_hook(root))
    existing = _enclosing_repo(target)
    if existing == target:
        raise RepoError(f"{target}: already an lcm repository ({MANIFEST_NAME} exists)")
    if existing is not None:
        raise RepoError(f"{target}: inside the lcm repository {existing}; "
                        "create a new one outside it (nothing was changed)")
    target.mkdir(parents=True, exist_ok=True)
    if pygit2.discover_repository(str(target)) is None:
        pygit2.init_repository(str(target), initial_head="main")
    files = {
        MANIFEST_NAME: MANIFEST_TEMPLATE.format(repo_id=secrets.token_hex(16)),
        ".gitattributes": GITATTRIBUTES,
        ".lcm/.gitignore": LCM_GITIGNORE,
        ".lcm/keys/.keep": "",
        "config/.keep": "",
        "schemas/.keep": "",
        ".pre-commit-config.yaml": PRE_COMMIT,
    }
    new = {rel: text for rel, text in files.items() if not (target / rel).exists()}
    install(target)
    from lcm.fsutil import locked
    from lcm.repository.commit import write_files
    from lcm.repository.git import commit_message

    with locked(target / ".lcm" / "lock"):
        write_files(target, new, commit_message("lcm init", "init", None, list(new)))
    return Initialised(target, install_hook(target))


def _enclosing_repo(target: Path) -> Path | None:
    """The lcm repository at or above `target`, if any."""
    try:
        return find_root(target)
    except RepoError:
        return None


def add_tenant(repo: Repo, name: str, backend: str | None,
               options: dict[str, Any] | None = None) -> str:
    """Create the tenant's master key (if absent; for vault, the transit key when allowed)
    and data key v1, and write its manifest entry: one commit. Returns the backend."""
    from lcm.keys.backends import BACKENDS_CREATABLE, backend_for, keyring_usable
    from lcm.keys.spec import parse_spec

    if not NAME_RE.match(name):
        raise UsageError(f"bad tenant name {name!r}: use lowercase letters, digits, '-', '_' and '.', at most 100 characters")
    if backend is None:
        backend = "keyring" if keyring_usable() else "file"
    if backend not in BACKENDS_CREATABLE:
        raise UsageError(f"backend {backend!r} cannot be created here "
                         f"(use one of {', '.join(BACKENDS_CREATABLE)})")
    spec, problems = parse_spec({"backend": backend, **(options or {})})
    if spec is None:
        where, message = problems[0]
        raise UsageError(f"tenant {name!r}: {'.'.join(map(str, where)) or 'entry'}: {message}")
    created = None
    try:
        with repo.locked():
            manifest = repo.manifest
            if name in manifest.tenants:
                raise RepoError(f"tenant {name!r} already exists")
            store = backend_for(manifest.repo_id, name, spec, honour_env=False)
            if not store.exists():
                if backend == "env":
                    from lcm.keys.backends import env_var_name

                    raise UsageError(f"backend env reads ${env_var_name(name)}: set it first "
                                     "(a base64 256-bit key, e.g. from `lcm key export`)")
                store.create()
                created = store if backend != "vault" else None
            changes = ChangeSet(repo, "tenant-add", f"lcm tenant add {name} --backend {backend}")
            _stage_tenant(changes, repo, name, spec.to_manifest(), store)
            changes.commit()
    except BaseException:
        if created is not None:
            created.delete()
        raise
    from lcm.repository import audit

    audit.record(repo.root, "tenant-add", tenant=name)
    return backend


def _stage_tenant(changes: ChangeSet, repo: Repo, name: str, entry: dict[str, Any],
                  store: MasterKeyBackend) -> None:
    """Stage the tenant's data-key file and its manifest entry."""
    from lcm.format.document import Document
    from lcm.format.writer import render
    from lcm.keys import datakeys

    manifest = repo.manifest
    keys = datakeys.create(repo.root, manifest.repo_id, name, store)
    changes.write(keys.path.relative_to(repo.root).as_posix(), keys.render())
    text = manifest.path.read_text(encoding="utf-8")
    doc = Document.parse(text, str(manifest.path))
    full = dict(doc.full)
    tenants = dict(full.get("tenants") or {})
    tenants[name] = entry
    full["tenants"] = tenants
    changes.write(MANIFEST_NAME, render(doc, full))
