"""Hard kills: no decrypted `lcm edit` buffer outlives the lcm process that made it, and
no temp file of a killed write stays where Git, `lcm validate` or anyone else sees it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from lcm.fsutil import atomic_write, sweep_stale_temps

ADDR = "acme/base/app"
LCM = Path(sys.executable).parent / "lcm"

# An editor that reports its pid and the buffer's path, then waits to be killed.
EDITOR = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    Path(os.environ["LCM_TEST_EDITOR_REPORT"]).write_text(f"{os.getpid()} {sys.argv[-1]}")
    time.sleep(120)
""")


def _files_holding(marker: bytes, since: float, *folders: Path) -> list[Path]:
    """Files under `folders` changed since `since` whose bytes contain `marker` (find,
    then grep: /tmp on a shared machine holds too many files to read them all)."""
    recent = subprocess.run(
        ["find", *map(str, folders), "-xdev", "-type", "f", "-newermt", f"@{int(since) - 1}",
         "-print0"], capture_output=True, timeout=120).stdout.split(b"\0")
    names = [name for name in recent if name]
    found: set[Path] = set()
    for start in range(0, len(names), 500):
        hits = subprocess.run(["grep", "-lsF", "--", marker, *names[start:start + 500]],
                              capture_output=True, timeout=120).stdout
        found.update(Path(os.fsdecode(line)).resolve() for line in hits.splitlines())
    return sorted(found)


def _wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by its new parent) is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def secret_marker(repo: Path, cli) -> bytes:
    marker = f"tok-test-FAKE-{uuid.uuid4().hex}"
    assert cli("set", ADDR, "token", marker).code == 0  # a secret by the manifest's globs
    assert marker.encode() not in (repo / "config" / f"{ADDR}.yaml").read_bytes()
    return marker.encode()


