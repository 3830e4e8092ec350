"""`--to vault://MOUNT/PATH`: one KV v2 secret per config file, written with check-and-set.

Each file's secret is read first (one request); an identical value writes nothing,
otherwise the write carries `cas` = the version read, so a concurrent writer makes
the export stop (exit 1), never overwritten blind (`--force` re-reads and retries).
A secret that another source (repo, tenant, env, file) or no lcm export wrote is
left alone unless `--force`. The connection — address allow-list, auth,
namespace, TLS — is `lcm.vault`'s, the same as the vault key backend's.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Callable

from lcm.errors import LcmError, RepoError, UsageError
from lcm.format.paths import KeyPath, format_path
from lcm.ops.export.plan import (CREATE, FOREIGN, KEEP, PRUNE, UNCHANGED, UPDATE, ExportPlan,
                                 Masker, UnitPlan, compare)
from lcm.ops.export.source import Source, SourceFile, json_path, jsonable, leaf_paths
from lcm.repository.repo import Repo
from lcm.vault.client import client_for
from lcm.vault.errors import VaultCasConflict
from lcm.vault.kv import KvSecret, KvV2
from lcm.vault.options import validate_options
from lcm.vault.settings import resolve

_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
CONNECTION_OPTIONS = ("address", "namespace", "auth")
FORCE_ATTEMPTS = 3
EXACT_INT = 2 ** 53  # Vault KV keeps JSON numbers as 64-bit floats


@dataclass(frozen=True)
class VaultTarget:
    """`vault://MOUNT/PATH`: the first segment is the KV v2 mount, the rest the base path."""

    mount: str
    base: str

    @classmethod
    def parse(cls, location: str) -> "VaultTarget":
        parts = location.strip("/").split("/")
        if len(parts) < 2 or not all(_SEGMENT.match(p) for p in parts):
            raise UsageError(f"vault://{location}: expected vault://MOUNT/PATH (e.g."
                             " vault://secret/llm/acme/production; segments of A-Z a-z 0-9 _ . -)")
        return cls(parts[0], "/".join(parts[1:]))

    def __str__(self) -> str:
        return f"vault://{self.mount}/{self.base}"

    def path_of(self, name: str) -> str:
        return f"{self.base}/{name}"


def connection_options(repo: Repo) -> dict[str, Any]:
    """The manifest's `export: {vault: {address, namespace, auth}}` (default: the environment)."""
    section = repo.manifest.raw.get("export") or {}
    options = section.get("vault") if isinstance(section, dict) else None
    if options is None:
        return {}
    where = f"{repo.manifest.path}: export.vault"
    if not isinstance(options, dict):
        raise RepoError(f"{where}: must be a mapping of {', '.join(CONNECTION_OPTIONS)}")
    for key in options:
        if key not in CONNECTION_OPTIONS:
            raise RepoError(f"{where}.{key}: unknown option (use {', '.join(CONNECTION_OPTIONS)})")
    problems = validate_options(options)
    if problems:
        path, message = problems[0]
        raise RepoError(f"{where}.{'.'.join(path)}: {message}")
    return dict(options)


def connect(repo: Repo, target: VaultTarget, subject: str) -> KvV2:
    """The KV v2 mount, reached exactly as the vault key backend reaches transit."""
    kv = KvV2(client_for(resolve(subject, connection_options(repo))), target.mount, subject)
    kv.check_mount()
    return kv


def metadata(source: Source, name: str, version: int) -> dict[str, str]:
    """The `custom_metadata` of an exported secret: where its `version` came from."""
    return {"lcm_repo_id": source.repo_id, "lcm_tenant": source.tenant, "lcm_env": source.env,
            "lcm_file": name, "lcm_commit": source.commit or "none",
            "lcm_tree_clean": "true" if source.clean else "false", "lcm_version": str(version)}


def _owned_by(secret: KvSecret, source: Source, name: str | None) -> bool:
    """True when this source (and, given `name`, this file) wrote the secret."""
    meta = secret.custom_metadata
    mine = (meta.get("lcm_repo_id"), meta.get("lcm_tenant"), meta.get("lcm_env")) == (
        source.repo_id, source.tenant, source.env)
    return mine and (name is None or meta.get("lcm_file") == name)


def vault_form(tree: Any, file: str, path: KeyPath = ()) -> Any:
    """The data as Vault will hold it: JSON, numbers as 64-bit floats (integral ones as
    ints, so `1.0` and Vault's `1` compare equal); an integer Vault would round is an error."""
    if isinstance(tree, dict):
        return {k: vault_form(v, file, path + (k,)) for k, v in tree.items()}
    if isinstance(tree, list):
        return [vault_form(v, file, path + (i,)) for i, v in enumerate(tree)]
    if isinstance(tree, bool) or not isinstance(tree, (int, float)):
        return tree
    if isinstance(tree, int) and abs(tree) > EXACT_INT:
        raise RepoError(f"{file}: {format_path(path)}: Vault KV keeps numbers as 64-bit floats"
                        f" and would round this {tree.bit_length()}-bit integer; quote it in"
                        " the config")
    value = float(tree)
    return int(value) if math.isfinite(value) and value.is_integer() else value


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@dataclass
class _Unit:
    plan: UnitPlan
    file: SourceFile | None
    data: dict[str, Any] | None


