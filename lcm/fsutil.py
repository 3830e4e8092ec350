"""Atomic file writes and the process-wide, re-entrant writer locks."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Iterator


def atomic_write(path: Path, text: str | bytes, mode: int = 0o644,
                 tmp_dir: Path | None = None) -> None:
    """Write `path` through a temp file (in `tmp_dir`, else beside it), fsync and rename.

    `tmp_dir` must be on the same filesystem as `path`; lcm puts repository temp
    files in `.lcm/tmp/`, where neither Git nor `lcm validate` looks at them.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = tmp_dir if tmp_dir is not None else path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, mode)
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


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
