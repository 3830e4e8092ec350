"""Reading Vault credentials (token, AppRole ids, service-account JWT) from where the user keeps them.

Credentials live only in `Credentials` fields hidden from `repr`, and every
message built from here names variables and files, never their contents.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lcm.vault.errors import VaultDenied
from lcm.vault.settings import AuthSettings, env_names, env_value

TOKEN_FILE = "~/.vault-token"


@dataclass(frozen=True)
class Credentials:
    """A ready token, or a login request to exchange for one; `secrets` are scrubbed from messages."""

    method: str
    token: str | None = field(default=None, repr=False)
    login_path: str | None = None
    login_body: dict[str, Any] = field(default_factory=dict, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)

    def describe(self) -> str:
        if self.login_path is None:
            return "token auth"
        return f"{self.method} login at {self.login_path.rsplit('/', 1)[0]}"


def _read_secret_file(path_text: str, what: str, subject: str) -> str:
    path = Path(path_text).expanduser()
    problem = ""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as err:
        problem = str(err.strerror)
    except UnicodeDecodeError:
        problem = "not UTF-8 text"
    if problem:  # raised outside the handler: no chained exception holds file contents
        raise VaultDenied(f"{subject}: cannot read the {what} file {path}: {problem}")
    if not value:
        raise VaultDenied(f"{subject}: the {what} file {path} is empty")
    return value


def _from_env_or_file(
    env: str | None, file: str | None, default_name: str, what: str, subject: str
) -> str | None:
    if file:
        return _read_secret_file(file, what, subject)
    if env:
        return os.environ.get(env) or None
    return env_value(default_name)


def token_credentials(subject: str) -> Credentials:
    """`VAULT_TOKEN`/`BAO_TOKEN`, else `~/.vault-token`."""
    token = env_value("TOKEN")
    if not token:
        path = Path(TOKEN_FILE).expanduser()
        if path.is_file():
            token = _read_secret_file(str(path), "Vault token", subject)
    if not token:
        raise VaultDenied(
            f"{subject}: no Vault credentials: set {env_names('TOKEN')} (or write {TOKEN_FILE}),"
            f" set {env_names('ROLE_ID')} and {env_names('SECRET_ID')} for AppRole,"
            " or configure `auth` in the tenant's manifest entry"
        )
    return Credentials("token", token=token, secrets=(token,))


def approle_credentials(auth: AuthSettings, subject: str) -> Credentials:
    """Role id (required) and secret id (optional) from the named variables or files."""
    role_id = _from_env_or_file(auth.role_id_env, auth.role_id_file, "ROLE_ID", "role id", subject)
    if not role_id:
        source = auth.role_id_file or (f"${auth.role_id_env}" if auth.role_id_env else None)
        raise VaultDenied(
            f"{subject}: AppRole login needs a role id: set {source or env_names('ROLE_ID')}"
        )
    secret_id = _from_env_or_file(
        auth.secret_id_env, auth.secret_id_file, "SECRET_ID", "secret id", subject
    )
    body = {"role_id": role_id} | ({"secret_id": secret_id} if secret_id else {})
    secrets = (role_id, secret_id) if secret_id else (role_id,)
    return Credentials("approle", login_path=f"auth/{auth.mount}/login", login_body=body,
                       secrets=secrets)


def kubernetes_credentials(auth: AuthSettings, subject: str) -> Credentials:
    """The service-account JWT file and the Vault role to log in as."""
    if not auth.role:
        raise VaultDenied(f"{subject}: Kubernetes login needs `auth.role` in the tenant's entry")
    jwt = _read_secret_file(auth.jwt_path, "service-account token", subject)
    return Credentials("kubernetes", login_path=f"auth/{auth.mount}/login",
                       login_body={"role": auth.role, "jwt": jwt}, secrets=(jwt,))


def credentials(auth: AuthSettings, subject: str) -> Credentials:
    """The credentials of the configured method, read now (so each process reads them once)."""
    if auth.method == "approle":
        return approle_credentials(auth, subject)
    if auth.method == "kubernetes":
        return kubernetes_credentials(auth, subject)
    return token_credentials(subject)
