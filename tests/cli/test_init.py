"""`lcm init`: refused inside an existing repository (defect 1); installs a Git pre-commit
hook running `lcm scan --staged` unless the pre-commit framework owns the hooks (defect 8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import git

# An OpenAI project key shape with enough entropy to be a finding (made up).
LEAK = "api_key = 'sk-proj-Xq8vR2mN7tLp4KzW9bYc3HdF6gJs1QeA5uVx0oTi2rEw8yPn'\n"


def test_init_inside_an_existing_repository_is_refused_and_changes_nothing(
    repo: Path, cli, tree_digest
) -> None:
    before = tree_digest(repo)
    head = git(repo, "rev-parse", "HEAD").stdout
    for target in ("cfg/config", "config/acme/deeper", "."):
        result = cli("init", target)
        assert result.code == 3, result
        assert result.stderr.startswith("lcm: error: ") and result.stderr.count("\n") == 1
        assert str(repo) in result.stderr
    assert "inside the lcm repository" in cli("init", "config/x").stderr
    assert tree_digest(repo) == before
    assert git(repo, "rev-parse", "HEAD").stdout == head
    assert not (repo / "cfg").exists() and not (repo / "config/x").exists()
    assert cli("validate").code == 0


def test_init_installs_a_hook_that_refuses_a_plaintext_key(tmp_path: Path, cli) -> None:
    result = cli("init", str(tmp_path / "cfg"))
    assert result.code == 0, result
    assert "pre-commit hook: installed .git/hooks/pre-commit" in result.stderr
    root = tmp_path / "cfg"
    hook = root / ".git/hooks/pre-commit"
    assert hook.stat().st_mode & 0o111
    assert "-m lcm.scan --staged" in hook.read_text()
    (root / "settings.py").write_text(LEAK)
    git(root, "add", "settings.py")
    commit = git(root, "commit", "-m", "leak", check=False)
    assert commit.returncode != 0
    assert "openai-project-key" in commit.stdout + commit.stderr
    assert git(root, "log", "--format=%s").stdout.splitlines() == ["lcm init"]
    (root / "settings.py").write_text("model = 'gpt-4o'\n")
    git(root, "add", "settings.py")
    assert git(root, "commit", "-m", "clean", check=False).returncode == 0


def test_git_only_in_a_clone_installs_the_hook_from_a_subfolder(repo: Path, tmp_path: Path,
                                                                 cli, monkeypatch) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    assert not (clone / ".git/hooks/pre-commit").exists()
    monkeypatch.chdir(clone / "config")
    result = cli("init", "--git-only")
    assert result.code == 0, result
    assert f"drivers in {clone}" in result.stderr
    assert "pre-commit hook: installed" in result.stderr
    assert "lcm.scan --staged" in (clone / ".git/hooks/pre-commit").read_text()
    assert cli("init", "--git-only").code == 0  # re-running rewrites lcm's own hook


def test_the_pre_commit_framework_keeps_its_hook(tmp_path: Path, cli) -> None:
    root = tmp_path / "cfg"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    framework = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=root,
                               capture_output=True, text=True, timeout=120)
    assert framework.returncode == 0, framework.stderr
    hook = root / ".git/hooks/pre-commit"
    installed = hook.read_text()
    result = cli("init", str(root))
    assert result.code == 0, result
    assert "managed by the pre-commit framework" in result.stderr
    assert hook.read_text() == installed


def test_another_tools_hook_is_left_alone_and_named(tmp_path: Path, cli) -> None:
    root = tmp_path / "cfg"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexec make lint\n")
    result = cli("init", str(root))
    assert result.code == 0, result
    assert "not lcm's; left as it is (add `lcm scan --staged` to it)" in result.stderr
    assert hook.read_text() == "#!/bin/sh\nexec make lint\n"


def test_core_hookspath_is_where_the_hook_goes(tmp_path: Path, cli) -> None:
    root = tmp_path / "cfg"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "core.hooksPath", ".githooks")
    assert cli("init", str(root)).code == 0
    assert "lcm.scan --staged" in (root / ".githooks/pre-commit").read_text()
    assert not (root / ".git/hooks/pre-commit").exists()
