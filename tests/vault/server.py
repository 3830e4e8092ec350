"""A real OpenBao dev server for the tests: start on a free loopback port, admin calls, audit log, stop.

The server declares a file audit device in its `-config` file (OpenBao 2.x
refuses to create audit devices through the API), so tests can count the
requests lcm made. Admin calls use urllib, independent of the code under test.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START_TIMEOUT = 20.0


class AdminError(Exception):
    """A failed admin call (status and Vault's errors)."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


def bao_binary() -> str | None:
    """The `bao` executable: beside this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "bao"
    return str(beside) if beside.exists() else shutil.which("bao")


def free_port() -> int:
    """A loopback port whose successor (the dev cluster port) is free too."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        try:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return int(port)
    raise RuntimeError("no free port pair on 127.0.0.1")


@dataclass
class VaultServer:
    """A Vault/OpenBao server the tests may administer with a root token."""

    address: str
    token: str = field(repr=False)
    audit_log: Path | None = None
    ca_cert: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    startup_seconds: float = 0.0

    def _context(self) -> ssl.SSLContext | None:
        if not self.address.startswith("https:"):
            return None
        return ssl.create_default_context(cafile=str(self.ca_cert) if self.ca_cert else None)

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None,
              namespace: str | None = None, token: str | None = None) -> dict[str, Any]:
        """Call the HTTP API as root (or `token`); AdminError on a non-2xx status."""
        headers = {"X-Vault-Token": token or self.token, "Content-Type": "application/json"}
        if namespace:
            headers["X-Vault-Namespace"] = namespace
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.address}/v1/{path}", data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10, context=self._context()) as response:
                raw = response.read()
        except urllib.error.HTTPError as err:
            raise AdminError(err.code, err.read().decode(errors="replace")) from None
        return json.loads(raw) if raw else {}

    def healthy(self) -> bool:
        try:
            request = urllib.request.Request(f"{self.address}/v1/sys/health")
            with urllib.request.urlopen(request, timeout=1, context=self._context()) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def audit_entries(self) -> list[dict[str, Any]]:
        """Every record of the file audit device so far."""
        assert self.audit_log is not None, "this server has no audit log the tests can read"
        if not self.audit_log.exists():
            return []
        lines = self.audit_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def audited_requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """Audit records of type `request` (optionally only those for `path`)."""
        out = []
        for entry in self.audit_entries():
            if entry.get("type") != "request":
                continue
            if path is None or entry.get("request", {}).get("path") == path:
                out.append(entry)
        return out

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


CONFIG = """\
audit "file" "lcm-test-audit" {{
  options {{
    file_path = "{audit_log}"
  }}
}}
"""


def start_bao(workdir: Path, tls: bool = False, attempts: int = 3) -> VaultServer:
    """Start `bao server -dev` (with `-dev-tls` when asked) and wait until it is healthy."""
    binary = bao_binary()
    if binary is None:
        raise FileNotFoundError("bao")
    workdir.mkdir(parents=True, exist_ok=True)
    audit_log = workdir / "audit.log"
    config = workdir / "config.hcl"
    config.write_text(CONFIG.format(audit_log=audit_log))
    last_log = ""
    for attempt in range(attempts):
        token = "root-" + secrets.token_hex(12)
        port = free_port()
        args = [binary, "server", "-dev", "-dev-no-store-token", f"-dev-root-token-id={token}",
                f"-dev-listen-address=127.0.0.1:{port}", f"-config={config}"]
        ca_cert = None
        if tls:
            cert_dir = workdir / "tls"
            cert_dir.mkdir(exist_ok=True)
            args += ["-dev-tls", f"-dev-tls-cert-dir={cert_dir}"]
            ca_cert = cert_dir / "vault-ca.pem"
        log_path = workdir / f"server-{attempt}.log"
        # A clean environment: no inherited VAULT_*/BAO_*, and HOME inside workdir.
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir)}
        started = time.monotonic()
        with open(log_path, "wb") as log:
            process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                       stdin=subprocess.DEVNULL)
        server = VaultServer(f"{'https' if tls else 'http'}://127.0.0.1:{port}", token,
                             audit_log, ca_cert, process, log_path)
        deadline = started + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if (ca_cert is None or ca_cert.exists()) and server.healthy():
                server.startup_seconds = time.monotonic() - started
                return server
            time.sleep(0.05)
        server.stop()
        last_log = log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"bao server did not become healthy:\n{last_log}")
