"""Every case of issue 16 as a user would type it: one clear line and a documented exit
code, nothing on disk changed by a refused command, no traceback and no hang."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import assert_sane

ADDR = "acme/base/app"
BOMB = "\n".join(
    [f'a: &a [{", ".join(["x"] * 9)}]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
) + "\n"


def _config(repo: Path, address: str, text: str | bytes) -> Path:
    path = repo / "config" / f"{address}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def _error(res, code: int, *parts: str) -> str:
    assert_sane(res)
    assert res.code == code, res
    line = res.stderr.splitlines()[-1]
    for part in parts:
        assert part in line, (part, line)
    return line


@pytest.fixture
def seeded(repo: Path, checked) -> Path:
    assert checked("set", ADDR, "a", "1").code == 0
    assert checked("set", ADDR, "token", "tok-test-FAKE-1").code == 0
    return repo


# ---- tracebacks ----------------------------------------------------------------------


def test_duplicate_keys_shown_validated_and_refused(seeded: Path, checked, cli) -> None:
    path = _config(seeded, "acme/base/dup", "a: 1\na: 2\n")
    _error(checked("show", str(path)), 3, "dup.yaml:2:1", "duplicate key 'a'", "line 1")
    masked = checked("show", "--masked", str(path))
    assert masked.code == 0 and masked.stdout == "a: 1\na: 2\n", masked
    assert "duplicate key 'a'" in masked.stderr
    res = checked("validate", str(path))
    assert res.code == 1 and "dup.yaml:2:1" in res.stdout and "duplicate key" in res.stdout, res
    for args in (["set", "acme/base/dup", "b", "1"], ["unset", "acme/base/dup", "a"],
                 ["get", "acme/base/dup"]):
        _error(checked(*args), 3, "dup.yaml:2:1", "duplicate key")


def test_duplicate_key_in_a_sealed_file_refuses_every_write(seeded: Path, checked) -> None:
    path = seeded / "config" / f"{ADDR}.yaml"
    path.write_text(path.read_text().replace("a: 1\n", "a: 1\na: 1\n"))
    for args in (["set", ADDR, "b", "2"], ["unset", ADDR, "a"], ["reseal", ADDR]):
        _error(checked(*args), 3, "app.yaml:2:1", "duplicate key 'a'")


def test_git_diff_of_a_file_with_duplicate_keys_works(seeded: Path) -> None:
    path = seeded / "config" / f"{ADDR}.yaml"
    path.write_text(path.read_text() + "a: 3\n")
    proc = subprocess.run(["git", "diff", "--", str(path)], cwd=seeded, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "+a: 3" in proc.stdout and "tok-test-FAKE" not in proc.stdout


BIG = "9" * 5000


def test_huge_integer_in_a_file(repo: Path, checked) -> None:
    path = _config(repo, "acme/base/big", f"n: {BIG}\n")
    res = checked("validate", str(path))
    assert res.code == 1 and "big.yaml:1:4" in res.stdout and "4200 digits" in res.stdout, res
    assert checked("scan", str(path)).code in (0, 1)
    _error(checked("show", str(path)), 3, "big.yaml:1:4", "4200 digits")
    _error(checked("get", "acme/base/big"), 3, "big.yaml:1:4")


@pytest.mark.parametrize("kind", ["int", "auto"])
def test_huge_integer_value(repo: Path, checked, kind: str) -> None:
    _error(checked("set", ADDR, "n", BIG, "--type", kind), 2, "4200 digits")
    assert checked("set", ADDR, "n", "9" * 4200, "--type", kind).code == 0
    assert checked("get", ADDR, "n").stdout == "9" * 4200 + "\n"


@pytest.mark.parametrize("args", [
    ["get", ADDR], ["set", ADDR, "a", "2"], ["validate"], ["tenant", "add", "globex"],
    ["tenant", "list"], ["scan"],
])
def test_manifest_not_utf8(seeded: Path, checked, args: list[str]) -> None:
    manifest = seeded / ".lcm.yaml"
    manifest.write_bytes(manifest.read_bytes() + b"# \xff\xfe\n")
    res = checked(*args)
    if args[0] == "validate":
        assert res.code in (1, 3) and ".lcm.yaml" in res.stdout + res.stderr, res
        assert "not UTF-8" in res.stdout + res.stderr
    elif args[0] == "scan":
        assert res.code in (0, 1), res
    else:
        _error(res, 3, ".lcm.yaml:", "not UTF-8 text (byte 0xff)")


@pytest.mark.parametrize("command", ["set", "get", "unset"])
@pytest.mark.parametrize("address", ["acme/base/" + "n" * 300,
                                     "acme/base/" + "/".join(["x" * 200] * 20),
                                     "config/acme/base/" + "n" * 300 + ".yaml",
                                     "acme/base/" + "y" * 4000])
def test_overlong_names(repo: Path, checked, command: str, address: str) -> None:
    args = [command, address, "k"] + (["1"] if command == "set" else [])
    _error(checked(*args), 2)


DEEP = ".".join(["d"] * 500)


def test_key_path_500_deep(seeded: Path, checked) -> None:
    _error(checked("set", ADDR, DEEP, "1"), 2, "deeper than 64 levels")
    _error(checked("get", ADDR, DEEP), 3, "no key")
    _error(checked("unset", ADDR, DEEP), 3, "no key")
    # Just within the bound: stored, read back, removed.
    at_limit = ".".join(["d"] * 64)
    assert checked("set", ADDR, at_limit, "1").code == 0
    assert checked("get", ADDR, at_limit).stdout == "1\n"
    assert checked("unset", ADDR, at_limit).code == 0


def test_invalid_utf8_key_value_and_stdin(seeded: Path, checked, tree_digest) -> None:
    _error(checked("set", ADDR, "k\udcff", "1"), 2, "not valid UTF-8")
    _error(checked("set", ADDR, "k", "\udcff\udcfe"), 2, "not valid UTF-8")
    _error(checked("set", ADDR, "k", "--value-stdin", input=b"\xff\xfe"), 2, "not valid UTF-8")
    _error(checked("set", ADDR, "k", "--secret", "--value-stdin", input=b"a\xffb"), 2)
    # The real executable, with bytes on its command line and stdin.
    before = tree_digest(seeded)
    for argv, data in (([b"set", ADDR.encode(), b"k\xff", b"1"], None),
                       ([b"set", ADDR.encode(), b"k", b"\xff\xfe"], None),
                       ([b"set", ADDR.encode(), b"k", b"--value-stdin"], b"\xff\xfe")):
        proc = subprocess.run([lcm_exe_path(), *argv], input=data, capture_output=True,
                              cwd=seeded, timeout=60)
        assert proc.returncode == 2, proc
        err = proc.stderr.decode()
        assert err.count("\n") == 1 and err.startswith("lcm: error: "), err
    assert tree_digest(seeded) == before


def lcm_exe_path() -> str:
    import sys

    return str(Path(sys.executable).parent / "lcm")


# ---- accepted writes that broke files --------------------------------------------------

CIPHERTEXT = "ENC[AES256_GCM,k:1,iv:AAAAAAAAAAAAAAAA,data:AAAA,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]"


@pytest.mark.parametrize("extra", [[], ["--secret"], ["--type", "str"]])
def test_value_that_looks_like_ciphertext_is_refused(seeded: Path, checked, extra) -> None:
    _error(checked("set", ADDR, "k", CIPHERTEXT, *extra), 2, "looks like lcm ciphertext")
    _error(checked("set", ADDR, "k", f'["{CIPHERTEXT}"]', "--type", "yaml"), 2)
    assert checked("get", ADDR, "--reveal").code == 0
    assert checked("validate").code == 0


def test_ciphertext_refused_in_the_change_set(seeded: Path) -> None:
    """The TUI stages edits through the library's change-set: refused there too."""
    import lcm
    from lcm.errors import UsageError

    repo = lcm.Repo.open(seeded)
    changes = repo.changes()
    with pytest.raises(UsageError, match="looks like lcm ciphertext"):
        changes.set(repo.address(ADDR), ("k",), CIPHERTEXT)
    with pytest.raises(UsageError, match="not valid UTF-8"):
        changes.set(repo.address(ADDR), ("k",), "\udcff")
    assert not changes.texts()


