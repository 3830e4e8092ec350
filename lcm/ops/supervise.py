"""Run a child process with an environment and keep it in step with a changing config
(the engine of `lcm exec --watch`).

`Supervisor.update(env)` may be called from any thread (a live handle's `on_change`).
Once no update has come for `debounce` seconds, the latest environment is compared with
the child's: if it differs, the child is restarted with it (SIGTERM to its process
group, SIGKILL after `grace` seconds, then a new child), or, with `reload_signal`, sent
that signal instead (the child re-reads its config itself; its environment stays). A
burst of updates is one restart; an update that leaves the environment as it is, none.

The child runs in a process group of its own, so a restart also ends what it started,
and every signal the supervisor gets (HUP, INT, QUIT, TERM, USR1, USR2, WINCH) reaches
the child exactly once: the supervisor forwards it (Ctrl-C in a terminal reaches only
the supervisor's group, which is the terminal's foreground group). Ctrl-Z stops both:
the supervisor passes TSTP on, stops itself, and passes CONT on when resumed. The
price: the child cannot read from the terminal (its stdin is /dev/null when ours is a
terminal; a background process group reading it would be stopped). After an INT or TERM
no restart happens any more. When the child exits on its own, `run()` returns its status
(128+N for a child killed by signal N, as shells report it). A command that cannot be
started is exec's `LaunchError` (127 not found, 126 cannot run), as for `lcm exec`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from typing import Any, Callable, Mapping, Sequence

from lcm.errors import UsageError
from lcm.ops.exec import launch
from lcm.repository.effective import Effective
from lcm.repository.live import LiveConfig

FORWARDED = (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGUSR1,
             signal.SIGUSR2, signal.SIGWINCH)
_ENDING = (signal.SIGINT, signal.SIGTERM)
EventCallback = Callable[[str, int], None]  # ("start" | "restart" | "signal", child pid)
StartCallback = Callable[[str, Mapping[str, str]], None]  # ("start" | "restart", its env)


class Supervisor:
    """One child process kept in step with `update()`d environments; see the module doc."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], *,
                 reload_signal: int | None = None, debounce: float = 0.5, grace: float = 10.0,
                 base_env: Mapping[str, str] | None = None, poll: float = 0.05,
                 on_event: EventCallback | None = None,
                 on_start: StartCallback | None = None) -> None:
        if not argv:
            raise UsageError("no command to run (give it after `--`)")
        self.argv = list(argv)
        self.reload_signal = reload_signal
        self.debounce = debounce
        self.grace = grace
        self.base_env = dict(os.environ if base_env is None else base_env)
        self.poll = poll
        self.on_event = on_event
        self.on_start = on_start  # before a child gets an environment (to audit it)
        self.starts = 0
        self.signals_sent = 0
        self._env = dict(env)
        self._pending: dict[str, str] | None = None
        self._updated_at = 0.0
        self._ending = False
        self._wake = threading.Condition()
        self._child: subprocess.Popen[bytes] | None = None
        self._starting = True  # until a child exists, signals are held for it
        self._held: list[int] = []  # signals that came while a child was being started

    # ---- called from other threads --------------------------------------------------

    def update(self, env: Mapping[str, str]) -> None:
        """A new environment for the child (applied once updates have settled)."""
        with self._wake:
            self._pending = dict(env)
            self._updated_at = time.monotonic()
            self._wake.notify_all()

    def follow(self, live: LiveConfig, env_of: Callable[[Effective], Mapping[str, str]]) -> None:
        """Take every settled change of `live` as an update (starts its watcher thread)."""
        live.on_change = lambda _old, new, _paths: self.update(env_of(new))
        live.start()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Pass `sig` to the child and restart it no more (as if the supervisor got it)."""
        self._forward(sig)

    # ---- the loop -------------------------------------------------------------------

    def run(self) -> int:
        """Start the child and supervise it until it exits; its exit status."""
        installed = self._install_handlers()
        try:
            self._start()
            while True:
                child = self._child
                assert child is not None
                code = child.poll()
                if code is not None:
                    return 128 - code if code < 0 else code
                env = self._settled()
                if env is not None and env != self._env and not self._ending:
                    self._apply(env)
        finally:
            for sig, previous in installed.items():
                signal.signal(sig, previous)

    def _settled(self) -> dict[str, str] | None:
        """The pending environment once `debounce` seconds passed without an update."""
        with self._wake:
            if self._pending is None:
                self._wake.wait(self.poll)
                return None
            left = self._updated_at + self.debounce - time.monotonic()
            if left > 0:
                self._wake.wait(min(left, self.poll))
                return None
            env, self._pending = self._pending, None
            return env

    def _apply(self, env: dict[str, str]) -> None:
        child = self._child
        assert child is not None
        if child.poll() is not None:
            return  # it exited on its own meanwhile: `run` returns its status
        self._env = env
        if self.reload_signal is not None:
            self._signal_group(child, self.reload_signal)
            self.signals_sent += 1
            self._event("signal", child.pid)
            return
        self._end(child)
        if not self._ending:
            self._start("restart")

    def _start(self, event: str = "start") -> None:
        self._starting = True  # a signal from now on is held for the new child, not lost
        try:
            if self.on_start is not None:
                self.on_start(event, self._env)
            stdin = subprocess.DEVNULL if os.isatty(0) else None
            self._child = launch(self.argv, {**self.base_env, **self._env}, process_group=0,
                                 stdin=stdin)
        finally:
            self._starting = False
        held, self._held = self._held, []
        for sig in held:
            self._signal_group(self._child, sig)
        self.starts += 1
        self._event(event, self._child.pid)

    def _end(self, child: subprocess.Popen[bytes]) -> None:
        """Stop the child's process group: TERM, then KILL after `grace` seconds."""
        self._signal_group(child, signal.SIGTERM)
        try:
            child.wait(self.grace)
        except subprocess.TimeoutExpired:
            self._signal_group(child, signal.SIGKILL)
            child.wait()

    # ---- signals --------------------------------------------------------------------

    def _install_handlers(self) -> dict[int, Any]:
        """Forward signals to the child (only the main thread may install handlers)."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        installed: dict[int, Any] = {}
        for sig in FORWARDED:
            installed[sig] = signal.signal(sig, lambda num, _frame: self._forward(num))
        installed[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, lambda *_: self._suspend())
        installed[signal.SIGCONT] = signal.signal(
            signal.SIGCONT, lambda *_: self._signal_child(signal.SIGCONT))
        return installed

    def _suspend(self) -> None:
        """Ctrl-Z: stop the child's group, then ourselves (SIGCONT resumes both)."""
        self._signal_child(signal.SIGTSTP)
        os.kill(os.getpid(), signal.SIGSTOP)

    def _signal_child(self, sig: int) -> None:
        if self._starting:
            self._held.append(sig)
            return
        child = self._child
        if child is not None:
            self._signal_group(child, sig)

    def _forward(self, sig: int) -> None:
        if sig in _ENDING:
            self._ending = True
        self._signal_child(sig)
        with self._wake:
            self._wake.notify_all()

    @staticmethod
    def _signal_group(child: subprocess.Popen[bytes], sig: int) -> None:
        try:
            os.killpg(child.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass  # already gone

    def _event(self, what: str, pid: int) -> None:
        if self.on_event is not None:
            self.on_event(what, pid)


def supervise_live(live: LiveConfig, argv: Sequence[str],
                   env_of: Callable[[Effective], Mapping[str, str]], *,
                   reload_signal: int | None = None, debounce: float = 0.5, grace: float = 10.0,
                   base_env: Mapping[str, str] | None = None,
                   on_event: EventCallback | None = None,
                   on_start: StartCallback | None = None) -> int:
    """Run `argv` with `env_of(config)` (over `base_env`, default ours; pass {} when
    `env_of` gives the whole environment) and keep it in step with `live`'s config until
    the child exits (`lcm exec --watch`); the child's exit status."""
    supervisor = Supervisor(argv, env_of(live.current), reload_signal=reload_signal,
                            debounce=debounce, grace=grace, base_env=base_env,
                            on_event=on_event, on_start=on_start)
    supervisor.follow(live, env_of)
    try:
        return supervisor.run()
    finally:
        live.close()