def _start_edit(repo: Path, tmp_path: Path, monkeypatch) -> tuple[subprocess.Popen, int, Path]:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    report = tmp_path / "editor-report"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("LCM_TEST_EDITOR_REPORT", str(report))
    proc = subprocess.Popen([str(LCM), "edit", ADDR], cwd=repo, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    assert _wait_for(lambda: report.exists() and report.read_text()), "the editor never started"
    pid, buffer = report.read_text().split(" ", 1)
    return proc, int(pid), Path(buffer)


def _folders() -> list[Path]:
    return [Path(os.environ["XDG_RUNTIME_DIR"]), Path("/tmp"), Path("/dev/shm")]


@pytest.mark.slow
def test_sigkill_of_lcm_edit_leaves_no_plaintext(repo: Path, secret_marker: bytes,
                                                 tmp_path: Path, monkeypatch) -> None:
    since = time.time()
    proc, editor, buffer = _start_edit(repo, tmp_path, monkeypatch)
    try:
        assert secret_marker in buffer.read_bytes()
        assert _files_holding(secret_marker, since, *_folders()) == [buffer.resolve()]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # The guardian notices, stops the editor and removes the buffer's folder.
        assert _wait_for(lambda: not buffer.parent.exists()), f"{buffer} outlived lcm"
        assert _wait_for(lambda: not _alive(editor)), "the editor outlived lcm"
        assert _files_holding(secret_marker, since, *_folders()) == []
    finally:
        for pid in (proc.pid, editor):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.slow
def test_next_command_removes_a_buffer_nobody_guards(repo: Path, secret_marker: bytes,
                                                     tmp_path: Path, monkeypatch, cli) -> None:
    """lcm and its guardian killed together (say, the whole session): the next lcm
    command removes the buffer of the lcm process that no longer exists."""
    since = time.time()
    proc, editor, buffer = _start_edit(repo, tmp_path, monkeypatch)
    guardians = [pid for pid in _children(proc.pid) if pid != editor]
    try:
        assert guardians, "no guardian process"
        for pid in (*guardians, proc.pid, editor):
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert _wait_for(lambda: not any(_alive(p) for p in (*guardians, editor)))
        assert buffer.exists()  # nobody left to remove it
        assert cli("get", ADDR).code == 0
        assert not buffer.parent.exists()
        assert _files_holding(secret_marker, since, *_folders()) == []
    finally:
        for pid in (proc.pid, editor, *guardians):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# A wrapper script as $EDITOR: it starts a helper in the background (a grandchild of
# lcm, in the editor's process group) and then runs the real editor as its child.
WRAPPER = textwrap.dedent("""\
    #!/bin/sh
    sleep 300 &
    echo $! > "$LCM_TEST_GRANDCHILD"
    "$LCM_TEST_PYTHON" "$LCM_TEST_EDITOR" "$@"
""")


def _start_wrapped_edit(repo: Path, tmp_path: Path, monkeypatch):
    wrapper = tmp_path / "editor-wrapper.sh"
    wrapper.write_text(WRAPPER)
    wrapper.chmod(0o755)
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    report, grandchild = tmp_path / "editor-report", tmp_path / "grandchild"
    monkeypatch.setenv("EDITOR", str(wrapper))
    monkeypatch.setenv("LCM_TEST_PYTHON", sys.executable)
    monkeypatch.setenv("LCM_TEST_EDITOR", str(script))
    monkeypatch.setenv("LCM_TEST_EDITOR_REPORT", str(report))
    monkeypatch.setenv("LCM_TEST_GRANDCHILD", str(grandchild))
    proc = subprocess.Popen([str(LCM), "edit", ADDR], cwd=repo, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    assert _wait_for(lambda: report.exists() and report.read_text()
                     and grandchild.exists() and grandchild.read_text().strip())
    pid, buffer = report.read_text().split(" ", 1)
    wrapper_pids = [p for p in _children(proc.pid) if p in _parents_of(int(pid))]
    return proc, int(pid), int(grandchild.read_text()), wrapper_pids, Path(buffer)


def _parents_of(pid: int) -> list[int]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return [int(fields[1])]


def _pgid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[2])


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_wrapper_editors_grandchildren_do_not_outlive_lcm(
        repo: Path, secret_marker: bytes, tmp_path: Path, monkeypatch, how) -> None:
    """$EDITOR a wrapper script that left a `sleep` running: when lcm dies (SIGKILL: the
    guardian; SIGTERM: lcm itself), the editor's whole process group goes with it."""
    since = time.time()
    proc, editor, sleeper, wrappers, buffer = _start_wrapped_edit(repo, tmp_path, monkeypatch)
    job = (*wrappers, editor, sleeper)
    try:
        assert len(wrappers) == 1, "the wrapper script is not the editor's parent"
        # One job of its own: the wrapper leads a process group apart from lcm's.
        assert {_pgid(pid) for pid in job} == {wrappers[0]} != {_pgid(proc.pid)}
        assert secret_marker in buffer.read_bytes()
        proc.send_signal(how)
        proc.wait(timeout=30)
        for pid in job:
            assert _wait_for(lambda pid=pid: not _alive(pid)), f"{pid} outlived lcm"
        assert _wait_for(lambda: not buffer.parent.exists()), f"{buffer} outlived lcm"
        assert _files_holding(secret_marker, since, *_folders()) == []
    finally:
        for pid in (proc.pid, *job):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def test_buffer_of_a_live_process_is_kept(repo: Path, cli) -> None:
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    mine = runtime / f"lcm-edit-{os.getpid()}-abc"
    dead = runtime / "lcm-edit-999999999-abc"
    for folder in (mine, dead):
        folder.mkdir(mode=0o700)
        (folder / "app.yaml").write_text("token: plaintext\n")
    assert cli("tenant", "list").code == 0
    assert mine.exists() and not dead.exists()


# ---- temp files of writes -------------------------------------------------------------------


def test_no_write_leaves_a_temp_file_in_config(repo: Path, cli) -> None:
    for args in (["set", ADDR, "a", "1"], ["set", ADDR, "token", "tok-test-FAKE-x"],
                 ["unset", ADDR, "a"], ["reseal", ADDR], ["tenant", "add", "globex"]):
        assert cli(*args).code == 0, args
    strays = [p for p in repo.rglob("*.tmp") if ".git" not in p.parts]
    assert strays == []


def test_temps_of_killed_writes_are_swept_by_the_next_write(repo: Path, cli) -> None:
    folder = repo / "config" / "acme" / "base"
    folder.mkdir(parents=True, exist_ok=True)
    lcm_tmp = repo / ".lcm" / "tmp"
    lcm_tmp.mkdir(parents=True, exist_ok=True)
    stale = [folder / ".app.yaml.abcd1234.tmp",          # written beside the file (older lcm)
             folder / ".other.yaml.999999999.abcd1234.tmp",
             lcm_tmp / ".app.yaml.999999999.q1w2e3r4.tmp"]
    live = lcm_tmp / f".app.yaml.{os.getppid()}.q1w2e3r4.tmp"  # a writer still at work
    for path in (*stale, live):
        path.write_text("half a file")
    assert cli("set", ADDR, "a", "1").code == 0
    assert [p for p in stale if p.exists()] == []
    assert live.exists()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=repo, capture_output=True, text=True, check=True).stdout
    assert ".tmp" not in status, status


def test_atomic_write_sweeps_its_own_dead_temps(tmp_path: Path) -> None:
    target = tmp_path / "acme.key"
    dead = tmp_path / ".acme.key.999999999.abcd1234.tmp"
    legacy = tmp_path / ".acme.key.zzzz1234.tmp"
    other = tmp_path / ".baseline.json.999999999.abcd1234.tmp"
    unrelated = tmp_path / "notes.tmp"
    for path in (dead, legacy, other, unrelated):
        path.write_text("x")
    atomic_write(target, "key\n", mode=0o600)
    assert target.read_text() == "key\n"
    assert not dead.exists() and not legacy.exists()
    assert other.exists() and unrelated.exists()  # another file's, and not ours at all
    sweep_stale_temps(tmp_path)
    assert not other.exists() and unrelated.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acme.key", "notes.tmp"]
