"""The manifest's `rotation:` policy (both shapes, located errors), the clock override,
and the per-secret rotation times every write records."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from lcm.clock import format_duration, now, override, parse_duration, utc_now
from lcm.errors import RepoError
from lcm.repository.manifest import load


def _manifest(root: Path, rotation: str) -> int:
    """Replace the manifest's rotation block; returns the line `rotation:` is on."""
    path = root / ".lcm.yaml"
    text = path.read_text()
    head = text[: text.index("rotation:")]
    path.write_text(head + rotation)
    return head.count("\n") + 1


def test_policy_as_lcm_init_writes_it(repo: Path) -> None:
    policy = load(repo).rotation
    assert [(p.keys, p.max_age.text, p.overlap.text) for p in policy.secrets] == [
        ("*api_key", "90d", "7d"), ("*password", "30d", "24h")]
    assert policy.data_keys_max_age.delta == dt.timedelta(days=90)
    assert policy.for_key(("llm", "api_key")).keys == "*api_key"
    assert policy.for_key(("db", "replicas", 0, "password")).keys == "*password"
    assert policy.for_key(("tokens", 0)) is None


def test_policy_in_the_list_form_of_design_md(repo: Path) -> None:
    _manifest(repo, 'rotation:\n  - {keys: "llm.*", max_age: 2w}\n'
                    '  - {keys: "*api_key", max_age: 90d, overlap: 7d}\n'
                    '  - data_keys: {max_age: 30d}\n')
    policy = load(repo).rotation
    assert policy.for_key(("llm", "api_key")).max_age.text == "2w"  # first match wins
    assert policy.for_key(("other", "api_key")).overlap.text == "7d"
    assert policy.data_keys_max_age.text == "30d"


@pytest.mark.parametrize("rotation, line, words", [
    ("rotation:\n  secrets:\n    - {keys: '*x', max_age: 90 days}\n", 2,
     "rotation.secrets[0].max_age: '90 days' is not a duration"),
    ("rotation:\n  secrets:\n    - {max_age: 9d}\n", 2, "rotation.secrets[0].keys"),
    ("rotation:\n  secrets:\n    - {keys: '*x', every: 9d}\n", 2, "unknown key 'every'"),
    ("rotation:\n  secret: []\n", 1, "unknown key 'secret'"),
    ("rotation:\n  data_keys: {max_age: soon}\n", 1, "rotation.data_keys.max_age"),
    ("rotation: 90d\n", 0, "rotation: must be a mapping"),
])
def test_bad_policy_is_a_located_repo_error(repo: Path, rotation: str, line: int,
                                            words: str) -> None:
    first = _manifest(repo, rotation)
    with pytest.raises(RepoError) as err:
        load(repo)
    assert f".lcm.yaml:{first + line}:" in err.value.message, err.value.message
    assert words in err.value.message


def test_durations() -> None:
    assert parse_duration("90d") == dt.timedelta(days=90)
    assert parse_duration("2w") == dt.timedelta(weeks=2)
    assert parse_duration("0s") == dt.timedelta(0)
    for bad in ("90", "d", "1.5d", "-1d", "90 d", 90, None):
        assert parse_duration(bad) is None
    assert format_duration(dt.timedelta(days=95, hours=3)) == "95d"
    assert format_duration(dt.timedelta(days=2, hours=3)) == "2d 3h"
    assert format_duration(dt.timedelta(minutes=-90)) == "-1h 30m"


def test_clock_override_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCM_NOW", "2030-05-06T07:08:09Z")
    assert utc_now() == "2030-05-06T07:08:09Z"
    with override("2031-01-01T00:00:00Z"):
        assert now() == dt.datetime(2031, 1, 1, tzinfo=dt.timezone.utc)
    assert utc_now() == "2030-05-06T07:08:09Z"
    monkeypatch.setenv("LCM_NOW", "tomorrow")
    with pytest.warns(UserWarning, match="LCM_NOW"):
        assert now().year >= 2024


def _rotated(root: Path, address: str) -> dict[str, str]:
    meta = yaml.safe_load((root / "config" / f"{address}.yaml").read_text())["lcm"]
    return {e["key"]: e["at"] for e in meta.get("rotated", [])}


def test_every_write_that_changes_a_secret_records_its_time(repo: Path, cli, clock) -> None:
    assert cli("set", "acme/base/app", "llm.api_key", "sk-test-FAKE-0001").code == 0
    assert cli("set", "acme/base/app", "llm.model", "gpt-4o").code == 0
    clock.set("2026-01-02T00:00:00Z")
    assert cli("set", "acme/base/app", "db.password", "pw-test-FAKE-0002").code == 0
    assert cli("set", "acme/base/app", "llm.model", "gpt-5").code == 0
    assert _rotated(repo, "acme/base/app") == {"llm.api_key": "2026-01-01T00:00:00Z",
                                               "db.password": "2026-01-02T00:00:00Z"}
    clock.set("2026-01-03T00:00:00Z")
    assert cli("set", "acme/base/app", "llm.api_key", "sk-test-FAKE-0003").code == 0
    assert _rotated(repo, "acme/base/app")["llm.api_key"] == "2026-01-03T00:00:00Z"
    assert cli("unset", "acme/base/app", "db.password").code == 0
    assert _rotated(repo, "acme/base/app") == {"llm.api_key": "2026-01-03T00:00:00Z"}
    text = (repo / "config/acme/base/app.yaml").read_text()
    assert text.rstrip().splitlines()[-1].lstrip().startswith("mac: ")  # the MAC stays last
