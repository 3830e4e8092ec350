"""`lcm exec TENANT/ENV [NAME…] -- CMD…`: run a command with the effective config in its
environment (docs/export.md, "exec").

The variables are the flattening rule's (lcm.ops.flatten), secrets decrypted. By
default they override variables of the same name already set (`override=False`:
the environment wins). The command runs as a child: lcm forwards the signals a
supervisor sends (TERM, INT, HUP, QUIT, USR1, USR2, WINCH) and returns the child's
exit status (128+N when a signal N ended it; 127 when the command is not found,
126 when it cannot be run). When lcm runs in the foreground of a terminal, the
keyboard's INT and QUIT already reach the child (same process group), so lcm does
not send them a second time. lcm writes nothing to stdout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from lcm.errors import LcmError, RepoError
from lcm.ops.export.source import Source, collect, parse_env
from lcm.repository import audit
from lcm.repository.repo import Repo

FORWARDED = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH")
KEYBOARD = ("SIGINT", "SIGQUIT")
NOT_FOUND, NOT_EXECUTABLE = 127, 126


class LaunchError(LcmError):
    """The command could not be started; `status` is the shell's 127 or 126."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Prepared:
    """The child's environment and what lcm tells the user about it (names only)."""

    env: dict[str, str]
    names: list[str]
    shadowed: list[str] = field(default_factory=list)  # names both set and in the config
    source: Source | None = None  # where the config came from (for the audit entry)


def prepare(repo: Repo, env_text: str, names: tuple[str, ...] = (), *, prefix: str = "",
            override: bool = True, base: dict[str, str] | None = None,
            command: str = "", audited: bool = True) -> Prepared:
    """The environment for the child: `base` (default: ours) plus the flattened config;
    audited unless `audited` is False (then `record` it when the child gets it)."""
    tenant, env = parse_env(repo, env_text)
    source = collect(repo, tenant, env, names)
    flat = source.flat(prefix)
    for name, value in flat.items():
        if "\0" in value.value:
            raise RepoError(f"{value.origin}: the value of {name} holds a NUL byte, which an"
                            " environment variable cannot")
    child = dict(os.environ if base is None else base)
    shadowed = [name for name in flat if name in child and child[name] != flat[name].value]
    for name, value in flat.items():
        if override or name not in child:
            child[name] = value.value
    prepared = Prepared(child, list(flat), shadowed, source)
    if audited:
        record(repo, prepared, command)
    return prepared


def record(repo: Repo, prepared: Prepared, command: str, event: str | None = None) -> None:
    """The `exec` audit entry for handing `prepared` to a child: variable names, commit
    and the command's file name (its arguments may hold secrets); `event` for --watch."""
    source = prepared.source
    assert source is not None
    detail = {"target": f"exec:{Path(command).name}", "commit": source.commit or "none",
              "tree_clean": str(source.clean).lower(),
              "files": ",".join(f.name for f in source.files)}
    if event is not None:
        detail["watch"] = event
    audit.record(repo.root, "exec", tenant=source.tenant, address=source.label,
                 keys=prepared.names, detail=detail)


def launch(argv: list[str], env: dict[str, str], **popen: Any) -> subprocess.Popen[bytes]:
    """Start `argv`; LaunchError (127 not found, 126 cannot run) as a shell reports it."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return subprocess.Popen(argv, env=env, **popen)
    except FileNotFoundError:
        raise LaunchError(f"{argv[0]}: command not found", NOT_FOUND) from None
    except PermissionError:
        raise LaunchError(f"{argv[0]}: permission denied", NOT_EXECUTABLE) from None
    except OSError as err:
        raise LaunchError(f"{argv[0]}: cannot run it ({err.strerror})", NOT_EXECUTABLE) from None


def _in_terminal_foreground() -> bool:
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp():
                return True
        except OSError:
            continue
    return False


def run(argv: list[str], env: dict[str, str]) -> int:
    """Run `argv` with `env`, forwarding signals; the child's exit status (see module doc)."""
    if not argv:
        raise LaunchError("no command to run after --", 2)
    child: list[subprocess.Popen[bytes]] = []
    pending: list[int] = []
    skip = {getattr(signal, n) for n in KEYBOARD} if _in_terminal_foreground() else set()

    def forward(signum: int, _frame: FrameType | None) -> None:
        if signum in skip:
            return
        if child:
            _send(child[0], signum)
        else:
            pending.append(signum)

    wanted = [getattr(signal, n) for n in FORWARDED if hasattr(signal, n)]
    previous: dict[int, Any] = {}
    try:
        for signum in wanted:
            previous[signum] = signal.signal(signum, forward)
        child.append(launch(argv, env))
        for signum in pending:
            _send(child[0], signum)
        status = child[0].wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - status if status < 0 else status


def _send(proc: subprocess.Popen[bytes], signum: int) -> None:
    try:
        proc.send_signal(signum)
    except ProcessLookupError:
        pass
