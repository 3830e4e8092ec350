"""The read commands' bodies: `get` (effective config) and `show` (one file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lcm.cli.diagnostics import warn
from lcm.cli.output import emit, render, to_json

if TYPE_CHECKING:
    from lcm.format.document import Document
    from lcm.repository.effective import Effective
    from lcm.format.paths import KeyPath
    from lcm.repository.repo import Repo


def _explain_rows(repo: Repo, eff: Effective, path: KeyPath, reveal: bool) -> list[dict[str, Any]]:
    from lcm.format.paths import format_path, iter_leaves

    rows = []
    subtree = eff.get_path(path, reveal=reveal)
    for leaf_path, value in iter_leaves(subtree, path):
        source = eff.provenance(leaf_path)
        row: dict[str, Any] = {"key": format_path(leaf_path), "value": value,
                               "secret": eff.is_secret(leaf_path)}
        if source is not None:
            doc = repo.read_document(source)
            line = doc.position(leaf_path)[0] if doc is not None else None
            row.update({"env": source.env, "source": str(source), "file": source.relpath, "line": line})
        rows.append(row)
    return rows


def get(address: str, key: str | None, *, reveal: bool, explain: bool, ignore_mac: bool,
        fmt: str) -> None:
    from lcm.repository import audit
    from lcm.errors import RepoError
    from lcm.format.paths import parse_path
    from lcm.repository.repo import Repo

    repo = Repo.open()
    addr = repo.address(address)
    eff = repo.resolve(addr.tenant, addr.env, addr.name, verify=not ignore_mac)
    path = parse_path(key) if key else ()
    try:
        from lcm.ops.trees import normalise_path

        path = normalise_path(eff.stored, path)
        eff.get_path(path, reveal=False)
    except KeyError:
        raise RepoError(f"{addr}: no key {key} in the effective config") from None
    if reveal:
        revealed = [p for p in eff.secret_paths() if p[: len(path)] == path]
        if revealed:
            from lcm.format.paths import format_path

            audit.record(repo.root, "reveal", tenant=addr.tenant, address=str(addr),
                         keys=[format_path(p) for p in revealed])
    if explain:
        rows = _explain_rows(repo, eff, path, reveal)
        if fmt == "json":
            text = to_json(rows)
        else:
            width = max((len(r["key"]) for r in rows), default=0)
            text = "\n".join(
                f"{r['key']:<{width}}  {render(r['value'], 'yaml', scalar_bare=True).strip()}"
                f"    # {r.get('env', '?')}  {r.get('file', '')}:{r.get('line', '')}"
                for r in rows) or "(empty)"
    else:
        text = render(eff.get_path(path, reveal=reveal), fmt, scalar_bare=bool(key))
    # Warn only once the output exists: a reveal without keys fails with its own line.
    if not eff.verified and not ignore_mac:
        warn(f"MAC not verified: no key available for tenant {addr.tenant!r}; secrets stay masked")
    emit(text)


def _place_from_meta(doc: Document) -> tuple[str, str, str] | None:
    meta = doc.meta or {}
    place: tuple[Any, Any, Any] = (meta.get("tenant"), meta.get("env"), meta.get("name"))
    return place if all(isinstance(p, str) for p in place) else None


def show(file: Path, *, masked: bool, ignore_mac: bool) -> None:
    """One stored file as text; works on git's temp copies (the place comes from
    the file's own metadata block, the repo from the cwd)."""
    from lcm.repository import audit
    from lcm.format.document import Document
    from lcm.errors import RepoError
    from lcm.format.views import masked_view, plaintext_view

    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RepoError(f"{file}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise RepoError(f"{file}: cannot read: {getattr(err, 'strerror', None) or 'not UTF-8'}") from None
    try:
        doc = Document.parse(text, str(file))
    except RepoError as err:
        if not masked:
            raise
        # Textconv of a file with conflict markers: show it as stored (secrets are
        # still ciphertext) so `git diff` keeps working mid-merge.
        warn(err.message)
        emit(text)
        return
    if masked or not doc.encrypted_paths():
        emit(masked_view(doc) if doc.root is not None else text)
        return
    place = _place_from_meta(doc)
    if place is None:
        raise RepoError(f"{file}: no lcm metadata block: cannot tell which tenant's key opens it")
    from lcm.repository.repo import Repo
    from lcm.format.seal import decrypt_tree

    repo = Repo.open(file.parent if file.parent.exists() else None) if _inside_repo(file) else Repo.open()
    keys = repo.keys(place[0])
    plain = decrypt_tree(doc, keys, place, verify_mac=not ignore_mac)
    audit.record(repo.root, "show", tenant=place[0], address="/".join(place))
    emit(plaintext_view(doc, plain))


def _inside_repo(file: Path) -> bool:
    from lcm.errors import RepoError
    from lcm.repository.repo import find_root

    try:
        find_root(file.resolve().parent)
        return True
    except RepoError:
        return False
