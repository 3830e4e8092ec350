"""What `lcm validate [PATH…] [--schema FILE]` checks: a whole repository, some of its
files, or (outside a repository, or for files outside `config/`) any YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from lcm.errors import RepoError, UsageError
from lcm.validate.findings import Report

if TYPE_CHECKING:
    from lcm.repository.repo import Repo

YAML_SUFFIXES = (".yaml", ".yml")


def validate(paths: Iterable[Path], schema: str | None = None, *, use_keys: bool = True) -> Report:
    """Validate `paths` (the whole repository when empty) and return what was found."""
    from lcm.repository.repo import Repo

    paths = list(paths)
    schema = _absolute(schema)
    try:
        repo = Repo.open()
    except RepoError as err:
        if schema is None:
            raise RepoError(
                f"{err.message.split(' (')[0]}; pass --schema FILE to validate "
                "YAML files outside an lcm repository"
            ) from None
        if not paths:
            raise UsageError("give the YAML files to validate with --schema") from None
        return standalone(paths, schema)
    return in_repo(repo, paths, schema, use_keys)


def standalone(paths: Iterable[Path], schema_ref: str, report: Report | None = None) -> Report:
    """Each YAML file (folders searched for *.yaml, *.yml) checked on its own."""
    from lcm.validate.engine import check_text
    from lcm.validate.repocheck import shown
    from lcm.validate.schemas import load

    report = report or Report()
    schema = load(schema_ref)
    for path in expand(paths):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise RepoError(f"{shown(path)}: cannot read: {err}") from None
        for finding in check_text(text, shown(path), schema):
            report.add(finding)
        report.files_checked += 1
    return report


def in_repo(repo: Repo, paths: list[Path], schema: str | None, use_keys: bool) -> Report:
    """Validate inside a repository: the manifest, config files, effective configs."""
    from lcm.repository.manifest import MANIFEST_NAME
    from lcm.validate.repocheck import RepoCheck, config_address

    report = Report()
    check = RepoCheck(repo, report, schema_override=schema, use_keys=use_keys)
    manifest = repo.root / MANIFEST_NAME
    files, others, with_manifest = [], [], not paths
    for given in paths:
        for path in expand([given]):
            if path.resolve() == manifest.resolve():
                with_manifest = True
            elif (addr := config_address(repo, path)) is not None:
                files.append(addr)
            elif not given.is_dir():
                others.append(path)
    if with_manifest:
        check.check_manifest()
    try:
        repo.manifest
    except RepoError as err:
        report.fatal = err.message
        return report
    if others:
        if schema is None:
            raise UsageError(
                f"{others[0]}: not a config file under config/ (pass --schema FILE "
                "to validate other YAML files)"
            )
        standalone(others, schema, report)
    if not paths:
        all_files, configs = check.all_targets()
        check.run(all_files, configs)
    else:
        check.run(files, check.effective_targets(files))
    return report


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders replaced by the YAML files below them (sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
            )
        elif path.exists():
            out.append(path)
        else:
            raise RepoError(f"{path}: no such file")
    return out


def _absolute(schema: str | None) -> str | None:
    """A --schema path made absolute (it is relative to the cwd, not the repository)."""
    if schema is None or schema.startswith("lcm:"):
        return schema
    return str(Path(schema).resolve())
