"""Hot reload: a live handle on one effective config for services that read it in process.

Every read first calls `refresh()`, which stats what can change (the manifest, the
tenant's key file, lcm's write journal, Git's HEAD, branch ref and packed refs, and the
env chain's config files, or folders when the handle covers every file of the env) and
compares the stamps with the last load: a few microseconds when nothing changed. When
something did, the repository re-reads only the files whose stat changed (its caches are
keyed by Git blob id), verifies every MAC and decrypts every secret of the candidate, and
only then puts it in service. A candidate that does not verify (bad YAML mid-save, a MAC
failure, a key that is missing) never replaces the last good config: the handle keeps
serving it and reports the error to `on_error` once per state of the files.

A write lcm is still finishing (its journal exists) is not read until it is done, so a
multi-file commit is seen whole. The optional watcher thread polls the stamps every
`interval` seconds and calls `on_change(old, new, changed_key_paths)` once the files
have been quiet for `debounce` seconds: one call per change, however many files it
touched. Limits: file times are as fine as the file system keeps them, so a same-size
rewrite of one file in place within one clock tick can go unseen until the next write.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from lcm.errors import KeyStoreError, LcmError, RepoError
from lcm.format.crypto import is_encrypted
from lcm.format.paths import KeyPath, format_path, iter_leaves, lookup, parse_path
from lcm.format.values import same_value
from lcm.repository import audit
from lcm.repository.address import Address
from lcm.repository.effective import Effective
from lcm.repository.manifest import MANIFEST_NAME
from lcm.repository.repo import CONFIG_DIR, Repo

ChangeCallback = Callable[[Effective, Effective, list[KeyPath]], None]
ErrorCallback = Callable[[LcmError], None]
Stamp = tuple[tuple[int, int, int] | None, ...]

JOURNAL = os.path.join(".lcm", "journal.json")
STALE_JOURNAL = 5.0  # seconds: a journal older than this was left by a killed write
_MISSING: Any = object()


@dataclass(frozen=True)
class Change:
    """One settled change: the config before and after, and the key paths that differ."""

    old: Effective
    new: Effective
    paths: list[KeyPath]


def changed_paths(old: Effective, new: Effective) -> list[KeyPath]:
    """Leaf key paths whose decrypted value differs (new order first, then removals)."""
    before = dict(iter_leaves(old.to_dict(reveal=True)))
    after = dict(iter_leaves(new.to_dict(reveal=True)))
    out = [p for p, v in after.items() if p not in before or not same_value(before[p], v)]
    return out + [p for p in before if p not in after]


class LiveConfig:
    """The current effective config of `tenant/env` (one file `name`, or all of them)."""

    def __init__(self, repo: Repo, tenant: str, env: str, name: str | None = None, *,
                 on_change: ChangeCallback | None = None, on_error: ErrorCallback | None = None,
                 watch: bool = False, interval: float = 0.1, debounce: float = 0.2,
                 retry: float = 5.0) -> None:
        self.repo = repo
        self.tenant = tenant
        self.env = env
        self.name = name
        self.on_change = on_change
        self.on_error = on_error
        self.interval = interval
        self.debounce = debounce
        self.retry = retry
        self.commit: str | None = None  # HEAD when the served config was loaded
        self.last_error: LcmError | None = None
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failed: Stamp | None = None
        self._retry_at = 0.0
        repo.manifest.require_tenant(tenant)
        repo.manifest.env_chain(env)
        self._paths = self._watch_paths()
        self._stamp = self._stat()
        self._current = self._load()
        self.commit = self._head_commit()
        self._delivered = self._current
        if watch:
            self.start()

    # ---- reading ---------------------------------------------------------------------

    @property
    def current(self) -> Effective:
        """The effective config now (the last good one if the files on disk do not verify)."""
        self.refresh()
        return self._current

    def get(self, path: KeyPath | str = (), default: Any = _MISSING, *, reveal: bool = True,
            audited: bool = False) -> Any:
        """The value (or subtree) at `path` (`"llm.model"` or a tuple) of the current config;
        `default` (else KeyError) when it is absent. Secrets are plaintext unless `reveal`
        is False; `audited` records revealed secrets in the audit trail (as `lcm get`)."""
        where = parse_path(path) if isinstance(path, str) else path
        eff = self.current
        try:
            stored = lookup(eff.stored, where)
        except KeyError:
            if default is _MISSING:
                raise
            return default
        value = eff.get_path(where, reveal=reveal)
        secrets = [format_path(p) for p, v in iter_leaves(stored, where) if is_encrypted(v)]
        if reveal and audited and secrets:
            audit.record(self.repo.root, "reveal", tenant=self.tenant, address=self.label,
                         keys=secrets)
        return value

    def to_dict(self, reveal: bool = True) -> dict[Any, Any]:
        return self.current.to_dict(reveal=reveal)

    @property
    def label(self) -> str:
        return f"{self.tenant}/{self.env}" + (f"/{self.name}" if self.name else "")

    # ---- refreshing ------------------------------------------------------------------

    def refresh(self) -> list[KeyPath]:
        """Re-read what changed since the last load; the key paths whose value changed
        (empty when nothing did, or when the change did not verify)."""
        with self._lock:
            stamp = self._stat()
            if stamp == self._stamp or self._writing(stamp):
                return []
            if stamp == self._failed and time.monotonic() < self._retry_at:
                return []
            changed, error = self._reload(stamp)
        if error is not None and self.on_error is not None:
            self.on_error(error)
        return changed

    def _reload(self, stamp: Stamp) -> tuple[list[KeyPath], LcmError | None]:
        """Load the files as they are now: (changed key paths, the error to report)."""
        if stamp[:2] != self._stamp[:2]:  # the manifest or the tenant's key file
            self.repo.reload()
        paths = self._watch_paths()
        if paths != self._paths:  # another env chain, HEAD on another branch, a new folder
            self._paths = paths
            stamp = self._stat()
        try:
            new = self._load()
        except LcmError as err:
            return [], self._failure(stamp, err)
        self._stamp, self._failed, self.last_error = stamp, None, None
        self.commit = self._head_commit()
        if new is self._current:
            return [], None
        changed = changed_paths(self._current, new)
        self._current = new
        return changed, None

    def _failure(self, stamp: Stamp, err: LcmError) -> LcmError | None:
        """Remember a state that did not verify; the error to report (None: reported)."""
        repeated = stamp == self._failed and self.last_error is not None \
            and self.last_error.message == err.message
        self._failed, self._retry_at = stamp, time.monotonic() + self.retry
        self.last_error = err
        return None if repeated else err

    def _load(self) -> Effective:
        """Resolve, verify and decrypt the whole config, or raise."""
        try:
            eff = self.repo.resolve(self.tenant, self.env, self.name)
            if not eff.verified:
                for addr in self._addresses():
                    self.repo.verify(addr)  # raises the reason (no such key version, …)
                raise KeyStoreError(f"{self.label}: no key for tenant {self.tenant!r} to verify "
                                    "the config")
            eff.to_dict(reveal=True)  # a secret that does not open never goes live
        except OSError as err:
            raise RepoError(f"{self.label}: cannot read: {err.strerror}") from None
        return eff

    def _addresses(self) -> list[Address]:
        """The config files the served config is made of."""
        chain = self.repo.manifest.env_chain(self.env)
        if self.name is None:
            return [a for env in chain for a in self.repo.iter_addresses(self.tenant, env)]
        return [a for a in (Address(self.tenant, env, self.name) for env in chain)
                if self.repo.read_document(a) is not None]

    def _writing(self, stamp: Stamp) -> bool:
        """True while an lcm write is being finished (its journal is young)."""
        journal = stamp[2]
        return journal is not None and time.time() - journal[0] / 1e9 < STALE_JOURNAL

    # ---- what to stat ----------------------------------------------------------------

    def _stat(self) -> Stamp:
        out: list[tuple[int, int, int] | None] = []
        for path in self._paths:
            try:
                st = os.stat(path)
            except OSError:
                out.append(None)
                continue
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        return tuple(out)

    def _watch_paths(self) -> list[str]:
        """Manifest, key file and journal first (`_reload` and `_writing` rely on the
        order), then Git's refs, then the config files (or folders) of the env chain."""
        root = self.repo.root
        paths = [str(root / MANIFEST_NAME), str(root / ".lcm" / "keys" / f"{self.tenant}.yaml"),
                 str(root / JOURNAL)]
        paths += _git_paths(root)
        try:
            chain = self.repo.manifest.env_chain(self.env)
        except LcmError:
            return paths  # a broken manifest: _load reports it
        for env in chain:
            if self.name is not None:
                paths.append(str(self.repo.path_of(Address(self.tenant, env, self.name))))
                continue
            folder = root / CONFIG_DIR / self.tenant / env
            paths.append(str(folder))
            if folder.is_dir():
                paths += sorted(str(p) for p in folder.rglob("*")
                                if p.is_dir() or p.suffix == ".yaml")
        return paths

    def _head_commit(self) -> str | None:
        git = _git_dirs(self.repo.root)
        if git is None:
            return None
        try:
            head = (git[0] / "HEAD").read_text(encoding="utf-8").strip()
            if not head.startswith("ref: "):
                return head or None
            ref = head[5:]
            loose = git[1] / ref
            if loose.is_file():
                return loose.read_text(encoding="utf-8").strip() or None
            for line in (git[1] / "packed-refs").read_text(encoding="utf-8").splitlines():
                if line.endswith(" " + ref):
                    return line.split(" ", 1)[0]
        except OSError:
            pass
        return None

    # ---- watching --------------------------------------------------------------------

    def start(self) -> None:
        """Start the watcher thread (it calls `on_change`; a no-op when it runs)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._watch, name=f"lcm live {self.label}",
                                        daemon=True)
        self._thread.start()

    @property
    def watching(self) -> bool:
        """True while the watcher thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def close(self) -> None:
        """Stop the watcher thread (safe to call more than once)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._thread = None

    def __enter__(self) -> "LiveConfig":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _watch(self) -> None:
        for change in self.changes():
            if self.on_change is None:
                continue
            try:
                self.on_change(change.old, change.new, change.paths)
            except Exception as err:  # a failing callback must not stop the watcher
                if self.on_error is not None:
                    self.on_error(LcmError(f"{self.label}: on_change raised "
                                           f"{type(err).__name__}; still watching"))

    def changes(self) -> Iterator[Change]:
        """Settled changes as they happen, until `close()` (use this or `on_change`)."""
        while True:
            change = self.wait()
            if change is None:
                return
            yield change

    def wait(self, timeout: float | None = None) -> Change | None:
        """Block until the served config has changed and the files have been quiet for
        `debounce` seconds; the change, or None after `timeout` or `close()`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        seen, quiet_since = self._stat(), 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            stamp = self._stat()
            if stamp != seen:
                seen, quiet_since = stamp, now
            elif now - quiet_since >= self.debounce:
                self.refresh()
                change = self._undelivered()
                if change is not None:
                    return change
            if deadline is not None and now >= deadline:
                return None
            self._stop.wait(self.interval)
        return None

    def _undelivered(self) -> Change | None:
        with self._lock:
            old, new = self._delivered, self._current
            if new is old:
                return None
            self._delivered = new
        paths = changed_paths(old, new)
        return Change(old, new, paths) if paths else None


def _git_dirs(root: Path) -> tuple[Path, Path] | None:
    """(the Git dir holding HEAD, the common dir holding refs) of the checkout at `root`."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot, dot
        if dot.is_file():
            try:
                line = dot.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if not line.startswith("gitdir: "):
                return None
            gitdir = (folder / line[8:]).resolve()
            common = gitdir / "commondir"
            if common.is_file():
                return gitdir, (gitdir / common.read_text(encoding="utf-8").strip()).resolve()
            return gitdir, gitdir
    return None


def _git_paths(root: Path) -> list[str]:
    """HEAD, the branch ref it names (if any) and packed refs."""
    git = _git_dirs(root)
    if git is None:
        return []
    paths = [str(git[0] / "HEAD"), str(git[1] / "packed-refs")]
    try:
        head = (git[0] / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return paths
    if head.startswith("ref: "):
        paths.append(str(git[1] / head[5:]))
    return paths
