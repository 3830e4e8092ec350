"""Command behaviour: set/get/unset/show/edit, output formats, one commit per change."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from .helpers import LCM_EXE, cfg, commit_count, commits, enc_lines, git, trailers

ADDR = "acme/base/app"
SECRET = "sk-test-FAKE-cmd-0001"


def _set(cli, *args: str, input: str | None = None) -> None:
    res = cli("set", *args, input=input)
    assert res.code == 0, res


@pytest.fixture
def seeded(repo: Path, cli) -> Path:
    _set(cli, ADDR, "llm.provider", "openai")
    _set(cli, ADDR, "llm.api_key", SECRET)
    _set(cli, ADDR, "llm.temperature", "0.2")
    _set(cli, ADDR, "llm.stop", '["###", "END"]', "--type", "yaml")
    return repo


# ---- set ---------------------------------------------------------------------------


def test_value_stdin_keeps_the_value_out_of_argv(repo: Path) -> None:
    import subprocess

    argv = [str(LCM_EXE), "set", ADDR, "llm.api_key", "--value-stdin", "--secret"]
    proc = subprocess.run(
        argv, cwd=repo, input=SECRET + "\n", capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in " ".join(argv)
    assert SECRET not in cfg(repo, ADDR).read_text()
    assert SECRET not in commits(repo)[0].message
    got = subprocess.run(
        [str(LCM_EXE), "get", ADDR, "llm.api_key", "--reveal"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert got.stdout == SECRET + "\n"


def test_value_stdin_is_a_string_by_default(repo: Path, cli) -> None:
    _set(cli, ADDR, "pin", "--value-stdin", input="0042\n")
    res = cli("get", ADDR, "pin", "-o", "json")
    assert json.loads(res.stdout) == "0042"


def test_value_and_value_stdin_together_is_a_usage_error(repo: Path, cli) -> None:
    res = cli("set", ADDR, "k", "v", "--value-stdin", input="w\n")
    assert res.code == 2 and res.stderr.startswith("lcm: error:")
    res = cli("set", ADDR, "k")
    assert res.code == 2


def test_no_commit_writes_the_file_but_makes_no_commit(seeded: Path, cli) -> None:
    n = commit_count(seeded)
    _set(cli, ADDR, "llm.temperature", "0.9", "--no-commit")
    assert commit_count(seeded) == n
    assert "temperature: 0.9" in cfg(seeded, ADDR).read_text()
    assert (
        git(seeded, "status", "--porcelain", "--untracked-files=no").strip()
        == "M config/acme/base/app.yaml"
    )
    assert cli("get", ADDR, "llm.temperature").stdout == "0.9\n"


MUTATIONS = [
    ("set", ["set", ADDR, "llm.model", "gpt-4o"], ["config/acme/base/app.yaml"]),
    (
        "set",
        ["set", ADDR, "llm.api_key", "sk-test-FAKE-new", "--secret"],
        ["config/acme/base/app.yaml"],
    ),
    ("set", ["set", "acme/production/app", "x", "1"], ["config/acme/production/app.yaml"]),
    ("unset", ["unset", ADDR, "llm.temperature"], ["config/acme/base/app.yaml"]),
    (
        "tenant-add",
        ["tenant", "add", "beta", "--backend", "file"],
        [".lcm.yaml", ".lcm/keys/beta.yaml"],
    ),
]


@pytest.mark.parametrize("op,args,paths", MUTATIONS, ids=[" ".join(m[1][:3]) for m in MUTATIONS])
def test_each_mutation_makes_exactly_one_commit_with_trailers(
    seeded: Path, cli, op, args, paths
) -> None:
    import pygit2

    before = commits(seeded)
    res = cli(*args)
    assert res.code == 0, res
    after = commits(seeded)
    assert len(after) == len(before) + 1
    head = after[0]
    assert head.parents[0].id == before[0].id
    tr = trailers(head.message)
    assert tr["Lcm-Op"] == op
    assert tr["Lcm-Tenant"] == ("beta" if op == "tenant-add" else args[1].split("/")[0])
    assert sorted(tr["Lcm-Paths"].split(", ")) == sorted(paths)
    git_repo = pygit2.Repository(str(seeded))
    diff = git_repo.diff(head.parents[0], head)
    assert sorted(p.delta.new_file.path for p in diff) == sorted(paths)
    assert head.author.name == "lcm tests" and head.author.email == "tests@example.invalid"
    assert "sk-test-FAKE" not in head.message
    # the worktree matches the commit for those paths
    assert git(seeded, "status", "--porcelain", "--", *paths).strip() == ""


def test_message_option_becomes_the_summary(seeded: Path, cli) -> None:
    _set(cli, ADDR, "llm.model", "gpt-4o", "-m", "Switch to gpt-4o for latency")
    msg = commits(seeded)[0].message
    assert msg.splitlines()[0] == "Switch to gpt-4o for latency"
    assert trailers(msg)["Lcm-Op"] == "set"


def test_lcm_commit_leaves_other_staged_work_alone(seeded: Path, cli) -> None:
    (seeded / "notes.txt").write_text("mine\n")
    git(seeded, "add", "notes.txt")
    _set(cli, ADDR, "llm.model", "gpt-4o")
    head = commits(seeded)[0]
    assert "notes.txt" not in [e.name for e in head.tree]
    assert git(seeded, "status", "--porcelain").strip() == "A  notes.txt"


def test_reseal_and_edit_commit_once(seeded: Path, cli, editor) -> None:
    path = cfg(seeded, ADDR)
    path.write_text(path.read_text().replace("openai", "anthropic"))
    n = commit_count(seeded)
    assert cli("reseal", ADDR).code == 0
    assert commit_count(seeded) == n + 1
    assert trailers(commits(seeded)[0].message)["Lcm-Op"] == "reseal"
    editor.configure("replace", old="anthropic", new="mistral")
    res = cli("edit", ADDR)
    assert res.code == 0, res
    assert commit_count(seeded) == n + 2
    tr = trailers(commits(seeded)[0].message)
    assert tr["Lcm-Op"] == "edit" and tr["Lcm-Paths"] == "config/acme/base/app.yaml"


# ---- unset -----------------------------------------------------------------------------


def test_unset_removes_a_key(seeded: Path, cli) -> None:
    res = cli("unset", ADDR, "llm.api_key")
    assert res.code == 0, res
    assert "api_key" not in cfg(seeded, ADDR).read_text()
    assert cli("get", ADDR, "llm.api_key").code == 3
    assert cli("unset", ADDR, "llm.stop[0]").code == 0
    assert json.loads(cli("get", ADDR, "llm.stop", "-o", "json").stdout) == ["END"]


def test_unset_missing_key_or_file(seeded: Path, cli, tree_digest) -> None:
    before = tree_digest(seeded)
    res = cli("unset", ADDR, "llm.nope")
    assert res.code == 3 and res.stderr.startswith("lcm: error:") and "llm.nope" in res.stderr
    assert cli("unset", "acme/staging/app", "x").code == 3
    assert tree_digest(seeded) == before


# ---- get -------------------------------------------------------------------------------


def test_get_key_prints_a_scalar_bare(seeded: Path, cli) -> None:
    assert cli("get", ADDR, "llm.provider").stdout == "openai\n"
    assert cli("get", ADDR, "llm.temperature").stdout == "0.2\n"
    assert cli("get", ADDR, "llm.api_key").stdout == "********\n"
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == SECRET + "\n"
    assert cli("get", ADDR, "llm.stop[1]").stdout == "END\n"


def test_get_subtree_as_yaml_json_env(seeded: Path, cli) -> None:
    res = cli("get", ADDR, "llm")
    assert yaml.safe_load(res.stdout) == {
        "provider": "openai",
        "api_key": "********",
        "temperature": 0.2,
        "stop": ["###", "END"],
    }
    res = cli("get", ADDR, "-o", "json", "--reveal")
    assert json.loads(res.stdout)["llm"]["api_key"] == SECRET
    res = cli("get", ADDR, "-o", "env", "--reveal")
    lines = res.stdout.splitlines()
    assert "APP_LLM_PROVIDER=openai" in lines
    assert f"APP_LLM_API_KEY={SECRET}" in lines
    assert "APP_LLM_TEMPERATURE=0.2" in lines
    assert "APP_LLM_STOP_0='###'" in lines
    masked = cli("get", ADDR, "-o", "env").stdout
    assert SECRET not in masked and "APP_LLM_API_KEY='********'" in masked.splitlines()


def test_get_env_output_is_shell_safe(seeded: Path, cli, tmp_path: Path) -> None:
    import subprocess

    _set(cli, ADDR, "odd", 'it\'s $HOME `x` "q"')
    out = cli("get", ADDR, "-o", "env").stdout
    script = tmp_path / "env.sh"
    script.write_text(out + 'printf %s "$APP_ODD"\n')
    proc = subprocess.run(["sh", str(script)], capture_output=True, text=True)
    assert proc.stdout == 'it\'s $HOME `x` "q"'


def test_get_json_scalar_is_json(seeded: Path, cli) -> None:
    assert json.loads(cli("get", ADDR, "llm.temperature", "-o", "json").stdout) == 0.2
    assert json.loads(cli("get", ADDR, "llm.provider", "-o", "json").stdout) == "openai"


def test_get_bad_output_format(seeded: Path, cli) -> None:
    res = cli("get", ADDR, "-o", "toml")
    assert res.code == 2 and res.stderr.startswith("lcm: error:")


# ---- show ------------------------------------------------------------------------------


def test_show_decrypts_keeps_comments_and_drops_metadata(seeded: Path, cli) -> None:
    path = cfg(seeded, ADDR)
    path.write_text("# top comment\n" + path.read_text())
    res = cli("show", str(path))
    assert res.code == 0, res
    assert res.stdout.startswith("# top comment\n")
    data = yaml.safe_load(res.stdout)
    assert data == {
        "llm": {"provider": "openai", "api_key": SECRET, "temperature": 0.2, "stop": ["###", "END"]}
    }
    assert "mac:" not in res.stdout and "ENC[" not in res.stdout


def test_show_masked_needs_no_key(seeded: Path, cli, monkeypatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-data"
    empty.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(empty))
    path = cfg(seeded, ADDR)
    assert cli("get", ADDR, "--reveal").code == 4  # the key really is gone
    res = cli("show", str(path), "--masked")
    assert res.code == 0, res
    assert SECRET not in res.stdout and "ENC[" not in res.stdout
    data = yaml.safe_load(res.stdout)
    assert data["llm"]["provider"] == "openai"
    assert data["llm"]["api_key"].startswith("******** fp:")
    # the fingerprint changes with the ciphertext (so diffs show a rotation)
    monkeypatch.setenv("XDG_DATA_HOME", str(Path(os.environ["HOME"]) / ".local/share"))
    _set(cli, ADDR, "llm.api_key", "sk-test-FAKE-rotated")
    monkeypatch.setenv("XDG_DATA_HOME", str(empty))
    again = yaml.safe_load(cli("show", str(path), "--masked").stdout)
    assert again["llm"]["api_key"] != data["llm"]["api_key"]


def test_show_outside_the_repo_cwd(seeded: Path, cli, monkeypatch, tmp_path: Path) -> None:
    """git textconv passes a temp copy; the repo comes from the cwd."""
    copy = tmp_path / "copy.yaml"
    copy.write_text(cfg(seeded, ADDR).read_text())
    res = cli("show", str(copy))
    assert res.code == 0, res
    assert SECRET in res.stdout


def test_git_diff_uses_masked_textconv(seeded: Path, cli) -> None:
    _set(cli, ADDR, "llm.api_key", "sk-test-FAKE-rotated")
    diff = git(seeded, "log", "-p", "-1", "--", "config/acme/base/app.yaml")
    assert "sk-test-FAKE" not in diff
    import re

    assert re.search(r"(?m)^-  api_key: '?\*{8} fp:[0-9a-f]{8}'?$", diff), diff
    assert re.search(r"(?m)^\+  api_key: '?\*{8} fp:[0-9a-f]{8}'?$", diff), diff


# ---- edit ------------------------------------------------------------------------------

EDITOR_SCRIPT = textwrap.dedent(
    r"""
    import json, os, stat, sys
    from pathlib import Path

    path = Path(sys.argv[-1])
    state_file = Path(os.environ["LCM_TEST_EDITOR_STATE"])

    def save(state):
        # Atomically: the test reads the state while this editor may still be running.
        tmp = state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, state_file)

    state = json.loads(state_file.read_text())
    calls = state.setdefault("calls", [])
    text = path.read_text()
    st = path.stat()
    calls.append({"path": str(path), "mode": stat.S_IMODE(st.st_mode), "text": text,
                  "dir_mode": stat.S_IMODE(path.parent.stat().st_mode)})
    action = state["action"]
    n = len(calls)
    if action == "replace":
        text = text.replace(state["old"], state["new"])
    elif action == "break-then-fix":
        if n == 1:
            text = text.replace(state["old"], state["new"]) + "broken: [unclosed\n"
        else:
            text = text.replace("broken: [unclosed\n", "")
    elif action == "always-break":
        text = text + "broken: [unclosed\n"
    elif action == "rewrite":
        text = state["new"]
    elif action == "concurrent-set":
        import subprocess
        subprocess.run(state["argv"], check=True, capture_output=True, cwd=state["cwd"])
        text = text.replace(state["old"], state["new"])
    elif action == "hang":
        save(state)
        import time
        time.sleep(60)
    elif action == "fail":
        save(state)
        sys.exit(3)
    path.write_text(text)
    save(state)
    """
)


class Editor:
    """A real $EDITOR (a Python script) that records each call."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.script = folder / "editor.py"
        self.script.write_text(EDITOR_SCRIPT)
        self.state = folder / "editor-state.json"
        monkeypatch.setenv("EDITOR", f"{sys.executable} {self.script}")
        monkeypatch.setenv("LCM_TEST_EDITOR_STATE", str(self.state))
        self.configure("noop")

    def configure(self, action: str, **kw: object) -> None:
        self.state.write_text(json.dumps({"action": action, **kw}))

    @property
    def calls(self) -> list[dict]:
        return json.loads(self.state.read_text()).get("calls", [])


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Editor:
    folder = tmp_path / "editor"
    folder.mkdir()
    return Editor(folder, monkeypatch)


