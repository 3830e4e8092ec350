"""Change-sets: edits staged in memory across files and tenants, then diffed, validated
and committed as exactly one Git commit (or discarded).

Nothing touches disk before `commit()`. A file is read (and decrypted) when it is
first touched; the commit refuses, changing nothing, when any touched file changed
on disk since. Every write of lcm goes through here: `set`, `unset`, `edit`,
`reseal`, `rollback`, `tenant add`, and the TUI's pending changes.

Without the tenant's key, `set` and `unset` with `unsealed=True` may still change plain
values: the file is written as it is stored, the changed values spliced in, its MAC
left as it was and an `unsealed:` entry in its metadata naming the keys and the time.
That is a hand edit made through lcm: reads with the key stop at the file (exit 5),
`lcm validate` reports it with or without keys, and `lcm reseal` by someone who holds
the key, after review, seals it again (docs/tui.md, "Without keys").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from lcm.errors import IntegrityError, KeyStoreError, RepoError, UsageError, WrongKey, one_line
from lcm.format.document import META_KEY, Document
from lcm.format.paths import KeyPath, format_path
from lcm.format.values import DELETE, copy_tree, same_value
from lcm.ops.trees import normalise_path, remove_in, set_in
from lcm.ops.values import check_storable
from lcm.repository.address import Address
from lcm.repository.repo import Repo, blob_id

if TYPE_CHECKING:
    from lcm.format.seal import DataKeys
    from lcm.history.render import FileDiff
    from lcm.repository.commit import Written
    from lcm.validate.findings import Finding


@dataclass(frozen=True)
class Edit:
    """One staged edit, for listing ("set acme/base/inference llm.model")."""

    kind: str  # set | unset | replace | create | delete | write
    target: str
    key: str = ""

    def __str__(self) -> str:
        return " ".join(p for p in (self.kind, self.target, self.key) if p)


@dataclass
class _Staged:
    """A config file as staged: its base (on disk when first touched) and new plaintext."""

    addr: Address
    base_doc: Document | None
    base_oid: str | None
    base_plain: dict[Any, Any]
    plain: dict[Any, Any] | None  # None: the file is deleted
    extra_secret: set[KeyPath] = field(default_factory=set)
    force: bool = False
    meta_updates: dict[str, Any] = field(default_factory=dict)
    layout: Document | None = None  # a document whose text layout to keep (edit, rollback)
    reencrypt: bool = False  # every secret under the active data key (rotation)
    previous: dict[KeyPath, str | None] = field(default_factory=dict)  # see `seal`
    # Staged without the key: `plain` is the stored tree (ciphertexts as they are), and
    # these are the plain keys changed (see the module docstring).
    unsealed: set[str] | None = None

    def snapshot(self) -> "_Staged":
        """A copy whose edits do not reach this one (the parsed base is shared: never edited)."""
        return _Staged(self.addr, self.base_doc, self.base_oid, self.base_plain,
                       copy_tree(self.plain), set(self.extra_secret), self.force,
                       dict(self.meta_updates), self.layout, self.reencrypt, dict(self.previous),
                       None if self.unsealed is None else set(self.unsealed))


class ChangeSet:
    """Staged edits of one repository; see the module docstring."""

    def __init__(self, repo: Repo, op: str = "change", message: str | None = None, *,
                 check_each: bool = False, ignore_mac: bool = False) -> None:
        self.repo = repo
        self.op = op
        self.message = message
        self.summary: str | None = None
        self.check_each = check_each
        self.ignore_mac = ignore_mac
        self.edits: list[Edit] = []
        self.keys_override: dict[str, DataKeys] = {}
        self.trailers: dict[str, str] = {}  # extra `Lcm-*` trailers (promote: Lcm-Source)
        self._files: dict[Address, _Staged] = {}
        self._raw: dict[str, tuple[str | None, str | None]] = {}  # relpath: (base oid, text)
        self._texts: dict[str, str | None] | None = None
        # Called as progress(done, total) while texts() seals and renders the files.
        self.progress: Callable[[int, int], None] | None = None
        # The write gate; an op whose plaintext result equals its base (re-encryption
        # under new keys) can introduce no validation error and may turn it off.
        self.validate = True

    # ---- staging -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.edits)

    @property
    def addresses(self) -> list[Address]:
        return sorted(self._files)

    def staged_plain(self, addr: Address) -> dict[Any, Any] | None:
        """The staged plaintext tree of a file (a copy), or None when it is staged deleted."""
        staged = self._stage(addr)
        copied: dict[Any, Any] | None = copy_tree(staged.plain)
        return copied

    def set(self, addr: Address, path: KeyPath, value: Any, *, secret: bool = False,
            previous_until: str | None = None, unsealed: bool = False) -> KeyPath:
        """Stage one value (`DELETE` stages the `!delete` marker); returns the path as
        stored (numeric segments turned into list indices where the tree has a list).
        With `previous_until` (a time), the secret's old value is kept, encrypted, as its
        previous value until then (`lcm rotate secret`). With `unsealed`, a plain value
        may be set without the tenant's key (see the module docstring)."""
        _check_not_reserved(path)
        check_storable(path, value)
        if value is DELETE and isinstance(path[-1], int):
            raise UsageError("!delete removes a mapping key; to change a list, set the whole list")
        if unsealed:
            self._stage(addr, unsealed=True)

        def apply(st: _Staged) -> KeyPath:
            tree = st.plain if st.plain is not None else {}
            where = normalise_path(tree, path)
            if st.unsealed is not None:
                self._check_plain_edit(st, where, value, secret)
            set_in(tree, where, value)
            st.plain = tree
            if st.unsealed is not None:
                st.unsealed.add(format_path(where))
            if secret:
                st.extra_secret.add(where)
            if previous_until is not None:
                st.previous[where] = previous_until
            return where

        where: KeyPath = self._change(addr, apply, plain_ok=True)
        self._log(Edit("set", str(addr), format_path(where)))
        return where

    def unset(self, addr: Address, path: KeyPath, *, unsealed: bool = False) -> KeyPath:
        """Stage the removal of a key from one file; RepoError when it is not there.
        With `unsealed`, a plain key may be removed without the tenant's key."""
        _check_not_reserved(path)
        if unsealed:
            self._stage(addr, unsealed=True)

        def apply(st: _Staged) -> KeyPath:
            if st.plain is None or st.base_doc is None and not st.plain:
                raise RepoError(f"{addr}: no such config file ({addr.relpath})")
            where = normalise_path(st.plain, path)
            if st.unsealed is not None:
                self._check_plain_edit(st, where, _REMOVED, False)
            if not remove_in(st.plain, where):
                raise RepoError(f"{addr}: no key {format_path(where)}")
            if st.unsealed is not None:
                st.unsealed.add(format_path(where))
            return where

        where: KeyPath = self._change(addr, apply, plain_ok=True)
        self._log(Edit("unset", str(addr), format_path(where)))
        return where

    def replace(self, addr: Address, plain: dict[Any, Any], *, extra_secret: Iterable[KeyPath] = (),
                force: bool = False, layout: Document | None = None,
                meta_updates: dict[str, Any] | None = None) -> None:
        """Stage a whole new plaintext tree for one file (edit, rollback, reseal)."""
        self._replace(addr, plain, extra_secret, force, layout, meta_updates)
        self._log(Edit("replace", str(addr)))

    def create_file(self, addr: Address, plain: dict[Any, Any] | None = None) -> None:
        """Stage a new config file; RepoError when it exists."""
        staged = self._stage(addr)
        if staged.plain is not None and (staged.base_doc is not None or staged.plain):
            raise RepoError(f"{addr}: the file already exists")
        self._replace(addr, plain or {}, (), True, None, None)
        self._log(Edit("create", str(addr)))

    def _replace(self, addr: Address, plain: dict[Any, Any], extra_secret: Iterable[KeyPath],
                 force: bool, layout: Document | None,
                 meta_updates: dict[str, Any] | None) -> None:
        if META_KEY in plain:
            raise RepoError(f"{addr}: the top-level key {META_KEY!r} is reserved for lcm")
        check_storable((), plain)

        def apply(st: _Staged) -> None:
            st.plain = copy_tree(plain)
            st.extra_secret.update(extra_secret)
            st.force = st.force or force
            st.layout = layout
            st.meta_updates.update(meta_updates or {})

        self._change(addr, apply)

    def reencrypt(self, addr: Address) -> None:
        """Stage a file to have every secret (previous values included) encrypted again
        under the active data key (`keys_override` sets which), values unchanged."""
        def apply(st: _Staged) -> None:
            if st.plain is None or st.base_doc is None:
                raise RepoError(f"{addr}: no such config file ({addr.relpath})")
            st.reencrypt = True

        self._change(addr, apply)
        self._log(Edit("reencrypt", str(addr)))

    def drop_previous(self, addr: Address, path: KeyPath) -> None:
        """Stage the removal of a secret's previous value (an expired overlap)."""
        def apply(st: _Staged) -> None:
            st.previous[path] = None

        self._change(addr, apply)
        self._log(Edit("drop-previous", str(addr), format_path(path)))

    def delete_file(self, addr: Address) -> None:
        """Stage the removal of a config file; RepoError when there is none."""
        staged = self._stage(addr)
        if staged.plain is None or (staged.base_doc is None and not staged.force):
            raise RepoError(f"{addr}: no such config file ({addr.relpath})")

        def apply(st: _Staged) -> None:
            st.plain = None

        self._change(addr, apply)
        self._log(Edit("delete", str(addr)))

    def write(self, relpath: str, text: str | None) -> None:
        """Stage a non-config file (a tenant's key file, the manifest) by its path
        relative to the repository root; None removes it."""
        if relpath not in self._raw:
            self._raw[relpath] = (self._disk_oid(self.repo.root / relpath), text)
        else:
            self._raw[relpath] = (self._raw[relpath][0], text)
        self._texts = None
        self._log(Edit("write", relpath))

    def discard(self) -> None:
        """Forget every staged edit."""
        self._files.clear()
        self._raw.clear()
        self.edits.clear()
        self._texts = None

    # ---- looking at it ---------------------------------------------------------------

    def texts(self) -> dict[str, str | None]:
        """The new stored text of every file that changes ({relpath: text or None})."""
        if self._texts is None:
            out: dict[str, str | None] = {}
            total = len(self._files)
            for done, addr in enumerate(sorted(self._files), start=1):
                text = self._render(self._files[addr])
                if text is not _UNCHANGED:
                    out[addr.relpath] = text
                if self.progress is not None:
                    self.progress(done, total)
            for rel, (oid, text) in sorted(self._raw.items()):
                new_oid = None if text is None else blob_id(text.encode("utf-8"))
                if new_oid != oid:
                    out[rel] = text
            self._texts = out
        return dict(self._texts)

    def diff(self, warn: Callable[[str], None] | None = None) -> list[FileDiff]:
        """The key-level, masked diff of the staged files against the working tree."""
        from lcm.history.compare import SecretLens, compare_files
        from lcm.history.sides import OverlaySide, WorkSide

        work = WorkSide(self.repo.root)
        staged = OverlaySide(work, self.texts(), "staged")
        return compare_files(self.repo, work, staged, [], SecretLens(self.repo, warn or _quiet))

    def problems(self) -> list[Finding]:
        """Validation errors the staged result would introduce (empty when it is fine)."""
        from lcm.validate.gate import ValidationFailed

        try:
            self._check(self.texts())
        except ValidationFailed as failed:
            return list(failed.findings)
        return []

    # ---- committing ------------------------------------------------------------------

    def commit(self, message: str | None = None, *, commit: bool = True) -> Written:
        """Write everything staged as one commit (working tree only with commit=False).

        Refuses, changing nothing, when the result does not validate or a touched file
        changed on disk since it was staged.
        """
        from lcm.repository.commit import Written, write_files
        from lcm.repository.git import commit_message

        with self.repo.locked():
            self._check_base()
            texts = self.texts()
            if not texts:
                self.discard()
                return Written(None, [])
            self._check(texts)
            summary = (message or self.message or self.summary or self._default_summary())
            tenants = sorted({rel.split("/")[1] for rel in texts if rel.startswith("config/")}
                             | {Path(rel).stem for rel in texts if rel.startswith(".lcm/keys/")})
            trailers = dict(self.trailers)
            unsealed = [str(a) for a, st in sorted(self._files.items())
                        if st.unsealed is not None and a.relpath in texts]
            if unsealed:  # for the reviewer who reseals them
                trailers["Lcm-Unsealed"] = ", ".join(unsealed)
            full = commit_message(summary, self.op, ", ".join(tenants) or None, list(texts),
                                  trailers)
            written = write_files(self.repo.root, texts, full if commit else None)
        self.discard()
        return written

    # ---- internals -------------------------------------------------------------------

    def _stage(self, addr: Address, unsealed: bool = False) -> _Staged:
        staged = self._files.get(addr)
        if staged is None:
            path = self.repo.path_of(addr)
            doc = self.repo.read_document(addr)
            try:
                plain = self.repo.decrypt(addr, verify=not self.ignore_mac) if doc else {}
            except IntegrityError:
                if not self.ignore_mac:
                    raise
                plain = {}  # a damaged file being replaced wholesale (rollback)
            except KeyStoreError as err:
                if not unsealed or isinstance(err, WrongKey) or doc is None or doc.meta is None:
                    raise
                # No key: the stored tree, to change plain values in (module docstring).
                staged = _Staged(addr, doc, self._disk_oid(path), doc.tree, copy_tree(doc.tree),
                                 unsealed=set())
                self._files[addr] = staged
                return staged
            oid = self._disk_oid(path)
            staged = _Staged(addr, doc, oid, plain, copy_tree(plain))
            self._files[addr] = staged
        return staged

    def _change(self, addr: Address, apply: Callable[[_Staged], Any], *,
                plain_ok: bool = False) -> Any:
        """Apply one edit; with `check_each`, refuse (and undo) an edit that would not validate.
        Only `set` and `unset` (`plain_ok`) may touch a file staged without its key."""
        staged = self._stage(addr)
        if staged.unsealed is not None and not plain_ok:
            raise KeyStoreError(f"{addr}: staged without the key of tenant {addr.tenant!r}; "
                                "only plain values can be set or unset in it")
        before = staged.snapshot() if self.check_each else staged
        result = apply(staged)
        self._texts = None
        if self.check_each:
            try:
                self._check(self.texts())
            except BaseException:
                self._files[addr] = before
                self._texts = None
                raise
        return result

    def _check_plain_edit(self, st: _Staged, where: KeyPath, value: Any, secret: bool) -> None:
        """Refuse, in a file staged without its key, an edit that concerns a secret: a
        value marked or named secret, a value under or over an encrypted one."""
        from lcm.format.crypto import is_encrypted
        from lcm.format.paths import iter_leaves
        from lcm.validate.secrets import schema_secret_paths

        addr = st.addr
        shown = format_path(where)
        refuse = KeyStoreError(f"{addr}: {shown} is or holds a secret; writing it needs the key "
                               f"of tenant {addr.tenant!r} (without it only plain values change)")
        if secret:
            raise refuse
        node: Any = st.plain
        for seg in where:
            if is_encrypted(node):
                raise refuse
            try:
                node = node[seg]
            except (KeyError, IndexError, TypeError):
                node = _REMOVED
                break
        if node is not _REMOVED and any(is_encrypted(v) for _p, v in iter_leaves(node)):
            raise refuse
        if value is _REMOVED:
            return
        if any(self.repo.manifest.is_secret_key(where + p) for p, _v in iter_leaves(value)):
            raise refuse
        trial = copy_tree(st.plain)
        set_in(trial, where, value)
        for path in schema_secret_paths(self.repo, addr, trial):
            if path[:len(where)] == where or where[:len(path)] == path:
                raise refuse

    def _log(self, edit: Edit) -> None:
        self.edits.append(edit)
        if len(self.edits) == 1:
            self.summary = one_line(f"lcm {edit}")  # a key may hold a newline
        else:
            self.summary = None

    def _default_summary(self) -> str:
        count = len(self.edits)
        files = len(self._files) + len(self._raw)
        return f"lcm {self.op}: {count} change{'s' * (count != 1)} in {files} file{'s' * (files != 1)}"

    def _keys(self, tenant: str) -> DataKeys:
        return self.keys_override.get(tenant) or self.repo.keys(tenant)

    def _render(self, st: _Staged) -> Any:
        """The new stored text of one staged file, or _UNCHANGED."""
        from lcm.format.seal import seal
        from lcm.format.views import append_meta
        from lcm.format.writer import StructuralChange, render, splice_values
        from lcm.validate.secrets import schema_secret_paths

        if st.plain is None:
            return None if st.base_doc is not None else _UNCHANGED
        if st.unsealed is not None:
            return self._render_unsealed(st)
        touched = st.force or st.meta_updates or st.reencrypt or st.previous
        if (not touched and st.base_doc is not None
                and same_value(st.plain, st.base_plain) and not st.extra_secret):
            return _UNCHANGED
        repo, addr = self.repo, st.addr
        extra = sorted(st.extra_secret, key=repr) + schema_secret_paths(repo, addr, st.plain)
        if st.layout is not None:
            extra += st.layout.encrypted_paths()
        full = seal(st.base_doc, st.plain, self._keys(addr.tenant), addr.place,
                    repo.manifest.is_secret_key, extra, st.meta_updates,
                    old_plain=st.base_plain if st.base_doc is not None else None,
                    reencrypt=st.reencrypt, previous=st.previous)
        if (not touched and st.base_doc is not None
                and same_value({k: v for k, v in full.items() if k != META_KEY}, st.base_doc.tree)):
            return _UNCHANGED
        layout = st.layout
        if layout is not None and layout.meta is None and layout.root is not None:
            meta = full.pop(META_KEY)
            try:
                return append_meta(splice_values(layout, full), meta)
            except StructuralChange:
                full[META_KEY] = meta
                layout = None
        return render(layout or st.base_doc, full)

    @staticmethod
    def _render_unsealed(st: _Staged) -> Any:
        """The stored file with its changed plain values, MAC as it was, and an `unsealed`
        entry (keys, time) in its metadata; _UNCHANGED when nothing changed."""
        from lcm.clock import utc_now
        from lcm.format.secretmeta import UNSEALED
        from lcm.format.writer import render

        assert st.base_doc is not None and st.plain is not None and st.unsealed is not None
        if same_value(st.plain, st.base_plain):
            return _UNCHANGED
        meta = dict(st.base_doc.meta or {})
        before = meta.get(UNSEALED)
        keys = set(st.unsealed)
        if isinstance(before, dict) and isinstance(before.get("keys"), list):
            keys.update(str(k) for k in before["keys"])
        meta[UNSEALED] = {"at": utc_now(), "keys": sorted(keys)}
        return render(st.base_doc, {**st.plain, META_KEY: meta})

    def _check(self, texts: dict[str, str | None]) -> None:
        from lcm.validate.gate import check_pending

        if not self.validate:
            return
        check_pending(self.repo, {self.repo.root / rel: t for rel, t in texts.items()})

    def _check_base(self) -> None:
        """Refuse when a touched file changed on disk since it was staged."""
        moved = [str(a) for a, st in self._files.items()
                 if self._disk_oid(self.repo.path_of(a)) != st.base_oid]
        moved += [rel for rel, (oid, _) in self._raw.items()
                  if self._disk_oid(self.repo.root / rel) != oid]
        if moved:
            raise RepoError(f"{', '.join(sorted(moved))}: changed on disk since the edit was "
                            "staged (another lcm or git command?); nothing was written")

    @staticmethod
    def _disk_oid(path: Path) -> str | None:
        try:
            return blob_id(path.read_bytes())
        except FileNotFoundError:
            return None


_UNCHANGED: Any = object()
_REMOVED: Any = object()  # `unset`'s value, for the checks of an edit without the key


def _quiet(_message: str) -> None:
    return None


def _check_not_reserved(path: KeyPath) -> None:
    if path and path[0] == META_KEY:
        raise UsageError(f"the top-level key {META_KEY!r} is lcm's metadata block; "
                         "it cannot be set or unset")