def plan(kv: KvV2, target: VaultTarget, source: Source, masker: Masker,
         prune: bool) -> tuple[ExportPlan, list[_Unit]]:
    """Read what Vault holds for every file (and, with `prune`, what else is under the path)."""
    units = []
    for file in source.files:
        data = vault_form(jsonable(file.tree, file.name), file.name)
        current = kv.read(target.path_of(file.name))
        units.append(_Unit(_unit_plan(file, data, current, source, masker), file, data))
    if prune:
        exported = {target.path_of(f.name) for f in source.files}
        for path in _walk(kv, target.base):
            if path not in exported:
                units.append(_Unit(_prune_plan(kv, target, path, source), None, None))
    return ExportPlan(str(target), source.label, source.describe_state(),
                      [u.plan for u in units]), units


def _unit_plan(file: SourceFile, data: dict[str, Any], current: KvSecret | None, source: Source,
               masker: Masker) -> UnitPlan:
    secret = {json_path(file.tree, p) for p in file.secrets}
    plain = {p for p in leaf_paths(data) if p not in secret}
    old = current.data if current is not None else None
    unit = UnitPlan(file.name, CREATE, compare(masker, old, data, secret, plain),
                    current.version if current is not None else 0)
    if current is None:
        return unit
    if current.deleted:
        unit.note = f"version {current.version} is deleted; writing restores it"
        unit.action = UPDATE
    elif _same(current.data, data):
        unit.action, unit.note = UNCHANGED, f"version {current.version}"
    else:
        unit.action, unit.note = UPDATE, f"version {current.version} -> {current.version + 1}"
    if unit.action != UNCHANGED:
        foreign = _foreign(current, source, file.name)
        if foreign:
            unit.action, unit.note = FOREIGN, foreign
    return unit


def _foreign(current: KvSecret, source: Source, name: str) -> str:
    """Why the current version is not this export's own (""): another source's export, a
    secret lcm never wrote, or a version written outside lcm after lcm's."""
    owner = current.custom_metadata
    if not owner.get("lcm_repo_id"):
        return "written by something other than lcm"
    if not _owned_by(current, source, name):
        return "written by lcm for {lcm_tenant}/{lcm_env}/{lcm_file}".format_map(
            {k: owner.get(k, "?") for k in ("lcm_tenant", "lcm_env", "lcm_file")})
    if owner.get("lcm_version") != str(current.version):
        return f"version {current.version} was written outside lcm"
    return ""


def _walk(kv: KvV2, base: str) -> list[str]:
    out: list[str] = []
    for name in kv.list(base):
        if name.endswith("/"):
            out.extend(_walk(kv, f"{base}/{name.rstrip('/')}"))
        else:
            out.append(f"{base}/{name}")
    return out


def _prune_plan(kv: KvV2, target: VaultTarget, path: str, source: Source) -> UnitPlan:
    name = path[len(target.base) + 1:]
    current = kv.read(path)
    if current is None or current.deleted:
        return UnitPlan(name, KEEP, note="already deleted")
    if not _owned_by(current, source, None):
        return UnitPlan(name, KEEP, version=current.version,
                        note=f"not an lcm export of {source.label}: left alone")
    return UnitPlan(name, PRUNE, version=current.version,
                    note=f"its config file is gone; soft-deletes version {current.version}")


def apply(kv: KvV2, target: VaultTarget, source: Source, units: list[_Unit], force: bool,
          on_write: Callable[[str], None] = lambda _n: None) -> list[str]:
    """Carry out the plan; returns the units written. A failure names the units written
    before it and those not written."""
    written: list[str] = []
    todo = [u for u in units if u.plan.action in (CREATE, UPDATE, PRUNE, FOREIGN)]
    for index, unit in enumerate(todo):
        name = unit.plan.unit
        try:
            if unit.plan.action == FOREIGN and not force:
                raise VaultCasConflict(
                    f"{kv.subject}: {kv.mount}/{target.path_of(name)}: {unit.plan.note};"
                    " use --force to overwrite it")
            if unit.plan.action == PRUNE:
                kv.soft_delete(target.path_of(name))
            else:
                assert unit.file is not None and unit.data is not None
                version = _write(kv, target.path_of(name), unit.data, unit.plan.version, force)
                kv.set_custom_metadata(target.path_of(name), metadata(source, name, version))
                unit.plan.note = f"version {version}"
        except LcmError as err:
            raise _partial(err, written, [u.plan.unit for u in todo[index:]]) from None
        written.append(name)
        on_write(name)
    return written


def _write(kv: KvV2, path: str, data: dict[str, Any], version: int, force: bool) -> int:
    """Write with cas=`version`; with `force`, a lost race re-reads and retries (bounded).
    Returns the version that holds `data`."""
    for attempt in range(FORCE_ATTEMPTS):
        try:
            return kv.write(path, data, version)
        except VaultCasConflict:
            if not force or attempt == FORCE_ATTEMPTS - 1:
                raise
        current = kv.read(path)
        version = current.version if current is not None else 0
        if current is not None and not current.deleted and _same(current.data, data):
            return version
    raise AssertionError("unreachable")


def _partial(err: LcmError, written: list[str], not_written: list[str]) -> LcmError:
    done = ", ".join(written) or "none"
    return type(err)(f"{err.message}; written: {done}; not written: {', '.join(not_written)}",
                     err.code)
