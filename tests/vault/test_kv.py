"""KV v2 through the shared client: check-and-set writes, metadata, list, soft-delete (for `lcm export`)."""

from __future__ import annotations

from typing import Iterator

import pytest

from lcm.errors import ExitCode
from lcm.vault.client import client_for
from lcm.vault.errors import VaultCasConflict
from lcm.vault.kv import KvV2
from lcm.vault.settings import resolve

from .conftest import unique
from .server import VaultServer


@pytest.fixture
def kv(vault_env: VaultServer) -> Iterator[KvV2]:
    mount = unique("kv")
    vault_env.admin("POST", f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "2"}})
    yield KvV2(client_for(resolve("acme", {})), mount, "export acme/production")
    vault_env.admin("DELETE", f"sys/mounts/{mount}")


def test_write_with_cas_read_back_and_conflict(kv: KvV2, vault_env: VaultServer) -> None:
    assert kv.read("llm/acme/production/inference") is None
    assert kv.write("llm/acme/production/inference", {"llm": {"model": "m"}}, cas=0) == 1
    current = kv.read("llm/acme/production/inference")
    assert current is not None and current.version == 1 and not current.deleted
    assert current.data == {"llm": {"model": "m"}}

    # Someone else writes version 2 between our read and our write.
    vault_env.admin("POST", f"{kv.mount}/data/llm/acme/production/inference",
                    {"data": {"llm": {"model": "theirs"}}})
    with pytest.raises(VaultCasConflict, match="expected version 1") as info:
        kv.write("llm/acme/production/inference", {"llm": {"model": "ours"}}, cas=1)
    assert info.value.code == ExitCode.CHECK_FAILED
    assert kv.read("llm/acme/production/inference").data == {"llm": {"model": "theirs"}}  # type: ignore[union-attr]
    assert kv.write("llm/acme/production/inference", {"llm": {"model": "ours"}}, cas=2) == 3


def test_custom_metadata_list_and_soft_delete(kv: KvV2) -> None:
    for name in ("inference", "routing"):
        kv.write(f"llm/acme/{name}", {"k": name}, cas=0)
    kv.set_custom_metadata("llm/acme/inference", {"lcm_repo": "r1", "lcm_commit": "abc"})
    current = kv.read("llm/acme/inference")
    assert current is not None and current.custom_metadata == {"lcm_repo": "r1", "lcm_commit": "abc"}
    assert sorted(kv.list("llm/acme")) == ["inference", "routing"]
    assert kv.list("llm/none") == []

    kv.soft_delete("llm/acme/routing")
    deleted = kv.read("llm/acme/routing")
    assert deleted is not None and deleted.deleted and deleted.version == 1
    assert kv.write("llm/acme/routing", {"k": "back"}, cas=1) == 2
