"""`lcm.api.fix_command`: the `lcm rotate …` command that fixes each offender of the
rotation status (what the TUI's rotation panel shows on a key press)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import lcm.api as api


def _later(days: int) -> str:
    """A time `days` after now (the repo's data key and values were made at real now)."""
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def seeded(repo: Path) -> api.Repo:
    lib = api.Repo.open(repo)
    lib.set(lib.address("acme/base/inference"), ("llm", "api_key"), "sk-test-FAKE-fix-1")
    lib.set(lib.address("acme/base/extra"), ("db", "password"), "hunter2-FAKE", secret=True)
    return lib


def _items(lib: api.Repo) -> dict[str, object]:
    tenant = lib.rotation_status().tenants[0]
    items: dict[str, object] = {f"data key v{k.version}": k for k in tenant.data_keys}
    items.update({f"{s.address} {s.key}": s for s in tenant.secrets})
    return items


def test_nothing_to_fix_while_everything_is_in_policy(seeded: api.Repo) -> None:
    assert {name: api.fix_command(item) for name, item in _items(seeded).items()} == {
        "data key v1": None, "acme/base/inference llm.api_key": None,
        "acme/base/extra db.password": None}


def test_overdue_items_get_the_command_that_rotates_them(seeded: api.Repo, monkeypatch) -> None:
    monkeypatch.setenv("LCM_NOW", _later(365))
    assert {name: api.fix_command(item) for name, item in _items(seeded).items()} == {
        "data key v1": "lcm rotate key acme",
        "acme/base/inference llm.api_key":
            "lcm rotate secret acme/base/inference llm.api_key --value-stdin",
        "acme/base/extra db.password":
            "lcm rotate secret acme/base/extra db.password --value-stdin"}


def test_a_previous_value_past_its_overlap_is_pruned(seeded: api.Repo, monkeypatch) -> None:
    addr = seeded.address("acme/base/inference")
    seeded.rotate_secret(addr, ("llm", "api_key"), "sk-test-FAKE-fix-2",
                         overlap=dt.timedelta(days=1))
    monkeypatch.setenv("LCM_NOW", _later(2))
    item = _items(seeded)["acme/base/inference llm.api_key"]
    assert item.status == "overlap-expired"  # type: ignore[attr-defined]
    assert api.fix_command(item) == "lcm rotate prune acme"  # type: ignore[arg-type]


def test_odd_key_paths_are_quoted_for_the_shell(seeded: api.Repo, monkeypatch) -> None:
    addr = seeded.address("acme/base/extra")
    seeded.set(addr, ("db", "old api_key"), "sk-test-FAKE-fix-3")
    monkeypatch.setenv("LCM_NOW", _later(365))
    items = _items(seeded)
    odd = next(v for k, v in items.items() if "old api_key" in k)
    command = api.fix_command(odd)  # type: ignore[arg-type]
    assert command is not None and command.startswith("lcm rotate secret acme/base/extra '")
