"""The repository manifest `.lcm.yaml`: environments, tenants, secret globs,
schema mapping and rotation policy.

Loading checks the structure by hand (cheap, no jsonschema on the hot path);
`lcm validate` also checks it against the built-in `manifest` schema.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcm.errors import RepoError
from lcm.format.paths import KeyPath, format_path
from lcm.keys.spec import TenantSpec, parse_spec

MANIFEST_NAME = ".lcm.yaml"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")  # tenant and environment names
DEFAULT_SECRETS = ["*api_key", "*apikey", "*password", "*token", "*secret", "*private_key"]


@dataclass(frozen=True)
class SchemaRule:
    files: str
    schema: str


@dataclass
class Manifest:
    path: Path
    raw: dict[str, Any]
    repo_id: str
    environments: dict[str, str | None]
    tenants: dict[str, TenantSpec]
    secrets: list[str]
    schemas: list[SchemaRule] = field(default_factory=list)
    rotation: Any = None

    def env_chain(self, env: str) -> list[str]:
        """Environments from the root ancestor down to `env`."""
        if env not in self.environments:
            raise RepoError(f"unknown environment {env!r} (known: {', '.join(self.environments)})")
        chain: list[str] = []
        current: str | None = env
        while current is not None:
            chain.append(current)
            current = self.environments[current]
        return chain[::-1]

    def require_tenant(self, tenant: str) -> TenantSpec:
        """The tenant's key spec; RepoError for an unknown tenant."""
        if tenant not in self.tenants:
            known = ", ".join(self.tenants) or "none yet; add one with `lcm tenant add`"
            raise RepoError(f"unknown tenant {tenant!r} (known: {known})")
        return self.tenants[tenant]

    def is_secret_key(self, path: KeyPath) -> bool:
        """True when the key path matches one of the manifest's `secrets` globs."""
        keys = [str(seg).lower() for seg in path if isinstance(seg, str)]
        if not keys:
            return False
        dotted = ".".join(keys)
        for pattern in self.secrets:
            pat = pattern.lower()
            if fnmatch.fnmatchcase(keys[-1], pat) or fnmatch.fnmatchcase(dotted, pat):
                return True
        return False


def parse(path: Path, data: Any, doc: Any = None) -> Manifest:
    """Check the parsed manifest's structure and build a Manifest; errors name the file,
    and with the parsed `doc` at hand also the line and column of the key at fault."""

    def _fail(_path: Path, message: str, where: KeyPath | None = None) -> RepoError:
        if where is not None and doc is not None:
            line, col = doc.key_position(where)
            return RepoError(f"{path}:{line}:{col}: {message}")
        return RepoError(f"{path}: {message}")

    if not isinstance(data, dict):
        raise _fail(path, "the manifest must be a mapping")
    if data.get("version") != 1:
        raise _fail(path, "version: must be 1", ("version",))
    repo_id = data.get("repo_id")
    if not isinstance(repo_id, str) or not re.fullmatch(r"[0-9a-f]{8,64}", repo_id):
        raise _fail(path, "repo_id: must be a hex string (lcm init writes one)", ("repo_id",))
    envs_raw = data.get("environments") or {}
    if not isinstance(envs_raw, dict) or not envs_raw:
        raise _fail(path, "environments: must be a non-empty mapping", ("environments",))
    environments: dict[str, str | None] = {}
    for name, spec in envs_raw.items():
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise _fail(path, f"environments: bad environment name {name!r}", ("environments",))
        if spec is not None and not isinstance(spec, dict):
            raise _fail(path, f"environments.{name}: must be a mapping", ("environments", name))
        parent = (spec or {}).get("parent")
        if parent is not None and parent not in envs_raw:
            raise _fail(path, f"environments.{name}.parent: unknown environment {parent!r}",
                        ("environments", name, "parent"))
        environments[name] = parent
    for name in environments:
        seen = {name}
        current = environments[name]
        while current is not None:
            if current in seen:
                raise _fail(path, f"environments.{name}: parent chain has a cycle",
                            ("environments", name))
            seen.add(current)
            current = environments[current]
    tenants_raw = data.get("tenants") or {}
    if not isinstance(tenants_raw, dict):
        raise _fail(path, "tenants: must be a mapping", ("tenants",))
    tenants: dict[str, TenantSpec] = {}
    for name, entry in tenants_raw.items():
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise _fail(path, f"tenants: bad tenant name {name!r}", ("tenants",))
        spec, problems = parse_spec(entry)
        if spec is None:
            where, message = problems[0]
            full = ("tenants", name, *where)
            raise _fail(path, f"{format_path(full)}: {message}", full)
        tenants[name] = spec
    secrets = data.get("secrets", DEFAULT_SECRETS)
    if not isinstance(secrets, list) or not all(isinstance(s, str) for s in secrets):
        raise _fail(path, "secrets: must be a list of key globs", ("secrets",))
    rules_raw = data.get("schemas") or []
    if not isinstance(rules_raw, list):
        raise _fail(path, "schemas: must be a list of {files, schema}", ("schemas",))
    rules = []
    for i, rule in enumerate(rules_raw):
        if not (isinstance(rule, dict) and isinstance(rule.get("files"), str)
                and isinstance(rule.get("schema"), str)):
            raise _fail(path, f"schemas[{i}]: needs `files` (glob) and `schema` (path or lcm:KIND)",
                        ("schemas", i))
        rules.append(SchemaRule(rule["files"], rule["schema"]))
    return Manifest(path, data, repo_id, environments, tenants, list(secrets), rules,
                    data.get("rotation"))


def load(root: Path) -> Manifest:
    """Read and check `<root>/.lcm.yaml`."""
    from lcm.format.document import Document
    from lcm.format.loading import decode_text

    path = root / MANIFEST_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RepoError(f"{root}: not an lcm repository (no {MANIFEST_NAME}; run `lcm init`)") from None
    except OSError as err:
        raise RepoError(f"{path}: cannot read: {err.strerror}") from None
    doc = Document.parse(decode_text(data, str(path)), str(path))
    return parse(path, doc.full, doc)
