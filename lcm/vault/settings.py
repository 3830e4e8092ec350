"""Everything needed to reach a tenant's Vault, resolved from its manifest entry and the user's environment.

Both the `VAULT_*` and the `BAO_*` variable names are honoured (`VAULT_*` first),
and every value is passed to hvac explicitly so that hvac's own, partial
environment handling never decides anything.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from lcm.errors import RepoError, UsageError
from lcm.vault.addresses import (
    ALLOW_ENV,
    Origin,
    allowed_origins,
    env_addresses,
    origin_of,
    user_config_path,
)
from lcm.vault.errors import VaultUnavailable
from lcm.vault.options import DEFAULT_JWT_PATH, format_keypath, validate_options

CONNECT_TIMEOUT = 2.5
READ_TIMEOUT = 8.0
TIMEOUT_ENV = "LCM_VAULT_TIMEOUT"
AUTH_ENV = "LCM_VAULT_AUTH"


def env_value(name: str) -> str | None:
    """`VAULT_<name>`, else `BAO_<name>`, else None (empty counts as unset)."""
    for prefix in ("VAULT_", "BAO_"):
        value = os.environ.get(prefix + name)
        if value:
            return value
    return None


def env_names(name: str) -> str:
    return f"VAULT_{name}/BAO_{name}"


@dataclass(frozen=True)
class AuthSettings:
    """How to log in; holds variable names and file paths, never a credential."""

    method: str
    mount: str
    namespace: str | None
    role: str | None = None
    role_id_env: str | None = None
    role_id_file: str | None = None
    secret_id_env: str | None = None
    secret_id_file: str | None = None
    jwt_path: str = DEFAULT_JWT_PATH


@dataclass(frozen=True)
class VaultSettings:
    """Address, namespace, TLS, timeouts and auth of one Vault connection."""

    address: str
    origin: Origin
    namespace: str | None
    verify: bool | str
    client_cert: tuple[str, str] | None
    auth: AuthSettings
    connect_timeout: float = CONNECT_TIMEOUT
    read_timeout: float = READ_TIMEOUT

    def where(self) -> str:
        """The address, plus the namespace when there is one (for messages)."""
        return self.address + (f" (namespace {self.namespace})" if self.namespace else "")


@dataclass(frozen=True)
class TransitSettings:
    """Which transit key holds a tenant's master key, and whether lcm may create it."""

    mount: str
    key: str
    create: bool


def check_options(tenant: str, options: Mapping[str, Any]) -> None:
    """RepoError naming the first problem in a tenant's vault options."""
    problems = validate_options(options)
    if problems:
        path, message = problems[0]
        raise RepoError(f"tenant {tenant!r}: vault option {format_keypath(path)}: {message}")


def resolve_address(tenant: str, options: Mapping[str, Any]) -> tuple[str, Origin]:
    """The address lcm may send credentials to; VaultUnavailable (exit 6) before any request."""
    spec_address = options.get("address")
    if spec_address:
        origin = origin_of(spec_address)
        if origin not in allowed_origins():
            raise VaultUnavailable(
                f"tenant {tenant!r}: Vault address {origin} from the manifest is not allowed;"
                f" set VAULT_ADDR to it, or list it in ${ALLOW_ENV} or under"
                f" vault.allowed_addresses in {user_config_path()}"
            )
        return str(spec_address).rstrip("/"), origin
    for address, variable in env_addresses():
        try:
            return address.rstrip("/"), origin_of(address)
        except ValueError as err:
            raise UsageError(f"{variable}: {err}") from None
    raise VaultUnavailable(f"tenant {tenant!r}: no Vault address; set VAULT_ADDR (or BAO_ADDR)")


def _detect_method() -> str:
    if env_value("TOKEN"):
        return "token"
    if env_value("ROLE_ID"):
        return "approle"
    return "token"


def resolve_auth(options: Mapping[str, Any], namespace: str | None) -> AuthSettings:
    """The login method: `$LCM_VAULT_AUTH`, else the spec's `auth.method`, else the environment."""
    spec: Mapping[str, Any] = options.get("auth") or {}
    method = os.environ.get(AUTH_ENV) or spec.get("method") or _detect_method()
    if method not in ("token", "approle", "kubernetes"):
        raise UsageError(f"${AUTH_ENV}: must be token, approle or kubernetes")
    spec_mount = spec.get("mount") if spec.get("method") == method else None
    return AuthSettings(
        method=method,
        mount=spec_mount or ("" if method == "token" else method),
        namespace=spec.get("namespace") or namespace,
        role=spec.get("role"),
        role_id_env=spec.get("role_id_env"),
        role_id_file=spec.get("role_id_file"),
        secret_id_env=spec.get("secret_id_env"),
        secret_id_file=spec.get("secret_id_file"),
        jwt_path=spec.get("jwt_path") or DEFAULT_JWT_PATH,
    )


def _tls() -> tuple[bool | str, tuple[str, str] | None]:
    verify: bool | str = True
    for name in ("CACERT", "CAPATH"):
        path = env_value(name)
        if path:
            if not Path(path).exists():
                raise UsageError(f"{env_names(name)}: {path} does not exist")
            verify = path
            break
    cert, key = env_value("CLIENT_CERT"), env_value("CLIENT_KEY")
    if bool(cert) != bool(key):
        raise UsageError(f"set both {env_names('CLIENT_CERT')} and {env_names('CLIENT_KEY')}")
    return verify, (cert, key) if cert and key else None


def _read_timeout() -> float:
    raw = os.environ.get(TIMEOUT_ENV)
    if not raw:
        return READ_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value <= 300:
        raise UsageError(f"${TIMEOUT_ENV}: seconds between 0 and 300")
    return value


def resolve(tenant: str, options: Mapping[str, Any]) -> VaultSettings:
    """The connection settings of a vault tenant (no request is made here)."""
    check_options(tenant, options)
    address, origin = resolve_address(tenant, options)
    namespace = (options.get("namespace") or env_value("NAMESPACE") or "").strip("/") or None
    verify, client_cert = _tls()
    return VaultSettings(
        address=address,
        origin=origin,
        namespace=namespace,
        verify=verify,
        client_cert=client_cert,
        auth=resolve_auth(options, namespace),
        read_timeout=_read_timeout(),
    )


def transit_settings(tenant: str, options: Mapping[str, Any]) -> TransitSettings:
    """Mount and key name of a tenant's transit key (defaults `transit`, `lcm-<tenant>`)."""
    check_options(tenant, options)
    return TransitSettings(
        mount=str(options.get("mount") or "transit").strip("/"),
        key=str(options.get("key") or f"lcm-{tenant}"),
        create=bool(options.get("create", True)),
    )
