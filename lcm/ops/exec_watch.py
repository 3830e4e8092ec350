"""`lcm exec --watch TENANT/ENV [NAME…] [--signal SIG] -- CMD…`: `lcm exec`, with the
child kept in step with its effective config (docs/reload.md, docs/export.md).

A live handle on the env (or the one file named) reports each settled change; the
environment is then flattened again exactly as `lcm exec` builds it, and the supervisor
(lcm.ops.supervise) restarts the child, or sends it `reload_signal`, once the
environments have settled and only when the child's would differ. A change that does not
verify (bad YAML mid-save, a MAC failure, a missing key) and a config that cannot be
flattened any more leave the running child alone: one warning each. Every start and
restart is audited like `lcm exec` (variable names, never values). The environment also
changes when a published previous value's overlap window ends (no file changes then), so
that moment is watched for too.
"""

from __future__ import annotations

import collections
import threading
from typing import Any, Callable, Mapping, Sequence

from lcm.clock import now, parse_time
from lcm.errors import LcmError
from lcm.ops.exec import Prepared, prepare, record
from lcm.ops.export.source import parse_env
from lcm.ops.supervise import Supervisor
from lcm.repository.effective import Effective
from lcm.repository.live import LiveConfig
from lcm.repository.repo import Repo

WarnCallback = Callable[[str], None]
_RECENT = 4  # environments prepared but perhaps not started yet (for their audit entry)


class ExecWatch:
    """One `lcm exec --watch`: construct it (reads and checks the config, starts nothing),
    look at `first` (e.g. its `shadowed` names), then `run()` until the child exits."""

    def __init__(self, repo: Repo, env_text: str, names: tuple[str, ...], argv: Sequence[str],
                 *, prefix: str = "", override: bool = True, reload_signal: int | None = None,
                 debounce: float = 0.5, grace: float = 10.0,
                 warn: WarnCallback | None = None) -> None:
        self.repo = repo
        self.env_text = env_text
        self.names = names
        self.argv = list(argv)
        self.prefix = prefix
        self.override = override
        self.warn = warn or (lambda _message: None)
        tenant, env = parse_env(repo, env_text)
        # The handle first: a change landing while `first` is read is still reported.
        self.live = LiveConfig(repo, tenant, env, names[0] if len(names) == 1 else None,
                               on_error=self._not_reloaded)
        self._recent: collections.deque[Prepared] = collections.deque(maxlen=_RECENT)
        self._lock = threading.Lock()
        self._changing = threading.Lock()  # the watcher and the window timer, one at a time
        self._timer: threading.Timer | None = None
        try:
            self.first = self._prepare()
        except BaseException:
            self.live.close()
            raise
        self.supervisor = Supervisor(self.argv, self.first.env, base_env={},
                                     reload_signal=reload_signal, debounce=debounce,
                                     grace=grace, on_start=self._audit)

    def run(self) -> int:
        """Start the child and keep it in step until it exits; its exit status."""
        self.live.on_change = self._changed
        self.live.start()
        self._expire_at(self.first)
        try:
            return self.supervisor.run()
        finally:
            self.live.close()
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()

    def _prepare(self) -> Prepared:
        prepared = prepare(self.repo, self.env_text, self.names, prefix=self.prefix,
                           override=self.override, command=self.argv[0], audited=False)
        with self._lock:
            self._recent.append(prepared)
        return prepared

    def _changed(self, _old: Effective | None = None, _new: Effective | None = None,
                 _paths: Any = None) -> None:
        """A settled change (or a window's end): flatten again and hand it on."""
        with self._changing:
            try:
                prepared = self._prepare()
            except LcmError as err:
                self._not_reloaded(err)
                return
            self.supervisor.update(prepared.env)
            self._expire_at(prepared)

    def _not_reloaded(self, err: LcmError) -> None:
        self.warn(f"{err.message}; the child keeps its config")

    def _audit(self, event: str, env: Mapping[str, str]) -> None:
        """Record the environment a (re)started child gets, before it gets it."""
        with self._lock:
            prepared = next((p for p in reversed(self._recent) if p.env == env), self._recent[-1])
        record(self.repo, prepared, self.argv[0], event)

    def _expire_at(self, prepared: Prepared) -> None:
        """Look again when the first published previous value's window ends."""
        ends = prepared.source.expires() if prepared.source is not None else None
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if ends is None:
                return
            # lcm.clock has whole seconds: waking a little late is what makes it "after".
            delay = max((parse_time(ends) - now()).total_seconds(), 0.0) + 0.05
            self._timer = threading.Timer(delay, self._changed)
            self._timer.daemon = True
            self._timer.start()