def test_edit_value_change_is_re_encrypted(seeded: Path, cli, editor: Editor) -> None:
    old_encs = enc_lines(cfg(seeded, ADDR).read_text())
    editor.configure("replace", old=SECRET, new="sk-test-FAKE-edited")
    res = cli("edit", ADDR)
    assert res.code == 0, res
    (call,) = editor.calls
    assert SECRET in call["text"] and "ENC[" not in call["text"] and "mac:" not in call["text"]
    text = cfg(seeded, ADDR).read_text()
    assert "sk-test-FAKE-edited" not in text
    assert enc_lines(text)["api_key"] != old_encs["api_key"]
    assert cli("get", ADDR, "llm.api_key", "--reveal").stdout == "sk-test-FAKE-edited\n"


def test_edit_plain_change_keeps_secret_ciphertext(seeded: Path, cli, editor: Editor) -> None:
    old_encs = enc_lines(cfg(seeded, ADDR).read_text())
    editor.configure("replace", old="temperature: 0.2", new="temperature: 0.5  # warmer")
    assert cli("edit", ADDR).code == 0
    text = cfg(seeded, ADDR).read_text()
    assert enc_lines(text) == old_encs
    assert "temperature: 0.5  # warmer" in text
    assert cli("get", ADDR, "--reveal").code == 0


