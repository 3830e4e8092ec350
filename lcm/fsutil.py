"""Atomic file writes and the process-wide, re-entrant writer locks."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Iterator


def atomic_write(path: Path, text: str | bytes, mode: int = 0o644,
                 tmp_dir: Path | None = None, sync: bool = True, sweep: bool = True) -> None:
    """Write `path` through a temp file (in `tmp_dir`, else beside it), fsync and rename.
    With `sync` False the caller makes the data durable itself (one pass after many
    writes: `fsync_paths`). With `sweep` False the caller has swept `tmp_dir` already.

    `tmp_dir` must be on the same filesystem as `path`; lcm puts repository temp
    files in `.lcm/tmp/`, where neither Git nor `lcm validate` looks at them. The temp
    file's name carries this process's id, so the next write sweeps what a writer
    killed mid-write (SIGKILL, power loss) left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = tmp_dir if tmp_dir is not None else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    if sweep:
        sweep_stale_temps(folder, None if tmp_dir is not None else path.name)
    fd, tmp = tempfile.mkstemp(prefix=f"{_temp_prefix(path.name)}{os.getpid()}.", suffix=".tmp",
                               dir=folder)
    try:
        os.fchmod(fd, mode)
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if sync:
        fsync_dir(path.parent)


def fsync_paths(files: list[Path], folders: set[Path]) -> None:
    """Make written files and the renames and removals in `folders` durable, each folder
    once (after a batch of `atomic_write(..., sync=False)`)."""
    for path in files:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for folder in sorted(folders):
        fsync_dir(folder)


# `.NAME.PID.RANDOM.tmp`; lcm versions before the pid was added wrote `.NAME.RANDOM.tmp`.
_TEMP_NAME = re.compile(r"^\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.tmp$")


def _temp_prefix(name: str) -> str:
    return f".{name[:100]}."


def sweep_stale_temps(folder: Path, name: str | None = None) -> None:
    """Remove the temp files (`.NAME.PID.RANDOM.tmp`) killed writers left in `folder`,
    only those of file `name` when given; a live process's are kept."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in entries:
        match = _TEMP_NAME.match(entry)
        if match is None or (name is not None and not entry.startswith(_temp_prefix(name))):
            continue
        if match["pid"] and process_alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            os.unlink(folder / entry)


def process_alive(pid: int) -> bool:
    """True when a process with this id exists (another user's counts as alive)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0
    return True


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class _FileLock:
    """One lock file, held by at most one thread of this process and one process.

    `flock` alone would deadlock a process that takes the same lock twice through two
    descriptors, and does not exclude the process's other threads; the RLock does both.
    """

    def __init__(self, path: Path, mode: int) -> None:
        self.path = path
        self.mode = mode
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    def acquire(self) -> None:
        import fcntl

        self.thread_lock.acquire()
        try:
            if self.depth == 0:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, self.mode)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
                self.fd = fd
            self.depth += 1
        except BaseException:
            self.thread_lock.release()
            raise

    def release(self) -> None:
        import fcntl

        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
        self.thread_lock.release()


_LOCKS: dict[str, _FileLock] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def locked(lock_path: Path, mode: int = 0o644) -> Iterator[None]:
    """Hold the exclusive lock `lock_path` (re-entrant within a thread; other threads
    and other processes wait)."""
    key = os.path.abspath(lock_path)
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = _FileLock(Path(key), mode)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()
