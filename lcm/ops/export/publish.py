"""`lcm export TENANT/ENV [NAME…] --to TARGET`: publish the effective config (docs/export.md).

Targets: `vault://MOUNT/PATH` (KV v2, check-and-set), `dotenv:FILE`, `json:FILE`,
`k8s-secret:FILE` (`-` as FILE is stdout). Every export is planned first — the
target read, a masked key-level diff built — so `--dry-run` shows exactly what a
real run writes, and a real run stops before writing when the plan cannot be
carried out. Files are replaced atomically with mode 0600. Every export is an
audit entry naming the target, the source, its commit and the keys (never a value).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcm.errors import RepoError, UsageError
from lcm.format.paths import iter_leaves
from lcm.ops.export import dotenv, jsonfile, k8s
from lcm.ops.export.plan import CREATE, UNCHANGED, UPDATE, ExportPlan, Masker, UnitPlan, compare
from lcm.ops.export.source import Source, collect, parse_env
from lcm.ops.flatten import check_prefix
from lcm.repository import audit
from lcm.repository.repo import Repo

SCHEMES = ("vault://", "dotenv:", "json:", "k8s-secret:")
STDOUT = "-"


@dataclass
class ExportOptions:
    """What `lcm export` was asked beyond the source and the target."""

    names: tuple[str, ...] = ()
    dry_run: bool = False
    prune: bool = False
    force: bool = False
    prefix: str = ""
    k8s_name: str | None = None
    k8s_namespace: str | None = None


@dataclass
class ExportResult:
    """The plan, what was written, and the text for stdout when the target is `-`."""

    plan: ExportPlan
    written: list[str] = field(default_factory=list)
    output: str | None = None
    keys: list[str] = field(default_factory=list)


def parse_target(text: str) -> tuple[str, str]:
    """(scheme, location) of `--to`; UsageError (exit 2) for an unknown scheme."""
    for scheme in SCHEMES:
        if text.startswith(scheme):
            location = text[len(scheme):]
            if not location:
                raise UsageError(f"--to {text!r}: missing the {'path' if scheme == 'vault://' else 'file'}"
                                 f" after {scheme} (use - for stdout)")
            return scheme.rstrip(":/"), location
    raise UsageError(f"--to {text!r}: unknown target (use vault://MOUNT/PATH, dotenv:FILE,"
                     " json:FILE or k8s-secret:FILE)")


def _check_options(scheme: str, options: ExportOptions) -> None:
    allowed = {"vault": {"prune", "force"}, "dotenv": {"prefix"}, "json": set(),
               "k8s-secret": {"prefix", "k8s_name", "k8s_namespace"}}[scheme]
    flags = {"prune": "--prune", "force": "--force", "prefix": "--prefix",
             "k8s_name": "--name", "k8s_namespace": "--namespace"}
    for attr, flag in flags.items():
        if getattr(options, attr) and attr not in allowed:
            raise UsageError(f"{flag} does not apply to {scheme} targets")
    if options.prune and options.names:
        raise UsageError("--prune needs the whole environment: name no files")
    check_prefix(options.prefix)
    if scheme == "k8s-secret":
        k8s.check_names(options.k8s_name, options.k8s_namespace)


def export(repo: Repo, env_text: str, target_text: str,
           options: ExportOptions | None = None) -> ExportResult:
    """Plan and (unless `dry_run`) carry out one export; see the module doc."""
    options = options or ExportOptions()
    scheme, location = parse_target(target_text)
    _check_options(scheme, options)
    tenant, env = parse_env(repo, env_text)
    source = collect(repo, tenant, env, options.names)
    masker = Masker(repo, tenant)
    if scheme == "vault":
        return _to_vault(repo, location, source, masker, options)
    return _to_file(repo, scheme, location, source, masker, options)


def _to_vault(repo: Repo, location: str, source: Source, masker: Masker,
              options: ExportOptions) -> ExportResult:
    from lcm.ops.export import vault_kv

    target = vault_kv.VaultTarget.parse(location)
    kv = vault_kv.connect(repo, target, f"export {source.label}")
    plan, units = vault_kv.plan(kv, target, source, masker, options.prune)
    result = ExportResult(plan)
    if options.dry_run:
        return result
    keys = source.key_names()
    try:
        vault_kv.apply(kv, target, source, units, options.force, result.written.append)
    finally:
        if result.written:
            result.keys = [k for name in result.written for k in keys.get(name, [])]
            _audit(repo, source, str(target), result.keys, result.written)
    return result


def _to_file(repo: Repo, scheme: str, location: str, source: Source, masker: Masker,
             options: ExportOptions) -> ExportResult:
    current_text = _read_current(location)
    if scheme == "json":
        desired: Any = jsonfile.document(source)
        secret = jsonfile.secret_paths(source)
        text = jsonfile.render(desired)
        current = jsonfile.parse(current_text) if current_text is not None else None
    else:
        variables = source.flat(options.prefix)
        desired = {name: flat.value for name, flat in variables.items()}
        secret = {(name,) for name in source.secret_names(variables)}
        if scheme == "dotenv":
            text = dotenv.render(variables)
            current = dotenv.parse(current_text) if current_text is not None else None
        else:
            name = options.k8s_name or k8s.default_name(source)
            text = k8s.render(k8s.manifest(source, variables, name, options.k8s_namespace))
            current = k8s.parse(current_text) if current_text is not None else None
    unit = _file_unit(location, masker, current_text, current, desired, secret)
    result = ExportResult(ExportPlan(f"{scheme}:{location}", source.label,
                                     source.describe_state(), [unit]))
    if options.dry_run:
        return result
    result.keys = [k for keys in source.key_names().values() for k in keys] \
        if scheme == "json" else list(desired)
    if location == STDOUT:
        result.output = text
    else:
        _write(Path(location), text)
    result.written = [location]
    _audit(repo, source, f"{scheme}:{location}", result.keys, result.written)
    return result


def _read_current(location: str) -> str | None:
    if location == STDOUT:
        return None
    try:
        return Path(location).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _file_unit(location: str, masker: Masker, current_text: str | None, current: Any,
               desired: Any, secret: set[Any]) -> UnitPlan:
    plain = {p for p, _ in iter_leaves(desired) if p not in secret}
    if current_text is None:
        return UnitPlan(location, CREATE, compare(masker, None, desired, secret, plain))
    if current is None:
        return UnitPlan(location, UPDATE, compare(masker, None, desired, secret, plain),
                        note="the current file is not in this format: replaced whole")
    changes = compare(masker, current, desired, secret, plain)
    return UnitPlan(location, UPDATE if changes else UNCHANGED, changes)


def _write(path: Path, text: str) -> None:
    """Replace `path` atomically, mode 0600 (it holds plaintext secrets)."""
    from lcm.fsutil import atomic_write

    try:
        atomic_write(path, text, mode=0o600)
    except OSError as err:
        raise RepoError(f"{path}: cannot write ({err.strerror or err})") from None


def _audit(repo: Repo, source: Source, target: str, keys: list[str], units: list[str]) -> None:
    audit.record(repo.root, "export", tenant=source.tenant, address=source.label, keys=keys,
                 detail={"target": target, "commit": source.commit or "none",
                         "tree_clean": str(source.clean).lower(), "units": ",".join(units)})


__all__ = ["ExportOptions", "ExportResult", "export", "parse_target"]
