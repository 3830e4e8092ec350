"""A key that is there but wrong (acme's key copied over globex's) is a key error in
`lcm diff` and `lcm validate` (exit 4, one line naming the tenant and the backend), and
one warning line in `lcm scan`, which is keyless by design and does not fail for it.
With no key at all, all three go on keyless, as before."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import assert_sane

GLOBEX = "globex/base/app"
ACME = "acme/base/app"


@pytest.fixture
def two(tmp_path: Path, make_repo, cli, monkeypatch) -> Path:
    """acme and globex with a secret each, two commits, an uncommitted change in each,
    and acme's master key copied over globex's."""
    root = make_repo(tmp_path / "two", tenants=("acme", "globex"))
    monkeypatch.chdir(root)
    for args in (["set", GLOBEX, "token", "tok-test-FAKE-g", "--secret"],
                 ["set", ACME, "token", "tok-test-FAKE-a", "--secret"],
                 ["set", GLOBEX, "a", "1"], ["set", ACME, "a", "1"],
                 ["set", "globex/production/app", "a", "3"],
                 ["set", GLOBEX, "a", "2", "--no-commit"],
                 ["set", ACME, "a", "2", "--no-commit"]):
        assert cli(*args).code == 0, args
    shutil.copy(_store() / "acme.key", _store() / "globex.key")
    return root


def _store() -> Path:
    return next(Path(os.environ["XDG_DATA_HOME"], "lcm", "keys").iterdir())


def _wrong_key_error(res) -> None:
    assert_sane(res)
    assert res.code == 4, res
    assert res.stdout == "", res
    assert res.stderr.count("\n") == 1, res
    line = res.stderr.strip()
    assert line.startswith("lcm: error: wrong master key for tenant 'globex' (file backend, "), line
    assert "globex.key" in line and "no key" not in line, line


@pytest.mark.parametrize("args", [
    ["diff"], ["diff", "HEAD~2", "HEAD"], ["diff", "HEAD~2"], ["diff", "-o", "json"],
    ["diff", "--effective"], ["diff", "--reveal"], ["diff", GLOBEX],
    ["diff", "HEAD~2", "HEAD", "globex/production"],
])
def test_diff_with_the_wrong_key_is_a_key_error(two: Path, cli, tree_digest, args) -> None:
    before = tree_digest(two)
    _wrong_key_error(cli(*args))
    assert tree_digest(two) == before


def test_diff_of_other_tenants_still_works_and_no_key_stays_keyless(two: Path, cli) -> None:
    res = cli("diff", ACME)
    assert res.code == 1 and "~ a: 1 -> 2" in res.stdout and res.stderr == "", res
    (_store() / "globex.key").unlink()
    res = cli("diff")
    assert_sane(res)
    assert res.code == 1 and "~ a: 1 -> 2" in res.stdout, res
    assert "no key for tenant 'globex'" in res.stderr and "wrong" not in res.stderr, res


@pytest.mark.parametrize("args", [
    ["validate"], ["validate", "--format", "json"], ["validate", "--format", "sarif"],
    ["validate", "config/globex"], ["validate", "config/globex/base/app.yaml"],
])
def test_validate_with_the_wrong_key_is_a_key_error(two: Path, cli, tree_digest, args) -> None:
    before = tree_digest(two)
    _wrong_key_error(cli(*args))
    assert tree_digest(two) == before


def test_validate_keyless_or_elsewhere_and_no_key_are_unchanged(two: Path, cli) -> None:
    for args in (["validate", "--keyless"], ["validate", "config/acme"]):
        res = cli(*args)
        assert res.code == 0 and "wrong" not in res.stderr, (args, res)
    (_store() / "globex.key").unlink()
    res = cli("validate", "--format", "json")
    assert res.code == 0, res
    assert json.loads(res.stdout)["summary"]["errors"] == 0
    assert "wrong" not in res.stderr
    res = cli("validate")
    assert res.code == 0 and "no keys for globex" in res.stderr, res


def _warnings(res) -> list[str]:
    return [line for line in res.stderr.splitlines() if "wrong master key" in line]


def test_scan_warns_once_and_does_not_fail(two: Path, cli) -> None:
    # A hand edit globex's MAC would catch: with the wrong key it cannot be checked.
    path = two / "config" / "globex" / "production" / "app.yaml"
    path.write_text(path.read_text().replace("a: 3", "a: 4"))
    files = ["config/globex/base/app.yaml", "config/globex/production/app.yaml",
             "config/acme/base/app.yaml"]
    for args in (files, [], ["--format", "json", *files]):
        res = cli("scan", *args)
        assert_sane(res)
        assert res.code == 0, (args, res)
        warned = _warnings(res)
        assert len(warned) == 1, res
        assert warned[0].startswith("lcm: warning: wrong master key for tenant 'globex' "
                                    "(file backend, "), warned
        assert warned[0].endswith(": MACs of its files not verified"), warned
    if "--format" in args:
        assert json.loads(res.stdout)["findings"] == []


def test_scan_with_the_wrong_key_still_reports_what_it_finds(two: Path, cli) -> None:
    acme = two / "config" / "acme" / "base" / "app.yaml"
    acme.write_text(acme.read_text().replace("a: 2", "a: 5"))  # acme's key is right: caught
    res = cli("scan", "config/globex/base/app.yaml", str(acme))
    assert res.code == 1, res
    assert "lcm-mac-invalid" in res.stdout and "acme/base/app.yaml" in res.stdout, res
    assert len(_warnings(res)) == 1


def test_scan_without_any_key_stays_silent(two: Path, cli) -> None:
    (_store() / "globex.key").unlink()
    res = cli("scan", "config/globex/base/app.yaml")
    assert res.code == 0 and _warnings(res) == [] and "warning" not in res.stderr, res


def test_scan_through_the_installed_executable(two: Path, lcm_exe) -> None:
    """The pre-commit hook runs the installed `lcm scan`: same single warning, exit 0."""
    res = lcm_exe("scan", "config/globex/base/app.yaml")
    assert res.code == 0, res
    assert [line for line in res.stderr.splitlines() if "wrong master key" in line] == [
        line for line in res.stderr.splitlines() if line.startswith("lcm: warning:")]
    assert res.stderr.count("wrong master key") == 1
