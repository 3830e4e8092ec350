"""Which Vault addresses may receive credentials: only those the user allowed, never the repo.

The manifest travels with the repository, so its `address` is attacker-controlled
input. A token (or AppRole secret id, or service-account JWT) goes only to an
origin named by the user: `VAULT_ADDR`/`BAO_ADDR`, `LCM_VAULT_ALLOWED_ADDRS`, or
`vault.allowed_addresses` in `$XDG_CONFIG_HOME/lcm/config.yaml`. Origins are
compared after normalisation (scheme, lower-case host, explicit default port).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lcm.errors import UsageError

ALLOW_ENV = "LCM_VAULT_ALLOWED_ADDRS"
ADDRESS_ENVS = ("VAULT_ADDR", "BAO_ADDR")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    """The part of a URL that decides who receives a request."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def origin_of(address: str) -> Origin:
    """The normalised origin of a Vault address; ValueError when it is not an http(s) URL."""
    try:
        parts = urlsplit(address.strip())
        port = parts.port
    except ValueError:
        raise ValueError(f"not a URL: {address!r}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {address!r}")
    if not parts.hostname:
        raise ValueError(f"no host in {address!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"credentials in the URL are not allowed: {parts.hostname}")
    if parts.query or parts.fragment:
        raise ValueError(f"query or fragment in a Vault address: {address!r}")
    host = parts.hostname.lower().rstrip(".")
    return Origin(scheme, host, port if port is not None else _DEFAULT_PORTS[scheme])


def env_addresses() -> list[tuple[str, str]]:
    """(address, variable) for each of `VAULT_ADDR`, `BAO_ADDR` that is set."""
    return [(os.environ[name], f"${name}") for name in ADDRESS_ENVS if os.environ.get(name)]


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "lcm" / "config.yaml"


def _config_file_addresses() -> list[tuple[str, str]]:
    path = user_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as err:
        raise UsageError(f"{path}: cannot read it ({err.strerror})") from None
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        raise UsageError(f"{path}: not valid YAML") from None
    vault = data.get("vault") if isinstance(data, dict) else None
    listed = vault.get("allowed_addresses", []) if isinstance(vault, dict) else []
    if not isinstance(listed, list) or not all(isinstance(a, str) for a in listed):
        raise UsageError(f"{path}: vault.allowed_addresses must be a list of URLs")
    return [(a, str(path)) for a in listed]


def allow_list() -> list[tuple[str, str]]:
    """(address, where it was allowed) from the environment and the user's config file."""
    listed = [(a.strip(), f"${ALLOW_ENV}") for a in os.environ.get(ALLOW_ENV, "").split(",")]
    return env_addresses() + [item for item in listed if item[0]] + _config_file_addresses()


def allowed_origins() -> set[Origin]:
    """Every origin the user allowed; a malformed entry is a usage error naming its source."""
    origins: set[Origin] = set()
    for address, source in allow_list():
        try:
            origins.add(origin_of(address))
        except ValueError as err:
            raise UsageError(f"{source}: {err}") from None
    return origins
