"""`lcm get ADDR --watch -o json`: the config once, then a JSON line per change."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.core.helpers import assert_one_error_line
from tests.reload.conftest import LCM_EXE, holds, lcm, wait_until


class Watch:
    """A running `lcm get --watch`; its stdout and stderr lines are collected as they come."""

    def __init__(self, root: Path, *args: str) -> None:
        self.proc = subprocess.Popen([str(LCM_EXE), "get", *args, "--watch"], cwd=root,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, sink in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._drain, args=(stream, sink), daemon=True).start()

    @staticmethod
    def _drain(stream: object, sink: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sink.append(line.rstrip("\n"))

    def json_lines(self) -> list[object]:
        return [json.loads(line) for line in list(self.out)]

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(15)


@pytest.fixture
def watch(served: Path) -> Iterator[type[Watch]]:
    started: list[Watch] = []

    class Started(Watch):
        def __init__(self, *args: str) -> None:
            super().__init__(served, *args)
            started.append(self)

    yield Started
    for w in started:
        if w.proc.poll() is None:
            w.stop()


def test_prints_once_then_a_line_per_change_secrets_masked(served: Path, watch) -> None:
    w = watch("acme/production/app", "-o", "json")
    first = wait_until(w.json_lines, what="first line")
    assert first == [{"llm": {"provider": "openai", "model": "gpt-4o", "api_key": "********"},
                      "limits": {"rpm": 500}}]
    lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")
    wait_until(lambda: len(w.out) == 2, what="a line for the change")
    assert w.json_lines()[1]["llm"]["model"] == "gpt-5"
    lcm(served, "set", "acme/base/app", "llm.api_key", "sk-two", "--secret")
    wait_until(lambda: len(w.out) == 3, what="a line for the secret's change")
    assert w.json_lines()[2]["llm"]["api_key"] == "********"
    assert "sk-" not in "\n".join(w.out + w.err)
    # A hand edit that breaks the MAC: one warning on stderr, no line on stdout.
    path = served / "config/acme/production/app.yaml"
    path.write_text(path.read_text().replace("rpm: 500", "rpm: 5"))
    wait_until(lambda: any("MAC does not verify" in e for e in w.err), what="warning")
    assert "still serving the last good config" in w.err[-1]
    assert holds(lambda: len(w.out) == 3, 1.0)
    w.stop()


def test_a_key_follows_only_its_own_changes_and_reveal_is_audited(served: Path, watch) -> None:
    w = watch("acme/production/app", "llm.api_key", "-o", "json", "--reveal")
    wait_until(lambda: w.out, what="first line")
    assert w.json_lines() == ["sk-one"]
    lcm(served, "set", "acme/staging/app", "llm.model", "gpt-5")  # not under the key
    lcm(served, "set", "acme/base/app", "llm.api_key", "sk-two", "--secret")
    wait_until(lambda: len(w.out) == 2, what="a line for the key's change")
    assert w.json_lines() == ["sk-one", "sk-two"]
    assert holds(lambda: len(w.out) == 2, 1.0)
    w.stop()
    audit = [json.loads(line) for line in
             (served / ".lcm/audit/log.jsonl").read_text().splitlines()]
    reveals = [e for e in audit if e["op"] == "reveal" and e["address"] == "acme/production/app"]
    assert len(reveals) == 2 and all(e["keys"] == ["llm.api_key"] for e in reveals)


def test_a_whole_env_in_yaml(served: Path, watch) -> None:
    w = watch("acme/production", "-o", "yaml")
    wait_until(lambda: "    rpm: 500" in w.out, what="the first document")
    assert w.out[0] == "---" and w.out[1] == "app:"
    lcm(served, "set", "acme/production/extra", "on", "true")
    wait_until(lambda: "extra:" in w.out, what="the second document")
    assert w.out.count("---") == 2


def test_watch_usage_errors(served: Path, cli) -> None:
    assert_one_error_line(cli("get", "acme/production/app", "--watch", "-o", "env"), 2)
    assert_one_error_line(cli("get", "acme/production/app", "--watch", "--ignore-mac"), 2)
    assert_one_error_line(cli("get", "acme/production/nope", "--watch"), 3)
    assert_one_error_line(cli("get", "acme/production/app", "no.such", "--watch"), 3)
