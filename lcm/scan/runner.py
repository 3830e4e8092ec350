"""`lcm scan` as a plain function: options in, report on `out`, exit code back."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import TextIO

from lcm.errors import ExitCode, RepoError, UsageError
from lcm.scan import sources
from lcm.scan.config import load_config
from lcm.scan.engine import Scanner
from lcm.scan.history import iter_history
from lcm.scan.lcmaware import LcmChecks
from lcm.scan.model import Finding, Unreadable, Unscanned
from lcm.scan.report import FORMATS, ScanResult, render


class ScanOptions:
    """The command line of `lcm scan`, already parsed."""

    def __init__(
        self,
        paths: list[str] | None = None,
        staged: bool = False,
        history: bool = False,
        since: str | None = None,
        fmt: str = "text",
        baseline: str | None = None,
        update_baseline: bool = False,
        config: str | None = None,
    ) -> None:
        self.paths = list(paths or [])
        self.staged, self.history, self.since, self.fmt = staged, history, since, fmt
        self.baseline, self.update_baseline, self.config = baseline, update_baseline, config


def check_options(opts: ScanOptions) -> None:
    """Reject contradictory flags with a UsageError (exit 2)."""
    if opts.fmt not in FORMATS:
        raise UsageError(f"--format {opts.fmt}: expected one of {', '.join(FORMATS)}")
    if opts.staged and opts.history:
        raise UsageError("--staged and --history cannot be combined")
    if opts.since is not None and not opts.history:
        raise UsageError("--since needs --history")
    if opts.update_baseline and not opts.baseline:
        raise UsageError("--update-baseline needs --baseline FILE")


def find_scan_root(start: str = ".") -> str:
    """The enclosing Git work tree (found without pygit2), else `start`; configs live here."""
    origin = os.path.abspath(start)
    folder = origin
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return origin
        folder = parent


def run(opts: ScanOptions, out: TextIO, warn: Callable[[str], None]) -> int:
    """Scan what `opts` selects, write the report to `out`, return the exit code."""
    check_options(opts)
    root = find_scan_root()
    config = load_config(root, opts.config)
    scanner = Scanner(disabled=config.disable, allow=config.allow)
    path_filter = sources.PathFilter(config.exclude)
    lcm_checks = LcmChecks(disabled=config.disable, verify_mac=not (opts.staged or opts.history),
                           warn=warn)
    baseline = None
    if opts.baseline:  # read first: a missing or broken baseline fails before any work
        from lcm.scan.baseline import load_baseline

        baseline = load_baseline(opts.baseline, missing_ok=opts.update_baseline)
    result = ScanResult()
    for item in _items(opts, path_filter, root, scanner):
        if isinstance(item, Unscanned):
            result.scanned += item.count
            continue
        if isinstance(item, Unreadable):
            result.unreadable.append(item)
            warn(f"error: {item.path}: cannot read: {item.reason}")
            continue
        result.scanned += 1
        result.findings.extend(lcm_checks.merge(item, scanner.scan(item)))
    if baseline is not None and opts.baseline:
        if opts.update_baseline:
            from lcm.scan.baseline import write_baseline

            count = write_baseline(opts.baseline, baseline, result.findings)
            warn(f"wrote {count} fingerprint(s) to {opts.baseline}")
            return int(ExitCode.REPO) if result.unreadable else int(ExitCode.OK)
        kept: list[Finding] = [f for f in result.findings if not baseline.accepts(f)]
        result.baselined = len(result.findings) - len(kept)
        result.findings = kept
    out.write(render(result, opts.fmt))
    if result.findings and opts.fmt == "text":
        files = len({f.path for f in result.findings})
        warn(f"{len(result.findings)} finding(s) in {files} file(s)")
    elif opts.fmt == "text" and not result.unreadable:
        warn(f"no secrets found in {result.scanned} file{'s' * (result.scanned != 1)}")
    if result.unreadable:
        return int(ExitCode.REPO)
    return int(ExitCode.CHECK_FAILED) if result.findings else int(ExitCode.OK)


def _items(
    opts: ScanOptions, path_filter: sources.PathFilter, root: str, scanner: Scanner
) -> Iterator[sources.Item]:
    try:
        if opts.staged:
            yield from sources.iter_staged(opts.paths, path_filter)
        elif opts.history:
            yield from iter_history(opts.since, opts.paths, path_filter, scanner.may_match)
        elif opts.paths:
            yield from sources.iter_paths(opts.paths, path_filter, root)
        else:
            yield from sources.iter_worktree(path_filter)
    except LookupError as err:
        raise RepoError(str(err.args[0])) from None
