"""`lcm edit`: the decrypted file in $EDITOR, re-encrypted on save.

The plaintext lives only in a 0600 file inside a private (0700) folder in
$XDG_RUNTIME_DIR or /dev/shm (memory-backed), named after lcm's process id. It is
removed on every way out: normal returns, errors and SIGINT/SIGTERM/SIGHUP by lcm
itself; SIGKILL (or a crash) by a guardian process (`lcm.ops.editguard`) that sees
lcm's end of a pipe close, stops the editor with all it started (its process group:
`lcm.ops.jobcontrol`) and removes the folder; and should the
guardian itself be gone, by the next lcm command (`sweep_stale_buffers`), which
removes the folders of lcm processes that no longer exist. The folder also catches
the editor's swap and backup files. A YAML or validation error re-opens the editor
with the error as a comment at the top, so no edit is lost. Keys that were secret
stay secret, and keys matching the manifest's secret globs become secret.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Iterator

from lcm.errors import CheckFailed, LcmError, RepoError, UsageError
from lcm.fsutil import process_alive
from lcm.ops import jobcontrol
from lcm.repository.address import Address
from lcm.repository.repo import Repo

if TYPE_CHECKING:
    from lcm.format.document import Document

HEADER = (
    "# lcm edit {addr}: secrets are decrypted in this buffer. Save and quit to\n"
    "# re-encrypt and commit; quit without saving to cancel. This line and the\n"
    "# one above are removed on save.\n"
)
ERROR_PREFIX = "# lcm error: "
BUFFER_PREFIX = "lcm-edit-"
_BUFFER_FOLDER = re.compile(rf"^{BUFFER_PREFIX}(\d+)-")
_GUARDIAN = Path(__file__).with_name("editguard.py")


def _buffer_bases() -> list[Path]:
    """Memory-backed folders a buffer may live in, the preferred one first."""
    out = []
    for candidate in (os.environ.get("XDG_RUNTIME_DIR"), "/dev/shm"):
        if candidate and os.path.isdir(candidate) and os.access(candidate, os.W_OK):
            out.append(Path(candidate))
    return out


def sweep_stale_buffers() -> None:
    """Remove the buffer folders of `lcm edit` processes that no longer exist."""
    for base in _buffer_bases():
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for name in names:
            match = _BUFFER_FOLDER.match(name)
            if match is not None and not process_alive(int(match.group(1))):
                shutil.rmtree(base / name, ignore_errors=True)


class _Guardian:
    """The guardian process of one buffer folder; without one (it could not start), the
    next lcm command's sweep is what removes a buffer a SIGKILL left."""

    def __init__(self, folder: Path) -> None:
        self.proc: subprocess.Popen[bytes] | None
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", str(_GUARDIAN), str(folder)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
        except OSError:
            self.proc = None

    def tell(self, line: str) -> None:
        pipe: IO[bytes] | None = self.proc.stdin if self.proc is not None else None
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.write(line.encode() + b"\n")
                pipe.flush()

    def close(self) -> None:
        """Close the pipe (the guardian then finds the folder gone and exits)."""
        if self.proc is None:
            return
        with contextlib.suppress(OSError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


@contextlib.contextmanager
def _private_file(text: str, name: str) -> Iterator[tuple[Path, _Guardian]]:
    bases = _buffer_bases()
    if not bases:
        raise UsageError("lcm edit needs a private memory-backed folder: set XDG_RUNTIME_DIR "
                         "(or mount /dev/shm)")
    sweep_stale_buffers()
    folder = Path(tempfile.mkdtemp(prefix=f"{BUFFER_PREFIX}{os.getpid()}-", dir=bases[0]))
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}

    def _bail(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    guardian: _Guardian | None = None
    try:
        for sig in previous:
            signal.signal(sig, _bail)
        guardian = _Guardian(folder)  # before any plaintext exists
        path = folder / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        yield path, guardian
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if guardian is not None:
            guardian.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def editor_command() -> str:
    """$VISUAL, else $EDITOR, else `vi` when stdin and stdout are a terminal; with neither
    an editor nor a terminal, UsageError (a terminal editor would write the decrypted
    buffer to a pipe)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if editor:
        return editor
    if os.isatty(0) and os.isatty(1):
        return "vi"
    raise UsageError("no editor: set $EDITOR (or $VISUAL); without a terminal lcm edit "
                     "does not start vi")


_ENDING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _raise_for(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _run_editor(path: Path, guardian: _Guardian) -> None:
    """Run the editor as a job of its own (`lcm.ops.jobcontrol`): the guardian ends its
    whole process group, grandchildren of a wrapper script included.

    SIGINT/SIGTERM/SIGHUP that arrive while the editor is being started are held back
    until lcm knows its pid and has told the guardian: raised inside `Popen`, they would
    leave an editor nobody stops (holding the buffer and the caller's pipes)."""
    editor = editor_command()
    armed = False
    pending = 0

    def _on_signal(signum: int, _frame: object) -> None:
        nonlocal pending
        if armed:
            _raise_for(signum)
        pending = pending or signum

    previous = {sig: signal.getsignal(sig) for sig in _ENDING}
    for sig in _ENDING:
        signal.signal(sig, _on_signal)
    try:
        try:
            proc = jobcontrol.start([*shlex.split(editor), str(path)])
        except FileNotFoundError:
            raise UsageError(f"editor {editor!r} not found (set $EDITOR)") from None
        guardian.tell(f"editor {proc.pid}")
        try:
            armed = True
            if pending:
                _raise_for(pending)
            returncode = jobcontrol.wait(proc)
            armed = False
        except BaseException:
            armed = False  # a second signal must not cut the kill short
            jobcontrol.kill(proc)
            raise
        finally:
            guardian.tell("idle")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if pending:
        _raise_for(pending)
    if returncode != 0:
        raise UsageError(f"editor exited with status {returncode}; nothing changed")


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
    from lcm.format.document import META_KEY
    from lcm.format.paths import format_path
    from lcm.format.views import plaintext_view

    editor_command()  # no editor: refuse before anything is decrypted or audited
    doc = repo.read_document(addr)
    plain = repo.decrypt(addr) if doc is not None else {}
    start_text = plaintext_view(doc, plain) if doc is not None else ""
    header = HEADER.format(addr=addr)
    shown = [format_path(p) for p in doc.encrypted_paths()] if doc is not None else []
    audit.record(repo.root, "edit", tenant=addr.tenant, address=str(addr), keys=shown)
    buffer = header + start_text
    with _private_file(buffer, f"{addr.name.replace('/', '-')}.yaml") as (tmp, guardian):
        for _ in range(max_rounds):
            _run_editor(tmp, guardian)
            edited = _strip_header(tmp.read_text(encoding="utf-8"), header)
            if edited == start_text:
                return False
            try:
                new_doc = _parse_edited(edited, header, f"{addr} (edited)")
                if META_KEY in new_doc.full:
                    raise RepoError(f"{addr}: the top-level key {META_KEY!r} is reserved for lcm")
                return _save(repo, addr, doc, new_doc, message, commit)
            except (CheckFailed, RepoError, UsageError) as err:
                notes = "".join(f"{ERROR_PREFIX}{line}\n" for line in err.message.splitlines())
                tmp.write_text(notes + header + edited, encoding="utf-8")
        raise UsageError("too many failed attempts; nothing changed")


def _parse_edited(edited: str, header: str, source: str) -> Document:
    """The edited document; bad YAML is located at its line in the buffer as re-opened
    (the one-line error note, then the header: YAML comments, so that buffer fails alike,
    at its own line numbers)."""
    from lcm.format.document import Document
    from lcm.format.loading import BadYaml

    try:
        return Document.parse(edited, source)
    except BadYaml:
        Document.parse(f"{ERROR_PREFIX}\n{header}{edited}", source)
        raise


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
