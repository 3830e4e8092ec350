"""A small Vault client on hvac's HTTP adapter: bounded time, one retry, lcm errors, no leaked credentials.

One `VaultClient` per connection settings per process (`client_for`), so a
process logs in once. hvac and requests are imported on the first request.
Errors are raised outside of `except` blocks, so no exception chain carries a
request, a response or a credential.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Iterable, NoReturn
from urllib.parse import quote

from lcm.errors import LcmError
from lcm.vault.addresses import origin_of
from lcm.vault.auth import Credentials, credentials
from lcm.vault.errors import VaultDenied, VaultNotFound, VaultRequestRejected, VaultUnavailable
from lcm.vault.settings import VaultSettings, env_value

RETRY_PAUSE = 0.3
_MAX_DETAIL = 200


@dataclass(frozen=True)
class Reply:
    """Status and JSON body of one Vault response."""

    status: int
    body: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        data = self.body.get("data")
        return data if isinstance(data, dict) else {}

    @property
    def errors(self) -> list[str]:
        errors = self.body.get("errors")
        return [str(e) for e in errors] if isinstance(errors, list) else []

    def detail(self) -> str:
        """`: <Vault's errors>` on one line, shortened, or "" when Vault gave none."""
        text = " ".join("; ".join(self.errors).split())
        if len(text) > _MAX_DETAIL:
            text = text[: _MAX_DETAIL - 1] + "…"
        return f": {text}" if text else ""


def vault_path(*segments: str) -> str:
    """Join path segments, each already validated, quoting nothing but unsafe characters."""
    return "/".join(quote(s.strip("/"), safe="/") for s in segments if s)


class VaultClient:
    """One authenticated connection to a Vault address and namespace."""

    def __init__(self, settings: VaultSettings) -> None:
        self.settings = settings
        self._adapter: Any = None
        self._credentials: Credentials | None = None
        self._token: str | None = None
        self._lock = threading.Lock()
        self.request_count = 0

    def __repr__(self) -> str:
        return f"VaultClient({self.settings.where()})"

    def scrub(self, text: str) -> str:
        """`text` on one line with every known credential replaced by `***`."""
        secrets = self._credentials.secrets if self._credentials else ()
        for secret in (*secrets, self._token or ""):
            if secret:
                text = text.replace(secret, "***")
        return " ".join(text.split())

    def _fail(self, cls: type[LcmError], message: str) -> LcmError:
        return cls(self.scrub(message))

    # ---- transport -------------------------------------------------------------------

    def _http(self) -> Any:
        if self._adapter is None:
            import hvac  # type: ignore[import-untyped]
            from hvac.adapters import RawAdapter  # type: ignore[import-untyped]

            s = self.settings
            client = hvac.Client(
                url=s.address, token="", verify=s.verify, cert=s.client_cert,
                timeout=(s.connect_timeout, s.read_timeout), allow_redirects=False,
                adapter=RawAdapter,
            )
            self._adapter = client.adapter
        return self._adapter

    def _send(self, method: str, path: str, body: dict[str, Any] | None,
              namespace: str | None, token: str | None) -> Any:
        """The HTTP response, or a VaultUnavailable naming the address (one retry on connect errors)."""
        import requests

        adapter = self._http()
        headers = {"X-Vault-Namespace": namespace} if namespace else {}
        if token:
            headers["X-Vault-Token"] = token
        where = self.settings.where()
        failure = ""
        for attempt in range(2):
            try:
                self.request_count += 1
                return adapter.request(method, f"/v1/{path}", headers=headers,
                                       raise_exception=False, json=body)
            except requests.exceptions.SSLError:
                skip = " (lcm ignores VAULT_SKIP_VERIFY)" if env_value("SKIP_VERIFY") else ""
                failure = (f"Vault at {where}: TLS certificate verification failed; set"
                           " VAULT_CACERT (or BAO_CACERT) to the CA that signed the server's"
                           f" certificate{skip}")
                break
            except requests.exceptions.ConnectionError:
                # Retried once: the connection failed, so Vault most likely saw nothing.
                failure = f"Vault at {where} is unreachable (connection failed)"
            except requests.exceptions.Timeout:
                failure = f"Vault at {where} did not answer within {self.settings.read_timeout:g} s"
                break
            except requests.exceptions.RequestException as err:
                failure = f"Vault at {where}: request failed ({type(err).__name__})"
                break
            if attempt == 0:
                time.sleep(RETRY_PAUSE)
        raise self._fail(VaultUnavailable, failure)

    # ---- responses -------------------------------------------------------------------

    def _reply(self, response: Any) -> Reply:
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        return Reply(response.status_code, body if isinstance(body, dict) else {})

    def _raise_for(self, reply: Reply, method: str, path: str, subject: str,
                   response: Any) -> NoReturn:
        where = self.settings.where()
        detail = reply.detail()
        status = reply.status
        if status in (301, 302, 303, 307, 308):
            location = response.headers.get("Location", "")
            try:
                target = str(origin_of(location))
            except ValueError:
                target = "another address"
            raise self._fail(VaultUnavailable,
                             f"Vault at {where} redirected {method} {path} to {target}; lcm does"
                             " not follow redirects: point VAULT_ADDR at the active node")
        if status in (401, 403):
            raise self._fail(VaultDenied,
                             f"{subject}: permission denied on {path} at {where} (the token's"
                             " policies do not allow it, or the token is invalid or expired)")
        if status == 404:
            raise self._fail(VaultNotFound, f"{subject}: {path} not found at {where}{detail}")
        if status == 503:
            raise self._fail(VaultUnavailable, f"Vault at {where} is sealed or unavailable{detail}")
        if status >= 500 or status == 429:
            raise self._fail(VaultUnavailable,
                             f"Vault at {where} failed on {path} (HTTP {status}){detail}")
        raise self._fail(VaultRequestRejected,
                         f"{subject}: Vault rejected {method} {path} at {where}{detail}")

    # ---- auth ------------------------------------------------------------------------

    def _login(self, subject: str) -> str:
        creds = credentials(self.settings.auth, subject)
        self._credentials = creds
        if creds.login_path is None:
            assert creds.token is not None
            return creds.token
        response = self._send("POST", creds.login_path, creds.login_body,
                              self.settings.auth.namespace, token=None)
        reply = self._reply(response)
        token = (reply.body.get("auth") or {}).get("client_token")
        if reply.status == 200 and isinstance(token, str) and token:
            return token
        if reply.status in (400, 401, 403):
            raise self._fail(VaultDenied,
                             f"{subject}: Vault {creds.describe()} failed at"
                             f" {self.settings.where()}{reply.detail()}")
        if 200 <= reply.status < 300:
            raise self._fail(VaultDenied, f"{subject}: Vault {creds.describe()} returned no token")
        self._raise_for(reply, "POST", creds.login_path, subject, response)

    def token(self, subject: str) -> str:
        """The client token, logging in on first use (once per process per connection)."""
        with self._lock:
            if self._token is None:
                self._token = self._login(subject)
            return self._token

    # ---- requests --------------------------------------------------------------------

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, *,
                subject: str, accept: Iterable[int] = ()) -> Reply:
        """Send an authenticated request; 2xx and `accept` statuses return, others raise lcm errors."""
        token = self.token(subject)
        response = self._send(method, path, body, self.settings.namespace, token)
        reply = self._reply(response)
        if 200 <= reply.status < 300 or reply.status in set(accept):
            return reply
        self._raise_for(reply, method, path, subject, response)


_CLIENTS: dict[VaultSettings, VaultClient] = {}
_CLIENTS_LOCK = threading.Lock()


def client_for(settings: VaultSettings) -> VaultClient:
    """The process-wide client of these settings (created, not yet connected, on first call)."""
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(settings)
        if client is None:
            client = _CLIENTS[settings] = VaultClient(settings)
        return client


def forget_clients() -> None:
    """Drop every cached client and its token (tests; a long-lived process switching users)."""
    with _CLIENTS_LOCK:
        _CLIENTS.clear()
