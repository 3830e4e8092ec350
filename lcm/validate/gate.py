"""Validation before writes: the core calls `check_pending` under the writer lock with
every file about to change and its new stored text; an invalid result is refused.

Only errors the write would introduce refuse it, so a repository that already has errors
elsewhere can still be fixed one write at a time. Missing required keys of an effective
config that did not exist before the write are tolerated too: a new config is built one
`lcm set` at a time. Both kinds are what `lcm validate` reports; `remaining` returns them
so the faces tell the user after every accepted write until the config is complete (the
gate and `validate` run the same checks: a write never makes the repository invalid
silently). An error of an effective config that sits in a file the write did not touch
is reported at the written file and key, naming the config. When no schema maps to the
files written and the manifest is untouched, this returns before importing jsonschema.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable, Mapping

from lcm.errors import CheckFailed
from lcm.format.paths import KeyPath, iter_leaves
from lcm.repository.address import Address
from lcm.repository.manifest import MANIFEST_NAME
from lcm.repository.repo import Repo
from lcm.validate.findings import Finding, Report
from lcm.validate.mapping import schema_for
from lcm.validate.problems import Problem
from lcm.validate.repocheck import Layer, RepoCheck, config_address, effective_targets, shown


class ValidationFailed(CheckFailed):
    """A write refused by validation; `findings` are the new errors, located in the new text."""

    def __init__(self, findings: list[Finding]) -> None:
        lines = "\n".join(f.text() for f in findings)
        count = len(findings)
        super().__init__(
            f"refused: the result would not validate "
            f"({count} error{'s' * (count != 1)}); nothing was written\n{lines}"
        )
        self.findings = findings


def check_pending(repo: Repo, pending: Mapping[Path, str | None]) -> None:
    """Refuse a write whose result is invalid (raises ValidationFailed, exit 1); a text of
    None deletes the file (an override removed can make an effective config invalid)."""
    manifest_path = (repo.root / MANIFEST_NAME).resolve()
    writes_manifest = any(Path(p).resolve() == manifest_path for p in pending)
    files = [a for a in (config_address(repo, Path(p)) for p in pending) if a is not None]
    if not writes_manifest and not files:
        return
    mapped = _mapped_configs(repo, files)
    if not writes_manifest and not mapped:
        return
    after, check = _findings(repo, pending, files, mapped, writes_manifest)
    if not after:
        return
    before = {_identity(f) for f in _findings(repo, {}, files, mapped, writes_manifest)[0]}
    existed = {"{}/{}/{}".format(*c) for c in mapped if _exists(repo, c)}
    new = [
        f
        for f in after
        if _identity(f) not in before
        and f.keyword != "unsealed"  # a write without the key, asked for: reported, not refused
        and not (f.rule == "required" and f.config is not None and f.config not in existed)
    ]
    if new:
        raise ValidationFailed([_at_written_file(repo, check, f, files) for f in new])


def remaining(repo: Repo, files: Iterable[Address]) -> list[Finding]:
    """What `lcm validate` reports for `files` and the effective configs that include them
    (after an accepted write: a config not complete yet, or errors it already had)."""
    files = list(files)
    mapped = _mapped_configs(repo, files)
    if not mapped:
        return []
    return _findings(repo, {}, files, mapped, False)[0]


def _mapped_configs(repo: Repo, files: list[Address]) -> list[tuple[str, str, str]]:
    """The effective configs including `files` that a schema applies to."""
    configs = effective_targets(repo, files)
    return [c for c in configs if schema_for(repo.manifest.schemas, "{}/{}/{}.yaml".format(*c))]


def _findings(
    repo: Repo,
    texts: Mapping[Path, str | None],
    files: list[Address],
    configs: list[tuple[str, str, str]],
    manifest: bool,
) -> tuple[list[Finding], RepoCheck]:
    """Findings of the given files and effective configs, with `texts` replacing the disk."""
    report = Report()
    check = RepoCheck(
        repo, report, verify_mac=False, texts={Path(p).resolve(): t for p, t in texts.items()}
    )
    if manifest and (texts or repo.manifest.path.exists()):
        check.check_manifest()
    check.run([a for a in files if check.layer(a) is not None], configs)
    return report.sorted_findings(), check


def _at_written_file(
    repo: Repo, check: RepoCheck, finding: Finding, files: list[Address]
) -> Finding:
    """An effective-config error located in a file the write did not touch, moved to the
    written file of that config's env chain (at the changed key nearest the error), saying
    that the effective config fails and where the offending value sits."""
    if finding.config is None or not finding.inherited:
        return finding
    tenant, env, name = finding.config.split("/", 2)
    chain = [Address(tenant, e, name) for e in reversed(repo.manifest.env_chain(env))]
    written = next((a for a in chain if a in files), None)
    layer = check.layer(written) if written is not None else None
    if layer is None or shown(layer.path) == finding.file:
        return finding
    key = _changed_key(repo, layer, finding.path)
    line, col = layer.position(Problem(key, finding.keyword, finding.message, anchor="key"))
    message = (f"the effective config {finding.config} would not validate: "
               f"{finding.key + ': ' if finding.path else ''}{finding.message} "
               f"(at {finding.file}:{finding.line}:{finding.col})")
    return replace(finding, file=shown(layer.path), line=line, col=col, path=key,
                   message=message, inherited=False)


def _changed_key(repo: Repo, layer: Layer, near: KeyPath) -> KeyPath:
    """The key the write changed in `layer` that is nearest to `near` (else `near`)."""
    on_disk = RepoCheck(repo, Report(), verify_mac=False).layer(layer.addr)
    old = dict(iter_leaves(on_disk.tree)) if on_disk is not None else {}
    new = dict(iter_leaves(layer.tree))
    changed = [p for p in new if p not in old or old[p] != new[p]]
    changed += [p for p in old if p not in new]
    related = [p for p in changed if p[: len(near)] == near or near[: len(p)] == p]
    return related[0] if related else near


def _exists(repo: Repo, config: tuple[str, str, str]) -> bool:
    """True when some file of the config's env chain is on disk (before the write)."""
    tenant, env, name = config
    return any(
        repo.path_of(Address(tenant, e, name)).is_file() for e in repo.manifest.env_chain(env)
    )


def _identity(f: Finding) -> tuple[object, ...]:
    """What makes an error the same before and after a write (lines may move)."""
    return (f.file, f.path, f.keyword, f.message)
