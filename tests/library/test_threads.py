"""The API from worker threads (as the TUI calls it): readers and writers of one Repo
object at once, no errors, no torn reads, the writer lock held per commit only."""

from __future__ import annotations

import threading
from pathlib import Path

from lcm.api import Repo

from core.helpers import commits


def test_readers_and_writers_share_one_repo(repo: Path) -> None:
    api = Repo.open(repo)
    for env in ("base", "production"):
        api.set(api.address(f"acme/{env}/app"), ("api_key",), f"sk-FAKE-{env}-0")
    errors: list[BaseException] = []
    stop = threading.Event()
    seen: set[str] = set()

    def reader() -> None:
        try:
            while not stop.is_set():
                addr = api.address("acme/production/app")
                value = api.get(addr, ("api_key",), reveal=True).value
                assert value.startswith("sk-FAKE-production-")
                seen.add(value)
                rows = api.view(api.address("acme/staging/app")).rows
                assert [r.key for r in rows][:1] == ["api_key"]
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    def writer(env: str, count: int) -> None:
        try:
            for i in range(1, count + 1):
                changes = api.changes(f"{env} {i}")
                changes.set(api.address(f"acme/{env}/app"), ("api_key",), f"sk-FAKE-{env}-{i}")
                changes.set(api.address(f"acme/{env}/app"), ("n",), i)
                changes.commit()
        except BaseException as err:  # noqa: BLE001
            errors.append(err)

    readers = [threading.Thread(target=reader) for _ in range(6)]
    writers = [threading.Thread(target=writer, args=(env, 8)) for env in ("base", "production")]
    start = len(commits(repo))
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=120)
    stop.set()
    for t in readers:
        t.join(timeout=60)
    assert errors == []
    assert len(commits(repo)) == start + 16
    assert len(seen) > 1, "the readers saw the writes"
    fresh = Repo.open(repo)
    assert fresh.get(fresh.address("acme/production/app"), ("n",)).value == 8
    assert fresh.get(fresh.address("acme/staging/app"), ("api_key",), reveal=True).value \
        == "sk-FAKE-base-8"
