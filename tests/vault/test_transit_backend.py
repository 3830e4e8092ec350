"""The vault backend against a real server: wrap/unwrap, one batch per process, rotation, wrong keys."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lcm.errors import ExitCode, KeyStoreError, UsageError
from lcm.keys.vault import MAGIC, open_sealed, seal

from .helpers import aad, make_backend
from .server import VaultServer


def test_wrap_unwrap_round_trip(vault_env: VaultServer, transit_mount: str) -> None:
    backend = make_backend("acme", mount=transit_mount)
    assert not backend.exists()
    backend.create()
    assert backend.exists()
    data_key = os.urandom(32)
    wrapped = backend.wrap(data_key, aad("acme", 1))
    assert wrapped.startswith(b"vault:v1:")
    fresh = make_backend("acme", mount=transit_mount)  # no cache: really asks Vault
    assert fresh.unwrap(wrapped, aad("acme", 1)) == data_key
    info = fresh.key_info()
    assert info is not None and info.latest_version == 1 and info.type == "aes256-gcm96"


def test_default_mount_and_key_name(vault_env: VaultServer) -> None:
    backend = make_backend("globex")
    assert backend.transit_settings.mount == "transit"
    assert backend.transit_settings.key == "lcm-globex"
    assert "transit key lcm-globex on transit/" in backend.describe()
    assert vault_env.address in backend.describe()


def test_batch_unwrap_is_one_decrypt_request(audited: VaultServer, transit_mount: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """50 files over two data-key versions: one transit decrypt, once per process."""
    from .conftest import point_env_at

    point_env_at(audited, monkeypatch)
    writer = make_backend("acme", mount=transit_mount)
    writer.create()
    keys = {v: os.urandom(32) for v in (1, 2)}
    wrapped = {v: writer.wrap(k, aad("acme", v)) for v, k in keys.items()}
    per_file = [(wrapped[1 + i % 2], aad("acme", 1 + i % 2)) for i in range(50)]
    decrypt_path = f"{transit_mount}/decrypt/lcm-acme"
    before = len(audited.audited_requests(decrypt_path))

    reader = make_backend("acme", mount=transit_mount)
    client = reader.transit().client
    sent_before = client.request_count
    plain = reader.unwrap_many(per_file)
    assert plain == [keys[1 + i % 2] for i in range(50)]
    assert reader.unwrap(wrapped[2], aad("acme", 2)) == keys[2]  # cached
    assert reader.unwrap_many(per_file[:7]) == plain[:7]

    assert client.request_count - sent_before == 1
    requests = audited.audited_requests(decrypt_path)[before:]
    assert len(requests) == 1
    assert len(requests[0]["request"]["data"]["batch_input"]) == 2


def test_rotate_and_rewrap(vault_env: VaultServer, transit_mount: str) -> None:
    backend = make_backend("acme", mount=transit_mount)
    backend.create()
    keys = [os.urandom(32) for _ in range(3)]
    items = [(backend.wrap(k, aad("acme", v)), aad("acme", v)) for v, k in enumerate(keys, 1)]
    assert backend.key_info().latest_version == 1  # type: ignore[union-attr]

    backend.begin_rotation()
    assert backend.key_info().latest_version == 2  # type: ignore[union-attr]
    rewrapped = backend.rewrap_many(items)
    assert all(w.startswith(b"vault:v2:") for w in rewrapped)
    assert backend.rewrap(*items[0]).startswith(b"vault:v2:")
    backend.finish_rotation()

    fresh = make_backend("acme", mount=transit_mount)
    assert fresh.unwrap_many([(w, a) for w, (_, a) in zip(rewrapped, items)]) == keys
    # After the rewrap is committed, the admin may retire version 1: old blobs stop working.
    vault_env.admin("POST", f"{transit_mount}/keys/lcm-acme/config", {"min_decryption_version": 2})
    retired = make_backend("acme", mount=transit_mount)
    assert retired.unwrap(rewrapped[0], items[0][1]) == keys[0]
    with pytest.raises(KeyStoreError, match="min_decryption_version") as info:
        retired.unwrap(*items[1])
    assert info.value.code == ExitCode.KEY and "tenant 'acme'" in info.value.message


def test_a_blob_of_another_tenants_key_does_not_unwrap(vault_env: VaultServer,
                                                         transit_mount: str) -> None:
    acme, globex = (make_backend(t, mount=transit_mount) for t in ("acme", "globex"))
    acme.create()
    globex.create()
    wrapped = acme.wrap(os.urandom(32), aad("acme", 1))
    with pytest.raises(KeyStoreError, match="lcm-globex.*wrapped by another key") as info:
        globex.unwrap(wrapped, aad("acme", 1))
    assert "tenant 'globex'" in info.value.message


def test_aad_is_bound(vault_env: VaultServer, transit_mount: str) -> None:
    """Two tenants sharing one transit key still cannot swap wrapped data keys."""
    shared = {"mount": transit_mount, "key": "shared"}
    acme, globex = make_backend("acme", **shared), make_backend("globex", **shared)
    acme.create()
    wrapped = acme.wrap(os.urandom(32), aad("acme", 1))
    for backend, bound in ((globex, aad("globex", 1)), (make_backend("acme", **shared),
                                                         aad("acme", 2))):
        with pytest.raises(KeyStoreError, match="AAD does not match"):
            backend.unwrap(wrapped, bound)


def test_seal_format() -> None:
    sealed = seal(b"k" * 32, b"aad")
    assert sealed.startswith(MAGIC) and len(sealed) == len(MAGIC) + 32 + 32
    assert open_sealed(sealed, b"aad") == b"k" * 32
    assert open_sealed(sealed, b"other") is None
    assert open_sealed(b"k" * 32, b"aad") is None


def test_create_uses_an_existing_key_and_respects_create_false(vault_env: VaultServer,
                                                                transit_mount: str) -> None:
    vault_env.admin("POST", f"{transit_mount}/keys/customer-key", {})
    existing = make_backend("acme", mount=transit_mount, key="customer-key", create=False)
    existing.create()  # uses it, creates nothing
    assert existing.unwrap(existing.wrap(b"x" * 32, b"a"), b"a") == b"x" * 32

    missing = make_backend("acme", mount=transit_mount, key="absent", create=False)
    with pytest.raises(KeyStoreError, match=f"create it with `vault write -f {transit_mount}/keys/absent`"):
        missing.create()
    assert not missing.exists()


def test_derived_keys_are_refused(vault_env: VaultServer, transit_mount: str) -> None:
    vault_env.admin("POST", f"{transit_mount}/keys/derived", {"derived": True})
    with pytest.raises(KeyStoreError, match="derived key"):
        make_backend("acme", mount=transit_mount, key="derived").create()


def test_unwrap_of_a_missing_key_names_it(vault_env: VaultServer, transit_mount: str) -> None:
    backend = make_backend("acme", mount=transit_mount, key="gone")
    with pytest.raises(KeyStoreError, match="'gone'.*does not exist"):
        backend.unwrap(b"vault:v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", b"a")
    with pytest.raises(KeyStoreError, match="not a transit ciphertext"):
        backend.unwrap(b"\x00" * 60, b"a")


def test_master_key_never_leaves_vault(vault_env: VaultServer) -> None:
    backend = make_backend("acme")
    assert backend.key_fingerprint() is None
    with pytest.raises(UsageError, match="never leaves Vault"):
        backend.export_key()
    with pytest.raises(UsageError, match="never leaves Vault"):
        backend.import_key(b"k" * 32)
    with pytest.raises(KeyStoreError, match="never deletes"):
        backend.delete()


def test_bao_variable_names(vault_server: VaultServer, transit_mount: str,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BAO_ADDR", vault_server.address)
    monkeypatch.setenv("BAO_TOKEN", vault_server.token)
    if vault_server.ca_cert:
        monkeypatch.setenv("BAO_CACERT", str(vault_server.ca_cert))
    backend = make_backend("acme", mount=transit_mount)
    backend.create()
    assert backend.unwrap(backend.wrap(b"k" * 32, b"a"), b"a") == b"k" * 32


def test_token_from_the_vault_token_file(vault_server: VaultServer, transit_mount: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", vault_server.address)
    if vault_server.ca_cert:
        monkeypatch.setenv("VAULT_CACERT", str(vault_server.ca_cert))
    token_file = Path(os.environ["HOME"]) / ".vault-token"
    token_file.write_text(vault_server.token + "\n")
    make_backend("acme", mount=transit_mount).create()
    token_file.unlink()
    from lcm.vault.client import forget_clients

    forget_clients()
    with pytest.raises(KeyStoreError, match="no Vault credentials: set VAULT_TOKEN/BAO_TOKEN"):
        make_backend("acme", mount=transit_mount).exists()