def test_edit_new_secret_key_is_encrypted(seeded: Path, cli, editor: Editor) -> None:
    editor.configure("replace", old="llm:\n", new="llm:\n  org_token: tok-test-FAKE-new\n")
    assert cli("edit", ADDR).code == 0
    assert "tok-test-FAKE-new" not in cfg(seeded, ADDR).read_text()
    assert cli("get", ADDR, "llm.org_token", "--reveal").stdout == "tok-test-FAKE-new\n"


def test_edit_temp_file_is_private_and_removed(seeded: Path, cli, editor: Editor) -> None:
    editor.configure("replace", old="openai", new="anthropic")
    assert cli("edit", ADDR).code == 0
    (call,) = editor.calls
    tmp = Path(call["path"])
    assert call["mode"] == 0o600
    # A private (0700) folder per buffer, in a memory-backed place; all of it removed.
    assert tmp.parent.parent in (Path(os.environ["XDG_RUNTIME_DIR"]), Path("/dev/shm"))
    assert call["dir_mode"] == 0o700
    assert not tmp.exists()
    assert not list(Path(os.environ["XDG_RUNTIME_DIR"]).glob("lcm-edit-*"))


def test_edit_yaml_error_reopens_the_editor(seeded: Path, cli, editor: Editor) -> None:
    editor.configure("break-then-fix", old="openai", new="anthropic")
    res = cli("edit", ADDR)
    assert res.code == 0, res
    first, second = editor.calls
    assert "# lcm error:" not in first["text"]
    assert second["text"].startswith("# lcm error:")
    assert "bad YAML" in second["text"].splitlines()[0]
    assert "anthropic" in second["text"]  # the edit was not lost
    assert first["path"] == second["path"] and not Path(first["path"]).exists()
    text = cfg(seeded, ADDR).read_text()
    assert "provider: anthropic" in text and "# lcm error" not in text and "broken" not in text
    assert cli("get", ADDR, "--reveal").code == 0