@pytest.mark.parametrize("value,code", [("x", 2), ("0", 2), ("false", 2), ("null", 0),
                                        ("~", 0), ("", 0)])
def test_type_null_takes_only_null(seeded: Path, checked, value: str, code: int) -> None:
    res = checked("set", ADDR, "k", value, "--type", "null")
    assert res.code == code, res
    if code == 0:
        assert checked("get", ADDR, "k", "-o", "json").stdout.strip() == "null"


@pytest.mark.parametrize("kind,value", [("int", "1.5"), ("int", "true"), ("float", "x"),
                                        ("bool", "1"), ("bool", "yes")])
def test_values_that_do_not_fit_their_type(seeded: Path, checked, kind: str, value: str) -> None:
    _error(checked("set", ADDR, "k", value, "--type", kind), 2, f"not a valid {kind}")


# ---- messages --------------------------------------------------------------------------


def test_nul_byte_in_a_file_is_one_located_line(repo: Path, checked) -> None:
    path = _config(repo, "acme/base/nul", b'a: 1\nb: "x\x00y"\n')
    _error(checked("get", "acme/base/nul"), 3, "nul.yaml:2:6", "U+0000")
    res = checked("validate", str(path))
    assert res.code == 1 and "nul.yaml:2:6" in res.stdout, res


