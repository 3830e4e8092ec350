"""Failures in bounded time with the right exit code, and no credential to a stranger or in any message."""

from __future__ import annotations

import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from lcm.errors import BackendUnavailable, ExitCode, KeyStoreError, LcmError
from lcm.vault.auth import credentials
from lcm.vault.client import client_for
from lcm.vault.settings import resolve

from .conftest import point_env_at
from .helpers import aad, assert_no_secret, make_backend
from .server import VaultServer


class Listener:
    """A loopback TCP socket that never answers; tells whether anyone connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def connections(self) -> int:
        self.sock.setblocking(False)
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1


@pytest.fixture
def listener() -> Iterator[Listener]:
    item = Listener()
    yield item
    item.sock.close()


def test_address_not_allowed_sends_nothing(vault_server: VaultServer, listener: Listener,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    point_env_at(vault_server, monkeypatch)
    audited = vault_server.audit_log is not None
    lines_before = len(vault_server.audit_entries()) if audited else 0
    backend = make_backend("acme", address=listener.address + "/")
    with pytest.raises(BackendUnavailable) as info:
        backend.unwrap(b"vault:v1:AAAA", aad("acme", 1))
    err = info.value
    assert err.code == ExitCode.BACKEND
    assert f"Vault address {listener.address} from the manifest is not allowed" in err.message
    assert "\n" not in err.message
    assert listener.connections() == 0
    if audited:
        assert len(vault_server.audit_entries()) == lines_before
    assert_no_secret(err, vault_server.token)


def test_allow_list_from_env_and_config_file(vault_server: VaultServer, transit_mount: str,
                                             monkeypatch: pytest.MonkeyPatch,
                                             isolated_env: Path) -> None:
    port = vault_server.address.rsplit(":", 1)[1]
    scheme = vault_server.address.split(":", 1)[0]
    spelled = f"{scheme.upper()}://127.0.0.1:{port}/"  # same origin, different spelling
    monkeypatch.setenv("VAULT_TOKEN", vault_server.token)
    if vault_server.ca_cert:
        monkeypatch.setenv("VAULT_CACERT", str(vault_server.ca_cert))
    monkeypatch.setenv("VAULT_ADDR", "https://vault.other.example")
    with pytest.raises(BackendUnavailable, match="not allowed"):
        make_backend("acme", mount=transit_mount, address=spelled).exists()

    monkeypatch.setenv("LCM_VAULT_ALLOWED_ADDRS", f"https://x.example, {vault_server.address}")
    assert make_backend("acme", mount=transit_mount, address=spelled).exists() is False

    monkeypatch.delenv("LCM_VAULT_ALLOWED_ADDRS")
    config = isolated_env / ".config" / "lcm" / "config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"vault:\n  allowed_addresses:\n    - {vault_server.address}\n")
    assert make_backend("acme", mount=transit_mount, address=spelled).exists() is False


def test_no_address_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "s.not-used")
    with pytest.raises(BackendUnavailable, match="no Vault address; set VAULT_ADDR"):
        make_backend("acme").exists()


def test_server_stopped_between_two_commands(own_bao: Callable[..., VaultServer],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    server = own_bao()
    point_env_at(server, monkeypatch)
    server.admin("POST", "sys/mounts/transit", {"type": "transit"})
    backend = make_backend("acme")
    backend.create()
    wrapped = backend.wrap(b"s" * 32, aad("acme", 1))
    server.stop()

    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as info:
        make_backend("acme").unwrap(wrapped, aad("acme", 1))  # pooled connection, then a retry
    elapsed = time.monotonic() - started
    assert elapsed < 15
    assert info.value.code == ExitCode.BACKEND
    assert f"Vault at {server.address} is unreachable" in info.value.message
    assert_no_secret(info.value, server.token)


def test_sealed_server(own_bao: Callable[..., VaultServer],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    server = own_bao()
    point_env_at(server, monkeypatch)
    server.admin("PUT", "sys/seal")
    with pytest.raises(BackendUnavailable, match=f"Vault at {server.address} is sealed"):
        make_backend("acme").exists()


def test_server_that_never_answers_times_out(listener: Listener,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", listener.address)
    monkeypatch.setenv("VAULT_TOKEN", "s.some-token-value")
    monkeypatch.setenv("LCM_VAULT_TIMEOUT", "1")
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="did not answer within 1 s"):
        make_backend("acme").exists()
    assert time.monotonic() - started < 5


def test_tls_with_the_dev_ca(own_bao: Callable[..., VaultServer],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    server = own_bao(tls=True)
    assert server.address.startswith("https://") and server.ca_cert is not None
    server.admin("POST", "sys/mounts/transit", {"type": "transit"})
    monkeypatch.setenv("VAULT_ADDR", server.address)
    monkeypatch.setenv("VAULT_TOKEN", server.token)
    monkeypatch.setenv("VAULT_SKIP_VERIFY", "true")
    with pytest.raises(BackendUnavailable, match="TLS certificate verification failed.*ignores"
                                                 " VAULT_SKIP_VERIFY") as info:
        make_backend("acme").exists()
    assert_no_secret(info.value, server.token)

    monkeypatch.setenv("BAO_CACERT", str(server.ca_cert))
    backend = make_backend("acme")
    backend.create()
    assert backend.unwrap(backend.wrap(b"t" * 32, b"a"), b"a") == b"t" * 32


def test_invalid_token_is_exit_4_naming_tenant_and_path(vault_server: VaultServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    point_env_at(vault_server, monkeypatch)
    bogus = "hvs.bogus-token-" + "x" * 20
    monkeypatch.setenv("VAULT_TOKEN", bogus)
    with pytest.raises(KeyStoreError) as info:
        make_backend("acme", mount="transit").exists()
    assert info.value.code == ExitCode.KEY
    assert "tenant 'acme': permission denied on transit/keys/lcm-acme" in info.value.message
    assert_no_secret(info.value, bogus)


class _Redirector(BaseHTTPRequestHandler):
    target = ""

    def _redirect(self) -> None:
        self.send_response(307)
        self.send_header("Location", self.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = _redirect

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_redirects_are_not_followed(listener: Listener, monkeypatch: pytest.MonkeyPatch) -> None:
    """An allowed address that redirects elsewhere: the token must not follow it."""
    handler = type("Handler", (_Redirector,), {"target": listener.address})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("VAULT_ADDR", f"http://127.0.0.1:{httpd.server_address[1]}")
        monkeypatch.setenv("VAULT_TOKEN", "s.token-that-must-stay-home")
        with pytest.raises(BackendUnavailable, match="redirected .* to http://127.0.0.1"):
            make_backend("acme").exists()
        assert listener.connections() == 0
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_no_credential_in_logs_or_reprs(vault_server: VaultServer, transit_mount: str,
                                        monkeypatch: pytest.MonkeyPatch,
                                        caplog: pytest.LogCaptureFixture) -> None:
    point_env_at(vault_server, monkeypatch)
    caplog.set_level(logging.DEBUG)
    backend = make_backend("acme", mount=transit_mount)
    backend.create()
    backend.unwrap(backend.wrap(b"l" * 32, b"a"), b"a")
    errors: list[LcmError] = []
    for bad in (b"vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", b"nonsense"):
        try:
            make_backend("acme", mount=transit_mount).unwrap(bad, b"a")
        except LcmError as err:
            errors.append(err)
    assert len(errors) == 2
    settings = resolve("acme", {"mount": transit_mount})
    texts = [caplog.text, repr(backend), backend.describe(), repr(client_for(settings)),
             repr(settings), repr(credentials(settings.auth, "tenant 'acme'"))]
    for text in texts:
        assert vault_server.token not in text
    for error in errors:
        assert_no_secret(error, vault_server.token)
