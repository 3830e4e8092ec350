"""Value-level AES-256-GCM and the file MAC.

An encrypted value is one plain YAML scalar:
``ENC[AES256_GCM,k:<data-key version>,iv:<b64>,data:<b64>,tag:<b64>,type:<str|int|float|bool|null>]``.
Its associated data binds it to its place (format version, tenant, env, name,
the key path as a JSON list *with list indices*, the data-key version and the
type), so a value copied to any other place fails to decrypt.
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import hmac
import json
import os
import re
from json.encoder import encode_basestring as _json_str
from typing import Any, Callable, cast

from lcm.errors import IntegrityError
from lcm.format.paths import KeyPath, format_path
from lcm.format.values import canonical_json

FORMAT_VERSION = 1
ENC_RE = re.compile(
    r"^ENC\[AES256_GCM,k:(\d+),iv:([A-Za-z0-9+/=]+),data:([A-Za-z0-9+/=]*),"
    r"tag:([A-Za-z0-9+/=]+),type:(str|int|float|bool|null)\]$"
)
MAC_RE = re.compile(r"^HMAC_SHA256,k:(\d+),([A-Za-z0-9+/=]+)$")


def is_encrypted(value: Any) -> bool:
    """True for a stored `ENC[...]` scalar."""
    return isinstance(value, str) and value.startswith("ENC[") and ENC_RE.match(value) is not None


def enc_version(value: str) -> int:
    """The data-key version named by an `ENC[...]` value."""
    match = ENC_RE.match(value)
    if match is None:
        raise ValueError("not an ENC value")
    return int(match.group(1))


def enc_type(value: str) -> str:
    """The YAML type (`str`, `int`, …) an `ENC[...]` value decrypts to."""
    match = ENC_RE.match(value)
    if match is None:
        raise ValueError("not an ENC value")
    return match.group(5)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    raise TypeError(f"cannot encrypt a {type(value).__name__}")


def _to_bytes(value: Any, kind: str) -> bytes:
    if kind == "str":
        encoded: bytes = value.encode("utf-8")
        return encoded
    if kind == "bool":
        return b"true" if value else b"false"
    if kind == "null":
        return b""
    if kind == "float":
        return repr(float(value)).encode()
    return str(int(value)).encode()


def _from_bytes(raw: bytes, kind: str) -> Any:
    text = raw.decode("utf-8")
    if kind == "str":
        return text
    if kind == "bool":
        return text == "true"
    if kind == "null":
        return None
    if kind == "float":
        return float(text)
    return int(text)


_AESGCM: Any = None
_AEADS: dict[bytes, Any] = {}


def _aead(key: bytes) -> Any:
    """An AES-GCM context for `key`, built once per key (building one per value costs as
    much as the encryption itself when a tenant is re-encrypted)."""
    global _AESGCM
    aead = _AEADS.get(key)
    if aead is None:
        if _AESGCM is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            _AESGCM = AESGCM
        if len(_AEADS) > 64:
            _AEADS.clear()
        aead = _AEADS[key] = _AESGCM(key)
    return aead


@functools.cache
def _invalid_tag() -> type[Exception]:
    from cryptography.exceptions import InvalidTag

    return InvalidTag


@functools.lru_cache(maxsize=256)
def _place_prefix(tenant: str, env: str, name: str) -> str:
    return f'["lcm",{FORMAT_VERSION},{_json_str(tenant)},{_json_str(env)},{_json_str(name)},'


def _json_scalar(value: Any) -> str:
    """`json.dumps(value, ensure_ascii=False)` for a key-path segment, fast for str and int."""
    kind = type(value)
    if kind is str:
        return _json_str(value)
    if kind is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _aad(place: tuple[str, str, str], path: KeyPath, version: int, kind: str) -> bytes:
    """The associated data: the JSON list `["lcm", 1, tenant, env, name, [path…], version,
    type]` (compact, UTF-8), built without json.dumps (it runs once per value)."""
    segments = ",".join(map(_json_scalar, path))
    return f'{_place_prefix(*place)}[{segments}],{version},"{kind}"]'.encode("utf-8")


def _b64(raw: bytes) -> str:
    return binascii.b2a_base64(raw, newline=False).decode("ascii")


def encrypt_value(
    value: Any, key: bytes, version: int, place: tuple[str, str, str], path: KeyPath
) -> str:
    """Encrypt one scalar for its place with a fresh 96-bit nonce."""
    kind = type_name(value)
    nonce = os.urandom(12)
    sealed = _aead(key).encrypt(nonce, _to_bytes(value, kind), _aad(place, path, version, kind))
    data, tag = sealed[:-16], sealed[-16:]
    return f"ENC[AES256_GCM,k:{version},iv:{_b64(nonce)},data:{_b64(data)},tag:{_b64(tag)},type:{kind}]"


def decrypt_value(
    stored: str,
    key_for: Callable[[int], bytes],
    place: tuple[str, str, str],
    path: KeyPath,
) -> Any:
    """Decrypt one `ENC[...]` scalar; a value moved or altered raises IntegrityError."""
    match = ENC_RE.match(stored)
    if match is None:
        raise IntegrityError(f"{'/'.join(place)}: {format_path(path)}: malformed ENC value")
    version, nonce, data, tag, kind = match.groups()
    try:
        raw = _aead(key_for(int(version))).decrypt(
            binascii.a2b_base64(nonce),
            binascii.a2b_base64(data) + binascii.a2b_base64(tag),
            _aad(place, path, int(version), kind),
        )
    except (_invalid_tag(), ValueError):
        raise IntegrityError(
            f"{'/'.join(place)}: {format_path(path)}: encrypted value does not verify "
            "(tampered, or moved from another key, file, env or tenant)"
        ) from None
    return _from_bytes(raw, kind)


# ---- the file MAC -------------------------------------------------------------


def mac_key(data_key: bytes) -> bytes:
    """The MAC key derived from a data key (never the data key itself)."""
    return hmac.new(data_key, b"lcm file mac v1", hashlib.sha256).digest()


def compute_mac(data_key: bytes, version: int, tree: dict[Any, Any], meta: dict[Any, Any]) -> str:
    """HMAC-SHA256 over the stored tree and the metadata block (minus `mac`)."""
    sealed_meta = {k: v for k, v in meta.items() if k != "mac"}
    payload = (f"[{FORMAT_VERSION},{version},{canonical_json(tree)},"
               f"{canonical_json(sealed_meta)}]").encode("utf-8")
    digest = hmac.new(mac_key(data_key), payload, hashlib.sha256).digest()
    return f"HMAC_SHA256,k:{version},{_b64(digest)}"


def mac_version(mac: str) -> int | None:
    match = MAC_RE.match(mac) if isinstance(mac, str) else None
    return int(match.group(1)) if match else None


def check_mac(data_key: bytes, tree: dict[Any, Any], meta: dict[Any, Any]) -> bool:
    stored = meta.get("mac")
    version = mac_version(stored) if isinstance(stored, str) else None
    if version is None:
        return False
    # A version was read, so `stored` is the MAC string.
    return hmac.compare_digest(compute_mac(data_key, version, tree, meta), cast(str, stored))
