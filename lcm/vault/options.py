"""The options of a `backend: vault` tenant entry, checked with the key path of each problem.

`validate_options` is what the manifest loader calls to report located errors;
`docs/vault.md` carries the matching JSON-Schema fragment.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from lcm.vault.addresses import origin_of

KeyPath = tuple[str, ...]
Problem = tuple[KeyPath, str]

AUTH_METHODS = ("token", "approle", "kubernetes")
DEFAULT_JWT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token"

_SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
KEY_NAME_RE = re.compile(rf"^{_SEGMENT}$")
MOUNT_RE = re.compile(rf"^{_SEGMENT}(/{_SEGMENT})*$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _is_str(pattern: re.Pattern[str] | None, what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, str) or not value:
            return "must be a non-empty string"
        if pattern is not None and (not pattern.match(value) or ".." in value.split("/")):
            return f"not a valid {what}: {value!r}"
        return None

    return check


def _is_address(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string (an http(s) URL)"
    try:
        origin_of(value)
    except ValueError as err:
        return str(err)
    return None


def _is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _is_method(value: Any) -> str | None:
    return None if value in AUTH_METHODS else f"must be one of {', '.join(AUTH_METHODS)}"


TENANT_KEYS: dict[str, Callable[[Any], str | None]] = {
    "address": _is_address,
    "mount": _is_str(MOUNT_RE, "mount path"),
    "key": _is_str(KEY_NAME_RE, "transit key name"),
    "namespace": _is_str(MOUNT_RE, "namespace"),
    "create": _is_bool,
    "description": _is_str(None, ""),
}

AUTH_KEYS: dict[str, Callable[[Any], str | None]] = {
    "method": _is_method,
    "mount": _is_str(MOUNT_RE, "auth mount path"),
    "namespace": _is_str(MOUNT_RE, "namespace"),
    "role": _is_str(KEY_NAME_RE, "role name"),
    "role_id_env": _is_str(ENV_NAME_RE, "variable name"),
    "secret_id_env": _is_str(ENV_NAME_RE, "variable name"),
    "role_id_file": _is_str(None, ""),
    "secret_id_file": _is_str(None, ""),
    "jwt_path": _is_str(None, ""),
}

# Which auth keys make sense for which method (besides method, mount, namespace).
METHOD_KEYS = {
    "token": set(),
    "approle": {"role_id_env", "secret_id_env", "role_id_file", "secret_id_file"},
    "kubernetes": {"role", "jwt_path"},
}


def _check_map(
    data: Mapping[str, Any], rules: Mapping[str, Callable[[Any], str | None]], where: KeyPath
) -> list[Problem]:
    problems: list[Problem] = []
    for name, value in data.items():
        rule = rules.get(name)
        if rule is None:
            problems.append(((*where, str(name)), f"unknown option {name!r}"))
        elif (message := rule(value)) is not None:
            problems.append(((*where, name), message))
    return problems


def _check_auth(auth: Any) -> list[Problem]:
    if not isinstance(auth, Mapping):
        return [(("auth",), "must be a mapping with at least `method`")]
    problems = _check_map(auth, AUTH_KEYS, ("auth",))
    method = auth.get("method")
    if method is None:
        return problems + [(("auth", "method"), "required")]
    if method not in AUTH_METHODS:
        return problems
    common = {"method", "mount", "namespace"}
    for name in auth:
        if name in AUTH_KEYS and name not in common | METHOD_KEYS[method]:
            problems.append((("auth", name), f"not an option of auth method {method!r}"))
    for pair in (("role_id_env", "role_id_file"), ("secret_id_env", "secret_id_file")):
        if all(p in auth for p in pair):
            problems.append((("auth", pair[1]), f"give either {pair[0]} or {pair[1]}, not both"))
    if method == "kubernetes" and "role" not in auth:
        problems.append((("auth", "role"), "required for auth method 'kubernetes'"))
    return problems


def validate_options(options: Mapping[str, Any]) -> list[Problem]:
    """Problems in a vault tenant's options (the manifest entry minus `backend`), each located."""
    if not isinstance(options, Mapping):
        return [((), "must be a mapping")]
    problems = _check_map({k: v for k, v in options.items() if k != "auth"}, TENANT_KEYS, ())
    if "auth" in options:
        problems += _check_auth(options["auth"])
    return problems


def format_keypath(path: KeyPath) -> str:
    return ".".join(path) if path else "(tenant entry)"
