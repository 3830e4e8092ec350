"""Stored files by path, as Git hands them to lcm: `lcm show` (and the `diff=lcm`
textconv, which gets a temp copy) and the `merge=lcm` driver."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lcm.errors import LcmError, RepoError
from lcm.format.document import Document


@dataclass(frozen=True)
class Shown:
    """A file as text, and a warning for stderr when it could only be shown as stored."""

    text: str
    warning: str | None = None


def show_file(file: Path | str, *, masked: bool, ignore_mac: bool = False) -> Shown:
    """One stored file (a path, or an address such as `acme/base/inference` in the repository
    at the cwd) as text: decrypted (audited, naming the keys shown) or masked, comments
    kept, metadata block left out. The tenant, env and name come from the file's own
    metadata block, so git's temp copies work; the repository from the file's folder when
    it lies inside one, else from the cwd."""
    from lcm.format.views import masked_view, plaintext_view

    file = _stored_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RepoError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or "not UTF-8"
        raise RepoError(f"{file}: cannot read: {reason}") from None
    try:
        doc = Document.parse(text, str(file))
    except RepoError as err:
        if not masked:
            raise
        # Textconv of a file with conflict markers: show it as stored (secrets are still
        # ciphertext) so `git diff` keeps working mid-merge.
        return Shown(text, err.message)
    secrets = doc.encrypted_paths()
    if masked or not secrets:
        return Shown(masked_view(doc) if doc.root is not None else text)
    place = _place_from_meta(doc)
    if place is None:
        raise RepoError(f"{file}: no lcm metadata block: cannot tell which tenant's key opens it")
    from lcm.api.repo import Repo
    from lcm.format.paths import format_path
    from lcm.format.seal import decrypt_tree
    from lcm.repository import audit

    repo = Repo.open(file.resolve().parent) if _inside_repo(file) else Repo.open()
    plain = decrypt_tree(doc, repo.keys(place[0]), place, verify_mac=not ignore_mac)
    shown = plaintext_view(doc, plain)
    audit.record(repo.root, "show", tenant=place[0], address="/".join(place),
                 keys=[format_path(p) for p in secrets])
    return Shown(shown)


@dataclass(frozen=True)
class Merged:
    """The merge driver's outcome: True when clean; `message` explains a failure."""

    clean: bool
    message: str | None = None


def merge_file(base: Path, ours: Path, theirs: Path, path: str) -> Merged:
    """Git's `merge=lcm` driver (%O %A %B %P): merge the decrypted trees, seal again,
    write the result to `ours`; a conflict leaves markers around stored lines only."""
    from lcm.api.repo import Repo
    from lcm.format.paths import format_path
    from lcm.fsutil import atomic_write
    from lcm.ops.merge import merge_texts
    from lcm.repository.commit import TMP_DIR

    try:
        repo = Repo.open(Path(path).parent if Path(path).parent.exists() else None)
        addr = repo.address(str(Path(path).resolve()))
        texts = [p.read_text(encoding="utf-8") if p.exists() else "" for p in (base, ours, theirs)]
        result = merge_texts(repo, addr, *texts)
    except (LcmError, OSError, UnicodeDecodeError) as err:
        reason = err.message if isinstance(err, LcmError) else str(err)
        return Merged(False, f"{path}: cannot merge ({reason}); left our version in place, "
                             "resolve by hand")
    # The temp file goes where Git never shows it (not beside git's %A in the work tree).
    atomic_write(ours, result.text, tmp_dir=repo.root / TMP_DIR)
    if result.conflicts:
        keys = ", ".join(format_path(c.path) for c in result.conflicts)
        return Merged(False, f"{path}: conflict at {keys}; secrets are shown encrypted only")
    return Merged(True)


def _stored_path(target: Path | str) -> Path:
    """A path as given, or the file an address names (`acme/base/inference`)."""
    path = Path(target)
    if isinstance(target, Path) or path.exists() or target.endswith((".yaml", ".yml")):
        return path
    from lcm.api.repo import Repo

    repo = Repo.open()
    addr = repo.address(target)
    repo.require_document(addr)
    return repo.path_of(addr)


def _place_from_meta(doc: Document) -> tuple[str, str, str] | None:
    meta = doc.meta or {}
    place: tuple[Any, Any, Any] = (meta.get("tenant"), meta.get("env"), meta.get("name"))
    return place if all(isinstance(p, str) for p in place) else None


def _inside_repo(file: Path) -> bool:
    from lcm.repository.repo import find_root

    try:
        find_root(file.resolve().parent)
        return True
    except RepoError:
        return False
