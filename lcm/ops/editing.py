"""`lcm edit`: the decrypted file in $EDITOR, re-encrypted on save.

The plaintext lives only in a 0600 temp file in $XDG_RUNTIME_DIR or /dev/shm
(memory-backed), removed on every way out, signals included. A YAML or
validation error re-opens the editor with the error as a comment at the top,
so no edit is lost. Keys that were secret stay secret, and keys matching the
manifest's secret globs become secret.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from lcm.repository.address import Address
from lcm.errors import CheckFailed, LcmError, RepoError, UsageError
from lcm.repository.repo import Repo

if TYPE_CHECKING:
    from lcm.format.document import Document

HEADER = (
    "# lcm edit {addr}: secrets are decrypted in this buffer. Save and quit to\n"
    "# re-encrypt and commit; quit without saving to cancel. This line and the\n"
    "# one above are removed on save.\n"
)
ERROR_PREFIX = "# lcm error: "


def _private_dir() -> Path:
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            return Path(candidate)
    raise UsageError("lcm edit needs a private memory-backed folder: set XDG_RUNTIME_DIR (or mount /dev/shm)")


@contextlib.contextmanager
def _private_file(text: str) -> Iterator[Path]:
    fd, name = tempfile.mkstemp(prefix="lcm-edit-", suffix=".yaml", dir=_private_dir())
    path = Path(name)
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}

    def _bail(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        for sig in previous:
            signal.signal(sig, _bail)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_editor(path: Path) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        result = subprocess.run([*shlex.split(editor), str(path)])
    except FileNotFoundError:
        raise UsageError(f"editor {editor!r} not found (set $EDITOR)") from None
    if result.returncode != 0:
        raise UsageError(f"editor exited with status {result.returncode}; nothing changed")


def _strip_header(text: str, header: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(ERROR_PREFIX):
        lines.pop(0)
    body = "".join(lines)
    return body[len(header):] if body.startswith(header) else body


def edit_file(repo: Repo, addr: Address, message: str | None = None, commit: bool = True,
              max_rounds: int = 20) -> bool:
    """Edit one file; True when a change was saved."""
    from lcm.repository import audit
    from lcm.format.document import META_KEY, Document
    from lcm.format.views import plaintext_view

    doc = repo.read_document(addr)
    plain = repo.decrypt(addr) if doc is not None else {}
    start_text = plaintext_view(doc, plain) if doc is not None else ""
    header = HEADER.format(addr=addr)
    audit.record(repo.root, "edit", tenant=addr.tenant, address=str(addr))
    buffer = header + start_text
    with _private_file(buffer) as tmp:
        for _ in range(max_rounds):
            _run_editor(tmp)
            edited = _strip_header(tmp.read_text(encoding="utf-8"), header)
            if edited == start_text:
                return False
            try:
                new_doc = Document.parse(edited, f"{addr} (edited)")
                if META_KEY in new_doc.full:
                    raise RepoError(f"{addr}: the top-level key {META_KEY!r} is reserved for lcm")
                return _save(repo, addr, doc, new_doc, message, commit)
            except (CheckFailed, RepoError, UsageError) as err:
                notes = "".join(f"{ERROR_PREFIX}{line}\n" for line in err.message.splitlines())
                tmp.write_text(notes + header + edited, encoding="utf-8")
        raise UsageError("too many failed attempts; nothing changed")


def _save(repo: Repo, addr: Address, old_doc: Document | None, new_doc: Document,
          message: str | None, commit: bool) -> bool:
    from lcm.ops.changeset import ChangeSet

    with repo.locked():
        current = repo.read_document(addr)
        if (current.text if current else None) != (old_doc.text if old_doc else None):
            raise LcmError(f"{addr}: changed by someone else while you were editing; nothing saved")
        changes = ChangeSet(repo, "edit", message)
        changes.replace(addr, new_doc.full, layout=new_doc)
        changes.summary = f"lcm edit {addr}"
        return bool(changes.commit(commit=commit).paths)
