"""Validate a repository: the manifest, each config file's stored values and MAC, and the
effective config of every tenant/env, each error located (through overlay provenance) at
the file and line that supplied the value."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from lcm.repository.address import Address
from lcm.format.document import META_KEY
from lcm.format.seal import unsealed_note
from lcm.format.secretmeta import UNSEALED
from lcm.errors import (BackendUnavailable, IntegrityError, KeyStoreError, LcmError, RepoError,
                        WrongKey)
from lcm.repository.manifest import MANIFEST_NAME
from lcm.format.paths import KeyPath
from lcm.repository.repo import CONFIG_DIR, Repo, display_path
from lcm.validate import engine, source
from lcm.validate.findings import Finding, Report
from lcm.validate.mapping import schema_for
from lcm.validate.problems import Problem


def shown(path: Path) -> str:
    """A path as findings print it: relative to the cwd when it is below it."""
    return display_path(path)


@dataclass
class Layer:
    """One stored config file, parsed once with the fast loader."""

    addr: Address
    path: Path
    text: str
    tree: dict[str, Any]
    doc: Any = None
    unsealed: Any = None  # the metadata's `unsealed` entry: a plain edit made without the key

    def position(self, problem: Problem) -> tuple[int, int]:
        """Where a problem sits in this file (its nodes are composed on first use)."""
        if self.doc is None:
            self.doc = source.document(self.text, shown(self.path)) or False
        return source.position(self.doc or None, problem)


class RepoCheck:
    """One validation pass over (part of) a repository; `texts` overrides files on disk
    (a text of None: the file is gone)."""

    def __init__(
        self,
        repo: Repo,
        report: Report,
        *,
        schema_override: str | None = None,
        use_keys: bool = True,
        verify_mac: bool = True,
        texts: Mapping[Path, str | None] | None = None,
    ) -> None:
        self.repo = repo
        self.report = report
        self.schema_override = schema_override
        self.use_keys = use_keys
        self.verify_mac = verify_mac
        self.texts = dict(texts or {})
        self._layers: dict[Address, Layer | None] = {}
        self._keys: dict[str, Any] = {}
        self._effective_cache: dict[tuple[Any, ...], list[tuple[Address, Problem]]] = {}
        self.keyless: set[str] = set()
        self._secret_names: dict[tuple[str, ...], bool] = {}
        self._secret_literals: list[str] | None = None

    # ---- what to check -----------------------------------------------------------

    def all_targets(self) -> tuple[list[Address], list[tuple[str, str, str]]]:
        """Every config file and every effective config (tenant, env, name) of the repo;
        a YAML file under `config/` outside every known tenant/env is a finding."""
        files = list(self.repo.iter_addresses())
        known = {self.repo.path_of(a).resolve() for a in files}
        for path in sorted((self.repo.root / CONFIG_DIR).rglob("*.y*ml")):
            if path.resolve() not in known and path.is_file():
                self._add(
                    shown(path),
                    1,
                    1,
                    (),
                    "orphan-file",
                    "orphan-file",
                    "not validated: not a config file of a tenant and environment in the "
                    "manifest (config/TENANT/ENV/NAME.yaml)",
                )
        return files, self.effective_targets(files)

    def effective_targets(self, files: Iterable[Address]) -> list[tuple[str, str, str]]:
        """The effective configs that include any of `files`."""
        return effective_targets(self.repo, files)

    def run(self, files: Iterable[Address], configs: Iterable[tuple[str, str, str]]) -> None:
        """Check `files` on their own and `configs` as effective configs."""
        for addr in files:
            self.check_file(addr)
            self.report.files_checked += 1
        for tenant, env, name in configs:
            if self.check_effective(tenant, env, name):
                self.report.configs_checked += 1
        if self.keyless:
            self.report.note(
                f"no keys for {', '.join(sorted(self.keyless))}: encrypted values were checked "
                "only for being encrypted, and MACs were not verified"
            )

    # ---- the manifest ------------------------------------------------------------

    def check_manifest(self) -> None:
        """The manifest against the built-in `manifest` schema."""
        from lcm.validate.schemas import load

        path = self.repo.root / MANIFEST_NAME
        text = self.texts.get(path)
        if text is None:
            text = self._read_text(path)
            if text is None:
                return
        for finding in engine.check_text(text, shown(path), load("lcm:manifest")):
            self.report.add(finding)
        self.report.files_checked += 1

    # ---- one file ----------------------------------------------------------------

    def layer(self, addr: Address) -> Layer | None:
        """The parsed file at `addr` (None when absent or not valid YAML)."""
        if addr not in self._layers:
            self._layers[addr] = self._read(addr)
        return self._layers[addr]

    def _read(self, addr: Address) -> Layer | None:
        path = self.repo.path_of(addr)
        if path in self.texts and self.texts[path] is None:
            return None  # deleted by the pending write
        text = self.texts.get(path)
        if text is None:
            text = self._read_text(path)
            if text is None:
                return None
        try:
            tree = source.load_tree(text)
        except source.SyntaxProblem as err:
            self._add(shown(path), err.line, err.col, (), "yaml-syntax", "yaml", err.message)
            return None
        if tree is None:
            tree = {}
        if not isinstance(tree, dict):
            self._add(shown(path), 1, 1, (), "type", "type", "the top level must be a mapping")
            return None
        data = {k: v for k, v in tree.items() if k != META_KEY}
        meta = tree.get(META_KEY)
        return Layer(addr, path, text, data,
                     unsealed=meta.get(UNSEALED) if isinstance(meta, dict) else None)

    def _read_text(self, path: Path) -> str | None:
        """A file's text, or None (absent; unreadable or not UTF-8: reported, located)."""
        from lcm.format.loading import BadYaml, decode_text

        try:
            return decode_text(path.read_bytes(), shown(path))
        except FileNotFoundError:
            return None
        except OSError as err:
            self._add(shown(path), 1, 1, (), "yaml-syntax", "yaml", f"cannot read: {err.strerror}")
        except BadYaml as err:
            self._add(shown(path), err.line, err.col, (), "yaml-syntax", "yaml", err.problem)
        return None

    def check_file(self, addr: Address) -> None:
        """Stored-value checks of one file, and its MAC when the tenant's key is at hand."""
        layer = self.layer(addr)
        if layer is None:
            return
        if "ENC[" not in layer.text and not self._may_name_a_secret(layer.text):
            problems = []
        else:
            problems = engine.stored_problems(layer.tree, self.is_secret_key)
        self._locate(layer, problems, None, None)
        if layer.unsealed is not None:  # reported with or without the key; the MAC fails too
            note = unsealed_note(layer.unsealed, str(addr))
            self._locate(layer, [Problem((META_KEY, UNSEALED), "unsealed", note, "key")],
                         None, None)
        elif self.verify_mac and layer.path not in self.texts and self.keys(addr.tenant):
            try:
                self.repo.verify(addr)
            except IntegrityError as err:
                message = err.message.split(": ", 1)[-1]
                self._locate(layer, [Problem((META_KEY, "mac"), "mac", message, "key")], None, None)
            else:
                if "ENC[" in layer.text:
                    self._locate(layer, self._undecryptable(addr, layer), None, None)

    def _undecryptable(self, addr: Address, layer: Layer) -> list[Problem]:
        """ENC values that do not open at their place, though the MAC holds (a value
        sealed as plaintext that only looks like ciphertext, or damage before sealing)."""
        from lcm.format.crypto import decrypt_value, is_encrypted
        from lcm.format.paths import iter_leaves

        keys = self.repo.keys(addr.tenant)
        out = []
        for path, stored in iter_leaves(layer.tree):
            if is_encrypted(stored):
                try:
                    decrypt_value(stored, keys.key, addr.place, path)
                except (IntegrityError, KeyStoreError):
                    out.append(Problem(path, "mac", "encrypted value does not decrypt here "
                                                    "(moved, or not lcm's ciphertext)"))
        return out

    # ---- effective configs -------------------------------------------------------

    def check_effective(self, tenant: str, env: str, name: str) -> bool:
        """Validate the effective config `tenant/env/name`; False when no schema applies."""
        from lcm.repository.overlay import merge
        from lcm.validate.schemas import load

        ref = self.schema_override or schema_for(
            self.repo.manifest.schemas, f"{tenant}/{env}/{name}.yaml"
        )
        chain = self.repo.manifest.env_chain(env)
        layers = [self.layer(Address(tenant, e, name)) for e in chain]
        present = [layer for layer in layers if layer is not None]
        if ref is None or not present:
            return False
        schema = load(ref, self.repo.root)
        partial = env in self.partial_envs()
        key = (schema.name, partial, tuple(id(layer) for layer in present))
        if key not in self._effective_cache:
            merged = (
                _Single(present[0])
                if len(present) == 1
                else merge([(layer.addr, layer.tree) for layer in present])
            )
            encrypted = any("ENC[" in layer.text for layer in present)
            found = [
                (merged.source_of(p.path) or present[-1].addr, p)
                for p in engine.schema_problems(
                    merged.tree,
                    schema,
                    encrypted=encrypted,
                    partial=partial,
                    is_secret=self.is_secret_key,
                )
            ]
            if encrypted and self.keys(tenant):
                found += self._revealed(merged, schema, partial, found, present[-1].addr)
            self._effective_cache[key] = found
        by_layer = {layer.addr: layer for layer in present}
        for addr, problem in self._effective_cache[key]:
            self._locate(by_layer[addr], [problem], schema.name, f"{tenant}/{env}/{name}")
        return True

    def _revealed(
        self,
        merged: Any,
        schema: Any,
        partial: bool,
        seen: list[tuple[Address, Problem]],
        fallback: Address,
    ) -> list[tuple[Address, Problem]]:
        """Problems only the decrypted values show (never echoing them)."""
        from lcm.format.crypto import decrypt_value, is_encrypted
        from lcm.format.values import map_leaves

        secret_paths: list[KeyPath] = []

        def reveal(path: KeyPath, value: Any) -> Any:
            if not is_encrypted(value):
                return value
            addr = merged.source_of(path) or fallback
            secret_paths.append(path)
            return decrypt_value(value, self._keys[addr.tenant].key, addr.place, path)

        try:
            plain = map_leaves(merged.tree, reveal)
        except IntegrityError as err:
            path = secret_paths[-1] if secret_paths else ()
            addr = merged.source_of(path) or fallback
            return [(addr, Problem(path, "ciphertext", err.message.split(": ", 1)[-1]))]

        def is_secret(path: KeyPath) -> bool:
            return self.is_secret_key(path) or any(path[: len(s)] == s for s in secret_paths)

        known = {(p.path, p.keyword) for _, p in seen}
        return [
            (merged.source_of(p.path) or fallback, p)
            for p in engine.schema_problems(
                plain, schema, partial=partial, revealed=True, is_secret=is_secret
            )
            if (p.path, p.keyword) not in known
        ]

    def partial_envs(self) -> set[str]:
        """Root environments that others extend (like `base`): layers, not deployments,
        so completeness (`required`) is checked in the envs built on them."""
        envs = self.repo.manifest.environments
        parents = {parent for parent in envs.values() if parent is not None}
        return {env for env, parent in envs.items() if parent is None and env in parents}

    def is_secret_key(self, path: KeyPath) -> bool:
        """The manifest's `secrets` globs, remembered per key names (list indices do not count)."""
        names = tuple(seg for seg in path if isinstance(seg, str))
        found = self._secret_names.get(names)
        if found is None:
            found = self._secret_names[names] = self.repo.manifest.is_secret_key(path)
        return found

    def _may_name_a_secret(self, text: str) -> bool:
        """Cheap pre-check: could any key in `text` match a `secrets` glob? (Each glob's
        longest literal part must occur in the text; a glob with none always may.)"""
        if self._secret_literals is None:
            import re

            self._secret_literals = [
                max(re.split(r"[*?\[\]]+", g.lower()), key=len) for g in self.repo.manifest.secrets
            ]
        lowered = text.lower()
        return any(not lit or lit in lowered for lit in self._secret_literals)

    # ---- keys --------------------------------------------------------------------

    def keys(self, tenant: str) -> bool:
        """True when the tenant's data keys can be unwrapped here (remembered per tenant)."""
        if not self.use_keys:
            self.keyless.add(tenant)
            return False
        if tenant not in self._keys:
            try:
                keys = self.repo.keys(tenant)
                keys.key(keys.active_version)
                self._keys[tenant] = keys
            except WrongKey:
                raise  # a key is here but not this tenant's: an error, never a keyless check
            except (KeyStoreError, BackendUnavailable, RepoError, LcmError):
                self._keys[tenant] = None
                self.keyless.add(tenant)
        return self._keys[tenant] is not None

    # ---- locating ----------------------------------------------------------------

    def _locate(
        self, layer: Layer, problems: list[Problem], schema: str | None, config: str | None
    ) -> None:
        for problem in problems:
            line, col = layer.position(problem)
            self.report.add(
                Finding(
                    shown(layer.path),
                    line,
                    col,
                    problem.path,
                    problem.rule,
                    problem.keyword,
                    problem.message,
                    schema,
                    config,
                    inherited=config is not None and config != str(layer.addr),
                )
            )

    def _add(
        self, file: str, line: int, col: int, path: KeyPath, rule: str, keyword: str, message: str
    ) -> None:
        self.report.add(Finding(file, line, col, path, rule, keyword, message))


class _Single:
    """An effective config made of one file: its tree as is, every value from that file."""

    def __init__(self, layer: Layer) -> None:
        self.tree = layer.tree
        self.addr = layer.addr

    def source_of(self, _path: KeyPath) -> Address:
        return self.addr


def effective_targets(repo: Repo, files: Iterable[Address]) -> list[tuple[str, str, str]]:
    """The (tenant, env, name) effective configs that include any of `files`."""
    manifest = repo.manifest
    return sorted({(a.tenant, env, a.name) for a in files for env in manifest.environments
                   if a.env in manifest.env_chain(env)})


def config_address(repo: Repo, path: Path) -> Address | None:
    """The address of a config file path under `config/`, or None."""
    try:
        rel = path.resolve().relative_to(repo.root.resolve())
    except ValueError:
        return None
    return Address.from_relpath(rel.as_posix())
