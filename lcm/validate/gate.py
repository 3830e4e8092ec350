"""Validation before writes: the core calls `check_pending` under the writer lock with
every file about to change and its new stored text; an invalid result is refused.

Only errors the write would introduce refuse it, so a repository that already has errors
elsewhere can still be fixed one write at a time. Missing required keys of an effective
config that did not exist before the write are tolerated too: a new config is built one
`lcm set` at a time, and `lcm validate` (CI) still reports it until it is complete. When
no schema maps to the files written and the manifest is untouched, this returns before
importing jsonschema.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from lcm.errors import CheckFailed

if TYPE_CHECKING:
    from lcm.repository.address import Address
    from lcm.repository.repo import Repo
    from lcm.validate.findings import Finding


class ValidationFailed(CheckFailed):
    """A write refused by validation; `findings` are the new errors, located in the new text."""

    def __init__(self, findings: list["Finding"]) -> None:
        lines = "\n".join(f.text() for f in findings)
        count = len(findings)
        super().__init__(
            f"refused: the result would not validate "
            f"({count} error{'s' * (count != 1)}); nothing was written\n{lines}"
        )
        self.findings = findings


def check_pending(repo: "Repo", pending: Mapping[Path, str | None]) -> None:
    """Refuse a write whose result is invalid (raises ValidationFailed, exit 1); a text of
    None deletes the file (an override removed can make an effective config invalid)."""
    from lcm.repository.manifest import MANIFEST_NAME
    from lcm.validate.mapping import schema_for
    from lcm.validate.repocheck import config_address, effective_targets

    manifest_path = (repo.root / MANIFEST_NAME).resolve()
    writes_manifest = any(Path(p).resolve() == manifest_path for p in pending)
    files = [a for a in (config_address(repo, Path(p)) for p in pending) if a is not None]
    if not writes_manifest and not files:
        return
    configs = effective_targets(repo, files)
    mapped = [c for c in configs if schema_for(repo.manifest.schemas, "{}/{}/{}.yaml".format(*c))]
    if not writes_manifest and not mapped:
        return
    after = _findings(repo, pending, files, mapped, writes_manifest)
    if not after:
        return
    before = {_identity(f) for f in _findings(repo, {}, files, mapped, writes_manifest)}
    existed = {"{}/{}/{}".format(*c) for c in mapped if _exists(repo, c)}
    new = [
        f
        for f in after
        if _identity(f) not in before
        and not (f.rule == "required" and f.config is not None and f.config not in existed)
    ]
    if new:
        raise ValidationFailed(new)


def _findings(
    repo: "Repo",
    texts: Mapping[Path, str | None],
    files: list["Address"],
    configs: list[tuple[str, str, str]],
    manifest: bool,
) -> list["Finding"]:
    """Findings of the given files and effective configs, with `texts` replacing the disk."""
    from lcm.validate.findings import Report
    from lcm.validate.repocheck import RepoCheck

    report = Report()
    check = RepoCheck(
        repo, report, verify_mac=False, texts={Path(p).resolve(): t for p, t in texts.items()}
    )
    if manifest and (texts or repo.manifest.path.exists()):
        check.check_manifest()
    check.run([a for a in files if check.layer(a) is not None], configs)
    return report.sorted_findings()


def _exists(repo: "Repo", config: tuple[str, str, str]) -> bool:
    """True when some file of the config's env chain is on disk (before the write)."""
    from lcm.repository.address import Address

    tenant, env, name = config
    return any(
        repo.path_of(Address(tenant, e, name)).is_file() for e in repo.manifest.env_chain(env)
    )


def _identity(f: "Finding") -> tuple[object, ...]:
    """What makes an error the same before and after a write (lines may move)."""
    return (f.file, f.path, f.keyword, f.message)