def test_edit_unchanged_save_makes_no_commit(seeded: Path, cli, editor: Editor) -> None:
    n = commit_count(seeded)
    before = cfg(seeded, ADDR).read_text()
    editor.configure("noop")
    res = cli("edit", ADDR)
    assert res.code == 0, res
    assert commit_count(seeded) == n
    assert cfg(seeded, ADDR).read_text() == before
    assert not list(Path(os.environ["XDG_RUNTIME_DIR"]).glob("lcm-edit-*"))


def test_edit_editor_failure_changes_nothing(
    seeded: Path, cli, editor: Editor, tree_digest
) -> None:
    before = tree_digest(seeded / "config")
    n = commit_count(seeded)
    editor.configure("fail")
    res = cli("edit", ADDR)
    assert res.code == 2 and res.stderr.strip().startswith("lcm: error:")
    assert tree_digest(seeded / "config") == before and commit_count(seeded) == n
    assert not list(Path(os.environ["XDG_RUNTIME_DIR"]).glob("lcm-edit-*"))


def test_edit_giving_up_changes_nothing(seeded: Path, cli, editor: Editor, tree_digest) -> None:
    before = tree_digest(seeded / "config")
    editor.configure("always-break")
    res = cli("edit", ADDR)
    assert res.code == 2, res
    assert tree_digest(seeded / "config") == before
    assert not list(Path(os.environ["XDG_RUNTIME_DIR"]).glob("lcm-edit-*"))