@pytest.mark.parametrize("key", ["a\nb", "a\rb", "a\x1bred", "a\x85b", "a\u2028b"])
def test_control_characters_in_a_key_are_escaped(seeded: Path, checked, key: str) -> None:
    line = _error(checked("get", ADDR, key), 3, "no key")
    assert "\\" in line
    _error(checked("unset", ADDR, key), 3, "no key")


# ---- wrong key versus no key -----------------------------------------------------------


def test_wrong_key_is_a_key_error_not_a_keyless_read(tmp_path: Path, make_repo, cli,
                                                     monkeypatch) -> None:
    root = make_repo(tmp_path / "two", tenants=("acme", "globex"))
    monkeypatch.chdir(root)
    assert cli("set", "globex/base/app", "token", "tok-test-FAKE-g", "--secret").code == 0
    store = next(Path(os.environ["XDG_DATA_HOME"], "lcm", "keys").iterdir())
    shutil.copy(store / "acme.key", store / "globex.key")
    for args in (["get", "globex/base/app"], ["get", "globex/base/app", "--reveal"],
                 ["get", "globex/base/app", "token"]):
        _error(cli(*args), 4, "wrong master key", "globex")
    (store / "globex.key").unlink()  # no key at all: the masked read still works
    res = cli("get", "globex/base/app")
    assert res.code == 0 and "no key available" in res.stderr, res


# ---- hangs ------------------------------------------------------------------------------


def _timed(checked, *args: str):
    def _alarm(_signum, _frame):
        raise TimeoutError(f"lcm {' '.join(args)} still running after 20 s")

    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    try:
        start = time.perf_counter()
        res = checked(*args)
        return res, time.perf_counter() - start
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_alias_bomb_in_a_config_file(seeded: Path, checked) -> None:
    path = _config(seeded, "acme/base/bomb", BOMB)
    for args in (["validate", str(path)], ["scan", str(path)], ["get", "acme/base/bomb"],
                 ["show", "--masked", str(path)]):
        res, took = _timed(checked, *args)
        assert took < 2, (args, took)
        assert res.code in (0, 1, 3), res
    res, _ = _timed(checked, "validate", str(path))
    assert "bomb.yaml:" in res.stdout and "alias bomb" in res.stdout, res


def test_alias_bomb_in_the_manifest(seeded: Path, checked) -> None:
    manifest = seeded / ".lcm.yaml"
    manifest.write_text(manifest.read_text() + "x" + BOMB.replace("\n", "\nx", 8))
    for args in (["get", ADDR], ["scan"], ["validate"]):
        res, took = _timed(checked, *args)
        assert took < 2, (args, took)
        if args[0] == "get":
            _error(res, 3, ".lcm.yaml:", "alias bomb")


def test_alias_bomb_as_a_yaml_value(seeded: Path, checked) -> None:
    res, took = _timed(checked, "set", ADDR, "v", BOMB, "--type", "yaml")
    assert took < 2
    _error(res, 2, "VALUE:", "alias bomb")


def test_validate_reports_a_ciphertext_look_alike_sealed_as_plaintext(seeded: Path, checked) -> None:
    """A file written before writes refused such values: the MAC holds, but the value
    never decrypts; `validate` now says so (and `get` refuses it, exit 5)."""
    import lcm
    from lcm.format.seal import seal
    from lcm.format.writer import render

    repo = lcm.Repo.open(seeded)
    addr = repo.address(ADDR)
    doc = repo.read_document(addr)
    plain = {**repo.decrypt(addr), "k": CIPHERTEXT}
    full = seal(doc, plain, repo.keys("acme"), addr.place, repo.manifest.is_secret_key)
    path = seeded / "config" / f"{ADDR}.yaml"
    path.write_text(render(doc, full))
    res = checked("validate")
    assert res.code == 1 and "app.yaml:" in res.stdout and "does not decrypt" in res.stdout, res
    _error(checked("get", ADDR, "k", "--reveal"), 5, "k:")
