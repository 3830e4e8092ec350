"""Shared fixtures for the whole suite.

Autouse, always safe: every test gets its own HOME, XDG folders and Git
identity, and inherits no `LCM_*` / `GIT_*` variable or D-Bus session from
the developer's shell, so no test can read or write a real key store, keyring
or Git config. The session-wide guard fails the run if anything still wrote
lcm keys under the real home directory.

Opt-in: `repo` (an initialised config repo with a file-backend tenant `acme`,
cwd set to it), `cli` (run `lcm` in-process through CliRunner, stdout and
stderr separate), `lcm_exe` (run the installed `lcm` executable), `tree_digest`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import pytest

VENV_BIN = Path(sys.executable).parent
LCM_EXE = VENV_BIN / "lcm"
TEST_AUTHOR_NAME = "lcm tests"
TEST_AUTHOR_EMAIL = "tests@example.invalid"
# Variables from the outer environment that must not leak into a test.
_STRIP_PREFIXES = ("LCM_", "GIT_", "XDG_", "DBUS_", "KEYRING_", "PYTHON_KEYRING")
_KEEP = {"GIT_SSL_CAINFO"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes seconds (subprocess races, kills, wheel builds)"
    )


def _real_home_state() -> dict[str, tuple[int, int]]:
    """(size, mtime) of everything lcm could write under the real home directory."""
    home = Path(os.path.expanduser("~"))
    seen: dict[str, tuple[int, int]] = {}
    for folder in (home / ".local/share/lcm", home / ".config/lcm"):
        if folder.exists():
            for path in folder.rglob("*"):
                st = path.lstat()
                seen[str(path)] = (st.st_size, st.st_mtime_ns)
    return seen


@pytest.fixture(autouse=True, scope="session")
def _real_home_untouched() -> Iterator[None]:
    before = _real_home_state()
    yield
    assert _real_home_state() == before, "a test wrote lcm files under the real home directory"


def _isolate_libgit2(home: Path) -> None:
    """Point libgit2's global/XDG/system config at the test's HOME.

    libgit2 fixes those paths when pygit2 is first imported, so an import during
    collection would otherwise let the real ~/.gitconfig (user.name ...) leak in."""
    try:
        import pygit2
        from pygit2.enums import ConfigLevel
    except ImportError:
        return
    (home / ".config/git").mkdir(parents=True, exist_ok=True)
    (home / "etc").mkdir(exist_ok=True)
    for level, path in (
        (ConfigLevel.GLOBAL, home),
        (ConfigLevel.XDG, home / ".config/git"),
        (ConfigLevel.SYSTEM, home / "etc"),
    ):
        pygit2.settings.search_path[level] = str(path)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME, XDG folders, Git identity; no inherited LCM_*/GIT_*/D-Bus."""
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(_STRIP_PREFIXES) and name not in _KEEP:
            monkeypatch.delenv(name)
    runtime = home / "run"
    runtime.mkdir(mode=0o700)
    for var, sub in (
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    # The git CLI (used by tests only) must not read the machine's or user's config.
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_AUTHOR_NAME", TEST_AUTHOR_NAME)
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", TEST_AUTHOR_EMAIL)
    monkeypatch.setenv("GIT_COMMITTER_NAME", TEST_AUTHOR_NAME)
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", TEST_AUTHOR_EMAIL)
    monkeypatch.setenv("LCM_AUTHOR", f"{TEST_AUTHOR_NAME} <{TEST_AUTHOR_EMAIL}>")
    _isolate_libgit2(home)
    # No OS keyring unless a test starts one (see tests/core/test_keyring.py).
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/lcm-test-bus")
    monkeypatch.setenv("EDITOR", "false")
    monkeypatch.delenv("VISUAL", raising=False)
    return home


@pytest.fixture(autouse=True)
def _fresh_data_key_cache() -> Iterator[None]:
    """Every test starts like a new process: no data key unwrapped by an earlier test
    (the cache is process-wide by design, and test repos may share a repo id)."""
    from lcm.keys import cache

    cache.forget()
    yield
    cache.forget()


# ---- running lcm ------------------------------------------------------------------


class CliResult:
    """What one `lcm` run produced (in-process or as a subprocess)."""

    def __init__(self, code: int, stdout: str, stderr: str, exception: BaseException | None = None):
        self.code = code
        self.stdout = stdout
        self.stderr = stderr
        self.exception = exception

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def run_cli(
    args: Sequence[str],
    input: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
) -> CliResult:
    """Run `lcm ARGS` in-process through Typer's CliRunner (stdout and stderr apart)."""
    from typer.testing import CliRunner

    from lcm.cli.main import app
    from lcm.keys import cache

    # Each `lcm` run is a new process: start it without the data keys an earlier run
    # of this test process unwrapped (the cache is process-wide by design).
    cache.forget()
    result = CliRunner().invoke(app, [str(a) for a in args], input=input, env=env)
    exc = result.exception
    if isinstance(exc, SystemExit):
        exc = None
    return CliResult(result.exit_code, result.stdout, result.stderr, exc)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """`cli("get", "acme/base/app")` runs the CLI in-process in the current cwd."""

    def _run(
        *args: str, input: str | bytes | None = None, env: Mapping[str, str | None] | None = None
    ) -> CliResult:
        return run_cli(args, input=input, env=env)

    return _run


def run_exe(
    args: Sequence[str],
    cwd: Path | None = None,
    input: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> CliResult:
    """Run the installed `lcm` executable as a subprocess."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [str(LCM_EXE), *map(str, args)],
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def lcm_exe() -> Callable[..., CliResult]:
    def _run(
        *args: str,
        cwd: Path | None = None,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 60,
    ) -> CliResult:
        return run_exe(args, cwd=cwd, input=input, env=env, timeout=timeout)

    return _run


# ---- repositories -------------------------------------------------------------------


def make_repo(root: Path, tenants: Sequence[str] = ("acme",), backend: str = "file") -> Path:
    """An initialised lcm repo at `root` with file-backend tenants (via the library)."""
    from lcm.repository.repo import Repo
    from lcm.ops.scaffold import add_tenant, init_repo

    init_repo(root)
    for tenant in tenants:
        add_tenant(Repo.open(root), tenant, backend)
    return root


@pytest.fixture(name="make_repo")
def make_repo_fixture() -> Callable[..., Path]:
    """`make_repo(path, tenants=("acme",), backend="file")` for a second repository."""
    return make_repo


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config repo with a file-backend tenant `acme`; the cwd is its root."""
    root = make_repo(tmp_path / "cfg")
    monkeypatch.chdir(root)
    return root


def digest_tree(*roots: Path) -> dict[str, str]:
    """Content hash (and mode) of every file under `roots`, symlinks not followed."""
    out: dict[str, str] = {}
    for root in roots:
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                st = path.stat()
                out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest() + f":{st.st_mode:o}"
    return out


@pytest.fixture
def tree_digest() -> Callable[..., dict[str, str]]:
    return digest_tree