def test_edit_creates_a_new_file(repo: Path, cli, editor: Editor) -> None:
    editor.configure("rewrite", new="# new file\nmodel: gpt-4o\napi_key: sk-test-FAKE-fresh\n")
    res = cli("edit", "acme/staging/fresh")
    assert res.code == 0, res
    text = cfg(repo, "acme/staging/fresh").read_text()
    assert "# new file" in text and "sk-test-FAKE-fresh" not in text
    assert cli("get", "acme/staging/fresh", "api_key", "--reveal").stdout == "sk-test-FAKE-fresh\n"


def test_edit_through_installed_executable(seeded: Path, editor: Editor) -> None:
    import subprocess

    editor.configure("replace", old="0.2", new="0.3")
    proc = subprocess.run(
        [str(LCM_EXE), "edit", ADDR], cwd=seeded, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "temperature: 0.3" in cfg(seeded, ADDR).read_text()
    assert not Path(editor.calls[0]["path"]).exists()


def test_edit_loses_no_concurrent_write(seeded: Path, cli, editor: Editor) -> None:
    """Someone runs `lcm set` while the editor is open: their change survives and the
    edit is refused with one clear line (not silently overwritten)."""
    editor.configure(
        "concurrent-set",
        old="openai",
        new="anthropic",
        cwd=str(seeded),
        argv=[str(LCM_EXE), "set", ADDR, "llm.region", "eu-west-1"],
    )
    res = cli("edit", ADDR)
    assert res.code != 0 and res.exception is None, res
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lcm: error:") and "app" in lines[0]
    assert cli("get", ADDR, "llm.region").stdout == "eu-west-1\n"
    assert cli("get", ADDR, "llm.provider").stdout == "openai\n"
    assert not list(Path(os.environ["XDG_RUNTIME_DIR"]).glob("lcm-edit-*"))


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_edit_removes_the_temp_file_when_signalled(seeded: Path, editor: Editor, sig: str) -> None:
    import signal
    import subprocess
    import time

    editor.configure("hang")
    proc = subprocess.Popen(
        [str(LCM_EXE), "edit", ADDR],
        cwd=seeded,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not editor.calls and time.monotonic() < deadline:
            time.sleep(0.05)
        (call,) = editor.calls
        tmp = Path(call["path"])
        assert tmp.exists() and call["mode"] == 0o600
        before = cfg(seeded, ADDR).read_text()
        proc.send_signal(getattr(signal, sig))
        _, err = proc.communicate(timeout=30)
        assert proc.returncode != 0
        assert "Traceback" not in err, err
        assert not tmp.exists(), f"{tmp} left behind after {sig}"
        assert cfg(seeded, ADDR).read_text() == before
    finally:
        import contextlib
        import os as _os

        with contextlib.suppress(ProcessLookupError):
            _os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _no_git_identity_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)


def test_author_from_git_environment_like_git(seeded: Path, cli) -> None:
    """$GIT_AUTHOR_NAME/EMAIL win, as they do for git (the conftest sets them)."""
    _set(cli, ADDR, "llm.model", "gpt-4o")
    head = commits(seeded)[0]
    assert (head.author.name, head.author.email) == ("lcm tests", "tests@example.invalid")


def test_author_comes_from_git_config_before_lcm_author(seeded: Path, cli, monkeypatch) -> None:
    _no_git_identity_env(monkeypatch)
    git(seeded, "config", "user.name", "Repo Config User")
    git(seeded, "config", "user.email", "repo@example.invalid")
    _set(cli, ADDR, "llm.model", "gpt-4o")
    head = commits(seeded)[0]
    assert (head.author.name, head.author.email) == ("Repo Config User", "repo@example.invalid")


def test_lcm_author_is_used_without_git_identity(seeded: Path, cli, monkeypatch) -> None:
    _no_git_identity_env(monkeypatch)
    monkeypatch.setenv("LCM_AUTHOR", "CI Bot <ci@example.invalid>")
    _set(cli, ADDR, "llm.model", "gpt-4o")
    head = commits(seeded)[0]
    assert (head.author.name, head.author.email) == ("CI Bot", "ci@example.invalid")


def test_edit_renaming_a_secret_key_does_not_write_it_in_plaintext(
    seeded: Path, cli, editor: Editor
) -> None:
    """The buffer shows secrets decrypted and unmarked; renaming `api_key` to a name
    outside the secret globs must not commit the secret value in plaintext."""
    editor.configure("replace", old="api_key:", new="openai_credential:")
    res = cli("edit", ADDR)
    assert res.code in (0, 1, 2), res
    text = cfg(seeded, ADDR).read_text()
    assert SECRET not in text
    log = git(seeded, "log", "-p", "--all")
    assert SECRET not in log


@pytest.mark.parametrize("sig", ["INT", "TERM"])
def test_edit_signalled_as_the_editor_starts_stops_the_editor(
        seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sig: str) -> None:
    """A signal that reaches lcm while it is still starting the editor (here: sent by the
    editor itself, the first thing it does) must not leave the editor running: it would
    hold the buffer and the caller's pipes forever."""
    import os
    import signal
    import subprocess

    marker = tmp_path / "editor-pids"
    script = tmp_path / "signalling-editor.sh"
    script.write_text(f"#!/bin/sh\necho $$ >> {marker}\nkill -{sig} $PPID\nexec sleep 600\n")
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    before = cfg(seeded, ADDR).read_text()
    for _ in range(8):
        proc = subprocess.Popen([str(LCM_EXE), "edit", ADDR], cwd=seeded, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=30)
        finally:
            for pid in marker.read_text().split() if marker.exists() else []:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(int(pid), signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        assert proc.returncode != 0
        assert "Traceback" not in err, err
        assert cfg(seeded, ADDR).read_text() == before
    for pid in marker.read_text().split():  # every editor started was stopped
        with pytest.raises(ProcessLookupError):
            os.kill(int(pid), 0)
